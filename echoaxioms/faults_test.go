package echoaxioms_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// faultApp is an app with a public and a protected route, trusting iss through
// discovery, with its clock in the test's hands.
type faultApp struct {
	e     *echo.Echo
	iss   *axiomstest.Issuer
	clock *axiomstest.Clock
}

func newFaultApp(t *testing.T, iss *axiomstest.Issuer, cacheSize int) *faultApp {
	t.Helper()
	policies, err := openapi.LoadData([]byte(`openapi: 3.1.0
info: {title: faults, version: "1"}
security: [{bearer: []}]
components: {securitySchemes: {bearer: {type: http, scheme: bearer}}}
paths:
  /public: {get: {security: [], responses: {"200": {description: ok}}}}
  /data:   {get: {responses: {"401": {description: no}, "403": {description: no}}}}
`), openapi.LoadOptions{})
	require.NoError(t, err)
	a := &faultApp{iss: iss, clock: axiomstest.NewClock(time.Now())}
	cfg := iss.ValidatorConfig()
	cfg.Now = a.clock.Now
	cfg.CacheSize = cacheSize
	// Long enough for a healthy loopback fetch on a loaded machine (go test runs
	// packages in parallel, and -race slows every fetch), short enough to keep the
	// "slower than the timeout" fault quick.
	cfg.FetchTimeout = 1500 * time.Millisecond
	cfg.MaxJWKSSize = 1 << 20
	cfg.Logger = slog.New(slog.DiscardHandler)
	v, err := validator.New(t.Context(), cfg)
	require.NoError(t, err)
	a.e = echo.New()
	a.e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: v}))
	a.e.GET("/public", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	a.e.GET("/data", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	return a
}

func (a *faultApp) get(path, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

func (a *faultApp) status(token string) int { return a.get("/data", token).Code }

func TestJWKSUnreachableAtStartupThenRecovery(t *testing.T) {
	scenarios, survived, totalFetches := 0, 0, 0
	for name, fault := range map[string]axiomstest.Fault{
		"503":                {Status: http.StatusServiceUnavailable},
		"connection dropped": {CloseConnection: true},
	} {
		passed := t.Run(name, func(t *testing.T) {
			iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
			defer func() { totalFetches += iss.JWKSFetches() }()
			iss.Fail(fault)
			a := newFaultApp(t, iss, 0)
			start := iss.JWKSFetches()
			require.Positive(t, start, "New tried once")
			tok := iss.Token(t, axiomstest.TokenSpec{})

			rec := a.get("/data", tok)
			assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "protected routes: 503")
			assert.Equal(t, "30", rec.Header().Get("Retry-After"))
			assert.Equal(t, http.StatusOK, a.get("/public", "").Code, "public routes are fine")
			assert.Equal(t, http.StatusUnauthorized, a.get("/data", "").Code, "no token is still 401")
			for range 50 {
				a.get("/data", tok)
			}
			assert.Equal(t, start, iss.JWKSFetches(), "retries back off: no fetch within the first second")

			iss.ClearFaults()
			a.clock.Advance(2 * time.Second)
			assert.Equal(t, http.StatusOK, a.status(tok), "recovers without a restart")
			assert.Equal(t, start+1, iss.JWKSFetches())
		})
		scenarios++
		if passed {
			survived++
		}
	}
	t.Logf("FIGURE issuer-faults-startup: %d of %d fault scenarios survived, %d JWKS fetches", survived, scenarios, totalFetches)
}

// withKeys returns a token signed by a key the validator has not seen yet, after
// publishing it: the next request with it triggers a refetch.
func freshKeyToken(t *testing.T, iss *axiomstest.Issuer) string {
	t.Helper()
	k := iss.Rotate(t, "ES256")
	return iss.Token(t, axiomstest.TokenSpec{Key: k})
}

func TestJWKSFaultsKeepTheLastGoodKeys(t *testing.T) {
	bigBody := []byte(`{"keys":[],"pad":"` + strings.Repeat("x", 2<<20) + `"}`)
	scenarios, survived, totalFetches := 0, 0, 0
	for name, fault := range map[string]axiomstest.Fault{
		"500":                     {Status: http.StatusInternalServerError},
		"garbage body":            {Body: []byte("<html>maintenance</html>")},
		"empty set":               {Body: []byte(`{"keys":[]}`)},
		"only unusable keys":      {Body: []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`)},
		"body over the size cap":  {Body: bigBody},
		"slower than the timeout": {Delay: 4 * time.Second},
		"connection dropped":      {CloseConnection: true},
	} {
		passed := t.Run(name, func(t *testing.T) {
			iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
			defer func() { totalFetches += iss.JWKSFetches() }()
			a := newFaultApp(t, iss, -1)
			old := iss.Token(t, axiomstest.TokenSpec{Alg: "ES256"})
			require.Equal(t, http.StatusOK, a.status(old))
			before := iss.JWKSFetches()

			iss.Fail(fault)
			fresh := freshKeyToken(t, iss)
			a.clock.Advance(validator.DefaultMinRefreshInterval)
			assert.Equal(t, http.StatusUnauthorized, a.status(fresh), "the new kid cannot be fetched: 401, not 503 (keys are cached)")
			fetches := iss.JWKSFetches() - before
			if fault.CloseConnection {
				assert.LessOrEqual(t, fetches, 2, "one refetch (the HTTP client may retry a dropped idempotent request once)")
			} else {
				assert.Equal(t, 1, fetches, "exactly one refetch")
			}
			assert.Equal(t, http.StatusOK, a.status(old), "the last good keys keep serving")
			for range 20 {
				a.status(fresh)
			}
			assert.Equal(t, before+fetches, iss.JWKSFetches(), "no further fetch within the interval")

			iss.ClearFaults()
			a.clock.Advance(validator.DefaultMinRefreshInterval)
			assert.Equal(t, http.StatusUnauthorized, a.status(fresh), "the failed fetch doubled the interval")
			assert.Equal(t, before+fetches, iss.JWKSFetches())
			a.clock.Advance(validator.DefaultMinRefreshInterval)
			assert.Equal(t, http.StatusOK, a.status(fresh), "after the fault, one refetch brings the new key")
			assert.Equal(t, before+fetches+1, iss.JWKSFetches())
		})
		scenarios++
		if passed {
			survived++
		}
	}
	t.Logf("FIGURE issuer-faults: %d of %d fault scenarios survived, %d JWKS fetches", survived, scenarios, totalFetches)
}

func TestLargeKeySetThroughTheMiddleware(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	a := newFaultApp(t, iss, -1)
	k := axiomstest.NewKey(t, "ES256")
	members := []json.RawMessage{k.PublicJWK()}
	for i := range 4999 {
		p, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		members = append(members, json.RawMessage(fmt.Sprintf(`{"kty":"EC","crv":"P-256","kid":"bulk-%d","alg":"ES256","use":"sig","x":%q,"y":%q}`,
			i, base64.RawURLEncoding.EncodeToString(p.X.FillBytes(make([]byte, 32))), base64.RawURLEncoding.EncodeToString(p.Y.FillBytes(make([]byte, 32))))))
	}
	body, err := json.Marshal(map[string]any{"keys": members})
	require.NoError(t, err)
	iss.SetJWKSBody(body)
	before := iss.JWKSFetches()
	a.clock.Advance(validator.DefaultMinRefreshInterval)
	assert.Equal(t, http.StatusOK, a.status(iss.Token(t, axiomstest.TokenSpec{Key: k})), "a 5,000-key set is usable")
	assert.Equal(t, before+1, iss.JWKSFetches())
}

func TestKeyRotation(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	a := newFaultApp(t, iss, 0)
	oldKey := iss.Key("ES256")
	old := iss.Token(t, axiomstest.TokenSpec{})
	require.Equal(t, http.StatusOK, a.status(old))
	require.Equal(t, http.StatusOK, a.status(old), "now cached")
	start := iss.JWKSFetches()

	// The issuer rotates: the new kid is accepted after exactly one refetch.
	iss.Rotate(t, "ES256")
	a.clock.Advance(validator.DefaultMinRefreshInterval)
	fresh := iss.Token(t, axiomstest.TokenSpec{})
	assert.Equal(t, http.StatusOK, a.status(fresh))
	assert.Equal(t, start+1, iss.JWKSFetches())
	assert.Equal(t, http.StatusOK, a.status(old), "the old key is still published")

	// The old key leaves the set: once refetched, its tokens are refused, cached
	// verification included.
	iss.RemoveKey(oldKey.ID())
	a.clock.Advance(validator.DefaultMinRefreshInterval)
	assert.Equal(t, http.StatusUnauthorized, a.status(iss.Token(t, axiomstest.TokenSpec{KeyID: "unknown-kid"})), "an unknown kid triggers the refetch")
	assert.Equal(t, start+2, iss.JWKSFetches())
	rec := a.get("/data", old)
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "the cached verification of the removed key is dropped")
	assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error="invalid_token"`)
	assert.Equal(t, http.StatusOK, a.status(fresh))
}

// TestRandomKidFloodCostsOneFetchPerInterval: 10,000 concurrent requests with random kids
// cost the issuer one fetch, and each fetch that brings no new key doubles the interval
// before the next (5s, 10s, 20s, ... up to MaxRefreshBackoff).
func TestRandomKidFloodCostsOneFetchPerInterval(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	a := newFaultApp(t, iss, 0)
	key := iss.Key("ES256")
	tokens := make([]string, 10_000)
	for i := range tokens {
		tokens[i] = iss.Token(t, axiomstest.TokenSpec{Key: key, KeyID: fmt.Sprintf("random-%d", i)})
	}
	interval := validator.DefaultMinRefreshInterval
	for round := range 3 {
		waited := time.Duration(0)
		if round > 0 {
			a.clock.Advance(validator.DefaultMinRefreshInterval)
			waited = validator.DefaultMinRefreshInterval
			before := iss.JWKSFetches()
			assert.Equal(t, http.StatusUnauthorized, a.status(tokens[round]))
			assert.Equal(t, before, iss.JWKSFetches(), "round %d: MinRefreshInterval is no longer enough", round)
		}
		a.clock.Advance(interval - waited)
		before := iss.JWKSFetches()
		var wg sync.WaitGroup
		var unauthorized atomic.Int64
		for w := range 50 {
			wg.Go(func() {
				for i := w; i < len(tokens); i += 50 {
					if a.status(tokens[i]) == http.StatusUnauthorized {
						unauthorized.Add(1)
					}
				}
			})
		}
		wg.Wait()
		assert.EqualValues(t, len(tokens), unauthorized.Load())
		assert.Equal(t, before+1, iss.JWKSFetches(), "round %d: 10,000 random kids after %v, one fetch", round, interval)
		interval *= 2
	}
	t.Logf("FIGURE kid-flood: %d requests with random kids in 3 intervals (5s, 10s, 20s), %d JWKS fetches", 3*len(tokens), iss.JWKSFetches())
}

func TestIssuerDownForDaysCachedKeysServe(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, TokenTTL: 30 * 24 * time.Hour})
	a := newFaultApp(t, iss, -1) // no verified-token cache: every request verifies with the cached keys
	tok := iss.Token(t, axiomstest.TokenSpec{})
	require.Equal(t, http.StatusOK, a.status(tok))
	iss.Fail(axiomstest.Fault{Status: http.StatusBadGateway})
	before := iss.JWKSFetches()

	// Two hours of a request every 5s: background refreshes start once the key set is
	// RefreshInterval old, then each failure doubles the interval before the next.
	const step, busy = 5 * time.Second, 2 * time.Hour
	for elapsed := step; elapsed <= busy; elapsed += step {
		a.clock.Advance(step)
		require.Equal(t, http.StatusOK, a.status(tok), "after %v", elapsed)
	}
	require.Eventually(t, func() bool { return iss.JWKSFetches() > before }, 5*time.Second, 10*time.Millisecond,
		"background refreshes keep trying")
	busyBound := failingAttempts(busy - validator.DefaultRefreshInterval)
	require.Equal(t, 25, busyBound, "105 minutes: at 0s, 10s, 30s, 70s, 150s, 310s, then every 5 minutes")
	busyFetches := iss.JWKSFetches() - before
	assert.LessOrEqual(t, busyFetches, busyBound, "failed refreshes back off once RefreshInterval passed")

	// Then seven days of a request an hour: at most one attempt per request, since an
	// hour exceeds MaxRefreshBackoff, and the cached keys serve throughout.
	before = iss.JWKSFetches()
	hours := 0
	for day := 1; day <= 7; day++ {
		for range 24 {
			a.clock.Advance(time.Hour)
			hours++
			require.Equal(t, http.StatusOK, a.status(tok), "day %d", day)
		}
	}
	quietFetches := iss.JWKSFetches() - before
	assert.LessOrEqual(t, quietFetches, hours, "at most one attempt per request-triggering hour")
	iss.ClearFaults()
	a.clock.Advance(time.Hour)
	assert.Equal(t, http.StatusOK, a.status(tok))
	t.Logf("FIGURE issuer-down-7-days: %d requests served from cached keys over 2h+7d of 502s, %d JWKS fetches (bounds %d and %d)",
		int(busy/step)+hours, busyFetches+quietFetches, busyBound, hours)
}

// failingAttempts returns how many fetches fit in d when every one fails: one at the
// start, then one per interval, MinRefreshInterval doubled by each failure so far, up to
// MaxRefreshBackoff.
func failingAttempts(d time.Duration) int {
	n, at := 1, time.Duration(0)
	for {
		at += min(validator.DefaultMinRefreshInterval<<min(n, 16), validator.DefaultMaxRefreshBackoff)
		if at > d {
			return n
		}
		n++
	}
}

// TestHungIssuerDoesNotSlowTheOther: with two issuers bound to two schemes of one
// operation, a token of issuer A never makes B's validator look up or fetch keys (its
// iss names A), so A's tokens are answered at once while B hangs, and cost B nothing
// while it is healthy.
func TestHungIssuerDoesNotSlowTheOther(t *testing.T) {
	policies, err := openapi.LoadData([]byte(`openapi: 3.1.0
info: {title: two issuers, version: "1"}
components:
  securitySchemes:
    a: {type: http, scheme: bearer}
    b: {type: http, scheme: bearer}
paths:
  /data: {get: {security: [{b: []}, {a: []}], responses: {"401": {description: no}}}}
`), openapi.LoadOptions{})
	require.NoError(t, err)
	clock := axiomstest.NewClock(time.Now())
	build := func(ctx context.Context, t *testing.T, iss *axiomstest.Issuer) *validator.Validator {
		cfg := iss.ValidatorConfig()
		cfg.Now = clock.Now // FetchTimeout stays at its default, 5s
		v, err := validator.New(ctx, cfg)
		require.NoError(t, err)
		return v
	}
	app := func(va, vb *validator.Validator) *echo.Echo {
		e := echo.New()
		e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies,
			SchemeValidators: map[string]echoaxioms.TokenValidator{"a": va, "b": vb}}))
		e.GET("/data", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
		return e
	}
	status := func(e *echo.Echo, token string) int {
		req := httptest.NewRequest(http.MethodGet, "/data", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec.Code
	}
	es256 := axiomstest.IssuerConfig{Algorithms: []string{"ES256"}}
	a := axiomstest.NewIssuer(t, es256)
	va := build(t.Context(), t, a)

	t.Run("B healthy, then frozen", func(t *testing.T) {
		b := axiomstest.NewIssuer(t, es256)
		e := app(va, build(t.Context(), t, b))
		jwks, disc := b.JWKSFetches(), b.DiscoveryFetches()
		require.Equal(t, http.StatusOK, status(e, b.Token(t, axiomstest.TokenSpec{})))
		for i := range 5 {
			clock.Advance(validator.DefaultMinRefreshInterval) // B may refetch for unknown kids
			assert.Equal(t, http.StatusOK, status(e, a.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"jti": fmt.Sprint("healthy-", i)}})))
		}
		assert.Equal(t, jwks, b.JWKSFetches(), "A's tokens cost B no key-set fetch")

		b.Fail(axiomstest.Fault{Delay: 10 * time.Second})
		clock.Advance(validator.DefaultMinRefreshInterval)
		start := time.Now()
		assert.Equal(t, http.StatusOK, status(e, a.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"jti": "frozen"}})))
		assert.Less(t, time.Since(start), time.Second, "answered without waiting for B")
		assert.Equal(t, jwks, b.JWKSFetches(), "no fetch at the frozen issuer")
		assert.Equal(t, disc, b.DiscoveryFetches())
	})

	t.Run("B hung since startup", func(t *testing.T) {
		b := axiomstest.NewIssuer(t, es256)
		b.Fail(axiomstest.Fault{Delay: 10 * time.Second})
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		vb := build(ctx, t, b) // the startup fetch carries on in the background
		e := app(va, vb)
		require.Equal(t, 1, b.JWKSFetches())
		start := time.Now()
		assert.Equal(t, http.StatusOK, status(e, a.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"jti": "hung"}})))
		assert.Less(t, time.Since(start), time.Second, "answered without waiting for B's fetch")
		clock.Advance(time.Minute)
		assert.Equal(t, http.StatusOK, status(e, a.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"jti": "hung-later"}})))
		assert.Equal(t, 1, b.JWKSFetches(), "no fetch at B beyond the startup one")
		assert.Equal(t, 1, b.DiscoveryFetches())
	})
}

// TestIssuerMismatchFoundLaterAnswers503: an issuer unreachable at startup whose
// discovery document then names another issuer (a trailing slash) leaves the token
// unjudged: 503 with Retry-After, as for an outage, while the denial's cause says
// issuer_mismatch for the logs.
func TestIssuerMismatchFoundLaterAnswers503(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	var reachable atomic.Bool
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !reachable.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, srv.URL+"/", iss.JWKSURL())
	}))
	t.Cleanup(srv.Close)

	policies, err := openapi.LoadData([]byte(`openapi: 3.1.0
info: {title: mismatch, version: "1"}
security: [{bearer: []}]
components: {securitySchemes: {bearer: {type: http, scheme: bearer}}}
paths:
  /data: {get: {responses: {"401": {description: no}}}}
`), openapi.LoadOptions{})
	require.NoError(t, err)
	clock := axiomstest.NewClock(time.Now())
	v, err := validator.New(t.Context(), validator.Config{Issuer: srv.URL, Audiences: []string{iss.Audience()},
		Now: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err, "unreachable at startup: New succeeds")
	var denials []*echoaxioms.Error
	e := echo.New()
	e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: v,
		ErrorHandler: func(c echo.Context, d *echoaxioms.Error) error {
			denials = append(denials, d)
			return c.NoContent(d.Status)
		}}))
	e.GET("/data", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	tok := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"iss": srv.URL}})
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/data", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}

	require.Equal(t, http.StatusServiceUnavailable, get().Code)
	require.Len(t, denials, 1)
	assert.Equal(t, validator.ReasonKeysUnavailable, validator.ReasonOf(denials[0].Err), "unreachable: an outage")

	reachable.Store(true)
	clock.Advance(time.Minute)
	rec := get()
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "30", rec.Header().Get("Retry-After"))
	require.Len(t, denials, 2)
	assert.ErrorIs(t, denials[1], validator.ErrKeysUnavailable)
	assert.Equal(t, validator.ReasonIssuerMismatch, validator.ReasonOf(denials[1].Err))
	assert.Zero(t, iss.JWKSFetches(), "nothing is fetched from a document naming another issuer")
}

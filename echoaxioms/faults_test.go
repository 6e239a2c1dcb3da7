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
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/validator"
)

// faultsDoc has a public and a protected route.
var faultsDoc = specgen.Doc{Security: "[{bearer: []}]", Schemes: []string{specgen.Bearer("bearer")}}.YAML(`
  /public: {get: {security: [], responses: {"200": {description: ok}}}}
  /data:   {get: {responses: {"401": {description: no}, "403": {description: no}}}}
`)

// faultHarness protects the routes of faultsDoc, trusting iss through discovery, with
// the validator's clock in the test's hands.
func faultHarness(t *testing.T, iss *axiomstest.Issuer, cacheSize int) (*harness, *axiomstest.Clock) {
	t.Helper()
	clk := axiomstest.NewClock(time.Now())
	h := newHarness(t, harnessOptions{doc: faultsDoc, issuer: iss, validator: func(cfg *validator.Config) {
		cfg.Now = clk.Now
		cfg.CacheSize = cacheSize
		// Long enough for a healthy loopback fetch on a loaded machine (go test runs
		// packages in parallel, and -race slows every fetch), short enough to keep the
		// "slower than the timeout" fault quick.
		cfg.FetchTimeout = 1500 * time.Millisecond
		cfg.MaxJWKSSize = 1 << 20
	}})
	h.e.GET("/public", ok)
	h.e.GET("/data", ok)
	return h, clk
}

// dataStatus is the status of GET /data with the bearer token token.
func dataStatus(h *harness, token string) int {
	return h.do(http.MethodGet, "/data", "Bearer "+token).Code
}

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
			h, clk := faultHarness(t, iss, 0)
			start := iss.JWKSFetches()
			require.Positive(t, start, "New tried once")
			tok := iss.Token(t, axiomstest.TokenSpec{})

			rec := h.do(http.MethodGet, "/data", "Bearer "+tok)
			assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "protected routes: 503")
			assert.Equal(t, "30", rec.Header().Get("Retry-After"))
			assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/public", "").Code, "public routes are fine")
			assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/data", "").Code, "no token is still 401")
			for range 50 {
				dataStatus(h, tok)
			}
			assert.Equal(t, start, iss.JWKSFetches(), "retries back off: no fetch within the first second")

			iss.ClearFaults()
			clk.Advance(2 * time.Second)
			assert.Equal(t, http.StatusOK, dataStatus(h, tok), "recovers without a restart")
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
			h, clk := faultHarness(t, iss, -1)
			old := iss.Token(t, axiomstest.TokenSpec{Alg: "ES256"})
			require.Equal(t, http.StatusOK, dataStatus(h, old))
			before := iss.JWKSFetches()

			iss.Fail(fault)
			fresh := freshKeyToken(t, iss)
			clk.Advance(validator.DefaultMinRefreshInterval)
			assert.Equal(t, http.StatusUnauthorized, dataStatus(h, fresh), "the new kid cannot be fetched: 401, not 503 (keys are cached)")
			fetches := iss.JWKSFetches() - before
			if fault.CloseConnection {
				assert.LessOrEqual(t, fetches, 2, "one refetch (the HTTP client may retry a dropped idempotent request once)")
			} else {
				assert.Equal(t, 1, fetches, "exactly one refetch")
			}
			assert.Equal(t, http.StatusOK, dataStatus(h, old), "the last good keys keep serving")
			for range 20 {
				dataStatus(h, fresh)
			}
			assert.Equal(t, before+fetches, iss.JWKSFetches(), "no further fetch within the interval")

			iss.ClearFaults()
			clk.Advance(validator.DefaultMinRefreshInterval)
			assert.Equal(t, http.StatusUnauthorized, dataStatus(h, fresh), "the failed fetch doubled the interval")
			assert.Equal(t, before+fetches, iss.JWKSFetches())
			clk.Advance(validator.DefaultMinRefreshInterval)
			assert.Equal(t, http.StatusOK, dataStatus(h, fresh), "after the fault, one refetch brings the new key")
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
	h, clk := faultHarness(t, iss, -1)
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
	clk.Advance(validator.DefaultMinRefreshInterval)
	assert.Equal(t, http.StatusOK, dataStatus(h, iss.Token(t, axiomstest.TokenSpec{Key: k})), "a 5,000-key set is usable")
	assert.Equal(t, before+1, iss.JWKSFetches())
}

func TestKeyRotation(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	h, clk := faultHarness(t, iss, 0)
	oldKey := iss.Key("ES256")
	old := iss.Token(t, axiomstest.TokenSpec{})
	require.Equal(t, http.StatusOK, dataStatus(h, old))
	require.Equal(t, http.StatusOK, dataStatus(h, old), "now cached")
	start := iss.JWKSFetches()

	// The issuer rotates: the new kid is accepted after exactly one refetch.
	iss.Rotate(t, "ES256")
	clk.Advance(validator.DefaultMinRefreshInterval)
	fresh := iss.Token(t, axiomstest.TokenSpec{})
	assert.Equal(t, http.StatusOK, dataStatus(h, fresh))
	assert.Equal(t, start+1, iss.JWKSFetches())
	assert.Equal(t, http.StatusOK, dataStatus(h, old), "the old key is still published")

	// The old key leaves the set: once refetched, its tokens are refused, cached
	// verification included.
	iss.RemoveKey(oldKey.ID())
	clk.Advance(validator.DefaultMinRefreshInterval)
	assert.Equal(t, http.StatusUnauthorized, dataStatus(h, iss.Token(t, axiomstest.TokenSpec{KeyID: "unknown-kid"})), "an unknown kid triggers the refetch")
	assert.Equal(t, start+2, iss.JWKSFetches())
	rec := h.do(http.MethodGet, "/data", "Bearer "+old)
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "the cached verification of the removed key is dropped")
	assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error="invalid_token"`)
	assert.Equal(t, http.StatusOK, dataStatus(h, fresh))
}

// TestRandomKidFloodCostsOneFetchPerInterval: 10,000 concurrent requests with random kids
// cost the issuer one fetch, and each fetch that brings no new key doubles the interval
// before the next (5s, 10s, 20s, ... up to MaxRefreshBackoff).
func TestRandomKidFloodCostsOneFetchPerInterval(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	h, clk := faultHarness(t, iss, 0)
	key := iss.Key("ES256")
	tokens := make([]string, 10_000)
	for i := range tokens {
		tokens[i] = iss.Token(t, axiomstest.TokenSpec{Key: key, KeyID: fmt.Sprintf("random-%d", i)})
	}
	interval := validator.DefaultMinRefreshInterval
	for round := range 3 {
		waited := time.Duration(0)
		if round > 0 {
			clk.Advance(validator.DefaultMinRefreshInterval)
			waited = validator.DefaultMinRefreshInterval
			before := iss.JWKSFetches()
			assert.Equal(t, http.StatusUnauthorized, dataStatus(h, tokens[round]))
			assert.Equal(t, before, iss.JWKSFetches(), "round %d: MinRefreshInterval is no longer enough", round)
		}
		clk.Advance(interval - waited)
		before := iss.JWKSFetches()
		var wg sync.WaitGroup
		var unauthorized atomic.Int64
		for w := range 50 {
			wg.Go(func() {
				for i := w; i < len(tokens); i += 50 {
					if dataStatus(h, tokens[i]) == http.StatusUnauthorized {
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
	h, clk := faultHarness(t, iss, -1) // no verified-token cache: every request verifies with the cached keys
	tok := iss.Token(t, axiomstest.TokenSpec{})
	require.Equal(t, http.StatusOK, dataStatus(h, tok))
	iss.Fail(axiomstest.Fault{Status: http.StatusBadGateway})
	before := iss.JWKSFetches()

	// Two hours of a request every 5s: background refreshes start once the key set is
	// RefreshInterval old, then each failure doubles the interval before the next.
	const step, busy = 5 * time.Second, 2 * time.Hour
	for elapsed := step; elapsed <= busy; elapsed += step {
		clk.Advance(step)
		require.Equal(t, http.StatusOK, dataStatus(h, tok), "after %v", elapsed)
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
			clk.Advance(time.Hour)
			hours++
			require.Equal(t, http.StatusOK, dataStatus(h, tok), "day %d", day)
		}
	}
	quietFetches := iss.JWKSFetches() - before
	assert.LessOrEqual(t, quietFetches, hours, "at most one attempt per request-triggering hour")
	iss.ClearFaults()
	clk.Advance(time.Hour)
	assert.Equal(t, http.StatusOK, dataStatus(h, tok))
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
	doc := specgen.Doc{Schemes: []string{specgen.Bearer("a"), specgen.Bearer("b")}}.YAML(`
  /data: {get: {security: [{b: []}, {a: []}], responses: {"401": {description: no}}}}
`)
	clock := axiomstest.NewClock(time.Now())
	es256 := axiomstest.IssuerConfig{Algorithms: []string{"ES256"}}
	a := axiomstest.NewIssuer(t, es256)
	// app protects /data with A's validator (the harness's) and vb.
	app := func(t *testing.T, vb *validator.Validator) *harness {
		h := newHarness(t, harnessOptions{doc: doc, issuer: a,
			validator: func(cfg *validator.Config) { cfg.Now = clock.Now }, // FetchTimeout stays at its default, 5s
			config: func(c *echoaxioms.Config) {
				c.SchemeValidators = map[string]echoaxioms.TokenValidator{"a": c.Validator, "b": vb}
				c.Validator = nil
			}})
		h.e.GET("/data", ok)
		return h
	}
	validatorOf := func(ctx context.Context, t *testing.T, iss *axiomstest.Issuer) *validator.Validator {
		cfg := iss.ValidatorConfig()
		cfg.Now = clock.Now
		v, err := validator.New(ctx, cfg)
		require.NoError(t, err)
		return v
	}

	t.Run("B healthy, then frozen", func(t *testing.T) {
		b := axiomstest.NewIssuer(t, es256)
		h := app(t, validatorOf(t.Context(), t, b))
		jwks, disc := b.JWKSFetches(), b.DiscoveryFetches()
		require.Equal(t, http.StatusOK, dataStatus(h, b.Token(t, axiomstest.TokenSpec{})))
		for i := range 5 {
			clock.Advance(validator.DefaultMinRefreshInterval) // B may refetch for unknown kids
			assert.Equal(t, http.StatusOK, dataStatus(h, a.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"jti": fmt.Sprint("healthy-", i)}})))
		}
		assert.Equal(t, jwks, b.JWKSFetches(), "A's tokens cost B no key-set fetch")

		b.Fail(axiomstest.Fault{Delay: 10 * time.Second})
		clock.Advance(validator.DefaultMinRefreshInterval)
		start := time.Now()
		assert.Equal(t, http.StatusOK, dataStatus(h, a.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"jti": "frozen"}})))
		assert.Less(t, time.Since(start), time.Second, "answered without waiting for B")
		assert.Equal(t, jwks, b.JWKSFetches(), "no fetch at the frozen issuer")
		assert.Equal(t, disc, b.DiscoveryFetches())
	})

	t.Run("B hung since startup", func(t *testing.T) {
		b := axiomstest.NewIssuer(t, es256)
		b.Fail(axiomstest.Fault{Delay: 10 * time.Second})
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		h := app(t, validatorOf(ctx, t, b)) // the startup fetch carries on in the background
		require.Equal(t, 1, b.JWKSFetches())
		start := time.Now()
		assert.Equal(t, http.StatusOK, dataStatus(h, a.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"jti": "hung"}})))
		assert.Less(t, time.Since(start), time.Second, "answered without waiting for B's fetch")
		clock.Advance(time.Minute)
		assert.Equal(t, http.StatusOK, dataStatus(h, a.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"jti": "hung-later"}})))
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

	clock := axiomstest.NewClock(time.Now())
	var denials []*echoaxioms.Error
	h := newHarness(t, harnessOptions{doc: faultsDoc, issuer: iss,
		validator: func(cfg *validator.Config) {
			*cfg = validator.Config{Issuer: srv.URL, Audiences: []string{iss.Audience()}, Now: clock.Now, Logger: slog.New(slog.DiscardHandler)}
		},
		config: func(c *echoaxioms.Config) {
			c.ErrorHandler = func(c echo.Context, d *echoaxioms.Error) error {
				denials = append(denials, d)
				return c.NoContent(d.Status)
			}
		}})
	h.e.GET("/data", ok)
	tok := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"iss": srv.URL}})
	get := func() *httptest.ResponseRecorder { return h.do(http.MethodGet, "/data", "Bearer "+tok) }

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

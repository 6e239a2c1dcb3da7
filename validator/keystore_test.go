package validator_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// keyServer is an issuer's discovery and JWKS endpoints, with counters and faults.
type keyServer struct {
	srv       *httptest.Server
	mu        sync.Mutex
	jwks      []byte
	discovery string // "" = serve a correct document; "404" = none
	discState int    // non-zero: discovery answers this status
	status    int    // non-zero: JWKS answers this status
	body      []byte // non-nil: JWKS answers this body
	delay     time.Duration
	header    http.Header
	jwksHits  atomic.Int64
	discHits  atomic.Int64
	gate      chan struct{} // non-nil: JWKS requests wait for it to close
}

func newKeyServer(t *testing.T, jwks []byte) *keyServer {
	t.Helper()
	ks := &keyServer{jwks: jwks}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		ks.discHits.Add(1)
		ks.mu.Lock()
		d, status := ks.discovery, ks.discState
		ks.mu.Unlock()
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		switch d {
		case "404":
			http.NotFound(w, r)
		case "":
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, ks.srv.URL, ks.srv.URL+"/keys")
		default:
			w.Write([]byte(d))
		}
	})
	serveKeys := func(w http.ResponseWriter, r *http.Request) {
		ks.jwksHits.Add(1)
		ks.mu.Lock()
		jwks, status, body, delay, gate, hdr := ks.jwks, ks.status, ks.body, ks.delay, ks.gate, ks.header
		ks.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		for k, v := range hdr {
			w.Header()[k] = v
		}
		if status != 0 {
			w.WriteHeader(status)
		}
		if body != nil {
			w.Write(body)
			return
		}
		w.Write(jwks)
	}
	mux.HandleFunc("/keys", serveKeys)
	mux.HandleFunc("/.well-known/jwks.json", serveKeys)
	ks.srv = httptest.NewServer(mux)
	t.Cleanup(ks.srv.Close)
	return ks
}

func (ks *keyServer) set(f func(*keyServer)) { ks.mu.Lock(); f(ks); ks.mu.Unlock() }

// remoteValidator builds a Validator that discovers its keys from ks.
func remoteValidator(t *testing.T, ks *keyServer, clock *axiomstest.Clock, cfg validator.Config) *validator.Validator {
	t.Helper()
	cfg.Issuer = ks.srv.URL
	if cfg.Audiences == nil {
		cfg.Audiences = []string{testAudience}
	}
	cfg.Now = clock.Now
	if cfg.Logger == nil {
		cfg.Logger = quietLogger
	}
	if cfg.FetchTimeout == 0 {
		cfg.FetchTimeout = 2 * time.Second
	}
	v, err := validator.New(t.Context(), cfg)
	require.NoError(t, err)
	return v
}

func issuedBy(ks *keyServer, over map[string]any) map[string]any {
	c := claims(over)
	if _, set := over["iss"]; !set {
		c["iss"] = ks.srv.URL
	}
	return c
}

func TestDiscoveryThenKeys(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
	v := remoteValidator(t, ks, axiomstest.NewClock(testNow), validator.Config{})
	assert.EqualValues(t, 1, ks.discHits.Load())
	assert.EqualValues(t, 1, ks.jwksHits.Load(), "keys are fetched once at startup")

	_, err := v.Validate(t.Context(), s.token(t, issuedBy(ks, nil), nil))
	require.NoError(t, err)
	assert.EqualValues(t, 1, ks.jwksHits.Load())
}

func TestDiscoveryFallbackToWellKnownJWKS(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
	ks.set(func(k *keyServer) { k.discovery = "404" })
	v := remoteValidator(t, ks, axiomstest.NewClock(testNow), validator.Config{})
	_, err := v.Validate(t.Context(), s.token(t, issuedBy(ks, nil), nil))
	require.NoError(t, err)
	assert.EqualValues(t, 1, ks.jwksHits.Load())
}

func TestDiscoveryMustNameTheIssuer(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
	ks.set(func(k *keyServer) {
		k.discovery = `{"issuer":"https://evil.example","jwks_uri":"https://evil.example/keys"}`
	})
	for _, requireKeys := range []bool{false, true} {
		_, err := validator.New(t.Context(), validator.Config{Issuer: ks.srv.URL, Audiences: []string{testAudience}, RequireKeysAtStartup: requireKeys, Logger: quietLogger})
		assert.ErrorContains(t, err, `names issuer "https://evil.example", not the configured "`+ks.srv.URL+`"`, "RequireKeysAtStartup %v", requireKeys)
	}
	assert.Zero(t, ks.jwksHits.Load(), "keys named by a foreign discovery document are never fetched")
}

// TestIssuerMismatchFailsNew: a discovery document naming the issuer with another
// spelling (here a trailing slash) is a configuration error: New fails at once, whether
// or not RequireKeysAtStartup is set, and says both spellings. Nothing is fetched from
// the document.
func TestIssuerMismatchFailsNew(t *testing.T) {
	ks := newKeyServer(t, jwksJSON(t, newSigner(t, "ES256", "k1").jwk(t, nil)))
	ks.set(func(k *keyServer) {
		k.discovery = fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, ks.srv.URL+"/", ks.srv.URL+"/keys")
	})
	want := fmt.Sprintf(`validator: the discovery document at %s/.well-known/openid-configuration names issuer "%s/", not the configured "%s"`, ks.srv.URL, ks.srv.URL, ks.srv.URL)
	for _, requireKeys := range []bool{false, true} {
		logs := &logBuffer{}
		_, err := validator.New(t.Context(), validator.Config{Issuer: ks.srv.URL, Audiences: []string{testAudience},
			RequireKeysAtStartup: requireKeys, Logger: logs.logger()})
		require.Error(t, err, "RequireKeysAtStartup %v", requireKeys)
		assert.True(t, strings.HasPrefix(err.Error(), want), "RequireKeysAtStartup %v: %v", requireKeys, err)
		assert.Equal(t, 1, logs.count(slog.LevelError, "names another issuer"), "logged at Error")
	}
	assert.Zero(t, ks.jwksHits.Load())

	// The same issuer spelt as the document spells it works.
	v, err := validator.New(t.Context(), validator.Config{Issuer: ks.srv.URL + "/", Audiences: []string{testAudience}, Logger: quietLogger})
	require.NoError(t, err)
	assert.Equal(t, ks.srv.URL+"/", v.Issuer())
}

// TestIssuerMismatchFoundLater: the issuer is unreachable when New runs (New succeeds),
// and its discovery document, once reachable, names another issuer. Each fetch logs it
// at Error, and tokens get issuer_mismatch: of the keys-unavailable class (503, the
// token was not judged), with both spellings in the message, not a transient outage.
func TestIssuerMismatchFoundLater(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
	ks.set(func(k *keyServer) { k.discState = http.StatusServiceUnavailable })
	clock := axiomstest.NewClock(testNow)
	logs := &logBuffer{}
	v := remoteValidator(t, ks, clock, validator.Config{Logger: logs.logger()})
	tok := s.token(t, issuedBy(ks, nil), nil)
	_, err := v.Validate(t.Context(), tok)
	requireReason(t, err, validator.ReasonKeysUnavailable, "unreachable: an outage")
	assert.Zero(t, logs.count(slog.LevelError, ""))

	ks.set(func(k *keyServer) {
		k.discState = 0
		k.discovery = fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, ks.srv.URL+"/", ks.srv.URL+"/keys")
	})
	for i := 1; i <= 2; i++ {
		clock.Advance(time.Minute) // past the retry backoff
		_, err = v.Validate(t.Context(), tok)
		requireReason(t, err, validator.ReasonIssuerMismatch, "the token was not judged")
		assert.Contains(t, err.Error(), fmt.Sprintf(`names issuer "%s/", not the configured "%s"`, ks.srv.URL, ks.srv.URL))
		assert.Equal(t, i, logs.count(slog.LevelError, "names another issuer"), "each fetch logs at Error")
	}
	// Within the backoff, no fetch: the last error is still the mismatch.
	_, err = v.Validate(t.Context(), tok)
	assert.Equal(t, validator.ReasonIssuerMismatch, validator.ReasonOf(err))
	assert.Zero(t, ks.jwksHits.Load())
}

// logBuffer records log entries, safe for concurrent use.
type logBuffer struct {
	mu      sync.Mutex
	entries []slog.Record
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(logHandler{b}) }

// count returns how many entries at level have a message containing msg.
func (b *logBuffer) count(level slog.Level, msg string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, r := range b.entries {
		if r.Level == level && strings.Contains(r.Message, msg) {
			n++
		}
	}
	return n
}

type logHandler struct{ b *logBuffer }

func (h logHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h logHandler) Handle(_ context.Context, r slog.Record) error {
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	h.b.entries = append(h.b.entries, r.Clone())
	return nil
}
func (h logHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h logHandler) WithGroup(string) slog.Handler      { return h }

func TestDiscoveryRefusesPlainHTTPKeysOffLoopback(t *testing.T) {
	ks := newKeyServer(t, nil)
	ks.set(func(k *keyServer) {
		k.discovery = fmt.Sprintf(`{"issuer":%q,"jwks_uri":"http://keys.example/jwks"}`, ks.srv.URL)
	})
	_, err := validator.New(t.Context(), validator.Config{Issuer: ks.srv.URL, Audiences: []string{testAudience}, RequireKeysAtStartup: true, Logger: quietLogger})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "must use https")
}

func TestRedirectOffHTTPSIsRefused(t *testing.T) {
	redirect := httptest.NewServer(http.RedirectHandler("http://keys.example/jwks", http.StatusFound))
	t.Cleanup(redirect.Close)
	_, err := validator.New(t.Context(), validator.Config{Issuer: testIssuer, Audiences: []string{testAudience},
		JWKSURL: redirect.URL + "/jwks", RequireKeysAtStartup: true, Logger: quietLogger})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redirect refused")
}

func TestUnreachableAtStartupThenRecovery(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
	ks.set(func(k *keyServer) { k.status = http.StatusServiceUnavailable })
	clock := axiomstest.NewClock(testNow)

	_, err := validator.New(t.Context(), validator.Config{Issuer: ks.srv.URL, Audiences: []string{testAudience}, Now: clock.Now, RequireKeysAtStartup: true, Logger: quietLogger})
	require.Error(t, err, "RequireKeysAtStartup makes New fail")
	assert.Contains(t, err.Error(), "HTTP 503")

	v := remoteValidator(t, ks, clock, validator.Config{})
	tok := s.token(t, issuedBy(ks, nil), nil)
	_, err = v.Validate(t.Context(), tok)
	requireReason(t, err, validator.ReasonKeysUnavailable)
	hits := ks.jwksHits.Load()

	// Tokens that fail before key lookup are still 401, not 503.
	_, err = v.Validate(t.Context(), "not.a.token")
	assert.ErrorIs(t, err, validator.ErrInvalidToken)

	// Retries back off: nothing is fetched again until the backoff has passed.
	_, err = v.Validate(t.Context(), tok)
	require.ErrorIs(t, err, validator.ErrKeysUnavailable)
	assert.Equal(t, hits, ks.jwksHits.Load())

	ks.set(func(k *keyServer) { k.status = 0 })
	clock.Advance(2 * time.Second)
	_, err = v.Validate(t.Context(), tok)
	require.NoError(t, err, "recovers without a restart once the issuer is back")
	assert.Equal(t, hits+1, ks.jwksHits.Load())
}

func TestUnknownKidRefetchIsRateLimited(t *testing.T) {
	s1 := newSigner(t, "ES256", "k1")
	s2 := newSigner(t, "ES256", "k2")
	ks := newKeyServer(t, jwksJSON(t, s1.jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})
	require.EqualValues(t, 1, ks.jwksHits.Load())

	// The issuer rotates in k2; the first token signed with it triggers one refetch.
	ks.set(func(k *keyServer) { k.jwks = jwksJSON(t, s1.jwk(t, nil), s2.jwk(t, nil)) })
	clock.Advance(validator.DefaultMinRefreshInterval)
	_, err := v.Validate(t.Context(), s2.token(t, issuedBy(ks, nil), nil))
	require.NoError(t, err)
	assert.EqualValues(t, 2, ks.jwksHits.Load())

	// Unknown kids within the interval do not reach the issuer.
	for i := range 50 {
		_, err = v.Validate(t.Context(), s1.token(t, issuedBy(ks, nil), map[string]any{"kid": fmt.Sprint("random-", i)}))
		requireReason(t, err, validator.ReasonUnknownKey)
	}
	assert.EqualValues(t, 2, ks.jwksHits.Load())

	clock.Advance(validator.DefaultMinRefreshInterval)
	_, err = v.Validate(t.Context(), s1.token(t, issuedBy(ks, nil), map[string]any{"kid": "random-x"}))
	requireReason(t, err, validator.ReasonUnknownKey)
	assert.EqualValues(t, 3, ks.jwksHits.Load(), "one refetch per interval")

	// A known kid with a mismatching alg is not a reason to refetch.
	clock.Advance(validator.DefaultMinRefreshInterval)
	rs := &signer{alg: "RS256", kid: "k1", priv: rsaKeyA()}
	_, err = v.Validate(t.Context(), rs.token(t, issuedBy(ks, nil), nil))
	requireReason(t, err, validator.ReasonUnknownKey)
	assert.EqualValues(t, 3, ks.jwksHits.Load())
}

func TestRemovedKeyStopsVerifyingAtOnceCacheIncluded(t *testing.T) {
	s1 := newSigner(t, "ES256", "k1")
	s2 := newSigner(t, "ES256", "k2")
	ks := newKeyServer(t, jwksJSON(t, s1.jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})

	old := s1.token(t, issuedBy(ks, nil), nil)
	c1, err := v.Validate(t.Context(), old)
	require.NoError(t, err)
	c2, err := v.Validate(t.Context(), old)
	require.NoError(t, err)
	require.Same(t, c1, c2, "cached")

	// k1 is retired, k2 published; a k2 token triggers the refetch.
	ks.set(func(k *keyServer) { k.jwks = jwksJSON(t, s2.jwk(t, nil)) })
	clock.Advance(validator.DefaultMinRefreshInterval)
	_, err = v.Validate(t.Context(), s2.token(t, issuedBy(ks, nil), nil))
	require.NoError(t, err)

	_, err = v.Validate(t.Context(), old)
	requireReason(t, err, validator.ReasonUnknownKey, "the cached verification of the removed key is dropped")
}

func TestKeptKeySurvivesRefreshInCache(t *testing.T) {
	s1 := newSigner(t, "ES256", "k1")
	s2 := newSigner(t, "ES256", "k2")
	ks := newKeyServer(t, jwksJSON(t, s1.jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})
	tok := s1.token(t, issuedBy(ks, nil), nil)
	c1, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)

	ks.set(func(k *keyServer) { k.jwks = jwksJSON(t, s1.jwk(t, nil), s2.jwk(t, nil)) })
	clock.Advance(validator.DefaultMinRefreshInterval)
	_, err = v.Validate(t.Context(), s2.token(t, issuedBy(ks, nil), nil))
	require.NoError(t, err)
	c2, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	assert.Same(t, c1, c2, "a key kept across a refresh keeps its cached verifications")
}

func TestFailedRefreshKeepsLastGoodKeys(t *testing.T) {
	s1 := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s1.jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{CacheSize: -1})
	tok := s1.token(t, issuedBy(ks, map[string]any{"exp": testNow.Add(48 * time.Hour).Unix()}), nil)

	faults := map[string]func(*keyServer){
		"500":          func(k *keyServer) { k.status = 500 },
		"garbage":      func(k *keyServer) { k.body = []byte("<html>oops</html>") },
		"empty set":    func(k *keyServer) { k.body = []byte(`{"keys":[]}`) },
		"no keys":      func(k *keyServer) { k.body = []byte(`{}`) },
		"over the cap": func(k *keyServer) { k.body = []byte(`{"keys":[],"pad":"` + strings.Repeat("x", 2<<20) + `"}`) },
	}
	failed := 0
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			ks.set(func(k *keyServer) { k.status, k.body = 0, nil; fault(k) })
			unknown := s1.token(t, issuedBy(ks, nil), map[string]any{"kid": "unknown"})
			before := ks.jwksHits.Load()
			// Each failed fetch so far doubled the interval: 5s, 10s, 20s, ...
			wait := validator.DefaultMinRefreshInterval << failed
			clock.Advance(wait - time.Second)
			_, err := v.Validate(t.Context(), unknown)
			requireReason(t, err, validator.ReasonUnknownKey)
			assert.Equal(t, before, ks.jwksHits.Load(), "no fetch before %v", wait)
			clock.Advance(time.Second)
			_, err = v.Validate(t.Context(), unknown)
			requireReason(t, err, validator.ReasonUnknownKey, "an unknown kid is still the token's fault")
			assert.Equal(t, before+1, ks.jwksHits.Load())
			_, err = v.Validate(t.Context(), tok)
			require.NoError(t, err, "the last good keys keep serving")
		})
		failed++
	}

	// The issuer down for days: cached keys keep serving, background refreshes keep trying.
	ks.set(func(k *keyServer) { k.status, k.body = 500, nil })
	for range 5 {
		clock.Advance(8 * time.Hour)
		_, err := v.Validate(t.Context(), tok)
		require.NoError(t, err)
	}
}

func TestSlowIssuerTimesOut(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
	ks.set(func(k *keyServer) { k.delay = 5 * time.Second })
	start := time.Now()
	_, err := validator.New(t.Context(), validator.Config{Issuer: ks.srv.URL, Audiences: []string{testAudience},
		FetchTimeout: 100 * time.Millisecond, RequireKeysAtStartup: true, Logger: quietLogger})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 4*time.Second, "the fetch timeout bounds startup")
}

func TestBurstOfUnknownKidsCostsOneFetch(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})
	require.EqualValues(t, 1, ks.jwksHits.Load())
	clock.Advance(validator.DefaultMinRefreshInterval)

	gate := make(chan struct{})
	ks.set(func(k *keyServer) { k.gate = gate })
	tokens := make([]string, 1000)
	for i := range tokens {
		tokens[i] = s.token(t, issuedBy(ks, nil), map[string]any{"kid": fmt.Sprintf("rnd-%d", i)})
	}
	var wg sync.WaitGroup
	var unknown atomic.Int64
	for _, tok := range tokens {
		wg.Go(func() {
			if _, err := v.Validate(context.Background(), tok); validator.ReasonOf(err) == validator.ReasonUnknownKey {
				unknown.Add(1)
			}
		})
	}
	require.Eventually(t, func() bool { return ks.jwksHits.Load() == 2 }, 5*time.Second, time.Millisecond)
	close(gate)
	wg.Wait()
	assert.EqualValues(t, 1000, unknown.Load())
	assert.EqualValues(t, 2, ks.jwksHits.Load(), "1,000 unknown kids: exactly one fetch")
}

func TestCancelledCallerDoesNotFailTheSharedFetch(t *testing.T) {
	s1 := newSigner(t, "ES256", "k1")
	s2 := newSigner(t, "ES256", "k2")
	ks := newKeyServer(t, jwksJSON(t, s1.jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})

	gate := make(chan struct{})
	ks.set(func(k *keyServer) { k.gate = gate; k.jwks = jwksJSON(t, s1.jwk(t, nil), s2.jwk(t, nil)) })
	clock.Advance(validator.DefaultMinRefreshInterval)
	tok := s2.token(t, issuedBy(ks, nil), nil)

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := v.Validate(ctx, tok); first <- err }()
	require.Eventually(t, func() bool { return ks.jwksHits.Load() == 2 }, 5*time.Second, time.Millisecond)

	second := make(chan error, 1)
	go func() { _, err := v.Validate(context.Background(), tok); second <- err }()

	cancel()
	err := <-first
	assert.ErrorIs(t, err, validator.ErrKeysUnavailable, "the cancelled caller gives up")
	assert.ErrorIs(t, err, context.Canceled)

	close(gate)
	require.NoError(t, <-second, "the others get the keys from the same fetch")
	assert.EqualValues(t, 2, ks.jwksHits.Load())
}

// TestConcurrentValidationDuringRotation rotates the issuer's keys while 100 goroutines
// validate tokens of every key. Step s publishes keys s%3 and (s+1)%3: the key (s-1)%3
// is removed and (s+1)%3 is new. After each step has been fetched, the removed key's
// token is rejected (cached verifications included) and the new key's token accepted.
// The goroutines check the same while they can tell which key set is in force: a
// validation that starts and ends while step s is both served and fetched sees exactly
// that set; one that starts and ends while step s is fetched (the issuer may already
// serve s+1) must still accept key (s+1)%3, which both sets hold.
func TestConcurrentValidationDuringRotation(t *testing.T) {
	signers := []*signer{newSigner(t, "ES256", "k0"), newSigner(t, "ES256", "k1"), newSigner(t, "ES256", "k2")}
	ks := newKeyServer(t, jwksJSON(t, signers[0].jwk(t, nil), signers[1].jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})
	tokens := make([]string, len(signers))
	for i, s := range signers {
		tokens[i] = s.token(t, issuedBy(ks, nil), nil)
	}

	// served is the step the issuer serves, stored before its key set changes; fetched
	// is the step the validator holds, stored once its fetch is done.
	var served, fetched atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var accepted, rejected, exact atomic.Int64
	for g := range 100 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := (g + i) % len(tokens)
				f1, s1 := fetched.Load(), served.Load()
				_, err := v.Validate(context.Background(), tokens[k])
				s2, f2 := served.Load(), fetched.Load()
				switch {
				case err == nil:
					accepted.Add(1)
				case validator.ReasonOf(err) == validator.ReasonUnknownKey:
					rejected.Add(1)
				default:
					t.Errorf("key %d: unexpected error: %v", k, err)
					return
				}
				if f1 != f2 {
					continue
				}
				if k == int((f1+1)%3) && err != nil {
					t.Errorf("step %d: key %d, in this step's set and the next, was rejected: %v", f1, k, err)
					return
				}
				if s1 != f1 || s2 != f1 {
					continue
				}
				exact.Add(1)
				if want := k != int((f1+2)%3); want != (err == nil) {
					t.Errorf("step %d: key %d: accepted %v, want %v (%v)", f1, k, err == nil, want, err)
					return
				}
			}
		})
	}
	for s := 1; s <= 20; s++ {
		removed, kept, added := (s+2)%3, s%3, (s+1)%3
		hits := ks.jwksHits.Load()
		served.Store(int64(s))
		ks.set(func(k *keyServer) { k.jwks = jwksJSON(t, signers[kept].jwk(t, nil), signers[added].jwk(t, nil)) })
		clock.Advance(validator.DefaultMinRefreshInterval + time.Second)

		// The new key's token triggers the refetch (or joins one a goroutine started) and
		// waits for it.
		_, err := v.Validate(t.Context(), tokens[added])
		require.NoError(t, err, "step %d: the new key %d", s, added)
		assert.Equal(t, hits+1, ks.jwksHits.Load(), "step %d: one fetch", s)
		_, err = v.Validate(t.Context(), tokens[removed])
		requireReason(t, err, validator.ReasonUnknownKey, "step %d: the removed key %d", s, removed)
		_, err = v.Validate(t.Context(), tokens[kept])
		require.NoError(t, err, "step %d: the kept key %d", s, kept)
		fetched.Store(int64(s))
		time.Sleep(2 * time.Millisecond) // let the goroutines validate within this step
	}
	close(stop)
	wg.Wait()
	assert.Positive(t, accepted.Load())
	assert.Positive(t, rejected.Load())
	assert.Positive(t, exact.Load(), "validations within a known key set")
}

// TestMaxAgeBelowMinRefreshIntervalIsRaised: a key set served with max-age=1 is not
// fetched again before MinRefreshInterval.
func TestMaxAgeBelowMinRefreshIntervalIsRaised(t *testing.T) {
	s1 := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s1.jwk(t, nil)))
	ks.set(func(k *keyServer) { k.header = http.Header{"Cache-Control": {"max-age=1"}} })
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})
	tok := s1.token(t, issuedBy(ks, nil), nil)
	require.EqualValues(t, 1, ks.jwksHits.Load())

	for _, d := range []time.Duration{500 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 900 * time.Millisecond} {
		clock.Advance(d) // up to 4.9s after the fetch
		_, err := v.Validate(t.Context(), tok)
		require.NoError(t, err)
		// Both paths that may start a fetch are exercised: a cache hit and a miss.
		_, err = v.Validate(t.Context(), s1.token(t, issuedBy(ks, map[string]any{"jti": fmt.Sprint(d)}), nil))
		require.NoError(t, err)
	}
	time.Sleep(10 * time.Millisecond) // a wrongly started background fetch would land here
	assert.EqualValues(t, 1, ks.jwksHits.Load(), "max-age=1 is raised to MinRefreshInterval")

	clock.Advance(100 * time.Millisecond) // 5s: due
	_, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return ks.jwksHits.Load() == 2 }, 5*time.Second, time.Millisecond)
}

// TestAlgIsCheckedBeforeKeyLookup: a token with a forbidden alg and an unknown kid is
// rejected for its alg, without reaching the issuer, even when a refetch is allowed.
func TestAlgIsCheckedBeforeKeyLookup(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{CacheSize: -1})
	require.EqualValues(t, 1, ks.jwksHits.Load())
	clock.Advance(validator.DefaultMinRefreshInterval + time.Second)
	payload := b64(mustJSON(t, issuedBy(ks, nil)))

	for _, alg := range []string{"none", "NONE", "None", "HS256", "HS384", "HS512", "hs256", "RS1", ""} {
		t.Run(alg, func(t *testing.T) {
			hdr := b64(fmt.Sprintf(`{"alg":%q,"kid":"unknown-kid"}`, alg))
			for _, tok := range []string{hdr + "." + payload + ".", hdr + "." + payload + "." + b64("signature")} {
				_, err := v.Validate(t.Context(), tok)
				requireReason(t, err, validator.ReasonAlgNotAllowed)
				assert.Equal(t, validator.ReasonAlgNotAllowed, validator.ReasonOf(err))
			}
			assert.EqualValues(t, 1, ks.jwksHits.Load(), "no key-set fetch")
		})
	}

	// The control: the same unknown kid with an allowed alg does refetch.
	_, err := v.Validate(t.Context(), s.token(t, issuedBy(ks, nil), map[string]any{"kid": "unknown-kid"}))
	requireReason(t, err, validator.ReasonUnknownKey)
	assert.EqualValues(t, 2, ks.jwksHits.Load())
}

func TestCacheControlMaxAgeSchedulesBackgroundRefresh(t *testing.T) {
	s1 := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s1.jwk(t, nil)))
	ks.set(func(k *keyServer) { k.header = http.Header{"Cache-Control": {"public, max-age=120"}} })
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})
	tok := s1.token(t, issuedBy(ks, nil), nil)
	_, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	require.EqualValues(t, 1, ks.jwksHits.Load())

	clock.Advance(119 * time.Second)
	_, err = v.Validate(t.Context(), tok)
	require.NoError(t, err)
	assert.EqualValues(t, 1, ks.jwksHits.Load(), "not due yet")

	// When due, a request (even a cache hit) starts a refresh in the background and is
	// answered with the current keys; the issuer then removes k1.
	ks.set(func(k *keyServer) { k.jwks = jwksJSON(t, newSigner(t, "ES256", "k2").jwk(t, nil)) })
	clock.Advance(2 * time.Second)
	_, err = v.Validate(t.Context(), tok)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := v.Validate(t.Context(), tok)
		return validator.ReasonOf(err) == validator.ReasonUnknownKey
	}, 5*time.Second, 5*time.Millisecond)
	assert.EqualValues(t, 2, ks.jwksHits.Load())
}

// TestTokenOfAnotherIssuerCausesNoFetch: a token whose (unverified) iss names another
// issuer is refused as wrong_issuer before any key lookup, so it never makes the
// validator fetch its issuer's keys, even when a refetch is allowed or no key set has
// been obtained yet. A token without iss, or with a non-string iss, is refused the same
// way (missing_claim, malformed). InsecureSkipIssuerCheck turns the shortcut off.
func TestTokenOfAnotherIssuerCausesNoFetch(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	other := newSigner(t, "ES256", "other-kid")
	for _, c := range []struct {
		name   string
		claims map[string]any
		reason validator.Reason
	}{
		{"another issuer", map[string]any{"iss": "https://other.example/"}, validator.ReasonWrongIssuer},
		{"no iss", map[string]any{"iss": nil}, validator.ReasonMissingClaim},
		{"iss not a string", map[string]any{"iss": 42}, validator.ReasonMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
			clock := axiomstest.NewClock(testNow)
			v := remoteValidator(t, ks, clock, validator.Config{})
			require.EqualValues(t, 1, ks.jwksHits.Load())
			clock.Advance(validator.DefaultMinRefreshInterval) // a refetch is allowed
			for _, tok := range []string{
				other.token(t, issuedBy(ks, c.claims), nil),                             // unknown kid
				other.token(t, issuedBy(ks, c.claims), map[string]any{"kid": nil}),      // no kid
				s.token(t, issuedBy(ks, c.claims), map[string]any{"kid": "rotated-in"}), // unknown kid, the issuer's key
			} {
				_, err := v.Validate(t.Context(), tok)
				requireReason(t, err, c.reason)
			}
			assert.EqualValues(t, 1, ks.jwksHits.Load(), "no key-set fetch")
			assert.EqualValues(t, 1, ks.discHits.Load(), "no discovery")
		})
	}

	t.Run("no key set yet", func(t *testing.T) {
		ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
		ks.set(func(k *keyServer) { k.status = http.StatusServiceUnavailable })
		clock := axiomstest.NewClock(testNow)
		v := remoteValidator(t, ks, clock, validator.Config{})
		hits := ks.jwksHits.Load()
		clock.Advance(time.Minute) // past the startup backoff
		_, err := v.Validate(t.Context(), other.token(t, issuedBy(ks, map[string]any{"iss": "https://other.example/"}), nil))
		requireReason(t, err, validator.ReasonWrongIssuer, "refused, not answered keys_unavailable")
		assert.Equal(t, hits, ks.jwksHits.Load(), "no key-set fetch")
	})

	t.Run("InsecureSkipIssuerCheck", func(t *testing.T) {
		ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
		clock := axiomstest.NewClock(testNow)
		v := remoteValidator(t, ks, clock, validator.Config{InsecureSkipIssuerCheck: true})
		clock.Advance(validator.DefaultMinRefreshInterval)
		_, err := v.Validate(t.Context(), other.token(t, issuedBy(ks, map[string]any{"iss": "https://other.example/"}), nil))
		requireReason(t, err, validator.ReasonUnknownKey, "any issuer: the kid is looked up")
		assert.EqualValues(t, 2, ks.jwksHits.Load(), "the unknown kid refetches")
	})
}

// TestRotationIsAcceptedWithinSeconds: an issuer that signs with a new key the moment it
// publishes it (Ory Hydra does) sees its tokens refused only until MinRefreshInterval
// (5s) has passed since the validator's last fetch, not for half a minute.
func TestRotationIsAcceptedWithinSeconds(t *testing.T) {
	assert.LessOrEqual(t, validator.DefaultMinRefreshInterval, 5*time.Second)
	s1 := newSigner(t, "ES256", "k1")
	s2 := newSigner(t, "ES256", "k2")
	ks := newKeyServer(t, jwksJSON(t, s1.jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})
	require.EqualValues(t, 1, ks.jwksHits.Load())

	// One second after the startup fetch, the issuer starts signing with k2; its clients
	// retry every second.
	ks.set(func(k *keyServer) { k.jwks = jwksJSON(t, s1.jwk(t, nil), s2.jwk(t, nil)) })
	tok := s2.token(t, issuedBy(ks, nil), nil)
	refused := 0
	for elapsed := time.Second; elapsed <= time.Minute; elapsed += time.Second {
		clock.Advance(time.Second)
		_, err := v.Validate(t.Context(), tok)
		if err == nil {
			break
		}
		requireReason(t, err, validator.ReasonUnknownKey)
		refused++
	}
	assert.Equal(t, 4, refused, "refused 1s to 4s after the last fetch, accepted at 5s")
	assert.EqualValues(t, 2, ks.jwksHits.Load(), "one refetch")
}

// floodSchedule returns when a flood of unknown kids, one request every step from the
// moment of a fetch on, makes the validator fetch within d with the default settings:
// the first request at least MinRefreshInterval after the previous fetch, the interval
// doubling after each fetch that brings no new key, up to MaxRefreshBackoff.
func floodSchedule(step, d time.Duration) []time.Duration {
	var at []time.Duration
	last := time.Duration(0)
	for t := time.Duration(0); t < d; t += step {
		if t-last >= min(validator.DefaultMinRefreshInterval<<len(at), validator.DefaultMaxRefreshBackoff) {
			at = append(at, t)
			last = t
		}
	}
	return at
}

// TestRandomKidFloodBacksOff: 10,000 tokens with random kids, spread over 10 minutes
// right after a fetch, cost the issuer 6 fetches: at 5s, 15s, 35s, 75s, 155s and 315s
// (rounded up to the next request), the interval doubling from 5s each time the fetch
// brings no new key; the next would be 5 minutes later, past the 10 minutes.
func TestRandomKidFloodBacksOff(t *testing.T) {
	assert.Equal(t, 5*time.Second, validator.DefaultMinRefreshInterval)
	assert.Equal(t, 5*time.Minute, validator.DefaultMaxRefreshBackoff)
	s := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})
	require.EqualValues(t, 1, ks.jwksHits.Load())
	valid := s.token(t, issuedBy(ks, nil), nil)

	const n, step = 10_000, 60 * time.Millisecond // 10 minutes
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = s.token(t, issuedBy(ks, nil), map[string]any{"kid": fmt.Sprint("random-", i)})
	}
	start := clock.Now()
	var fetchedAt []time.Duration
	for i, tok := range tokens {
		before := ks.jwksHits.Load()
		_, err := v.Validate(t.Context(), tok)
		requireReason(t, err, validator.ReasonUnknownKey)
		if ks.jwksHits.Load() != before {
			fetchedAt = append(fetchedAt, clock.Now().Sub(start))
		}
		if i%1000 == 0 {
			_, err := v.Validate(t.Context(), valid)
			require.NoError(t, err, "the flood never keeps valid tokens out")
		}
		clock.Advance(step)
	}
	want := floodSchedule(step, n*step)
	assert.Equal(t, []time.Duration{5040 * time.Millisecond, 15060 * time.Millisecond, 35100 * time.Millisecond,
		75120 * time.Millisecond, 155160 * time.Millisecond, 315180 * time.Millisecond}, want, "the schedule")
	assert.Equal(t, want, fetchedAt)
	assert.EqualValues(t, 1+6, ks.jwksHits.Load(), "10,000 random kids in 10 minutes: 6 fetches")
	t.Logf("FIGURE kid-flood-10min: %d requests with random kids over %v, %d JWKS fetches at %v", n, n*step, len(fetchedAt), fetchedAt)
}

// TestUnknownKidBackoffResets: the backoff of refetches for unknown kids ends when a fetch
// brings a new key, or when no unknown kid has been seen for MaxRefreshBackoff.
func TestUnknownKidBackoffResets(t *testing.T) {
	s1 := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s1.jwk(t, nil)))
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})
	random := func(i int) error {
		_, err := v.Validate(t.Context(), s1.token(t, issuedBy(ks, nil), map[string]any{"kid": fmt.Sprint("random-", i)}))
		return err
	}
	// Three fetches that bring nothing: at 5s, 15s and 35s; the interval is now 40s.
	for i, wait := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second} {
		clock.Advance(wait)
		requireReason(t, random(i), validator.ReasonUnknownKey)
		require.EqualValues(t, 2+i, ks.jwksHits.Load())
	}

	t.Run("a new key", func(t *testing.T) {
		s2 := newSigner(t, "ES256", "k2")
		ks.set(func(k *keyServer) { k.jwks = jwksJSON(t, s1.jwk(t, nil), s2.jwk(t, nil)) })
		tok := s2.token(t, issuedBy(ks, nil), nil)
		clock.Advance(39 * time.Second)
		_, err := v.Validate(t.Context(), tok)
		requireReason(t, err, validator.ReasonUnknownKey, "39s after the last fetch: the interval is 40s")
		require.EqualValues(t, 4, ks.jwksHits.Load())
		clock.Advance(time.Second)
		_, err = v.Validate(t.Context(), tok)
		require.NoError(t, err)
		require.EqualValues(t, 5, ks.jwksHits.Load())

		clock.Advance(validator.DefaultMinRefreshInterval)
		requireReason(t, random(10), validator.ReasonUnknownKey)
		assert.EqualValues(t, 6, ks.jwksHits.Load(), "the new key reset the interval to MinRefreshInterval")
	})

	t.Run("quiet", func(t *testing.T) {
		// Interval now 10s (one fetch without a new key since the reset).
		clock.Advance(validator.DefaultMinRefreshInterval)
		requireReason(t, random(20), validator.ReasonUnknownKey)
		require.EqualValues(t, 6, ks.jwksHits.Load(), "5s is not enough after a fetch that brought nothing")
		clock.Advance(validator.DefaultMinRefreshInterval)
		requireReason(t, random(21), validator.ReasonUnknownKey)
		require.EqualValues(t, 7, ks.jwksHits.Load())
		for i := range 4 { // 20s, 40s, 80s, 160s: the interval reaches 320s, capped at 300s
			clock.Advance(validator.DefaultMinRefreshInterval << (i + 2))
			requireReason(t, random(22+i), validator.ReasonUnknownKey)
			require.EqualValues(t, 8+i, ks.jwksHits.Load())
		}
		clock.Advance(validator.DefaultMaxRefreshBackoff - time.Second)
		requireReason(t, random(30), validator.ReasonUnknownKey)
		require.EqualValues(t, 11, ks.jwksHits.Load(), "capped at MaxRefreshBackoff")

		// No unknown kid for MaxRefreshBackoff: the next one is fetched for after 5s.
		clock.Advance(validator.DefaultMaxRefreshBackoff)
		_, err := v.Validate(t.Context(), s1.token(t, issuedBy(ks, nil), nil)) // a known kid does not count
		require.NoError(t, err)
		require.EqualValues(t, 11, ks.jwksHits.Load())
		requireReason(t, random(31), validator.ReasonUnknownKey)
		require.EqualValues(t, 12, ks.jwksHits.Load())
		clock.Advance(validator.DefaultMinRefreshInterval)
		requireReason(t, random(32), validator.ReasonUnknownKey)
		assert.EqualValues(t, 12, ks.jwksHits.Load(), "the interval doubled again from 5s")
		clock.Advance(validator.DefaultMinRefreshInterval)
		requireReason(t, random(33), validator.ReasonUnknownKey)
		assert.EqualValues(t, 13, ks.jwksHits.Load())
	})
}

// TestKidFloodDoesNotDelayScheduledRefresh: a flood of unknown kids backs off its own
// refetches, never the refresh the key set's max-age schedules.
func TestKidFloodDoesNotDelayScheduledRefresh(t *testing.T) {
	s1 := newSigner(t, "ES256", "k1")
	ks := newKeyServer(t, jwksJSON(t, s1.jwk(t, nil)))
	ks.set(func(k *keyServer) { k.header = http.Header{"Cache-Control": {"max-age=60"}} })
	clock := axiomstest.NewClock(testNow)
	v := remoteValidator(t, ks, clock, validator.Config{})
	// A request that starts the scheduled refresh in the background then joins it for
	// its unknown kid, so every fetch is over when Validate returns.
	var fetchedAt []int
	for sec := 1; sec <= 300; sec++ { // a random kid every second for 5 minutes
		clock.Advance(time.Second)
		before := ks.jwksHits.Load()
		_, err := v.Validate(t.Context(), s1.token(t, issuedBy(ks, nil), map[string]any{"kid": fmt.Sprint("random-", sec)}))
		requireReason(t, err, validator.ReasonUnknownKey)
		if ks.jwksHits.Load() != before {
			fetchedAt = append(fetchedAt, sec)
		}
	}
	// Refetches for the flood at 5s, 15s, 35s and 75s (the interval doubling from 5s);
	// then the key set fetched at 75s is due at 135s, while the flood's interval is 80s
	// and growing: the refresh every 60s goes on regardless.
	assert.Equal(t, []int{5, 15, 35, 75, 135, 195, 255}, fetchedAt)
}

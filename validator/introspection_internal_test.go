package validator

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// introspectingValidator is a Validator with static keys introspecting at handler's
// server, on the fixed clock *now.
func introspectingValidator(t *testing.T, handler http.HandlerFunc, now *atomic.Int64, cfg Config) *Validator {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	cfg.Issuer, cfg.Audiences = "https://issuer.example", []string{"aud"}
	cfg.JWKS = newInternalSigner(t, "k1").jwks()
	cfg.Now = func() time.Time { return time.Unix(0, now.Load()) }
	cfg.Logger = slog.New(slog.DiscardHandler)
	in := Introspection{}
	if cfg.Introspection != nil {
		in = *cfg.Introspection
	}
	in.Endpoint = srv.URL
	cfg.Introspection = &in
	v, err := New(t.Context(), cfg)
	require.NoError(t, err)
	return v
}

// TestIntrospectionSingleFlight: N concurrent validations of one token cost the
// endpoint one request, and all get its answer.
func TestIntrospectionSingleFlight(t *testing.T) {
	const n = 32
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	var hits atomic.Int64
	gate := make(chan struct{})
	v := introspectingValidator(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		<-gate
		fmt.Fprintf(w, `{"active":true,"iss":"https://issuer.example","aud":"aud","exp":%d,"sub":"u1"}`, time.Unix(0, now.Load()).Add(time.Hour).Unix())
	}, &now, Config{CacheSize: -1}) // no cache: only the single flight can spare the endpoint
	const token = "opaque-token"
	h := sha256.Sum256([]byte(token))

	var wg sync.WaitGroup
	subjects := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			c, err := v.Validate(t.Context(), token)
			errs[i] = err
			if c != nil {
				subjects[i] = c.Subject()
			}
		})
	}
	// Release the endpoint once every caller but the first has joined the request.
	require.Eventually(t, func() bool {
		v.intro.mu.Lock()
		defer v.intro.mu.Unlock()
		f := v.intro.inflight[h]
		return f != nil && f.joined == n-1
	}, 10*time.Second, time.Millisecond)
	close(gate)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, "u1", subjects[i])
	}
	assert.EqualValues(t, 1, hits.Load(), "one POST for %d concurrent validations", n)
	v.intro.mu.Lock()
	assert.Empty(t, v.intro.inflight, "the flight is gone once answered")
	v.intro.mu.Unlock()

	_, err := v.Validate(t.Context(), token)
	require.NoError(t, err)
	assert.EqualValues(t, 2, hits.Load(), "a later validation asks again (cache off)")
}

// TestIntrospectionCacheBounds: the introspection cache stays within its entry and
// byte bounds, counting what its entries hold.
func TestIntrospectionCacheBounds(t *testing.T) {
	var now atomic.Int64
	start := time.Unix(1_800_000_000, 0)
	now.Store(start.UnixNano())
	var hits atomic.Int64
	handler := func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		pad := strings.Repeat("x", len(body)*8) // answers of different sizes
		fmt.Fprintf(w, `{"active":true,"iss":"https://issuer.example","aud":"aud","exp":%d,"pad":%q}`, start.Add(time.Hour).Unix(), pad)
	}
	t.Run("bytes", func(t *testing.T) {
		v := introspectingValidator(t, handler, &now, Config{CacheMaxBytes: cacheShards * 4 << 10})
		c := v.intro.cache
		require.Equal(t, 4<<10, c.perShardBytes)
		for i := range 300 {
			_, err := v.Validate(t.Context(), fmt.Sprintf("tok-%d-%s", i, strings.Repeat("y", i%5*20)))
			require.NoError(t, err)
			checkIntroCacheBytes(t, c)
		}
		entries, bytes := c.stats()
		assert.Positive(t, entries)
		assert.Less(t, entries, 300, "the byte bound evicts long before the entry bound")
		assert.LessOrEqual(t, bytes, cacheShards*4<<10)
	})
	t.Run("entries", func(t *testing.T) {
		v := introspectingValidator(t, handler, &now, Config{CacheSize: cacheShards})
		c := v.intro.cache
		for i := range 200 {
			_, err := v.Validate(t.Context(), fmt.Sprint("tok-", i))
			require.NoError(t, err)
			for j := range c.shards {
				c.shards[j].mu.RLock()
				assert.LessOrEqual(t, len(c.shards[j].m), 1)
				c.shards[j].mu.RUnlock()
			}
		}
	})
	t.Run("too large to cache", func(t *testing.T) {
		hits.Store(0)
		v := introspectingValidator(t, handler, &now, Config{CacheMaxBytes: cacheShards * 4 << 10})
		tok := strings.Repeat("z", 1000) // an answer of 8 KiB: more than a shard's share
		for range 2 {
			_, err := v.Validate(t.Context(), tok)
			require.NoError(t, err)
		}
		assert.EqualValues(t, 2, hits.Load(), "introspected each time")
		entries, _ := v.intro.cache.stats()
		assert.Zero(t, entries)
	})
	t.Run("refusals count", func(t *testing.T) {
		v := introspectingValidator(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"active":false}`) },
			&now, Config{})
		for i := range 10 {
			_, err := v.Validate(t.Context(), fmt.Sprint("bad-", i))
			require.Equal(t, ReasonInactive, ReasonOf(err))
		}
		entries, bytes := v.intro.cache.stats()
		assert.Equal(t, 10, entries)
		assert.Equal(t, 10*introNegativeSize, bytes)
	})
}

// checkIntroCacheBytes checks that each shard's byte count is the sum of its entries'
// sizes and within its bound.
func checkIntroCacheBytes(t *testing.T, c *introCache) {
	t.Helper()
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		sum := 0
		for _, e := range sh.m {
			sum += e.size
		}
		assert.Equal(t, sum, sh.bytes)
		assert.LessOrEqual(t, sh.bytes, c.perShardBytes)
		sh.mu.RUnlock()
	}
}

// FuzzIntrospectionResponse: the introspection response decoder never panics, accepts
// only an active answer that passes the claim checks, and otherwise fails with a reason
// of the right class.
func FuzzIntrospectionResponse(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	for _, seed := range []string{
		`{"active":true,"iss":"https://issuer.example","aud":"aud","exp":1800003600,"scope":"a b","client_id":"c"}`,
		`{"active":true,"iss":"https://issuer.example","aud":["aud","x"],"exp":1800003600,"nbf":1799999999,"iat":1799999999,"roles":["r"]}`,
		`{"active":false}`,
		`{"active":"true"}`,
		`{"active":1}`,
		`{"active":true,"active":false}`,
		`{"active":true,"scope":["a"]}`,
		`{"active":true,"exp":"soon"}`,
		`{"active":true,"iss":"https://issuer.example","aud":"aud","exp":1800003600,"token_use":"refresh_token"}`,
		`null`, `[]`, `"active"`, ``, "{\"active\":true,\"sub\":\"\xff\"}",
	} {
		f.Add([]byte(seed))
	}
	v, err := New(f.Context(), Config{Issuer: "https://issuer.example", Audiences: []string{"aud"}, JWKS: newInternalSigner(f, "k1").jwks(),
		Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler),
		Introspection: &Introspection{Endpoint: "https://issuer.example/introspect"}})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, e := v.checkIntrospection(body, now)
		if e == nil {
			require.NotNil(t, c)
			set, err := decodeIntrospection(body)
			require.NoError(t, err, "an accepted answer decodes strictly")
			assert.Equal(t, true, set["active"])
			assert.Equal(t, "https://issuer.example", c.Issuer())
			assert.Contains(t, c.Audience(), "aud")
			assert.True(t, now.Before(c.ExpiresAt().Add(DefaultLeeway)))
			return
		}
		require.Nil(t, c)
		require.NotEmpty(t, e.reason)
		if e.reason == ReasonIntrospectionUnavailable {
			assert.ErrorIs(t, e, ErrKeysUnavailable)
			assert.NotErrorIs(t, e, ErrInvalidToken)
		} else {
			assert.ErrorIs(t, e, ErrInvalidToken)
			assert.Nil(t, e.cause)
		}
	})
}

// boundedEndpoint is an introspection endpoint that holds every request until gate
// closes (release), counting the requests in flight and their most.
type boundedEndpoint struct {
	gate                chan struct{}
	once                sync.Once
	hits, inflight, max atomic.Int64
}

func (b *boundedEndpoint) release() { b.once.Do(func() { close(b.gate) }) }

func (b *boundedEndpoint) serve(now *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		n := b.inflight.Add(1)
		defer b.inflight.Add(-1)
		for m := b.max.Load(); n > m && !b.max.CompareAndSwap(m, n); m = b.max.Load() {
		}
		select {
		case <-b.gate:
		case <-r.Context().Done():
			return
		}
		fmt.Fprintf(w, `{"active":true,"iss":"https://issuer.example","aud":"aud","exp":%d}`, time.Unix(0, now.Load()).Add(time.Hour).Unix())
	}
}

// controlledWait replaces the timer bounding a wait for a slot: every wait ends when
// the returned channel is closed; waits counts the waits begun.
func controlledWait(in *introspector) (expire chan time.Time, waits *atomic.Int64) {
	expire, waits = make(chan time.Time), new(atomic.Int64)
	in.after = func(d time.Duration) (<-chan time.Time, func() bool) {
		waits.Add(1)
		return expire, func() bool { return true }
	}
	return expire, waits
}

// TestIntrospectionMaxConcurrent: N concurrent distinct tokens cost at most
// MaxConcurrent requests in flight; the others wait for a slot, and are answered
// introspection_unavailable (never accepted) when their wait ends without one; the
// validator then recovers.
func TestIntrospectionMaxConcurrent(t *testing.T) {
	const n, bound = 20, 4
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	ep := &boundedEndpoint{gate: make(chan struct{})}
	v := introspectingValidator(t, ep.serve(&now), &now, Config{Introspection: &Introspection{MaxConcurrent: bound}})
	require.Equal(t, bound, cap(v.intro.slots))
	t.Cleanup(ep.release) // before the server closes, should the test stop early
	expire, waits := controlledWait(v.intro)

	type result struct {
		token string
		err   error
	}
	results := make(chan result, n)
	for i := range n {
		go func() {
			tok := fmt.Sprint("opaque-", i)
			_, err := v.Validate(t.Context(), tok)
			results <- result{tok, err}
		}()
	}
	// bound requests reach the endpoint; every other caller waits for a slot.
	require.Eventually(t, func() bool { return ep.inflight.Load() == bound && waits.Load() == n-bound }, 10*time.Second, time.Millisecond)
	close(expire)
	var refused string
	for range n - bound {
		r := <-results
		require.Equal(t, ReasonIntrospectionUnavailable, ReasonOf(r.err), "the excess is unjudged: %v", r.err)
		assert.ErrorIs(t, r.err, ErrKeysUnavailable)
		assert.ErrorContains(t, r.err, "4 introspection requests in flight (Introspection.MaxConcurrent), none ended within 5s")
		refused = r.token
	}
	ep.release()
	var admitted string
	for range bound {
		r := <-results
		require.NoError(t, r.err, "the requests in flight are answered")
		admitted = r.token
	}
	assert.EqualValues(t, bound, ep.max.Load(), "never more than MaxConcurrent requests in flight")
	assert.EqualValues(t, bound, ep.hits.Load(), "the refused tokens cost the endpoint nothing")
	require.Eventually(t, func() bool { return len(v.intro.slots) == 0 }, 10*time.Second, time.Millisecond)

	_, err := v.Validate(t.Context(), admitted)
	require.NoError(t, err, "cached")
	_, err = v.Validate(t.Context(), refused)
	require.NoError(t, err, "a refused token is not cached as refused: it is introspected once slots are free")
	assert.EqualValues(t, bound+1, ep.hits.Load())
	st := v.Status()
	assert.EqualValues(t, bound+1, st.IntrospectionRequests)
	assert.EqualValues(t, n-bound, st.IntrospectionThrottled)
	assert.Zero(t, st.IntrospectionFailures)
	assert.EqualValues(t, 1, st.IntrospectionCacheHits)
	assert.EqualValues(t, n+1, st.IntrospectionCacheMisses)
}

// TestIntrospectionSlotWait: a token that finds every slot taken is introspected as
// soon as one frees; its wait ends early with its ctx; a caller of a token in flight
// joins it without a slot.
func TestIntrospectionSlotWait(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	ep := &boundedEndpoint{gate: make(chan struct{})}
	v := introspectingValidator(t, ep.serve(&now), &now, Config{Introspection: &Introspection{MaxConcurrent: 1}})
	t.Cleanup(ep.release)
	_, waits := controlledWait(v.intro) // never expires

	first, second, joined := make(chan error, 1), make(chan error, 1), make(chan error, 1)
	go func() { _, err := v.Validate(t.Context(), "first"); first <- err }()
	require.Eventually(t, func() bool { return ep.inflight.Load() == 1 }, 10*time.Second, time.Millisecond)
	go func() { _, err := v.Validate(t.Context(), "first"); joined <- err }()
	go func() { _, err := v.Validate(t.Context(), "second"); second <- err }()
	ctx, cancel := context.WithCancel(t.Context())
	cancelled := make(chan error, 1)
	go func() { _, err := v.Validate(ctx, "third"); cancelled <- err }()
	require.Eventually(t, func() bool {
		v.intro.mu.Lock()
		defer v.intro.mu.Unlock()
		return waits.Load() == 2 && v.intro.inflight[sha256.Sum256([]byte("first"))].joined == 1
	}, 10*time.Second, time.Millisecond)

	cancel()
	err := <-cancelled
	require.Equal(t, ReasonIntrospectionUnavailable, ReasonOf(err))
	assert.ErrorIs(t, err, context.Canceled)

	ep.release() // the first request ends: the second token takes its slot
	require.NoError(t, <-first)
	require.NoError(t, <-joined)
	require.NoError(t, <-second)
	assert.EqualValues(t, 2, ep.hits.Load())
	assert.EqualValues(t, 1, ep.max.Load())
	st := v.Status()
	assert.EqualValues(t, 1, st.IntrospectionThrottled, "the cancelled wait")
	assert.EqualValues(t, 2, st.IntrospectionRequests)
}

// TestIntrospectionFloodIsBounded: 10,000 distinct opaque tokens from 200 goroutines
// against a slow endpoint never have more than MaxConcurrent requests in flight, every
// token is either accepted or unjudged (never refused as invalid, never anything else),
// and the goroutines stay within a bound and return to their level.
func TestIntrospectionFloodIsBounded(t *testing.T) {
	const tokens, workers = 10_000, 200
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	var inflight, most, peak atomic.Int64
	var connMu sync.Mutex
	conns := map[string]bool{} // the client's connections, by address
	sample := func() {
		for n, m := int64(runtime.NumGoroutine()), peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
		}
	}
	slow := func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		sample()
		connMu.Lock()
		conns[r.RemoteAddr] = true
		connMu.Unlock()
		time.Sleep(2 * time.Millisecond) // a slow endpoint; nothing here asserts time
		fmt.Fprintf(w, `{"active":true,"iss":"https://issuer.example","aud":"aud","exp":%d}`, time.Unix(0, now.Load()).Add(time.Hour).Unix())
	}
	v := introspectingValidator(t, slow, &now, Config{})
	bound := DefaultIntrospectionMaxConcurrent
	require.Equal(t, bound, cap(v.intro.slots), "MaxConcurrent's default")
	before := runtime.NumGoroutine()

	var accepted, unjudged, other atomic.Int64
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := next.Add(1); i <= tokens; i = next.Add(1) {
				_, err := v.Validate(t.Context(), fmt.Sprint("flood-", i))
				switch ReasonOf(err) {
				case "":
					accepted.Add(1)
				case ReasonIntrospectionUnavailable:
					unjudged.Add(1)
				default:
					other.Add(1)
				}
				sample()
			}
		})
	}
	wg.Wait()
	// Goroutines the flood may hold: the workers and, per request in flight, its run and
	// those of its loopback connection on both sides (two each), with slack. Unbounded,
	// each worker's token would hold a run and a connection of its own.
	limit := before + workers + 6*bound
	assert.LessOrEqual(t, most.Load(), int64(bound), "requests in flight")
	assert.Zero(t, other.Load(), "no token refused as invalid, nor anything else")
	assert.EqualValues(t, tokens, accepted.Load()+unjudged.Load())
	assert.LessOrEqual(t, peak.Load(), int64(limit), "goroutines")
	v.intro.client.CloseIdleConnections()
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+4 }, 10*time.Second, 10*time.Millisecond,
		"goroutines return to their level")
	st := v.Status()
	assert.EqualValues(t, accepted.Load(), st.IntrospectionRequests)
	connMu.Lock()
	connections := len(conns)
	connMu.Unlock()
	assert.LessOrEqual(t, connections, 2*bound, "idle connections are reused, not one opened per request")
	t.Logf("FIGURE introspection-flood: %d distinct opaque tokens from %d goroutines against a slow endpoint: %d accepted, %d unjudged (503), "+
		"at most %d requests in flight (bound %d), %d connections, goroutines %d -> peak %d (bound %d) -> %d",
		tokens, workers, accepted.Load(), unjudged.Load(), most.Load(), bound, connections, before, peak.Load(), limit, runtime.NumGoroutine())
}

// TestIntrospectionTransport: without Config.HTTPClient, introspection keeps
// MaxConcurrent idle connections to the endpoint; a configured client's transport is
// used as it is, never modified.
func TestIntrospectionTransport(t *testing.T) {
	var now atomic.Int64
	v := introspectingValidator(t, func(http.ResponseWriter, *http.Request) {}, &now, Config{Introspection: &Introspection{MaxConcurrent: 7}})
	tr, ok := v.intro.client.Transport.(*http.Transport)
	require.True(t, ok)
	assert.Equal(t, 7, tr.MaxIdleConnsPerHost)
	assert.NotSame(t, http.DefaultTransport, tr, "a clone: the process's default transport is left alone")

	mine := &http.Transport{MaxIdleConnsPerHost: 1}
	v = introspectingValidator(t, func(http.ResponseWriter, *http.Request) {}, &now, Config{HTTPClient: &http.Client{Transport: mine}})
	assert.Same(t, mine, v.intro.client.Transport)
	assert.Equal(t, 1, mine.MaxIdleConnsPerHost)
}

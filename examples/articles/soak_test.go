package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
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

// soakDuration is SOAK_DURATION (scripts/soak.sh sets it, default 60s there), else 3s,
// the short run of the regular test suite.
func soakDuration(t *testing.T) time.Duration {
	d := 3 * time.Second
	if v := os.Getenv("SOAK_DURATION"); v != "" {
		var err error
		d, err = time.ParseDuration(v)
		require.NoError(t, err)
	}
	require.GreaterOrEqual(t, d, 2*time.Second, "SOAK_DURATION leaves room for rotation and an outage")
	require.LessOrEqual(t, d, 30*time.Minute, "SOAK_DURATION is bounded")
	return d
}

// soakRefreshInterval scales the validator's key refresh to the run: a thirtieth of it,
// within [200ms, 1s], so that rotation and the outage take several fetches.
func soakRefreshInterval(d time.Duration) time.Duration {
	return min(max(d/30, 200*time.Millisecond), time.Second)
}

// fetchCounter wraps the validator's HTTP transport and counts key-set fetches and
// those that failed (a transport error or a status other than 200).
type fetchCounter struct {
	next            http.RoundTripper
	fetches, failed atomic.Int64
}

func (f *fetchCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := f.next.RoundTrip(r)
	if r.URL.Path == "/.well-known/jwks.json" {
		f.fetches.Add(1)
		if err != nil || resp.StatusCode != http.StatusOK {
			f.failed.Add(1)
		}
	}
	return resp, err
}

// tokenPool holds the tokens signed by one issuer key.
type tokenPool struct {
	readers         []string // scope read:data, one subject each
	owner, intruder string   // the owner of the soak article, and someone else
	// retired is set before the key is withdrawn from the JWKS: from then on a 401 for
	// one of these tokens is the expected outcome, not a failure.
	retired atomic.Bool
}

type soakStats struct {
	requests, unexpected atomic.Int64
	servedInOutage       atomic.Int64 // 200s for valid tokens while the JWKS failed
	oldKeyRejected       atomic.Int64 // 401s for tokens of the withdrawn key
	mu                   sync.Mutex
	firstUnexpected      []string
}

func (s *soakStats) fail(msg string) {
	s.unexpected.Add(1)
	s.mu.Lock()
	if len(s.firstUnexpected) < 5 {
		s.firstUnexpected = append(s.firstUnexpected, msg)
	}
	s.mu.Unlock()
}

// expect checks one answer to a token of pool p.
func (s *soakStats) expect(p *tokenPool, what string, got, want int, outage *atomic.Bool) {
	switch {
	case got == want:
		if want == http.StatusOK && outage.Load() {
			s.servedInOutage.Add(1)
		}
	case got == http.StatusUnauthorized && p.retired.Load():
		s.oldKeyRejected.Add(1)
	default:
		s.fail(fmt.Sprintf("%s: %d, want %d", what, got, want))
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestSoak runs the example service under a mixed load — valid, invalid and random-kid
// tokens, anonymous calls, owners and non-owners, missing scopes — while its issuer
// rotates its key (the new key published, then the old one withdrawn) and its JWKS
// endpoint fails for a window in the middle of the run. The validator refreshes keys
// every soakRefreshInterval. It asserts that every status is the expected one, that the
// new key is adopted and the old key's tokens are refused once it is withdrawn, that
// fetches fail during the outage while the cached keys keep serving, that the number of
// fetches stays within the rate limit, and that goroutines and heap return to their
// level.
func TestSoak(t *testing.T) {
	duration := soakDuration(t)
	refresh := soakRefreshInterval(duration)
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, TokenTTL: 2 * time.Hour})
	t.Setenv("AXIOMS_ISS_URL", iss.URL())
	t.Setenv("AXIOMS_AUDIENCE", iss.Audience())
	t.Setenv("ADDR", "127.0.0.1:0")
	t.Setenv("DATABASE_PATH", filepath.Join(t.TempDir(), "soak.db"))
	unsetenv(t, "AXIOMS_JWKS_URL")
	unsetenv(t, "AXIOMS_SPEC")

	counter := &fetchCounter{next: http.DefaultTransport.(*http.Transport).Clone()}
	configure := func(c *validator.Config) {
		c.MinRefreshInterval, c.RefreshInterval = refresh, refresh
		c.HTTPClient = &http.Client{Transport: counter, Timeout: 5 * time.Second}
		c.Logger = slog.New(slog.DiscardHandler) // the outage's fetch warnings are expected
	}

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan started, 1)
	done := make(chan error, 1)
	out := &syncBuffer{}
	startedAt := time.Now()
	go func() {
		done <- run(ctx, options{stdout: out, stderr: out, configure: configure, ready: func(s started) { ready <- s }})
	}()
	var base string
	select {
	case s := <-ready:
		base = s.URL
	case err := <-done:
		t.Fatalf("the service did not start: %v\n%s", err, out.String())
	}
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()

	stats := &soakStats{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 10 * time.Second}
	call := func(method, path, token, body string) int {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, base+path, r)
		if err != nil {
			return -1
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		stats.requests.Add(1)
		resp, err := client.Do(req)
		if err != nil {
			return -1
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}

	newPool := func(k *axiomstest.Key) *tokenPool {
		p := &tokenPool{readers: make([]string, 32)}
		for i := range p.readers {
			p.readers[i] = iss.Token(t, axiomstest.TokenSpec{Key: k, Claims: map[string]any{"sub": fmt.Sprintf("soak-%d", i), "scope": "read:data"}})
		}
		p.owner = iss.Token(t, axiomstest.TokenSpec{Key: k, Claims: map[string]any{"sub": "owner-1"}})
		p.intruder = iss.Token(t, axiomstest.TokenSpec{Key: k, Claims: map[string]any{"sub": "intruder-1"}})
		return p
	}
	oldKey := iss.Key("ES256")
	first := newPool(oldKey)
	var current atomic.Pointer[tokenPool]
	current.Store(first)

	// The article the owner and the intruder ask for.
	req, err := http.NewRequest("POST", base+"/articles", strings.NewReader(`{"title":"soak","content":"x"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+first.owner)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	require.NoError(t, err)
	created := struct{ ID int64 }{}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	article := fmt.Sprintf("/articles/%d", created.ID)
	invalid := first.readers[0][:strings.LastIndexByte(first.readers[0], '.')+1] + strings.Repeat("A", 86)
	attacker := axiomstest.NewKey(t, "ES256")

	// Warm-up, then the baseline.
	for _, tok := range first.readers {
		call("GET", "/protected", tok, "")
	}
	client.CloseIdleConnections()
	time.Sleep(200 * time.Millisecond)
	goroutinesBefore, heapBefore := runtime.NumGoroutine(), heapInUse()
	requestsBefore := stats.requests.Load()

	var outage, stop atomic.Bool
	kinds := []func(n int){
		func(n int) { // valid token of the current key
			p := current.Load()
			stats.expect(p, "valid token", call("GET", "/protected", p.readers[n%len(p.readers)], ""), 200, &outage)
		},
		func(n int) { // a signature that does not verify
			if c := call("GET", "/protected", invalid, ""); c != 401 {
				stats.fail(fmt.Sprintf("invalid signature: %d, want 401", c))
			}
		},
		func(n int) { // a random kid, signed by an attacker: one rate-limited refetch at most
			tok := iss.Token(t, axiomstest.TokenSpec{Key: attacker, KeyID: fmt.Sprintf("random-%d", n)})
			if c := call("GET", "/protected", tok, ""); c != 401 {
				stats.fail(fmt.Sprintf("random kid: %d, want 401", c))
			}
		},
		func(n int) { // anonymous: public, protected, owned
			for _, r := range []struct {
				path string
				want int
			}{{"/public-data", 200}, {"/protected", 401}, {article, 401}} {
				if c := call("GET", r.path, "", ""); c != r.want {
					stats.fail(fmt.Sprintf("anonymous %s: %d, want %d", r.path, c, r.want))
				}
			}
		},
		func(n int) { // owner and non-owner of the same article
			p := current.Load()
			stats.expect(p, "owner", call("GET", article, p.owner, ""), 200, &outage)
			stats.expect(p, "non-owner", call("GET", article, p.intruder, ""), 403, &outage)
		},
		func(n int) { // a scope the token lacks
			p := current.Load()
			stats.expect(p, "missing scope", call("GET", "/api/write", p.readers[n%len(p.readers)], ""), 403, &outage)
		},
	}
	const workers, maxRequests = 8, 50_000_000
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for n := w; !stop.Load() && time.Now().Before(deadline.Add(time.Minute)) && stats.requests.Load() < maxRequests; n += workers {
				kinds[n%len(kinds)](n)
			}
		})
	}

	// The scenario, on a timeline scaled to the run: rotation at a fifth, the outage from
	// two fifths to three fifths (longer if no fetch has failed yet), then recovery. Each
	// wait is bounded; a step that does not happen in time fails the test.
	limit := 20*refresh + 2*time.Second
	until := func(cond func() bool) (time.Duration, bool) {
		start := time.Now()
		for time.Since(start) < limit {
			if cond() {
				return time.Since(start), true
			}
			time.Sleep(20 * time.Millisecond)
		}
		return time.Since(start), false
	}
	sleepUntil := func(at time.Time) { time.Sleep(time.Until(at)) }
	var newKeyAfter, oldKeyGoneAfter time.Duration
	var adopted, oldRefused, outageFetchFailed, recovered bool
	var failedBeforeOutage, failedInOutage int64
	scenario := func() {
		sleepUntil(deadline.Add(-duration * 4 / 5))
		newKey := iss.Rotate(t, "ES256")
		second := newPool(newKey)
		if newKeyAfter, adopted = until(func() bool { return call("GET", "/protected", second.readers[0], "") == 200 }); !adopted {
			return
		}
		current.Store(second)
		first.retired.Store(true)
		iss.RemoveKey(oldKey.ID())
		if oldKeyGoneAfter, oldRefused = until(func() bool { return call("GET", "/protected", first.readers[1], "") == 401 }); !oldRefused {
			return
		}

		sleepUntil(deadline.Add(-duration * 3 / 5))
		failedBeforeOutage = counter.failed.Load()
		outage.Store(true)
		iss.Fail(axiomstest.Fault{Status: http.StatusInternalServerError})
		sleepUntil(deadline.Add(-duration * 2 / 5))
		_, outageFetchFailed = until(func() bool { return counter.failed.Load() > failedBeforeOutage })
		iss.ClearFaults()
		outage.Store(false)
		failedInOutage = counter.failed.Load() - failedBeforeOutage

		goodBefore := counter.fetches.Load() - counter.failed.Load()
		_, recovered = until(func() bool { return counter.fetches.Load()-counter.failed.Load() > goodBefore })
	}
	scenario()
	sleepUntil(deadline)
	stop.Store(true)
	wg.Wait()
	iss.ClearFaults()
	elapsed := time.Since(startedAt)
	requests := stats.requests.Load() - requestsBefore
	fetches, failed := counter.fetches.Load(), counter.failed.Load()
	oldAtEnd := call("GET", "/protected", first.readers[2], "")
	newAtEnd := call("GET", "/protected", current.Load().readers[2], "")

	client.CloseIdleConnections()
	var goroutinesAfter int
	for range 50 { // connections and the last background fetch end asynchronously
		if goroutinesAfter = runtime.NumGoroutine(); goroutinesAfter <= goroutinesBefore+2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	heapAfter := heapInUse()

	figure := fmt.Sprintf("FIGURE soak: %s, %d requests, %d unexpected statuses, %d JWKS fetches (%d failed), goroutines %d->%d, heap %.1fMiB->%.1fMiB",
		duration, requests, stats.unexpected.Load(), fetches, failed, goroutinesBefore, goroutinesAfter,
		float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20))
	t.Log(figure)
	t.Logf("refresh interval %s; new key adopted after %s, old key refused %s after its withdrawal; %d fetches failed in the outage, %d valid requests served during it; %d old-key tokens refused",
		refresh, newKeyAfter.Round(time.Millisecond), oldKeyGoneAfter.Round(time.Millisecond), failedInOutage,
		stats.servedInOutage.Load(), stats.oldKeyRejected.Load())
	fmt.Fprintln(os.Stderr, figure)

	require.True(t, adopted, "the rotated key is adopted within %s", limit)
	require.True(t, oldRefused, "tokens of the withdrawn key are refused within %s", limit)
	assert.Equal(t, http.StatusUnauthorized, oldAtEnd, "the withdrawn key stays refused")
	assert.Equal(t, http.StatusOK, newAtEnd, "the new key still serves")
	assert.True(t, outageFetchFailed, "at least one key-set fetch fails during the outage")
	assert.Positive(t, stats.servedInOutage.Load(), "the cached keys keep serving during the outage")
	assert.True(t, recovered, "a fetch succeeds once the issuer recovers")
	assert.Zero(t, stats.unexpected.Load(), "first unexpected: %v", stats.firstUnexpected)
	assert.Greater(t, requests, int64(len(kinds)*workers), "the load ran")
	// Every fetch, token-triggered or background, starts at least MinRefreshInterval
	// after the previous one: at most one per interval since the service started, plus
	// the first.
	assert.LessOrEqual(t, fetches, int64(elapsed/refresh)+2, "JWKS fetches are rate limited (random kids cost nothing)")
	assert.GreaterOrEqual(t, fetches, int64(4), "initial fetch, rotation, withdrawal, outage, recovery")
	assert.LessOrEqual(t, goroutinesAfter, goroutinesBefore+2, "goroutines return to their level")
	assert.LessOrEqual(t, heapAfter, heapBefore+8<<20, "heap returns to its level (the verified-token cache is bounded)")
}

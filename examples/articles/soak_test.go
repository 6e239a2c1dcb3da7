package main

import (
	"context"
	"fmt"
	"io"
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
)

// soakDuration is SOAK_DURATION (scripts/soak.sh sets it, default 60s there), else 3s.
func soakDuration(t *testing.T) time.Duration {
	d := 3 * time.Second
	if v := os.Getenv("SOAK_DURATION"); v != "" {
		var err error
		d, err = time.ParseDuration(v)
		require.NoError(t, err)
	}
	require.LessOrEqual(t, d, 30*time.Minute, "SOAK_DURATION is bounded")
	return d
}

type soakStats struct {
	requests, unexpected, probes atomic.Int64
	mu                           sync.Mutex
	firstUnexpected              []string
}

func (s *soakStats) fail(msg string) {
	s.unexpected.Add(1)
	s.mu.Lock()
	if len(s.firstUnexpected) < 5 {
		s.firstUnexpected = append(s.firstUnexpected, msg)
	}
	s.mu.Unlock()
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestSoak runs the example service under a mixed load — valid, invalid and random-kid
// tokens, anonymous calls, owners and non-owners — while its issuer rotates keys and
// fails for the middle third of the run. Every status is checked; goroutines and heap
// must come back to their level before the load.
func TestSoak(t *testing.T) {
	duration := soakDuration(t)
	iss := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, TokenTTL: 2 * time.Hour})
	t.Setenv("AXIOMS_ISS_URL", iss.URL())
	t.Setenv("AXIOMS_AUDIENCE", iss.Audience())
	t.Setenv("ADDR", "127.0.0.1:0")
	t.Setenv("DATABASE_PATH", filepath.Join(t.TempDir(), "soak.db"))
	t.Setenv("AXIOMS_JWKS_URL", "")
	t.Setenv("AXIOMS_SPEC", "")

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan started, 1)
	done := make(chan error, 1)
	out := &syncBuffer{}
	go func() { done <- run(ctx, options{stdout: out, stderr: out, ready: func(s started) { ready <- s }}) }()
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

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 10 * time.Second}
	call := func(method, path, token, body string) (int, string) {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, base+path, r)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return -1, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// Tokens of the current key; owners and non-owners.
	var current atomic.Pointer[[]string]
	mintPool := func(k *axiomstest.Key) []string {
		pool := make([]string, 64)
		for i := range pool {
			pool[i] = iss.TokenWith(t, axiomstest.TokenSpec{Key: k, Claims: map[string]any{"sub": fmt.Sprintf("soak-%d", i), "scope": "read:data"}})
		}
		return pool
	}
	pool := mintPool(iss.Key("ES256"))
	current.Store(&pool)
	owner := iss.Token(t, map[string]any{"sub": "owner-1"})
	intruder := iss.Token(t, map[string]any{"sub": "intruder-1"})
	code, body := call("POST", "/articles", owner, `{"title":"soak","content":"x"}`)
	require.Equal(t, http.StatusCreated, code, body)
	articleID := strings.Split(strings.Split(body, `"id":`)[1], ",")[0]
	invalid := pool[0][:len(pool[0])-4] + "AAAA"
	attacker := axiomstest.NewKey(t, "ES256")

	// Warm-up, then the baseline.
	for _, tok := range pool {
		call("GET", "/protected", tok, "")
	}
	client.CloseIdleConnections()
	time.Sleep(200 * time.Millisecond)
	goroutinesBefore, heapBefore := runtime.NumGoroutine(), heapInUse()
	fetchesBefore := iss.JWKSFetches()

	stats := &soakStats{}
	kinds := []func(n int){
		func(n int) { // valid token of the current key
			toks := *current.Load()
			if c, b := call("GET", "/protected", toks[n%len(toks)], ""); c != 200 {
				stats.fail(fmt.Sprintf("valid token: %d %s", c, b))
			}
		},
		func(n int) { // invalid signature
			if c, _ := call("GET", "/protected", invalid, ""); c != 401 {
				stats.fail(fmt.Sprintf("invalid token: %d", c))
			}
		},
		func(n int) { // random kid, signed by an attacker
			tok := iss.TokenWith(t, axiomstest.TokenSpec{Key: attacker, KeyID: fmt.Sprintf("random-%d", n)})
			if c, _ := call("GET", "/protected", tok, ""); c != 401 {
				stats.fail(fmt.Sprintf("random kid: %d", c))
			}
		},
		func(n int) { // anonymous: public and protected
			if c, _ := call("GET", "/public-data", "", ""); c != 200 {
				stats.fail(fmt.Sprintf("anonymous public: %d", c))
			}
			if c, _ := call("GET", "/protected", "", ""); c != 401 {
				stats.fail(fmt.Sprintf("anonymous protected: %d", c))
			}
		},
		func(n int) { // owner and non-owner of the same article
			if c, b := call("GET", "/articles/"+articleID, owner, ""); c != 200 {
				stats.fail(fmt.Sprintf("owner: %d %s", c, b))
			}
			if c, _ := call("GET", "/articles/"+articleID, intruder, ""); c != 403 {
				stats.fail(fmt.Sprintf("non-owner: %d", c))
			}
		},
	}

	deadline := time.Now().Add(duration)
	const maxRequests = 50_000_000
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for n := w; time.Now().Before(deadline) && stats.requests.Load() < maxRequests; n += 8 {
				kinds[n%len(kinds)](n)
				stats.requests.Add(1)
			}
		})
	}

	// The issuer rotates at a third of the run and fails during the middle third. Tokens
	// of the new key are used once a probe shows the service has fetched it.
	time.Sleep(duration / 3)
	rotated := iss.Rotate(t, "ES256")
	iss.Fail(axiomstest.Fault{Status: http.StatusInternalServerError})
	probe := iss.TokenWith(t, axiomstest.TokenSpec{Key: rotated})
	switched := false
	for time.Now().Before(deadline) {
		if !switched {
			stats.probes.Add(1)
			if c, _ := call("GET", "/protected", probe, ""); c == 200 {
				next := mintPool(rotated)
				current.Store(&next)
				switched = true
			}
		}
		if time.Until(deadline) < duration/3 {
			iss.ClearFaults()
		}
		time.Sleep(50 * time.Millisecond)
	}
	iss.ClearFaults()
	wg.Wait()

	client.CloseIdleConnections()
	var goroutinesAfter int
	for range 50 { // connections close asynchronously
		if goroutinesAfter = runtime.NumGoroutine(); goroutinesAfter <= goroutinesBefore+2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	heapAfter := heapInUse()

	report := fmt.Sprintf("soak %s: %d requests, %d unexpected statuses, goroutines %d -> %d, heap in use %.1f MiB -> %.1f MiB, JWKS fetches %d (new key adopted: %v after %d probes)",
		duration, stats.requests.Load(), stats.unexpected.Load(), goroutinesBefore, goroutinesAfter,
		float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20), iss.JWKSFetches()-fetchesBefore, switched, stats.probes.Load())
	t.Log(report)
	fmt.Fprintln(os.Stderr, report)
	assert.Zero(t, stats.unexpected.Load(), "first unexpected: %v", stats.firstUnexpected)
	assert.Positive(t, stats.requests.Load())
	assert.LessOrEqual(t, goroutinesAfter, goroutinesBefore+2, "goroutines return to their level")
	assert.LessOrEqual(t, heapAfter, heapBefore+8<<20, "heap returns to its level (the verified-token cache is bounded)")
}

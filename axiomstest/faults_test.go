package axiomstest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

func newFaulty(t *testing.T) *axiomstest.Issuer {
	return axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, CacheControl: "max-age=60"})
}

func TestFaultStatus(t *testing.T) {
	iss := newFaulty(t)
	normal := fetch(t, iss.JWKSURL()).body

	iss.Fail(axiomstest.Fault{Status: http.StatusInternalServerError, Times: 2})
	for range 2 {
		r := fetch(t, iss.JWKSURL())
		assert.Equal(t, http.StatusInternalServerError, r.status)
		assert.Equal(t, normal, r.body, "the key set, served with an error status")
		assert.Equal(t, "max-age=60", r.header.Get("Cache-Control"))
	}
	r := fetch(t, iss.JWKSURL())
	assert.Equal(t, http.StatusOK, r.status, "the fault ends after Times fetches")
	assert.Equal(t, normal, r.body)
	assert.Equal(t, 4, iss.JWKSFetches())

	iss.Fail(axiomstest.Fault{Status: http.StatusNoContent, Times: 1})
	r = fetch(t, iss.JWKSURL())
	assert.Equal(t, http.StatusNoContent, r.status)
	assert.Empty(t, r.body)

	iss.Fail(axiomstest.Fault{Status: http.StatusNotModified, Times: 1})
	assert.Equal(t, http.StatusNotModified, fetch(t, iss.JWKSURL()).status)
}

func TestFaultBody(t *testing.T) {
	iss := newFaulty(t)
	garbage := []byte("<html>garbage")
	iss.Fail(axiomstest.Fault{Body: garbage})
	garbage[0] = 'X' // Fail keeps its own copy
	for range 3 {
		r := fetch(t, iss.JWKSURL())
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "<html>garbage", string(r.body), "Times 0: until cleared")
	}
	iss.ClearFaults()
	assert.Equal(t, []string{iss.Key("ES256").ID()}, kids(t, fetch(t, iss.JWKSURL()).body))

	iss.Fail(axiomstest.Fault{Body: []byte{}, Status: http.StatusServiceUnavailable, Times: 1})
	r := fetch(t, iss.JWKSURL())
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Empty(t, r.body)

	// A fault's body replaces a SetJWKSBody body too.
	iss.SetJWKSBody([]byte(`{"keys":[]}`))
	iss.Fail(axiomstest.Fault{Body: []byte(`{"keys":`), Times: 1})
	assert.Equal(t, `{"keys":`, string(fetch(t, iss.JWKSURL()).body))
	assert.Equal(t, `{"keys":[]}`, string(fetch(t, iss.JWKSURL()).body))
}

func TestFailReplacesTheFaultInEffect(t *testing.T) {
	iss := newFaulty(t)
	iss.Fail(axiomstest.Fault{Status: http.StatusBadGateway, Times: 5})
	assert.Equal(t, http.StatusBadGateway, fetch(t, iss.JWKSURL()).status)
	iss.Fail(axiomstest.Fault{Status: http.StatusTooManyRequests, Times: 1})
	assert.Equal(t, http.StatusTooManyRequests, fetch(t, iss.JWKSURL()).status)
	assert.Equal(t, http.StatusOK, fetch(t, iss.JWKSURL()).status, "the new fault's count, not the old one's")

	iss.Fail(axiomstest.Fault{Status: http.StatusBadGateway, Times: 3})
	iss.ClearFaults()
	assert.Equal(t, http.StatusOK, fetch(t, iss.JWKSURL()).status)
}

func TestFaultTimesUnderConcurrentFetches(t *testing.T) {
	iss := newFaulty(t)
	iss.Fail(axiomstest.Fault{Status: http.StatusServiceUnavailable, Times: 7})
	var faulted, ok atomic.Int64
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			resp, err := http.Get(iss.JWKSURL())
			if !assert.NoError(t, err) {
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusServiceUnavailable:
				faulted.Add(1)
			case http.StatusOK:
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 7, faulted.Load(), "exactly Times fetches are faulted")
	assert.EqualValues(t, 23, ok.Load())
	assert.Equal(t, 30, iss.JWKSFetches())
}

func TestFaultDelay(t *testing.T) {
	iss := newFaulty(t)
	iss.Fail(axiomstest.Fault{Delay: 150 * time.Millisecond, Status: http.StatusBadGateway, Times: 1})
	start := time.Now()
	r := fetch(t, iss.JWKSURL())
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond, "the response is held back")
	assert.Equal(t, http.StatusBadGateway, r.status, "then answered as the fault says")
	assert.Equal(t, http.StatusOK, fetch(t, iss.JWKSURL()).status)
}

func TestFaultDelayEndsWhenTheClientGivesUp(t *testing.T) {
	iss := newFaulty(t)
	iss.Fail(axiomstest.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, iss.JWKSURL(), nil)
	require.NoError(t, err)
	_, err = http.DefaultClient.Do(req)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, iss.JWKSFetches())

	// The endpoint goes on serving (with the fault still in effect until cleared).
	iss.ClearFaults()
	assert.Equal(t, http.StatusOK, fetch(t, iss.JWKSURL()).status)
}

// TestCleanupReleasesDelayedFetches ends a test while a client that never gives up
// waits on a delayed fetch: the cleanup must not hang, and the client gets an error
// rather than a made-up answer.
func TestCleanupReleasesDelayedFetches(t *testing.T) {
	errc := make(chan error, 1)
	start := time.Now()
	t.Run("issuer", func(t *testing.T) {
		iss := newFaulty(t)
		iss.Fail(axiomstest.Fault{Delay: time.Hour})
		go func() {
			resp, err := http.Get(iss.JWKSURL())
			if err == nil {
				resp.Body.Close()
			}
			errc <- err
		}()
		require.Eventually(t, func() bool { return iss.JWKSFetches() == 1 }, 10*time.Second, 5*time.Millisecond)
	})
	select {
	case err := <-errc:
		assert.Error(t, err)
	case <-time.After(time.Minute):
		t.Fatal("the client is still waiting after the issuer's test ended")
	}
	assert.Less(t, time.Since(start), time.Minute, "the cleanup did not wait for the hour-long delay")
}

func TestFaultCloseConnection(t *testing.T) {
	iss := newFaulty(t)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()

	iss.Fail(axiomstest.Fault{CloseConnection: true, Times: 1})
	_, err := client.Get(iss.JWKSURL())
	require.Error(t, err, "the connection is dropped without an answer")
	assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF), "%v", err)

	resp, err := client.Get(iss.JWKSURL())
	require.NoError(t, err, "then the endpoint is normal again")
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	iss.Fail(axiomstest.Fault{CloseConnection: true, Delay: 50 * time.Millisecond, Status: http.StatusOK, Times: 1})
	start := time.Now()
	_, err = client.Get(iss.JWKSURL())
	assert.Error(t, err, "CloseConnection wins over Status")
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "after the delay")
	assert.Equal(t, 3, iss.JWKSFetches())
}

func TestInvalidFaults(t *testing.T) {
	iss := newFaulty(t)
	for _, f := range []axiomstest.Fault{
		{Status: 99}, {Status: 100}, {Status: 199}, {Status: 600}, {Status: -1},
		{Delay: -time.Second}, {Times: -1},
	} {
		assert.Panics(t, func() { iss.Fail(f) }, "%+v", f)
	}
	assert.Equal(t, http.StatusOK, fetch(t, iss.JWKSURL()).status, "a rejected fault is not installed")
	assert.NotPanics(t, func() { iss.Fail(axiomstest.Fault{Status: 200, Times: 1}) })
	assert.NotPanics(t, func() { iss.Fail(axiomstest.Fault{Status: 599, Times: 1}) })
}

func TestDiscoveryIsNeverFaulted(t *testing.T) {
	iss := newFaulty(t)
	iss.Fail(axiomstest.Fault{Status: http.StatusInternalServerError})
	assert.Equal(t, http.StatusOK, fetch(t, iss.URL()+"/.well-known/openid-configuration").status)
	assert.Equal(t, http.StatusInternalServerError, fetch(t, iss.JWKSURL()).status)
}

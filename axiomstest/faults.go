package axiomstest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Fault makes the JWK set endpoint (see [Issuer.Fail]) or the introspection endpoint
// (see [Issuer.FailIntrospection]) misbehave. The fields combine: the response is held
// back for Delay, then the connection is dropped if CloseConnection is set, else Status
// and Body replace the normal answer. The zero value of each field leaves that part of
// the response normal.
type Fault struct {
	// Status is the response status, 200 to 599. If zero, 200. The response still
	// carries the JWK set (or Body) and the usual headers, so a test can check that a
	// validator ignores a key set served with an error status.
	Status int

	// Delay holds the response back. The wait ends early, without any response, when
	// the client gives up (its request context ends) or when the issuer closes (its
	// test ends, or [Issuer.Close]). If zero, no delay.
	Delay time.Duration

	// Body replaces the response body: garbage, truncated JSON, an empty set. If nil,
	// the normal body; a non-nil empty slice sends an empty body.
	Body []byte

	// CloseConnection drops the connection (after Delay) without sending a response.
	// Go's http.Transport retries a GET once when a reused keep-alive connection is
	// dropped that way, so a one-shot fault (Times: 1) may be absorbed by the retry;
	// use Times >= 2, or a client with keep-alives disabled, to see the error.
	CloseConnection bool

	// Times is how many of the next fetches the fault applies to; it counts down as
	// requests arrive, and the endpoint is normal again afterwards. If zero, the fault
	// lasts until [Issuer.ClearFaults] or the next [Issuer.Fail]. Negative is invalid.
	Times int
}

// Fail makes the JWK set endpoint answer with fault f, replacing any fault in effect;
// f.Times counts from this call. Discovery is never faulted; the introspection
// endpoint has its own faults ([Issuer.FailIntrospection]). Fail panics if f is invalid
// (a Status outside 200–599, a negative Delay or Times).
func (i *Issuer) Fail(f Fault) {
	f = checkFault(f)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.fault = &f
	i.remaining = f.Times
}

// checkFault panics if f is invalid, and returns it with its own copy of Body.
func checkFault(f Fault) Fault {
	switch {
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		panic(fmt.Sprintf("axiomstest: Fault.Status %d is outside 200–599", f.Status))
	case f.Delay < 0:
		panic(fmt.Sprintf("axiomstest: Fault.Delay %v is negative", f.Delay))
	case f.Times < 0:
		panic(fmt.Sprintf("axiomstest: Fault.Times %d is negative", f.Times))
	}
	if f.Body != nil {
		f.Body = slices.Clone(f.Body)
	}
	return f
}

// ClearFaults ends the faults in effect, if any, of the JWK set and introspection
// endpoints: they answer normally from the next request on. A request already held
// back by a Delay still completes as its fault says.
func (i *Issuer) ClearFaults() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.fault, i.remaining = nil, 0
	i.introFault, i.introRemaining = nil, 0
}

// takeFault returns the fault *fault that applies to one request and counts it down
// in *remaining. i.mu must be held.
func takeFault(fault **Fault, remaining *int) *Fault {
	f := *fault
	if f == nil {
		return nil
	}
	if *remaining > 0 {
		if *remaining--; *remaining == 0 {
			*fault = nil
		}
	}
	return f
}

// holdBack applies f's Delay and CloseConnection to a request, and reports whether
// the request has been dealt with (the client gave up, the issuer closed, or the
// connection was dropped).
func (i *Issuer) holdBack(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true // the client gave up
		case <-i.closing:
			closeConnection(w) // the test is over: no misleading empty answer
			return true
		}
	}
	if f.CloseConnection {
		closeConnection(w)
		return true
	}
	return false
}

func (i *Issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	i.jwksFetches.Add(1)
	i.mu.Lock()
	f := takeFault(&i.fault, &i.remaining)
	body := i.jwksLocked()
	i.mu.Unlock()

	status := http.StatusOK
	if f != nil {
		if i.holdBack(w, r, f) {
			return
		}
		if f.Body != nil {
			body = f.Body
		}
		if f.Status != 0 {
			status = f.Status
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/jwk-set+json")
	if i.cfg.CacheControl != "" {
		h.Set("Cache-Control", i.cfg.CacheControl)
	}
	if status == http.StatusNoContent || status == http.StatusNotModified {
		w.WriteHeader(status) // no body allowed
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// closeConnection drops the client connection without a response.
func closeConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // the server aborts the response and drops the connection
}

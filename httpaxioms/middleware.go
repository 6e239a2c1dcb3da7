package httpaxioms

import (
	"maps"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
)

// middleware is a built, immutable middleware configuration: the engine of the main
// document, those of the hosts, and the bindings of the patterns seen so far.
type middleware struct {
	main     *engine
	hosts    map[string]*engine // pattern host → the engine of its document
	bindings bindings
}

// engine is the core of one document, and what net/http needs to answer for it.
type engine struct {
	core         *enforce.Enforcer
	policies     *openapi.Policies
	skipper      func(*http.Request) bool
	errorHandler func(http.ResponseWriter, *http.Request, *Error)
}

// binding is a pattern bound to its document: the engine that enforces it, and for a
// pattern with a method, its operation.
type binding struct {
	pattern
	engine *engine
	// policies is the table the pattern's operations are looked up in: nil for a host
	// pattern without a document, whose every request is undocumented.
	policies *openapi.Policies
	// policy is the operation of a pattern with a method (nil for none).
	policy *openapi.Policy
}

// serve is the per-request flow: the binding of the pattern the mux matched, the
// operation it serves for r, the core's decision, the answer.
func (m *middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	b := m.bind(r.Pattern)
	e := b.engine
	req := enforce.Request{Native: r, Header: r.Header, Method: r.Method, Route: b.route,
		Host: r.Host, TLS: r.TLS != nil, RequestURI: r.RequestURI, URL: r.URL}
	if e.skipper(r) {
		e.core.Skip(r.Context(), &req)
		next.ServeHTTP(w, r)
		return
	}
	if r.Pattern == "" {
		// No pattern: the middleware runs in front of the mux (or behind a router that
		// does not set one), where the handler that will answer is unknown. The mux's own
		// not-found answer is given instead.
		http.NotFound(w, r)
		return
	}
	if b.method != "" && r.Method != b.method && (r.Method != http.MethodHead || b.method != http.MethodGet) {
		// The request's method changed after the mux routed it (a method override
		// between the mux and the middleware): a DPoP proof's htm must name the method
		// the mux routed with, that of the operation whose rule applies. (HEAD served by
		// a GET pattern is the method the client sent.)
		req.Method = b.method
	}
	req.Policy = b.operation(r)
	res := e.core.Enforce(r.Context(), &req)
	if res.Denial != nil || res.Err != nil {
		answer(w, r, res, e.errorHandler)
		return
	}
	next.ServeHTTP(w, withContext(r, res.Context))
}

// operation returns the operation the pattern serves r with: the operation of the
// pattern's method (a "GET" pattern serves HEAD requests with it, as the mux routes
// them), else of the request's method; nil when the pattern cannot be read, is a host
// pattern without a document, or is a subtree pattern and r is below its root.
func (b *binding) operation(r *http.Request) *openapi.Policy {
	switch {
	case !b.valid || !b.covers(r):
		return nil
	case b.method != "":
		return b.policy
	}
	return b.policies.Lookup(r.Method, b.template)
}

// params returns the path parameters of the pattern the mux matched: their names and
// values, in order (enforce.Config.Params).
func (m *middleware) params(req any) (names, values []string) {
	r := req.(*http.Request)
	b := m.bind(r.Pattern)
	values = make([]string, len(b.names))
	for i, name := range b.names {
		values[i] = r.PathValue(name)
	}
	return b.names, values
}

// bind returns the binding of a pattern, reading the pattern the first time it is seen.
func (m *middleware) bind(s string) *binding {
	if b, ok := m.bindings.lookup(s); ok {
		return b
	}
	p := parsePattern(s)
	b := &binding{pattern: p, engine: m.main, policies: m.main.policies}
	if p.host != "" {
		if e := m.hosts[p.host]; e != nil {
			b.engine, b.policies = e, e.policies
		} else {
			b.policies = nil // a host without a document: every request is undocumented
		}
	}
	if p.valid && p.method != "" {
		b.policy = b.policies.Lookup(p.method, p.template)
	}
	m.bindings.keep(s, b)
	return b
}

// maxBindings bounds the bindings kept; beyond it, patterns are read on every request
// (a router that sets ever new patterns).
const maxBindings = 1 << 12

// bindings keeps the binding of every pattern seen: read without locks, written by
// copying (each pattern is written once, on the first request it serves). Policies are
// immutable, so a binding never goes stale; a pattern registered at any time is read on
// its first request.
type bindings struct {
	cur atomic.Pointer[map[string]*binding]
	mu  sync.Mutex
}

func (bs *bindings) lookup(s string) (*binding, bool) {
	if cur := bs.cur.Load(); cur != nil {
		b, ok := (*cur)[s]
		return b, ok
	}
	return nil, false
}

func (bs *bindings) keep(s string, b *binding) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	next := map[string]*binding{}
	if cur := bs.cur.Load(); cur != nil {
		if _, done := (*cur)[s]; done || len(*cur) >= maxBindings {
			return
		}
		next = maps.Clone(*cur)
	}
	next[s] = b
	bs.cur.Store(&next)
}

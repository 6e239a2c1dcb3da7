package httpaxioms

import (
	"net/http"
	"slices"
	"sync"
)

// Mux is an http.ServeMux whose every handler is protected: Handle and HandleFunc
// register the handler wrapped in the middleware of its Config ([Config.Middleware]),
// so no pattern can be registered unprotected, at any time, and the Mux keeps the
// patterns for its route check ([Mux.CheckRoutes]). It routes exactly as the
// http.ServeMux it wraps: its own answers (404, 405 with Allow, redirects to the
// cleaned path or the subtree's root) never reach a handler or the middleware.
//
// A Mux is safe for concurrent use, registration included, as http.ServeMux is.
type Mux struct {
	mux     *http.ServeMux
	protect func(http.Handler) http.Handler
	cfg     Config

	mu       sync.Mutex
	patterns []string
}

// NewMux returns an empty Mux protected by the middleware of cfg. It fails when
// [Config.Middleware] does.
func NewMux(cfg Config) (*Mux, error) {
	protect, err := cfg.Middleware()
	if err != nil {
		return nil, err
	}
	return &Mux{mux: http.NewServeMux(), protect: protect, cfg: cfg}, nil
}

// Handle registers handler, protected, for pattern (http.ServeMux syntax). Like
// http.ServeMux.Handle, it panics when handler is nil, or the pattern is invalid or
// conflicts with one already registered.
func (m *Mux) Handle(pattern string, handler http.Handler) {
	if handler == nil {
		panic("httpaxioms: nil handler")
	}
	m.mux.Handle(pattern, m.protect(handler))
	m.mu.Lock()
	m.patterns = append(m.patterns, pattern)
	m.mu.Unlock()
}

// HandleFunc registers handler, protected, for pattern: see [Mux.Handle].
func (m *Mux) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(handler))
}

// ServeHTTP routes the request as http.ServeMux does: the handler of the matched
// pattern runs behind the middleware.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mux.ServeHTTP(w, r)
}

// Patterns returns the patterns registered so far, in registration order, in a fresh
// slice.
func (m *Mux) Patterns() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.patterns)
}

// CheckRoutes compares the patterns registered so far with the document of the Mux's
// Config (and those of its Hosts): [Config.CheckPatterns] of [Mux.Patterns]. At
// startup, after registering the patterns, fail on its [RouteReport.Err].
func (m *Mux) CheckRoutes() RouteReport {
	return m.cfg.CheckPatterns(m.Patterns())
}

package benchmarks

import (
	"net/http"
	"strings"

	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
)

// The net/http variants measure httpaxioms against a bare http.ServeMux serving the same
// operations as Go 1.22+ patterns, and against the same floor on that mux: each adapter
// is compared with its own bare framework.

// netHTTPPattern is the ServeMux pattern of path i of the benchmarks' API.
func netHTTPPattern(i int) string {
	return "GET " + strings.NewReplacer(":id", "{id}", ":item_id", "{item_id}").Replace(specgen.Route(i))
}

// mux registers the n patterns, each handler wrapped in wrap.
func mux(n int, wrap func(http.Handler) http.Handler) *http.ServeMux {
	m := http.NewServeMux()
	for i := range n {
		m.Handle(netHTTPPattern(i), wrap(http.HandlerFunc(okHTTP)))
	}
	return m
}

func okHTTP(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

func buildNetHTTPBare(s Setup) (http.Handler, error) {
	return mux(s.N, func(h http.Handler) http.Handler { return h }), nil
}

// buildNetHTTPFloor is the floor's checks around each handler of the mux, the pattern
// the mux matched looked up in a map.
func buildNetHTTPFloor(s Setup) (http.Handler, error) {
	scopes := make(map[string]string, s.N)
	for i := range s.N {
		scopes[netHTTPPattern(i)] = specgen.Scope
	}
	return mux(s.N, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			want, found := scopes[r.Pattern]
			if status := s.floorStatus(r, want, found); status != http.StatusOK {
				w.WriteHeader(status)
				return
			}
			next.ServeHTTP(w, r)
		})
	}), nil
}

// buildNetHTTPAxioms is httpaxioms.NewMux, its validator's cache of cacheSize.
func buildNetHTTPAxioms(cacheSize int) func(s Setup) (http.Handler, error) {
	return func(s Setup) (http.Handler, error) {
		policies, v, err := s.axioms(cacheSize)
		if err != nil {
			return nil, err
		}
		m, err := httpaxioms.NewMux(httpaxioms.Config{Policies: policies, Validator: v})
		if err != nil {
			return nil, err
		}
		for i := range s.N {
			m.HandleFunc(netHTTPPattern(i), okHTTP)
		}
		return m, nil
	}
}

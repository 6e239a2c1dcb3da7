package httpaxioms_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/internal/floor"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// discard is a reusable ResponseWriter, so that the response recorder's allocations do
// not blur the comparison.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

// benchPattern is the ServeMux pattern of path i of specgen's API.
func benchPattern(i int) string {
	return "GET " + strings.NewReplacer(":id", "{id}", ":item_id", "{item_id}").Replace(specgen.Route(i))
}

// floorMiddleware is the least a spec-driven middleware must do: find the pattern's
// entry in a map and verify the token with the standard library.
func floorMiddleware(alg string, iss *axiomstest.Issuer, patterns map[string]bool) func(http.Handler) http.Handler {
	pub := iss.Key(alg).Public()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !patterns[r.Pattern] {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			if _, ok := floor.Verify(alg, pub, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")); !ok {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// BenchmarkMiddleware measures the middleware (a Mux) through ServeHTTP beside a bare
// http.ServeMux and the floor, interleaved in one run. Reported metrics: "x-floor" =
// (miss − bare) ÷ (floor − bare), target ≤ 1.05; for hit, "ns-over-bare" and
// "allocs-over-bare" (target ≤ 3).
func BenchmarkMiddleware(b *testing.B) {
	iss := axiomstest.NewIssuer(b, axiomstest.IssuerConfig{})
	for _, n := range []int{10, 500, 2000} {
		// n GET operations, each requiring a scope, a role, a permission and ownership
		// (the id path parameter must equal sub).
		policies, err := openapi.LoadData(specgen.API{N: n, Rules: true, Owner: true}.YAML(), openapi.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		patterns := map[string]bool{}
		for i := range n {
			patterns[benchPattern(i)] = true
		}
		bareMux := func(wrap func(http.Handler) http.Handler) *http.ServeMux {
			mux := http.NewServeMux()
			for i := range n {
				mux.Handle(benchPattern(i), wrap(okHandler))
			}
			return mux
		}
		protected := func(cacheSize int) http.Handler {
			cfg := iss.ValidatorConfig()
			cfg.CacheSize = cacheSize
			v, err := validator.New(b.Context(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			mux, err := httpaxioms.NewMux(httpaxioms.Config{Policies: policies, Validator: v})
			if err != nil {
				b.Fatal(err)
			}
			for i := range n {
				mux.Handle(benchPattern(i), okHandler)
			}
			return mux
		}
		target := specgen.Target(n / 2)
		for _, alg := range axiomstest.DefaultAlgorithms() {
			token := iss.Token(b, axiomstest.TokenSpec{Alg: alg, Claims: map[string]any{
				"sub": "abc", "scope": "openid read:data", "roles": []string{"reader"}, "permissions": []string{"items:read"}}})
			serve := func(h http.Handler) func() bool {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				w := &discard{h: http.Header{}}
				return func() bool {
					clear(w.h)
					w.code = 0
					h.ServeHTTP(w, req)
					return w.code == http.StatusOK
				}
			}
			bare := serve(bareMux(func(h http.Handler) http.Handler { return h }))
			floorMux := serve(bareMux(floorMiddleware(alg, iss, patterns)))
			miss, hit := serve(protected(-1)), serve(protected(0))

			b.Run(fmt.Sprintf("ops=%d/%s/miss", n, alg), func(b *testing.B) {
				ns := floor.Compare(b, []string{"miss", "floor", "bare"}, miss, floorMux, bare)
				b.ReportMetric((ns[0]-ns[2])/(ns[1]-ns[2]), "x-floor")
			})
			b.Run(fmt.Sprintf("ops=%d/%s/hit", n, alg), func(b *testing.B) {
				ns := floor.Compare(b, []string{"hit", "bare"}, hit, bare)
				b.ReportMetric(ns[0]-ns[1], "ns-over-bare")
				b.ReportMetric(testing.AllocsPerRun(200, func() { hit() })-testing.AllocsPerRun(200, func() { bare() }), "allocs-over-bare")
			})
		}
	}
}

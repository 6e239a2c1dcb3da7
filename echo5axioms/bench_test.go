package echo5axioms_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echo5axioms"
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

func noContent(c *echo.Context) error { return c.NoContent(http.StatusOK) }

// floorMiddleware is the least a spec-driven middleware must do: find the route's entry in
// a map and verify the token with the standard library.
func floorMiddleware(alg string, iss *axiomstest.Issuer, routes map[string]bool) echo.MiddlewareFunc {
	pub := iss.Key(alg).Public()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if !routes[c.Request().Method+" "+c.Path()] {
				return echo.ErrForbidden
			}
			auth := c.Request().Header.Get("Authorization")
			if _, ok := floor.Verify(alg, pub, strings.TrimPrefix(auth, "Bearer ")); !ok {
				return echo.ErrUnauthorized
			}
			return next(c)
		}
	}
}

// BenchmarkMiddleware measures the middleware through e.ServeHTTP beside bare Echo v5 and
// the floor, interleaved in one run. Reported metrics: "x-floor" = (miss − bare) ÷
// (floor − bare), target ≤ 1.05; for hit, "ns-over-bare" and "allocs-over-bare"
// (target ≤ 3).
func BenchmarkMiddleware(b *testing.B) {
	iss := axiomstest.NewIssuer(b, axiomstest.IssuerConfig{})
	for _, n := range []int{10, 500, 2000} {
		// n GET operations, each requiring a scope, a role, a permission and ownership
		// (the id path parameter must equal sub).
		policies, err := openapi.LoadData(specgen.API{N: n, Rules: true, Owner: true}.YAML(), openapi.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		routes := map[string]bool{}
		app := func(mw echo.MiddlewareFunc) *echo.Echo {
			e := echo.New()
			if mw != nil {
				e.Use(mw)
			}
			for i := range n {
				routes["GET "+specgen.Route(i)] = true
				e.GET(specgen.Route(i), noContent)
			}
			return e
		}
		target := specgen.Target(n / 2)
		for _, alg := range axiomstest.DefaultAlgorithms() {
			token := iss.Token(b, axiomstest.TokenSpec{Alg: alg, Claims: map[string]any{
				"sub": "abc", "scope": "openid read:data", "roles": []string{"reader"}, "permissions": []string{"items:read"}}})
			serve := func(e *echo.Echo) func() bool {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				w := &discard{h: http.Header{}}
				return func() bool {
					clear(w.h)
					w.code = 0
					e.ServeHTTP(w, req)
					return w.code == http.StatusOK
				}
			}
			bare := serve(app(nil))
			floorApp := serve(app(floorMiddleware(alg, iss, routes)))
			protected := func(cacheSize int) func() bool {
				cfg := iss.ValidatorConfig()
				cfg.CacheSize = cacheSize
				v, err := validator.New(b.Context(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				return serve(app(echo5axioms.WithConfig(echo5axioms.Config{Policies: policies, Validator: v})))
			}
			miss, hit := protected(-1), protected(0)

			b.Run(fmt.Sprintf("ops=%d/%s/miss", n, alg), func(b *testing.B) {
				ns := floor.Compare(b, []string{"miss", "floor", "bare"}, miss, floorApp, bare)
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

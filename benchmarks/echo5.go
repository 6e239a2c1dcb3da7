package benchmarks

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
)

// The Echo v5 variants measure echo5axioms against a bare Echo v5 app serving the same
// routes, and against the same floor installed in that app: each adapter is compared
// with its own bare framework.

// echo5App registers the n routes behind mw (if any) in an Echo v5 app.
func echo5App(n int, mw ...echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.Use(mw...)
	for i := range n {
		e.GET(specgen.Route(i), func(c *echo.Context) error { return c.NoContent(http.StatusOK) })
	}
	return e
}

func buildEcho5Bare(s Setup) (http.Handler, error) { return echo5App(s.N), nil }

// buildEcho5Floor is the floor's checks in an Echo v5 middleware, the route Echo matched
// looked up in a map.
func buildEcho5Floor(s Setup) (http.Handler, error) {
	scopes := requiredScopes(s.N)
	return echo5App(s.N, func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			want, found := scopes[c.Request().Method+" "+c.Path()]
			if status := s.floorStatus(c.Request(), want, found); status != http.StatusOK {
				return c.NoContent(status)
			}
			return next(c)
		}
	}), nil
}

// buildEcho5Axioms is echo5axioms' middleware, its validator's cache of cacheSize.
func buildEcho5Axioms(cacheSize int) func(s Setup) (http.Handler, error) {
	return func(s Setup) (http.Handler, error) {
		policies, v, err := s.axioms(cacheSize)
		if err != nil {
			return nil, err
		}
		mw, err := echo5axioms.Config{Policies: policies, Validator: v}.ToMiddleware()
		if err != nil {
			return nil, err
		}
		return echo5App(s.N, mw), nil
	}
}

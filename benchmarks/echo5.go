package benchmarks

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/internal/floor"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// The Echo v5 variants measure echo5axioms against a bare Echo v5 app serving the same
// routes, and against the same floor installed in that app: each adapter is compared
// with its own bare framework.

// Echo5Bare is the name of the Echo v5 variant that checks nothing.
const Echo5Bare = "echo5-bare"

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
			if !found {
				return echo.ErrForbidden
			}
			tok, ok := bearer(c.Request())
			if !ok {
				return echo.ErrUnauthorized
			}
			claims, ok := floor.Verify(s.Alg, s.Public, tok)
			if !ok || claims["iss"] != s.Issuer || claims["aud"] != s.Audience {
				return echo.ErrUnauthorized
			}
			if exp, _ := claims["exp"].(float64); float64(time.Now().Unix()) >= exp {
				return echo.ErrUnauthorized
			}
			if !hasScope(claims["scope"], want) {
				return echo.ErrForbidden
			}
			return next(c)
		}
	}), nil
}

// buildEcho5Axioms is echo5axioms' middleware, its validator's cache of cacheSize.
func buildEcho5Axioms(cacheSize int) func(s Setup) (http.Handler, error) {
	return func(s Setup) (http.Handler, error) {
		policies, err := openapi.LoadData(Spec(s.N, true), openapi.LoadOptions{})
		if err != nil {
			return nil, err
		}
		cfg := s.Validator
		cfg.CacheSize = cacheSize
		v, err := validator.New(context.Background(), cfg)
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

// Package benchmarks compares axioms-echo with other ways of protecting an Echo API with
// JWT access tokens, on the same routes, tokens and policy, in the same run. See
// ../BENCHMARKS.md for the results and run.sh to reproduce them.
package benchmarks

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	gjwt "github.com/golang-jwt/jwt/v5"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"
	oapimw "github.com/oapi-codegen/echo-middleware"

	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/internal/floor"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// Spec returns the document of the benchmarks: n GET operations (specgen.API), each
// requiring specgen.Scope of an http bearer scheme; with full, also a role and a
// permission (x-axioms-*), which only axioms-echo reads.
func Spec(n int, full bool) []byte {
	return specgen.API{Doc: specgen.Doc{Version: "3.0.3", Title: "bench", Schemes: []string{specgen.Bearer("bearer")}},
		N: n, Scheme: "bearer", Rules: full}.YAML()
}

// Setup is what every variant is built from.
type Setup struct {
	N         int
	Alg       string
	Issuer    string
	Audience  string
	Public    crypto.PublicKey
	Validator validator.Config // trusts the test issuer
}

// Variant is one way of protecting the app.
type Variant struct {
	Name   string
	Checks string // what it checks, for BENCHMARKS.md
	Build  func(s Setup) (*echo.Echo, error)
	// Handler builds a variant on another framework than Echo v4, instead of Build.
	Handler func(s Setup) (http.Handler, error)
}

func ok(c echo.Context) error { return c.NoContent(http.StatusOK) }

// app registers the n routes behind mw (if any).
func app(n int, mw ...echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.Use(mw...)
	for i := range n {
		e.GET(specgen.Route(i), ok)
	}
	return e
}

// requiredScopes maps "METHOD route" to the scope it needs, for variants that look the
// policy up by the matched route themselves.
func requiredScopes(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m["GET "+specgen.Route(i)] = specgen.Scope
	}
	return m
}

func hasScope(scope any, want string) bool {
	s, _ := scope.(string)
	return slices.Contains(strings.Fields(s), want)
}

func bearer(r *http.Request) (string, bool) {
	auth := r.Header.Get("Authorization")
	if len(auth) < 7 || !strings.EqualFold(auth[:7], "bearer ") {
		return "", false
	}
	return auth[7:], true
}

// Variants, in report order.
var Variants = []Variant{
	{Name: "bare", Checks: "nothing: Echo routing and the handler only", Build: func(s Setup) (*echo.Echo, error) {
		return app(s.N), nil
	}},
	{Name: "floor", Checks: "route in a map, signature (standard library), payload decode, iss, aud, exp, scope", Build: buildFloor},
	{Name: "echo-jwt+golang-jwt", Checks: "signature, alg, iss, aud, exp (golang-jwt v5); scope by matched route", Build: buildEchoJWTGolang},
	{Name: "echo-jwt+jwx", Checks: "signature, alg, iss, aud, exp (jwx v3 jwt.Parse); scope by matched route", Build: buildEchoJWTJWX},
	{Name: "oapi-codegen", Checks: "its own routing of the URL, path parameters, security via AuthenticationFunc (jwx v3: signature, iss, aud, exp) and scopes", Build: buildOapiCodegen},
	{Name: "kin-legacy", Checks: "kin-openapi legacy router, ValidateRequest, the same AuthenticationFunc", Build: buildKinLegacy},
	{Name: "axioms-miss", Checks: "everything of DESIGN §3 (strict parsing, kid/alg rules, iss, aud, exp, nbf, iat) and the full policy (scope, role, permission); verified-token cache disabled", Build: buildAxioms(-1)},
	{Name: "axioms-hit", Checks: "the same, answered by the verified-token cache", Build: buildAxioms(0)},
	{Name: NetHTTPBare, Checks: "nothing: http.ServeMux routing (Go 1.22+ patterns) and the handler only", Handler: buildNetHTTPBare},
	{Name: "nethttp-floor", Checks: "the floor's checks around each handler of the ServeMux", Handler: buildNetHTTPFloor},
	{Name: "nethttp-miss", Checks: "axioms-miss's checks with httpaxioms (a Mux)", Handler: buildNetHTTPAxioms(-1)},
	{Name: "nethttp-hit", Checks: "the same, answered by the verified-token cache", Handler: buildNetHTTPAxioms(0)},
	{Name: Echo5Bare, Checks: "nothing: Echo v5 routing and the handler only", Handler: buildEcho5Bare},
	{Name: "echo5-floor", Checks: "the floor's checks in an Echo v5 middleware", Handler: buildEcho5Floor},
	{Name: "echo5-miss", Checks: "axioms-miss's checks with echo5axioms", Handler: buildEcho5Axioms(-1)},
	{Name: "echo5-hit", Checks: "the same, answered by the verified-token cache", Handler: buildEcho5Axioms(0)},
}

func buildFloor(s Setup) (*echo.Echo, error) {
	scopes := requiredScopes(s.N)
	return app(s.N, func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
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

// scopeByRoute checks the scope claim against the matched route's requirement.
func scopeByRoute(n int, scopeOf func(echo.Context) any) echo.MiddlewareFunc {
	scopes := requiredScopes(n)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			want, found := scopes[c.Request().Method+" "+c.Path()]
			if !found || !hasScope(scopeOf(c), want) {
				return echo.ErrForbidden
			}
			return next(c)
		}
	}
}

func buildEchoJWTGolang(s Setup) (*echo.Echo, error) {
	parser := gjwt.NewParser(gjwt.WithValidMethods([]string{s.Alg}), gjwt.WithIssuer(s.Issuer),
		gjwt.WithAudience(s.Audience), gjwt.WithExpirationRequired())
	keyFunc := func(*gjwt.Token) (any, error) { return s.Public, nil }
	mw := echojwt.WithConfig(echojwt.Config{
		ParseTokenFunc: func(c echo.Context, auth string) (any, error) {
			tok, err := parser.ParseWithClaims(auth, gjwt.MapClaims{}, keyFunc)
			if err != nil {
				return nil, err
			}
			return tok, nil
		},
	})
	return app(s.N, mw, scopeByRoute(s.N, func(c echo.Context) any {
		tok, _ := c.Get("user").(*gjwt.Token)
		if tok == nil {
			return nil
		}
		return tok.Claims.(gjwt.MapClaims)["scope"]
	})), nil
}

func jwxParse(s Setup) func(string) (jwt.Token, error) {
	alg, ok := jwa.LookupSignatureAlgorithm(s.Alg)
	if !ok {
		panic("unknown algorithm " + s.Alg)
	}
	return func(raw string) (jwt.Token, error) {
		return jwt.ParseString(raw, jwt.WithKey(alg, s.Public), jwt.WithIssuer(s.Issuer), jwt.WithAudience(s.Audience),
			jwt.WithValidate(true), jwt.WithRequiredClaim("exp"))
	}
}

func jwxScope(tok jwt.Token) any {
	var scope string
	if err := tok.Get("scope", &scope); err != nil {
		return nil
	}
	return scope
}

func buildEchoJWTJWX(s Setup) (*echo.Echo, error) {
	parse := jwxParse(s)
	mw := echojwt.WithConfig(echojwt.Config{
		ParseTokenFunc: func(c echo.Context, auth string) (any, error) { return parse(auth) },
	})
	return app(s.N, mw, scopeByRoute(s.N, func(c echo.Context) any {
		tok, _ := c.Get("user").(jwt.Token)
		if tok == nil {
			return nil
		}
		return jwxScope(tok)
	})), nil
}

// authenticate is the openapi3filter.AuthenticationFunc of the kin-openapi based variants:
// jwx v3 verification and the scopes the requirement lists.
func authenticate(s Setup) openapi3filter.AuthenticationFunc {
	parse := jwxParse(s)
	return func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
		raw, ok := bearer(in.RequestValidationInput.Request)
		if !ok {
			return fmt.Errorf("no bearer token")
		}
		tok, err := parse(raw)
		if err != nil {
			return err
		}
		for _, want := range in.Scopes {
			if !hasScope(jwxScope(tok), want) {
				return fmt.Errorf("missing scope")
			}
		}
		return nil
	}
}

func loadKin(n int) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(Spec(n, false))
	if err != nil {
		return nil, err
	}
	return doc, doc.Validate(context.Background())
}

func buildOapiCodegen(s Setup) (*echo.Echo, error) {
	doc, err := loadKin(s.N)
	if err != nil {
		return nil, err
	}
	mw := oapimw.OapiRequestValidatorWithOptions(doc, &oapimw.Options{
		Options:               openapi3filter.Options{AuthenticationFunc: authenticate(s)},
		SilenceServersWarning: true,
	})
	return app(s.N, mw), nil
}

func buildKinLegacy(s Setup) (*echo.Echo, error) {
	doc, err := loadKin(s.N)
	if err != nil {
		return nil, err
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	opts := &openapi3filter.Options{AuthenticationFunc: authenticate(s)}
	mw := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			route, params, err := router.FindRoute(req)
			if err != nil {
				return echo.ErrNotFound
			}
			if err := openapi3filter.ValidateRequest(req.Context(), &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route, Options: opts,
			}); err != nil {
				return echo.ErrUnauthorized
			}
			return next(c)
		}
	}
	return app(s.N, mw), nil
}

func buildAxioms(cacheSize int) func(s Setup) (*echo.Echo, error) {
	return func(s Setup) (*echo.Echo, error) {
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
		mw, err := echoaxioms.Config{Policies: policies, Validator: v}.ToMiddleware()
		if err != nil {
			return nil, err
		}
		return app(s.N, mw), nil
	}
}

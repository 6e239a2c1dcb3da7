// Package benchmarks measures each adapter of axioms-echo (echoaxioms on Echo v4,
// echo5axioms on Echo v5, httpaxioms on net/http) against its own bare framework and the
// floor in it, and compares echoaxioms with other ways of protecting an Echo API with JWT
// access tokens, on the same routes, tokens and policy, in the same run. See
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

// Adapter is a framework the library has an adapter for. Each adapter's variants are
// measured against the bare framework and the floor in it, and cmd/report prints one
// table per adapter.
type Adapter string

// The adapters measured, by the framework each runs on.
const (
	EchoV4  Adapter = "Echo v4"  // echoaxioms
	EchoV5  Adapter = "Echo v5"  // echo5axioms
	NetHTTP Adapter = "net/http" // httpaxioms on an http.ServeMux
)

// Role is what a variant is in its adapter's table.
type Role string

// The roles of the variants.
const (
	Bare  Role = "bare"  // the framework alone, checking nothing: what the others are measured over
	Floor Role = "floor" // route lookup, standard-library signature check, claims decode: the least a check costs
	Peer  Role = "peer"  // another library protecting the same app (Echo v4 only)
	Miss  Role = "miss"  // this library, verifying every token: verified-token cache disabled
	Hit   Role = "hit"   // this library, answering from its verified-token cache
)

// Variant is one way of serving the benchmarks' API, protected or not.
type Variant struct {
	Name    string
	Adapter Adapter // the framework it runs on
	Role    Role    // what it is in its adapter's table
	Checks  string  // what it checks, for BENCHMARKS.md
	Build   func(s Setup) (http.Handler, error)
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

// Variants, in report order; run.sh rotates their order every round.
var Variants = []Variant{
	{Name: "bare", Adapter: EchoV4, Role: Bare, Checks: "nothing: Echo routing and the handler only", Build: func(s Setup) (http.Handler, error) {
		return app(s.N), nil
	}},
	{Name: "floor", Adapter: EchoV4, Role: Floor, Checks: "route in a map, signature (standard library), payload decode, iss, aud, exp, scope", Build: buildFloor},
	{Name: "echo-jwt+golang-jwt", Adapter: EchoV4, Role: Peer, Checks: "signature, alg, iss, aud, exp (golang-jwt v5); scope by matched route", Build: buildEchoJWTGolang},
	{Name: "echo-jwt+jwx", Adapter: EchoV4, Role: Peer, Checks: "signature, alg, iss, aud, exp (jwx v3 jwt.Parse); scope by matched route", Build: buildEchoJWTJWX},
	{Name: "oapi-codegen", Adapter: EchoV4, Role: Peer, Checks: "its own routing of the URL, path parameters, security via AuthenticationFunc (jwx v3: signature, iss, aud, exp) and scopes", Build: buildOapiCodegen},
	{Name: "kin-legacy", Adapter: EchoV4, Role: Peer, Checks: "kin-openapi legacy router, ValidateRequest, the same AuthenticationFunc", Build: buildKinLegacy},
	{Name: "axioms-miss", Adapter: EchoV4, Role: Miss, Checks: "everything of DESIGN §3 (strict parsing, kid/alg rules, iss, aud, exp, nbf, iat) and the full policy (scope, role, permission); verified-token cache disabled", Build: buildAxioms(-1)},
	{Name: "axioms-hit", Adapter: EchoV4, Role: Hit, Checks: "the same, answered by the verified-token cache", Build: buildAxioms(0)},
	{Name: "echo5-bare", Adapter: EchoV5, Role: Bare, Checks: "nothing: Echo v5 routing and the handler only", Build: buildEcho5Bare},
	{Name: "echo5-floor", Adapter: EchoV5, Role: Floor, Checks: "the floor's checks in an Echo v5 middleware", Build: buildEcho5Floor},
	{Name: "echo5-miss", Adapter: EchoV5, Role: Miss, Checks: "axioms-miss's checks with echo5axioms", Build: buildEcho5Axioms(-1)},
	{Name: "echo5-hit", Adapter: EchoV5, Role: Hit, Checks: "the same, answered by the verified-token cache", Build: buildEcho5Axioms(0)},
	{Name: "nethttp-bare", Adapter: NetHTTP, Role: Bare, Checks: "nothing: http.ServeMux routing (Go 1.22+ patterns) and the handler only", Build: buildNetHTTPBare},
	{Name: "nethttp-floor", Adapter: NetHTTP, Role: Floor, Checks: "the floor's checks around each handler of the ServeMux", Build: buildNetHTTPFloor},
	{Name: "nethttp-miss", Adapter: NetHTTP, Role: Miss, Checks: "axioms-miss's checks with httpaxioms (a Mux)", Build: buildNetHTTPAxioms(-1)},
	{Name: "nethttp-hit", Adapter: NetHTTP, Role: Hit, Checks: "the same, answered by the verified-token cache", Build: buildNetHTTPAxioms(0)},
}

// floorStatus is the floor's checks of r, whose route requires the scope want (found
// false: the route is not in the policy): http.StatusOK when they pass, else the status
// to answer. Every adapter's floor variant runs it around its framework's route match.
func (s Setup) floorStatus(r *http.Request, want string, found bool) int {
	if !found {
		return http.StatusForbidden
	}
	tok, ok := bearer(r)
	if !ok {
		return http.StatusUnauthorized
	}
	claims, ok := floor.Verify(s.Alg, s.Public, tok)
	if !ok || claims["iss"] != s.Issuer || claims["aud"] != s.Audience {
		return http.StatusUnauthorized
	}
	if exp, _ := claims["exp"].(float64); float64(time.Now().Unix()) >= exp {
		return http.StatusUnauthorized
	}
	if !hasScope(claims["scope"], want) {
		return http.StatusForbidden
	}
	return http.StatusOK
}

// buildFloor is the floor's checks in an Echo v4 middleware, the route Echo matched
// looked up in a map.
func buildFloor(s Setup) (http.Handler, error) {
	scopes := requiredScopes(s.N)
	return app(s.N, func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			want, found := scopes[c.Request().Method+" "+c.Path()]
			if status := s.floorStatus(c.Request(), want, found); status != http.StatusOK {
				return c.NoContent(status)
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

func buildEchoJWTGolang(s Setup) (http.Handler, error) {
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

func buildEchoJWTJWX(s Setup) (http.Handler, error) {
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

func buildOapiCodegen(s Setup) (http.Handler, error) {
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

func buildKinLegacy(s Setup) (http.Handler, error) {
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

// axioms is what every adapter's miss and hit variants are built from: the policies of
// Spec(s.N, true) and a validator of s.Validator whose verified-token cache holds
// cacheSize tokens (negative: none; zero: the validator's default).
func (s Setup) axioms(cacheSize int) (*openapi.Policies, *validator.Validator, error) {
	policies, err := openapi.LoadData(Spec(s.N, true), openapi.LoadOptions{})
	if err != nil {
		return nil, nil, err
	}
	cfg := s.Validator
	cfg.CacheSize = cacheSize
	v, err := validator.New(context.Background(), cfg)
	if err != nil {
		return nil, nil, err
	}
	return policies, v, nil
}

// buildAxioms is echoaxioms' middleware, its validator's cache of cacheSize.
func buildAxioms(cacheSize int) func(s Setup) (http.Handler, error) {
	return func(s Setup) (http.Handler, error) {
		policies, v, err := s.axioms(cacheSize)
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

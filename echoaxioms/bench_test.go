package echoaxioms_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
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

func handler(c echo.Context) error { return c.NoContent(http.StatusOK) }

// floorMiddleware is the least a spec-driven middleware must do: find the route's entry in
// a map and verify the token with the standard library.
func floorMiddleware(alg string, iss *axiomstest.Issuer, routes map[string]bool) echo.MiddlewareFunc {
	pub := iss.Key(alg).Public()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
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

// BenchmarkMiddleware measures the middleware through e.ServeHTTP beside bare Echo and
// the floor, interleaved in one run. Reported metrics: "x-floor" = (miss − bare) ÷
// (floor − bare), target ≤ 1.05; for hit, "ns-over-bare" (target ≤ 300) and
// "allocs-over-bare" (target ≤ 3); for hit-stepup (the same operations with
// x-axioms-acr and x-axioms-max-age, a token that satisfies them, cache hit) beside
// hit, "x-hit" = stepup ÷ hit, "ns-over-hit" and "allocs-over-hit" (target 0).
func BenchmarkMiddleware(b *testing.B) {
	iss := axiomstest.NewIssuer(b, axiomstest.IssuerConfig{})
	for _, n := range []int{10, 500, 2000} {
		// n GET operations, each requiring a scope, a role, a permission and ownership
		// (the id path parameter must equal sub); the same with step-up.
		policies, err := openapi.LoadData(specgen.API{N: n, Rules: true, Owner: true}.YAML(), openapi.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		stepUpPolicies, err := openapi.LoadData(specgen.API{N: n, Rules: true, Owner: true, StepUp: true}.YAML(), openapi.LoadOptions{})
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
				e.GET(specgen.Route(i), handler)
			}
			return e
		}
		target := specgen.Target(n / 2)
		for _, alg := range axiomstest.DefaultAlgorithms() {
			token := iss.Token(b, axiomstest.TokenSpec{Alg: alg, Claims: benchClaims})
			stepUpToken := iss.Token(b, axiomstest.TokenSpec{Alg: alg, Claims: stepUpClaims(time.Now())})
			serveToken := func(e *echo.Echo, token string) func() bool {
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
			serve := func(e *echo.Echo) func() bool { return serveToken(e, token) }
			bare := serve(app(nil))
			floorApp := serve(app(floorMiddleware(alg, iss, routes)))
			protected := func(policies *openapi.Policies, cacheSize int, token string) func() bool {
				cfg := iss.ValidatorConfig()
				cfg.CacheSize = cacheSize
				v, err := validator.New(b.Context(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				return serveToken(app(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: v})), token)
			}
			miss, hit := protected(policies, -1, token), protected(policies, 0, token)
			stepUpHit := protected(stepUpPolicies, 0, stepUpToken)

			b.Run(fmt.Sprintf("ops=%d/%s/miss", n, alg), func(b *testing.B) {
				ns := floor.Compare(b, []string{"miss", "floor", "bare"}, miss, floorApp, bare)
				b.ReportMetric((ns[0]-ns[2])/(ns[1]-ns[2]), "x-floor")
			})
			b.Run(fmt.Sprintf("ops=%d/%s/hit", n, alg), func(b *testing.B) {
				ns := floor.Compare(b, []string{"hit", "bare"}, hit, bare)
				b.ReportMetric(ns[0]-ns[1], "ns-over-bare")
				b.ReportMetric(testing.AllocsPerRun(200, func() { hit() })-testing.AllocsPerRun(200, func() { bare() }), "allocs-over-bare")
			})
			b.Run(fmt.Sprintf("ops=%d/%s/hit-stepup", n, alg), func(b *testing.B) {
				ns := floor.Compare(b, []string{"hit-stepup", "hit"}, stepUpHit, hit)
				b.ReportMetric(ns[0]/ns[1], "x-hit")
				b.ReportMetric(ns[0]-ns[1], "ns-over-hit")
				b.ReportMetric(testing.AllocsPerRun(200, func() { stepUpHit() })-testing.AllocsPerRun(200, func() { hit() }), "allocs-over-hit")
			})
		}
	}
}

// benchClaims are the claims of the benchmarks' token: the scope, role and permission
// of every operation of specgen.API with Rules, and the sub its owner rule compares
// with the id path parameter of specgen.Target.
var benchClaims = map[string]any{
	"sub": "abc", "scope": "openid read:data", "roles": []string{"reader"}, "permissions": []string{"items:read"}}

// stepUpClaims are benchClaims with an acr and an auth_time (at authenticated) that
// satisfy specgen.API's step-up requirements.
func stepUpClaims(authenticated time.Time) map[string]any {
	claims := maps.Clone(benchClaims)
	claims["acr"], claims["auth_time"] = specgen.StepUpACR, authenticated
	return claims
}

// TestStepUpHitAllocations: on a cache hit, an operation with x-axioms-acr and
// x-axioms-max-age allocates exactly what the same operation without them does (the
// check reads claims the validator already decoded), and a token that falls short of
// them is denied. The issuer and the validator run on a clock that does not move.
func TestStepUpHitAllocations(t *testing.T) {
	clock := axiomstest.NewClock(time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC))
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Now: clock.Now})
	cfg := iss.ValidatorConfig()
	cfg.Now = clock.Now
	v, err := validator.New(t.Context(), cfg)
	require.NoError(t, err)
	serve := func(stepUp bool, claims map[string]any) func() int {
		policies, err := openapi.LoadData(specgen.API{N: 10, Rules: true, Owner: true, StepUp: stepUp}.YAML(), openapi.LoadOptions{})
		require.NoError(t, err)
		e := echo.New()
		e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: v}))
		for i := range 10 {
			e.GET(specgen.Route(i), handler)
		}
		req := httptest.NewRequest(http.MethodGet, specgen.Target(5), nil)
		req.Header.Set("Authorization", "Bearer "+iss.Token(t, axiomstest.TokenSpec{Claims: claims}))
		w := &discard{h: http.Header{}}
		return func() int {
			clear(w.h)
			w.code = 0
			e.ServeHTTP(w, req)
			return w.code
		}
	}
	plain := serve(false, benchClaims)
	stepUp := serve(true, stepUpClaims(clock.Now().Add(-time.Minute)))
	tooOld := serve(true, stepUpClaims(clock.Now().Add(-(specgen.StepUpMaxAge+1)*time.Second)))
	require.Equal(t, http.StatusOK, plain())
	require.Equal(t, http.StatusOK, stepUp())
	require.Equal(t, http.StatusUnauthorized, tooOld(), "the step-up rule is enforced")
	require.Equal(t, http.StatusUnauthorized, serve(true, benchClaims)(), "a token without acr is denied")
	if raceEnabled {
		t.Skip("allocation counts vary under the race detector (sync.Pool drops items at random)")
	}
	plainAllocs := testing.AllocsPerRun(100, func() { plain() })
	assert.Equal(t, plainAllocs, testing.AllocsPerRun(100, func() { stepUp() }), "allocations of a step-up hit, beside the plain hit's %v", plainAllocs)
}

// BenchmarkMiddlewareDPoP measures a DPoP request (RFC 9449) through e.ServeHTTP: the
// access token is cached (a verified-token cache hit), and the proof, fresh for each
// request as a client sends it, is checked in full (parsing, ES256 signature, htm, htu,
// iat, ath, cnf.jkt, the replay cache). Every request needs a new proof, whose signing
// is the client's cost: it is timed alone, interleaved with the others, and subtracted.
// Reported metrics: "ns-over-bare" = (dpop − sign) − bare; "x-bearer-hit" and
// "x-bearer-miss" = that over the cost over bare of a Bearer request on the same
// operations answered from the verified-token cache, and with the cache off (an RS256
// signature verified per request); "allocs-over-bare" = the DPoP request's allocations
// less those of signing and of bare Echo.
func BenchmarkMiddlewareDPoP(b *testing.B) {
	iss := axiomstest.NewIssuer(b, axiomstest.IssuerConfig{})
	key := axiomstest.NewDPoPKey(b, "ES256")
	const n = 10
	scheme := specgen.OAuth2("oauth2", specgen.Scope, "write:data", "admin")
	dpopScheme := strings.TrimSuffix(scheme, "}") + ", x-axioms-dpop: required}"
	load := func(scheme string) *openapi.Policies {
		p, err := openapi.LoadData(specgen.API{N: n, Rules: true, Owner: true, Doc: specgen.Doc{Schemes: []string{scheme}}}.YAML(), openapi.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	app := func(mw echo.MiddlewareFunc) *echo.Echo {
		e := echo.New()
		if mw != nil {
			e.Use(mw)
		}
		for i := range n {
			e.GET(specgen.Route(i), handler)
		}
		return e
	}
	protected := func(p *openapi.Policies, cacheSize int) *echo.Echo {
		cfg := iss.ValidatorConfig()
		cfg.CacheSize = cacheSize
		v, err := validator.New(b.Context(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		return app(echoaxioms.WithConfig(echoaxioms.Config{Policies: p, Validator: v, DPoPBaseURL: "https://api.example.com"}))
	}
	target := specgen.Target(n / 2)
	bearerToken := iss.Token(b, axiomstest.TokenSpec{Claims: benchClaims})
	dpopToken := iss.Token(b, axiomstest.TokenSpec{Claims: benchClaims, DPoPKey: key})

	serve := func(e *echo.Echo, auth string, proof func() string) func() bool {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Authorization", auth)
		w := &discard{h: http.Header{}}
		return func() bool {
			if proof != nil {
				req.Header.Set("DPoP", proof())
			}
			clear(w.h)
			w.code = 0
			e.ServeHTTP(w, req)
			return w.code == http.StatusOK
		}
	}
	sign := func() string {
		return key.Proof(b, axiomstest.ProofSpec{Method: http.MethodGet, URL: "https://api.example.com" + target, AccessToken: dpopToken})
	}
	signOnly := func() bool { return sign() != "" }
	bare := serve(app(nil), "", nil)
	hit := serve(protected(load(scheme), 0), "Bearer "+bearerToken, nil)
	miss := serve(protected(load(scheme), -1), "Bearer "+bearerToken, nil)
	dpop := serve(protected(load(dpopScheme), 0), "DPoP "+dpopToken, sign)
	if !dpop() || !hit() || !miss() {
		b.Fatal("the DPoP or a Bearer request was refused")
	}

	b.Run(fmt.Sprintf("ops=%d/RS256+ES256-proof/dpop-hit", n), func(b *testing.B) {
		ns := floor.Compare(b, []string{"dpop", "sign", "hit", "miss", "bare"}, dpop, signOnly, hit, miss, bare)
		b.ReportMetric(ns[0]-ns[1]-ns[4], "ns-over-bare")
		b.ReportMetric((ns[0]-ns[1]-ns[4])/(ns[2]-ns[4]), "x-bearer-hit")
		b.ReportMetric((ns[0]-ns[1]-ns[4])/(ns[3]-ns[4]), "x-bearer-miss")
		b.ReportMetric(testing.AllocsPerRun(200, func() { dpop() })-testing.AllocsPerRun(200, func() { signOnly() })-testing.AllocsPerRun(200, func() { bare() }), "allocs-over-bare")
	})
}

// TestBearerHitAllocationsBesideDPoP: a Bearer cache hit allocates exactly what it does
// in a document without x-axioms-dpop anywhere, on an operation without DPoP when
// another scheme of the document requires it, and on an operation whose scheme allows
// DPoP.
func TestBearerHitAllocationsBesideDPoP(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	v := iss.Validator(t)
	scheme := specgen.OAuth2("oauth2", specgen.Scope, "write:data", "admin")
	serve := func(schemes ...string) func() int {
		policies, err := openapi.LoadData(specgen.API{N: 10, Rules: true, Owner: true, Doc: specgen.Doc{Schemes: schemes}}.YAML(), openapi.LoadOptions{})
		require.NoError(t, err)
		e := echo.New()
		e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: v}))
		for i := range 10 {
			e.GET(specgen.Route(i), handler)
		}
		req := httptest.NewRequest(http.MethodGet, specgen.Target(5), nil)
		req.Header.Set("Authorization", "Bearer "+iss.Token(t, axiomstest.TokenSpec{Claims: benchClaims}))
		w := &discard{h: http.Header{}}
		return func() int {
			clear(w.h)
			w.code = 0
			e.ServeHTTP(w, req)
			return w.code
		}
	}
	plain := serve(scheme)
	beside := serve(scheme, "dpop: {type: http, scheme: bearer, x-axioms-dpop: required}")
	allowed := serve(strings.TrimSuffix(scheme, "}") + ", x-axioms-dpop: allowed}")
	require.Equal(t, http.StatusOK, plain())
	require.Equal(t, http.StatusOK, beside())
	require.Equal(t, http.StatusOK, allowed())
	if raceEnabled {
		t.Skip("allocation counts vary under the race detector (sync.Pool drops items at random)")
	}
	want := testing.AllocsPerRun(100, func() { plain() })
	assert.Equal(t, want, testing.AllocsPerRun(100, func() { beside() }), "beside a DPoP scheme")
	assert.Equal(t, want, testing.AllocsPerRun(100, func() { allowed() }), "on a scheme that allows DPoP")
}

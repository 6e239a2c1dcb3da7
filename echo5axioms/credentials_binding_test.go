package echo5axioms_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/validator"
)

// The route-binding guarantees (DESIGN §5) with sender-constrained and introspected
// credentials, as echoaxioms' tests run them on Echo v4: whatever code answers, its own
// operation's rule ran first, or the request was denied; and a DPoP proof is good only
// for the method Echo routed the request with.

// credsDoc protects its routes with one oauth2 scheme that takes DPoP-bound tokens and
// Bearer tokens (JWTs and opaque tokens alike).
var credsDoc = specgen.Doc{Schemes: []string{strings.TrimSuffix(specgen.OAuth2("oauth2", "create", "delete", "admin"), "}") + ", x-axioms-dpop: allowed}"}}.YAML(`
  /webhooks/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post: {operationId: createWebhook, security: [{oauth2: [create]}], responses: {"200": {description: ok}}}
    delete: {operationId: deleteWebhook, security: [{oauth2: [delete]}], responses: {"200": {description: ok}}}
    put: {operationId: replaceWebhook, security: [], responses: {"200": {description: ok}}}
  /graphql:
    post: {operationId: graphql, security: [{oauth2: [admin]}], responses: {"200": {description: ok}}}
  /reports:
    get: {operationId: reports, security: [{oauth2: [admin]}], responses: {"200": {description: ok}}}
  /public:
    get: {operationId: public, security: [], responses: {"200": {description: ok}}}
`)

// credsBaseURL is the DPoPBaseURL of credsHarness.
const credsBaseURL = "https://api.example.com"

// credsHarness protects credsDoc on e (echo.New() when nil); its validator introspects
// the issuer's opaque tokens.
func credsHarness(t *testing.T, e *echo.Echo, pre, use []echo.MiddlewareFunc) *harness {
	t.Helper()
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{IntrospectionClientID: "api", IntrospectionClientSecret: "s3cret"})
	vcfg := iss.ValidatorConfig()
	vcfg.Introspection = &validator.Introspection{ClientID: "api", ClientSecret: "s3cret"}
	v, err := validator.New(t.Context(), vcfg)
	require.NoError(t, err)
	return newHarness(t, harnessOptions{doc: credsDoc, echo: e, issuer: iss, pre: pre, use: use,
		config: func(c *echo5axioms.Config) {
			c.Validator = v
			c.DPoPBaseURL = credsBaseURL
		},
	})
}

// credential is a way to present a token holding scopes, for a request of method at path.
type credential struct {
	name string
	// header returns the request's Authorization and the header pairs that go with it.
	header func(t *testing.T, h *harness, scopes, method, path string) (string, []string)
}

// dpopFor returns a DPoP credential whose proofs name htm (the request's method when
// empty).
func dpopFor(htm string) credential {
	return credential{name: "DPoP proof for " + htm, header: func(t *testing.T, h *harness, scopes, method, path string) (string, []string) {
		key := axiomstest.NewDPoPKey(t, "ES256")
		tok := h.iss.Token(t, axiomstest.TokenSpec{DPoPKey: key, Claims: map[string]any{"scope": scopes}})
		if htm == "" {
			htm = method
		}
		proof := key.Proof(t, axiomstest.ProofSpec{Method: htm, URL: credsBaseURL + path, AccessToken: tok})
		return "DPoP " + tok, []string{"DPoP", proof}
	}}
}

var (
	dpopCredential   = credential{name: "DPoP", header: dpopFor("").header}
	opaqueCredential = credential{name: "opaque", header: func(t *testing.T, h *harness, scopes, _, _ string) (string, []string) {
		return "Bearer " + h.iss.OpaqueToken(t, map[string]any{"scope": scopes, "sub": "alice"}), nil
	}}
)

// TestDPoPProofMethodUnderMethodOverride: the htm of a proof is compared with the method
// Echo routed the request with, the method of the operation whose rule applies. Echo v5
// routes with the request as its Pre middleware leave it: an override in e.Pre routes
// with the overriding method, and the method the client sent is gone from the request, so
// the proof must name the operation's method; an override in e.Use comes after routing,
// so the proof names the method the client sent (RFC 9449: the request's method), never
// the override.
func TestDPoPProofMethodUnderMethodOverride(t *testing.T) {
	override := []string{"X-HTTP-Method-Override", "DELETE"}
	pre := func(mw ...echo.MiddlewareFunc) []echo.MiddlewareFunc { return mw }
	for _, c := range []struct {
		setup    string
		pre, use []echo.MiddlewareFunc
		routed   string // the method Echo routes POST + override with
		handler  string // its handler
		scope    string // the scope its operation requires
		other    string // the other method
		otherScp string // the other operation's scope
	}{
		{setup: "MethodOverride in Pre", pre: pre(middleware.MethodOverride()),
			routed: "DELETE", handler: "delete", scope: "delete", other: "POST", otherScp: "create"},
		{setup: "ContextTimeout, then MethodOverride, in Pre", pre: pre(middleware.ContextTimeout(time.Minute), middleware.MethodOverride()),
			routed: "DELETE", handler: "delete", scope: "delete", other: "POST", otherScp: "create"},
		{setup: "MethodOverride in Use", use: pre(middleware.MethodOverride()),
			routed: "POST", handler: "create", scope: "create", other: "DELETE", otherScp: "delete"},
		{setup: "WrapMiddleware replacing the request, then MethodOverride, in Use", use: pre(replaceRequest(), middleware.MethodOverride()),
			routed: "POST", handler: "create", scope: "create", other: "DELETE", otherScp: "delete"},
	} {
		t.Run(c.setup, func(t *testing.T) {
			h := credsHarness(t, nil, c.pre, c.use)
			h.e.POST("/webhooks/:id", h.handler("create"))
			h.e.DELETE("/webhooks/:id", h.handler("delete"))
			send := func(htm, scopes string) int {
				auth, hdr := dpopFor(htm).header(t, h, scopes, "", "/webhooks/1")
				return h.do("POST", "/webhooks/1", auth, append(hdr, override...)...).Code
			}
			assert.Equal(t, http.StatusOK, send(c.routed, c.scope), "a proof for the routed method, the routed operation's scope")
			assert.Equal(t, []string{c.handler}, h.handlers())
			assert.Equal(t, http.StatusUnauthorized, send(c.other, c.scope), "a proof for the other method")
			assert.Equal(t, http.StatusUnauthorized, send(c.other, c.scope+" "+c.otherScp), "a proof for the other method, every scope")
			assert.Equal(t, http.StatusForbidden, send(c.routed, c.otherScp), "the other operation's scope only: the routed operation's rule applies")
			assert.Empty(t, h.handlers())
			records := h.records()
			require.Len(t, records, 4)
			for i, reason := range []string{"", "invalid_dpop_proof", "invalid_dpop_proof", "insufficient_scope"} {
				assert.Equal(t, map[string]string{"POST": "createWebhook", "DELETE": "deleteWebhook"}[c.routed], records[i].OperationID)
				assert.Equal(t, reason, string(records[i].Reason), "record %d", i)
			}
		})
	}
}

// TestDPoPProofMethodOnAutoHandledHEAD: with AutoHandleHEAD, Echo serves HEAD with the GET
// route, under the GET operation's rule; the request's method is HEAD, and the proof
// names HEAD.
func TestDPoPProofMethodOnAutoHandledHEAD(t *testing.T) {
	e := echo.NewWithConfig(echo.Config{Router: echo.NewRouter(echo.RouterConfig{AutoHandleHEAD: true})})
	h := credsHarness(t, e, nil, nil)
	h.e.GET("/reports", h.handler("reports"))
	send := func(htm string) int {
		auth, hdr := dpopFor(htm).header(t, h, "admin", "", "/reports")
		return h.do("HEAD", "/reports", auth, hdr...).Code
	}
	assert.Equal(t, http.StatusOK, send("HEAD"))
	assert.Equal(t, []string{"reports"}, h.handlers())
	assert.Equal(t, http.StatusUnauthorized, send("GET"))
	assert.Empty(t, h.handlers())
}

// TestRouteBindingSetupsWithCredentials runs the setups of SECURITY.md's "Route binding"
// table on Echo v5 with a DPoP-bound token and a valid proof (for the method and URL the
// client sends, as a client makes it) and with an opaque, introspected token, both holding
// every scope: the handler that runs is the one Echo routed to, under its own rule; what
// Echo answers itself stays Echo's answer, without later middleware, handler or
// introspection.
func TestRouteBindingSetupsWithCredentials(t *testing.T) {
	proxy := func() echo.MiddlewareFunc { return proxyTo(t, "proxied") }
	static := func() echo.MiddlewareFunc { return staticFiles(t, "dump") }
	override := []string{"X-HTTP-Method-Override", "DELETE"}
	type request struct {
		method, target string
		header         []string
	}
	type want struct {
		status  int
		handler string // the handler that runs ("" for none)
	}
	for _, c := range []struct {
		setup        string
		pre, use     []echo.MiddlewareFunc
		routes       func(h *harness)
		req          request
		dpop, opaque want
	}{
		{setup: "MethodOverride in Pre", pre: []echo.MiddlewareFunc{middleware.MethodOverride()}, req: request{"POST", "/webhooks/1", override},
			dpop: want{401, ""}, opaque: want{200, "delete"}}, // Echo routed DELETE: the proof must name it
		{setup: "MethodOverride in Use", use: []echo.MiddlewareFunc{middleware.MethodOverride()}, req: request{"POST", "/webhooks/1", override},
			dpop: want{200, "create"}, opaque: want{200, "create"}},
		{setup: "WrapMiddleware replacing the request, then MethodOverride, in Pre", pre: []echo.MiddlewareFunc{replaceRequest(), middleware.MethodOverride()},
			req: request{"POST", "/webhooks/1", override}, dpop: want{401, ""}, opaque: want{200, "delete"}},
		{setup: "WrapMiddleware replacing the request, then MethodOverride, in Use", use: []echo.MiddlewareFunc{replaceRequest(), middleware.MethodOverride()},
			req: request{"POST", "/webhooks/1", override}, dpop: want{200, "create"}, opaque: want{200, "create"}},
		{setup: "WrapMiddleware replacing the request and its URL in Pre", pre: []echo.MiddlewareFunc{stripPrefix("/v1")},
			req: request{"POST", "/v1/webhooks/1", nil}, dpop: want{200, "create"}, opaque: want{200, "create"}},
		{setup: "Rewrite in Pre", pre: []echo.MiddlewareFunc{middleware.Rewrite(map[string]string{"/hooks/*": "/webhooks/$1"})},
			req: request{"POST", "/hooks/1", nil}, dpop: want{200, "create"}, opaque: want{200, "create"}},
		{setup: "Rewrite in Use", use: []echo.MiddlewareFunc{middleware.Rewrite(map[string]string{"/public": "/webhooks/1"})},
			req: request{"GET", "/public", nil}, dpop: want{200, "public"}, opaque: want{200, "public"}},
		{setup: "Proxy in a group", routes: func(h *harness) { h.e.Group("/internal").Use(proxy()) },
			req: request{"GET", "/internal/config", nil}, dpop: want{404, ""}, opaque: want{404, ""}},
		{setup: "Static in a group", routes: func(h *harness) { h.e.Group("/private-files").Use(static()) },
			req: request{"GET", "/private-files/backup.sql", nil}, dpop: want{404, ""}, opaque: want{404, ""}},
		{setup: "Proxy in a group, on a documented route", routes: func(h *harness) {
			h.e.Group("/graphql", proxy()).POST("", h.handler("never: the proxy answers"))
		}, req: request{"POST", "/graphql", nil}, dpop: want{200, ""}, opaque: want{200, ""}},
		{setup: "route added after traffic", routes: func(h *harness) {
			h.do("GET", "/late", "")
			h.e.GET("/late", h.handler("late"))
		}, req: request{"GET", "/late", nil}, dpop: want{403, ""}, opaque: want{403, ""}},
		{setup: "RouteNotFound", routes: func(h *harness) { h.e.RouteNotFound("/*", h.handler("not found")) },
			req: request{"GET", "/nothing", nil}, dpop: want{404, ""}, opaque: want{404, ""}},
		{setup: "Match with OPTIONS", routes: func(h *harness) { h.e.Match([]string{"POST", "OPTIONS"}, "/graphql", h.handler("graphql")) },
			req: request{"OPTIONS", "/graphql", nil}, dpop: want{403, ""}, opaque: want{403, ""}},
		{setup: "Any, OPTIONS", routes: func(h *harness) { h.e.Any("/graphql", h.handler("graphql")) },
			req: request{"OPTIONS", "/graphql", nil}, dpop: want{403, ""}, opaque: want{403, ""}},
		{setup: "Any, the documented method", routes: func(h *harness) { h.e.Any("/graphql", h.handler("graphql")) },
			req: request{"POST", "/graphql", nil}, dpop: want{200, "graphql"}, opaque: want{200, "graphql"}},
		{setup: "Echo's 405, a Proxy after the middleware", routes: func(h *harness) { h.e.Use(proxy()) },
			req: request{"PATCH", "/webhooks/1", nil}, dpop: want{405, ""}, opaque: want{405, ""}},
		{setup: "Echo's OPTIONS answer, a Proxy after the middleware", routes: func(h *harness) { h.e.Use(proxy()) },
			req: request{"OPTIONS", "/webhooks/1", nil}, dpop: want{204, ""}, opaque: want{204, ""}},
		{setup: "Echo's 404, a Proxy after the middleware", routes: func(h *harness) { h.e.Use(proxy()) },
			req: request{"GET", "/no-route", nil}, dpop: want{404, ""}, opaque: want{404, ""}},
	} {
		for _, cred := range []credential{dpopCredential, opaqueCredential} {
			t.Run(c.setup+"/"+cred.name, func(t *testing.T) {
				h := credsHarness(t, nil, c.pre, c.use)
				h.e.POST("/webhooks/:id", h.handler("create"))
				h.e.DELETE("/webhooks/:id", h.handler("delete"))
				h.e.PUT("/webhooks/:id", h.handler("replace"))
				h.e.GET("/public", h.handler("public"))
				if c.routes != nil {
					c.routes(h)
				}
				h.handlers()
				w := map[string]want{dpopCredential.name: c.dpop, opaqueCredential.name: c.opaque}[cred.name]
				target, err := url.Parse(c.req.target)
				require.NoError(t, err)
				auth, header := cred.header(t, h, "create delete admin", c.req.method, target.Path)
				fetches := h.iss.IntrospectionFetches()
				rec := h.do(c.req.method, c.req.target, auth, append(header, c.req.header...)...)
				assert.Equal(t, w.status, rec.Code, rec.Body.String())
				if w.handler != "" {
					assert.Equal(t, []string{w.handler}, h.handlers())
				} else {
					assert.Empty(t, h.handlers())
				}
				if w.status == http.StatusNotFound || w.status == http.StatusMethodNotAllowed || w.status == http.StatusNoContent {
					assert.Equal(t, fetches, h.iss.IntrospectionFetches(), "Echo's own answer: no token is introspected")
				}
				if c.routes != nil && w.status != http.StatusOK {
					assert.NotContains(t, rec.Body.String(), "proxied")
					assert.NotContains(t, rec.Body.String(), "dump")
				}
			})
		}
	}
}

// stripPrefix is a Pre middleware written the net/http way that hands the next handler a
// new request with a new URL (http.StripPrefix): the request-target the client sent
// stays in RequestURI.
func stripPrefix(prefix string) echo.MiddlewareFunc {
	return echo.WrapMiddleware(func(next http.Handler) http.Handler { return http.StripPrefix(prefix, next) })
}

package echoaxioms_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
)

// The route-binding guarantees (DESIGN §5): whatever code answers a request, the
// document's rule for that code was applied first, or the request was denied. Each test
// below reproduces an ordinary Echo setup that once let a request reach code that no rule
// (or another operation's rule) covered.

// bindingDoc documents the operations the binding tests route.
var bindingDoc = specgen.Doc{Security: "[{oauth2: []}]", Schemes: []string{specgen.OAuth2("oauth2", "admin")}}.YAML(`
  /webhooks/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post: {operationId: createWebhook, x-axioms-roles: [admin], responses: {"200": {description: ok}}}
    put: {operationId: replaceWebhook, security: [], responses: {"200": {description: ok}}}
  /graphql:
    post: {operationId: graphql, security: [{oauth2: [admin]}], responses: {"200": {description: ok}}}
  /users/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getUser, security: [], responses: {"200": {description: ok}}}
  /users/{user_id}/follows/{other_id}:
    parameters:
      - {name: user_id, in: path, required: true, schema: {type: string}}
      - {name: other_id, in: path, required: true, schema: {type: string}}
    delete: {operationId: unfollow, x-axioms-owner: {param: user_id, claim: sub}, responses: {"204": {description: ok}}}
  /public:
    get: {operationId: public, security: [], responses: {"200": {description: ok}}}
`)

// bindingHarness protects the routes of bindingDoc, with opts; each test registers its
// routes, with handlers from h.handler.
func bindingHarness(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	opts.doc = bindingDoc
	return newHarness(t, opts)
}

// replaceRequest is a Pre middleware written the net/http way: it hands the next handler
// a copy of the request (r.WithContext), as tracing and timeout middleware do.
func replaceRequest() echo.MiddlewareFunc {
	return echo.WrapMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(r.Context()))
		})
	})
}

// proxyTo returns middleware.Proxy to a backend that answers every request with body.
func proxyTo(t *testing.T, body string) echo.MiddlewareFunc {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(backend.Close)
	target, err := url.Parse(backend.URL)
	require.NoError(t, err)
	return middleware.Proxy(middleware.NewRoundRobinBalancer([]*middleware.ProxyTarget{{URL: target}}))
}

// staticFiles returns middleware.Static serving a directory with backup.sql, holding body.
func staticFiles(t *testing.T, body string) echo.MiddlewareFunc {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "backup.sql"), []byte(body), 0o600))
	return middleware.StaticWithConfig(middleware.StaticConfig{Root: dir})
}

// Case 1: the policy is that of the method Echo routed with, whatever a method override
// does to the request afterwards.
func TestMethodOverrideAppliesTheRoutedMethodsPolicy(t *testing.T) {
	override := middleware.MethodOverride()
	for _, setup := range []struct {
		name     string
		pre, use []echo.MiddlewareFunc
	}{
		{"MethodOverride in Use", nil, []echo.MiddlewareFunc{override}},
		{"ContextTimeout then MethodOverride in Pre", []echo.MiddlewareFunc{middleware.ContextTimeout(time.Minute), override}, nil},
		{"WrapMiddleware then MethodOverride in Pre", []echo.MiddlewareFunc{replaceRequest(), override}, nil},
	} {
		t.Run(setup.name, func(t *testing.T) {
			h := bindingHarness(t, harnessOptions{pre: setup.pre, use: setup.use})
			h.e.POST("/webhooks/:id", h.handler("create"))
			h.e.PUT("/webhooks/:id", h.handler("replace"))

			rec := h.do("POST", "/webhooks/42", "", "X-HTTP-Method-Override", "PUT")
			assert.Equal(t, http.StatusUnauthorized, rec.Code, "the admin-only POST handler was routed: its rule applies")
			assert.Empty(t, h.handlers())

			rec = h.do("POST", "/webhooks/42", h.bearer(map[string]any{"roles": []string{"user"}}), "X-HTTP-Method-Override", "PUT")
			assert.Equal(t, http.StatusForbidden, rec.Code)
			assert.Empty(t, h.handlers())

			rec = h.do("POST", "/webhooks/42", h.bearer(map[string]any{"roles": []string{"admin"}}), "X-HTTP-Method-Override", "PUT")
			assert.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, []string{"create"}, h.handlers(), "an admin reaches the handler Echo routed")

			assert.Equal(t, http.StatusOK, h.do("PUT", "/webhooks/42", "").Code, "a real PUT is public")
			assert.Equal(t, []string{"replace"}, h.handlers())
		})
	}
}

// Case 1, the other direction: an override that leads from a public operation's route to
// a protected one's method runs the public handler under the public rule, never the
// protected handler.
func TestMethodOverrideNeverReachesTheOverridingMethodsHandler(t *testing.T) {
	h := bindingHarness(t, harnessOptions{use: []echo.MiddlewareFunc{middleware.MethodOverride()}})
	h.e.POST("/webhooks/:id", h.handler("create"))
	h.e.PUT("/webhooks/:id", h.handler("replace"))
	h.e.PATCH("/webhooks/:id", h.handler("patch")) // undocumented
	rec := h.do("POST", "/webhooks/42", h.bearer(map[string]any{"roles": []string{"admin"}}), "X-HTTP-Method-Override", "PATCH")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, []string{"create"}, h.handlers(), "Echo routed POST: the POST rule allowed the admin, the POST handler ran")
}

// Case 2: middleware of a group that answers requests itself (a proxy, static files)
// never serves a path that has no route.
func TestGroupMiddlewareNeverServesUnroutedPaths(t *testing.T) {
	h := bindingHarness(t, harnessOptions{})
	h.e.GET("/public", h.handler("public"))
	h.e.Group("/internal").Use(proxyTo(t, "SECRET from the backend"))
	h.e.Group("/private-files").Use(staticFiles(t, "SECRET dump"))

	for _, r := range []struct{ method, target string }{
		{"GET", "/internal/config/secrets"},
		{"DELETE", "/internal/config/secrets"},
		{"POST", "/internal"},
		{"GET", "/private-files/backup.sql"},
		{"GET", "/private-files"},
	} {
		for _, auth := range []string{"", h.bearer(map[string]any{"roles": []string{"admin"}})} {
			rec := h.do(r.method, r.target, auth)
			assert.Equal(t, http.StatusNotFound, rec.Code, "%s %s", r.method, r.target)
			assert.NotContains(t, rec.Body.String(), "SECRET", "%s %s", r.method, r.target)
		}
	}

	report := echoaxioms.CheckRoutes(h.e, h.policies)
	assert.Contains(t, report.NotFound, "/internal/*", "CheckRoutes shows the group whose middleware no longer serves unrouted paths")
	assert.Contains(t, report.NotFound, "/private-files/*")
}

// Case 3: routes registered after traffic, on the path of a not-found route, are denied
// unless documented.
func TestRoutesAddedAfterTrafficOnNotFoundPathsAreDenied(t *testing.T) {
	t.Run("group with middleware", func(t *testing.T) {
		h := bindingHarness(t, harnessOptions{})
		admin := h.e.Group("/admin")
		admin.Use(middleware.RequestID())
		assert.Equal(t, http.StatusNotFound, h.do("GET", "/admin/nothing", "").Code)
		admin.GET("/*", h.handler("dump"))
		rec := h.do("GET", "/admin/debug/dump", "")
		assert.Equal(t, http.StatusForbidden, rec.Code)
		assert.Empty(t, h.handlers())
	})
	t.Run("RouteNotFound then a wildcard route", func(t *testing.T) {
		h := bindingHarness(t, harnessOptions{})
		h.e.RouteNotFound("/*", h.handler("not found"))
		assert.Equal(t, http.StatusNotFound, h.do("GET", "/anything", "").Code)
		h.e.POST("/*", h.handler("catch-all"))
		rec := h.do("POST", "/anything", "")
		assert.Equal(t, http.StatusForbidden, rec.Code)
		assert.Empty(t, h.handlers())
		assert.Equal(t, http.StatusNotFound, h.do("GET", "/anything", "").Code)
	})
}

// Case 4: the OPTIONS passthrough lets Echo answer, never an application handler.
func TestOptionsPassthroughNeverRunsApplicationHandlers(t *testing.T) {
	h := bindingHarness(t, harnessOptions{})
	h.e.Match([]string{"POST", "OPTIONS"}, "/graphql", h.handler("graphql"))
	h.e.POST("/webhooks/:id", h.handler("create"))

	assert.Equal(t, http.StatusUnauthorized, h.do("POST", "/graphql", "").Code)
	rec := h.do("OPTIONS", "/graphql", "")
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Empty(t, h.handlers())

	rec = h.do("OPTIONS", "/webhooks/42", "")
	assert.Equal(t, http.StatusNoContent, rec.Code, "Echo's own OPTIONS answer passes")
	assert.Contains(t, rec.Header().Get("Allow"), "POST")

	report := echoaxioms.CheckRoutes(h.e, h.policies)
	assert.Contains(t, report.Undocumented, "OPTIONS /graphql")
}

// Middleware installed after this one that answers by itself (a global Proxy) never
// answers what Echo answers itself: 405, the automatic OPTIONS answer and 404 are given
// directly, so nothing reaches the backend without a decision.
func TestLaterAnsweringMiddlewareNeverServesEchosOwnAnswers(t *testing.T) {
	h := bindingHarness(t, harnessOptions{})
	h.e.POST("/webhooks/:id", h.handler("create"))
	h.e.Use(proxyTo(t, "BACKEND"))

	for _, c := range []struct {
		method, target string
		status         int
		allow          bool
	}{
		{"GET", "/webhooks/42", http.StatusMethodNotAllowed, true},
		{"DELETE", "/webhooks/42", http.StatusMethodNotAllowed, true},
		{"OPTIONS", "/webhooks/42", http.StatusNoContent, true},
		{"GET", "/no-route-at-all", http.StatusNotFound, false},
	} {
		rec := h.do(c.method, c.target, "")
		assert.Equal(t, c.status, rec.Code, "%s %s", c.method, c.target)
		assert.NotContains(t, rec.Body.String(), "BACKEND", "%s %s", c.method, c.target)
		assert.Equal(t, c.allow, strings.Contains(rec.Header().Get("Allow"), "POST"), "%s %s", c.method, c.target)
	}
	assert.Empty(t, h.handlers())
}

// Case 5: routes of a host router are denied unless a document is bound to that host.
func TestHostRoutersNeedTheirOwnDocument(t *testing.T) {
	h := bindingHarness(t, harnessOptions{})
	h.e.GET("/users/:id", h.handler("public user"))
	h.e.Host("admin.internal").GET("/users/:id", h.handler("admin user"))

	assert.Equal(t, http.StatusOK, h.do("GET", "http://api.example/users/42", "").Code)
	assert.Equal(t, []string{"public user"}, h.handlers())
	rec := h.do("GET", "http://admin.internal/users/42", "")
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Empty(t, h.handlers())

	report := echoaxioms.CheckRoutes(h.e, h.policies)
	assert.Contains(t, report.Undocumented, "GET admin.internal/users/:id")
}

// Case 6: a route that uses one of the document's parameter names at another position
// fails the route check, and the owner rule never compares one parameter while the
// handler reads another.
func TestParameterNameAtAnotherPosition(t *testing.T) {
	h := bindingHarness(t, harnessOptions{})
	h.e.DELETE("/users/:follower/follows/:user_id", h.handler("unfollow"))

	err := echoaxioms.CheckRoutes(h.e, h.policies).Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `DELETE /users/:follower/follows/:user_id: parameter "user_id" is parameter 2 of the route but parameter 1 of the document's DELETE /users/{user_id}/follows/{other_id} (#/paths/~1users~1{user_id}~1follows~1{other_id}/delete)`)

	rec := h.do("DELETE", "/users/mallory/follows/alice", h.bearer(map[string]any{"sub": "mallory"}))
	assert.Equal(t, http.StatusInternalServerError, rec.Code, "the route cannot be bound to the rule: a server error")
	assert.Empty(t, h.handlers(), "mallory never reaches the handler, which reads user_id = alice")

	good := bindingHarness(t, harnessOptions{})
	good.e.DELETE("/users/:id/follows/:other", good.handler("unfollow"))
	for _, line := range strings.Split(echoaxioms.CheckRoutes(good.e, good.policies).Err().Error(), ";") {
		assert.NotContains(t, line, "follows", "different names at the same positions are fine")
	}
	assert.Equal(t, http.StatusOK, good.do("DELETE", "/users/mallory/follows/alice", good.bearer(map[string]any{"sub": "mallory"})).Code)
}

// hostDoc is the document of the admin host in TestHostRoutersBoundToADocument.
var hostDoc = specgen.Doc{Security: "[{oauth2: []}]"}.YAML(`
  /users/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: adminGetUser, x-axioms-roles: [admin], responses: {"200": {description: ok}}}
`)

// Case 5, with a document bound to the host: the host's own rules apply there, the main
// document's everywhere else, and CheckRoutes compares each router with its document.
func TestHostRoutersBoundToADocument(t *testing.T) {
	adminPolicies, err := openapi.LoadData(hostDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	var records []echoaxioms.AuditRecord
	var mu sync.Mutex
	h := bindingHarness(t, harnessOptions{config: func(c *echoaxioms.Config) {
		c.Hosts = map[string]echoaxioms.Config{"admin.internal": {
			Policies:  adminPolicies,
			Validator: c.Validator,
			AuditHook: func(_ echo.Context, r echoaxioms.AuditRecord) { mu.Lock(); records = append(records, r); mu.Unlock() },
		}}
	}})
	h.e.GET("/users/:id", h.handler("public user"))
	h.e.Host("admin.internal").GET("/users/:id", h.handler("admin user"))
	h.e.Host("other.internal").GET("/users/:id", h.handler("other user"))

	assert.Equal(t, http.StatusOK, h.do("GET", "http://api.example/users/42", "").Code)
	assert.Equal(t, []string{"public user"}, h.handlers())
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "http://admin.internal/users/42", "").Code)
	assert.Equal(t, http.StatusForbidden, h.do("GET", "http://admin.internal/users/42", h.bearer(map[string]any{"roles": []string{"user"}})).Code)
	assert.Empty(t, h.handlers())
	assert.Equal(t, http.StatusOK, h.do("GET", "http://admin.internal/users/42", h.bearer(map[string]any{"roles": []string{"admin"}})).Code)
	assert.Equal(t, []string{"admin user"}, h.handlers())
	assert.Equal(t, http.StatusForbidden, h.do("GET", "http://other.internal/users/42", h.bearer(map[string]any{"roles": []string{"admin"}})).Code, "a host without a document")
	assert.Empty(t, h.handlers())
	mu.Lock()
	assert.Len(t, records, 3, "the host's own audit hook sees the host's decisions")
	assert.Equal(t, "adminGetUser", records[2].OperationID)
	mu.Unlock()

	report := h.cfg.CheckRoutes(h.e)
	assert.Equal(t, []string{"GET other.internal/users/:id"}, report.Undocumented)
	assert.NotContains(t, report.Unrouted, "GET admin.internal/users/{id}")
	assert.Contains(t, report.Unrouted, "POST /webhooks/{id}")

	_, err = echoaxioms.Config{Policies: h.policies, Validator: h.cfg.Validator, Hosts: map[string]echoaxioms.Config{
		"nested": {Policies: adminPolicies, Validator: h.cfg.Validator, Hosts: map[string]echoaxioms.Config{}},
		"broken": {Policies: adminPolicies},
	}}.ToMiddleware()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Hosts["nested"] has Hosts of its own`)
	assert.Contains(t, err.Error(), `Hosts["broken"]: echoaxioms: security scheme "oauth2" needs a token validator`)
}

// TestRouteBindingSetups runs the setups of SECURITY.md's "Route binding" table: for each,
// an anonymous caller is refused and never reaches a handler, and an admin reaches the
// handler Echo routed to, under that handler's rule.
func TestRouteBindingSetups(t *testing.T) {
	proxy := func() echo.MiddlewareFunc { return proxyTo(t, "proxied") }
	static := func() echo.MiddlewareFunc { return staticFiles(t, "dump") }
	override := []string{"X-HTTP-Method-Override", "PUT"}
	type request struct {
		method, target string
		header         []string
	}
	for _, c := range []struct {
		setup   string
		pre     []echo.MiddlewareFunc
		use     []echo.MiddlewareFunc
		routes  func(h *harness)
		req     request
		anon    int    // status for an anonymous caller
		admin   int    // status for an admin
		handler string // the handler the admin reaches ("" for none)
	}{
		{setup: "MethodOverride in Pre", pre: []echo.MiddlewareFunc{middleware.MethodOverride()},
			req: request{"POST", "/webhooks/1", override}, anon: 200, admin: 200, handler: "replace"},
		{setup: "MethodOverride in Use", use: []echo.MiddlewareFunc{middleware.MethodOverride()},
			req: request{"POST", "/webhooks/1", override}, anon: 401, admin: 200, handler: "create"},
		{setup: "ContextTimeout, then MethodOverride, in Pre", pre: []echo.MiddlewareFunc{middleware.ContextTimeout(time.Minute), middleware.MethodOverride()},
			req: request{"POST", "/webhooks/1", override}, anon: 401, admin: 200, handler: "create"},
		{setup: "WrapMiddleware replacing the request, then MethodOverride, in Pre", pre: []echo.MiddlewareFunc{replaceRequest(), middleware.MethodOverride()},
			req: request{"POST", "/webhooks/1", override}, anon: 401, admin: 200, handler: "create"},
		{setup: "Proxy in a group", routes: func(h *harness) { h.e.Group("/internal").Use(proxy()) },
			req: request{"GET", "/internal/config", nil}, anon: 404, admin: 404},
		{setup: "Static in a group", routes: func(h *harness) { h.e.Group("/private-files").Use(static()) },
			req: request{"GET", "/private-files/backup.sql", nil}, anon: 404, admin: 404},
		{setup: "Proxy in a group, on a documented route", routes: func(h *harness) {
			h.e.Group("/webhooks", proxy()).POST("/:id", h.handler("never: the proxy answers"))
		}, req: request{"POST", "/webhooks/1", nil}, anon: 401, admin: 200},
		{setup: "route added after traffic", routes: func(h *harness) {
			h.do("GET", "/late", "")
			h.e.GET("/late", h.handler("late"))
		}, req: request{"GET", "/late", nil}, anon: 403, admin: 403},
		{setup: "RouteNotFound", routes: func(h *harness) { h.e.RouteNotFound("/*", h.handler("not found")) },
			req: request{"GET", "/nothing", nil}, anon: 404, admin: 404},
		{setup: "Match with OPTIONS", routes: func(h *harness) { h.e.Match([]string{"POST", "OPTIONS"}, "/graphql", h.handler("graphql")) },
			req: request{"OPTIONS", "/graphql", nil}, anon: 403, admin: 403},
		{setup: "host router without a document", routes: func(h *harness) { h.e.Host("admin.internal").POST("/webhooks/:id", h.handler("admin")) },
			req: request{"POST", "http://admin.internal/webhooks/1", nil}, anon: 403, admin: 403},
		{setup: "Rewrite in Pre", pre: []echo.MiddlewareFunc{middleware.Rewrite(map[string]string{"/hooks/*": "/webhooks/$1"})},
			req: request{"POST", "/hooks/1", nil}, anon: 401, admin: 200, handler: "create"},
		{setup: "Rewrite in Use", use: []echo.MiddlewareFunc{middleware.Rewrite(map[string]string{"/public": "/webhooks/1"})},
			req: request{"GET", "/public", nil}, anon: 200, admin: 200, handler: "public"},
		{setup: "RemoveTrailingSlash in Pre", pre: []echo.MiddlewareFunc{middleware.RemoveTrailingSlash()},
			req: request{"POST", "/webhooks/1/", nil}, anon: 401, admin: 200, handler: "create"},
		{setup: "AddTrailingSlash in Pre", pre: []echo.MiddlewareFunc{middleware.AddTrailingSlash()},
			req: request{"POST", "/webhooks/1", nil}, anon: 401, admin: 200, handler: "create"},
	} {
		t.Run(c.setup, func(t *testing.T) {
			h := bindingHarness(t, harnessOptions{pre: c.pre, use: c.use})
			h.e.POST("/webhooks/:id", h.handler("create"))
			h.e.PUT("/webhooks/:id", h.handler("replace"))
			h.e.GET("/public", h.handler("public"))
			if c.routes != nil {
				c.routes(h)
			}
			h.handlers()
			rec := h.do(c.req.method, c.req.target, "", c.req.header...)
			assert.Equal(t, c.anon, rec.Code, "anonymous: %s", rec.Body.String())
			if c.anon != http.StatusOK {
				assert.Empty(t, h.handlers(), "anonymous")
			}
			h.handlers()
			rec = h.do(c.req.method, c.req.target, h.bearer(map[string]any{"roles": []string{"admin"}}), c.req.header...)
			assert.Equal(t, c.admin, rec.Code, "admin: %s", rec.Body.String())
			if c.handler != "" {
				assert.Equal(t, []string{c.handler}, h.handlers(), "admin")
			} else {
				assert.Empty(t, h.handlers(), "admin")
			}
		})
	}
}

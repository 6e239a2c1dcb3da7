package echo5axioms_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/internal/specgen"
)

// The route-binding guarantees (DESIGN §5): whatever code answers a request, the
// document's rule for that code was applied first, or the request was denied. Each test
// below reproduces an ordinary Echo v5 setup that could let a request reach code that no
// rule (or another operation's rule) covers, as echoaxioms' tests do for Echo v4.

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

// admin is the claims of a caller who holds the admin role.
var admin = map[string]any{"roles": []string{"admin"}}

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
	require.NoError(t, os.WriteFile(dir+"/backup.sql", []byte(body), 0o600))
	return middleware.StaticWithConfig(middleware.StaticConfig{Filesystem: os.DirFS(dir)})
}

// The policy is that of the method Echo routed with, whatever a method override does to
// the request afterwards. Echo v5 routes with the request as its Pre middleware leave it
// (a request that one of them replaced included), so an override in e.Pre routes with
// the overriding method, and its rule and its handler go together; an override in e.Use
// comes after routing, so the routed POST handler runs, under the POST rule.
func TestMethodOverrideAppliesTheRoutedMethodsPolicy(t *testing.T) {
	override := middleware.MethodOverride()
	for _, setup := range []struct {
		name     string
		pre, use []echo.MiddlewareFunc
		routed   string // the handler Echo routes to: "create" (POST, admin only) or "replace" (PUT, public)
	}{
		{"MethodOverride in Use", nil, []echo.MiddlewareFunc{override}, "create"},
		{"ContextTimeout then MethodOverride in Use", nil, []echo.MiddlewareFunc{middleware.ContextTimeout(time.Minute), override}, "create"},
		{"WrapMiddleware then MethodOverride in Use", nil, []echo.MiddlewareFunc{replaceRequest(), override}, "create"},
		{"MethodOverride in Pre", []echo.MiddlewareFunc{override}, nil, "replace"},
		{"ContextTimeout then MethodOverride in Pre", []echo.MiddlewareFunc{middleware.ContextTimeout(time.Minute), override}, nil, "replace"},
		{"WrapMiddleware then MethodOverride in Pre", []echo.MiddlewareFunc{replaceRequest(), override}, nil, "replace"},
	} {
		t.Run(setup.name, func(t *testing.T) {
			h := bindingHarness(t, harnessOptions{pre: setup.pre, use: setup.use})
			h.e.POST("/webhooks/:id", h.handler("create"))
			h.e.PUT("/webhooks/:id", h.handler("replace"))
			operation, method, anon, user := "createWebhook", "POST", http.StatusUnauthorized, http.StatusForbidden
			if setup.routed == "replace" {
				operation, method, anon, user = "replaceWebhook", "PUT", http.StatusOK, http.StatusOK
			}

			rec := h.do("POST", "/webhooks/42", "", "X-HTTP-Method-Override", "PUT")
			assert.Equal(t, anon, rec.Code, "the routed handler's rule applies to an anonymous caller")
			rec = h.do("POST", "/webhooks/42", h.bearer(map[string]any{"roles": []string{"user"}}), "X-HTTP-Method-Override", "PUT")
			assert.Equal(t, user, rec.Code, "the routed handler's rule applies to a user")
			for _, ran := range h.handlers() {
				assert.Equal(t, setup.routed, ran, "only the routed handler ever runs")
			}

			rec = h.do("POST", "/webhooks/42", h.bearer(admin), "X-HTTP-Method-Override", "PUT")
			assert.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, []string{setup.routed}, h.handlers(), "an admin reaches the handler Echo routed")
			records := h.records()
			require.NotEmpty(t, records)
			last := records[len(records)-1]
			assert.Equal(t, operation, last.OperationID)
			assert.Equal(t, method, last.Method, "the record names the routed method")

			assert.Equal(t, http.StatusOK, h.do("PUT", "/webhooks/42", "").Code, "a real PUT is public")
			assert.Equal(t, []string{"replace"}, h.handlers())
		})
	}
}

// The other direction: an override that leads from a protected operation's route to an
// undocumented method runs the routed handler under its own rule, never the overriding
// method's handler.
func TestMethodOverrideNeverReachesTheOverridingMethodsHandler(t *testing.T) {
	h := bindingHarness(t, harnessOptions{use: []echo.MiddlewareFunc{middleware.MethodOverride()}})
	h.e.POST("/webhooks/:id", h.handler("create"))
	h.e.PUT("/webhooks/:id", h.handler("replace"))
	h.e.PATCH("/webhooks/:id", h.handler("patch")) // undocumented
	rec := h.do("POST", "/webhooks/42", h.bearer(admin), "X-HTTP-Method-Override", "PATCH")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, []string{"create"}, h.handlers(), "Echo routed POST: the POST rule allowed the admin, the POST handler ran")
}

// Middleware of a group that answers requests itself (a proxy, static files) never
// serves a path that has no route.
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
		for _, auth := range []string{"", h.bearer(admin)} {
			rec := h.do(r.method, r.target, auth)
			assert.Equal(t, http.StatusNotFound, rec.Code, "%s %s", r.method, r.target)
			assert.NotContains(t, rec.Body.String(), "SECRET", "%s %s", r.method, r.target)
		}
	}
	assert.Empty(t, h.records(), "Echo's own 404: no decision")

	report := echo5axioms.CheckRoutes(h.e, h.policies)
	assert.Contains(t, report.NotFound, "/internal/*", "CheckRoutes shows the group whose middleware no longer serves unrouted paths")
	assert.Contains(t, report.NotFound, "/private-files/*")

	open := bindingHarness(t, harnessOptions{config: func(c *echo5axioms.Config) { c.InsecureAllowUndocumented = true }})
	open.e.Group("/internal").Use(proxyTo(t, "served by the backend"))
	rec := open.do("GET", "/internal/config", "")
	assert.Equal(t, http.StatusOK, rec.Code, "InsecureAllowUndocumented lets the group's middleware serve")
	assert.Equal(t, "served by the backend", rec.Body.String())
	records := open.records()
	require.Len(t, records, 1)
	assert.Equal(t, enforce.OutcomePassed, records[0].Outcome)
	assert.Equal(t, enforce.ReasonUndocumentedRoute, records[0].Reason)
}

// Routes registered after traffic, by any registration API, are denied unless
// documented.
func TestRoutesAddedAfterTrafficAreDenied(t *testing.T) {
	t.Run("group with middleware", func(t *testing.T) {
		h := bindingHarness(t, harnessOptions{})
		adminGroup := h.e.Group("/admin")
		adminGroup.Use(middleware.RequestID())
		assert.Equal(t, http.StatusNotFound, h.do("GET", "/admin/nothing", "").Code)
		adminGroup.GET("/*", h.handler("dump"))
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
		assert.Empty(t, h.handlers(), "the custom not-found handler never runs")
	})
	t.Run("every registration API", func(t *testing.T) {
		h := bindingHarness(t, harnessOptions{})
		valid := h.bearer(admin)
		require.Equal(t, http.StatusNotFound, h.do("GET", "/late", valid).Code, "traffic before the routes are added")
		h.e.GET("/late", h.handler("late"))
		_, err := h.e.AddRoute(echo.Route{Method: http.MethodGet, Path: "/add-route", Handler: h.handler("add-route")})
		require.NoError(t, err)
		_, err = h.e.Router().Add(echo.Route{Method: http.MethodGet, Path: "/router-add", Handler: h.handler("router-add")})
		require.NoError(t, err)
		h.e.Group("/late-group").GET("/x", h.handler("group"))
		h.e.Match([]string{"GET", "PATCH"}, "/match", h.handler("match"))
		for _, target := range []string{"/late", "/add-route", "/router-add", "/late-group/x", "/match"} {
			rec := h.do("GET", target, valid)
			assert.Equal(t, http.StatusForbidden, rec.Code, target)
			assert.Equal(t, "forbidden", body(t, rec)["error"], target)
			assert.Equal(t, []echo5axioms.AuditRecord{{Method: "GET", Route: target, Outcome: enforce.OutcomeDenied,
				Status: http.StatusForbidden, Reason: enforce.ReasonUndocumentedRoute}}, h.records(), target)
		}
		assert.Empty(t, h.handlers())
		report := echo5axioms.CheckRoutes(h.e, h.policies)
		assert.Subset(t, report.Undocumented, []string{"GET /add-route", "GET /router-add", "PATCH /match"},
			"Echo v5 lists every route, those of e.Router().Add included")
	})
}

// The OPTIONS passthrough lets Echo answer, never an application handler.
func TestOptionsPassthroughNeverRunsApplicationHandlers(t *testing.T) {
	h := bindingHarness(t, harnessOptions{})
	h.e.Match([]string{"POST", "OPTIONS"}, "/graphql", h.handler("graphql"))
	h.e.POST("/webhooks/:id", h.handler("create"))

	assert.Equal(t, http.StatusUnauthorized, h.do("POST", "/graphql", "").Code)
	rec := h.do("OPTIONS", "/graphql", "")
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Empty(t, h.handlers())

	h.records()
	rec = h.do("OPTIONS", "/webhooks/42", "")
	assert.Equal(t, http.StatusNoContent, rec.Code, "Echo's own OPTIONS answer passes")
	assert.Contains(t, rec.Header().Get("Allow"), "POST")
	assert.Empty(t, h.records(), "Echo's own answer: no decision")

	report := echo5axioms.CheckRoutes(h.e, h.policies)
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

// hostDoc is the document of the admin virtual host in TestVirtualHostsNeedTheirOwnDocument.
var hostDoc = specgen.Doc{Security: "[{oauth2: []}]"}.YAML(`
  /users/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: adminGetUser, x-axioms-roles: [admin], responses: {"200": {description: ok}}}
`)

// Echo v5 has no host routers inside one Echo: a virtual-host handler hands each host's
// requests to that host's Echo. With the middleware in each host's Echo, a host is
// enforced by its own document, and a host's routes that its document does not describe
// are denied.
func TestVirtualHostsNeedTheirOwnDocument(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	adminHost := newHarness(t, harnessOptions{doc: hostDoc, issuer: iss})
	adminHost.e.GET("/users/:id", adminHost.handler("admin user"))
	otherHost := bindingHarness(t, harnessOptions{issuer: iss}) // the main document
	otherHost.e.GET("/other/:id", otherHost.handler("other user"))
	// Requests for other hosts are served by the virtual-host handler's own Echo.
	vhosts := echo.NewVirtualHostHandler(map[string]*echo.Echo{"admin.internal": adminHost.e, "other.internal": otherHost.e})
	main := bindingHarness(t, harnessOptions{issuer: iss, echo: vhosts})
	main.e.GET("/users/:id", main.handler("public user"))

	assert.Equal(t, http.StatusOK, main.do("GET", "http://api.example/users/42", "").Code, "the main document: public")
	assert.Equal(t, []string{"public user"}, main.handlers())
	assert.Equal(t, http.StatusUnauthorized, main.do("GET", "http://admin.internal/users/42", "").Code, "the admin host's own document")
	assert.Equal(t, http.StatusForbidden, main.do("GET", "http://admin.internal/users/42", main.bearer(map[string]any{"roles": []string{"user"}})).Code)
	assert.Empty(t, adminHost.handlers())
	assert.Equal(t, http.StatusOK, main.do("GET", "http://admin.internal/users/42", main.bearer(admin)).Code)
	assert.Equal(t, []string{"admin user"}, adminHost.handlers())
	assert.Empty(t, main.handlers())
	assert.Equal(t, http.StatusForbidden, main.do("GET", "http://other.internal/other/42", main.bearer(admin)).Code, "a route its document does not describe")
	assert.Empty(t, otherHost.handlers())
	records := adminHost.records()
	require.Len(t, records, 3, "the host's own audit hook sees the host's decisions")
	assert.Equal(t, "adminGetUser", records[2].OperationID)
	assert.Len(t, main.records(), 1, "the dispatching Echo's middleware sees only its own host's requests")

	assert.NoError(t, echo5axioms.CheckRoutes(adminHost.e, adminHost.policies).Err())
	assert.Equal(t, []string{"GET /other/:id"}, echo5axioms.CheckRoutes(otherHost.e, otherHost.policies).Undocumented)
}

// A route that uses one of the document's parameter names at another position fails the
// route check, and the owner rule never compares one parameter while the handler reads
// another.
func TestParameterNameAtAnotherPosition(t *testing.T) {
	h := bindingHarness(t, harnessOptions{})
	h.e.DELETE("/users/:follower/follows/:user_id", h.handler("unfollow"))

	err := echo5axioms.CheckRoutes(h.e, h.policies).Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `DELETE /users/:follower/follows/:user_id: parameter "user_id" is parameter 2 of the route but parameter 1 of the document's DELETE /users/{user_id}/follows/{other_id} (#/paths/~1users~1{user_id}~1follows~1{other_id}/delete)`)

	rec := h.do("DELETE", "/users/mallory/follows/alice", h.bearer(map[string]any{"sub": "mallory"}))
	assert.Equal(t, http.StatusInternalServerError, rec.Code, "the route cannot be bound to the rule: a server error")
	assert.Empty(t, h.handlers(), "mallory never reaches the handler, which reads user_id = alice")
	records := h.records()
	require.Len(t, records, 1)
	assert.Equal(t, enforce.ReasonServerError, records[0].Reason)

	good := bindingHarness(t, harnessOptions{})
	good.e.DELETE("/users/:id/follows/:other", good.handler("unfollow"))
	for _, line := range strings.Split(echo5axioms.CheckRoutes(good.e, good.policies).Err().Error(), ";") {
		assert.NotContains(t, line, "follows", "different names at the same positions are fine")
	}
	assert.Equal(t, http.StatusOK, good.do("DELETE", "/users/mallory/follows/alice", good.bearer(map[string]any{"sub": "mallory"})).Code)
	assert.Equal(t, http.StatusForbidden, good.do("DELETE", "/users/alice/follows/mallory", good.bearer(map[string]any{"sub": "mallory"})).Code)
}

// A route of e.Any serves every method without a route of its own with one handler: the
// operation of the method it serves applies, and methods the document does not describe
// there are denied.
func TestAnyRouteAppliesTheServedMethodsOperation(t *testing.T) {
	h := bindingHarness(t, harnessOptions{use: []echo.MiddlewareFunc{middleware.MethodOverride()}})
	h.e.Any("/webhooks/:id", h.handler("any"))

	assert.Equal(t, http.StatusUnauthorized, h.do("POST", "/webhooks/1", "").Code, "POST: the admin-only operation")
	assert.Equal(t, http.StatusOK, h.do("POST", "/webhooks/1", h.bearer(admin)).Code)
	assert.Equal(t, http.StatusOK, h.do("PUT", "/webhooks/1", "").Code, "PUT: the public operation")
	assert.Equal(t, []string{"any", "any"}, h.handlers())
	assert.Equal(t, http.StatusForbidden, h.do("DELETE", "/webhooks/1", h.bearer(admin)).Code, "DELETE: undocumented")
	assert.Equal(t, http.StatusForbidden, h.do("OPTIONS", "/webhooks/1", "").Code, "OPTIONS: an application handler")
	assert.Empty(t, h.handlers())

	// The handler serves the request with its method as the override left it: that
	// method's operation applies.
	assert.Equal(t, http.StatusOK, h.do("POST", "/webhooks/1", "", "X-HTTP-Method-Override", "PUT").Code)
	assert.Equal(t, http.StatusForbidden, h.do("POST", "/webhooks/1", h.bearer(admin), "X-HTTP-Method-Override", "DELETE").Code)

	report := echo5axioms.CheckRoutes(h.e, h.policies)
	assert.Contains(t, report.Undocumented, "ANY /webhooks/:id")
	assert.NotContains(t, report.Unrouted, "POST /webhooks/{id}")
	assert.NotContains(t, report.Unrouted, "PUT /webhooks/{id}")
}

// With AutoHandleHEAD, Echo serves HEAD with the GET route: the GET operation's rule
// applies to it.
func TestAutoHandleHEADAppliesTheGETOperation(t *testing.T) {
	doc := specgen.Doc{Security: "[{oauth2: []}]"}.YAML(`
  /reports:
    get: {operationId: reports, x-axioms-roles: [admin], responses: {"200": {description: ok}}}
`)
	e := echo.NewWithConfig(echo.Config{Router: echo.NewRouter(echo.RouterConfig{AutoHandleHEAD: true})})
	h := newHarness(t, harnessOptions{doc: doc, echo: e})
	h.e.GET("/reports", h.handler("reports"))

	assert.Equal(t, http.StatusUnauthorized, h.do("HEAD", "/reports", "").Code)
	assert.Equal(t, http.StatusForbidden, h.do("HEAD", "/reports", h.bearer(map[string]any{"roles": []string{"user"}})).Code)
	assert.Empty(t, h.handlers())
	assert.Equal(t, http.StatusOK, h.do("HEAD", "/reports", h.bearer(admin)).Code)
	assert.Equal(t, []string{"reports"}, h.handlers())
}

// TestRouteBindingSetups runs the setups of SECURITY.md's "Route binding" table on Echo
// v5: for each, an anonymous caller is refused and never reaches a handler, and an admin
// reaches the handler Echo routed to, under that handler's rule.
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
			req: request{"POST", "/webhooks/1", override}, anon: 200, admin: 200, handler: "replace"},
		{setup: "WrapMiddleware replacing the request, then MethodOverride, in Pre", pre: []echo.MiddlewareFunc{replaceRequest(), middleware.MethodOverride()},
			req: request{"POST", "/webhooks/1", override}, anon: 200, admin: 200, handler: "replace"},
		{setup: "WrapMiddleware replacing the request, then MethodOverride, in Use", use: []echo.MiddlewareFunc{replaceRequest(), middleware.MethodOverride()},
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
			rec = h.do(c.req.method, c.req.target, h.bearer(admin), c.req.header...)
			assert.Equal(t, c.admin, rec.Code, "admin: %s", rec.Body.String())
			if c.handler != "" {
				assert.Equal(t, []string{c.handler}, h.handlers(), "admin")
			} else {
				assert.Empty(t, h.handlers(), "admin")
			}
		})
	}
}

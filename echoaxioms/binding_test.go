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

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
)

// The route-binding guarantees (DESIGN §5): whatever code answers a request, the
// document's rule for that code was applied first, or the request was denied. Each test
// below reproduces an ordinary Echo setup that once let a request reach code that no rule
// (or another operation's rule) covered.

// bindingDoc documents the operations the binding tests route.
const bindingDoc = `
openapi: 3.1.0
info: {title: route binding, version: "1"}
security: [{oauth2: []}]
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: https://issuer.example/token, scopes: {admin: a}}}
paths:
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
`

// bindingApp is an Echo app with the middleware, whose handlers report that they ran.
type bindingApp struct {
	t        *testing.T
	e        *echo.Echo
	iss      *axiomstest.Issuer
	policies *openapi.Policies
	cfg      echoaxioms.Config
	mu       sync.Mutex
	ran      []string // the handlers that ran, by name
}

// newBindingApp builds the app; pre and use are installed around the middleware (pre with
// e.Pre, use with e.Use before it) so that each test chooses its placements.
func newBindingApp(t *testing.T, mutate func(*echoaxioms.Config), pre, use []echo.MiddlewareFunc) *bindingApp {
	t.Helper()
	a := &bindingApp{t: t, e: echo.New(), iss: axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})}
	var err error
	a.policies, err = openapi.LoadData([]byte(bindingDoc), openapi.LoadOptions{})
	require.NoError(t, err)
	a.cfg = echoaxioms.Config{Policies: a.policies, Validator: a.iss.Validator(t)}
	if mutate != nil {
		mutate(&a.cfg)
	}
	a.e.Pre(pre...)
	a.e.Use(use...)
	a.e.Use(echoaxioms.WithConfig(a.cfg))
	return a
}

// handler returns a handler that records its name and answers 200 with it.
func (a *bindingApp) handler(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		a.mu.Lock()
		a.ran = append(a.ran, name)
		a.mu.Unlock()
		return c.String(http.StatusOK, name)
	}
}

// handlers returns the names of the handlers that ran, and forgets them.
func (a *bindingApp) handlers() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	ran := a.ran
	a.ran = nil
	return ran
}

func (a *bindingApp) send(method, target, auth string, header ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

func (a *bindingApp) bearer(claims map[string]any) string {
	return "Bearer " + a.iss.Token(a.t, axiomstest.TokenSpec{Claims: claims})
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
			a := newBindingApp(t, nil, setup.pre, setup.use)
			a.e.POST("/webhooks/:id", a.handler("create"))
			a.e.PUT("/webhooks/:id", a.handler("replace"))

			rec := a.send("POST", "/webhooks/42", "", "X-HTTP-Method-Override", "PUT")
			assert.Equal(t, http.StatusUnauthorized, rec.Code, "the admin-only POST handler was routed: its rule applies")
			assert.Empty(t, a.handlers())

			rec = a.send("POST", "/webhooks/42", a.bearer(map[string]any{"roles": []string{"user"}}), "X-HTTP-Method-Override", "PUT")
			assert.Equal(t, http.StatusForbidden, rec.Code)
			assert.Empty(t, a.handlers())

			rec = a.send("POST", "/webhooks/42", a.bearer(map[string]any{"roles": []string{"admin"}}), "X-HTTP-Method-Override", "PUT")
			assert.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, []string{"create"}, a.handlers(), "an admin reaches the handler Echo routed")

			assert.Equal(t, http.StatusOK, a.send("PUT", "/webhooks/42", "").Code, "a real PUT is public")
			assert.Equal(t, []string{"replace"}, a.handlers())
		})
	}
}

// Case 1, the other direction: an override that leads from a public operation's route to
// a protected one's method runs the public handler under the public rule, never the
// protected handler.
func TestMethodOverrideNeverReachesTheOverridingMethodsHandler(t *testing.T) {
	a := newBindingApp(t, nil, nil, []echo.MiddlewareFunc{middleware.MethodOverride()})
	a.e.POST("/webhooks/:id", a.handler("create"))
	a.e.PUT("/webhooks/:id", a.handler("replace"))
	a.e.PATCH("/webhooks/:id", a.handler("patch")) // undocumented
	rec := a.send("POST", "/webhooks/42", a.bearer(map[string]any{"roles": []string{"admin"}}), "X-HTTP-Method-Override", "PATCH")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, []string{"create"}, a.handlers(), "Echo routed POST: the POST rule allowed the admin, the POST handler ran")
}

// Case 2: middleware of a group that answers requests itself (a proxy, static files)
// never serves a path that has no route.
func TestGroupMiddlewareNeverServesUnroutedPaths(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("SECRET from the backend"))
	}))
	t.Cleanup(backend.Close)
	target, err := url.Parse(backend.URL)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "backup.sql"), []byte("SECRET dump"), 0o600))

	a := newBindingApp(t, nil, nil, nil)
	a.e.GET("/public", a.handler("public"))
	a.e.Group("/internal").Use(middleware.Proxy(middleware.NewRoundRobinBalancer([]*middleware.ProxyTarget{{URL: target}})))
	a.e.Group("/private-files").Use(middleware.StaticWithConfig(middleware.StaticConfig{Root: dir}))

	for _, r := range []struct{ method, target string }{
		{"GET", "/internal/config/secrets"},
		{"DELETE", "/internal/config/secrets"},
		{"POST", "/internal"},
		{"GET", "/private-files/backup.sql"},
		{"GET", "/private-files"},
	} {
		for _, auth := range []string{"", a.bearer(map[string]any{"roles": []string{"admin"}})} {
			rec := a.send(r.method, r.target, auth)
			assert.Equal(t, http.StatusNotFound, rec.Code, "%s %s", r.method, r.target)
			assert.NotContains(t, rec.Body.String(), "SECRET", "%s %s", r.method, r.target)
		}
	}

	report := echoaxioms.CheckRoutes(a.e, a.policies)
	assert.Contains(t, report.NotFound, "/internal/*", "CheckRoutes shows the group whose middleware no longer serves unrouted paths")
	assert.Contains(t, report.NotFound, "/private-files/*")
}

// Case 3: routes registered after traffic, on the path of a not-found route, are denied
// unless documented.
func TestRoutesAddedAfterTrafficOnNotFoundPathsAreDenied(t *testing.T) {
	t.Run("group with middleware", func(t *testing.T) {
		a := newBindingApp(t, nil, nil, nil)
		admin := a.e.Group("/admin")
		admin.Use(middleware.RequestID())
		assert.Equal(t, http.StatusNotFound, a.send("GET", "/admin/nothing", "").Code)
		admin.GET("/*", a.handler("dump"))
		rec := a.send("GET", "/admin/debug/dump", "")
		assert.Equal(t, http.StatusForbidden, rec.Code)
		assert.Empty(t, a.handlers())
	})
	t.Run("RouteNotFound then a wildcard route", func(t *testing.T) {
		a := newBindingApp(t, nil, nil, nil)
		a.e.RouteNotFound("/*", a.handler("not found"))
		assert.Equal(t, http.StatusNotFound, a.send("GET", "/anything", "").Code)
		a.e.POST("/*", a.handler("catch-all"))
		rec := a.send("POST", "/anything", "")
		assert.Equal(t, http.StatusForbidden, rec.Code)
		assert.Empty(t, a.handlers())
		assert.Equal(t, http.StatusNotFound, a.send("GET", "/anything", "").Code)
	})
}

// Case 4: the OPTIONS passthrough lets Echo answer, never an application handler.
func TestOptionsPassthroughNeverRunsApplicationHandlers(t *testing.T) {
	a := newBindingApp(t, nil, nil, nil)
	a.e.Match([]string{"POST", "OPTIONS"}, "/graphql", a.handler("graphql"))
	a.e.POST("/webhooks/:id", a.handler("create"))

	assert.Equal(t, http.StatusUnauthorized, a.send("POST", "/graphql", "").Code)
	rec := a.send("OPTIONS", "/graphql", "")
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Empty(t, a.handlers())

	rec = a.send("OPTIONS", "/webhooks/42", "")
	assert.Equal(t, http.StatusNoContent, rec.Code, "Echo's own OPTIONS answer passes")
	assert.Contains(t, rec.Header().Get("Allow"), "POST")

	report := echoaxioms.CheckRoutes(a.e, a.policies)
	assert.Contains(t, report.Undocumented, "OPTIONS /graphql")
}

// Case 5: routes of a host router are denied unless a document is bound to that host.
func TestHostRoutersNeedTheirOwnDocument(t *testing.T) {
	a := newBindingApp(t, nil, nil, nil)
	a.e.GET("/users/:id", a.handler("public user"))
	a.e.Host("admin.internal").GET("/users/:id", a.handler("admin user"))

	assert.Equal(t, http.StatusOK, a.send("GET", "http://api.example/users/42", "").Code)
	assert.Equal(t, []string{"public user"}, a.handlers())
	rec := a.send("GET", "http://admin.internal/users/42", "")
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Empty(t, a.handlers())

	report := echoaxioms.CheckRoutes(a.e, a.policies)
	assert.Contains(t, report.Undocumented, "GET admin.internal/users/:id")
}

// Case 6: a route that uses one of the document's parameter names at another position
// fails the route check, and the owner rule never compares one parameter while the
// handler reads another.
func TestParameterNameAtAnotherPosition(t *testing.T) {
	a := newBindingApp(t, nil, nil, nil)
	a.e.DELETE("/users/:follower/follows/:user_id", a.handler("unfollow"))

	err := echoaxioms.CheckRoutes(a.e, a.policies).Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `DELETE /users/:follower/follows/:user_id: parameter "user_id" is parameter 2 of the route but parameter 1 of the document's DELETE /users/{user_id}/follows/{other_id} (#/paths/~1users~1{user_id}~1follows~1{other_id}/delete)`)

	rec := a.send("DELETE", "/users/mallory/follows/alice", a.bearer(map[string]any{"sub": "mallory"}))
	assert.Equal(t, http.StatusInternalServerError, rec.Code, "the route cannot be bound to the rule: a server error")
	assert.Empty(t, a.handlers(), "mallory never reaches the handler, which reads user_id = alice")

	ok := newBindingApp(t, nil, nil, nil)
	ok.e.DELETE("/users/:id/follows/:other", ok.handler("unfollow"))
	for _, line := range strings.Split(echoaxioms.CheckRoutes(ok.e, ok.policies).Err().Error(), ";") {
		assert.NotContains(t, line, "follows", "different names at the same positions are fine")
	}
	assert.Equal(t, http.StatusOK, ok.send("DELETE", "/users/mallory/follows/alice", ok.bearer(map[string]any{"sub": "mallory"})).Code)
}

// hostDoc is the document of the admin host in TestHostRoutersBoundToADocument.
const hostDoc = `
openapi: 3.1.0
info: {title: admin host, version: "1"}
security: [{oauth2: []}]
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: https://issuer.example/token, scopes: {}}}
paths:
  /users/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: adminGetUser, x-axioms-roles: [admin], responses: {"200": {description: ok}}}
`

// Case 5, with a document bound to the host: the host's own rules apply there, the main
// document's everywhere else, and CheckRoutes compares each router with its document.
func TestHostRoutersBoundToADocument(t *testing.T) {
	adminPolicies, err := openapi.LoadData([]byte(hostDoc), openapi.LoadOptions{})
	require.NoError(t, err)
	var records []echoaxioms.AuditRecord
	var mu sync.Mutex
	a := newBindingApp(t, func(c *echoaxioms.Config) {
		c.Hosts = map[string]echoaxioms.Config{"admin.internal": {
			Policies:  adminPolicies,
			Validator: c.Validator,
			AuditHook: func(_ echo.Context, r echoaxioms.AuditRecord) { mu.Lock(); records = append(records, r); mu.Unlock() },
		}}
	}, nil, nil)
	a.e.GET("/users/:id", a.handler("public user"))
	a.e.Host("admin.internal").GET("/users/:id", a.handler("admin user"))
	a.e.Host("other.internal").GET("/users/:id", a.handler("other user"))

	assert.Equal(t, http.StatusOK, a.send("GET", "http://api.example/users/42", "").Code)
	assert.Equal(t, []string{"public user"}, a.handlers())
	assert.Equal(t, http.StatusUnauthorized, a.send("GET", "http://admin.internal/users/42", "").Code)
	assert.Equal(t, http.StatusForbidden, a.send("GET", "http://admin.internal/users/42", a.bearer(map[string]any{"roles": []string{"user"}})).Code)
	assert.Empty(t, a.handlers())
	assert.Equal(t, http.StatusOK, a.send("GET", "http://admin.internal/users/42", a.bearer(map[string]any{"roles": []string{"admin"}})).Code)
	assert.Equal(t, []string{"admin user"}, a.handlers())
	assert.Equal(t, http.StatusForbidden, a.send("GET", "http://other.internal/users/42", a.bearer(map[string]any{"roles": []string{"admin"}})).Code, "a host without a document")
	assert.Empty(t, a.handlers())
	mu.Lock()
	assert.Len(t, records, 3, "the host's own audit hook sees the host's decisions")
	assert.Equal(t, "adminGetUser", records[2].OperationID)
	mu.Unlock()

	report := a.cfg.CheckRoutes(a.e)
	assert.Equal(t, []string{"GET other.internal/users/:id"}, report.Undocumented)
	assert.NotContains(t, report.Unrouted, "GET admin.internal/users/{id}")
	assert.Contains(t, report.Unrouted, "POST /webhooks/{id}")

	_, err = echoaxioms.Config{Policies: a.policies, Validator: a.cfg.Validator, Hosts: map[string]echoaxioms.Config{
		"nested": {Policies: adminPolicies, Validator: a.cfg.Validator, Hosts: map[string]echoaxioms.Config{}},
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
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("proxied"))
	}))
	t.Cleanup(backend.Close)
	target, err := url.Parse(backend.URL)
	require.NoError(t, err)
	proxy := func() echo.MiddlewareFunc {
		return middleware.Proxy(middleware.NewRoundRobinBalancer([]*middleware.ProxyTarget{{URL: target}}))
	}
	static := func() echo.MiddlewareFunc {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "backup.sql"), []byte("dump"), 0o600))
		return middleware.StaticWithConfig(middleware.StaticConfig{Root: dir})
	}
	override := []string{"X-HTTP-Method-Override", "PUT"}
	type request struct {
		method, target string
		header         []string
	}
	for _, c := range []struct {
		setup   string
		pre     []echo.MiddlewareFunc
		use     []echo.MiddlewareFunc
		routes  func(a *bindingApp)
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
		{setup: "Proxy in a group", routes: func(a *bindingApp) { a.e.Group("/internal").Use(proxy()) },
			req: request{"GET", "/internal/config", nil}, anon: 404, admin: 404},
		{setup: "Static in a group", routes: func(a *bindingApp) { a.e.Group("/private-files").Use(static()) },
			req: request{"GET", "/private-files/backup.sql", nil}, anon: 404, admin: 404},
		{setup: "Proxy in a group, on a documented route", routes: func(a *bindingApp) {
			a.e.Group("/webhooks", proxy()).POST("/:id", a.handler("never: the proxy answers"))
		}, req: request{"POST", "/webhooks/1", nil}, anon: 401, admin: 200},
		{setup: "route added after traffic", routes: func(a *bindingApp) {
			a.send("GET", "/late", "")
			a.e.GET("/late", a.handler("late"))
		}, req: request{"GET", "/late", nil}, anon: 403, admin: 403},
		{setup: "RouteNotFound", routes: func(a *bindingApp) { a.e.RouteNotFound("/*", a.handler("not found")) },
			req: request{"GET", "/nothing", nil}, anon: 404, admin: 404},
		{setup: "Match with OPTIONS", routes: func(a *bindingApp) { a.e.Match([]string{"POST", "OPTIONS"}, "/graphql", a.handler("graphql")) },
			req: request{"OPTIONS", "/graphql", nil}, anon: 403, admin: 403},
		{setup: "host router without a document", routes: func(a *bindingApp) { a.e.Host("admin.internal").POST("/webhooks/:id", a.handler("admin")) },
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
			a := newBindingApp(t, nil, c.pre, c.use)
			a.e.POST("/webhooks/:id", a.handler("create"))
			a.e.PUT("/webhooks/:id", a.handler("replace"))
			a.e.GET("/public", a.handler("public"))
			if c.routes != nil {
				c.routes(a)
			}
			a.handlers()
			rec := a.send(c.req.method, c.req.target, "", c.req.header...)
			assert.Equal(t, c.anon, rec.Code, "anonymous: %s", rec.Body.String())
			if c.anon != http.StatusOK {
				assert.Empty(t, a.handlers(), "anonymous")
			}
			a.handlers()
			rec = a.send(c.req.method, c.req.target, a.bearer(map[string]any{"roles": []string{"admin"}}), c.req.header...)
			assert.Equal(t, c.admin, rec.Code, "admin: %s", rec.Body.String())
			if c.handler != "" {
				assert.Equal(t, []string{c.handler}, a.handlers(), "admin")
			} else {
				assert.Empty(t, a.handlers(), "admin")
			}
		})
	}
}

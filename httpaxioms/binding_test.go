package httpaxioms_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
)

// The route-binding guarantees (DESIGN §5) on http.ServeMux: whatever code answers a
// request, the document's rule for that code was applied first, or the request was
// denied. Every request goes through mux.ServeHTTP.

// A method override in front of the mux changes the method the mux routes with: the
// handler of the overriding method's pattern answers, under that pattern's rule.
func TestMethodOverrideInFrontOfTheMux(t *testing.T) {
	h := newHarness(t, harnessOptions{front: methodOverride})
	h.handle("POST /webhooks/{id}", "create")
	h.handle("PUT /webhooks/{id}", "replace")
	h.handle("PATCH /webhooks/{id}", "patch") // undocumented

	rec := h.do("POST", "/webhooks/42", "", "X-HTTP-Method-Override", "PUT")
	assert.Equal(t, http.StatusOK, rec.Code, "the mux routed PUT: the public PUT rule, the PUT handler")
	assert.Equal(t, []string{"replace"}, h.handlers())
	assert.Equal(t, "PUT", h.records()[0].Method)

	rec = h.do("POST", "/webhooks/42", h.admin(), "X-HTTP-Method-Override", "PATCH")
	assert.Equal(t, http.StatusForbidden, rec.Code, "the mux routed PATCH, which the document does not describe")
	assert.Empty(t, h.handlers())

	rec = h.do("PUT", "/webhooks/42", "", "X-HTTP-Method-Override", "POST")
	assert.Equal(t, http.StatusOK, rec.Code, "only a POST is overridden")
	assert.Equal(t, []string{"replace"}, h.handlers())
}

// A method override between the mux and the middleware cannot select another
// operation's rule: a pattern with a method applies its method's rule, whatever the
// request's method has become.
func TestMethodOverrideBehindTheMux(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	protect, err := h.cfg.Middleware()
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/{id}", methodOverride(protect(h.handler("create"))))
	mux.Handle("PUT /webhooks/{id}", methodOverride(protect(h.handler("replace"))))

	rec := serve(mux, "POST", "/webhooks/42", "", "X-HTTP-Method-Override", "PUT")
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "the admin-only POST handler was routed: its rule applies")
	rec = serve(mux, "POST", "/webhooks/42", h.bearer(map[string]any{"roles": []string{"user"}}), "X-HTTP-Method-Override", "PUT")
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Empty(t, h.handlers())
	h.records()

	rec = serve(mux, "POST", "/webhooks/42", h.admin(), "X-HTTP-Method-Override", "PUT")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, []string{"create"}, h.handlers(), "an admin reaches the handler the mux routed")
	assert.Equal(t, []httpaxioms.AuditRecord{{OperationID: "createWebhook", Method: "POST", Route: "/webhooks/{id}",
		Subject: "user-1", Outcome: enforce.OutcomeAllowed, Status: http.StatusOK}}, h.records())
}

// A pattern without a method serves every method: each request gets the operation of
// its own method, and a method the document does not describe there is denied, HEAD
// and OPTIONS included.
func TestPatternWithoutMethod(t *testing.T) {
	h := newHarness(t, harnessOptions{front: methodOverride})
	h.mux.Handle("/webhooks/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.handler(r.Method).ServeHTTP(w, r) // one handler for every method, as such handlers are
	}))
	h.handle("/admin/users", "admin")

	assert.Equal(t, http.StatusUnauthorized, h.do("POST", "/webhooks/1", "").Code)
	assert.Equal(t, http.StatusOK, h.do("POST", "/webhooks/1", h.admin()).Code)
	assert.Equal(t, []string{"POST"}, h.handlers())
	assert.Equal(t, http.StatusOK, h.do("PUT", "/webhooks/1", "").Code, "the public PUT")
	assert.Equal(t, []string{"PUT"}, h.handlers())
	assert.Equal(t, http.StatusOK, h.do("POST", "/webhooks/1", "", "X-HTTP-Method-Override", "PUT").Code,
		"overridden in front of the mux: the handler serves PUT, under the PUT rule")
	assert.Equal(t, []string{"PUT"}, h.handlers())
	h.records()

	for _, method := range []string{"DELETE", "PATCH", "HEAD", "OPTIONS", "get"} {
		rec := h.do(method, "/webhooks/1", h.admin())
		assert.Equal(t, http.StatusForbidden, rec.Code, method)
		assert.Equal(t, []httpaxioms.AuditRecord{{Method: method, Route: "/webhooks/{id}", Outcome: enforce.OutcomeDenied,
			Status: http.StatusForbidden, Reason: enforce.ReasonUndocumentedRoute}}, h.records(), method)
	}
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/admin/users", "").Code)
	assert.Equal(t, http.StatusForbidden, h.do("DELETE", "/admin/users", h.admin()).Code)
	assert.Equal(t, http.StatusOK, h.do("GET", "/admin/users", h.admin()).Code)
	assert.Equal(t, []string{"admin"}, h.handlers())
}

// Subtree patterns serve paths that no template describes: the operation of the
// pattern's own path applies to the requests that are instances of it, and every
// other request is denied without reaching the handler.
func TestSubtreePatternsNeverServeUnroutedPaths(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "backup.sql"), []byte("SECRET dump"), 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "a"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "b.txt"), []byte("SECRET nested"), 0o600))

	h := newHarness(t, harnessOptions{})
	files := http.StripPrefix("/files/", http.FileServer(http.Dir(dir)))
	h.mux.Handle("GET /files/", files)
	h.mux.Handle("GET /docs/{name...}", http.StripPrefix("/docs/", http.FileServer(http.Dir(dir))))
	h.handle("/", "root")

	for _, target := range []string{"/files/backup.sql", "/files/a/b.txt", "/files/a/", "/docs/a/b.txt", "/docs/", "/docs/a%2Fb.txt", "/anything", "/admin/secrets"} {
		for _, auth := range []string{"", h.admin()} {
			rec := h.do("GET", target, auth)
			assert.Equal(t, http.StatusForbidden, rec.Code, target)
			assert.NotContains(t, rec.Body.String(), "SECRET", target)
			assert.Equal(t, "forbidden", body(t, rec)["error"], target)
		}
	}
	assert.Empty(t, h.handlers(), "the catch-all never ran below its root")

	rec := h.do("GET", "/files/", "")
	assert.Equal(t, http.StatusOK, rec.Code, "the root of /files/ is the public listFiles")
	assert.Contains(t, rec.Body.String(), "backup.sql")
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/docs/backup.sql", "").Code, "one segment is an instance of /docs/{name}")
	rec = h.do("GET", "/docs/backup.sql", h.admin())
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "SECRET dump", rec.Body.String(), "getDoc's rule let the caller in")
	assert.Equal(t, http.StatusOK, h.do("GET", "/", "").Code, "the root of / is the public index")
	assert.Equal(t, []string{"root"}, h.handlers())

	report := h.mux.CheckRoutes()
	assert.Equal(t, []string{"/", "GET /docs/{name...}", "GET /files/"}, report.Subtrees)
	assert.NotContains(t, report.Undocumented, "GET /files/")
}

// Patterns registered after traffic are bound on their first request: documented ones
// get their operation's rule, others are denied. The same holds for handlers of a
// plain ServeMux wrapped one by one.
func TestPatternsRegisteredAfterTraffic(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.handle("GET /public", "public")
	require.Equal(t, http.StatusOK, h.do("GET", "/public", "").Code)
	require.Equal(t, http.StatusNotFound, h.do("GET", "/late", "").Code)

	h.handle("GET /late", "late")
	h.handle("GET /protected", "protected")
	h.handle("/admin/", "admin tree")
	assert.Equal(t, http.StatusForbidden, h.do("GET", "/late", h.admin()).Code)
	assert.Equal(t, http.StatusForbidden, h.do("DELETE", "/admin/everything", h.admin()).Code)
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/protected", "").Code)
	assert.Equal(t, []string{"public"}, h.handlers())

	protect, err := h.cfg.Middleware()
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("GET /public", protect(h.handler("public")))
	require.Equal(t, http.StatusOK, serve(mux, "GET", "/public", "").Code)
	mux.Handle("GET /late", protect(h.handler("late")))
	assert.Equal(t, http.StatusForbidden, serve(mux, "GET", "/late", h.admin()).Code)
	assert.Equal(t, []string{"public"}, h.handlers())
}

// An application handler registered for OPTIONS answers only when the document
// describes that operation; CORS middleware in front of the mux answers preflight
// requests itself; the mux's 405 for OPTIONS is its own.
func TestOptionsHandlers(t *testing.T) {
	cors := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				w.Header().Set("Access-Control-Allow-Methods", "POST")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	h := newHarness(t, harnessOptions{front: cors})
	h.handle("POST /graphql", "graphql")
	h.handle("OPTIONS /graphql", "graphql options")
	h.handle("POST /webhooks/{id}", "create")

	rec := h.do("OPTIONS", "/graphql", h.admin())
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Empty(t, h.handlers())
	assert.Equal(t, http.StatusNoContent, h.do("OPTIONS", "/graphql", "", "Access-Control-Request-Method", "POST").Code, "the CORS preflight")
	rec = h.do("OPTIONS", "/webhooks/1", "")
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code, "the mux's own answer")
	assert.Equal(t, "POST", rec.Header().Get("Allow"))
	assert.Empty(t, rec.Header().Get("WWW-Authenticate"))

	assert.Contains(t, h.mux.CheckRoutes().Undocumented, "OPTIONS /graphql")
}

// hostDoc is the document of the admin host.
var hostDoc = specgen.Doc{Security: "[{oauth2: []}]"}.YAML(`
  /users/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: adminGetUser, x-axioms-roles: [admin], responses: {"200": {description: ok}}}
`)

// Host patterns are denied unless a document is bound to their host; a bound host's
// own rules and hooks apply to its patterns, the main document's to patterns without a
// host, whatever the request's host.
func TestHostPatterns(t *testing.T) {
	t.Run("without a document", func(t *testing.T) {
		h := newHarness(t, harnessOptions{})
		h.handle("GET /users/{id}", "public user")
		h.handle("GET admin.internal/users/{id}", "admin user")
		assert.Equal(t, http.StatusOK, h.do("GET", "http://api.example/users/42", "").Code)
		assert.Equal(t, http.StatusForbidden, h.do("GET", "http://admin.internal/users/42", h.admin()).Code)
		assert.Equal(t, []string{"public user"}, h.handlers())
		assert.Contains(t, h.mux.CheckRoutes().Undocumented, "GET admin.internal/users/{id}")
	})

	t.Run("bound to a document", func(t *testing.T) {
		adminPolicies, err := openapi.LoadData(hostDoc, openapi.LoadOptions{})
		require.NoError(t, err)
		var hostRecords []httpaxioms.AuditRecord
		h := newHarness(t, harnessOptions{config: func(c *httpaxioms.Config) {
			c.Hosts = map[string]httpaxioms.Config{"admin.internal": {
				Policies:  adminPolicies,
				Validator: c.Validator,
				AuditHook: func(_ *http.Request, r httpaxioms.AuditRecord) { hostRecords = append(hostRecords, r) },
			}}
		}})
		h.handle("GET /users/{id}", "public user")
		h.handle("GET admin.internal/users/{id}", "admin user")
		h.handle("GET other.internal/users/{id}", "other user")

		assert.Equal(t, http.StatusOK, h.do("GET", "http://api.example/users/42", "").Code)
		assert.Equal(t, []string{"public user"}, h.handlers())
		assert.Equal(t, http.StatusUnauthorized, h.do("GET", "http://admin.internal/users/42", "").Code)
		assert.Equal(t, http.StatusForbidden, h.do("GET", "http://admin.internal:8080/users/42", h.bearer(map[string]any{"roles": []string{"user"}})).Code)
		assert.Empty(t, h.handlers())
		assert.Equal(t, http.StatusOK, h.do("GET", "http://admin.internal/users/42", h.admin()).Code)
		assert.Equal(t, []string{"admin user"}, h.handlers())
		assert.Equal(t, http.StatusForbidden, h.do("GET", "http://other.internal/users/42", h.admin()).Code, "a host without a document")
		assert.Empty(t, h.handlers())
		require.Len(t, hostRecords, 3, "the host's own audit hook sees the host's decisions")
		assert.Equal(t, "adminGetUser", hostRecords[2].OperationID)
		assert.Equal(t, "admin.internal/users/{id}", hostRecords[2].Route)

		report := h.mux.CheckRoutes()
		assert.Equal(t, []string{"GET other.internal/users/{id}"}, report.Undocumented)
		assert.NotContains(t, report.Unrouted, "GET admin.internal/users/{id}")
		assert.Contains(t, report.Unrouted, "POST /webhooks/{id}")
	})
}

// A HEAD request on a GET pattern is served by the GET handler under the GET rule.
func TestHeadOnAGetPattern(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.handle("GET /protected", "protected")
	rec := h.do("HEAD", "/protected", "")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, `Bearer realm="api"`, rec.Header().Get("WWW-Authenticate"))
	assert.Empty(t, h.handlers())
	h.records()
	assert.Equal(t, http.StatusOK, h.do("HEAD", "/protected", h.admin()).Code)
	assert.Equal(t, []string{"protected"}, h.handlers())
	records := h.records()
	require.Len(t, records, 1)
	assert.Equal(t, "GET", records[0].Method)
	assert.Equal(t, "protected", records[0].OperationID)
}

// The mux's own answers are untouched: 404, 405 with Allow, redirects to the subtree's
// root and to the cleaned path. No handler runs and nothing is recorded.
func TestTheMuxAnswersWhatItCannotRoute(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.handle("GET /protected", "protected")
	h.handle("POST /webhooks/{id}", "create")
	h.handle("GET /files/", "files")

	for _, c := range []struct {
		method, target string
		status         int
		header, value  string
	}{
		{"GET", "/nowhere", http.StatusNotFound, "Content-Type", "text/plain; charset=utf-8"},
		{"DELETE", "/protected", http.StatusMethodNotAllowed, "Allow", "GET, HEAD"},
		{"GET", "/webhooks/1", http.StatusMethodNotAllowed, "Allow", "POST"},
		{"GET", "/files", http.StatusTemporaryRedirect, "Location", "/files/"},
		{"GET", "/x/../protected", http.StatusTemporaryRedirect, "Location", "/protected"},
	} {
		rec := h.do(c.method, c.target, h.admin())
		assert.Equal(t, c.status, rec.Code, "%s %s", c.method, c.target)
		assert.Equal(t, c.value, rec.Header().Get(c.header), "%s %s", c.method, c.target)
		assert.Empty(t, rec.Header().Get("WWW-Authenticate"), "%s %s", c.method, c.target)
	}
	assert.Empty(t, h.handlers())
	assert.Empty(t, h.records())
}

// Installed in front of the mux, where no pattern is known yet, the middleware answers
// every request 404 and never calls the mux: the misuse fails closed, even with
// InsecureAllowUndocumented.
func TestInFrontOfTheMuxFailsClosed(t *testing.T) {
	for _, insecure := range []bool{false, true} {
		h := newHarness(t, harnessOptions{config: func(c *httpaxioms.Config) { c.InsecureAllowUndocumented = insecure }})
		protect, err := h.cfg.Middleware()
		require.NoError(t, err)
		mux := http.NewServeMux()
		mux.Handle("GET /public", h.handler("public"))
		mux.Handle("GET /protected", h.handler("protected"))
		front := protect(mux)
		for _, target := range []string{"/public", "/protected", "/nowhere"} {
			for _, auth := range []string{"", h.admin()} {
				assert.Equal(t, http.StatusNotFound, serve(front, "GET", target, auth).Code, target)
			}
		}
		assert.Empty(t, h.handlers(), "InsecureAllowUndocumented %v", insecure)
	}
}

// A pattern that uses one of the document's parameter names at another position fails
// the route check, and the owner rule never compares one parameter while the handler
// reads another.
func TestParameterNameAtAnotherPosition(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.handle("DELETE /users/{follower}/follows/{user_id}", "unfollow")

	err := h.mux.CheckRoutes().Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `DELETE /users/{follower}/follows/{user_id}: parameter "user_id" is parameter 2 of the route but parameter 1 of the document's DELETE /users/{user_id}/follows/{other_id}`)
	rec := h.do("DELETE", "/users/mallory/follows/alice", h.bearer(map[string]any{"sub": "mallory"}))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Empty(t, h.handlers(), "mallory never reaches the handler, which reads user_id = alice")

	good := newHarness(t, harnessOptions{})
	good.handle("DELETE /users/{id}/follows/{other}", "unfollow")
	for _, line := range strings.Split(good.mux.CheckRoutes().Err().Error(), ";") {
		assert.NotContains(t, line, "follows", "different names at the same positions are fine")
	}
	assert.Equal(t, http.StatusOK, good.do("DELETE", "/users/mallory/follows/alice", good.bearer(map[string]any{"sub": "mallory"})).Code)
	assert.Equal(t, http.StatusForbidden, good.do("DELETE", "/users/alice/follows/mallory", good.bearer(map[string]any{"sub": "mallory"})).Code)
	assert.Equal(t, []string{"unfollow"}, good.handlers())
}

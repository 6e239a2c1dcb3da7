package httpaxioms_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
)

// harness is a Mux protected by the middleware, trusting an in-process issuer, with
// middleware in front of it if the test asks. It records the decisions of the
// middleware and the handlers that ran (see handler).
type harness struct {
	t        testing.TB
	mux      *httpaxioms.Mux
	front    http.Handler // what requests are sent to: the mux, behind opts.front
	iss      *axiomstest.Issuer
	policies *openapi.Policies
	cfg      httpaxioms.Config // as built
	mu       sync.Mutex
	audit    []httpaxioms.AuditRecord
	ran      []string
}

// harnessOptions configures newHarness.
type harnessOptions struct {
	// doc is the API document. Default: testDoc.
	doc []byte
	// config tunes the configuration before the Mux is built. Its AuditHook is the
	// harness's recorder, its Logger discards.
	config func(*httpaxioms.Config)
	// front wraps the mux: middleware that runs before the mux routes.
	front func(http.Handler) http.Handler
}

// testDoc documents the operations most tests route. Every operation requires a token
// of the oauth2 scheme unless it says otherwise.
var testDoc = specgen.Doc{Security: "[{oauth2: []}]", Schemes: []string{specgen.OAuth2("oauth2", "admin", "read:data")}}.YAML(`
  /webhooks/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post: {operationId: createWebhook, x-axioms-roles: [admin], responses: {"200": {description: ok}}}
    put: {operationId: replaceWebhook, security: [], responses: {"200": {description: ok}}}
  /graphql:
    post: {operationId: graphql, security: [{oauth2: [admin]}], responses: {"200": {description: ok}}}
  /admin/users:
    get: {operationId: listUsers, x-axioms-roles: [admin], responses: {"200": {description: ok}}}
  /users/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getUser, security: [], responses: {"200": {description: ok}}}
  /users/{user_id}/follows/{other_id}:
    parameters:
      - {name: user_id, in: path, required: true, schema: {type: string}}
      - {name: other_id, in: path, required: true, schema: {type: string}}
    delete: {operationId: unfollow, x-axioms-owner: {param: user_id, claim: sub}, responses: {"204": {description: ok}}}
  /files/:
    get: {operationId: listFiles, security: [], responses: {"200": {description: ok}}}
  /docs/{name}:
    parameters: [{name: name, in: path, required: true, schema: {type: string}}]
    get: {operationId: getDoc, responses: {"200": {description: ok}}}
  /:
    get: {operationId: index, security: [], responses: {"200": {description: ok}}}
  /public:
    get: {operationId: public, security: [], responses: {"200": {description: ok}}}
  /protected:
    get: {operationId: protected, responses: {"200": {description: ok}}}
  /read:
    get: {operationId: read, security: [{oauth2: ["read:data"]}], responses: {"200": {description: ok}}}
`)

func newHarness(t testing.TB, opts harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, iss: axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})}
	doc := opts.doc
	if doc == nil {
		doc = testDoc
	}
	var err error
	h.policies, err = openapi.LoadData(doc, openapi.LoadOptions{})
	require.NoError(t, err)
	h.cfg = httpaxioms.Config{Policies: h.policies, Validator: h.iss.Validator(t), AuditHook: h.record, Logger: slog.New(slog.DiscardHandler)}
	if opts.config != nil {
		opts.config(&h.cfg)
	}
	h.mux, err = httpaxioms.NewMux(h.cfg)
	require.NoError(t, err)
	h.front = h.mux
	if opts.front != nil {
		h.front = opts.front(h.mux)
	}
	return h
}

// record is the AuditHook of the harness.
func (h *harness) record(_ *http.Request, r httpaxioms.AuditRecord) {
	h.mu.Lock()
	h.audit = append(h.audit, r)
	h.mu.Unlock()
}

// records returns the decisions recorded so far, and forgets them.
func (h *harness) records() []httpaxioms.AuditRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.audit
	h.audit = nil
	return r
}

// handler returns a handler that records its name and answers 200 with it and the sub
// of the caller's claims, if any.
func (h *harness) handler(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.ran = append(h.ran, name)
		h.mu.Unlock()
		body := name
		if c := httpaxioms.Claims(r); c != nil {
			body += " " + c.Subject()
		}
		_, _ = w.Write([]byte(body))
	})
}

// handle registers the handler named name for pattern on the harness's Mux.
func (h *harness) handle(pattern, name string) { h.mux.Handle(pattern, h.handler(name)) }

// handlers returns the names of the handlers that ran, and forgets them.
func (h *harness) handlers() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	ran := h.ran
	h.ran = nil
	return ran
}

// do sends a request to h.front; auth is the whole Authorization header ("" for
// none), header more headers as name, value pairs.
func (h *harness) do(method, target, auth string, header ...string) *httptest.ResponseRecorder {
	return serve(h.front, method, target, auth, header...)
}

// serve sends a request to handler.
func serve(handler http.Handler, method, target, auth string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	return rec
}

// bearer returns the Authorization header of a token of the issuer with claims.
func (h *harness) bearer(claims map[string]any) string {
	return "Bearer " + h.iss.Token(h.t, axiomstest.TokenSpec{Claims: claims})
}

// admin is the Authorization header of a token holding the admin role and scope.
func (h *harness) admin() string {
	return h.bearer(map[string]any{"roles": []string{"admin"}, "scope": "admin"})
}

// body decodes a JSON response body; an empty one is an empty map.
func body(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	m := map[string]any{}
	if strings.TrimSpace(rec.Body.String()) != "" {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), rec.Body.String())
	}
	return m
}

// methodOverride is the usual method-override middleware: a POST request's
// X-HTTP-Method-Override header becomes its method.
func methodOverride(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m := r.Header.Get("X-HTTP-Method-Override"); m != "" && r.Method == http.MethodPost {
			r.Method = m
		}
		next.ServeHTTP(w, r)
	})
}

package echo5axioms_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// harness is an Echo v5 app protected by the middleware (or by AccessToken, for the
// code-level helpers), trusting an in-process issuer. It records the decisions of the
// middleware or helpers and the handlers that ran (see handler).
type harness struct {
	t        testing.TB
	e        *echo.Echo
	iss      *axiomstest.Issuer
	v        *validator.Validator
	policies *openapi.Policies  // nil with accessToken
	cfg      echo5axioms.Config // as installed; the zero Config with accessToken
	mu       sync.Mutex
	audit    []echo5axioms.AuditRecord
	ran      []string
}

// harnessOptions configures newHarness.
type harnessOptions struct {
	// doc is the API document. Default: apiDoc.
	doc []byte
	// echo is the Echo instance. Default: echo.New().
	echo *echo.Echo
	// issuer signs the tokens and is the one the validator trusts. Default: a new issuer.
	issuer *axiomstest.Issuer
	// config tunes the middleware's configuration before it is built. Its AuditHook is
	// the harness's recorder.
	config func(*echo5axioms.Config)
	// accessToken, if set, installs AccessToken (the validator, the harness's recorder
	// as AuditHook, then tuned by accessToken) instead of the spec middleware, and loads
	// no document.
	accessToken func(*echo5axioms.AccessTokenConfig)
	// pre and use are installed with e.Pre, and with e.Use before the middleware.
	pre, use []echo.MiddlewareFunc
	// install installs the middleware in e. Default: e.Use(mw).
	install func(e *echo.Echo, mw echo.MiddlewareFunc)
}

// apiDoc is the default document of the harness: a public operation, a protected one, an
// optional one, scopes, roles, both owner rules and an API key beside a token.
var apiDoc = specgen.Doc{Security: "[{oauth2: []}]",
	Schemes: []string{specgen.OAuth2("oauth2", "read:data", "admin"), specgen.APIKey("key", "X-API-Key")}}.YAML(`
  /public:
    get: {operationId: public, security: [], responses: {"200": {description: ok}}}
  /optional:
    get: {operationId: optional, security: [{}, {oauth2: []}], responses: {"200": {description: ok}}}
  /read:
    get: {operationId: read, security: [{oauth2: ["read:data"]}], responses: {"200": {description: ok}}}
  /admin:
    get: {operationId: admin, x-axioms-roles: [admin], responses: {"200": {description: ok}}}
  /key-or-token:
    get: {operationId: keyOrToken, security: [{key: []}, {oauth2: []}], responses: {"200": {description: ok}}}
  /users/{user_id}/profile:
    parameters: [{name: user_id, in: path, required: true, schema: {type: string}}]
    get: {operationId: profile, x-axioms-owner: {param: user_id}, responses: {"200": {description: ok}}}
  /articles/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getArticle, x-axioms-owner: {}, responses: {"200": {description: ok}}}
`)

func newHarness(t testing.TB, opts harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, iss: opts.issuer, e: opts.echo}
	if h.iss == nil {
		h.iss = axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	}
	if h.e == nil {
		h.e = echo.New()
	}
	h.v = h.iss.Validator(t)
	h.e.Pre(opts.pre...)
	h.e.Use(opts.use...)
	var mw echo.MiddlewareFunc
	if opts.accessToken != nil {
		cfg := echo5axioms.AccessTokenConfig{Validator: h.v, AuditHook: h.record}
		opts.accessToken(&cfg)
		mw = echo5axioms.AccessToken(cfg)
	} else {
		doc := opts.doc
		if doc == nil {
			doc = apiDoc
		}
		var err error
		h.policies, err = openapi.LoadData(doc, openapi.LoadOptions{})
		require.NoError(t, err)
		h.cfg = echo5axioms.Config{Policies: h.policies, Validator: h.v, AuditHook: h.record}
		if opts.doc == nil {
			h.cfg.OwnerLoaders = map[string]echo5axioms.OwnerLoader{"getArticle": loadArticle}
			h.cfg.Authenticators = map[string]echo5axioms.Authenticator{"key": keyAuthenticator}
		}
		if opts.config != nil {
			opts.config(&h.cfg)
		}
		mw = echo5axioms.WithConfig(h.cfg)
	}
	if opts.install != nil {
		opts.install(h.e, mw)
	} else {
		h.e.Use(mw)
	}
	return h
}

// routes registers the routes of apiDoc, answered by handlers named after their
// operations.
func (h *harness) routes() *harness {
	for _, r := range []string{"GET /public", "GET /optional", "GET /read", "GET /admin", "GET /key-or-token",
		"GET /users/:user_id/profile", "GET /articles/:id"} {
		method, path, _ := strings.Cut(r, " ")
		h.e.Add(method, path, h.handler(r))
	}
	return h
}

// record is the AuditHook of the harness.
func (h *harness) record(_ *echo.Context, r echo5axioms.AuditRecord) {
	h.mu.Lock()
	h.audit = append(h.audit, r)
	h.mu.Unlock()
}

// records returns the audit records since the last call, and forgets them.
func (h *harness) records() []echo5axioms.AuditRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.audit
	h.audit = nil
	return r
}

// handler returns a handler that records its name and answers 200 with it and the sub
// of the caller's claims, if any.
func (h *harness) handler(name string) echo.HandlerFunc {
	return func(c *echo.Context) error {
		h.mu.Lock()
		h.ran = append(h.ran, name)
		h.mu.Unlock()
		if claims := echo5axioms.Claims(c); claims != nil {
			return c.String(http.StatusOK, name+" for "+claims.Subject())
		}
		return c.String(http.StatusOK, name)
	}
}

// handlers returns the names of the handlers that ran, and forgets them.
func (h *harness) handlers() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	ran := h.ran
	h.ran = nil
	return ran
}

// do sends a request; auth is the whole Authorization header ("" for none), header
// more headers as name, value pairs.
func (h *harness) do(method, target, auth string, header ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.e.ServeHTTP(rec, req)
	return rec
}

// bearer returns the Authorization header of a token of the issuer with claims.
func (h *harness) bearer(claims map[string]any) string {
	return "Bearer " + h.iss.Token(h.t, axiomstest.TokenSpec{Claims: claims})
}

// article is what loadArticle returns.
type article struct {
	ID   string `json:"id"`
	User string `json:"user"`
}

// loadArticle loads the articles of apiDoc: "1" is the issuer's default subject's, "2"
// someone else's, "broken" fails; any other id is not found.
func loadArticle(c *echo.Context) (any, error) {
	switch id := c.Param("id"); id {
	case "1":
		return &article{ID: id, User: axiomstest.DefaultSubject}, nil
	case "2":
		return &article{ID: id, User: "someone-else"}, nil
	case "broken":
		return nil, errors.New("the article store is unreachable")
	}
	return nil, echo.ErrNotFound
}

// keyAuthenticator authenticates the apiKey scheme: no key, none; "good-key", a
// keyPrincipal; any other key is invalid.
func keyAuthenticator(c *echo.Context, s openapi.Scheme) (openapi.Principal, error) {
	switch c.Request().Header.Get(s.ParamName) {
	case "":
		return nil, nil
	case "good-key":
		return keyPrincipal{}, nil
	}
	return nil, errors.New("unknown api key")
}

// keyPrincipal is what keyAuthenticator returns: a sub, no scopes, no roles.
type keyPrincipal struct{}

func (keyPrincipal) HasScope(string) bool      { return false }
func (keyPrincipal) HasRole(string) bool       { return false }
func (keyPrincipal) HasPermission(string) bool { return false }
func (keyPrincipal) Claim(n string) (any, bool) {
	if n == "sub" {
		return "api-key-client", true
	}
	return nil, false
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

package echoaxioms_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// harness is an Echo app protected by the middleware (or by AccessToken, for the
// code-level helpers), trusting an in-process issuer. It records the decisions of the
// middleware or helpers, the handlers that ran (see handler) and the calls of its owner
// loader.
type harness struct {
	t        testing.TB
	e        *echo.Echo
	iss      *axiomstest.Issuer
	policies *openapi.Policies // nil with accessToken
	cfg      echoaxioms.Config // as installed; the zero Config with accessToken
	mu       sync.Mutex
	audit    []echoaxioms.AuditRecord
	ran      []string
	loads    int
}

// harnessOptions configures newHarness. The zero value is the app of testdata/api.yaml.
type harnessOptions struct {
	// doc is the API document. Default: testdata/api.yaml, with owner loaders for
	// getArticle and deleteArticle (articles "1", the issuer's default subject's, and
	// "2", someone else's), the apiKey authenticator of the key scheme (keyAuthenticator),
	// and a route per operation plus GET /undocumented, all answered by ok. With another
	// document, the test registers its routes, loaders and authenticators.
	doc []byte
	// load is how the document is loaded.
	load openapi.LoadOptions
	// issuer signs the tokens and is the one the validator trusts. Default: a new issuer.
	issuer *axiomstest.Issuer
	// validator, if set, tunes the validator's configuration (the issuer's
	// ValidatorConfig): its clock, cache, timeouts or issuer. Default: the issuer's
	// Validator.
	validator func(*validator.Config)
	// config tunes the middleware's configuration before it is built. Its AuditHook is
	// the harness's recorder.
	config func(*echoaxioms.Config)
	// accessToken, if set, installs AccessToken (the validator, the harness's recorder
	// as AuditHook, then tuned by accessToken) instead of the spec middleware, and loads
	// no document.
	accessToken func(*echoaxioms.AccessTokenConfig)
	// pre and use are installed with e.Pre, and with e.Use before the middleware.
	pre, use []echo.MiddlewareFunc
	// install installs the middleware in e. Default: e.Use(mw).
	install func(e *echo.Echo, mw echo.MiddlewareFunc)
}

func newHarness(t testing.TB, opts harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, iss: opts.issuer, e: echo.New()}
	if h.iss == nil {
		h.iss = axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	}
	var v *validator.Validator
	if opts.validator != nil {
		vcfg := h.iss.ValidatorConfig()
		opts.validator(&vcfg)
		var err error
		v, err = validator.New(t.Context(), vcfg)
		require.NoError(t, err)
	} else {
		v = h.iss.Validator(t)
	}
	h.e.Pre(opts.pre...)
	h.e.Use(opts.use...)
	var mw echo.MiddlewareFunc
	if opts.accessToken != nil {
		cfg := echoaxioms.AccessTokenConfig{Validator: v, AuditHook: h.record}
		opts.accessToken(&cfg)
		mw = echoaxioms.AccessToken(cfg)
	} else {
		var err error
		if opts.doc == nil {
			h.policies, err = openapi.Load("testdata/api.yaml", opts.load)
		} else {
			h.policies, err = openapi.LoadData(opts.doc, opts.load)
		}
		require.NoError(t, err)
		h.cfg = echoaxioms.Config{Policies: h.policies, Validator: v, AuditHook: h.record}
		if opts.doc == nil {
			loader := h.articleLoader()
			h.cfg.OwnerLoaders = map[string]echoaxioms.OwnerLoader{"getArticle": loader, "deleteArticle": loader}
			h.cfg.Authenticators = map[string]echoaxioms.Authenticator{"key": keyAuthenticator}
		}
		if opts.config != nil {
			opts.config(&h.cfg)
		}
		mw = echoaxioms.WithConfig(h.cfg)
	}
	if opts.install != nil {
		opts.install(h.e, mw)
	} else {
		h.e.Use(mw)
	}
	if opts.doc == nil && opts.accessToken == nil {
		for _, p := range []string{"GET /public", "GET /optional", "GET /any", "POST /any", "GET /read", "GET /write",
			"GET /roles-any", "GET /roles-all", "POST /perm", "GET /strict",
			"GET /users/:uid/profile", // parameter names need not agree with the document
			"GET /articles/:id", "DELETE /articles/:id", "GET /multi", "GET /key-or-token", "GET /files/:name", "GET /undocumented"} {
			method, path, _ := strings.Cut(p, " ")
			h.e.Add(method, path, ok)
		}
	}
	return h
}

// record is the AuditHook of the harness.
func (h *harness) record(_ echo.Context, r echoaxioms.AuditRecord) {
	h.mu.Lock()
	h.audit = append(h.audit, r)
	h.mu.Unlock()
}

func (h *harness) records() []echoaxioms.AuditRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]echoaxioms.AuditRecord(nil), h.audit...)
}

// articleLoader loads the articles of testdata/api.yaml, counting its calls.
func (h *harness) articleLoader() echoaxioms.OwnerLoader {
	articles := map[string]*article{"1": {ID: "1", User: axiomstest.DefaultSubject}, "2": {ID: "2", User: "someone-else"}}
	return func(c echo.Context) (any, error) {
		h.mu.Lock()
		h.loads++
		h.mu.Unlock()
		a, found := articles[c.Param("id")]
		if !found {
			return nil, echo.NewHTTPError(http.StatusNotFound, "no such article")
		}
		return a, nil
	}
}

// handler returns a handler that records its name and answers 200 with it.
func (h *harness) handler(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		h.mu.Lock()
		h.ran = append(h.ran, name)
		h.mu.Unlock()
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

// article is what the loaders of testdata/api.yaml return.
type article struct {
	ID   string `json:"id"`
	User string `json:"user"`
}

// ok is the handler of most routes: it echoes who the middleware says the caller is.
func ok(c echo.Context) error {
	body := map[string]any{"route": c.Path()}
	if claims := echoaxioms.Claims(c); claims != nil {
		body["sub"] = claims.Subject()
	}
	if fromCtx, found := validator.FromContext(c.Request().Context()); found {
		body["ctx_sub"] = fromCtx.Subject()
	}
	if a, found := echoaxioms.Object[*article](c); found {
		if fromCtx, _ := echoaxioms.ObjectFrom[*article](c.Request().Context()); fromCtx == a {
			body["article"] = a.ID
		}
	}
	return c.JSON(http.StatusOK, body)
}

// keyAuthenticator authenticates an apiKey scheme: no key, none; "good-key", a
// keyPrincipal; any other key is invalid.
func keyAuthenticator(c echo.Context, s openapi.Scheme) (openapi.Principal, error) {
	switch c.Request().Header.Get(s.ParamName) {
	case "":
		return nil, nil
	case "good-key":
		return keyPrincipal{}, nil
	}
	return nil, errors.New("unknown api key")
}

// keyPrincipal is what keyAuthenticator returns: no scopes, no roles.
type keyPrincipal struct{}

func (keyPrincipal) HasScope(string) bool      { return false }
func (keyPrincipal) HasRole(string) bool       { return false }
func (keyPrincipal) HasPermission(string) bool { return false }
func (keyPrincipal) Claim(n string) (any, bool) {
	return map[string]any{"sub": "api-key-client"}[n], n == "sub"
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

// lockedWriter is a log destination safe for concurrent requests.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startDir is the package directory, for tests that change the working directory.
var startDir, _ = os.Getwd()

func originalDir(t *testing.T) string { return startDir }

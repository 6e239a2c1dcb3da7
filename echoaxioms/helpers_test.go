package echoaxioms_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
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

// article is what the test loaders return.
type article struct {
	ID   string `json:"id"`
	User string `json:"user"`
}

// harness is an Echo app protected by the middleware, with an in-process issuer.
type harness struct {
	t        *testing.T
	e        *echo.Echo
	iss      *axiomstest.Issuer
	policies *openapi.Policies
	mu       sync.Mutex
	audit    []echoaxioms.AuditRecord
	loads    int
}

func (h *harness) records() []echoaxioms.AuditRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]echoaxioms.AuditRecord(nil), h.audit...)
}

// ok is every handler: it echoes who the middleware says the caller is.
func ok(c echo.Context) error {
	body := map[string]any{"route": c.Path()}
	if claims := echoaxioms.Claims(c); claims != nil {
		body["sub"] = claims.Subject()
	}
	if fromCtx, found := validator.FromContext(c.Request().Context()); found {
		body["ctx_sub"] = fromCtx.Subject()
	}
	if a, found := echoaxioms.Object[*article](c); found {
		body["article"] = a.ID
	}
	return c.JSON(http.StatusOK, body)
}

// newHarness loads testdata/api.yaml, registers a route per operation, and installs the
// middleware configured by mutate.
func newHarness(t *testing.T, mutate func(*echoaxioms.Config)) *harness {
	t.Helper()
	h := &harness{t: t, iss: axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})}
	var err error
	h.policies, err = openapi.Load("testdata/api.yaml", openapi.LoadOptions{})
	require.NoError(t, err)
	articles := map[string]*article{"1": {ID: "1", User: axiomstest.DefaultSubject}, "2": {ID: "2", User: "someone-else"}}
	loader := func(c echo.Context) (any, error) {
		h.mu.Lock()
		h.loads++
		h.mu.Unlock()
		a, found := articles[c.Param("id")]
		if !found {
			return nil, echo.NewHTTPError(http.StatusNotFound, "no such article")
		}
		return a, nil
	}
	cfg := echoaxioms.Config{
		Policies:     h.policies,
		Validator:    h.iss.Validator(t),
		OwnerLoaders: map[string]echoaxioms.OwnerLoader{"getArticle": loader, "deleteArticle": loader},
		Authenticators: map[string]echoaxioms.Authenticator{"key": func(c echo.Context, s openapi.Scheme) (openapi.Principal, error) {
			switch c.Request().Header.Get(s.ParamName) {
			case "":
				return nil, nil
			case "good-key":
				return keyPrincipal{}, nil
			}
			return nil, errors.New("unknown api key")
		}},
		AuditHook: func(c echo.Context, r echoaxioms.AuditRecord) {
			h.mu.Lock()
			h.audit = append(h.audit, r)
			h.mu.Unlock()
		},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	h.e = echo.New()
	h.e.Use(echoaxioms.WithConfig(cfg))
	h.e.GET("/public", ok)
	h.e.GET("/optional", ok)
	h.e.GET("/any", ok)
	h.e.POST("/any", ok)
	h.e.GET("/read", ok)
	h.e.GET("/write", ok)
	h.e.GET("/roles-any", ok)
	h.e.GET("/roles-all", ok)
	h.e.POST("/perm", ok)
	h.e.GET("/strict", ok)
	h.e.GET("/users/:uid/profile", ok) // parameter names need not agree with the document
	h.e.GET("/articles/:id", ok)
	h.e.DELETE("/articles/:id", ok)
	h.e.GET("/multi", ok)
	h.e.GET("/key-or-token", ok)
	h.e.GET("/files/:name", ok)
	h.e.GET("/undocumented", ok)
	return h
}

// keyPrincipal is what the apiKey authenticator returns: no scopes, no roles.
type keyPrincipal struct{}

func (keyPrincipal) HasScope(string) bool      { return false }
func (keyPrincipal) HasRole(string) bool       { return false }
func (keyPrincipal) HasPermission(string) bool { return false }
func (keyPrincipal) Claim(n string) (any, bool) {
	return map[string]any{"sub": "api-key-client"}[n], n == "sub"
}

// do sends a request; auth is the whole Authorization header ("" for none).
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

func (h *harness) bearer(claims map[string]any) string {
	return "Bearer " + h.iss.Token(h.t, axiomstest.TokenSpec{Claims: claims})
}

func body(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	m := map[string]any{}
	if strings.TrimSpace(rec.Body.String()) != "" {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), rec.Body.String())
	}
	return m
}

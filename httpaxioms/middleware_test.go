package httpaxioms_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// A denial is answered with its status, its RFC 6750 headers and its JSON body.
func TestDenialAnswer(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.handle("GET /read", "read")
	rec := h.do("GET", "/read", h.bearer(map[string]any{"scope": "openid"}))
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, `Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read:data"`,
		rec.Header().Get("WWW-Authenticate"))
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assert.Equal(t, "{\"error\":\"insufficient_scope\",\"error_description\":\"the access token lacks a required scope\"}\n", rec.Body.String())
	assert.Empty(t, h.handlers())
}

// The ErrorHandler writes the answer to a denial; one that writes nothing still denies.
func TestErrorHandler(t *testing.T) {
	var denials []*httpaxioms.Error
	h := newHarness(t, harnessOptions{config: func(c *httpaxioms.Config) {
		c.ErrorHandler = func(w http.ResponseWriter, r *http.Request, denial *httpaxioms.Error) {
			denials = append(denials, denial)
			if r.URL.Query().Has("custom") {
				w.WriteHeader(http.StatusTeapot)
				_, _ = w.Write([]byte(denial.Body().Error))
			}
		}
	}})
	h.handle("GET /protected", "protected")

	rec := h.do("GET", "/protected?custom", "")
	assert.Equal(t, http.StatusTeapot, rec.Code)
	assert.Equal(t, "unauthorized", rec.Body.String())
	assert.Equal(t, `Bearer realm="api"`, rec.Header().Get("WWW-Authenticate"), "the headers are set before the hook runs")

	rec = h.do("GET", "/protected", "")
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "a hook that writes nothing: the default denial")
	assert.Equal(t, "unauthorized", body(t, rec)["error"])
	assert.Empty(t, h.handlers())
	require.Len(t, denials, 2)
	assert.Equal(t, enforce.ReasonMissingToken, denials[1].Reason)
}

// The SuccessHandler sees the request the handler will see; the Skipper lets requests
// through unchecked, recorded as skipped; InsecureAllowUndocumented lets undocumented
// patterns through, recorded.
func TestHooks(t *testing.T) {
	var seen []string
	h := newHarness(t, harnessOptions{config: func(c *httpaxioms.Config) {
		c.SuccessHandler = func(r *http.Request) { seen = append(seen, httpaxioms.Claims(r).Subject()) }
		c.Skipper = func(r *http.Request) bool { return r.URL.Path == "/metrics" }
		c.InsecureAllowUndocumented = true
	}})
	h.handle("GET /protected", "protected")
	h.handle("GET /metrics", "metrics")
	h.handle("GET /late", "late")

	assert.Equal(t, http.StatusOK, h.do("GET", "/protected", h.bearer(map[string]any{"sub": "alice"})).Code)
	assert.Equal(t, []string{"alice"}, seen)
	assert.Equal(t, http.StatusOK, h.do("GET", "/metrics", "").Code)
	assert.Equal(t, http.StatusOK, h.do("GET", "/late", "").Code)
	assert.Equal(t, []string{"protected", "metrics", "late"}, h.handlers())
	records := h.records()
	require.Len(t, records, 3)
	assert.Equal(t, httpaxioms.AuditRecord{Method: "GET", Route: "/metrics", Outcome: enforce.OutcomePassed,
		Status: http.StatusOK, Reason: enforce.ReasonSkipped}, records[1])
	assert.Equal(t, httpaxioms.AuditRecord{Method: "GET", Route: "/late", Outcome: enforce.OutcomePassed,
		Status: http.StatusOK, Reason: enforce.ReasonUndocumentedRoute}, records[2])
}

// ownerDoc has an owner rule with a loader and an apiKey scheme.
var ownerDoc = specgen.Doc{Security: "[{oauth2: []}]", Schemes: []string{specgen.OAuth2("oauth2"), specgen.APIKey("key", "X-API-Key")}}.YAML(`
  /articles/{article_id}:
    parameters: [{name: article_id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getArticle, x-axioms-owner: {field: user, claim: sub}, responses: {"200": {description: ok}}}
  /reports:
    get: {operationId: listReports, security: [{key: []}], responses: {"200": {description: ok}}}
`)

type article struct {
	ID   string `json:"id"`
	User string `json:"user"`
}

// Owner loaders read path values and the caller, answer with a *StatusError's status,
// and hand their object to the handler; authenticators answer with their
// *StatusError's status.
func TestLoadersAndAuthenticators(t *testing.T) {
	var logs bytes.Buffer
	h := newHarness(t, harnessOptions{doc: ownerDoc, config: func(c *httpaxioms.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		c.OwnerLoaders = map[string]httpaxioms.OwnerLoader{"getArticle": func(r *http.Request) (any, error) {
			if httpaxioms.Claims(r) == nil {
				return nil, errors.New("the loader runs for authenticated callers only")
			}
			switch id := r.PathValue("article_id"); id {
			case "1":
				return &article{ID: id, User: "user-1"}, nil
			case "broken":
				return nil, errors.New("store unreachable")
			default:
				return nil, &httpaxioms.StatusError{Status: http.StatusNotFound, Err: errors.New("no article " + id)}
			}
		}}
		c.Authenticators = map[string]httpaxioms.Authenticator{"key": func(r *http.Request, s openapi.Scheme) (openapi.Principal, error) {
			if r.Header.Get(s.ParamName) == "" {
				return nil, nil
			}
			return nil, &httpaxioms.StatusError{Status: http.StatusTooManyRequests}
		}}
	}})
	h.mux.HandleFunc("GET /articles/{article_id}", func(w http.ResponseWriter, r *http.Request) {
		a, ok := httpaxioms.Object[*article](r)
		require.True(t, ok)
		fromCtx, ok := httpaxioms.ObjectFrom[*article](r.Context())
		require.True(t, ok)
		require.Same(t, a, fromCtx)
		_, _ = w.Write([]byte("article " + a.ID))
	})
	h.handle("GET /reports", "reports")

	rec := h.do("GET", "/articles/1", h.bearer(nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "article 1", rec.Body.String())
	rec = h.do("GET", "/articles/9", h.bearer(nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, "Not Found\n", rec.Body.String(), "the cause is for logs only")
	rec = h.do("GET", "/articles/broken", h.bearer(nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.NotContains(t, rec.Body.String(), "unreachable")
	assert.Contains(t, logs.String(), "store unreachable")
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/articles/9", "").Code, "anonymous callers never reach the loader")

	assert.Equal(t, http.StatusTooManyRequests, h.do("GET", "/reports", "", "X-API-Key", "k").Code)
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/reports", "").Code)
	records := h.records()
	assert.Equal(t, enforce.ReasonOwnerLoader, records[1].Reason)
	assert.Equal(t, enforce.ReasonServerError, records[2].Reason)
	assert.Equal(t, enforce.ReasonInvalidCredentials, records[4].Reason)
}

// Building fails, listing every problem, on a Config that would leave a rule unenforced.
func TestConfigErrors(t *testing.T) {
	policies, err := openapi.LoadData(ownerDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	_, err = httpaxioms.Config{}.Middleware()
	assert.ErrorContains(t, err, "httpaxioms: Config.Policies is required")

	_, err = httpaxioms.NewMux(httpaxioms.Config{Policies: policies, Hosts: map[string]httpaxioms.Config{
		"nested": {Policies: policies, Hosts: map[string]httpaxioms.Config{}},
	}})
	require.Error(t, err)
	for _, want := range []string{`security scheme "oauth2" needs a token validator`, `security scheme "key" (apiKey) is used by operations but has no Authenticator`,
		`owner rules need loaders that are not registered in OwnerLoaders: "getArticle"`, `Hosts["nested"] has Hosts of its own`} {
		assert.Contains(t, err.Error(), want)
	}
	assert.True(t, strings.HasPrefix(err.Error(), "httpaxioms: "), err.Error())

	mux, err := httpaxioms.NewMux(httpaxioms.Config{Policies: policies, Validator: validatorStub{},
		Authenticators: map[string]httpaxioms.Authenticator{"key": func(*http.Request, openapi.Scheme) (openapi.Principal, error) { return nil, nil }},
		OwnerLoaders:   map[string]httpaxioms.OwnerLoader{"getArticle": func(*http.Request) (any, error) { return nil, nil }}})
	require.NoError(t, err)
	assert.PanicsWithValue(t, "httpaxioms: nil handler", func() { mux.Handle("GET /x", nil) })
	assert.Panics(t, func() { mux.HandleFunc("GET /{", func(http.ResponseWriter, *http.Request) {}) }, "an invalid pattern, as ServeMux says")
	assert.Empty(t, mux.Patterns(), "nothing was registered")
}

// validatorStub refuses every token; building needs no more.
type validatorStub struct{}

func (validatorStub) Validate(context.Context, string) (*validator.Claims, error) {
	return nil, validator.ErrInvalidToken
}

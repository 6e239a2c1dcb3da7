package echo5axioms_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/enforce"
)

// Denials reach Echo's default HTTPErrorHandler, which writes the RFC 6750 body, after
// the middleware set the challenge headers; every decision is recorded once.
func TestDenialsThroughTheDefaultErrorHandler(t *testing.T) {
	h := newHarness(t, harnessOptions{}).routes()
	for _, c := range []struct {
		target, auth      string
		status            int
		challenge, errKey string
		reason            enforce.Reason
	}{
		{"/read", "", 401, `Bearer realm="api"`, "unauthorized", enforce.ReasonMissingToken},
		{"/read", "Bearer", 400, `Bearer realm="api", error="invalid_request", error_description="the Bearer scheme carries no token"`, "invalid_request", enforce.ReasonInvalidRequest},
		{"/read", h.bearer(map[string]any{"scope": "openid"}), 403,
			`Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read:data"`, "insufficient_scope", enforce.ReasonInsufficientScope},
		{"/admin", h.bearer(nil), 403, `Bearer realm="api", error="insufficient_permission", error_description="the access token lacks a required role"`, "insufficient_permission", enforce.ReasonInsufficientPermission},
	} {
		rec := h.do("GET", c.target, c.auth)
		assert.Equal(t, c.status, rec.Code, c.target)
		assert.Equal(t, c.challenge, rec.Header().Get("WWW-Authenticate"), c.target)
		assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"), c.target)
		assert.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json"), c.target)
		b := body(t, rec)
		assert.Equal(t, c.errKey, b["error"], c.target)
		assert.NotEmpty(t, b["error_description"], c.target)
		assert.Len(t, b, 2, "a denial's body has error and error_description only")
		records := h.records()
		require.Len(t, records, 1, c.target)
		assert.Equal(t, enforce.OutcomeDenied, records[0].Outcome)
		assert.Equal(t, c.reason, records[0].Reason)
	}
	assert.Empty(t, h.handlers())
}

// A custom HTTPErrorHandler reads the denial with errors.As and its status with
// echo.StatusCode.
func TestCustomHTTPErrorHandlerReadsTheDenial(t *testing.T) {
	e := echo.New()
	var got *echo5axioms.Error
	e.HTTPErrorHandler = func(c *echo.Context, err error) {
		var denial *echo5axioms.Error
		if errors.As(err, &denial) {
			got = denial
			_ = c.String(echo.StatusCode(err), "denied: "+string(denial.Reason))
			return
		}
		echo.DefaultHTTPErrorHandler(false)(c, err)
	}
	h := newHarness(t, harnessOptions{echo: e}).routes()
	rec := h.do("GET", "/read", "")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, "denied: missing_token", rec.Body.String())
	require.NotNil(t, got)
	assert.Equal(t, http.StatusUnauthorized, got.Status)
	assert.Equal(t, `Bearer realm="api"`, rec.Header().Get("WWW-Authenticate"))
}

func TestErrorHandler(t *testing.T) {
	for _, c := range []struct {
		name   string
		handle func(c *echo.Context, denial *echo5axioms.Error) error
		status int
		body   string
	}{
		{"writes its own answer", func(c *echo.Context, d *echo5axioms.Error) error {
			return c.String(d.Status, "custom "+string(d.Reason))
		}, http.StatusUnauthorized, "custom missing_token"},
		{"returns nil without answering: still denied", func(*echo.Context, *echo5axioms.Error) error { return nil },
			http.StatusUnauthorized, `{"error":"unauthorized","error_description":"authentication required"}`},
		{"returns an error for Echo", func(*echo.Context, *echo5axioms.Error) error { return echo.NewHTTPError(http.StatusTeapot, "teapot") },
			http.StatusTeapot, `{"message":"teapot"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{config: func(cfg *echo5axioms.Config) { cfg.ErrorHandler = c.handle }}).routes()
			rec := h.do("GET", "/read", "")
			assert.Equal(t, c.status, rec.Code)
			assert.Equal(t, c.body, strings.TrimSpace(rec.Body.String()))
			assert.Equal(t, `Bearer realm="api"`, rec.Header().Get("WWW-Authenticate"), "set before the handler runs")
			assert.Empty(t, h.handlers())
		})
	}
}

// SuccessHandler runs after authorization, before the handler, with the claims in the
// request context; the Skipper lets requests through unchecked, recorded as skipped.
func TestSuccessHandlerAndSkipper(t *testing.T) {
	var seen []string
	h := newHarness(t, harnessOptions{config: func(cfg *echo5axioms.Config) {
		cfg.SuccessHandler = func(c *echo.Context) { seen = append(seen, echo5axioms.Claims(c).Subject()) }
		cfg.Skipper = func(c *echo.Context) bool { return c.Request().Header.Get("X-Skip") == "yes" }
	}}).routes()
	assert.Equal(t, http.StatusOK, h.do("GET", "/read", h.bearer(map[string]any{"sub": "alice", "scope": "read:data"})).Code)
	assert.Equal(t, []string{"alice"}, seen)
	assert.Equal(t, []string{"GET /read"}, h.handlers())
	h.records()

	rec := h.do("GET", "/read", "", "X-Skip", "yes")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, []string{"GET /read"}, h.handlers())
	assert.Equal(t, []echo5axioms.AuditRecord{{Method: "GET", Route: "/read", Outcome: enforce.OutcomePassed,
		Status: http.StatusOK, Reason: enforce.ReasonSkipped}}, h.records())
	assert.Equal(t, []string{"alice"}, seen, "a skipped request is not a success")
}

// Installed with e.Pre, before routing, the middleware cannot know the route: every
// request is answered 404, never let through unchecked.
func TestInstalledBeforeRoutingAnswers404(t *testing.T) {
	h := newHarness(t, harnessOptions{install: func(e *echo.Echo, mw echo.MiddlewareFunc) { e.Pre(mw) }}).routes()
	for _, target := range []string{"/public", "/read", "/nothing"} {
		assert.Equal(t, http.StatusNotFound, h.do("GET", target, h.bearer(map[string]any{"scope": "read:data"})).Code, target)
	}
	assert.Empty(t, h.handlers())
}

// The owner rule: by path parameter, and through a loader whose object the handler
// reads; the loader's own status and its failures.
func TestOwnerRules(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	h := newHarness(t, harnessOptions{config: func(cfg *echo5axioms.Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	}})
	h.e.GET("/users/:user_id/profile", h.handler("profile"))
	h.e.GET("/articles/:id", func(c *echo.Context) error {
		a, ok := echo5axioms.Object[*article](c)
		require.True(t, ok, "the loaded object is handed to the handler")
		fromCtx, ok := echo5axioms.ObjectFrom[*article](c.Request().Context())
		require.True(t, ok)
		require.Same(t, a, fromCtx)
		return c.String(http.StatusOK, "article "+a.ID)
	})
	sub := axiomstest.DefaultSubject
	owner := h.bearer(nil)
	for _, c := range []struct {
		target, auth string
		status       int
		body         string
		reason       enforce.Reason
	}{
		{"/users/" + sub + "/profile", owner, 200, "profile for " + sub, ""},
		{"/users/someone-else/profile", owner, 403, "", enforce.ReasonNotOwner},
		{"/articles/1", owner, 200, "article 1", ""},
		{"/articles/2", owner, 403, "", enforce.ReasonNotOwner},
		{"/articles/9", owner, 404, `{"message":"Not Found"}`, enforce.ReasonOwnerLoader},
		{"/articles/9", "", 401, "", enforce.ReasonMissingToken},
		{"/articles/broken", owner, 500, `{"message":"Internal Server Error"}`, enforce.ReasonServerError},
	} {
		rec := h.do("GET", c.target, c.auth)
		assert.Equal(t, c.status, rec.Code, c.target)
		if c.body != "" {
			assert.Equal(t, c.body, strings.TrimSpace(rec.Body.String()), c.target)
		}
		records := h.records()
		require.Len(t, records, 1, c.target)
		assert.Equal(t, c.reason, records[0].Reason, c.target)
	}
	mu.Lock()
	assert.Contains(t, logs.String(), "the article store is unreachable", "a loader's failure is logged at Error")
	mu.Unlock()
}

// An Authenticator's principal is what Principal returns; Claims is nil then.
func TestAuthenticatorPrincipal(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.e.GET("/key-or-token", func(c *echo.Context) error {
		sub, _ := echo5axioms.Principal(c).Claim("sub")
		return c.JSON(http.StatusOK, map[string]any{"sub": sub, "claims": echo5axioms.Claims(c) != nil})
	})
	rec := h.do("GET", "/key-or-token", "", "X-API-Key", "good-key")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, map[string]any{"sub": "api-key-client", "claims": false}, body(t, rec))
	rec = h.do("GET", "/key-or-token", "", "X-API-Key", "bad-key")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, enforce.ReasonInvalidCredentials, h.records()[1].Reason)

	rec = h.do("GET", "/key-or-token", h.bearer(map[string]any{"sub": "alice"}))
	assert.Equal(t, map[string]any{"sub": "alice", "claims": true}, body(t, rec))
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

// Concurrent requests never see one another's route parameters or callers: the owner
// rule reads each request's own parameters (in pooled buffers) and each handler its own
// caller.
func TestConcurrentRequests(t *testing.T) {
	h := newHarness(t, harnessOptions{}).routes()
	tokens := map[string]string{}
	for _, sub := range []string{"alice", "bob", "carol", "dave"} {
		tokens[sub] = h.bearer(map[string]any{"sub": sub, "scope": "read:data"})
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 40 {
				caller := []string{"alice", "bob", "carol", "dave"}[(g+i)%4]
				owner := []string{"alice", "bob", "carol", "dave"}[(g*3+i)%4]
				rec := h.do("GET", "/users/"+owner+"/profile", tokens[caller])
				if caller == owner {
					assert.Equal(t, http.StatusOK, rec.Code)
					assert.Equal(t, "GET /users/:user_id/profile for "+caller, rec.Body.String())
				} else {
					assert.Equal(t, http.StatusForbidden, rec.Code)
				}
				rec = h.do("GET", "/read", tokens[caller])
				assert.Equal(t, "GET /read for "+caller, rec.Body.String())
			}
		})
	}
	wg.Wait()
}

package echoaxioms_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
)

// TestAuditRecordsEveryDecision: undocumented OPTIONS routes, Skipper skips and owner
// loader failures are decisions too.
func TestAuditRecordsEveryDecision(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	h := newHarness(t, harnessOptions{config: func(c *echoaxioms.Config) {
		c.Skipper = func(c echo.Context) bool { return c.Path() == "/skipped" }
		c.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
		loader := func(c echo.Context) (any, error) {
			switch c.Param("id") {
			case "missing":
				return nil, echo.NewHTTPError(http.StatusNotFound)
			case "down":
				return nil, errors.New("database down")
			case "teapot":
				return nil, &echo.HTTPError{Code: http.StatusInternalServerError}
			}
			return map[string]any{"owner": "x"}, nil // no "user" field
		}
		c.OwnerLoaders = map[string]echoaxioms.OwnerLoader{"getArticle": loader, "deleteArticle": loader}
	}})
	h.e.GET("/skipped", ok)
	h.e.OPTIONS("/options-route", ok)
	mine := h.bearer(nil)
	for _, c := range []struct {
		method, target, auth string
		status               int
		want                 echoaxioms.AuditRecord
	}{
		{"GET", "/skipped", "", 200, echoaxioms.AuditRecord{Method: "GET", Route: "/skipped", Outcome: echoaxioms.OutcomePassed, Status: 200, Reason: echoaxioms.ReasonSkipped}},
		{"OPTIONS", "/options-route", "", 403, echoaxioms.AuditRecord{Method: "OPTIONS", Route: "/options-route", Outcome: echoaxioms.OutcomeDenied, Status: 403, Reason: echoaxioms.ReasonUndocumentedRoute}},
		{"GET", "/articles/missing", mine, 404, echoaxioms.AuditRecord{OperationID: "getArticle", Method: "GET", Route: "/articles/:id", Subject: axiomstest.DefaultSubject, Outcome: echoaxioms.OutcomeDenied, Status: 404, Reason: echoaxioms.ReasonOwnerLoader}},
		{"GET", "/articles/down", mine, 500, echoaxioms.AuditRecord{OperationID: "getArticle", Method: "GET", Route: "/articles/:id", Subject: axiomstest.DefaultSubject, Outcome: echoaxioms.OutcomeDenied, Status: 500, Reason: echoaxioms.ReasonServerError}},
		{"GET", "/articles/teapot", mine, 500, echoaxioms.AuditRecord{OperationID: "getArticle", Method: "GET", Route: "/articles/:id", Subject: axiomstest.DefaultSubject, Outcome: echoaxioms.OutcomeDenied, Status: 500, Reason: echoaxioms.ReasonServerError}},
		{"GET", "/articles/no-field", mine, 500, echoaxioms.AuditRecord{OperationID: "getArticle", Method: "GET", Route: "/articles/:id", Subject: axiomstest.DefaultSubject, Outcome: echoaxioms.OutcomeDenied, Status: 500, Reason: echoaxioms.ReasonServerError}},
	} {
		before := len(h.records())
		rec := h.do(c.method, c.target, c.auth)
		assert.Equal(t, c.status, rec.Code, "%s %s", c.method, c.target)
		records := h.records()
		require.Len(t, records, before+1, "%s %s: one record per decision", c.method, c.target)
		assert.Equal(t, c.want, records[before], "%s %s", c.method, c.target)
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	assert.Contains(t, out, `error="owner loader \"getArticle\": database down"`)
	assert.Contains(t, out, `error="owner loader \"getArticle\": code=500, message=<nil>"`, "a 500 without Internal is logged as itself")
	assert.NotContains(t, out, "%!w")
	assert.Contains(t, out, `has no field \"user\"`)
}

// TestHelpersAudit: decisions of the code-level helpers reach AccessTokenConfig's
// AuditHook and Logger, named by Check.
func TestHelpersAudit(t *testing.T) {
	var mu sync.Mutex
	var logs bytes.Buffer
	h := newHarness(t, harnessOptions{accessToken: func(c *echoaxioms.AccessTokenConfig) {
		c.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}})
	e := h.e
	e.GET("/auth", ok, echoaxioms.RequireAuth())
	e.GET("/scopes", ok, echoaxioms.RequireScopes("read"))
	e.GET("/roles", ok, echoaxioms.RequireRoles("editor"))
	e.GET("/perms", ok, echoaxioms.RequirePermissions("p:1"))
	docs := map[string]any{"1": map[string]any{"user": axiomstest.DefaultSubject}, "2": map[string]any{"user": "other"}, "3": map[string]any{}}
	e.GET("/docs/:id", ok, echoaxioms.RequireOwner(func(c echo.Context) (any, error) {
		if d, found := docs[c.Param("id")]; found {
			return d, nil
		}
		if c.Param("id") == "boom" {
			return nil, errors.New("database down")
		}
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}, "", ""))
	tok := h.bearer(nil)
	rec := func(check string, outcome echoaxioms.Outcome, status int, reason echoaxioms.Reason, route, subject string) echoaxioms.AuditRecord {
		return echoaxioms.AuditRecord{Method: "GET", Route: route, Subject: subject, Outcome: outcome, Status: status, Reason: reason, Check: check}
	}
	sub := axiomstest.DefaultSubject
	for _, c := range []struct {
		target, auth string
		status       int
		want         echoaxioms.AuditRecord
	}{
		{"/auth", "", 401, rec("RequireAuth", "denied", 401, "missing_token", "/auth", "")},
		{"/auth", tok, 200, rec("RequireAuth", "allowed", 200, "", "/auth", sub)},
		{"/scopes", "Bearer a.b.c", 401, rec("RequireScopes", "denied", 401, "malformed", "/scopes", "")},
		{"/scopes", tok, 403, rec("RequireScopes", "denied", 403, "insufficient_scope", "/scopes", sub)},
		{"/roles", tok, 403, rec("RequireRoles", "denied", 403, "insufficient_permission", "/roles", sub)},
		{"/perms", tok, 403, rec("RequirePermissions", "denied", 403, "insufficient_permission", "/perms", sub)},
		{"/docs/1", tok, 200, rec("RequireOwner", "allowed", 200, "", "/docs/:id", sub)},
		{"/docs/2", tok, 403, rec("RequireOwner", "denied", 403, "not_owner", "/docs/:id", sub)},
		{"/docs/404", tok, 404, rec("RequireOwner", "denied", 404, "owner_loader", "/docs/:id", sub)},
		{"/docs/boom", tok, 500, rec("RequireOwner", "denied", 500, "server_error", "/docs/:id", sub)},
		{"/docs/3", tok, 500, rec("RequireOwner", "denied", 500, "server_error", "/docs/:id", sub)},
	} {
		before := len(h.records())
		assert.Equal(t, c.status, h.do("GET", c.target, c.auth).Code, c.target)
		records := h.records()
		require.Len(t, records, before+1, c.target)
		assert.Equal(t, c.want, records[before], c.target)
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	for _, want := range []string{"reason=insufficient_scope check=RequireScopes", "reason=not_owner check=RequireOwner",
		`level=ERROR msg="axioms: ownership check failed" method=GET path=/docs/:id error="database down"`,
		`error="map[string]interface {} has no field \"user\""`} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "axioms: allowed", "allowed decisions are Debug records, below the logger's level")
}

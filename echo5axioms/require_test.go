package echo5axioms_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/echo5axioms"
)

// helpersHarness protects routes with the code-level helpers only, without any
// document, behind AccessToken with the realm "helpers".
func helpersHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, harnessOptions{accessToken: func(c *echo5axioms.AccessTokenConfig) { c.Realm = "helpers" }})
	e := h.e
	e.GET("/state", func(c *echo.Context) error {
		st := echo5axioms.State(c)
		body := map[string]any{"status": st.Status.String()}
		if st.Err != nil {
			body["reason"] = st.Err.Reason
		}
		return c.JSON(http.StatusOK, body)
	})
	ok := func(c *echo.Context) error {
		body := map[string]any{}
		if claims := echo5axioms.Claims(c); claims != nil {
			body["sub"] = claims.Subject()
		}
		if d, found := echo5axioms.Object[map[string]any](c); found {
			body["doc"] = d
		}
		return c.JSON(http.StatusOK, body)
	}
	e.GET("/auth", ok, echo5axioms.RequireAuth())
	e.GET("/scopes", ok, echo5axioms.RequireScopes("read", "admin"))
	e.GET("/scopes-and", ok, echo5axioms.RequireScopes("read"), echo5axioms.RequireScopes("write"))
	e.GET("/roles", ok, echo5axioms.RequireRoles("editor"))
	e.GET("/perms", ok, echo5axioms.RequirePermissions("p:1", "p:2"))
	docs := map[string]map[string]any{"1": {"owner": "user-1"}, "2": {"owner": "user-2"}, "3": {"nobody": "x"}}
	e.GET("/docs/:id", ok, echo5axioms.RequireOwner(func(c *echo.Context) (any, error) {
		if c.Param("id") == "boom" {
			return nil, errors.New("database down")
		}
		d, found := docs[c.Param("id")]
		if !found {
			return nil, echo.ErrNotFound
		}
		return d, nil
	}, "owner", ""))
	return h
}

func TestAccessTokenRecordsState(t *testing.T) {
	h := helpersHarness(t)
	for _, c := range []struct {
		auth, status, reason string
	}{
		{"", "missing", "missing_token"},
		{"Basic x", "missing", "missing_token"},
		{h.bearer(nil), "valid", ""},
		{"Bearer a.b.c", "invalid", "malformed"},
		{h.bearer(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}), "invalid", "expired"},
		{"Bearer", "invalid", "invalid_request"},
	} {
		rec := h.do("GET", "/state", c.auth)
		require.Equal(t, http.StatusOK, rec.Code, "AccessToken never rejects")
		b := body(t, rec)
		assert.Equal(t, c.status, b["status"], c.auth)
		if c.reason != "" {
			assert.Equal(t, c.reason, b["reason"], c.auth)
		}
	}
	assert.Empty(t, h.records(), "AccessToken itself decides nothing")
}

func TestRequireHelpers(t *testing.T) {
	h := helpersHarness(t)
	tok := h.bearer
	for _, c := range []struct {
		target, auth string
		status       int
		challenge    string
		check        string
	}{
		{"/auth", "", 401, `Bearer realm="helpers"`, "RequireAuth"},
		{"/auth", "Bearer", 400, `Bearer realm="helpers", error="invalid_request", error_description="the Bearer scheme carries no token"`, "RequireAuth"},
		{"/auth", tok(nil), 200, "", "RequireAuth"},
		{"/scopes", tok(map[string]any{"scope": "admin"}), 200, "", "RequireScopes"},
		{"/scopes", tok(map[string]any{"scope": "write"}), 403, `Bearer realm="helpers", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read admin"`, "RequireScopes"},
		{"/scopes-and", tok(map[string]any{"scope": "read write"}), 200, "", "RequireScopes"},
		{"/scopes-and", tok(map[string]any{"scope": "read"}), 403, `Bearer realm="helpers", error="insufficient_scope", error_description="the access token lacks a required scope", scope="write"`, "RequireScopes"},
		{"/roles", tok(map[string]any{"roles": []string{"editor"}}), 200, "", "RequireRoles"},
		{"/roles", tok(nil), 403, `Bearer realm="helpers", error="insufficient_permission", error_description="the access token lacks a required role"`, "RequireRoles"},
		{"/perms", tok(map[string]any{"permissions": []string{"p:2"}}), 200, "", "RequirePermissions"},
		{"/perms", tok(nil), 403, `Bearer realm="helpers", error="insufficient_permission", error_description="the access token lacks a required permission"`, "RequirePermissions"},
		{"/docs/1", tok(map[string]any{"sub": "user-1"}), 200, "", "RequireOwner"},
		{"/docs/2", tok(map[string]any{"sub": "user-1"}), 403, `Bearer realm="helpers", error="insufficient_permission", error_description="the caller does not own this resource"`, "RequireOwner"},
		{"/docs/9", tok(map[string]any{"sub": "user-1"}), 404, "", "RequireOwner"},
		{"/docs/9", "", 401, `Bearer realm="helpers"`, "RequireOwner"},
		{"/docs/3", tok(map[string]any{"sub": "user-1"}), 500, "", "RequireOwner"},
		{"/docs/boom", tok(map[string]any{"sub": "user-1"}), 500, "", "RequireOwner"},
	} {
		rec := h.do("GET", c.target, c.auth)
		assert.Equal(t, c.status, rec.Code, "%s %s", c.target, c.auth)
		assert.Equal(t, c.challenge, rec.Header().Get("WWW-Authenticate"), c.target)
		records := h.records()
		require.NotEmpty(t, records, c.target)
		last := records[len(records)-1]
		assert.Equal(t, c.check, last.Check, c.target)
		assert.Equal(t, c.status, last.Status, c.target)
	}
	rec := h.do("GET", "/docs/1", tok(map[string]any{"sub": "user-1"}))
	assert.Equal(t, map[string]any{"sub": "user-1", "doc": map[string]any{"owner": "user-1"}}, body(t, rec), "RequireOwner hands the object on")
}

func TestRequireHelpersPanicWithoutValues(t *testing.T) {
	assert.PanicsWithValue(t, "echo5axioms: RequireScopes needs at least one value", func() { echo5axioms.RequireScopes() })
	assert.PanicsWithValue(t, "echo5axioms: RequireRoles needs at least one value", func() { echo5axioms.RequireRoles() })
	assert.PanicsWithValue(t, "echo5axioms: RequirePermissions needs at least one value", func() { echo5axioms.RequirePermissions() })
	assert.PanicsWithValue(t, "echo5axioms: RequireOwner needs a loader", func() { echo5axioms.RequireOwner(nil, "", "") })
	_, err := echo5axioms.AccessTokenConfig{}.ToMiddleware()
	assert.EqualError(t, err, "echo5axioms: AccessTokenConfig.Validator is required")
}

// The helpers behind the spec middleware read the caller it authenticated.
func TestRequireHelpersAfterTheSpecMiddleware(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.e.GET("/read", h.handler("read"), echo5axioms.RequireRoles("editor"))
	assert.Equal(t, http.StatusForbidden, h.do("GET", "/read", h.bearer(map[string]any{"scope": "read:data"})).Code)
	assert.Equal(t, http.StatusOK, h.do("GET", "/read", h.bearer(map[string]any{"scope": "read:data", "roles": []string{"editor"}})).Code)
	assert.Equal(t, []string{"read"}, h.handlers())
}

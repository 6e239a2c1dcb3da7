package echoaxioms_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/echoaxioms"
)

// helpersHarness protects routes with the code-level helpers only, without any
// document, behind AccessToken with the realm "helpers".
func helpersHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, harnessOptions{accessToken: func(c *echoaxioms.AccessTokenConfig) { c.Realm = "helpers" }})
	e := h.e
	e.GET("/state", func(c echo.Context) error {
		st := echoaxioms.State(c)
		body := map[string]any{"status": st.Status.String()}
		if st.Err != nil {
			body["reason"] = st.Err.Reason
		}
		return c.JSON(200, body)
	})
	e.GET("/auth", ok, echoaxioms.RequireAuth())
	e.GET("/scopes", ok, echoaxioms.RequireScopes("read", "admin"))
	e.GET("/scopes-and", ok, echoaxioms.RequireScopes("read"), echoaxioms.RequireScopes("write"))
	e.GET("/roles", ok, echoaxioms.RequireRoles("editor"))
	e.GET("/perms", ok, echoaxioms.RequirePermissions("p:1", "p:2"))
	docs := map[string]map[string]any{"1": {"owner": "user-1"}, "2": {"owner": "user-2"}, "3": {"nobody": "x"}}
	e.GET("/docs/:id", ok, echoaxioms.RequireOwner(func(c echo.Context) (any, error) {
		if c.Param("id") == "boom" {
			return nil, errors.New("database down")
		}
		d, found := docs[c.Param("id")]
		if !found {
			return nil, echo.NewHTTPError(http.StatusNotFound)
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
		require.Equal(t, 200, rec.Code, "AccessToken never rejects")
		b := body(t, rec)
		assert.Equal(t, c.status, b["status"], c.auth)
		if c.reason != "" {
			assert.Equal(t, c.reason, b["reason"], c.auth)
		}
	}
}

func TestRequireHelpers(t *testing.T) {
	h := helpersHarness(t)
	tok := h.bearer
	for _, c := range []struct {
		target, auth string
		status       int
		challenge    string
	}{
		{"/auth", "", 401, `Bearer realm="helpers"`},
		{"/auth", "Bearer x.y.z", 401, `Bearer realm="helpers", error="invalid_token", error_description="token segment is not canonical base64url"`},
		{"/auth", "Bearer", 400, `Bearer realm="helpers", error="invalid_request", error_description="the Bearer scheme carries no token"`},
		{"/auth", tok(nil), 200, ""},
		{"/scopes", tok(map[string]any{"scope": "admin"}), 200, ""},
		{"/scopes", tok(map[string]any{"scope": "write"}), 403, `Bearer realm="helpers", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read admin"`},
		{"/scopes", "", 401, `Bearer realm="helpers"`},
		{"/scopes-and", tok(map[string]any{"scope": "read write"}), 200, ""},
		{"/scopes-and", tok(map[string]any{"scope": "read"}), 403, `Bearer realm="helpers", error="insufficient_scope", error_description="the access token lacks a required scope", scope="write"`},
		{"/roles", tok(map[string]any{"roles": []string{"editor"}}), 200, ""},
		{"/roles", tok(nil), 403, `Bearer realm="helpers", error="insufficient_permission", error_description="the access token lacks a required role"`},
		{"/perms", tok(map[string]any{"permissions": "p:2"}), 200, ""},
		{"/perms", tok(map[string]any{"permissions": "p:3"}), 403, `Bearer realm="helpers", error="insufficient_permission", error_description="the access token lacks a required permission"`},
		{"/docs/1", tok(nil), 200, ""},
		{"/docs/2", tok(nil), 403, `Bearer realm="helpers", error="insufficient_permission", error_description="the caller does not own this resource"`},
		{"/docs/9", tok(nil), 404, ""},
		{"/docs/9", "", 401, `Bearer realm="helpers"`},
		{"/docs/3", tok(nil), 500, ""},
		{"/docs/boom", tok(nil), 500, ""},
		{"/docs/boom", "", 401, `Bearer realm="helpers"`},
	} {
		rec := h.do("GET", c.target, c.auth)
		assert.Equal(t, c.status, rec.Code, "%s %s", c.target, c.auth)
		assert.Equal(t, c.challenge, rec.Header().Get("WWW-Authenticate"), "%s", c.target)
	}
}

func TestRequireWithoutAccessTokenFailsClosed(t *testing.T) {
	h := newHarness(t, harnessOptions{accessToken: func(*echoaxioms.AccessTokenConfig) {},
		install: func(*echo.Echo, echo.MiddlewareFunc) {}}) // AccessToken is not installed
	h.e.GET("/x", ok, echoaxioms.RequireAuth())
	assert.Equal(t, 401, h.do("GET", "/x", h.bearer(nil)).Code)
	assert.Panics(t, func() { echoaxioms.RequireScopes() })
	assert.Panics(t, func() { echoaxioms.RequireRoles() })
	assert.Panics(t, func() { echoaxioms.RequirePermissions() })
	assert.Panics(t, func() { echoaxioms.RequireOwner(nil, "", "") })
	assert.Panics(t, func() { echoaxioms.AccessToken(echoaxioms.AccessTokenConfig{}) })
}

func TestHelpersAfterTheSpecMiddleware(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.e.GET("/read-editor", ok, echoaxioms.RequireRoles("editor"))
	// The document does not describe /read-editor: denied before the helper runs.
	assert.Equal(t, 403, h.do("GET", "/read-editor", h.bearer(map[string]any{"roles": []string{"editor"}})).Code)
	h2 := newHarness(t, harnessOptions{})
	h2.e.GET("/read", ok, echoaxioms.RequireRoles("editor")) // re-registers /read with an extra check
	assert.Equal(t, 403, h2.do("GET", "/read", h2.bearer(map[string]any{"scope": "read:data"})).Code)
	assert.Equal(t, 200, h2.do("GET", "/read", h2.bearer(map[string]any{"scope": "read:data", "roles": []string{"editor"}})).Code)
}

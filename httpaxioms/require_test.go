package httpaxioms_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/httpaxioms"
)

// The code-level helpers behind AccessToken, on handlers of a plain ServeMux, without a
// document: AccessToken records the token's state, each helper decides and records.
func TestHelpers(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	var records []httpaxioms.AuditRecord
	at := httpaxioms.AccessToken(httpaxioms.AccessTokenConfig{Validator: iss.Validator(t),
		AuditHook: func(_ *http.Request, r httpaxioms.AuditRecord) { records = append(records, r) }})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := httpaxioms.State(r)
		_, _ = w.Write([]byte(st.Status.String()))
		if a, found := httpaxioms.Object[*article](r); found {
			_, _ = w.Write([]byte(" article " + a.ID))
		}
	})
	loader := func(r *http.Request) (any, error) {
		if id := r.PathValue("id"); id != "404" {
			return &article{ID: id, User: map[string]string{"1": axiomstest.DefaultSubject}[id]}, nil
		}
		return nil, &httpaxioms.StatusError{Status: http.StatusNotFound}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /state", at(ok))
	mux.Handle("GET /auth", at(httpaxioms.RequireAuth()(ok)))
	mux.Handle("GET /scopes", at(httpaxioms.RequireScopes("read:data", "admin")(ok)))
	mux.Handle("GET /both", at(httpaxioms.RequireScopes("read:data")(httpaxioms.RequireScopes("openid")(ok))))
	mux.Handle("GET /roles", at(httpaxioms.RequireRoles("editor")(ok)))
	mux.Handle("GET /permissions", at(httpaxioms.RequirePermissions("items:write")(ok)))
	mux.Handle("GET /articles/{id}", at(httpaxioms.RequireOwner(loader, "", "")(ok)))
	token := func(claims map[string]any) string {
		return "Bearer " + iss.Token(t, axiomstest.TokenSpec{Claims: claims})
	}
	expired := token(map[string]any{"exp": 1, "iat": 0, "nbf": 0})

	for _, c := range []struct {
		target, auth string
		status       int
		body         string
		challenge    string
	}{
		{"/state", "", 200, "missing", ""},
		{"/state", expired, 200, "invalid", ""},
		{"/state", token(nil), 200, "valid", ""},
		{"/auth", "", 401, "", `Bearer realm="api"`},
		{"/auth", "Bearer", 400, "", `Bearer realm="api", error="invalid_request", error_description="the Bearer scheme carries no token"`},
		{"/auth", expired, 401, "", `Bearer realm="api", error="invalid_token", error_description="token expired"`},
		{"/auth", token(nil), 200, "valid", ""},
		{"/scopes", token(map[string]any{"scope": "admin"}), 200, "valid", ""},
		{"/scopes", token(map[string]any{"scope": "openid"}), 403, "", `Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read:data admin"`},
		{"/both", token(map[string]any{"scope": "read:data"}), 403, "", `Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="openid"`},
		{"/both", token(map[string]any{"scope": "read:data openid"}), 200, "valid", ""},
		{"/roles", token(map[string]any{"roles": []string{"viewer"}}), 403, "", `Bearer realm="api", error="insufficient_permission", error_description="the access token lacks a required role"`},
		{"/roles", token(map[string]any{"roles": []string{"editor"}}), 200, "valid", ""},
		{"/permissions", token(map[string]any{"permissions": []string{"items:write"}}), 200, "valid", ""},
		{"/permissions", token(nil), 403, "", `Bearer realm="api", error="insufficient_permission", error_description="the access token lacks a required permission"`},
		{"/articles/1", token(nil), 200, "valid article 1", ""},
		{"/articles/2", token(nil), 403, "", `Bearer realm="api", error="insufficient_permission", error_description="the caller does not own this resource"`},
		{"/articles/404", token(nil), 404, "Not Found\n", ""},
		{"/articles/404", "", 401, "", `Bearer realm="api"`},
	} {
		rec := serve(mux, "GET", c.target, c.auth)
		assert.Equal(t, c.status, rec.Code, "%s %s", c.target, c.auth)
		assert.Equal(t, c.challenge, rec.Header().Get("WWW-Authenticate"), "%s %s", c.target, c.auth)
		if c.body != "" {
			assert.Equal(t, c.body, rec.Body.String(), c.target)
		}
	}
	require.NotEmpty(t, records)
	last := records[len(records)-1]
	assert.Equal(t, httpaxioms.AuditRecord{Method: "GET", Route: "/articles/{id}", Outcome: enforce.OutcomeDenied,
		Status: http.StatusUnauthorized, Reason: enforce.ReasonMissingToken, Check: "RequireOwner"}, last)
	assert.Equal(t, "RequireOwner", records[len(records)-2].Check)
	assert.Equal(t, enforce.ReasonOwnerLoader, records[len(records)-2].Reason)

	rec := serve(httpaxioms.RequireAuth()(ok), "GET", "/", "")
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "without AccessToken nor the middleware")
}

// The helpers refuse what would deny everything or nothing, and AccessToken a
// configuration without a validator.
func TestHelperMisuse(t *testing.T) {
	assert.PanicsWithValue(t, "httpaxioms: RequireScopes needs at least one value", func() { httpaxioms.RequireScopes() })
	assert.PanicsWithValue(t, "httpaxioms: RequireRoles needs at least one value", func() { httpaxioms.RequireRoles() })
	assert.PanicsWithValue(t, "httpaxioms: RequirePermissions needs at least one value", func() { httpaxioms.RequirePermissions() })
	assert.PanicsWithValue(t, "httpaxioms: RequireOwner needs a loader", func() { httpaxioms.RequireOwner(nil, "", "") })
	_, err := httpaxioms.AccessTokenConfig{}.Middleware()
	assert.EqualError(t, err, "httpaxioms: AccessTokenConfig.Validator is required")
	assert.Panics(t, func() { httpaxioms.AccessToken(httpaxioms.AccessTokenConfig{}) })
}

// StatusError says its status and cause, and unwraps to the cause.
func TestStatusError(t *testing.T) {
	cause := errors.New("no article 9")
	err := error(&httpaxioms.StatusError{Status: http.StatusNotFound, Err: cause})
	assert.EqualError(t, err, "404 Not Found: no article 9")
	assert.ErrorIs(t, err, cause)
	assert.EqualError(t, &httpaxioms.StatusError{Status: http.StatusConflict}, "409 Conflict")
}

package echoaxioms_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/validator"
)

// TestResponseTable covers every row of the response table, with the exact status, RFC
// 6750 header and body.
func TestResponseTable(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	valid := h.bearer(nil)
	rows := []struct {
		name, method, target, auth string
		status                     int
		challenge                  string // exact WWW-Authenticate, "" for none
		code                       string // body "error"
	}{
		{"no credentials", "GET", "/any", "", 401, `Bearer realm="api"`, "unauthorized"},
		{"another auth scheme", "GET", "/any", "Basic dXNlcjpwYXNz", 401, `Bearer realm="api"`, "unauthorized"},
		{"scheme without its space", "GET", "/any", "Bearerx", 401, `Bearer realm="api"`, "unauthorized"},
		{"Bearer with no token", "GET", "/any", "Bearer", 400, `Bearer realm="api", error="invalid_request", error_description="the Bearer scheme carries no token"`, "invalid_request"},
		{"Bearer with spaces only", "GET", "/any", "Bearer   ", 400, `Bearer realm="api", error="invalid_request", error_description="the Bearer scheme carries no token"`, "invalid_request"},
		{"two tokens", "GET", "/any", "Bearer a.b.c d.e.f", 400, `Bearer realm="api", error="invalid_request", error_description="the bearer token is not a single token68 value"`, "invalid_request"},
		{"characters outside token68", "GET", "/any", "Bearer a.b.c\"", 400, `Bearer realm="api", error="invalid_request", error_description="the bearer token is not a single token68 value"`, "invalid_request"},
		{"padding in the middle", "GET", "/any", "Bearer a=b", 400, `Bearer realm="api", error="invalid_request", error_description="the bearer token is not a single token68 value"`, "invalid_request"},
		{"invalid token", "GET", "/any", "Bearer not.a.token", 401, `Bearer realm="api", error="invalid_token", error_description="token segment is not canonical base64url"`, "invalid_token"},
		{"expired token", "GET", "/any", h.bearer(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}), 401, `Bearer realm="api", error="invalid_token", error_description="token expired"`, "invalid_token"},
		{"missing scope", "GET", "/write", h.bearer(map[string]any{"scope": "write:data"}), 403, `Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="write:data openid"`, "insufficient_scope"},
		{"missing role", "GET", "/roles-any", valid, 403, `Bearer realm="api", error="insufficient_permission", error_description="the access token lacks a required role"`, "insufficient_permission"},
		{"missing permission", "POST", "/perm", valid, 403, `Bearer realm="api", error="insufficient_permission", error_description="the access token lacks a required permission"`, "insufficient_permission"},
		{"not the owner", "GET", "/users/someone-else/profile", valid, 403, `Bearer realm="api", error="insufficient_permission", error_description="the caller does not own this resource"`, "insufficient_permission"},
		{"undocumented route", "GET", "/undocumented", valid, 403, "", "forbidden"},
		{"allowed", "GET", "/any", valid, 200, "", ""},
		{"public", "GET", "/public", "", 200, "", ""},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			rec := h.do(r.method, r.target, r.auth)
			assert.Equal(t, r.status, rec.Code, rec.Body.String())
			assert.Equal(t, r.challenge, rec.Header().Get("WWW-Authenticate"))
			b := body(t, rec)
			if r.code != "" {
				assert.Equal(t, r.code, b["error"])
				assert.NotEmpty(t, b["error_description"])
				assert.Len(t, b, 2, "the body is exactly error and error_description")
				assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			}
			if r.status < 400 {
				assert.Equal(t, r.target, b["route"])
			}
		})
	}
}

func TestKeysUnavailableIs503ThenRecovers(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	iss.Fail(axiomstest.Fault{Status: http.StatusServiceUnavailable})
	h2 := newHarness(t, harnessOptions{issuer: iss, validator: func(c *validator.Config) { c.MinRefreshInterval = time.Millisecond }})
	tok := h2.bearer(nil)

	rec := h2.do("GET", "/any", tok)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "30", rec.Header().Get("Retry-After"))
	assert.Empty(t, rec.Header().Get("WWW-Authenticate"))
	assert.Equal(t, "temporarily_unavailable", body(t, rec)["error"])

	assert.Equal(t, http.StatusOK, h2.do("GET", "/public", tok).Code, "public routes work while the issuer is down")
	assert.Equal(t, http.StatusUnauthorized, h2.do("GET", "/any", "").Code, "no token is still 401")

	iss.ClearFaults()
	require.Eventually(t, func() bool { return h2.do("GET", "/any", tok).Code == http.StatusOK }, 10*time.Second, 20*time.Millisecond,
		"recovers without a restart")
}

func TestOptionalAuthentication(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rec := h.do("GET", "/optional", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.NotContains(t, body(t, rec), "sub", "anonymous")

	rec = h.do("GET", "/optional", h.bearer(map[string]any{"scope": "read:data"}))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, axiomstest.DefaultSubject, body(t, rec)["sub"])

	rec = h.do("GET", "/optional", h.bearer(nil))
	require.Equal(t, http.StatusOK, rec.Code, "the {} alternative is satisfied whatever the token holds")
	assert.Equal(t, axiomstest.DefaultSubject, body(t, rec)["sub"], "but the caller is identified")

	rec = h.do("GET", "/optional", "Bearer garbage.token.here")
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "a presented token must be valid")
	assert.Equal(t, "invalid_token", body(t, rec)["error"])

	assert.Equal(t, http.StatusBadRequest, h.do("GET", "/optional", "Bearer ").Code)
}

func TestPublicOperationIgnoresTokens(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, auth := range []string{"Bearer garbage", "Bearer", "Basic x", "Bearer a b"} {
		rec := h.do("GET", "/public", auth)
		assert.Equal(t, http.StatusOK, rec.Code, auth)
		assert.NotContains(t, body(t, rec), "sub")
	}
}

func TestScopeAlternatives(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, c := range []struct {
		target, scope string
		status        int
		missing       string
	}{
		{"/read", "read:data", 200, ""},
		{"/read", "admin", 200, ""},
		{"/read", "read:data-admin", 403, `scope="read:data"`},
		{"/read", "openid", 403, `scope="read:data"`},
		{"/read", "READ:DATA", 403, `scope="read:data"`},
		{"/write", "write:data openid", 200, ""},
		{"/write", "openid", 403, `scope="write:data openid"`},
		{"/write", "", 403, `scope="write:data openid"`},
	} {
		rec := h.do("GET", c.target, h.bearer(map[string]any{"scope": c.scope}))
		assert.Equal(t, c.status, rec.Code, "%s %q", c.target, c.scope)
		if c.missing != "" {
			assert.Contains(t, rec.Header().Get("WWW-Authenticate"), c.missing)
		}
	}
}

func TestRolesAndPermissionsCombined(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, c := range []struct {
		name   string
		target string
		claims map[string]any
		status int
	}{
		{"any role: admin", "/roles-any", map[string]any{"roles": []string{"admin"}}, 200},
		{"any role: superuser", "/roles-any", map[string]any{"roles": "superuser"}, 200},
		{"any role: comma-joined is one role", "/roles-any", map[string]any{"roles": "admin,superuser"}, 403},
		{"all roles", "/roles-all", map[string]any{"roles": []string{"superuser", "admin"}}, 200},
		{"all roles, one missing", "/roles-all", map[string]any{"roles": []string{"admin"}}, 403},
		{"strict: everything", "/strict", map[string]any{"scope": "openid", "roles": []string{"editor"}, "permissions": []string{"resource:write"}}, 200},
		{"strict: other scope", "/strict", map[string]any{"scope": "read:data", "roles": []string{"editor"}, "permissions": []string{"resource:write"}}, 200},
		{"strict: no permission", "/strict", map[string]any{"scope": "openid", "roles": []string{"editor"}}, 403},
		{"strict: no role", "/strict", map[string]any{"scope": "openid", "permissions": []string{"resource:write"}}, 403},
		{"strict: no scope", "/strict", map[string]any{"roles": []string{"editor"}, "permissions": []string{"resource:write"}}, 403},
	} {
		t.Run(c.name, func(t *testing.T) {
			method := "GET"
			assert.Equal(t, c.status, h.do(method, c.target, h.bearer(c.claims)).Code)
		})
	}
	rec := h.do("GET", "/strict", h.bearer(map[string]any{"roles": []string{"editor"}}))
	assert.Equal(t, "insufficient_scope", body(t, rec)["error"], "scopes are checked before roles and permissions")
	rec = h.do("GET", "/strict", h.bearer(map[string]any{"scope": "openid"}))
	assert.Contains(t, body(t, rec)["error_description"], "role", "roles before permissions")
	assert.Equal(t, 200, h.do("POST", "/perm", h.bearer(map[string]any{"permissions": []string{"resource:create"}})).Code)
}

func TestNonBearerSchemes(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	tok := h.bearer(map[string]any{"scope": "read:data"})
	assert.Equal(t, 200, h.do("GET", "/multi", tok, "X-API-Key", "good-key").Code, "AND: token and key")
	assert.Equal(t, 401, h.do("GET", "/multi", tok).Code, "AND: key missing")
	rec := h.do("GET", "/multi", tok, "X-API-Key", "bad-key")
	assert.Equal(t, 401, rec.Code)
	assert.Equal(t, "unauthorized", body(t, rec)["error"])
	assert.Equal(t, 403, h.do("GET", "/multi", h.bearer(nil), "X-API-Key", "good-key").Code, "AND: key present, scope missing")

	assert.Equal(t, 200, h.do("GET", "/key-or-token", "", "X-API-Key", "good-key").Code, "OR: the key alone")
	assert.Equal(t, 200, h.do("GET", "/key-or-token", h.bearer(map[string]any{"scope": "admin"})).Code, "OR: the token alone")
	assert.Equal(t, 401, h.do("GET", "/key-or-token", "").Code)
	assert.Equal(t, 401, h.do("GET", "/key-or-token", "Bearer bad.to.ken").Code)
}

func TestRouteConfusionNeverReachesAHandlerUnauthenticated(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, c := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/any/", 404},
		{"GET", "//any", 404},
		{"GET", "/any%2F", 404},
		{"GET", "/ANY", 404},
		{"get", "/any", 405},
		{"HEAD", "/any", 405},
		{"DELETE", "/any", 405},
		{"GET", "/any?access_token=" + h.iss.Token(t, axiomstest.TokenSpec{}), 401},
		{"GET", "/users/user-1%2F..%2Fadmin/profile", 401},
		{"GET", "/articles/1%2F", 401},
		{"GET", "/any#fragment", 404},
		{"GET", "/public/../any", 404},
	} {
		rec := h.do(c.method, c.target, "")
		assert.Equal(t, c.status, rec.Code, "%s %s", c.method, c.target)
		assert.NotContains(t, rec.Body.String(), `"route"`, "%s %s reached a handler", c.method, c.target)
	}
	// A token in the query string is never read, even for a public-looking path.
	rec := h.do("GET", "/any?access_token="+h.iss.Token(t, axiomstest.TokenSpec{}), "")
	assert.Equal(t, `Bearer realm="api"`, rec.Header().Get("WWW-Authenticate"))
}

func TestUnroutableRequestsGoToEcho(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rec := h.do("GET", "/nothing-here", "")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Empty(t, rec.Header().Get("WWW-Authenticate"))
	rec = h.do("PUT", "/read", "Bearer garbage")
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code, "Echo's 405, not ours")
	assert.Empty(t, rec.Header().Get("WWW-Authenticate"))
	rec = h.do("OPTIONS", "/read", "")
	assert.Equal(t, http.StatusNoContent, rec.Code, "CORS preflight passes")

	assert.Empty(t, h.records(), "requests Echo answers itself are not decisions of the middleware")
}

func TestUndocumentedRoutes(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rec := h.do("GET", "/undocumented", h.bearer(map[string]any{"scope": "admin"}))
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, "forbidden", body(t, rec)["error"])
	records := h.records()
	require.NotEmpty(t, records)
	last := records[len(records)-1]
	assert.Equal(t, echoaxioms.ReasonUndocumentedRoute, last.Reason)
	assert.Equal(t, echoaxioms.OutcomeDenied, last.Outcome)

	open := newHarness(t, harnessOptions{config: func(c *echoaxioms.Config) { c.InsecureAllowUndocumented = true }})
	assert.Equal(t, http.StatusOK, open.do("GET", "/undocumented", "").Code)

	h.e.OPTIONS("/undocumented-options", ok)
	assert.Equal(t, http.StatusForbidden, h.do("OPTIONS", "/undocumented-options", "").Code, "an application's OPTIONS handler is a route like any other")
}

func TestClaimsReachHandlers(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rec := h.do("GET", "/any", h.bearer(map[string]any{"sub": "alice"}))
	require.Equal(t, http.StatusOK, rec.Code)
	b := body(t, rec)
	assert.Equal(t, "alice", b["sub"], "echoaxioms.Claims")
	assert.Equal(t, "alice", b["ctx_sub"], "validator.FromContext on the request context")
}

func TestOwnership(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	mine := h.bearer(nil)
	other := h.bearer(map[string]any{"sub": "someone-else"})

	assert.Equal(t, 200, h.do("GET", "/users/user-1/profile", mine).Code, "param form, Echo names the parameter differently")
	assert.Equal(t, 403, h.do("GET", "/users/user-2/profile", mine).Code)
	assert.Equal(t, 401, h.do("GET", "/users/user-1/profile", "").Code)

	rec := h.do("GET", "/articles/1", mine)
	require.Equal(t, 200, rec.Code)
	assert.Equal(t, "1", body(t, rec)["article"], "the loaded object reaches the handler")
	assert.Equal(t, 403, h.do("GET", "/articles/1", other).Code)
	assert.Equal(t, 200, h.do("GET", "/articles/2", other).Code)
	rec = h.do("GET", "/articles/999", mine)
	assert.Equal(t, 404, rec.Code, "the loader's own answer, after authentication")

	h.loads = 0
	assert.Equal(t, 401, h.do("GET", "/articles/999", "").Code, "anonymous callers get 401, never 404")
	assert.Equal(t, 401, h.do("GET", "/articles/1", "Bearer x.y.z").Code)
	assert.Equal(t, 403, h.do("DELETE", "/articles/1", mine).Code, "role checked before ownership")
	assert.Zero(t, h.loads, "the loader never ran for callers who failed the other checks")
	assert.Equal(t, 200, h.do("DELETE", "/articles/1", h.bearer(map[string]any{"roles": []string{"editor"}})).Code)
	assert.Equal(t, 1, h.loads)
}

func TestAuditRecords(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.do("GET", "/public", "")
	h.do("GET", "/optional", "")
	h.do("GET", "/any", h.bearer(map[string]any{"sub": "alice"}))
	secret := h.iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}})
	h.do("GET", "/any", "Bearer "+secret)
	h.do("GET", "/write", h.bearer(nil))
	records := h.records()
	require.Len(t, records, 5)
	assert.Equal(t, echoaxioms.AuditRecord{OperationID: "public", Method: "GET", Route: "/public", Outcome: echoaxioms.OutcomePublic, Status: 200}, records[0])
	assert.Equal(t, echoaxioms.OutcomeAnonymous, records[1].Outcome)
	assert.Equal(t, echoaxioms.AuditRecord{OperationID: "any", Method: "GET", Route: "/any", Subject: "alice", Outcome: echoaxioms.OutcomeAllowed, Status: 200}, records[2])
	assert.Equal(t, echoaxioms.AuditRecord{OperationID: "any", Method: "GET", Route: "/any", Outcome: echoaxioms.OutcomeDenied, Status: 401, Reason: echoaxioms.Reason(validator.ReasonExpired)}, records[3])
	assert.Equal(t, echoaxioms.ReasonInsufficientScope, records[4].Reason)
	assert.Equal(t, axiomstest.DefaultSubject, records[4].Subject, "a denied but authenticated caller is named")
	for _, r := range records {
		assert.NotContains(t, strings.Join([]string{r.OperationID, r.Route, r.Subject, string(r.Reason)}, " "), secret[:20])
	}
}

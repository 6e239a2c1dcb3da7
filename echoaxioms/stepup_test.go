package echoaxioms_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/axioms-go/axioms-echo/internal/specgen"
)

// TestStepUpThroughEcho: x-axioms-acr and x-axioms-max-age answered with RFC 9470's
// challenge through e.ServeHTTP.
func TestStepUpThroughEcho(t *testing.T) {
	h := newHarness(t, harnessOptions{doc: specgen.Doc{Schemes: []string{specgen.OAuth2("oauth2", "read")}}.YAML(`
  /mfa:
    get: {operationId: mfa, security: [{oauth2: [read]}], x-axioms-acr: ["urn:example:mfa"], responses: {"200": {description: ok}}}
  /both:
    get: {operationId: both, security: [{oauth2: []}], x-axioms-acr: ["urn:example:mfa", "urn:example:hwk"], x-axioms-max-age: 300, responses: {"200": {description: ok}}}
`)})
	h.e.GET("/mfa", ok)
	h.e.GET("/both", ok)
	now := time.Now()
	for _, c := range []struct {
		name, target string
		claims       map[string]any
		status       int
		challenge    string
	}{
		{"acr satisfied", "/mfa", map[string]any{"scope": "read", "acr": "urn:example:mfa"}, 200, ""},
		{"acr missing", "/mfa", map[string]any{"scope": "read"}, 401,
			`Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="urn:example:mfa"`},
		{"acr as an array", "/mfa", map[string]any{"scope": "read", "acr": []string{"urn:example:mfa"}}, 401,
			`Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="urn:example:mfa"`},
		{"acr as a number", "/mfa", map[string]any{"scope": "read", "acr": 1}, 401,
			`Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="urn:example:mfa"`},
		{"scope failure first", "/mfa", map[string]any{"acr": "urn:example:pwd"}, 403,
			`Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read"`},
		{"both satisfied", "/both", map[string]any{"acr": "urn:example:hwk", "auth_time": now.Add(-time.Minute)}, 200, ""},
		{"auth_time too old", "/both", map[string]any{"acr": "urn:example:hwk", "auth_time": now.Add(-time.Hour)}, 401,
			`Bearer realm="api", error="insufficient_user_authentication", error_description="the authentication is too old", acr_values="urn:example:mfa urn:example:hwk", max_age="300"`},
		{"auth_time missing", "/both", map[string]any{"acr": "urn:example:hwk"}, 401,
			`Bearer realm="api", error="insufficient_user_authentication", error_description="the authentication is too old", acr_values="urn:example:mfa urn:example:hwk", max_age="300"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := h.do(http.MethodGet, c.target, h.bearer(c.claims))
			assert.Equal(t, c.status, rec.Code, rec.Body.String())
			assert.Equal(t, c.challenge, rec.Header().Get("WWW-Authenticate"))
			if c.status == http.StatusUnauthorized {
				assert.Contains(t, rec.Body.String(), `"error":"insufficient_user_authentication"`)
			}
		})
	}
}

package enforce_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

var stepUpDoc = specgen.Doc{Schemes: []string{specgen.OAuth2("oauth2", "read")}}.YAML(`
  /mfa:
    get: {operationId: mfa, security: [{oauth2: [read]}], x-axioms-acr: ["urn:example:mfa", "urn:example:hwk"], responses: {"200": {description: ok}}}
  /fresh:
    get: {operationId: fresh, security: [{oauth2: []}], x-axioms-max-age: 300, responses: {"200": {description: ok}}}
  /both:
    get: {operationId: both, security: [{oauth2: []}], x-axioms-acr: ['urn:example:"q"'], x-axioms-max-age: 60, responses: {"200": {description: ok}}}
`)

func TestStepUp(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	policies, err := openapi.LoadData(stepUpDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	var records []enforce.AuditRecord
	core, err := enforce.New(enforce.Config{Policies: policies, Validator: iss.Validator(t),
		AuditHook: func(_ context.Context, _ any, r enforce.AuditRecord) { records = append(records, r) }})
	require.NoError(t, err)
	now := time.Now()
	const (
		mfaChallenge   = `Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="urn:example:mfa urn:example:hwk"`
		freshChallenge = `Bearer realm="api", error="insufficient_user_authentication", error_description="the authentication is too old", max_age="300"`
	)
	for _, c := range []struct {
		name, route string
		claims      map[string]any
		status      int
		challenge   string
	}{
		{"acr satisfied", "/mfa", map[string]any{"scope": "read", "acr": "urn:example:hwk"}, 0, ""},
		{"acr missing", "/mfa", map[string]any{"scope": "read"}, 401, mfaChallenge},
		{"acr not listed", "/mfa", map[string]any{"scope": "read", "acr": "urn:example:pwd"}, 401, mfaChallenge},
		{"acr as an array", "/mfa", map[string]any{"scope": "read", "acr": []string{"urn:example:mfa"}}, 401, mfaChallenge},
		{"acr as a number", "/mfa", map[string]any{"scope": "read", "acr": 2}, 401, mfaChallenge},
		{"acr as null", "/mfa", map[string]any{"scope": "read", "acr": nil}, 401, mfaChallenge},
		{"a scope failure comes first", "/mfa", map[string]any{"acr": "urn:example:pwd"}, 403, `Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read"`},
		{"auth_time recent", "/fresh", map[string]any{"auth_time": now.Add(-time.Minute)}, 0, ""},
		{"auth_time within the leeway ahead", "/fresh", map[string]any{"auth_time": now.Add(10 * time.Second)}, 0, ""},
		{"auth_time too old", "/fresh", map[string]any{"auth_time": now.Add(-301 * time.Second)}, 401, freshChallenge},
		{"auth_time missing", "/fresh", nil, 401, freshChallenge},
		{"auth_time as a string", "/fresh", map[string]any{"auth_time": "1700000000"}, 401, freshChallenge},
		{"auth_time as an array", "/fresh", map[string]any{"auth_time": []int64{now.Unix()}}, 401, freshChallenge},
		{"auth_time in the future", "/fresh", map[string]any{"auth_time": now.Add(time.Hour)}, 401, freshChallenge},
		{"both satisfied", "/both", map[string]any{"acr": `urn:example:"q"`, "auth_time": now}, 0, ""},
		{"both declared, acr fails", "/both", map[string]any{"auth_time": now}, 401,
			`Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="urn:example:\"q\"", max_age="60"`},
		{"both declared, too old", "/both", map[string]any{"acr": `urn:example:"q"`, "auth_time": now.Add(-time.Hour)}, 401,
			`Bearer realm="api", error="insufficient_user_authentication", error_description="the authentication is too old", acr_values="urn:example:\"q\"", max_age="60"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			header := http.Header{"Authorization": {"Bearer " + iss.Token(t, axiomstest.TokenSpec{Claims: c.claims})}}
			res := core.Enforce(context.Background(), &enforce.Request{Header: header, Method: http.MethodGet, Route: c.route,
				Policy: policies.Lookup(http.MethodGet, c.route)})
			rec := records[len(records)-1]
			if c.status == 0 {
				require.Nil(t, res.Denial)
				assert.Equal(t, enforce.OutcomeAllowed, rec.Outcome)
				return
			}
			require.NotNil(t, res.Denial)
			assert.Equal(t, c.status, res.Denial.Status)
			assert.Equal(t, c.challenge, res.Denial.Challenge())
			if c.status == http.StatusUnauthorized {
				assert.Equal(t, enforce.CodeInsufficientUserAuthentication, res.Denial.Code)
				assert.Equal(t, enforce.ReasonInsufficientUserAuthentication, rec.Reason)
				assert.Equal(t, "insufficient_user_authentication", res.Denial.Body().Error)
				w := httptest.NewRecorder()
				res.Denial.SetHeaders(w.Header())
				assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
			}
			assert.Equal(t, enforce.OutcomeDenied, rec.Outcome)
			assert.Equal(t, axiomstest.DefaultSubject, rec.Subject)
		})
	}
}

// TestStepUpUsesTheValidatorsClockAndLeeway: auth_time is judged by the clock and the
// leeway exp, nbf and iat are judged by, not the wall clock and the default leeway.
func TestStepUpUsesTheValidatorsClockAndLeeway(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	policies, err := openapi.LoadData(stepUpDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	clock := axiomstest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) // far from the wall clock
	cfg := iss.ValidatorConfig()
	cfg.Now, cfg.Leeway = clock.Now, 2*time.Minute
	v, err := validator.New(t.Context(), cfg)
	require.NoError(t, err)
	core, err := enforce.New(enforce.Config{Policies: policies, Validator: v})
	require.NoError(t, err)
	now := clock.Now()
	for _, c := range []struct {
		name     string
		authTime time.Time
		allowed  bool
	}{
		{"recent by the validator's clock", now.Add(-time.Minute), true},
		{"too old by the validator's clock", now.Add(-301 * time.Second), false},
		{"ahead within the configured leeway (2m, more than the default 30s)", now.Add(90 * time.Second), true},
		{"ahead beyond the configured leeway", now.Add(3 * time.Minute), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{
				"auth_time": c.authTime.Unix(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}})
			res := core.Enforce(context.Background(), &enforce.Request{Header: http.Header{"Authorization": {"Bearer " + tok}},
				Method: http.MethodGet, Route: "/fresh", Policy: policies.Lookup(http.MethodGet, "/fresh")})
			if c.allowed {
				assert.Nil(t, res.Denial)
				return
			}
			require.NotNil(t, res.Denial)
			assert.Equal(t, http.StatusUnauthorized, res.Denial.Status)
			assert.Equal(t, enforce.CodeInsufficientUserAuthentication, res.Denial.Code)
		})
	}
}

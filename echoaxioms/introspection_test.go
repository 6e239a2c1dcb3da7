package echoaxioms_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/envconfig"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// opaqueDoc binds a scheme whose issuer issues opaque tokens (introspected) and one
// whose issuer issues JWTs.
var opaqueDoc = specgen.Doc{Schemes: []string{specgen.OAuth2("hydra", "read:data"), specgen.OAuth2("staff", "read:data")}}.YAML(`
  /data:
    get: {operationId: data, security: [{hydra: [read:data]}], responses: {"401": {description: no}, "403": {description: no}}}
  /either:
    get: {operationId: either, security: [{staff: [read:data]}, {hydra: [read:data]}], responses: {"401": {description: no}, "403": {description: no}}}
`)

// opaqueHarness protects the routes of opaqueDoc: the hydra scheme is bound to a
// validator introspecting the harness issuer's opaque tokens (endpoint by discovery,
// client_secret_basic), the staff scheme to another issuer's JWT validator.
func opaqueHarness(t *testing.T) (h *harness, staff *axiomstest.Issuer) {
	t.Helper()
	hydra := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{IntrospectionClientID: "api", IntrospectionClientSecret: "s3cret"})
	staff = axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	h = newHarness(t, harnessOptions{doc: opaqueDoc, issuer: hydra,
		validator: func(cfg *validator.Config) {
			cfg.Introspection = &validator.Introspection{ClientID: "api", ClientSecret: "s3cret"}
		},
		config: func(c *echoaxioms.Config) {
			c.SchemeValidators = map[string]echoaxioms.TokenValidator{"hydra": c.Validator, "staff": staff.Validator(t)}
			c.Validator = nil
		}})
	h.e.GET("/data", func(c echo.Context) error {
		claims := echoaxioms.Claims(c)
		id, _ := claims.Claim("client_id")
		client, _ := id.(string)
		return c.String(http.StatusOK, claims.Subject()+" "+client)
	})
	h.e.GET("/either", ok)
	return h, staff
}

func TestOpaqueTokens(t *testing.T) {
	h, staff := opaqueHarness(t)
	hydra := h.iss
	good := hydra.OpaqueToken(t, map[string]any{"scope": "read:data", "sub": "alice", "client_id": "app-1"})

	rec := h.do(http.MethodGet, "/data", "Bearer "+good)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "alice app-1", rec.Body.String(), "claims of the introspection answer, through the same accessors")
	fetches := hydra.IntrospectionFetches()
	assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/data", "Bearer "+good).Code)
	assert.Equal(t, fetches, hydra.IntrospectionFetches(), "the second request is answered from the cache")
	assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/either", "Bearer "+good).Code, "an alternative bound to the introspecting validator")
	assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/either", "Bearer "+staff.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "read:data"}})).Code,
		"JWTs of the other scheme are unaffected")

	noScope := hydra.OpaqueToken(t, map[string]any{"scope": "write:data"})
	rec = h.do(http.MethodGet, "/data", "Bearer "+noScope)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, `Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read:data"`,
		rec.Header().Get("WWW-Authenticate"))

	revoked := hydra.OpaqueToken(t, map[string]any{"scope": "read:data"})
	hydra.Revoke(revoked)
	rec = h.do(http.MethodGet, "/data", "Bearer "+revoked)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, `Bearer realm="api", error="invalid_token", error_description="token is not active"`, rec.Header().Get("WWW-Authenticate"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	records := h.records()
	assert.Equal(t, echoaxioms.Reason(validator.ReasonInactive), records[len(records)-1].Reason)

	unknown := h.do(http.MethodGet, "/data", "Bearer axiomstest_at_never-issued")
	assert.Equal(t, http.StatusUnauthorized, unknown.Code, "a token the issuer does not know is inactive")
}

func TestOpaqueTokensIntrospectionDown(t *testing.T) {
	scenarios, survived, fetches := 0, 0, 0
	for name, fault := range map[string]axiomstest.Fault{
		"503":                   {Status: http.StatusServiceUnavailable},
		"500":                   {Status: http.StatusInternalServerError},
		"401 (wrong client)":    {Status: http.StatusUnauthorized},
		"not JSON":              {Body: []byte("<html>maintenance</html>")},
		"active not a boolean":  {Body: []byte(`{"active":"true","scope":"read:data"}`)},
		"scope of another type": {Body: []byte(`{"active":true,"scope":["read:data"]}`)},
		"connection dropped":    {CloseConnection: true, Times: 3},
	} {
		scenarios++
		passed := t.Run(name, func(t *testing.T) {
			h, _ := opaqueHarness(t)
			hydra := h.iss
			defer func() { fetches += hydra.IntrospectionFetches() }()
			tok := hydra.OpaqueToken(t, map[string]any{"scope": "read:data"})
			hydra.FailIntrospection(fault)
			rec := h.do(http.MethodGet, "/data", "Bearer "+tok)
			require.Equal(t, http.StatusServiceUnavailable, rec.Code, "never a 200, never a 401")
			assert.Equal(t, "30", rec.Header().Get("Retry-After"))
			assert.Empty(t, rec.Header().Get("WWW-Authenticate"))
			var body map[string]string
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			assert.Equal(t, map[string]string{"error": "temporarily_unavailable",
				"error_description": "the token could not be checked: introspection is unavailable"}, body)
			records := h.records()
			assert.Equal(t, echoaxioms.Reason(validator.ReasonIntrospectionUnavailable), records[len(records)-1].Reason)
			assert.Equal(t, http.StatusServiceUnavailable, h.do(http.MethodGet, "/either", "Bearer "+tok).Code,
				"the JWT scheme's malformed does not outrank the endpoint's outage")

			hydra.ClearFaults()
			assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/data", "Bearer "+tok).Code, "failures are not cached: the endpoint is back")
		})
		if passed {
			survived++
		}
	}
	t.Logf("FIGURE introspection-faults: %d of %d faults answered 503 with Retry-After and recovered, %d introspection requests", survived, scenarios, fetches)
}

// protect is the README's example of section "Opaque tokens (introspection)", verbatim
// (TestReadmeIntrospectionExample keeps the two equal).
func protect(ctx context.Context, e *echo.Echo, policies *openapi.Policies, issuer, audience, secret string) error {
	hydra, err := validator.New(ctx, validator.Config{
		Issuer:    issuer,
		Audiences: []string{audience},
		Introspection: &validator.Introspection{ // tokens not shaped as a JWS
			ClientID:     "orders-api",
			ClientSecret: secret, // from the environment, never from the document
		},
	})
	if err != nil {
		return err
	}
	e.Use(echoaxioms.WithConfig(echoaxioms.Config{
		Policies:         policies,
		SchemeValidators: map[string]echoaxioms.TokenValidator{"hydra": hydra},
	}))
	return nil
}

// TestReadmeIntrospectionExample runs the README's introspection example, code and
// environment, against the test issuer.
func TestReadmeIntrospectionExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	block := func(marker, lang string) string {
		_, after, ok := strings.Cut(string(readme), "<!-- "+marker+" -->\n```"+lang+"\n")
		require.True(t, ok, "the README has a %s block", marker)
		b, _, ok := strings.Cut(after, "```")
		require.True(t, ok)
		return b
	}
	src, err := os.ReadFile("introspection_test.go")
	require.NoError(t, err)
	_, fn, _ := strings.Cut(string(src), "// (TestReadmeIntrospectionExample keeps the two equal).\n")
	fn, _, _ = strings.Cut(fn, "\n}\n")
	assert.Equal(t, fn+"\n}\n", block("introspection:code", "go"), "the README shows protect as it is")

	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{IntrospectionClientID: "orders-api", IntrospectionClientSecret: "s3cret"})
	policies, err := openapi.LoadData(specgen.Doc{Schemes: []string{specgen.OAuth2("hydra", "orders:read")}}.YAML(`
  /orders:
    get: {security: [{hydra: [orders:read]}], responses: {"401": {description: no}, "403": {description: no}}}
`), openapi.LoadOptions{})
	require.NoError(t, err)
	e := echo.New()
	require.NoError(t, protect(t.Context(), e, policies, iss.URL(), iss.Audience(), "s3cret"))
	e.GET("/orders", ok)
	status := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, "/orders", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec.Code
	}
	assert.Equal(t, http.StatusOK, status(iss.OpaqueToken(t, map[string]any{"scope": "orders:read"})))
	assert.Equal(t, http.StatusForbidden, status(iss.OpaqueToken(t, map[string]any{"scope": "orders:write"})))

	// The environment of the README, with the test issuer's address and audience.
	env := map[string]string{}
	for line := range strings.Lines(block("introspection:env", "sh")) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		require.True(t, ok, line)
		env[name] = value
	}
	env["AXIOMS_ISS_URL"], env["AXIOMS_AUDIENCE"], env["AXIOMS_INTROSPECTION_CLIENT_SECRET"] = iss.URL(), iss.Audience(), "s3cret"
	cfg, err := envconfig.FromLookup(func(k string) (string, bool) { v, ok := env[k]; return v, ok }).ValidatorConfig()
	require.NoError(t, err)
	v, err := validator.New(t.Context(), cfg)
	require.NoError(t, err)
	c, err := v.Validate(t.Context(), iss.OpaqueToken(t, map[string]any{"scope": "orders:read"}))
	require.NoError(t, err)
	assert.True(t, c.HasScope("orders:read"))
}

package enforce_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// Attack tests of introspection, DPoP and step-up together.

// introspecting is a validator of iss that introspects opaque tokens at its endpoint.
func introspecting(t *testing.T, iss *axiomstest.Issuer) *validator.Validator {
	t.Helper()
	cfg := iss.ValidatorConfig()
	cfg.Introspection = &validator.Introspection{Endpoint: iss.IntrospectionURL()}
	v, err := validator.New(context.Background(), cfg)
	require.NoError(t, err)
	return v
}

// A bearer token with characters outside token68 is a malformed request (400) on
// every path, with introspection on as without: the allocation-free path leaves the
// token68 check to the validator's refusal, so a validator that introspects must not
// accept such a token, even from an endpoint that calls every token active, nor send
// it there.
func TestIntrospectedTokenNotToken68(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	doc := specgen.Doc{Schemes: []string{specgen.Bearer("plain"), "either: {type: http, scheme: bearer, x-axioms-dpop: allowed}"}}.YAML(`
  /plain:
    get: {operationId: plain, security: [{plain: []}], responses: {"200": {description: ok}}}
  /either:
    get: {operationId: either, security: [{either: []}], responses: {"200": {description: ok}}}
`)
	policies, err := openapi.LoadData(doc, openapi.LoadOptions{})
	require.NoError(t, err)
	iss.FailIntrospection(axiomstest.Fault{Body: []byte(`{"active": true, "iss": "` + iss.URL() + `", "aud": "` +
		iss.Audience() + `", "exp": 99999999999}`)})
	for _, general := range []bool{false, true} {
		cfg := enforce.Config{Policies: policies, Validator: introspecting(t, iss)}
		if general {
			cfg.SchemeValidators = map[string]enforce.TokenValidator{"plain": introspecting(t, iss)}
		}
		core, err := enforce.New(cfg)
		require.NoError(t, err)
		for _, route := range []string{"/plain", "/either"} {
			for _, tok := range []string{`ory_at_a"b`, "ory_at_a:b", "ory_at_tökén", "ory_at_a,b", "a=b"} {
				res := core.Enforce(context.Background(), &enforce.Request{Header: http.Header{"Authorization": {"Bearer " + tok}},
					Method: "GET", Route: route, Host: "api.example.test", RequestURI: route, Policy: policies.Lookup("GET", route)})
				require.NotNil(t, res.Denial, "general %v %s %q", general, route, tok)
				assert.Equal(t, http.StatusBadRequest, res.Status, "general %v %s %q", general, route, tok)
				assert.Equal(t, enforce.CodeInvalidRequest, res.Denial.Code)
				assert.Equal(t, "the bearer token is not a single token68 value", res.Denial.Description)
			}
		}
	}
	assert.Zero(t, iss.IntrospectionFetches(), "never sent to the endpoint")

	core, err := enforce.New(enforce.Config{Policies: policies, Validator: introspecting(t, iss)})
	require.NoError(t, err)
	res := core.Enforce(context.Background(), &enforce.Request{Header: http.Header{"Authorization": {"Bearer ory_at_abc"}},
		Method: "GET", Route: "/plain", Host: "api.example.test", RequestURI: "/plain", Policy: policies.Lookup("GET", "/plain")})
	assert.Nil(t, res.Denial, "a token68 opaque token the endpoint calls active")
	assert.Equal(t, 1, iss.IntrospectionFetches())
}

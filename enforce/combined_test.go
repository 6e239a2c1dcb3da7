package enforce_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
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

// A token bound by a confirmation method other than DPoP's jkt (a certificate
// thumbprint of RFC 8705 mutual TLS, a jwk, a kid) cannot have its binding checked
// here: it is refused however it is presented, on the allocation-free path, the general
// path and by AccessToken, JWT or introspected; a cnf holding only jkt, or nothing, is
// not affected.
func TestTokensBoundOtherwiseAreRefused(t *testing.T) {
	const desc = "the access token is bound to a key or certificate by a method this service does not check"
	others := []map[string]any{
		{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"},
		{"jwk": map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}},
		{"kid": "dfd1aa97-6d8d-4575-a0fe-34b96de2bfad"},
	}
	for _, general := range []bool{false, true} {
		s := newDPoPSetup(t, func(s *dpopSetup, c *enforce.Config) {
			c.Validator = introspecting(t, s.iss)
			if general {
				c.SchemeValidators = map[string]enforce.TokenValidator{"plain": introspecting(t, s.iss)}
			}
		})
		at, err := enforce.NewAccessToken(enforce.AccessTokenConfig{Validator: introspecting(t, s.iss)})
		require.NoError(t, err)
		for i, cnf := range others {
			for _, opaque := range []bool{false, true} {
				claims := map[string]any{"cnf": cnf}
				tok := s.iss.Token(t, axiomstest.TokenSpec{Claims: claims})
				if opaque {
					tok = s.iss.OpaqueToken(t, claims)
				}
				name := fmt.Sprintf("general %v, cnf %d, opaque %v", general, i, opaque)
				for _, route := range []string{"/plain", "/either"} {
					res, rec := s.do(route, http.Header{"Authorization": {"Bearer " + tok}})
					require.NotNil(t, res.Denial, "%s %s", name, route)
					assert.Equal(t, enforce.ReasonUnsupportedBinding, rec.Reason, "%s %s", name, route)
					assert.Equal(t, `Bearer realm="api", error="invalid_token", error_description="`+desc+`"`, res.Denial.Challenge(), "%s %s", name, route)
				}
				st := enforce.StateFromContext(at.Inspect(context.Background(), http.Header{"Authorization": {"Bearer " + tok}}))
				require.NotNil(t, st.Err, name)
				assert.Equal(t, enforce.ReasonUnsupportedBinding, st.Err.Reason, name)
			}
		}
		// Beside jkt, with the DPoP scheme and a valid proof: the other binding is not
		// checked either.
		both := s.iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"cnf": map[string]any{
			"jkt": s.key.Thumbprint(), "x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}})
		res, rec := s.do("/dpop", dpopHeaders(both, s.proof("/dpop", both)))
		require.NotNil(t, res.Denial)
		assert.Equal(t, enforce.ReasonUnsupportedBinding, rec.Reason)
		assert.Equal(t, `DPoP realm="api", error="invalid_token", error_description="`+desc+`", `+dpopAlgs, res.Denial.Challenge())

		for _, cnf := range []map[string]any{{}, nil} {
			claims := map[string]any{}
			if cnf != nil {
				claims["cnf"] = cnf
			}
			res, _ = s.do("/plain", http.Header{"Authorization": {"Bearer " + s.iss.Token(t, axiomstest.TokenSpec{Claims: claims})}})
			assert.Nil(t, res.Denial, "cnf %v", cnf)
		}
		bound := s.boundToken(nil)
		res, _ = s.do("/dpop", dpopHeaders(bound, s.proof("/dpop", bound)))
		assert.Nil(t, res.Denial, "cnf with jkt alone")
	}
}

// An operation whose alternatives mix a scheme requiring DPoP with a plain bearer
// scheme, or make authentication optional, lets no token through the other door: a
// bound token presented as Bearer is refused by every alternative, a DPoP request whose
// proof fails is denied (never judged by the plain scheme, never anonymous), and an
// unbound Bearer token passes only by a scheme that takes Bearer.
func TestDPoPAlternativesNeverSlipThrough(t *testing.T) {
	doc := specgen.Doc{Schemes: []string{
		specgen.Bearer("plain"),
		"dpop: {type: http, scheme: bearer, x-axioms-dpop: required}",
		"either: {type: http, scheme: bearer, x-axioms-dpop: allowed}",
	}}.YAML(`
  /mixed:
    get: {operationId: mixed, security: [{dpop: []}, {plain: []}], responses: {"200": {description: ok}}}
  /optional-dpop:
    get: {operationId: optionalDpop, security: [{}, {dpop: []}], responses: {"200": {description: ok}}}
  /optional-either:
    get: {operationId: optionalEither, security: [{}, {either: []}], responses: {"200": {description: ok}}}
`)
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	key := axiomstest.NewDPoPKey(t, "ES256")
	policies, err := openapi.LoadData(doc, openapi.LoadOptions{})
	require.NoError(t, err)
	bound := iss.Token(t, axiomstest.TokenSpec{DPoPKey: key})
	unbound := iss.Token(t, axiomstest.TokenSpec{})
	proof := func(route, tok string) string {
		return key.Proof(t, axiomstest.ProofSpec{Method: "GET", URL: "http://api.example.test" + route, AccessToken: tok})
	}
	for _, general := range []bool{false, true} {
		cfg := enforce.Config{Policies: policies, Validator: iss.Validator(t)}
		if general {
			cfg.SchemeValidators = map[string]enforce.TokenValidator{"plain": iss.Validator(t), "either": iss.Validator(t)}
		}
		core, err := enforce.New(cfg)
		require.NoError(t, err)
		for _, c := range []struct {
			route, auth, proof string
			want               enforce.Reason // "" when allowed
			anonymous          bool
		}{
			{"/mixed", "Bearer " + bound, "", enforce.ReasonDPoPBoundToken, false},
			{"/mixed", "Bearer " + bound, proof("/mixed", bound), enforce.ReasonDPoPBoundToken, false},
			{"/mixed", "Bearer " + unbound, "", "", false},
			{"/mixed", "DPoP " + bound, proof("/mixed", bound), "", false},
			{"/mixed", "DPoP " + bound, "", enforce.Reason(validator.ReasonInvalidDPoPProof), false},
			{"/mixed", "DPoP " + bound, proof("/other", bound), enforce.Reason(validator.ReasonInvalidDPoPProof), false},
			{"/mixed", "DPoP " + unbound, proof("/mixed", unbound), enforce.Reason(validator.ReasonDPoPKeyMismatch), false},
			{"/optional-dpop", "", "", "", true},
			{"/optional-dpop", "DPoP " + bound, "x.y.z", enforce.Reason(validator.ReasonInvalidDPoPProof), false},
			{"/optional-dpop", "DPoP " + bound, "", enforce.Reason(validator.ReasonInvalidDPoPProof), false},
			{"/optional-dpop", "Bearer " + unbound, "", enforce.ReasonDPoPRequired, false},
			{"/optional-dpop", "Bearer " + bound, "", enforce.ReasonDPoPBoundToken, false},
			{"/optional-dpop", "DPoP " + bound, proof("/optional-dpop", bound), "", false},
			{"/optional-either", "DPoP " + bound, "x.y.z", enforce.Reason(validator.ReasonInvalidDPoPProof), false},
			{"/optional-either", "DPoP " + unbound, proof("/optional-either", unbound), enforce.Reason(validator.ReasonDPoPKeyMismatch), false},
			{"/optional-either", "Bearer " + bound, "", enforce.ReasonDPoPBoundToken, false},
			{"/optional-either", "Bearer " + unbound, "", "", false},
		} {
			h := http.Header{}
			if c.auth != "" {
				h.Set("Authorization", c.auth)
			}
			if c.proof != "" {
				h.Set("DPoP", c.proof)
			}
			res := core.Enforce(context.Background(), &enforce.Request{Header: h, Method: "GET", Route: c.route,
				Host: "api.example.test", RequestURI: c.route, Policy: policies.Lookup("GET", c.route)})
			name := fmt.Sprintf("general %v %s %.12s… proof %v", general, c.route, c.auth, c.proof != "")
			if c.want == "" {
				require.Nil(t, res.Denial, "%s: %v", name, res.Denial)
				assert.Equal(t, c.anonymous, enforce.PrincipalFromContext(res.Context) == nil, name)
				continue
			}
			require.NotNil(t, res.Denial, name)
			assert.Equal(t, http.StatusUnauthorized, res.Status, name)
			assert.Equal(t, c.want, res.Denial.Reason, name)
		}
	}
}

// One proof sent by many concurrent requests, on both paths, is accepted once: the
// Enforcer checks it once per request against the one replay cache of its checker.
func TestDPoPProofRaceThroughTheEnforcer(t *testing.T) {
	for _, general := range []bool{false, true} {
		iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
		key := axiomstest.NewDPoPKey(t, "ES256")
		policies, err := openapi.LoadData(dpopDoc, openapi.LoadOptions{})
		require.NoError(t, err)
		cfg := enforce.Config{Policies: policies, Validator: iss.Validator(t), Params: func(any) ([]string, []string) { return nil, nil }}
		if general {
			cfg.SchemeValidators = map[string]enforce.TokenValidator{"either": iss.Validator(t)}
		}
		core, err := enforce.New(cfg)
		require.NoError(t, err)
		tok := iss.Token(t, axiomstest.TokenSpec{DPoPKey: key})
		for _, route := range []string{"/dpop", "/either"} {
			proof := key.Proof(t, axiomstest.ProofSpec{Method: "GET", URL: "http://api.example.test" + route, AccessToken: tok})
			var accepted atomic.Int32
			var wg sync.WaitGroup
			for range 64 {
				wg.Go(func() {
					res := core.Enforce(context.Background(), &enforce.Request{Header: dpopHeaders(tok, proof), Method: "GET", Route: route,
						Host: "api.example.test", RequestURI: route, Policy: policies.Lookup("GET", route)})
					if res.Denial == nil {
						accepted.Add(1)
					} else if res.Denial.Reason != enforce.Reason(validator.ReasonDPoPReplayed) {
						t.Errorf("general %v %s: %s", general, route, res.Denial.Reason)
					}
				})
			}
			wg.Wait()
			assert.EqualValues(t, 1, accepted.Load(), "general %v %s", general, route)
		}
	}
}

// Step-up after DPoP with an introspected token: the answer's acr is judged as a JWT's
// (only a listed string passes), after the token and its proof, and the shortfall is
// challenged in the DPoP scheme.
func TestStepUpIntrospectedDPoPToken(t *testing.T) {
	s := newDPoPSetup(t, func(s *dpopSetup, c *enforce.Config) { c.Validator = introspecting(t, s.iss) })
	jkt := map[string]any{"jkt": s.key.Thumbprint()}
	for _, c := range []struct {
		acr  any
		want enforce.Reason
	}{
		{"urn:example:mfa", ""},
		{"urn:example:pwd", enforce.ReasonInsufficientUserAuthentication},
		{[]any{"urn:example:mfa"}, enforce.ReasonInsufficientUserAuthentication},
		{map[string]any{"value": "urn:example:mfa"}, enforce.ReasonInsufficientUserAuthentication},
		{7, enforce.ReasonInsufficientUserAuthentication},
		{axiomstest.Omit, enforce.ReasonInsufficientUserAuthentication},
	} {
		tok := s.iss.OpaqueToken(t, map[string]any{"cnf": jkt, "acr": c.acr})
		res, rec := s.do("/mfa", dpopHeaders(tok, s.proof("/mfa", tok)))
		if c.want == "" {
			assert.Nil(t, res.Denial, "acr %v", c.acr)
			continue
		}
		require.NotNil(t, res.Denial, "acr %v", c.acr)
		assert.Equal(t, c.want, rec.Reason, "acr %v", c.acr)
		assert.Equal(t, `DPoP realm="api", error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="urn:example:mfa", `+dpopAlgs, res.Denial.Challenge())

		// The proof is checked before step-up: without one, the proof is what is refused.
		res, rec = s.do("/mfa", dpopHeaders(tok, ""))
		require.NotNil(t, res.Denial)
		assert.Equal(t, enforce.Reason(validator.ReasonInvalidDPoPProof), rec.Reason, "acr %v", c.acr)
	}
}

package openapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

// dpopDoc is a document whose schemes carry the x-axioms-dpop lines given (YAML, each
// indented by 6 under its scheme), with one operation requiring each scheme.
func dpopDoc(oauth, oidc, bearer string) string {
	return `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://issuer.example/token
          scopes: {read: r}
` + oauth + `
    oidc:
      type: openIdConnect
      openIdConnectUrl: https://issuer.example/.well-known/openid-configuration
` + oidc + `
    bearer:
      type: http
      scheme: bearer
` + bearer + `
paths:
  /oauth:
    get: {security: [{oauth: [read]}], responses: {"401": {description: no}}}
  /oidc:
    get: {security: [{oidc: []}], responses: {"401": {description: no}}}
  /bearer:
    get: {security: [{bearer: []}, {oauth: []}], responses: {"401": {description: no}}}
`
}

func schemeNamed(t *testing.T, p *openapi.Policies, name string) openapi.Scheme {
	t.Helper()
	for _, s := range p.Schemes() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no scheme %q", name)
	return openapi.Scheme{}
}

func TestDPoPDeclaredOnBearerSchemes(t *testing.T) {
	p := mustLoad(t, dpopDoc("      x-axioms-dpop: required", "      x-axioms-dpop: allowed", ""))
	assert.Equal(t, openapi.DPoPRequired, schemeNamed(t, p, "oauth").DPoP)
	assert.Equal(t, openapi.DPoPAllowed, schemeNamed(t, p, "oidc").DPoP)
	assert.Equal(t, openapi.DPoPNone, schemeNamed(t, p, "bearer").DPoP, "no extension: bearer only")

	assert.Equal(t, openapi.DPoPRequired, policy(t, p, "GET", "/oauth").Alternatives[0][0].DPoP, "the requirement carries its scheme's mode")
	assert.Equal(t, openapi.DPoPAllowed, policy(t, p, "GET", "/oidc").Alternatives[0][0].DPoP)
	bearer := policy(t, p, "GET", "/bearer")
	assert.Equal(t, openapi.DPoPNone, bearer.Alternatives[0][0].DPoP)
	assert.Equal(t, openapi.DPoPRequired, bearer.Alternatives[1][0].DPoP)

	p = mustLoad(t, dpopDoc("", "", "      x-axioms-dpop: required"))
	assert.Equal(t, openapi.DPoPRequired, schemeNamed(t, p, "bearer").DPoP, "http bearer takes it too")
}

func TestDPoPModeString(t *testing.T) {
	assert.Equal(t, "none", openapi.DPoPNone.String())
	assert.Equal(t, "allowed", openapi.DPoPAllowed.String())
	assert.Equal(t, "required", openapi.DPoPRequired.String())
	assert.Equal(t, "invalid", openapi.DPoPMode(9).String())
}

func TestMalformedDPoPValues(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"capitalised", `Required`, `must be "required" or "allowed", not "Required"`},
		{"another word", `optional`, `must be "required" or "allowed", not "optional"`},
		{"empty", `""`, `must be "required" or "allowed", not ""`},
		{"surrounding spaces", `" required"`, `not " required"`},
		{"unicode look-alike", `"requіred"`, `must be "required" or "allowed"`}, // Cyrillic і
		{"a boolean", `true`, `must be the string "required" or "allowed", not a boolean`},
		{"a number", `1`, `not a number`},
		{"null", `null`, `not null`},
		{"a list", `[required]`, `not a list`},
		{"an object", `{mode: required}`, `not an object`},
	} {
		t.Run(c.name, func(t *testing.T) {
			pr := onlyProblem(t, dpopDoc("      x-axioms-dpop: "+c.value, "", ""))
			assert.Equal(t, "#/components/securitySchemes/oauth/x-axioms-dpop", pr.Pointer)
			assert.Empty(t, pr.Method)
			assert.Empty(t, pr.Path)
			assert.Contains(t, pr.Message, "x-axioms-dpop: ")
			assert.Contains(t, pr.Message, c.want)
		})
	}
}

func TestDPoPOnSchemesWithoutBearerTokens(t *testing.T) {
	for _, c := range []struct{ name, scheme, want string }{
		{"apiKey", `{type: apiKey, in: header, name: X-Key, x-axioms-dpop: required}`, `x-axioms-dpop on the apiKey scheme "other"`},
		{"http basic", `{type: http, scheme: basic, x-axioms-dpop: allowed}`, `x-axioms-dpop on the http basic scheme "other"`},
		{"mutualTLS", `{type: mutualTLS, x-axioms-dpop: required}`, `x-axioms-dpop on the mutualTLS scheme "other"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			pr := onlyProblem(t, `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    other: `+c.scheme+`
paths: {}
`)
			assert.Equal(t, "#/components/securitySchemes/other/x-axioms-dpop", pr.Pointer)
			assert.Contains(t, pr.Message, c.want)
			assert.Contains(t, pr.Message, "only oauth2, openIdConnect and http bearer schemes")
		})
	}
}

func TestDPoPOutsideSecuritySchemes(t *testing.T) {
	for _, c := range []struct{ name, root, paths, ptr string }{
		{"on the root", `x-axioms-dpop: required`, `  /a:
` + protectedGet, "#/x-axioms-dpop"},
		{"on a path item", ``, `  /a:
    x-axioms-dpop: required
` + protectedGet, "#/paths/~1a/x-axioms-dpop"},
		{"on an operation", ``, `  /a:
    get: {x-axioms-dpop: required, security: [{oauth: []}], responses: {"401": {description: no}}}
`, "#/paths/~1a/get/x-axioms-dpop"},
		{"in a response", ``, `  /a:
    get: {security: [{oauth: []}], responses: {"401": {description: no, x-axioms-dpop: required}}}
`, "#/paths/~1a/get/responses/401/x-axioms-dpop"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pr := onlyProblem(t, doc(c.root, c.paths))
			assert.Equal(t, c.ptr, pr.Pointer)
			assert.Contains(t, pr.Message, "x-axioms-dpop is not allowed here: declare it on a security scheme")
		})
	}
}

func TestDPoPKeyNearMisses(t *testing.T) {
	for _, key := range []string{"x-axioms-dpopp", "X-Axioms-DPoP", "x_axioms_dpop", "x-axioms-depop", "x‐axioms‐dpop", "ｘ-axioms-dpop"} {
		t.Run(key, func(t *testing.T) {
			pr := onlyProblem(t, dpopDoc("      "+key+": required", "", ""))
			assert.Equal(t, "#/components/securitySchemes/oauth/"+key, pr.Pointer)
			assert.Contains(t, pr.Message, "unknown extension")
			assert.Contains(t, pr.Message, `did you mean "x-axioms-dpop"?`)
		})
	}
	t.Run("another key of ours on a scheme", func(t *testing.T) {
		pr := onlyProblem(t, dpopDoc("      x-axioms-roles: [admin]", "", ""))
		assert.Equal(t, "#/components/securitySchemes/oauth/x-axioms-roles", pr.Pointer)
		assert.Contains(t, pr.Message, "x-axioms-roles is not allowed here")
	})
	t.Run("beside a valid x-axioms-dpop", func(t *testing.T) {
		problems := loadProblems(t, dpopDoc("      x-axioms-dpop: required\n      x-axioms-dpop-nonce: true", "", ""))
		require.Len(t, problems, 1, "%v", problems)
		assert.Equal(t, "#/components/securitySchemes/oauth/x-axioms-dpop-nonce", problems[0].Pointer)
	})
}

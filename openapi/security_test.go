package openapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

func TestDocumentSecurityIsInherited(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: [read]}]`, `
  /a:
    get: {responses: {"401": {description: no}}}
`))
	pol := policy(t, p, "GET", "/a")
	assert.Equal(t, openapi.AuthRequired, pol.Auth)
	assert.Equal(t, []openapi.Alternative{{{Scheme: "oauth", Type: openapi.SchemeOAuth2, Bearer: true, Scopes: []string{"read"}}}}, pol.Alternatives)
}

func TestOperationSecurityReplacesTheDocuments(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: [read]}]`, `
  /a:
    get:
      security: [{bearer: []}]
      responses: {"401": {description: no}}
`))
	pol := policy(t, p, "GET", "/a")
	assert.Equal(t, openapi.AuthRequired, pol.Auth)
	assert.Equal(t, []openapi.Alternative{{{Scheme: "bearer", Type: openapi.SchemeHTTP, Bearer: true, Scopes: []string{}}}}, pol.Alternatives,
		"replaced, not merged: oauth is not required")
}

func TestEmptySecurityMakesAnOperationPublic(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: [read]}]`, `
  /a:
    get:
      security: []
      responses: {"200": {description: ok}}
`+"  /b:\n"+protectedGet))
	pol := policy(t, p, "GET", "/a")
	assert.Equal(t, openapi.AuthNone, pol.Auth)
	assert.Empty(t, pol.Alternatives)
	d := pol.EvaluatePrincipal(nil)
	assert.True(t, d.Allowed)
	assert.Equal(t, -1, d.Alternative)
}

func TestNoSecurityAnywhereIsPublic(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /a:
    get: {responses: {"200": {description: ok}}}
`))
	assert.Equal(t, openapi.AuthNone, policy(t, p, "GET", "/a").Auth)
	assert.Empty(t, p.SchemesInUse())
}

func TestDocumentEmptySecurityIsPublic(t *testing.T) {
	p := mustLoad(t, doc(`security: []`, `
  /a:
    get: {responses: {"200": {description: ok}}}
`+"  /b:\n"+protectedGet))
	assert.Equal(t, openapi.AuthNone, policy(t, p, "GET", "/a").Auth)
	assert.Equal(t, openapi.AuthRequired, policy(t, p, "GET", "/b").Auth)
}

func TestEmptyAlternativeMakesAuthenticationOptional(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /a:
    get:
      security: [{oauth: [write]}, {}]
      responses: {"200": {description: ok}}
`))
	pol := policy(t, p, "GET", "/a")
	assert.Equal(t, openapi.AuthOptional, pol.Auth, "{} anywhere among the alternatives")
	assert.Equal(t, "{} | oauth[write]", summary(pol), "{} is reflected in Auth, not in Alternatives")

	d := pol.EvaluatePrincipal(nil)
	assert.True(t, d.Allowed, "no credentials: the {} alternative")
	assert.Equal(t, -1, d.Alternative)
	assert.Nil(t, d.Principal)

	held := scopes("write")
	d = pol.EvaluatePrincipal(held)
	assert.True(t, d.Allowed)
	assert.Equal(t, 0, d.Alternative, "the satisfied alternative identifies the caller")
	assert.Same(t, held, d.Principal)

	lacking := scopes("read")
	d = pol.EvaluatePrincipal(lacking)
	assert.True(t, d.Allowed, "valid credentials without the scope still satisfy {}")
	assert.Equal(t, -1, d.Alternative)
	assert.Same(t, lacking, d.Principal, "the caller is still identified")
}

func TestEmptyAlternativeAloneIsPublic(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /a:
    get:
      security: [{}]
      responses: {"200": {description: ok}}
`+"  /b:\n"+protectedGet))
	pol := policy(t, p, "GET", "/a")
	assert.Equal(t, openapi.AuthNone, pol.Auth, "no scheme whose credentials could be checked")
	assert.Empty(t, pol.Alternatives)
}

func TestAlternativesAreORAndSchemesInsideAreAND(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /x:
    get:
      security:
        - {oauth: [read, write], key: []}
        - {oauth: [admin]}
      responses: {"401": {description: no}}
`))
	pol := policy(t, p, "GET", "/x")
	assert.Equal(t, "key[] + oauth[read write] | oauth[admin]", summary(pol), "schemes of an alternative are sorted by name")
	assert.False(t, pol.Alternatives[0][0].Bearer)
	assert.Equal(t, openapi.SchemeAPIKey, pol.Alternatives[0][0].Type)

	key := &principal{}
	for _, c := range []struct {
		name       string
		oauth, key openapi.Principal
		allowed    bool
		failure    openapi.Failure
		alt        int
	}{
		{"both schemes, both scopes", scopes("read write"), key, true, openapi.FailNone, 0},
		{"the second alternative alone", scopes("admin"), nil, true, openapi.FailNone, 1},
		{"the first alternative without its api key", scopes("read write"), nil, false, openapi.FailScope, 1},
		{"one scope of two", scopes("read"), key, false, openapi.FailScope, 0},
		{"the api key alone", nil, key, false, openapi.FailUnauthenticated, -1},
		{"nothing", nil, nil, false, openapi.FailUnauthenticated, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := pol.Evaluate(func(s string) openapi.Principal {
				if s == "oauth" {
					return c.oauth
				}
				return c.key
			})
			assert.Equal(t, c.allowed, d.Allowed)
			assert.Equal(t, c.failure, d.Failure)
			assert.Equal(t, c.alt, d.Alternative)
		})
	}
}

func TestSchemeTypes(t *testing.T) {
	p := mustLoad(t, `openapi: 3.0.3
info: {title: t, version: "1"}
components:
  securitySchemes:
    o: {type: oauth2, flows: {implicit: {authorizationUrl: "https://a/x", scopes: {s1: x}}, password: {tokenUrl: "https://a/t", scopes: {s2: y, s1: z}}}}
    oidc: {type: openIdConnect, openIdConnectUrl: "https://a/.well-known/openid-configuration"}
    b: {type: http, scheme: BEARER, bearerFormat: JWT}
    basic: {type: http, scheme: basic}
    negotiate: {type: http, scheme: Negotiate}
    k: {type: apiKey, in: query, name: api_key}
    m: {type: mutualTLS}
paths:
  /x:
    get:
      security: [{o: [s1]}, {oidc: []}, {b: []}, {basic: []}, {k: []}, {m: []}]
      responses: {"401": {description: no}}
`)
	byName := map[string]openapi.Scheme{}
	for _, s := range p.Schemes() {
		byName[s.Name] = s
	}
	assert.Equal(t, openapi.Scheme{Name: "o", Type: openapi.SchemeOAuth2, Scopes: []string{"s1", "s2"}}, byName["o"], "scopes of every flow, sorted, once each")
	assert.Equal(t, openapi.Scheme{Name: "oidc", Type: openapi.SchemeOpenIDConnect, OpenIDConnectURL: "https://a/.well-known/openid-configuration"}, byName["oidc"])
	assert.Equal(t, openapi.Scheme{Name: "b", Type: openapi.SchemeHTTP, HTTPScheme: "bearer", BearerFormat: "JWT"}, byName["b"], "http scheme names are case-insensitive")
	assert.Equal(t, "negotiate", byName["negotiate"].HTTPScheme)
	assert.Equal(t, openapi.Scheme{Name: "k", Type: openapi.SchemeAPIKey, In: "query", ParamName: "api_key"}, byName["k"])
	assert.Equal(t, openapi.Scheme{Name: "m", Type: openapi.SchemeMutualTLS}, byName["m"])

	bearer := map[string]bool{}
	for name, s := range byName {
		bearer[name] = s.Bearer()
	}
	assert.Equal(t, map[string]bool{"o": true, "oidc": true, "b": true, "basic": false, "negotiate": false, "k": false, "m": false}, bearer)

	var names []string
	for _, s := range p.Schemes() {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"b", "basic", "k", "m", "negotiate", "o", "oidc"}, names, "sorted by name")
	assert.Equal(t, []string{"b", "basic", "k", "m", "o", "oidc"}, p.SchemesInUse(), "negotiate is declared but unused")

	s, ok := p.Scheme("k")
	require.True(t, ok)
	assert.Equal(t, openapi.SchemeAPIKey, s.Type)
	_, ok = p.Scheme("nope")
	assert.False(t, ok)

	// The table's slices are its own: callers cannot change it.
	p.Schemes()[0].Scopes = append(p.Schemes()[0].Scopes, "x")
	o, _ := p.Scheme("o")
	o.Scopes[0] = "changed"
	o, _ = p.Scheme("o")
	assert.Equal(t, []string{"s1", "s2"}, o.Scopes)
}

func TestDeviceAuthorizationFlowScopes(t *testing.T) {
	p := mustLoad(t, `openapi: 3.2.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    o:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: "https://a/t", scopes: {read: r}}
        deviceAuthorization: {deviceAuthorizationUrl: "https://a/d", tokenUrl: "https://a/t", scopes: {tv: t}}
paths:
  /x:
    get: {security: [{o: [tv]}], responses: {"401": {description: no}}}
`)
	s, ok := p.Scheme("o")
	require.True(t, ok)
	assert.Equal(t, []string{"read", "tv"}, s.Scopes, "OpenAPI 3.2's device authorization flow declares scopes too")
	assert.Empty(t, saying(p.Warnings(), "is not declared"))
}

func TestScopesOfOtherSchemesAreRequiredToo(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /x:
    get:
      security: [{key: [partner]}]
      responses: {"401": {description: no}}
`))
	pol := policy(t, p, "GET", "/x")
	assert.Equal(t, "key[partner]", summary(pol))
	assert.False(t, pol.EvaluatePrincipal(&principal{}).Allowed)
	assert.True(t, pol.EvaluatePrincipal(scopes("partner")).Allowed)
}

// OpenAPI 3.2 lets a requirement name a scheme by URI reference. Such names are not
// resolved: the requirement names an undeclared scheme and the document fails to load,
// rather than leave the operation open.
func TestRequirementByURIReferenceFailsClosed(t *testing.T) {
	pr := onlyProblem(t, `openapi: 3.2.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    b: {type: http, scheme: bearer}
paths:
  /a:
    get:
      security: [{"#/components/securitySchemes/b": []}]
      responses: {"401": {description: no}}
`)
	assert.Equal(t, "GET", pr.Method)
	assert.Equal(t, "/a", pr.Path)
	assert.Equal(t, "#/paths/~1a/get/security/0/#~1components~1securitySchemes~1b", pr.Pointer)
	assert.Equal(t, `the security requirement names "#/components/securitySchemes/b", which components.securitySchemes does not declare`, pr.Message)
}

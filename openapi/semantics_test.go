package openapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

func TestEffectiveSecurity(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: [read]}]`, `
  /inherit:
    get: {responses: {"200": {description: ok}}}
  /own:
    get:
      security: [{bearer: []}]
      responses: {"200": {description: ok}}
  /public:
    get:
      security: []
      responses: {"200": {description: ok}}
  /optional:
    get:
      security: [{}, {oauth: [write]}]
      responses: {"200": {description: ok}}
`))
	inherit := policy(t, p, "GET", "/inherit")
	assert.Equal(t, openapi.AuthRequired, inherit.Auth)
	assert.Equal(t, []openapi.Alternative{{{Scheme: "oauth", Type: openapi.SchemeOAuth2, Bearer: true, Scopes: []string{"read"}}}}, inherit.Alternatives)

	own := policy(t, p, "GET", "/own")
	assert.Equal(t, openapi.AuthRequired, own.Auth)
	assert.Equal(t, []openapi.Alternative{{{Scheme: "bearer", Type: openapi.SchemeHTTP, Bearer: true, Scopes: []string{}}}}, own.Alternatives, "the operation's security replaces the document's")

	public := policy(t, p, "GET", "/public")
	assert.Equal(t, openapi.AuthNone, public.Auth, "security: [] makes an operation public")
	assert.Empty(t, public.Alternatives)

	optional := policy(t, p, "GET", "/optional")
	assert.Equal(t, openapi.AuthOptional, optional.Auth)
	assert.Len(t, optional.Alternatives, 1, "{} is reflected in Auth, not in Alternatives")
}

func TestNoSecurityAnywhereIsPublic(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /a:
    get: {responses: {"200": {description: ok}}}
`))
	assert.Equal(t, openapi.AuthNone, policy(t, p, "GET", "/a").Auth)
	var found bool
	for _, w := range p.Warnings() {
		if w.Message == "no operation is protected: every operation is public" {
			found = true
		}
	}
	assert.True(t, found, "a document where nothing is protected is a lint warning")
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
	require.Len(t, pol.Alternatives, 2)
	assert.Equal(t, "key", pol.Alternatives[0][0].Scheme, "schemes inside an alternative are sorted by name")
	assert.False(t, pol.Alternatives[0][0].Bearer)
	assert.Equal(t, "oauth", pol.Alternatives[0][1].Scheme)
	assert.Equal(t, []string{"read", "write"}, pol.Alternatives[0][1].Scopes)

	key := &principal{}
	tok := func(s string) openapi.Principal { return scopes(s) }
	for _, c := range []struct {
		name    string
		oauth   openapi.Principal
		key     openapi.Principal
		allowed bool
		failure openapi.Failure
		alt     int
	}{
		{"both schemes, both scopes", tok("read write"), key, true, openapi.FailNone, 0},
		{"admin alone", tok("admin"), nil, true, openapi.FailNone, 1},
		{"first alternative without the api key", tok("read write"), nil, false, openapi.FailScope, 1},
		{"one scope of two", tok("read"), key, false, openapi.FailScope, 0},
		{"api key only", nil, key, false, openapi.FailUnauthenticated, -1},
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

func TestScopeFailureReportsTheClosestAlternative(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /x:
    get:
      security:
        - {oauth: [read, write, admin]}
        - {oauth: [read, write]}
        - {bearer: [write, admin]}
      responses: {"401": {description: no}}
`))
	pol := policy(t, p, "GET", "/x")
	d := pol.EvaluatePrincipal(scopes("read"))
	assert.False(t, d.Allowed)
	assert.Equal(t, openapi.FailScope, d.Failure)
	assert.Equal(t, 1, d.Alternative, "fewest missing scopes")
	assert.Equal(t, []string{"write"}, d.Missing)
	assert.Equal(t, []string{"read", "write"}, d.Scopes)

	d = pol.EvaluatePrincipal(scopes(""))
	assert.Equal(t, 1, d.Alternative, "ties between alternatives 1 and 2 (two missing each) go to document order")
	assert.Equal(t, []string{"read", "write"}, d.Missing)
}

func TestRolesAndPermissions(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]
x-axioms-roles: [member]
x-axioms-permissions: {allOf: ["doc:read"]}`, `
  /inherited:
    get: {responses: {"401": {description: no}}}
  /item:
    x-axioms-roles: [editor, admin]
    get: {responses: {"401": {description: no}}}
    post:
      x-axioms-roles: {anyOf: [admin], allOf: [auditor, approver]}
      x-axioms-permissions: []
      responses: {"401": {description: no}}
    delete:
      x-axioms-roles: []
      responses: {"401": {description: no}}
`))
	inherited := policy(t, p, "GET", "/inherited")
	assert.Equal(t, openapi.Condition{AnyOf: []string{"member"}}, inherited.Roles, "root default")
	assert.Equal(t, openapi.Condition{AllOf: []string{"doc:read"}}, inherited.Permissions)

	get := policy(t, p, "GET", "/item")
	assert.Equal(t, openapi.Condition{AnyOf: []string{"editor", "admin"}}, get.Roles, "the path item wins over the root")
	post := policy(t, p, "POST", "/item")
	assert.Equal(t, openapi.Condition{AnyOf: []string{"admin"}, AllOf: []string{"auditor", "approver"}}, post.Roles, "the operation wins")
	assert.True(t, post.Permissions.Empty(), "an empty list removes an inherited requirement")
	del := policy(t, p, "DELETE", "/item")
	assert.True(t, del.Roles.Empty())
	assert.Equal(t, openapi.Condition{AllOf: []string{"doc:read"}}, del.Permissions)

	for _, c := range []struct {
		name    string
		pr      *principal
		allowed bool
		failure openapi.Failure
		missing []string
	}{
		{"any of, held", &principal{roles: []string{"admin", "auditor", "approver"}}, true, openapi.FailNone, nil},
		{"all of, one missing", &principal{roles: []string{"admin", "auditor"}}, false, openapi.FailRole, []string{"approver"}},
		{"any of, none held", &principal{roles: []string{"auditor", "approver"}}, false, openapi.FailRole, []string{"admin"}},
		{"nothing", &principal{}, false, openapi.FailRole, []string{"admin", "auditor", "approver"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := post.EvaluatePrincipal(c.pr)
			assert.Equal(t, c.allowed, d.Allowed)
			assert.Equal(t, c.failure, d.Failure)
			assert.Equal(t, c.missing, d.Missing)
		})
	}

	d := inherited.EvaluatePrincipal(&principal{roles: []string{"member"}})
	assert.Equal(t, openapi.FailPermission, d.Failure, "roles are checked before permissions")
	assert.Equal(t, []string{"doc:read"}, d.Missing)
	d = inherited.EvaluatePrincipal(&principal{perms: []string{"doc:read"}})
	assert.Equal(t, openapi.FailRole, d.Failure)
}

func TestOwnerRules(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /users/{user_id}:
    parameters: [{name: user_id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getUser
      x-axioms-owner: {param: user_id}
      responses: {"401": {description: no}}
  /articles/{id}:
    x-axioms-owner: {}
    get:
      operationId: getArticle
      responses: {"401": {description: no}}
    patch:
      operationId: patchArticle
      x-axioms-owner: {field: author, claim: /org/member_id, loader: loadArticle}
      responses: {"401": {description: no}}
`))
	assert.Equal(t, &openapi.Owner{Param: "user_id", Claim: "sub"}, policy(t, p, "GET", "/users/:x").Owner)
	assert.Equal(t, &openapi.Owner{Field: "user", Claim: "sub", Loader: "getArticle"}, policy(t, p, "GET", "/articles/:id").Owner,
		"path-item rule with every default: field user, claim sub, loader = operationId")
	assert.Equal(t, &openapi.Owner{Field: "author", Claim: "/org/member_id", Loader: "loadArticle"}, policy(t, p, "PATCH", "/articles/:id").Owner)
}

func TestInheritedRulesDoNotApplyToPublicOperations(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]
x-axioms-roles: [admin]`, `
  /items/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    x-axioms-owner: {param: id}
    get:
      security: []
      responses: {"200": {description: ok}}
    delete:
      responses: {"401": {description: no}}
`))
	get := policy(t, p, "GET", "/items/:id")
	assert.Equal(t, openapi.AuthNone, get.Auth)
	assert.True(t, get.Roles.Empty())
	assert.Nil(t, get.Owner)
	del := policy(t, p, "DELETE", "/items/:id")
	assert.Equal(t, []string{"admin"}, del.Roles.AnyOf)
	assert.NotNil(t, del.Owner)
}

func TestSchemeTypes(t *testing.T) {
	p := mustLoad(t, `openapi: 3.0.3
info: {title: t, version: "1"}
components:
  securitySchemes:
    o: {type: oauth2, flows: {implicit: {authorizationUrl: "https://a/x", scopes: {s1: x}}, password: {tokenUrl: "https://a/t", scopes: {s2: y}}}}
    oidc: {type: openIdConnect, openIdConnectUrl: "https://a/.well-known/openid-configuration"}
    b: {type: http, scheme: BEARER}
    basic: {type: http, scheme: basic}
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
	assert.Equal(t, []string{"s1", "s2"}, byName["o"].Scopes, "scopes of every flow")
	assert.True(t, byName["o"].Bearer())
	assert.True(t, byName["oidc"].Bearer())
	assert.Equal(t, "https://a/.well-known/openid-configuration", byName["oidc"].OpenIDConnectURL)
	assert.True(t, byName["b"].Bearer(), "http scheme names are case-insensitive")
	assert.Equal(t, "bearer", byName["b"].HTTPScheme)
	assert.False(t, byName["basic"].Bearer())
	assert.Equal(t, "query", byName["k"].In)
	assert.Equal(t, "api_key", byName["k"].ParamName)
	assert.False(t, byName["k"].Bearer())
	assert.Equal(t, openapi.SchemeMutualTLS, byName["m"].Type)
	assert.Equal(t, []string{"b", "basic", "k", "m", "o", "oidc"}, p.SchemesInUse())
	s, ok := p.Scheme("k")
	require.True(t, ok)
	assert.Equal(t, openapi.SchemeAPIKey, s.Type)
	_, ok = p.Scheme("nope")
	assert.False(t, ok)
}

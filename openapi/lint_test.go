package openapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

func TestWarningUndeclaredScope(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: [read, delete]}]`, `
  /a:
    get:
      security: [{}, {oauth: [write, publish], bearer: [anything]}]
      responses: {"401": {description: no}}
  /b:
    get: {responses: {"401": {description: no}}}
  /c:
    get: {responses: {"401": {description: no}}}
`))
	ws := saying(p.Warnings(), "is not declared in the flows")
	require.Len(t, ws, 2, "%v", ws)

	assert.Equal(t, &openapi.Problem{Pointer: "#/security/0/oauth", Warning: true,
		Message: `scope "delete" is not declared in the flows of security scheme "oauth"`}, ws[0],
		"a document requirement is reported once, however many operations inherit it")
	assert.Equal(t, &openapi.Problem{Method: "GET", Path: "/a", Pointer: "#/paths/~1a/get/security/1/oauth", Warning: true,
		Message: `scope "publish" is not declared in the flows of security scheme "oauth"`}, ws[1],
		"the index in the document, {} included; only oauth2 schemes declare scopes")
}

func TestWarningNo401Or403(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /none:
    get: {responses: {"200": {description: ok}, default: {description: error}}}
  /401:
    get: {responses: {"401": {description: no}}}
  /403:
    get: {responses: {"403": {description: no}}}
  /4xx:
    get: {responses: {"4XX": {description: no}}}
  /optional:
    get: {security: [{}, {oauth: []}], responses: {"200": {description: ok}}}
  /optional403:
    get: {security: [{}, {oauth: []}], responses: {"403": {description: no}}}
  /optional401:
    get: {security: [{}, {oauth: []}], responses: {"401": {description: no}}}
  /optional4xx:
    get: {security: [{}, {oauth: []}], responses: {"4xx": {description: no}}}
  /public:
    get: {security: [], responses: {"200": {description: ok}}}
`))
	ws := saying(p.Warnings(), "401")
	require.Len(t, ws, 3, "%v", ws)
	assert.Equal(t, &openapi.Problem{Method: "GET", Path: "/none", Pointer: "#/paths/~1none/get/responses", Warning: true,
		Message: "the operation requires authentication but documents neither a 401 nor a 403 response"}, ws[0],
		"401, 403 and 4XX count; public operations are exempt")
	// An optional operation answers 401 to an invalid token: 403 does not document that.
	for i, path := range []string{"/optional", "/optional403"} {
		assert.Equal(t, &openapi.Problem{Method: "GET", Path: path, Pointer: "#/paths/~1" + path[1:] + "/get/responses", Warning: true,
			Message: "authentication is optional but the operation documents no 401 response: a request with an invalid token is answered 401"}, ws[i+1])
	}
}

func TestWarningNothingProtected(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /a:
    get: {responses: {"200": {description: ok}}}
`))
	ws := saying(p.Warnings(), "no operation requires authentication")
	require.Len(t, ws, 1)
	assert.Equal(t, "#/security", ws[0].Pointer)

	optional := mustLoad(t, doc(``, `
  /a:
    get: {security: [{}, {oauth: []}], responses: {"200": {description: ok}}}
`))
	assert.Empty(t, saying(optional.Warnings(), "no operation requires authentication"), "optional authentication protects something")

	empty := mustLoad(t, doc(``, ` {}`))
	assert.Empty(t, saying(empty.Warnings(), "no operation"), "a document without operations")
}

func TestWarningOpenIDConnectWithoutURL(t *testing.T) {
	p := mustLoad(t, `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    oidc: {type: openIdConnect}
security: [{oidc: []}]
paths:
  /a:
    get: {responses: {"401": {description: no}}}
`)
	ws := saying(p.Warnings(), "openIdConnectUrl")
	require.NotEmpty(t, ws)
	assert.Equal(t, &openapi.Problem{Pointer: "#/components/securitySchemes/oidc", Warning: true,
		Message: `openIdConnect scheme "oidc" has no openIdConnectUrl`}, ws[0])
}

func TestWarningExplicitLoaderWithoutOperationID(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /a:
    x-axioms-owner: {loader: loadA}
    get: {responses: {"401": {description: no}}}
    put: {operationId: putA, responses: {"401": {description: no}}}
`))
	ws := saying(p.Warnings(), "explicit loader")
	require.Len(t, ws, 1, "the operation with an operationId is fine")
	assert.Equal(t, "GET", ws[0].Method)
	assert.Equal(t, "/a", ws[0].Path)
	assert.Equal(t, "#/paths/~1a/x-axioms-owner", ws[0].Pointer, "where the rule is declared")
	assert.Equal(t, &openapi.Owner{Field: "user", Claim: "sub", Loader: "loadA"}, policy(t, p, "GET", "/a").Owner)
}

func TestWarningServersWithDifferentBasePaths(t *testing.T) {
	p := mustLoad(t, `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "https://api.example.com/v1"}, {url: "https://staging.example.com/v1/"}, {url: "/v2"}]
paths:
  /a:
    get: {responses: {"200": {description: ok}}}
`)
	ws := saying(p.Warnings(), "different base paths")
	require.Len(t, ws, 1, "the second server agrees with the first")
	assert.Equal(t, &openapi.Problem{Pointer: "#/servers/2/url", Warning: true,
		Message: `servers have different base paths ("/v1" and "/v2"): the first server's is used; LoadOptions.BasePath chooses another`}, ws[0])
	assert.Equal(t, "/v1", p.BasePath(), "the first server wins")

	chosen, err := openapi.LoadData([]byte(`openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "/v1"}, {url: "/v2"}]
paths: {}
`), openapi.LoadOptions{BasePath: "/v2"})
	require.NoError(t, err)
	assert.Empty(t, saying(chosen.Warnings(), "base paths"), "the caller chose")
}

func TestWarningServerVariableWithoutDefault(t *testing.T) {
	p := mustLoad(t, `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "https://{host}/{version}/api"}]
paths:
  /a:
    get: {responses: {"200": {description: ok}}}
`)
	ws := saying(p.Warnings(), "no default value")
	require.Len(t, ws, 1, "the host does not matter")
	assert.Equal(t, "#/servers/0/url", ws[0].Pointer)
	assert.Contains(t, ws[0].Message, "{version}")
	assert.Equal(t, "/{version}/api", p.BasePath())
	assert.NotNil(t, p.Lookup("GET", "/:version/api/a"), "kept as written: a parameter")
}

func TestWarningKinOpenAPIValidation(t *testing.T) {
	p := mustLoad(t, `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a/{id}:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {type: notatype}}}}}
`)
	ws := saying(p.Warnings(), "kin-openapi validation: ")
	require.Len(t, ws, 2, "one warning per finding: %v", ws)
	for _, w := range ws {
		assert.True(t, w.Warning)
	}
	assert.Len(t, saying(ws, "notatype"), 1)
	assert.Len(t, saying(ws, "must define exactly all path parameters"), 1)
}

func TestWarningsOfADocumentThatFails(t *testing.T) {
	_, err := openapi.LoadData([]byte(doc(`security: [{oauth: [delete]}]`, `
  /a:
    get:
      x-axioms-role: [a]
      responses: {"200": {description: ok}}
`)), openapi.LoadOptions{})
	require.Error(t, err)
	require.Len(t, openapi.Problems(err), 1)
	ws := openapi.Warnings(err)
	assert.Len(t, saying(ws, `scope "delete" is not declared`), 1, "lint runs even when loading fails: %v", ws)
	assert.Len(t, saying(ws, "documents neither a 401"), 1)
	for _, w := range ws {
		assert.True(t, w.Warning)
	}
	assert.Nil(t, openapi.Warnings(nil))
	p := mustLoad(t, doc(``, "  /a:\n"+protectedGet))
	assert.Empty(t, p.Warnings(), "a clean document")
}

func TestWarningsAreAFreshSlice(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /a:
    get: {responses: {"200": {description: ok}}}
`))
	ws := p.Warnings()
	require.NotEmpty(t, ws)
	ws[0] = nil
	assert.NotNil(t, p.Warnings()[0])
}

// kin-openapi's validation findings and references that are not followed are located.
func TestWarningsLocated(t *testing.T) {
	p := mustLoad(t, `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://i.example/t", scopes: {}}}}
  schemas:
    Bad: {type: string, pattern: "(?!x)"}
paths:
  /a/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      security: [{oauth: []}]
      responses:
        "401": {description: no}
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "https://example.com/s.json"}}}
    post:
      security: [{oauth: []}]
      responses: {"401": {description: no}, "200": {description: ok, content: {application/json: {schema: {type: string, pattern: "(?!y)"}}}}}
`)
	ws := saying(p.Warnings(), "kin-openapi validation")
	require.Len(t, ws, 2, "%v", ws)
	byPointer := map[string]*openapi.Problem{}
	for _, w := range ws {
		byPointer[w.Pointer] = w
	}
	require.Contains(t, byPointer, "#/components/schemas/Bad", "%v", ws)
	op := byPointer["#/paths/~1a~1{id}/post"]
	require.NotNil(t, op, "%v", ws)
	assert.Equal(t, "POST", op.Method)
	assert.Equal(t, "/a/{id}", op.Path)

	ws = saying(p.Warnings(), "is not followed")
	require.Len(t, ws, 1, "%v", ws)
	assert.Equal(t, "#/paths/~1a~1{id}/get/responses/200/content/application~1json/schema", ws[0].Pointer)
}

// Keys an author may well have meant as access rules (x-roles, x-permissions, x-scopes,
// x-owner and their singulars, in any case or with look-alike characters) are not
// enforced: each is a warning where the compiler reads rules (the root, path items and
// their operations), naming the x-axioms-* key meant. Elsewhere they are another
// vendor's business.
func TestWarningUnenforcedAccessRuleKeys(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]
x-roles: [admin]
X-Scopes: [read]`, `
  /a:
    x-permission: [p]
    x_owner: {param: id}
    get:
      x-role: [a]
      x‐permissions: [b]
      x-scope: [c]
      ｘ-owner: {}
      responses: {"401": {description: no, content: {application/json: {schema: {type: object, x-roles: [a]}}}}}
    additionalOperations:
      COPY: {x-permissions: [d], responses: {"401": {description: no}}}
`))
	ws := saying(p.Warnings(), "is not enforced")
	want := []*openapi.Problem{
		{Pointer: "#/X-Scopes", Message: `extension "X-Scopes" is not enforced: scopes are required through security (did you mean "x-axioms-permissions"?)`},
		{Pointer: "#/x-roles", Message: `extension "x-roles" is not enforced (did you mean "x-axioms-roles"?)`},
		{Path: "/a", Pointer: "#/paths/~1a/x-permission", Message: `extension "x-permission" is not enforced (did you mean "x-axioms-permissions"?)`},
		{Path: "/a", Pointer: "#/paths/~1a/x_owner", Message: `extension "x_owner" is not enforced (did you mean "x-axioms-owner"?)`},
		{Method: "GET", Path: "/a", Pointer: "#/paths/~1a/get/x-role", Message: `extension "x-role" is not enforced (did you mean "x-axioms-roles"?)`},
		{Method: "GET", Path: "/a", Pointer: "#/paths/~1a/get/x-scope", Message: `extension "x-scope" is not enforced: scopes are required through security (did you mean "x-axioms-permissions"?)`},
		{Method: "GET", Path: "/a", Pointer: "#/paths/~1a/get/x\u2010permissions", Message: `extension "x\u2010permissions" is not enforced (did you mean "x-axioms-permissions"?)`},
		{Method: "GET", Path: "/a", Pointer: "#/paths/~1a/get/\uff58-owner", Message: `extension "\uff58-owner" is not enforced (did you mean "x-axioms-owner"?)`},
		{Method: "COPY", Path: "/a", Pointer: "#/paths/~1a/additionalOperations/COPY/x-permissions", Message: `extension "x-permissions" is not enforced (did you mean "x-axioms-permissions"?)`},
	}
	for _, w := range want {
		w.Warning = true
	}
	assert.Equal(t, want, ws)
	for _, pol := range p.All() {
		assert.True(t, pol.Roles.Empty() && pol.Permissions.Empty() && pol.Owner == nil, "%s %s", pol.Method, pol.Path)
	}
}

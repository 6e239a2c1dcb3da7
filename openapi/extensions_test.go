package openapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

func TestNearestDeclarationWins(t *testing.T) {
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
      responses: {"401": {description: no}}
`))
	inherited := policy(t, p, "GET", "/inherited")
	assert.Equal(t, openapi.Condition{AnyOf: []string{"member"}}, inherited.Roles, "the root's")
	assert.Equal(t, openapi.Condition{AllOf: []string{"doc:read"}}, inherited.Permissions)

	get := policy(t, p, "GET", "/item")
	assert.Equal(t, openapi.Condition{AnyOf: []string{"editor", "admin"}}, get.Roles, "the path item's wins over the root's")
	assert.Equal(t, openapi.Condition{AllOf: []string{"doc:read"}}, get.Permissions, "each extension is inherited on its own")

	post := policy(t, p, "POST", "/item")
	assert.Equal(t, openapi.Condition{AnyOf: []string{"admin"}, AllOf: []string{"auditor", "approver"}}, post.Roles, "the operation's wins")
}

func TestEmptyDeclarationRemovesAnInheritedRequirement(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]
x-axioms-roles: [member]
x-axioms-permissions: [read]`, `
  /a:
    x-axioms-permissions: []
    get: {responses: {"401": {description: no}}}
    post:
      x-axioms-roles: []
      x-axioms-permissions: [write]
      responses: {"401": {description: no}}
    put:
      x-axioms-roles: {anyOf: [], allOf: []}
      responses: {"401": {description: no}}
    delete:
      x-axioms-roles: {}
      responses: {"401": {description: no}}
`))
	get := policy(t, p, "GET", "/a")
	assert.Equal(t, []string{"member"}, get.Roles.AnyOf)
	assert.True(t, get.Permissions.Empty(), "[] on the path item removes the root's permissions")
	post := policy(t, p, "POST", "/a")
	assert.True(t, post.Roles.Empty(), "[] on the operation removes the root's roles")
	assert.Equal(t, []string{"write"}, post.Permissions.AnyOf, "and the operation's declaration beats the path item's []")
	assert.True(t, policy(t, p, "PUT", "/a").Roles.Empty(), "an object with empty lists")
	assert.True(t, policy(t, p, "DELETE", "/a").Roles.Empty(), "an empty object")

	d := post.EvaluatePrincipal(&principal{perms: []string{"write"}})
	assert.True(t, d.Allowed, "no role needed any more")
}

func TestRolesAndPermissionsEvaluation(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /a:
    post:
      x-axioms-roles: {anyOf: [admin, owner], allOf: [auditor, approver]}
      x-axioms-permissions: [doc:write]
      responses: {"401": {description: no}}
`))
	pol := policy(t, p, "POST", "/a")
	for _, c := range []struct {
		name    string
		pr      *principal
		failure openapi.Failure
		missing []string
	}{
		{"every role and the permission", &principal{roles: []string{"owner", "auditor", "approver"}, perms: []string{"doc:write"}}, openapi.FailNone, nil},
		{"allOf: one missing", &principal{roles: []string{"admin", "auditor"}, perms: []string{"doc:write"}}, openapi.FailRole, []string{"approver"}},
		{"anyOf: none held", &principal{roles: []string{"auditor", "approver"}, perms: []string{"doc:write"}}, openapi.FailRole, []string{"admin", "owner"}},
		{"nothing held", &principal{}, openapi.FailRole, []string{"admin", "owner", "auditor", "approver"}},
		{"roles, not the permission", &principal{roles: []string{"admin", "auditor", "approver"}, perms: []string{"doc:read"}}, openapi.FailPermission, []string{"doc:write"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := pol.EvaluatePrincipal(c.pr)
			assert.Equal(t, c.failure == openapi.FailNone, d.Allowed)
			assert.Equal(t, c.failure, d.Failure)
			assert.Equal(t, c.missing, d.Missing)
			assert.Equal(t, 0, d.Alternative, "the satisfied alternative, also when roles fail")
			assert.Same(t, c.pr, d.Principal)
		})
	}
}

func TestOwnerParamForm(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /users/{user_id}:
    parameters: [{name: user_id, in: path, required: true, schema: {type: string}}]
    get:
      x-axioms-owner: {param: user_id}
      responses: {"401": {description: no}}
  /orgs/{org}/members/{member}:
    get:
      parameters:
        - {name: org, in: path, required: true, schema: {type: string}}
        - {name: member, in: path, required: true, schema: {type: string}}
      x-axioms-owner: {param: member, claim: /org/member_id}
      responses: {"401": {description: no}}
`))
	assert.Equal(t, &openapi.Owner{Param: "user_id", Claim: "sub"}, policy(t, p, "GET", "/users/:id").Owner,
		"a path-item parameter; claim defaults to sub; no loader")
	assert.Equal(t, &openapi.Owner{Param: "member", Claim: "/org/member_id"}, policy(t, p, "GET", "/orgs/:o/members/:m").Owner,
		"an operation parameter; a JSON Pointer claim")
}

func TestOwnerLoaderForm(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /articles/{id}:
    get:
      operationId: getArticle
      x-axioms-owner: {}
      responses: {"401": {description: no}}
    patch:
      operationId: patchArticle
      x-axioms-owner: {field: author, claim: "cognito:username", loader: loadArticle}
      responses: {"401": {description: no}}
    delete:
      x-axioms-owner: {loader: loadArticle}
      responses: {"401": {description: no}}
`))
	assert.Equal(t, &openapi.Owner{Field: "user", Claim: "sub", Loader: "getArticle"}, policy(t, p, "GET", "/articles/:id").Owner,
		"every default: field user, claim sub, loader = operationId")
	assert.Equal(t, &openapi.Owner{Field: "author", Claim: "cognito:username", Loader: "loadArticle"}, policy(t, p, "PATCH", "/articles/:id").Owner)
	assert.Equal(t, &openapi.Owner{Field: "user", Claim: "sub", Loader: "loadArticle"}, policy(t, p, "DELETE", "/articles/:id").Owner,
		"an explicit loader needs no operationId")
}

func TestOwnerOnAPathItemAppliesToEachOperation(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /articles/{id}:
    x-axioms-owner: {field: author}
    get:
      operationId: getArticle
      responses: {"401": {description: no}}
    put:
      operationId: putArticle
      responses: {"401": {description: no}}
    delete:
      operationId: deleteArticle
      x-axioms-owner: {field: owner, loader: shared}
      responses: {"401": {description: no}}
`))
	assert.Equal(t, &openapi.Owner{Field: "author", Claim: "sub", Loader: "getArticle"}, policy(t, p, "GET", "/articles/:id").Owner,
		"the loader defaults to each operation's own operationId")
	assert.Equal(t, &openapi.Owner{Field: "author", Claim: "sub", Loader: "putArticle"}, policy(t, p, "PUT", "/articles/:id").Owner)
	assert.Equal(t, &openapi.Owner{Field: "owner", Claim: "sub", Loader: "shared"}, policy(t, p, "DELETE", "/articles/:id").Owner, "the operation's wins")
}

func TestInheritedRequirementsSkipOperationsWithoutAuthentication(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]
x-axioms-roles: [admin]`, `
  /items/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    x-axioms-owner: {param: id}
    x-axioms-permissions: [items]
    get:
      security: []
      responses: {"200": {description: ok}}
    head:
      security: [{}, {oauth: []}]
      responses: {"200": {description: ok}}
    delete:
      responses: {"401": {description: no}}
`))
	for _, method := range []string{"GET", "HEAD"} {
		pol := policy(t, p, method, "/items/:id")
		assert.True(t, pol.Roles.Empty(), method)
		assert.True(t, pol.Permissions.Empty(), method)
		assert.Nil(t, pol.Owner, method)
		assert.True(t, pol.EvaluatePrincipal(nil).Allowed, method)
	}
	del := policy(t, p, "DELETE", "/items/:id")
	assert.Equal(t, []string{"admin"}, del.Roles.AnyOf)
	assert.Equal(t, []string{"items"}, del.Permissions.AnyOf)
	assert.Equal(t, &openapi.Owner{Param: "id", Claim: "sub"}, del.Owner)
}

func TestDeclarationsThatProtectNothingAreErrors(t *testing.T) {
	t.Run("root roles with no security anywhere", func(t *testing.T) {
		pr := onlyProblem(t, doc(`x-axioms-roles: [admin]`, `
  /a:
    get: {responses: {"200": {description: ok}}}
  /b:
    get: {responses: {"200": {description: ok}}}
`))
		assert.Equal(t, "#/x-axioms-roles", pr.Pointer)
		assert.Empty(t, pr.Method)
		assert.Empty(t, pr.Path)
		assert.Contains(t, pr.Message, "x-axioms-roles on the document root applies to no operation that requires authentication: the 2 operation(s)")
	})
	t.Run("path-item owner over optional operations", func(t *testing.T) {
		pr := onlyProblem(t, doc(``, `
  /a/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    x-axioms-owner: {param: id}
    get:
      security: [{}, {oauth: []}]
      responses: {"200": {description: ok}}
`))
		assert.Equal(t, "#/paths/~1a~1{id}/x-axioms-owner", pr.Pointer)
		assert.Equal(t, "/a/{id}", pr.Path)
		assert.Contains(t, pr.Message, "x-axioms-owner on the path item applies to no operation that requires authentication")
	})
	t.Run("overridden everywhere, or empty: nothing to report", func(t *testing.T) {
		mustLoad(t, doc(`x-axioms-permissions: [p]
x-axioms-roles: []`, `
  /a:
    x-axioms-roles: {anyOf: []}
    get:
      x-axioms-permissions: []
      security: []
      responses: {"200": {description: ok}}
`))
	})
}

func TestExtensionsInJSONDocuments(t *testing.T) {
	p, err := openapi.LoadData([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},
"components":{"securitySchemes":{"b":{"type":"http","scheme":"bearer"}}},
"paths":{"/x/{id}":{"x-axioms-owner":{"param":"id","claim":"/a~1b"},
 "get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "security":[{"b":[]}],"x-axioms-roles":{"allOf":["a"]},"x-axioms-permissions":["p","q"],"responses":{"401":{"description":"no"}}}}}}`), openapi.LoadOptions{})
	require.NoError(t, err)
	pol := policy(t, p, "GET", "/x/:id")
	assert.Equal(t, openapi.Condition{AllOf: []string{"a"}}, pol.Roles)
	assert.Equal(t, openapi.Condition{AnyOf: []string{"p", "q"}}, pol.Permissions)
	assert.Equal(t, &openapi.Owner{Param: "id", Claim: "/a~1b"}, pol.Owner)
}

// TestMalformedExtensionValues covers every way an extension value can be wrong: each
// is an error located at the extension.
func TestMalformedExtensionValues(t *testing.T) {
	for _, c := range []struct {
		name, ext, value, want string
	}{
		{"roles as a string", "x-axioms-roles", `admin`, "must be a list of strings or an object with anyOf and/or allOf, not a string"},
		{"roles as a number", "x-axioms-roles", `3`, "not a number"},
		{"roles as a boolean", "x-axioms-roles", `true`, "not a boolean"},
		{"roles as null", "x-axioms-roles", `null`, "null is not allowed (use [] to remove an inherited requirement)"},
		{"a role that is not a string", "x-axioms-roles", `[admin, 7]`, "item 1 must be a string, not a number"},
		{"a nested list", "x-axioms-permissions", `[[a]]`, "item 0 must be a string, not a list"},
		{"an object in the list", "x-axioms-permissions", `[{a: b}]`, "item 0 must be a string, not an object"},
		{"an empty role", "x-axioms-roles", `["", admin]`, "item 0 is empty"},
		{"a role with spaces", "x-axioms-roles", `[" admin"]`, `item 0 " admin" has surrounding spaces`},
		{"a duplicate permission", "x-axioms-permissions", `[p, p]`, `"p" is listed twice`},
		{"an unknown key in a condition", "x-axioms-roles", `{oneOf: [a]}`, `unknown key "oneOf" (allowed: anyOf, allOf)`},
		{"anyOf as a string", "x-axioms-roles", `{anyOf: a}`, "anyOf: must be a list of strings, not a string"},
		{"allOf with a nested list", "x-axioms-roles", `{allOf: [[a]]}`, "allOf: item 0 must be a string, not a list"},
		{"allOf null", "x-axioms-permissions", `{allOf: null}`, "allOf: must be a list of strings, not null"},
		{"owner as a list", "x-axioms-owner", `[user]`, "must be an object {param, claim} or {field, claim, loader}, not a list"},
		{"owner as a string", "x-axioms-owner", `user_id`, "not a string"},
		{"owner as null", "x-axioms-owner", `null`, "not null"},
		{"owner with an unknown key", "x-axioms-owner", `{field: user, owner: sub}`, `unknown key "owner" (allowed: param, field, claim, loader)`},
		{"owner with an empty claim", "x-axioms-owner", `{field: user, claim: ""}`, "claim is empty"},
		{"owner with a numeric param", "x-axioms-owner", `{param: 1}`, "param must be a string, not a number"},
		{"owner with an empty loader", "x-axioms-owner", `{loader: ""}`, "loader is empty"},
		{"owner with a spaced field", "x-axioms-owner", `{field: "user "}`, `field "user " has surrounding spaces`},
		{"owner with a bad claim pointer", "x-axioms-owner", `{field: user, claim: "/org/~x"}`, "invalid escape"},
		{"owner param and field", "x-axioms-owner", `{param: id, field: user}`, "param and field exclude each other"},
		{"owner param and loader", "x-axioms-owner", `{param: id, loader: x}`, "param and loader exclude each other"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pr := onlyProblem(t, doc(`security: [{oauth: []}]`, `
  /a/{id}:
    get:
      operationId: a
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      `+c.ext+`: `+c.value+`
      responses: {"401": {description: no}}
`))
			assert.Equal(t, "GET", pr.Method)
			assert.Equal(t, "/a/{id}", pr.Path)
			assert.Equal(t, "#/paths/~1a~1{id}/get/"+c.ext, pr.Pointer)
			assert.Contains(t, pr.Message, c.ext+": ")
			assert.Contains(t, pr.Message, c.want)
		})
	}
}

func TestMalformedValuesAtEveryLevel(t *testing.T) {
	problems := loadProblems(t, doc(`security: [{oauth: []}]
x-axioms-permissions: "p"`, `
  /a:
    x-axioms-roles: 1
    x-axioms-owner: [x]
    get: {responses: {"401": {description: no}}}
`))
	var pointers []string
	for _, p := range problems {
		pointers = append(pointers, p.Pointer)
	}
	assert.Equal(t, []string{"#/x-axioms-permissions", "#/paths/~1a/x-axioms-roles", "#/paths/~1a/x-axioms-owner"}, pointers)
	assert.Equal(t, "/a", problems[1].Path)
	assert.Empty(t, problems[1].Method, "a path-item declaration has no method")
}

func TestUnknownExtensionKeys(t *testing.T) {
	for _, c := range []struct {
		name, root, paths, pointer, method, path, want string
	}{
		{"a typo on an operation", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-role: [admin]
      responses: {"401": {description: no}}`, "#/paths/~1a/get/x-axioms-role", "GET", "/a", `unknown extension "x-axioms-role" (did you mean "x-axioms-roles"?)`},
		{"any letter case", `security: [{oauth: []}]`, `
  /a:
    get:
      X-Axioms-Roles: [admin]
      responses: {"401": {description: no}}`, "#/paths/~1a/get/X-Axioms-Roles", "GET", "/a", `unknown extension "X-Axioms-Roles" (did you mean "x-axioms-roles"?)`},
		{"on a path item", `security: [{oauth: []}]`, `
  /a:
    x-axioms-audience: [x]
    get: {responses: {"401": {description: no}}}`, "#/paths/~1a/x-axioms-audience", "", "/a", `unknown extension "x-axioms-audience" (known: x-axioms-acr, x-axioms-dpop, x-axioms-max-age, x-axioms-owner, x-axioms-permissions, x-axioms-roles)`},
		{"on the root", `x-axioms-permission: [x]
security: [{oauth: []}]`, `
  /a:
    get: {responses: {"401": {description: no}}}`, "#/x-axioms-permission", "", "", `unknown extension "x-axioms-permission" (did you mean "x-axioms-permissions"?)`},
		{"an owner on the root", `x-axioms-owner: {param: id}
security: [{oauth: []}]`, `
  /a:
    get: {responses: {"401": {description: no}}}`, "#/x-axioms-owner", "", "", "x-axioms-owner is not allowed on the document root: declare it on a path item or an operation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pr := onlyProblem(t, doc(c.root, c.paths))
			assert.Equal(t, c.pointer, pr.Pointer)
			assert.Equal(t, c.method, pr.Method)
			assert.Equal(t, c.path, pr.Path)
			assert.Equal(t, c.want, pr.Message)
		})
	}
	t.Run("in a security scheme", func(t *testing.T) {
		for ext, want := range map[string]string{
			"x-axioms-roles": "x-axioms-roles is not allowed here",
			"x-axioms-realm": `unknown extension "x-axioms-realm"`,
		} {
			pr := onlyProblem(t, `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    s: {type: http, scheme: bearer, `+ext+`: [a]}
paths: {}
`)
			assert.Equal(t, "#/components/securitySchemes/s/"+ext, pr.Pointer)
			assert.Contains(t, pr.Message, want)
		}
	})
	t.Run("on the paths and components objects", func(t *testing.T) {
		problems := loadProblems(t, `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  x-axioms-roles: [a]
paths:
  x-axioms-permissions: [b]
`)
		require.Len(t, problems, 2)
		assert.Equal(t, "#/components/x-axioms-roles", problems[0].Pointer)
		assert.Equal(t, "x-axioms-roles is not allowed here: use it on the document root, a path item of paths or one of its operations", problems[0].Message)
		assert.Equal(t, "#/paths/x-axioms-permissions", problems[1].Pointer)
	})
	t.Run("other extensions are left alone", func(t *testing.T) {
		// (x-roles is a warning: TestWarningUnenforcedAccessRuleKeys.)
		mustLoad(t, doc(`x-roles: [a]
x-axis: [a]
x-amazon-apigateway-any-method: {}
security: [{oauth: []}]`, `
  /a:
    x-internal: true
    get: {x-amazon-apigateway-integration: {type: mock}, responses: {"401": {description: no}}}
`))
	})
}

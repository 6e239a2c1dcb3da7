package openapi_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

func TestLoadErrorsAreLocated(t *testing.T) {
	rows := []struct {
		name          string
		root, paths   string
		method, path  string
		pointer, want string
	}{
		{"typo in an extension name", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-role: [admin]
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-role", `unknown extension "x-axioms-role" (did you mean "x-axioms-roles"?)`},
		{"unknown extension on a path item", `security: [{oauth: []}]`, `
  /a:
    x-axioms-scopes: [x]
    get: {responses: {"401": {description: no}}}`, "", "/a", "#/paths/~1a/x-axioms-scopes", `unknown extension "x-axioms-scopes"`},
		{"unknown extension at the root", `x-axioms-permission: [x]`, `
  /a:
    get: {responses: {"200": {description: ok}}}`, "", "", "#/x-axioms-permission", `unknown extension "x-axioms-permission"`},
		{"owner at the root", `x-axioms-owner: {param: id}`, `
  /a:
    get: {responses: {"200": {description: ok}}}`, "", "", "#/x-axioms-owner", "not allowed on the document root"},
		{"roles as a string", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-roles: admin
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-roles", "must be a list of strings"},
		{"roles as a number", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-roles: 3
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-roles", "not a number"},
		{"role that is not a string", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-roles: [admin, 7]
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-roles", "item 1 must be a string"},
		{"empty role", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-roles: ["", admin]
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-roles", "item 0 is empty"},
		{"duplicate permission", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-permissions: [p, p]
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-permissions", `"p" is listed twice`},
		{"unknown key in a condition", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-roles: {oneOf: [a]}
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-roles", `unknown key "oneOf"`},
		{"nested lists", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-roles: {anyOf: [[a]]}
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-roles", "anyOf: item 0 must be a string"},
		{"null condition", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-roles: null
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-roles", "null is not allowed"},
		{"owner as a list", `security: [{oauth: []}]`, `
  /a:
    get:
      operationId: a
      x-axioms-owner: [user]
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-owner", "must be an object"},
		{"owner with an unknown key", `security: [{oauth: []}]`, `
  /a:
    get:
      operationId: a
      x-axioms-owner: {field: user, owner: sub}
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-owner", `unknown key "owner"`},
		{"owner with an empty claim", `security: [{oauth: []}]`, `
  /a:
    get:
      operationId: a
      x-axioms-owner: {field: user, claim: ""}
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-owner", "claim is empty"},
		{"owner with a bad claim pointer", `security: [{oauth: []}]`, `
  /a:
    get:
      operationId: a
      x-axioms-owner: {field: user, claim: "/org/~x"}
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-owner", "invalid escape"},
		{"owner param and field together", `security: [{oauth: []}]`, `
  /a/{id}:
    get:
      operationId: a
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      x-axioms-owner: {param: id, field: user}
      responses: {"401": {description: no}}`, "GET", "/a/{id}", "#/paths/~1a~1{id}/get/x-axioms-owner", "param and field exclude each other"},
		{"owner param that is not a path parameter", `security: [{oauth: []}]`, `
  /a/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}, {name: user, in: query, schema: {type: string}}]
      x-axioms-owner: {param: user}
      responses: {"401": {description: no}}`, "GET", "/a/{id}", "#/paths/~1a~1{id}/get/x-axioms-owner", `param "user" is not a path parameter`},
		{"loader-based owner without operationId or loader", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-owner: {field: user}
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-owner", "has none (set operationId or loader)"},
		{"roles on a public operation", `security: [{oauth: []}]`, `
  /a:
    get:
      security: []
      x-axioms-roles: [admin]
      responses: {"200": {description: ok}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-roles", "on a public operation"},
		{"permissions on an optional operation", ``, `
  /a:
    get:
      security: [{}, {oauth: []}]
      x-axioms-permissions: [p]
      responses: {"200": {description: ok}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-permissions", "optional-authentication"},
		{"owner on a public operation", ``, `
  /a/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      x-axioms-owner: {param: id}
      responses: {"200": {description: ok}}`, "GET", "/a/{id}", "#/paths/~1a~1{id}/get/x-axioms-owner", "on a public operation"},
		{"undefined scheme in an operation", ``, `
  /a:
    get:
      security: [{oauth: []}, {jwt: [read]}]
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/security/1/jwt", `names "jwt", which components.securitySchemes does not declare`},
		{"undefined scheme at the root", `security: [{nope: []}]`, `
  /a:
    get: {responses: {"200": {description: ok}}}`, "", "", "#/security/0/nope", `names "nope"`},
		{"ambiguous templates", `security: [{oauth: []}]`, `
  /a/{x}:
    get: {parameters: [{name: x, in: path, required: true, schema: {type: string}}], responses: {"401": {description: no}}}
  /a/{y}:
    get: {parameters: [{name: y, in: path, required: true, schema: {type: string}}], responses: {"401": {description: no}}}`, "GET", "/a/{y}", "#/paths/~1a~1{y}/get", "same shape as GET /a/{x}"},
		{"extension inside a security scheme", `components:
  securitySchemes:
    s: {type: http, scheme: bearer, x-axioms-roles: [a]}`, "", "", "", "", ""},
	}
	for _, r := range rows {
		if r.want == "" {
			continue // built separately below
		}
		t.Run(r.name, func(t *testing.T) {
			problems := loadProblems(t, doc(r.root, r.paths))
			var match *openapi.Problem
			for _, p := range problems {
				if strings.Contains(p.Message, r.want) {
					match = p
				}
			}
			require.NotNil(t, match, "no problem says %q among %v", r.want, problems)
			assert.Equal(t, r.method, match.Method)
			assert.Equal(t, r.path, match.Path)
			assert.Equal(t, r.pointer, match.Pointer)
			assert.False(t, match.Warning)
			assert.Contains(t, match.Error(), r.pointer)
		})
	}
}

func TestExtensionInsideASecuritySchemeIsAnError(t *testing.T) {
	_, err := openapi.LoadData([]byte(`openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    s: {type: http, scheme: bearer, x-axioms-roles: [a]}
paths: {}
`), openapi.LoadOptions{})
	require.Error(t, err)
	problems := openapi.Problems(err)
	require.Len(t, problems, 1)
	assert.Equal(t, "#/components/securitySchemes/s/x-axioms-roles", problems[0].Pointer)
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	problems := loadProblems(t, doc(`security: [{oauth: []}]
x-axioms-rols: [a]`, `
  /a:
    get:
      x-axioms-roles: 1
      x-axioms-permissions: [""]
      responses: {"401": {description: no}}
  /b:
    post:
      security: [{ghost: []}]
      x-axioms-owner: {field: user}
      responses: {"401": {description: no}}
`))
	assert.Len(t, problems, 5, "%v", problems)
	_, err := openapi.LoadData([]byte(doc(`x-axioms-rols: [a]`, "  /a:\n    get: {responses: {\"200\": {description: ok}}}\n")), openapi.LoadOptions{})
	assert.Contains(t, err.Error(), "1 problem(s)")
	assert.Contains(t, err.Error(), "#/x-axioms-rols")
}

func TestMalformedDocuments(t *testing.T) {
	for name, text := range map[string]string{
		"not YAML":          "openapi: [3.1.0\n",
		"not OpenAPI 3":     "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
		"empty":             "",
		"paths as a string": "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: nope\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := openapi.LoadData([]byte(text), openapi.LoadOptions{})
			require.Error(t, err)
			assert.NotEmpty(t, openapi.Problems(err))
		})
	}
}

func TestUnknownSchemeType(t *testing.T) {
	problems := loadProblems(t, `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    s: {type: magic}
paths: {}
`)
	assert.Equal(t, "#/components/securitySchemes/s/type", problems[0].Pointer)
}

package openapi_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

// TestErrorsAreLocated checks, for every kind of error outside the extension values
// themselves (see extensions_test.go), its method, path and JSON Pointer.
func TestErrorsAreLocated(t *testing.T) {
	for _, c := range []struct {
		name, root, paths       string
		method, path, ptr, want string
	}{
		{"an undefined scheme in an operation", ``, `
  /a:
    get:
      security: [{oauth: []}, {jwt: [read]}]
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/security/1/jwt", `the security requirement names "jwt", which components.securitySchemes does not declare`},
		{"an undefined scheme at the root", `security: [{nope: []}]`, `
  /a:
    get: {responses: {"200": {description: ok}}}`, "", "", "#/security/0/nope", `the security requirement names "nope"`},
		{"roles on a public operation", `security: [{oauth: []}]`, `
  /a:
    get:
      security: []
      x-axioms-roles: [admin]
      responses: {"200": {description: ok}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-roles", "x-axioms-roles on a public operation: anonymous callers would bypass it"},
		{"permissions on an optional operation", ``, `
  /a:
    get:
      security: [{}, {oauth: []}]
      x-axioms-permissions: {allOf: [p]}
      responses: {"200": {description: ok}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-permissions", "x-axioms-permissions on an operation whose authentication is optional"},
		{"an owner on a public operation", ``, `
  /a/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      x-axioms-owner: {param: id}
      responses: {"200": {description: ok}}`, "GET", "/a/{id}", "#/paths/~1a~1{id}/get/x-axioms-owner", "x-axioms-owner on a public operation"},
		{"an owner param that is a query parameter", `security: [{oauth: []}]`, `
  /a/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}, {name: user, in: query, schema: {type: string}}]
      x-axioms-owner: {param: user}
      responses: {"401": {description: no}}`, "GET", "/a/{id}", "#/paths/~1a~1{id}/get/x-axioms-owner", `x-axioms-owner: param "user" is not a path parameter of this operation`},
		{"an owner param missing from the template", `security: [{oauth: []}]`, `
  /a:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      x-axioms-owner: {param: id}
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-owner", `param "id" is not a path parameter`},
		{"an inherited owner param another operation lacks", `security: [{oauth: []}]`, `
  /a/{id}:
    x-axioms-owner: {param: id}
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"401": {description: no}}
    put:
      responses: {"401": {description: no}}`, "PUT", "/a/{id}", "#/paths/~1a~1{id}/x-axioms-owner", `param "id" is not a path parameter`},
		{"a loader rule without operationId or loader", `security: [{oauth: []}]`, `
  /a:
    get:
      x-axioms-owner: {field: user}
      responses: {"401": {description: no}}`, "GET", "/a", "#/paths/~1a/get/x-axioms-owner", "the loader defaults to the operationId, and this operation has none (set operationId or loader)"},
		{"ambiguous templates", `security: [{oauth: []}]`, `
  /a/{x}:
    get: {parameters: [{name: x, in: path, required: true, schema: {type: string}}], responses: {"401": {description: no}}}
  /a/{y}:
    get: {parameters: [{name: y, in: path, required: true, schema: {type: string}}], responses: {"401": {description: no}}}`, "GET", "/a/{y}", "#/paths/~1a~1{y}/get", "ambiguous: GET /a/{y} has the same shape as GET /a/{x}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pr := onlyProblem(t, doc(c.root, c.paths))
			assert.Equal(t, c.method, pr.Method)
			assert.Equal(t, c.path, pr.Path)
			assert.Equal(t, c.ptr, pr.Pointer)
			assert.Contains(t, pr.Message, c.want)
			assert.Contains(t, pr.Error(), "("+c.ptr+"): ")
		})
	}
}

func TestSameShapeWithDifferentMethodsIsNotAmbiguous(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /a/{x}:
    get: {operationId: g, responses: {"401": {description: no}}}
  /a/{y}:
    delete: {operationId: d, responses: {"401": {description: no}}}
`))
	assert.Equal(t, "g", policy(t, p, "GET", "/a/:id").OperationID)
	assert.Equal(t, "d", policy(t, p, "DELETE", "/a/:id").OperationID)
}

func TestUnenforceableSchemes(t *testing.T) {
	spec := func(security string) string {
		return `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    magic: {type: magic}
    nohttp: {type: http}
    ok: {type: http, scheme: bearer}
paths:
  /a:
    get:
      security: ` + security + `
      responses: {"401": {description: no}}
`
	}
	problems := loadProblems(t, spec(`[{magic: []}, {nohttp: []}, {ok: []}]`))
	require.Len(t, problems, 2)
	assert.Equal(t, "#/paths/~1a/get/security/0/magic", problems[0].Pointer)
	assert.Contains(t, problems[0].Message, `"magic", which cannot be enforced: its type "magic" is none of oauth2, openIdConnect, http, apiKey, mutualTLS`)
	assert.Equal(t, "#/paths/~1a/get/security/1/nohttp", problems[1].Pointer)
	assert.Contains(t, problems[1].Message, "an http scheme without scheme")

	// Declared but unused, they cannot open anything: warnings.
	p := mustLoad(t, spec(`[{ok: []}]`))
	ws := saying(p.Warnings(), "cannot be enforced")
	require.Len(t, ws, 2)
	assert.Equal(t, "#/components/securitySchemes/magic", ws[0].Pointer)
	assert.Equal(t, "#/components/securitySchemes/nohttp", ws[1].Pointer)
	var names []string
	for _, s := range p.Schemes() {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"ok"}, names)
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	_, err := openapi.LoadData([]byte(doc(`security: [{oauth: []}]
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
`)), openapi.LoadOptions{})
	require.Error(t, err)
	var pointers []string
	for _, p := range openapi.Problems(err) {
		pointers = append(pointers, p.Pointer)
	}
	assert.Equal(t, []string{
		"#/x-axioms-rols",
		"#/paths/~1a/get/x-axioms-roles",
		"#/paths/~1a/get/x-axioms-permissions",
		"#/paths/~1b/post/security/0/ghost",
		"#/paths/~1b/post/x-axioms-owner",
	}, pointers, "in document order: root, then paths sorted")
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 6)
	assert.Equal(t, "openapi: 5 problems in the document:", lines[0])
	assert.Equal(t, `  (#/x-axioms-rols): unknown extension "x-axioms-rols" (did you mean "x-axioms-roles"?)`, lines[1])
	assert.True(t, strings.HasPrefix(lines[2], "  GET /a (#/paths/~1a/get/x-axioms-roles): x-axioms-roles: "), lines[2])

	var one *openapi.Problem
	require.ErrorAs(t, err, &one, "errors.As finds the first problem")
	assert.Equal(t, "#/x-axioms-rols", one.Pointer)
}

func TestProblemError(t *testing.T) {
	for want, p := range map[string]openapi.Problem{
		"GET /a/{id} (#/paths/~1a~1{id}/get/x-axioms-roles): m": {Method: "GET", Path: "/a/{id}", Pointer: "#/paths/~1a~1{id}/get/x-axioms-roles", Message: "m"},
		"/a (#/paths/~1a/x-axioms-roles): m":                    {Path: "/a", Pointer: "#/paths/~1a/x-axioms-roles", Message: "m"},
		"(#/security/0/x): m":                                   {Pointer: "#/security/0/x", Message: "m"},
		"GET /a: m":                                             {Method: "GET", Path: "/a", Message: "m"},
		"m":                                                     {Message: "m"},
	} {
		assert.Equal(t, want, p.Error())
	}
}

func TestProblemsOfOtherErrors(t *testing.T) {
	assert.Nil(t, openapi.Problems(nil))
	assert.Nil(t, openapi.Problems(errors.New("x")))
	_, err := openapi.Load("testdata/does-not-exist.yaml", openapi.LoadOptions{})
	require.ErrorIs(t, err, os.ErrNotExist, "a file that cannot be read is not a document problem")
	assert.Nil(t, openapi.Problems(err))

	_, err = openapi.LoadData([]byte(doc(`x-axioms-x: 1`, "  /a:\n"+protectedGet)), openapi.LoadOptions{})
	wrapped := fmt.Errorf("loading the spec: %w", err)
	assert.Len(t, openapi.Problems(wrapped), 1, "found through wrapping")
	p := &openapi.Problem{Message: "alone"}
	assert.Equal(t, []*openapi.Problem{p}, openapi.Problems(p))
}

func TestDocumentsThatCannotBeLoaded(t *testing.T) {
	for name, c := range map[string]struct{ text, want string }{
		"not YAML":          {"openapi: [3.1.0\n", "the document cannot be loaded"},
		"Swagger 2.0":       {"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n", `unsupported OpenAPI version ""`},
		"OpenAPI 4":         {"openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n", `unsupported OpenAPI version "4.0.0"`},
		"empty":             {"", "unsupported OpenAPI version"},
		"paths as a string": {"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: nope\n", "the document cannot be loaded"},
		"a list":            {"[1, 2]", "the document cannot be loaded"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := openapi.LoadData([]byte(c.text), openapi.LoadOptions{})
			require.Error(t, err)
			problems := openapi.Problems(err)
			require.Len(t, problems, 1)
			assert.Contains(t, problems[0].Message, c.want)
		})
	}
}

func TestPathItemsDefinedInComponentsAreLocatedThere(t *testing.T) {
	spec := func(ext string) string {
		return `openapi: 3.1.0
info: {title: t, version: "1"}
security: [{b: []}]
components:
  securitySchemes:
    b: {type: http, scheme: bearer}
  pathItems:
    Item:
      ` + ext + `
      get: {operationId: g, responses: {"401": {description: no}}}
paths:
  /items/{id}:
    $ref: "#/components/pathItems/Item"
`
	}
	p := mustLoad(t, spec(`x-axioms-roles: [a]`))
	pol := policy(t, p, "GET", "/items/:id")
	assert.Equal(t, "#/components/pathItems/Item/get", pol.Pointer)
	assert.Equal(t, []string{"a"}, pol.Roles.AnyOf)

	pr := onlyProblem(t, spec(`x-axioms-role: [a]`))
	assert.Equal(t, "#/components/pathItems/Item/x-axioms-role", pr.Pointer)
	assert.Equal(t, "/items/{id}", pr.Path, "the path is the one that uses the path item")
}

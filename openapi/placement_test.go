package openapi_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

// An x-axioms-* key one level too deep would be a rule silently lost: every such key
// outside the root, the path items of paths and their operations fails loading, located.
func TestMisplacedExtensions(t *testing.T) {
	const notAllowed = "x-axioms-roles is not allowed here: use it on the document root, a path item of paths or one of its operations"
	for _, c := range []struct {
		name, root, paths, pointer, method, path string
	}{
		{"under responses", "", `
  /a:
    get:
      security: [{oauth: []}]
      responses: {x-axioms-roles: [admin], "401": {description: no}}`, "#/paths/~1a/get/responses/x-axioms-roles", "GET", "/a"},
		{"in a response", "", `
  /a:
    get:
      security: [{oauth: []}]
      responses: {"401": {description: no, x-axioms-roles: [admin]}}`, "#/paths/~1a/get/responses/401/x-axioms-roles", "GET", "/a"},
		{"in a request body", "", `
  /a:
    post:
      security: [{oauth: []}]
      requestBody: {x-axioms-roles: [admin], content: {application/json: {schema: {type: object}}}}
      responses: {"401": {description: no}}`, "#/paths/~1a/post/requestBody/x-axioms-roles", "POST", "/a"},
		{"in a media type", "", `
  /a:
    post:
      security: [{oauth: []}]
      requestBody: {content: {application/json: {x-axioms-roles: [admin], schema: {type: object}}}}
      responses: {"401": {description: no}}`, "#/paths/~1a/post/requestBody/content/application~1json/x-axioms-roles", "POST", "/a"},
		{"in a parameter", "", `
  /a/{id}:
    get:
      security: [{oauth: []}]
      parameters: [{name: id, in: path, required: true, schema: {type: string}, x-axioms-roles: [admin]}]
      responses: {"401": {description: no}}`, "#/paths/~1a~1{id}/get/parameters/0/x-axioms-roles", "GET", "/a/{id}"},
		{"in a path-item parameter", "", `
  /a/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}, x-axioms-roles: [admin]}]
    get: {security: [{oauth: []}], responses: {"401": {description: no}}}`, "#/paths/~1a~1{id}/parameters/0/x-axioms-roles", "", "/a/{id}"},
		{"in a schema", "", `
  /a:
    get:
      security: [{oauth: []}]
      responses: {"401": {description: no, content: {application/json: {schema: {type: object, x-axioms-roles: [admin]}}}}}`, "#/paths/~1a/get/responses/401/content/application~1json/schema/x-axioms-roles", "GET", "/a"},
		{"in a nested schema", `x-unused: true`, `
  /a:
    get: {security: [{oauth: []}], responses: {"401": {description: no}}}`, "", "", ""},
		{"in info", "", `
  /a:
    get: {security: [{oauth: []}], responses: {"401": {description: no}}}`, "#/info/x-axioms-roles", "", ""},
		{"in a tag", "tags: [{name: t, x-axioms-roles: [admin]}]", `
  /a:
    get: {security: [{oauth: []}], responses: {"401": {description: no}}}`, "#/tags/0/x-axioms-roles", "", ""},
		{"in a server", "servers: [{url: /v1, x-axioms-roles: [admin]}]", `
  /a:
    get: {security: [{oauth: []}], responses: {"401": {description: no}}}`, "#/servers/0/x-axioms-roles", "", ""},
		{"in a webhook", `webhooks:
  ping:
    x-axioms-roles: [admin]
    post: {responses: {"200": {description: ok}}}`, `
  /a:
    get: {security: [{oauth: []}], responses: {"401": {description: no}}}`, "#/webhooks/ping/x-axioms-roles", "", ""},
		{"on a webhook's operation", `webhooks:
  ping:
    post: {x-axioms-roles: [admin], responses: {"200": {description: ok}}}`, `
  /a:
    get: {security: [{oauth: []}], responses: {"401": {description: no}}}`, "#/webhooks/ping/post/x-axioms-roles", "", ""},
		{"on a callback's operation", "", `
  /a:
    post:
      security: [{oauth: []}]
      callbacks:
        done:
          "{$request.body#/url}":
            post: {x-axioms-roles: [admin], responses: {"200": {description: ok}}}
      responses: {"401": {description: no}}`, "#/paths/~1a/post/callbacks/done/{$request.body#~1url}/post/x-axioms-roles", "POST", "/a"},
		{"in a component response", "", `
  /a:
    get: {security: [{oauth: []}], responses: {"401": {$ref: '#/components/responses/No'}}}`, "#/components/responses/No/x-axioms-roles", "", ""},
		{"in a components.pathItems entry no path references", `x-unused: true`, `
  /a:
    get: {security: [{oauth: []}], responses: {"401": {description: no}}}`, "#/components/pathItems/P/x-axioms-roles", "", ""},
		{"on the operation of a components.pathItems entry no path references", `x-unused: true`, `
  /a:
    get: {security: [{oauth: []}], responses: {"401": {description: no}}}`, "#/components/pathItems/Q/get/x-axioms-roles", "", ""},
		{"in a component schema", "", `
  /a:
    get: {security: [{oauth: []}], responses: {"401": {description: no}}}`, "#/components/schemas/S/properties/name/x-axioms-roles", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := `openapi: 3.1.0
info: {title: t, version: "1"` + map[bool]string{true: ", x-axioms-roles: [admin]"}[c.name == "in info"] + `}
` + c.root + `
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://i.example/t", scopes: {}}}}
  responses:
    No: {description: no` + map[bool]string{true: ", x-axioms-roles: [admin]"}[c.name == "in a component response"] + `}
  schemas:
    S:
      type: object
      properties:
        name: {type: string` + map[bool]string{true: ", x-axioms-roles: [admin]"}[c.name == "in a component schema"] + `}
` + map[bool]string{true: `    N: {type: object, properties: {inner: {type: array, items: {type: object, x-axioms-roles: [admin]}}}}
`}[c.name == "in a nested schema"] + map[bool]string{true: `  pathItems:
    P: {x-axioms-roles: [admin], get: {responses: {"200": {description: ok}}}}
`}[c.name == "in a components.pathItems entry no path references"] + map[bool]string{true: `  pathItems:
    Q: {get: {x-axioms-roles: [admin], responses: {"200": {description: ok}}}}
`}[c.name == "on the operation of a components.pathItems entry no path references"] + `paths:` + c.paths + "\n"
			if c.name == "in a nested schema" {
				c.pointer = "#/components/schemas/N/properties/inner/items/x-axioms-roles"
			}
			pr := onlyProblem(t, text)
			assert.Equal(t, c.pointer, pr.Pointer)
			assert.Equal(t, c.method, pr.Method)
			assert.Equal(t, c.path, pr.Path)
			assert.Equal(t, notAllowed, pr.Message)
		})
	}
}

func TestMisplacedExtensionsAllReported(t *testing.T) {
	problems := loadProblems(t, doc(`tags: [{name: t, x-axioms-owner: {param: id}}]`, `
  /a:
    get:
      security: [{oauth: []}]
      responses:
        x-axioms-permissions: [p]
        "401": {description: no, x-axioms-role: [a]}
`))
	require.Len(t, problems, 3, "%v", problems)
	assert.Equal(t, "#/paths/~1a/get/responses/401/x-axioms-role", problems[0].Pointer)
	assert.Equal(t, `unknown extension "x-axioms-role" (did you mean "x-axioms-roles"?)`, problems[0].Message)
	assert.Equal(t, "#/paths/~1a/get/responses/x-axioms-permissions", problems[1].Pointer)
	assert.Equal(t, "#/tags/0/x-axioms-owner", problems[2].Pointer)
}

// What is data, not an OpenAPI object, is not read for extensions: property names,
// examples, defaults, enums, consts and the values of other extensions.
func TestExtensionLookalikesInData(t *testing.T) {
	p := mustLoad(t, doc(`x-vendor: {x-axioms-roles: [a]}`, `
  /a:
    get:
      security: [{oauth: []}]
      responses:
        "401":
          description: no
          content:
            application/json:
              schema:
                type: object
                properties:
                  x-axioms-roles: {type: array, items: {type: string}}
                patternProperties:
                  "^x-axioms-": {type: string}
                default: {x-axioms-roles: [a]}
                examples: [{x-axioms-roles: [a]}]
                example: {x-axioms-owner: {param: id}}
                enum: [{x-axioms-permissions: [a]}]
                const: {x-axioms-permissions: [a]}
              example: {x-axioms-roles: [a]}
              examples:
                one: {value: {x-axioms-roles: [a]}}
`))
	require.Len(t, p.All(), 1)
	assert.True(t, p.All()[0].Roles.Empty())
}

// A components.pathItems entry that a path references is read by the compiler: its
// declarations are in place.
func TestReferencedComponentPathItem(t *testing.T) {
	p := mustLoad(t, `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://i.example/t", scopes: {}}}}
  pathItems:
    P:
      x-axioms-roles: [admin]
      get: {security: [{oauth: []}], x-axioms-permissions: [read], responses: {"401": {description: no}}}
paths:
  /a:
    $ref: '#/components/pathItems/P'
`)
	pol := policy(t, p, "GET", "/a")
	assert.Equal(t, openapi.Condition{AnyOf: []string{"admin"}}, pol.Roles)
	assert.Equal(t, openapi.Condition{AnyOf: []string{"read"}}, pol.Permissions)
}

// Keys that look like this package's but are not exactly one of them fail loading with
// a suggestion, wherever they are.
func TestMisspeltExtensionPrefixes(t *testing.T) {
	for _, c := range []struct{ key, want string }{
		{"x-axiom-roles", "x-axioms-roles"},
		{"x-axioms_roles", "x-axioms-roles"},
		{"x-axiomsroles", "x-axioms-roles"},
		{"X-Axioms-Roles", "x-axioms-roles"},
		{"x_axioms-permissions", "x-axioms-permissions"},
		{"x-axioms-permission", "x-axioms-permissions"},
		{"x-axoims-roles", "x-axioms-roles"},
		{"x-axioms-ownr", "x-axioms-owner"},
		{"x-axiom", "x-axioms-owner"},
	} {
		for _, where := range []struct {
			name, root, item, op, pointer, method, path string
		}{
			{"root", c.key + ": [a]\n", "", "", "#/" + c.key, "", ""},
			{"path item", "", "    " + c.key + ": [a]\n", "", "#/paths/~1a/" + c.key, "", "/a"},
			{"operation", "", "", c.key + ": [a], ", "#/paths/~1a/get/" + c.key, "GET", "/a"},
		} {
			t.Run(c.key+" on the "+where.name, func(t *testing.T) {
				pr := onlyProblem(t, doc(where.root+"security: [{oauth: []}]", `
  /a:
`+where.item+`    get: {`+where.op+`responses: {"401": {description: no}}}
`))
				assert.Equal(t, where.pointer, pr.Pointer)
				assert.Equal(t, where.method, pr.Method)
				assert.Equal(t, where.path, pr.Path)
				if c.key == "x-axiom" {
					assert.Equal(t, `unknown extension "x-axiom" (known: x-axioms-acr, x-axioms-dpop, x-axioms-max-age, x-axioms-owner, x-axioms-permissions, x-axioms-roles)`, pr.Message)
				} else {
					assert.Equal(t, `unknown extension "`+c.key+`" (did you mean "`+c.want+`"?)`, pr.Message)
				}
			})
		}
	}
}

// lookalikeLevels are the objects whose x-axioms-* keys the compiler reads, and the
// pointer, method and path of a key on each.
var lookalikeLevels = []struct{ name, pointer, method, path string }{
	{"root", "#/", "", ""},
	{"path item", "#/paths/~1a/", "", "/a"},
	{"operation", "#/paths/~1a/get/", "GET", "/a"},
}

// lookalikeDoc is a document whose operation GET /a requires authentication, with key
// (value [a]) on the root, the path item or the operation, as YAML or as JSON.
func lookalikeDoc(level string, asJSON bool, key string) string {
	at := func(l string) bool { return l == level }
	if asJSON {
		k, err := json.Marshal(key)
		if err != nil {
			panic(err)
		}
		member := map[bool]string{true: string(k) + `: ["a"], `}
		return `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
"components": {"securitySchemes": {"oauth": {"type": "http", "scheme": "bearer"}}},
"security": [{"oauth": []}], ` + member[at("root")] + `
"paths": {"/a": {` + member[at("path item")] + `"get": {` + member[at("operation")] + `"responses": {"401": {"description": "no"}}}}}}`
	}
	// A plain YAML key where it can be one (the look-alike as pasted), a double-quoted one
	// where it has surrounding or invisible characters.
	k := key
	if strconv.Quote(key) != `"`+key+`"` || strings.TrimSpace(key) != key {
		k = strconv.Quote(key)
	}
	member := map[bool]string{true: k + ": [a]"}
	return doc("security: [{oauth: []}]\n"+member[at("root")], `
  /a:
    `+member[at("path item")]+`
    get: {`+member[at("operation")]+map[bool]string{true: ", "}[at("operation")]+`responses: {"401": {description: no}}}
`)
}

// Keys that read as one of this package's once Unicode look-alikes are folded (a dash
// or a minus sign for the hyphen, a fullwidth or mathematical letter, an invisible or
// no-break space, a byte order mark) fail loading like a typo, wherever the compiler
// reads rules and in YAML and JSON alike: the rule they carry would otherwise be lost.
// The message escapes the key, so that what differs can be seen.
func TestLookalikeExtensionKeys(t *testing.T) {
	for _, c := range []struct{ key, looksLike, chars, suggestion string }{
		{"x\u2010axioms\u2010roles", "x-axioms-roles", "U+2010", "x-axioms-roles"},                   // hyphen
		{"x\u2011axioms\u2011roles", "x-axioms-roles", "U+2011", "x-axioms-roles"},                   // non-breaking hyphen
		{"x\u2013axioms\u2013roles", "x-axioms-roles", "U+2013", "x-axioms-roles"},                   // en dash
		{"x\u2014axioms\u2014roles", "x-axioms-roles", "U+2014", "x-axioms-roles"},                   // em dash
		{"x\ufe58axioms\ufe58roles", "x-axioms-roles", "U+FE58", "x-axioms-roles"},                   // small em dash
		{"x\u2212axioms\u2212permissions", "x-axioms-permissions", "U+2212", "x-axioms-permissions"}, // minus sign
		{"x\ufe63axioms-owner", "x-axioms-owner", "U+FE63", "x-axioms-owner"},                        // small hyphen-minus
		{"\uff58-axioms-roles", "x-axioms-roles", "U+FF58", "x-axioms-roles"},                        // fullwidth x
		{"\uff38\uff0d\uff21\uff38\uff29\uff2f\uff2d\uff33\uff0d\uff32\uff2f\uff2c\uff25\uff33", "x-axioms-roles", "U+FF38, U+FF0D, U+FF21, U+FF29, …", "x-axioms-roles"},
		{"\U0001D431-axioms-roles", "x-axioms-roles", "U+1D431", "x-axioms-roles"},               // mathematical bold x
		{"\u00a0x-axioms-roles", "x-axioms-roles", "U+00A0", "x-axioms-roles"},                   // leading no-break space
		{"x-axioms\u200b-roles", "x-axioms-roles", "U+200B", "x-axioms-roles"},                   // zero-width space
		{"\ufeffx-axioms-permissions", "x-axioms-permissions", "U+FEFF", "x-axioms-permissions"}, // byte order mark
		{"x-axioms-roles ", "x-axioms-roles", "U+0020", "x-axioms-roles"},                        // trailing space
		{"X\u2010AXIOMS\u2010ROLES", "x-axioms-roles", "U+2010", "x-axioms-roles"},
		{"x\u2013axioms\u2013role", "x-axioms-role", "U+2013", "x-axioms-roles"}, // and a typo
		{"\u0445-axioms-roles", "", "U+0445", "x-axioms-roles"},                  // Cyrillic х: one letter off
		{"x\u2010axioms\u2010audience", "x-axioms-audience", "U+2010", ""},       // an x-axioms-* key this package does not know
	} {
		for _, level := range lookalikeLevels {
			for _, asJSON := range []bool{false, true} {
				t.Run(strconv.QuoteToASCII(c.key)+" on the "+level.name+map[bool]string{true: " (JSON)"}[asJSON], func(t *testing.T) {
					pr := onlyProblem(t, lookalikeDoc(level.name, asJSON, c.key))
					assert.Equal(t, level.pointer+c.key, pr.Pointer)
					assert.Equal(t, level.method, pr.Method)
					assert.Equal(t, level.path, pr.Path)
					want := "unknown extension " + strconv.QuoteToASCII(c.key) + ": it looks like " + strconv.QuoteToASCII(c.looksLike) + " but contains " + c.chars
					if c.looksLike == "" { // what it looks like is not ASCII either
						want = "unknown extension " + strconv.QuoteToASCII(c.key) + ": it contains " + c.chars
					}
					if c.suggestion != "" {
						want += ` (did you mean "` + c.suggestion + `"?)`
					} else {
						want += " (known: x-axioms-acr, x-axioms-dpop, x-axioms-max-age, x-axioms-owner, x-axioms-permissions, x-axioms-roles)"
					}
					assert.Equal(t, want, pr.Message)
				})
			}
		}
	}
	t.Run("upper case", func(t *testing.T) {
		for _, level := range lookalikeLevels {
			for _, asJSON := range []bool{false, true} {
				pr := onlyProblem(t, lookalikeDoc(level.name, asJSON, "X-AXIOMS-ROLES"))
				assert.Equal(t, level.pointer+"X-AXIOMS-ROLES", pr.Pointer)
				assert.Equal(t, `unknown extension "X-AXIOMS-ROLES" (did you mean "x-axioms-roles"?)`, pr.Message)
			}
		}
	})
	t.Run("misplaced", func(t *testing.T) {
		problems := loadProblems(t, doc(`security: [{oauth: []}]
tags: [{name: t, "\u00a0x-axioms-roles": [a]}]`, `
  /a:
    get:
      parameters: [{name: q, in: query, schema: {type: string}, x–axioms–roles: [a]}]
      responses: {"401": {description: no, ｘ-axioms-permissions: [b]}}
`))
		require.Len(t, problems, 3, "%v", problems)
		assert.Equal(t, "#/paths/~1a/get/parameters/0/x\u2013axioms\u2013roles", problems[0].Pointer)
		assert.Equal(t, "GET", problems[0].Method)
		assert.Equal(t, "#/paths/~1a/get/responses/401/\uff58-axioms-permissions", problems[1].Pointer)
		assert.Equal(t, `unknown extension "\uff58-axioms-permissions": it looks like "x-axioms-permissions" but contains U+FF58 (did you mean "x-axioms-permissions"?)`, problems[1].Message)
		assert.Equal(t, "#/tags/0/\u00a0x-axioms-roles", problems[2].Pointer)
	})
}

// Other vendors' extensions, with or without non-ASCII letters, and look-alike keys where
// the document holds data rather than OpenAPI objects (property names, examples,
// defaults, the values of other extensions) are not this package's.
func TestLegitimateKeysAmongLookalikes(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]
x-axioms-roles: [member]
x-foo: {x‐axioms‐roles: [a]}
x-größe: 1
x-ロール: [a]`, `
  /a:
    x-axioms-permissions: [p]
    x-amazon-apigateway-any-method: {x−axioms−roles: [a]}
    get:
      x-axioms-roles: [admin]
      x-amazon-apigateway-integration: {type: mock}
      x-rôles: [a]
      x-axis: 1
      responses:
        "401":
          description: no
          content:
            application/json:
              schema:
                type: object
                properties:
                  x–axioms–roles: {type: array, items: {type: string}}
                  ｘ-axioms-roles: {type: string}
                  "\u00a0x-axioms-roles": {type: string}
                patternProperties:
                  "^x‐axioms‐": {type: string}
                default: {x‐axioms‐roles: [a]}
                example: {x–axioms–owner: {param: id}}
              examples:
                one: {value: {ｘ-axioms-roles: [a]}}
`))
	pol := policy(t, p, "GET", "/a")
	assert.Equal(t, []string{"admin"}, pol.Roles.AnyOf)
	assert.Equal(t, []string{"p"}, pol.Permissions.AnyOf)
	assert.Empty(t, saying(p.Warnings(), "not enforced"))

	p = mustLoad(t, `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
"components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}},
  "schemas": {"S": {"type": "object", "properties": {"x\u2010axioms\u2010roles": {"type": "string"}}}}},
"security": [{"b": []}], "x-foo": 1,
"paths": {"/a": {"get": {"x-axioms-roles": ["admin"], "x-amazon-apigateway-integration": {"type": "mock"},
  "responses": {"401": {"description": "no"}}}}}}`)
	assert.Equal(t, []string{"admin"}, policy(t, p, "GET", "/a").Roles.AnyOf)
}

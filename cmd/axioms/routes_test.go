package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoutesJSONContract(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "routes", "--format", "json", "testdata/small.yaml")
	require.Equal(t, exitOK, code, stderr)
	assert.JSONEq(t, `[
	  {"method":"GET","path":"/articles/{article_id}","operationId":"getArticle","auth":"required",
	   "alternatives":[[{"scheme":"key","type":"apiKey","scopes":[],"dpop":"none"},{"scheme":"oauth2","type":"oauth2","scopes":["read:data"],"dpop":"none"}],
	                   [{"scheme":"oauth2","type":"oauth2","scopes":["admin"],"dpop":"none"}]],
	   "roles":{"anyOf":["editor"],"allOf":["verified"]},"permissions":{"anyOf":[],"allOf":[]},
	   "owner":{"param":"","field":"user","claim":"sub","loader":"getArticle"},"acr":[],"maxAge":0},
	  {"method":"GET","path":"/feed","operationId":"feed","auth":"optional",
	   "alternatives":[[{"scheme":"oauth2","type":"oauth2","scopes":[],"dpop":"none"}]],
	   "roles":{"anyOf":[],"allOf":[]},"permissions":{"anyOf":[],"allOf":[]},"owner":null,"acr":[],"maxAge":0},
	  {"method":"GET","path":"/health","operationId":"","auth":"none","alternatives":[],
	   "roles":{"anyOf":[],"allOf":[]},"permissions":{"anyOf":[],"allOf":[]},"owner":null,"acr":[],"maxAge":0}
	]`, stdout)
	// The keys come in the documented order.
	assert.Contains(t, stdout, `{
    "method": "GET",
    "path": "/health",
    "operationId": "",
    "auth": "none",
    "alternatives": [],
    "roles": {
      "anyOf": [],
      "allOf": []
    },
    "permissions": {
      "anyOf": [],
      "allOf": []
    },
    "owner": null,
    "acr": [],
    "maxAge": 0
  }`)
}

// stepUpDoc has an owner rule in the parameter form and step-up requirements.
const stepUpDoc = `openapi: 3.1.0
info: {title: t, version: "1"}
security: [{b: []}]
components: {securitySchemes: {b: {type: http, scheme: bearer}}}
paths:
  /users/{id}:
    delete:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      x-axioms-owner: {param: id, claim: /org/user_id}
      x-axioms-permissions: {allOf: [users:delete]}
      x-axioms-acr: ["urn:example:mfa", "urn:example:hwk"]
      x-axioms-max-age: 300
      responses: {"401": {description: no}}
`

func TestRoutesJSONOwnerParamForm(t *testing.T) {
	code, stdout, stderr := runCLI(t, stepUpDoc, "routes", "--format=json", "-")
	require.Equal(t, exitOK, code, stderr)
	assert.JSONEq(t, `[{"method":"DELETE","path":"/users/{id}","operationId":"","auth":"required",
	  "alternatives":[[{"scheme":"b","type":"http","scopes":[],"dpop":"none"}]],
	  "roles":{"anyOf":[],"allOf":[]},"permissions":{"anyOf":[],"allOf":["users:delete"]},
	  "owner":{"param":"id","field":"","claim":"/org/user_id","loader":""},
	  "acr":["urn:example:mfa","urn:example:hwk"],"maxAge":300}]`, stdout)

	code, stdout, stderr = runCLI(t, stepUpDoc, "routes", "-")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "acr(urn:example:mfa, urn:example:hwk) AND max-age 300s")

	code, stdout, _ = runCLI(t, "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "routes", "--format", "json", "-")
	require.Equal(t, exitOK, code)
	assert.Equal(t, "[]\n", stdout, "an empty table is an empty array, not null")
}

func TestRoutesTableAndMarkdown(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "routes", "testdata/small.yaml")
	require.Equal(t, exitOK, code)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 6)
	assert.Equal(t, "base path: /v1", lines[0])
	assert.Regexp(t, `^METHOD\s+PATH\s+OPERATION\s+AUTH\s+SECURITY\s+ROLES\s+PERMISSIONS\s+OWNER\s+STEP-UP$`, lines[2])
	assert.Regexp(t, `^GET\s+/articles/\{article_id\}\s+getArticle\s+required\s+key AND oauth2\(read:data\) OR oauth2\(admin\)\s+any\(editor\) AND all\(verified\)\s+-\s+getArticle\(\)\.user = sub\s+-$`, lines[3])
	assert.Regexp(t, `^GET\s+/feed\s+feed\s+optional\s+\{\} OR oauth2\s+-\s+-\s+-\s+-$`, lines[4])
	assert.Regexp(t, `^GET\s+/health\s+-\s+none\s+-\s+-\s+-\s+-\s+-$`, lines[5])

	code, stdout, _ = runCLI(t, "", "routes", "testdata/small.yaml", "--format=markdown", "--base-path", "/")
	require.Equal(t, exitOK, code)
	assert.NotContains(t, stdout, "Base path", "the flag overrides the servers")
	assert.Contains(t, stdout, "| method | path | operation | auth | security | roles | permissions | owner | step-up |\n|---|---|---|---|---|---|---|---|---|\n")
	assert.Contains(t, stdout, "| GET | `/feed` | feed | optional | {} OR oauth2 | - | - | - | - |\n")
}

func TestRoutesMarksOperationsWithTheirOwnServers(t *testing.T) {
	code, stdout, _ := runCLI(t, `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: /api}]
paths:
  /upload:
    post: {servers: [{url: "https://upload.example.com/files"}], responses: {"200": {description: ok}}}
  /list:
    get: {responses: {"200": {description: ok}}}
`, "routes", "-")
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "/upload (route /files/upload)")
	assert.NotContains(t, stdout, "/list (route")
}

func TestRoutesFlagsAnywhere(t *testing.T) {
	_, want, _ := runCLI(t, "", "routes", "--format", "json", "--base-path", "/x", "testdata/small.yaml")
	for _, args := range [][]string{
		{"routes", "testdata/small.yaml", "--format", "json", "--base-path", "/x"},
		{"routes", "--format=json", "testdata/small.yaml", "--base-path=/x"},
	} {
		code, got, stderr := runCLI(t, "", args...)
		assert.Equal(t, exitOK, code, stderr)
		assert.Equal(t, want, got, args)
	}
}

func TestRoutesExternalReferences(t *testing.T) {
	const spec = "../../openapi/testdata/refs/main.yaml"
	code, _, stderr := runCLI(t, "", "routes", spec)
	assert.Equal(t, exitFailed, code, "references to other files are not followed by default")
	assert.Contains(t, stderr, "LoadOptions.AllowExternalRefs")

	code, stdout, stderr := runCLI(t, "", "routes", "--allow-external-refs", "--format", "json", spec)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, `"operationId": "getItem"`)
}

func TestRoutesUsageAndFailures(t *testing.T) {
	for _, args := range [][]string{
		{"routes"},
		{"routes", "a.yaml", "b.yaml"},
		{"routes", "--format", "xml", "testdata/small.yaml"},
		{"routes", "--nope", "testdata/small.yaml"},
	} {
		code, _, stderr := runCLI(t, "", args...)
		assert.Equal(t, exitUsage, code, args)
		assert.NotEmpty(t, stderr, args)
	}
	code, stdout, stderr := runCLI(t, "", "routes", "testdata/broken.yaml")
	assert.Equal(t, exitFailed, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, `GET /a (#/paths/~1a/get/x-axioms-role): unknown extension "x-axioms-role"`)
	code, _, stderr = runCLI(t, "", "routes", "testdata/absent.yaml")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, "no such file")

	code, _, stderr = runCLI(t, "", "routes", "-h")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stderr, "--format json is a stable contract")
	assert.Contains(t, stderr, "-allow-external-refs")
}

// materialDocuments lists the real documents the openapi package tests against.
func materialDocuments(t *testing.T) []string {
	files, err := filepath.Glob("../../openapi/testdata/material/*.*")
	require.NoError(t, err)
	guru, err := filepath.Glob("../../openapi/testdata/material/apis-guru/*.json")
	require.NoError(t, err)
	files = append(files, guru...)
	require.Len(t, files, 27)
	return files
}

// TestRoutesOnEveryMaterialDocument prints every real document in every format. (The
// openapi package checks the tables themselves.)
func TestRoutesOnEveryMaterialDocument(t *testing.T) {
	for _, f := range materialDocuments(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, "", "routes", "--format", "json", f)
			require.Equal(t, exitOK, code, stderr)
			var got []map[string]any
			require.NoError(t, json.Unmarshal([]byte(stdout), &got))
			basePath := ""
			for i, r := range got {
				for _, key := range []string{"method", "path", "operationId", "auth", "alternatives", "roles", "permissions", "owner"} {
					assert.Contains(t, r, key)
				}
				for _, key := range []string{"alternatives", "roles", "permissions"} {
					assert.NotNil(t, r[key], key)
				}
				assert.Contains(t, []any{"none", "optional", "required"}, r["auth"])
				if i > 0 {
					prev := got[i-1]["path"].(string) + " " + got[i-1]["method"].(string)
					assert.Less(t, prev, r["path"].(string)+" "+r["method"].(string), "sorted by path then method")
				}
			}
			for _, format := range []string{"table", "markdown"} {
				code, stdout, stderr := runCLI(t, "", "routes", "--format", format, f)
				require.Equal(t, exitOK, code, "%s: %s", format, stderr)
				if format == "table" {
					if first, _, _ := strings.Cut(stdout, "\n"); strings.HasPrefix(first, "base path: ") {
						basePath = strings.TrimPrefix(first, "base path: ")
					}
				}
				assert.Equal(t, len(got), strings.Count(stdout, "\n")-headerLines(format, basePath), format)
			}
		})
	}
}

func headerLines(format, basePath string) int {
	n := 1 // the column titles
	if format == "markdown" {
		n++ // the separator row
	}
	if basePath != "" {
		n += 2 // the base path and a blank line
	}
	return n
}

// TestRoutesPetstoreJSON checks entries of a real document's JSON, written by reading the
// document.
func TestRoutesPetstoreJSON(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "routes", "--format", "json", "../../openapi/testdata/material/swagger-petstore-3.0.4.yaml")
	require.Equal(t, exitOK, code)
	var got []json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	require.Len(t, got, 19)
	byRoute := map[string]string{}
	for _, raw := range got {
		var r struct{ Method, Path string }
		require.NoError(t, json.Unmarshal(raw, &r))
		byRoute[r.Method+" "+r.Path] = string(raw)
	}
	assert.JSONEq(t, `{"method":"GET","path":"/pet/{petId}","operationId":"getPetById","auth":"required",
	  "alternatives":[[{"scheme":"api_key","type":"apiKey","scopes":[],"dpop":"none"}],[{"scheme":"petstore_auth","type":"oauth2","scopes":["write:pets","read:pets"],"dpop":"none"}]],
	  "roles":{"anyOf":[],"allOf":[]},"permissions":{"anyOf":[],"allOf":[]},"owner":null,"acr":[],"maxAge":0}`, byRoute["GET /pet/{petId}"])
	assert.JSONEq(t, `{"method":"POST","path":"/user","operationId":"createUser","auth":"none","alternatives":[],
	  "roles":{"anyOf":[],"allOf":[]},"permissions":{"anyOf":[],"allOf":[]},"owner":null,"acr":[],"maxAge":0}`, byRoute["POST /user"])
}

func TestRoutesFromStandardInput(t *testing.T) {
	data, err := os.ReadFile("testdata/small.yaml")
	require.NoError(t, err)
	_, fromFile, _ := runCLI(t, "", "routes", "--format", "json", "testdata/small.yaml")
	code, fromStdin, stderr := runCLI(t, string(data), "routes", "--format", "json", "-")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, fromFile, fromStdin)
}

func TestRoutesDPoP(t *testing.T) {
	const spec = `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    dpop: {type: http, scheme: bearer, x-axioms-dpop: required}
    either: {type: http, scheme: bearer, x-axioms-dpop: allowed}
    plain: {type: http, scheme: bearer}
paths:
  /a:
    get: {security: [{dpop: []}, {either: [], plain: []}], responses: {"401": {description: no}}}
`
	code, stdout, stderr := runCLI(t, spec, "routes", "--format=json", "-")
	require.Equal(t, exitOK, code, stderr)
	assert.JSONEq(t, `[{"method":"GET","path":"/a","operationId":"","auth":"required",
	  "alternatives":[[{"scheme":"dpop","type":"http","scopes":[],"dpop":"required"}],
	                  [{"scheme":"either","type":"http","scopes":[],"dpop":"allowed"},{"scheme":"plain","type":"http","scopes":[],"dpop":"none"}]],
	  "roles":{"anyOf":[],"allOf":[]},"permissions":{"anyOf":[],"allOf":[]},"owner":null,"acr":[],"maxAge":0}]`, stdout)

	code, stdout, stderr = runCLI(t, spec, "routes", "-")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "dpop [dpop required] OR either [dpop allowed] AND plain")
}

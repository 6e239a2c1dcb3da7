package main

import (
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
	   "alternatives":[[{"scheme":"key","type":"apiKey","scopes":[]},{"scheme":"oauth2","type":"oauth2","scopes":["read:data"]}],
	                   [{"scheme":"oauth2","type":"oauth2","scopes":["admin"]}]],
	   "roles":{"anyOf":["editor"],"allOf":["verified"]},"permissions":{"anyOf":[],"allOf":[]},
	   "owner":{"param":"","field":"user","claim":"sub","loader":"getArticle"}},
	  {"method":"GET","path":"/feed","operationId":"feed","auth":"optional",
	   "alternatives":[[{"scheme":"oauth2","type":"oauth2","scopes":[]}]],
	   "roles":{"anyOf":[],"allOf":[]},"permissions":{"anyOf":[],"allOf":[]},"owner":null},
	  {"method":"GET","path":"/health","operationId":"","auth":"none","alternatives":[],
	   "roles":{"anyOf":[],"allOf":[]},"permissions":{"anyOf":[],"allOf":[]},"owner":null}
	]`, stdout)
}

func TestRoutesTableAndMarkdown(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "routes", "testdata/small.yaml")
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "base path: /v1")
	assert.Contains(t, stdout, "key AND oauth2(read:data) OR oauth2(admin)")
	assert.Contains(t, stdout, "getArticle.user = sub")

	code, stdout, _ = runCLI(t, "", "routes", "testdata/small.yaml", "--format=markdown", "--base-path", "/")
	require.Equal(t, exitOK, code)
	assert.NotContains(t, stdout, "Base path", "the flag overrides the servers")
	assert.Contains(t, stdout, "| GET | `/feed` | feed | optional | {} OR oauth2 |")
}

func TestRoutesUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"routes"}, {"routes", "a.yaml", "b.yaml"}, {"routes", "--format", "xml", "testdata/small.yaml"}, {"routes", "--nope", "x"}} {
		code, _, _ := runCLI(t, "", args...)
		assert.Equal(t, exitUsage, code, args)
	}
	code, _, stderr := runCLI(t, "", "routes", "testdata/broken.yaml")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, "x-axioms-role")
	code, _, _ = runCLI(t, "", "routes", "-h")
	assert.Equal(t, exitOK, code)
}

func TestRoutesAndLintOnEveryMaterialDocument(t *testing.T) {
	files, err := filepath.Glob("../../openapi/testdata/material/*.*")
	require.NoError(t, err)
	guru, _ := filepath.Glob("../../openapi/testdata/material/apis-guru/*.json")
	files = append(files, guru...)
	require.NotEmpty(t, files)
	for _, f := range files {
		for _, format := range []string{"table", "markdown", "json"} {
			code, stdout, stderr := runCLI(t, "", "routes", "--format", format, f)
			assert.Equal(t, exitOK, code, "%s %s: %s", f, format, stderr)
			assert.NotEmpty(t, stdout)
		}
		code, stdout, _ := runCLI(t, "", "lint", f)
		assert.Equal(t, exitOK, code, f)
		assert.Contains(t, stdout, "0 errors")
	}
}

func TestLint(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "../../spec.example.yaml")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "../../spec.example.yaml: 24 operations, 0 errors, 0 warning(s)\n", stdout, "the example document lints clean")

	code, stdout, _ = runCLI(t, "", "lint", "testdata/broken.yaml")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stdout, `error: GET /a (#/paths/~1a/get/x-axioms-role): unknown extension "x-axioms-role" (did you mean "x-axioms-roles"?)`)
	assert.Contains(t, stdout, `error: GET /b (#/paths/~1b/get/security/0/nope)`)
	assert.True(t, strings.HasSuffix(stdout, "2 error(s)\n"), stdout)

	code, stdout, _ = runCLI(t, "", "lint", "testdata/warn.yaml")
	assert.Equal(t, exitOK, code, "warnings never fail")
	assert.Contains(t, stdout, `warning: GET /draft (#/security/0): scope "write" is not declared in the flows of security scheme "oauth2"`)
	assert.Contains(t, stdout, `warning: GET /draft (#/paths/~1draft/get/responses): protected operation documents neither a 401 nor a 403 response`)
	assert.Contains(t, stdout, "0 errors, 2 warning(s)")

	code, stdout, _ = runCLI(t, "", "lint", "testdata/absent.yaml")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stdout, "no such file")
	code, _, _ = runCLI(t, "", "lint")
	assert.Equal(t, exitUsage, code)
}

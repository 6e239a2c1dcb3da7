package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLintCleanDocument(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "../../spec.example.yaml")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "../../spec.example.yaml: 24 operations, 0 errors, 0 warnings\n", stdout, "the example document lints clean")
}

func TestLintErrorsAndWarnings(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "testdata/broken.yaml")
	assert.Equal(t, exitFailed, code)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 4, stdout)
	assert.Equal(t, `error: GET /a (#/paths/~1a/get/x-axioms-role): unknown extension "x-axioms-role" (did you mean "x-axioms-roles"?)`, lines[0])
	assert.Equal(t, `error: GET /b (#/paths/~1b/get/security/0/nope): the security requirement names "nope", which components.securitySchemes does not declare`, lines[1])
	assert.Equal(t, `warning: GET /b (#/paths/~1b/get/responses): the operation requires authentication but documents neither a 401 nor a 403 response`, lines[2],
		"warnings are listed even when the document does not load")
	assert.Equal(t, "testdata/broken.yaml: 2 errors, 2 warnings: it does not load", lines[len(lines)-1], "the second warning is kin-openapi's own")
}

func TestLintWarningsOnly(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "testdata/warn.yaml")
	assert.Equal(t, exitOK, code, "warnings never fail")
	assert.Equal(t, `warning: (#/security/0/oauth2): scope "write" is not declared in the flows of security scheme "oauth2"
warning: GET /draft (#/paths/~1draft/get/responses): the operation requires authentication but documents neither a 401 nor a 403 response
testdata/warn.yaml: 1 operation, 0 errors, 2 warnings
`, stdout)
}

func TestLintUnreadableAndUsage(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "testdata/absent.yaml")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stdout, "no such file")
	assert.True(t, strings.HasSuffix(stdout, "testdata/absent.yaml: 1 error\n"), stdout)

	code, stdout, _ = runCLI(t, "not: [openapi", "lint", "-")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stdout, "error: the document cannot be loaded")
	assert.True(t, strings.HasSuffix(stdout, "-: 1 error, 0 warnings: it does not load\n"), stdout)

	for _, args := range [][]string{{"lint"}, {"lint", "a", "b"}, {"lint", "--format", "json", "a"}} {
		code, _, _ := runCLI(t, "", args...)
		assert.Equal(t, exitUsage, code, args)
	}
	code, _, stderr := runCLI(t, "", "lint", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stderr, "Warnings are listed even when there are errors")
}

func TestLintBasePathAndExternalReferences(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "testdata/small.yaml")
	require.Equal(t, exitOK, code)
	// GET /feed has optional authentication and documents no 401: an invalid token
	// would get an undocumented answer.
	assert.Equal(t, "warning: GET /feed (#/paths/~1feed/get/responses): authentication is optional but the operation documents no 401 response: a request with an invalid token is answered 401\n"+
		"testdata/small.yaml: 3 operations, 0 errors, 1 warning\n", stdout)

	code, stdout, _ = runCLI(t, "", "lint", "../../openapi/testdata/refs/main.yaml")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stdout, "error: /items/{id} (#/paths/~1items~1{id}): the path item is the $ref")
	code, stdout, _ = runCLI(t, "", "lint", "--allow-external-refs", "../../openapi/testdata/refs/main.yaml")
	assert.Equal(t, exitOK, code, stdout)
	// Located where the other file's object is used, and by its line in that file.
	assert.Contains(t, stdout, `warning: (#/paths/~1items~1{id}/get/responses/200/content/application~1json/schema/properties/owner): item.yaml line 4: $ref "/schemas/user#owner" is not followed`)
}

// TestLintOnEveryMaterialDocument lints every real document: none has errors.
func TestLintOnEveryMaterialDocument(t *testing.T) {
	for _, f := range materialDocuments(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			code, stdout, _ := runCLI(t, "", "lint", f)
			assert.Equal(t, exitOK, code)
			assert.Contains(t, stdout, ", 0 errors, ")
			assert.NotContains(t, stdout, "error:")
		})
	}
}

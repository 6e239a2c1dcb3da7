package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

func TestLintCleanDocument(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "../../spec.example.yaml")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "../../spec.example.yaml: 25 operations, 0 errors, 0 warnings\n", stdout, "the example document lints clean")
}

func TestLintErrorsAndWarnings(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "testdata/broken.yaml")
	assert.Equal(t, exitFailed, code)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 4, stdout)
	assert.Equal(t, `testdata/broken.yaml:10:7: error: GET /a (#/paths/~1a/get/x-axioms-role): unknown extension "x-axioms-role" (did you mean "x-axioms-roles"?)`, lines[0])
	assert.Equal(t, `testdata/broken.yaml:14:19: error: GET /b (#/paths/~1b/get/security/0/nope): the security requirement names "nope", which components.securitySchemes does not declare`, lines[1])
	assert.Equal(t, `testdata/broken.yaml:15:7: warning: GET /b (#/paths/~1b/get/responses): the operation requires authentication but documents neither a 401 nor a 403 response`, lines[2],
		"warnings are listed even when the document does not load")
	assert.Equal(t, "testdata/broken.yaml: 2 errors, 2 warnings: it does not load", lines[len(lines)-1], "the second warning is kin-openapi's own")
}

func TestLintWarningsOnly(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "testdata/warn.yaml")
	assert.Equal(t, exitOK, code, "warnings never fail")
	assert.Equal(t, `testdata/warn.yaml:3:13: warning: (#/security/0/oauth2): scope "write" is not declared in the flows of security scheme "oauth2"
testdata/warn.yaml:12:7: warning: GET /draft (#/paths/~1draft/get/responses): the operation requires authentication but documents neither a 401 nor a 403 response
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
	assert.Equal(t, "testdata/small.yaml:27:7: warning: GET /feed (#/paths/~1feed/get/responses): authentication is optional but the operation documents no 401 response: a request with an invalid token is answered 401\n"+
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

// TestLintWarningsSummaryAndNone: --warnings summary prints one line per kind of warning
// (quoted names set aside) with its count and first location; none prints none; the
// summary line and the exit status stay the same.
func TestLintWarningsSummaryAndNone(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    oauth2: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://t.example/token", scopes: {read: r}}}}
security: [{oauth2: [write]}, {oauth2: [delete]}]
paths:
  /a:
    get: {responses: {"200": {description: ok}}}
  /b:
    get: {responses: {"200": {description: ok}}}
  /c:
    get: {responses: {"200": {description: ok}}}
`
	const last = "-: 3 operations, 0 errors, 5 warnings\n"
	code, stdout, _ := runCLI(t, doc, "lint", "--warnings", "summary", "-")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, `warning: 3 times: the operation requires authentication but documents neither a 401 nor a 403 response (first: -:9:11: GET /a (#/paths/~1a/get/responses))
warning: 2 times: scope "…" is not declared in the flows of security scheme "…" (first: -:6:13: (#/security/0/oauth2))
`+last, stdout)

	code, stdout, _ = runCLI(t, doc, "lint", "--warnings", "none", "-")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, last, stdout)

	code, all, _ := runCLI(t, doc, "lint", "-")
	assert.Equal(t, exitOK, code)
	_, explicit, _ := runCLI(t, doc, "lint", "--warnings", "all", "-")
	assert.Equal(t, all, explicit, "all is the default")
	assert.Equal(t, 6, strings.Count(all, "\n"))

	code, _, stderr := runCLI(t, doc, "lint", "--warnings", "some", "-")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `--warnings: unknown value "some"`)
}

// TestWarningKinds: warnings that differ only in names, paths, pointers, methods or line
// numbers are one kind; the most frequent kind comes first.
func TestWarningKinds(t *testing.T) {
	w := func(msg string) *openapi.Problem { return &openapi.Problem{Message: msg, Warning: true} }
	ws := []*openapi.Problem{
		w(`kin-openapi validation: invalid path /a: invalid operation GET: bad`),
		w(`scope "x" is not declared`),
		w(`kin-openapi validation: invalid path /b/{id}: invalid operation POST: bad`),
		w(`a.yaml line 4: $ref "#/x" is not followed (the reference is at #/paths/~1a, #/paths/~1b)`),
		w(`a.yaml line 12: $ref "#/y" is not followed (the reference is at #/paths/~1c, #/paths/~1d)`),
		w(`kin-openapi validation: invalid path /c: invalid operation DELETE: bad`),
	}
	kinds := warningKinds(ws)
	require.Len(t, kinds, 3)
	assert.Equal(t, "kin-openapi validation: invalid path …: invalid operation …: bad", kinds[0].kind)
	assert.Equal(t, 3, kinds[0].count)
	assert.Same(t, ws[0], kinds[0].first)
	assert.Equal(t, `a.yaml …: $ref "…" is not followed (the reference is at …, …)`, kinds[1].kind)
	assert.Equal(t, 2, kinds[1].count, "ties keep the order of first appearance")
	assert.Equal(t, `scope "…" is not declared`, kinds[2].kind)
}

package openapi_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

// position is a problem's place in the text and its pointer.
type position struct {
	Pointer      string
	Line, Column int
}

func positionsOf(problems []*openapi.Problem) []position {
	out := make([]position, len(problems))
	for i, p := range problems {
		out[i] = position{p.Pointer, p.Line, p.Column}
	}
	return out
}

// TestProblemsAreLocatedInTheText: Load, LoadData and LoadFS give each problem the line
// and column of its pointer, in YAML and in JSON, errors and warnings alike.
func TestProblemsAreLocatedInTheText(t *testing.T) {
	const yamlDoc = `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
paths:
  /a:
    get:
      security: [{bearer: []}]
      responses: {"200": {description: ok}}
`
	p, err := openapi.LoadData([]byte(yamlDoc), openapi.LoadOptions{})
	require.NoError(t, err)
	assert.Contains(t, positionsOf(p.Warnings()), position{"#/paths/~1a/get/responses", 10, 7}, "neither a 401 nor a 403")

	fromFS, err := openapi.LoadFS(fstest.MapFS{"api.yaml": {Data: []byte(yamlDoc)}}, "api.yaml", openapi.LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, positionsOf(p.Warnings()), positionsOf(fromFS.Warnings()))

	const jsonDoc = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {"/a": {"get": {"security": [{"nope": []}], "responses": {"401": {"description": "no"}}}}}
}`
	_, err = openapi.LoadData([]byte(jsonDoc), openapi.LoadOptions{})
	problems := openapi.Problems(err)
	require.Len(t, problems, 1, "%v", err)
	assert.Equal(t, position{"#/paths/~1a/get/security/0/nope", 4, 42}, positionsOf(problems)[0])
	for _, w := range openapi.Warnings(err) {
		assert.NotZero(t, w.Line, "warnings of a document that does not load are located too: %v", w)
	}

	_, err = openapi.LoadData([]byte("openapi: 2.0.0\ninfo: {title: t, version: \"1\"}\npaths: {}\n"), openapi.LoadOptions{})
	require.Len(t, openapi.Problems(err), 1)
	assert.Equal(t, position{"#/openapi", 1, 1}, positionsOf(openapi.Problems(err))[0])
}

// TestUndeclaredSchemeSuggestsTheClosest: a security requirement naming a scheme that is
// not declared gets the closest declared name, when one is close.
func TestUndeclaredSchemeSuggestsTheClosest(t *testing.T) {
	_, err := openapi.LoadData([]byte(`openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    OAuth2: {type: http, scheme: bearer}
    bearerAuth: {type: http, scheme: bearer}
security: [{oauth2: []}]
paths:
  /a:
    get:
      security: [{bearerAth: []}, {zz: []}, {b: []}]
      responses: {"401": {description: no}}
`), openapi.LoadOptions{})
	var messages []string
	for _, p := range openapi.Problems(err) {
		messages = append(messages, p.Message)
	}
	assert.Equal(t, []string{
		`the security requirement names "oauth2", which components.securitySchemes does not declare (did you mean "OAuth2"?)`,
		`the security requirement names "bearerAth", which components.securitySchemes does not declare (did you mean "bearerAuth"?)`,
		`the security requirement names "zz", which components.securitySchemes does not declare`,
		`the security requirement names "b", which components.securitySchemes does not declare`,
	}, messages)
}

// TestSyntaxErrorsSayWhatIsWrong: a document that does not parse is reported in the
// parser's words, without the prefixes of the layers it went through.
func TestSyntaxErrorsSayWhatIsWrong(t *testing.T) {
	_, err := openapi.LoadData([]byte("openapi: 3.1.0\ninfo: {title: t\n"), openapi.LoadOptions{})
	problems := openapi.Problems(err)
	require.Len(t, problems, 1)
	assert.Regexp(t, `^the document cannot be loaded: line \d+: `, problems[0].Message)
	assert.NotContains(t, problems[0].Message, "yaml")
	assert.NotContains(t, problems[0].Message, "unmarshal")
}

package openapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPositionsLocate(t *testing.T) {
	ps := newPositions([]byte(`openapi: 3.1.0
paths:
  /a/{id}:
    get:
      security:
        - oauth: [read]
        - &alt {bearer: []}
      x-tilde~key: 1
  /b:
    get: {security: [*alt]}
`))
	for _, tc := range []struct {
		ptr          string
		line, column int
	}{
		{"#", 1, 1},
		{"#/openapi", 1, 1},
		{"#/paths/~1a~1{id}/get", 4, 5},
		{"#/paths/~1a~1{id}/get/security/0/oauth", 6, 11},
		{"#/paths/~1a~1{id}/get/security/1", 7, 11},
		{"#/paths/~1a~1{id}/get/x-tilde~0key", 8, 7},
		{"#/paths/~1b/get/security/0/bearer", 7, 17},               // through the alias, to the anchor
		{"#/paths/~1a~1{id}/get/responses", 4, 5},                  // not in the text: the nearest ancestor
		{"#/paths/~1a~1{id}/get/security/9", 5, 7},                 // no such element
		{"#/paths/~1a~1{id}/get/security/0/oauth/0/deeper", 6, 19}, // into a scalar: the scalar
		{"", 0, 0},
		{"paths", 0, 0},
	} {
		line, column := ps.locate(tc.ptr)
		assert.Equal(t, [2]int{tc.line, tc.column}, [2]int{line, column}, tc.ptr)
	}

	line, column := newPositions([]byte("not: [yaml")).locate("#/not")
	assert.Zero(t, line+column, "a text that does not parse locates nothing")
}

func TestTrimParserPrefix(t *testing.T) {
	assert.Equal(t, "line 3: did not find expected ',' or '}'",
		trimParserPrefix("failed to unmarshal data: yaml error: yaml: line 3: did not find expected ',' or '}'"))
	assert.Equal(t, "invalid character 'x'", trimParserPrefix("invalid character 'x'"))
}

package openapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Pointers escape '~' and '/' in their tokens (RFC 6901 §3), and are built in one
// allocation.
func TestChildPointer(t *testing.T) {
	for _, c := range []struct {
		base   string
		tokens []string
		want   string
	}{
		{"#", nil, "#"},
		{"#", []string{"paths", "/a/{id}", "get"}, "#/paths/~1a~1{id}/get"},
		{"#/paths/~1a", []string{"x~y", "~/~/"}, "#/paths/~1a/x~0y/~0~1~0~1"},
		{"#/components", []string{"", "a b"}, "#/components//a b"},
	} {
		assert.Equal(t, c.want, child(c.base, c.tokens...))
		assert.LessOrEqual(t, testing.AllocsPerRun(10, func() { child(c.base, c.tokens...) }), 1.0, c.want)
	}
	assert.Equal(t, "#/paths/~1a~0", pointer("paths", "/a~"))
}

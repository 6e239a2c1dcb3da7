package enforce

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestQuote(t *testing.T) {
	assert.Equal(t, `"a\"b\\c"`, quote(`a"b\c`))
	assert.Equal(t, `"ab"`, quote("a\r\nb\x00\u00e9"), "controls and non-ASCII are dropped")
}

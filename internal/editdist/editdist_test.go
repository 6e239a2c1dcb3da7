package editdist

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"kitten", "sitting", 3},
		{"ab", "ba", 2},
		{"x-axiom-roles", "x-axioms-roles", 1},
		{"AXIOMS_ISSUER", "AXIOMS_ISS_URL", 3},
		{"", "abc", 3},
		{"abc", "", 3},
		{"ünï", "uni", 4}, // bytes: ü and ï are two bytes each
		{strings.Repeat("a", 40), strings.Repeat("a", 38) + "bb", 2}, // longer than the buffers
	} {
		assert.Equal(t, tc.want, Distance(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, Distance([]byte(tc.a), tc.b), "%q %q as bytes", tc.a, tc.b)
	}
}

func TestDistanceDoesNotAllocate(t *testing.T) {
	a := []byte("x-axioms-permission")
	allocs := testing.AllocsPerRun(100, func() { Distance(a, "x-axioms-permissions") })
	assert.Zero(t, allocs)
}

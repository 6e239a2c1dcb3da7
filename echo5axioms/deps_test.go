package echo5axioms_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/internal/apicheck"
)

// The package's dependency rules: a user of Echo v5 compiles neither Echo v4 nor the v4
// adapter, and no type of the OpenAPI parser or of the JOSE library appears in the
// exported API.
func TestDependencyRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	assert.Contains(t, deps, "github.com/labstack/echo/v5")
	for _, dep := range deps {
		for _, banned := range []string{"github.com/labstack/echo/v4", "github.com/axioms-go/axioms-echo/echoaxioms"} {
			assert.False(t, strings.HasPrefix(dep, banned), "echo5axioms depends on %s", dep)
		}
	}
	for _, prefix := range []string{"github.com/getkin/", "github.com/lestrrat-go/"} {
		findings, checked, err := apicheck.Leaks(".", prefix)
		require.NoError(t, err)
		assert.Empty(t, findings)
		assert.Greater(t, checked, 20, "the exported API was not found")
	}
}

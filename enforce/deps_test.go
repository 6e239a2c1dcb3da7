package enforce_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/internal/apicheck"
)

// The package's dependency rules: it imports no web framework (adapters import it, never
// the reverse), nor the adapters, nor the environment packages; and no type of the
// OpenAPI parser or of the JOSE library appears in its exported API.
func TestDependencyRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{
			"github.com/labstack/", "github.com/joho/",
			"github.com/axioms-go/axioms-echo/echoaxioms", "github.com/axioms-go/axioms-echo/envconfig",
		} {
			assert.False(t, strings.HasPrefix(dep, banned), "enforce depends on %s", dep)
		}
	}
	for _, prefix := range []string{"github.com/getkin/", "github.com/lestrrat-go/"} {
		findings, checked, err := apicheck.Leaks(".", prefix)
		require.NoError(t, err)
		assert.Empty(t, findings)
		assert.Greater(t, checked, 20, "the exported API was not found")
	}
}

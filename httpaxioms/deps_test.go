package httpaxioms_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/internal/apicheck"
)

// A net/http user compiles no web framework and no other adapter, and no type of the
// OpenAPI parser or of the JOSE library appears in the exported API.
func TestDependencyRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/axioms-go/axioms-echo/enforce", "go list listed the package's dependencies")
	for _, dep := range deps {
		for _, banned := range []string{"github.com/labstack/", "github.com/axioms-go/axioms-echo/echoaxioms", "github.com/axioms-go/axioms-echo/echo5axioms"} {
			assert.False(t, strings.HasPrefix(dep, banned), "httpaxioms depends on %s", dep)
		}
	}
	for _, prefix := range []string{"github.com/getkin/", "github.com/lestrrat-go/"} {
		findings, checked, err := apicheck.Leaks(".", prefix)
		require.NoError(t, err)
		assert.Empty(t, findings)
		assert.Greater(t, checked, 20, "the exported API was not found")
	}
}

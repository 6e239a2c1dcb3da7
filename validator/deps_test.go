package validator_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/internal/apicheck"
)

// The package's dependency rules: it imports neither Echo, nor kin-openapi, nor the
// openapi, middleware or environment packages, nor a .env parser, nor OpenTelemetry;
// and no type of the JOSE library appears in its exported API (so that dependency can
// change major version without breaking callers).
func TestDependencyRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{
			"github.com/labstack/", "github.com/getkin/", "github.com/joho/",
			"github.com/axioms-go/axioms-echo/openapi", "github.com/axioms-go/axioms-echo/echoaxioms",
			"github.com/axioms-go/axioms-echo/envconfig", "go.opentelemetry.io/",
		} {
			assert.False(t, strings.HasPrefix(dep, banned), "validator depends on %s", dep)
		}
	}
	findings, checked, err := apicheck.Leaks(".", "github.com/lestrrat-go/")
	require.NoError(t, err)
	assert.Empty(t, findings)
	assert.Greater(t, checked, 20, "the exported API was not found")
}

package axiomsotel_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// axiomsotel depends on the OpenTelemetry API alone, never on its SDK; the packages
// that do not import axiomsotel do not depend on OpenTelemetry at all.
func TestDependencyRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	assert.Contains(t, deps, "go.opentelemetry.io/otel/metric")
	for _, dep := range deps {
		assert.False(t, strings.HasPrefix(dep, "go.opentelemetry.io/otel/sdk"), "axiomsotel depends on %s", dep)
		assert.False(t, strings.HasPrefix(dep, "github.com/labstack/"), "axiomsotel depends on %s", dep)
	}
	out, err = exec.Command("go", "list", "-deps", "../validator", "../enforce", "../echoaxioms", "../echo5axioms", "../httpaxioms").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(out)) {
		assert.False(t, strings.HasPrefix(dep, "go.opentelemetry.io/"), "the core depends on %s", dep)
	}
}

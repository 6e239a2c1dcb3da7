package conformance

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

// The table reaches every operation of the document: each one answers at least one row
// with its handler, and each one that requires credentials denies at least one.
func TestTableCoversEveryOperation(t *testing.T) {
	policies, err := openapi.LoadData(document, openapi.LoadOptions{})
	require.NoError(t, err)
	ran, denied := map[string]bool{}, map[string]bool{}
	for _, r := range table {
		ran[r.Operation] = ran[r.Operation] || r.Want.Ran
		denied[r.Operation] = denied[r.Operation] || r.Want.Outcome == "denied"
	}
	for _, p := range policies.All() {
		assert.True(t, ran[p.OperationID], "no row reaches the handler of %s", p.OperationID)
		if p.Auth != openapi.AuthNone {
			assert.True(t, denied[p.OperationID], "no row is denied by %s", p.OperationID)
		}
	}
}

// Rows have distinct names, so that each is one subtest.
func TestRowNamesAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range table {
		assert.False(t, seen[r.Name], "two rows named %q", r.Name)
		seen[r.Name] = true
	}
}

// The suite imports no web framework: drivers of any framework can use it.
func TestNoFramework(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/axioms-go/axioms-echo/openapi", "go list listed the package's dependencies")
	for _, dep := range deps {
		for _, banned := range []string{"github.com/labstack/", "github.com/axioms-go/axioms-echo/echoaxioms"} {
			assert.False(t, strings.HasPrefix(dep, banned), "the suite depends on %s", dep)
		}
	}
}

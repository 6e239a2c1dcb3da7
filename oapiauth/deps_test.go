package oapiauth_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package's dependency rules: no web framework, and no other package of the module
// imports it, so kin-openapi's request validation stays out of every other import graph.
func TestDependencyRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/axioms-go/axioms-echo/enforce", "go list listed the package's dependencies")
	for _, dep := range deps {
		assert.False(t, strings.HasPrefix(dep, "github.com/labstack/"), "oapiauth depends on %s", dep)
	}
	out, err = exec.Command("go", "list", "-f", `{{.ImportPath}}: {{join .Imports " "}}`, "../...").Output()
	require.NoError(t, err)
	const self = "github.com/axioms-go/axioms-echo/oapiauth"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ": ")
		assert.NotContains(t, strings.Fields(imports), self, "%s imports oapiauth", pkg)
	}
}

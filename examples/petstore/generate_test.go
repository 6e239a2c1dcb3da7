package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGeneratedCodeIsCurrent regenerates the server code into a temporary directory
// with the checked-in configurations and compares it with the checked-in files, so a
// change to petstore.yaml, a configuration or the oapi-codegen version without
// go generate fails.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	output := regexp.MustCompile(`(?m)^output: (.+)$`)
	for _, config := range []string{"api/config.yaml", "strictapi/config.yaml", "api5/config.yaml"} {
		t.Run(filepath.Dir(config), func(t *testing.T) {
			cfg, err := os.ReadFile(config)
			require.NoError(t, err)
			m := output.FindSubmatch(cfg)
			require.NotNil(t, m, "%s names its output", config)
			checkedIn, err := os.ReadFile(string(m[1]))
			require.NoError(t, err)

			dir := t.TempDir()
			fresh := filepath.Join(dir, "fresh.go")
			tmpConfig := filepath.Join(dir, "config.yaml")
			require.NoError(t, os.WriteFile(tmpConfig, output.ReplaceAll(cfg, []byte("output: "+fresh)), 0o600))
			out, err := exec.Command("go", "tool", "oapi-codegen", "-config", tmpConfig, "petstore.yaml").CombinedOutput()
			require.NoError(t, err, "oapi-codegen: %s", out)
			regenerated, err := os.ReadFile(fresh)
			require.NoError(t, err)
			require.Equal(t, string(regenerated), string(checkedIn),
				"%s is stale: run go generate in examples/petstore", m[1])
		})
	}
}

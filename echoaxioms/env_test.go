package echoaxioms_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
)

// TestConfigFromEnvEmptySpec: AXIOMS_SPEC set to nothing is an error naming it, not a
// fallback to EnvOptions.DefaultSpec.
func TestConfigFromEnvEmptySpec(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("AXIOMS_ISS_URL="+iss.URL()+"\nAXIOMS_AUDIENCE="+iss.Audience()+"\n"), 0o600))
	spec, err := os.ReadFile(filepath.Join(originalDir(t), "testdata", "api.yaml"))
	require.NoError(t, err)

	t.Setenv("AXIOMS_SPEC", "")
	_, err = echoaxioms.ConfigFromEnv(t.Context(), echoaxioms.EnvOptions{DefaultSpec: spec})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AXIOMS_SPEC is set but empty")
}

// TestConfigFromEnvNamesVariables: the validator's configuration errors name the
// variables, and a misspelt variable is reported once, to EnvOptions.Logger, with the
// closest known name.
func TestConfigFromEnvNamesVariables(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	spec, err := os.ReadFile(filepath.Join(originalDir(t), "testdata", "api.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("AXIOMS_ISS_URL="+iss.URL()+"\nAXIOMS_AUDIENCES="+iss.Audience()+"\n"), 0o600))

	var logs bytes.Buffer
	_, err = echoaxioms.ConfigFromEnv(t.Context(), echoaxioms.EnvOptions{DefaultSpec: spec, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AXIOMS_AUDIENCE")
	assert.NotContains(t, err.Error(), "InsecureSkipAudienceCheck")
	assert.Equal(t, 1, strings.Count(logs.String(), "AXIOMS_AUDIENCES"), logs.String())
	assert.Contains(t, logs.String(), "did you mean AXIOMS_AUDIENCE?")
}

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
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	_, spec := envDir(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCE="+iss.Audience())

	t.Setenv("AXIOMS_SPEC", "")
	_, err := echoaxioms.ConfigFromEnv(t.Context(), echoaxioms.EnvOptions{DefaultSpec: spec})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AXIOMS_SPEC is set but empty")
}

// TestConfigFromEnvNamesVariables: the validator's configuration errors name the
// variables, and a misspelt variable is reported once, to EnvOptions.Logger, with the
// closest known name.
func TestConfigFromEnvNamesVariables(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	_, spec := envDir(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCES="+iss.Audience())

	var logs bytes.Buffer
	_, err := echoaxioms.ConfigFromEnv(t.Context(), echoaxioms.EnvOptions{DefaultSpec: spec, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AXIOMS_AUDIENCE")
	assert.NotContains(t, err.Error(), "InsecureSkipAudienceCheck")
	assert.Equal(t, 1, strings.Count(logs.String(), "AXIOMS_AUDIENCES"), logs.String())
	assert.Contains(t, logs.String(), "did you mean AXIOMS_AUDIENCE?")
}

func TestConfigFromEnv(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	dir, spec := envDir(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCE="+iss.Audience(), "AXIOMS_SPEC=api.yaml")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "api.yaml"), spec, 0o600))

	cfg, err := echoaxioms.ConfigFromEnv(t.Context(), echoaxioms.EnvOptions{})
	require.NoError(t, err)
	require.NotNil(t, cfg.Policies)
	assert.NotNil(t, cfg.Policies.Lookup("GET", "/read"))
	c, err := cfg.Validator.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{}))
	require.NoError(t, err)
	assert.Equal(t, axiomstest.DefaultSubject, c.Subject())

	_, err = cfg.ToMiddleware()
	require.Error(t, err, "the owner loaders and the apiKey authenticator are still to be registered")

	t.Setenv("AXIOMS_SPEC", "missing.yaml")
	_, err = echoaxioms.ConfigFromEnv(t.Context(), echoaxioms.EnvOptions{})
	assert.ErrorContains(t, err, "AXIOMS_SPEC missing.yaml")

	writeEnv(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCE="+iss.Audience())
	os.Unsetenv("AXIOMS_SPEC")
	_, err = echoaxioms.ConfigFromEnv(t.Context(), echoaxioms.EnvOptions{})
	assert.ErrorContains(t, err, "AXIOMS_SPEC is not set")
	cfg, err = echoaxioms.ConfigFromEnv(t.Context(), echoaxioms.EnvOptions{DefaultSpec: spec})
	require.NoError(t, err, "the embedded default document")
	assert.NotNil(t, cfg.Policies.Lookup("GET", "/read"))

	writeEnv(t, "AXIOMS_ISS_URL="+iss.URL())
	_, err = echoaxioms.ConfigFromEnv(t.Context(), echoaxioms.EnvOptions{DefaultSpec: spec})
	assert.ErrorContains(t, err, "audience is required")
}

// envDir makes a fresh working directory holding a .env file with lines, and returns
// the test document's bytes.
func envDir(t *testing.T, lines ...string) (dir string, spec []byte) {
	t.Helper()
	spec, err := os.ReadFile(filepath.Join(originalDir(t), "testdata", "api.yaml"))
	require.NoError(t, err)
	dir = t.TempDir()
	t.Chdir(dir)
	writeEnv(t, lines...)
	return dir, spec
}

// writeEnv replaces the .env file of the working directory.
func writeEnv(t *testing.T, lines ...string) {
	t.Helper()
	require.NoError(t, os.WriteFile(".env", []byte(strings.Join(lines, "\n")+"\n"), 0o600))
}

// TestConfigFromEnvDPoP: AXIOMS_DPOP_BASE_URL and AXIOMS_DPOP_NONCE_SECRET fill
// Config.DPoPBaseURL and Config.DPoP.
func TestConfigFromEnvDPoP(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	_, spec := envDir(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCE="+iss.Audience(),
		"AXIOMS_DPOP_BASE_URL=https://api.example.com", "AXIOMS_DPOP_NONCE_SECRET=a nonce secret of at least thirty-two bytes")
	cfg, err := echoaxioms.ConfigFromEnv(t.Context(), echoaxioms.EnvOptions{DefaultSpec: spec})
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com", cfg.DPoPBaseURL)
	require.NotNil(t, cfg.DPoP)
	assert.NotEmpty(t, cfg.DPoP.Nonce())
}

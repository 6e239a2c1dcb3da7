package echo5axioms_test

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
	"github.com/axioms-go/axioms-echo/echo5axioms"
)

func TestConfigFromEnv(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	dir := envDir(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCE="+iss.Audience(), "AXIOMS_SPEC=api.yaml")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "api.yaml"), apiDoc, 0o600))

	cfg, err := echo5axioms.ConfigFromEnv(t.Context(), echo5axioms.EnvOptions{})
	require.NoError(t, err)
	require.NotNil(t, cfg.Policies)
	assert.NotNil(t, cfg.Policies.Lookup("GET", "/read"))
	c, err := cfg.Validator.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{}))
	require.NoError(t, err)
	assert.Equal(t, axiomstest.DefaultSubject, c.Subject())
	_, err = cfg.ToMiddleware()
	require.Error(t, err, "the owner loader and the apiKey authenticator are still to be registered")

	t.Setenv("AXIOMS_SPEC", "")
	_, err = echo5axioms.ConfigFromEnv(t.Context(), echo5axioms.EnvOptions{DefaultSpec: apiDoc})
	assert.ErrorContains(t, err, "AXIOMS_SPEC is set but empty", "never a fallback to DefaultSpec")

	writeEnv(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCE="+iss.Audience())
	os.Unsetenv("AXIOMS_SPEC")
	_, err = echo5axioms.ConfigFromEnv(t.Context(), echo5axioms.EnvOptions{})
	assert.ErrorContains(t, err, "echo5axioms: AXIOMS_SPEC is not set")
	cfg, err = echo5axioms.ConfigFromEnv(t.Context(), echo5axioms.EnvOptions{DefaultSpec: apiDoc})
	require.NoError(t, err, "the embedded default document")
	assert.NotNil(t, cfg.Policies.Lookup("GET", "/read"))

	writeEnv(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCES="+iss.Audience())
	var logs bytes.Buffer
	_, err = echo5axioms.ConfigFromEnv(t.Context(), echo5axioms.EnvOptions{DefaultSpec: apiDoc, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	assert.ErrorContains(t, err, "AXIOMS_AUDIENCE", "the errors name the variables")
	assert.Contains(t, logs.String(), "did you mean AXIOMS_AUDIENCE?")
}

// envDir makes a fresh working directory holding a .env file with lines.
func envDir(t *testing.T, lines ...string) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	writeEnv(t, lines...)
	return dir
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
	envDir(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCE="+iss.Audience(),
		"AXIOMS_DPOP_BASE_URL=https://api.example.com", "AXIOMS_DPOP_NONCE_SECRET=a nonce secret of at least thirty-two bytes")
	cfg, err := echo5axioms.ConfigFromEnv(t.Context(), echo5axioms.EnvOptions{DefaultSpec: apiDoc})
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com", cfg.DPoPBaseURL)
	require.NotNil(t, cfg.DPoP)
	assert.NotEmpty(t, cfg.DPoP.Nonce())
}

package httpaxioms_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/httpaxioms"
)

// ConfigFromEnv configures the validator from AXIOMS_* variables and a .env file, and
// the policies from AXIOMS_SPEC or the default document.
func TestConfigFromEnv(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	t.Chdir(t.TempDir())
	writeEnv(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCE="+iss.Audience(), "AXIOMS_SPEC=api.yaml")
	require.NoError(t, os.WriteFile(filepath.Join(".", "api.yaml"), testDoc, 0o600))

	cfg, err := httpaxioms.ConfigFromEnv(t.Context(), httpaxioms.EnvOptions{})
	require.NoError(t, err)
	assert.NotNil(t, cfg.Policies.Lookup("GET", "/protected"))
	c, err := cfg.Validator.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{}))
	require.NoError(t, err)
	assert.Equal(t, axiomstest.DefaultSubject, c.Subject())
	mux, err := httpaxioms.NewMux(cfg)
	require.NoError(t, err)
	mux.HandleFunc("GET /protected", func(http.ResponseWriter, *http.Request) {})
	assert.Equal(t, 401, serve(mux, "GET", "/protected", "").Code)

	t.Setenv("AXIOMS_SPEC", "")
	_, err = httpaxioms.ConfigFromEnv(t.Context(), httpaxioms.EnvOptions{DefaultSpec: testDoc})
	assert.ErrorContains(t, err, "AXIOMS_SPEC is set but empty")

	writeEnv(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCE="+iss.Audience())
	os.Unsetenv("AXIOMS_SPEC")
	_, err = httpaxioms.ConfigFromEnv(t.Context(), httpaxioms.EnvOptions{})
	assert.ErrorContains(t, err, "httpaxioms: AXIOMS_SPEC is not set")
	cfg, err = httpaxioms.ConfigFromEnv(t.Context(), httpaxioms.EnvOptions{DefaultSpec: testDoc})
	require.NoError(t, err, "the embedded default document")
	assert.NotNil(t, cfg.Policies.Lookup("GET", "/read"))

	writeEnv(t, "AXIOMS_ISS_URL="+iss.URL())
	_, err = httpaxioms.ConfigFromEnv(t.Context(), httpaxioms.EnvOptions{DefaultSpec: testDoc})
	assert.ErrorContains(t, err, "audience is required")
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
	t.Chdir(t.TempDir())
	writeEnv(t, "AXIOMS_ISS_URL="+iss.URL(), "AXIOMS_AUDIENCE="+iss.Audience(),
		"AXIOMS_DPOP_BASE_URL=https://api.example.com", "AXIOMS_DPOP_NONCE_SECRET=a nonce secret of at least thirty-two bytes")
	cfg, err := httpaxioms.ConfigFromEnv(t.Context(), httpaxioms.EnvOptions{DefaultSpec: testDoc})
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com", cfg.DPoPBaseURL)
	require.NotNil(t, cfg.DPoP)
	assert.NotEmpty(t, cfg.DPoP.Nonce())
}

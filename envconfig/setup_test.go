package envconfig

import (
	"bytes"
	"log/slog"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

// setupDoc is a one-operation document for Setup.
var setupDoc = []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /read:
    get:
      responses: {"200": {description: ok}}
`)

// TestSetup: the document comes from AXIOMS_SPEC, else DefaultSpec, else ErrNoSpec;
// unknown names are logged, validator errors name the variables.
func TestSetup(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	t.Chdir(t.TempDir())
	writeDotEnv := func(lines string) {
		require.NoError(t, os.WriteFile(DefaultFile, []byte(lines), 0o600))
	}
	writeDotEnv("AXIOMS_ISS_URL=" + iss.URL() + "\nAXIOMS_AUDIENCE=" + iss.Audience() + "\nAXIOMS_AUDIENCES=x\n")

	_, _, err := Setup(t.Context(), SetupOptions{})
	assert.ErrorIs(t, err, ErrNoSpec)

	var logs bytes.Buffer
	policies, v, err := Setup(t.Context(), SetupOptions{DefaultSpec: setupDoc, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	assert.NotNil(t, policies.Lookup("GET", "/read"))
	require.NotNil(t, v)
	assert.Contains(t, logs.String(), "AXIOMS_AUDIENCES (in .env) is not a known variable; did you mean AXIOMS_AUDIENCE?")

	require.NoError(t, os.WriteFile("api.yaml", setupDoc, 0o600))
	t.Setenv("AXIOMS_SPEC", "api.yaml")
	policies, _, err = Setup(t.Context(), SetupOptions{})
	require.NoError(t, err)
	assert.NotNil(t, policies.Lookup("GET", "/read"))

	t.Setenv("AXIOMS_SPEC", "missing.yaml")
	_, _, err = Setup(t.Context(), SetupOptions{DefaultSpec: setupDoc})
	assert.ErrorContains(t, err, "AXIOMS_SPEC missing.yaml")

	t.Setenv("AXIOMS_SPEC", " ")
	_, _, err = Setup(t.Context(), SetupOptions{DefaultSpec: setupDoc})
	assert.ErrorContains(t, err, "AXIOMS_SPEC is set but empty", "never a fallback to DefaultSpec")

	os.Unsetenv("AXIOMS_SPEC")
	writeDotEnv("AXIOMS_ISS_URL=" + iss.URL() + "\n")
	_, _, err = Setup(t.Context(), SetupOptions{DefaultSpec: setupDoc})
	assert.ErrorContains(t, err, "AXIOMS_AUDIENCE")
	assert.NotContains(t, err.Error(), "InsecureSkipAudienceCheck")
}

// TestDPoPSettings: AXIOMS_DPOP_BASE_URL is passed on as it is (the middleware checks
// it), AXIOMS_DPOP_NONCE_SECRET builds a checker with nonces; empty values and short
// secrets fail, naming the variable and never the secret.
func TestDPoPSettings(t *testing.T) {
	s, err := FromLookup(lookupMap(nil)).DPoP()
	require.NoError(t, err)
	assert.Equal(t, DPoPSettings{}, s, "unset: no base URL, no checker")

	secret := "a nonce secret of at least thirty-two bytes"
	s, err = FromLookup(lookupMap(map[string]string{"AXIOMS_DPOP_BASE_URL": "https://api.example.com", "AXIOMS_DPOP_NONCE_SECRET": secret})).DPoP()
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com", s.BaseURL)
	require.NotNil(t, s.Checker)
	assert.NotEmpty(t, s.Checker.Nonce(), "nonces are on")

	_, err = FromLookup(lookupMap(map[string]string{"AXIOMS_DPOP_NONCE_SECRET": "short-secret"})).DPoP()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AXIOMS_DPOP_NONCE_SECRET")
	assert.NotContains(t, err.Error(), "short-secret")

	_, err = FromLookup(lookupMap(map[string]string{"AXIOMS_DPOP_BASE_URL": " ", "AXIOMS_DPOP_NONCE_SECRET": ""})).DPoP()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AXIOMS_DPOP_BASE_URL is set but empty")
	assert.Contains(t, err.Error(), "AXIOMS_DPOP_NONCE_SECRET is set but empty")
}

// TestSetupSettings: the DPoP settings come with the policies and the validator, and a
// malformed one fails the setup.
func TestSetupSettings(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile(DefaultFile, []byte("AXIOMS_ISS_URL="+iss.URL()+"\nAXIOMS_AUDIENCE="+iss.Audience()+
		"\nAXIOMS_DPOP_BASE_URL=https://api.example.com\n"), 0o600))
	s, err := SetupSettings(t.Context(), SetupOptions{DefaultSpec: setupDoc})
	require.NoError(t, err)
	assert.NotNil(t, s.Policies.Lookup("GET", "/read"))
	assert.NotNil(t, s.Validator)
	assert.Equal(t, "https://api.example.com", s.DPoP.BaseURL)
	assert.Nil(t, s.DPoP.Checker)

	t.Setenv("AXIOMS_DPOP_NONCE_SECRET", "too short")
	_, err = SetupSettings(t.Context(), SetupOptions{DefaultSpec: setupDoc})
	assert.ErrorContains(t, err, "AXIOMS_DPOP_NONCE_SECRET")
	_, _, err = Setup(t.Context(), SetupOptions{DefaultSpec: setupDoc})
	assert.ErrorContains(t, err, "AXIOMS_DPOP_NONCE_SECRET", "Setup reads them too")
}

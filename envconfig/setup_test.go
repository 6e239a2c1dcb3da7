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

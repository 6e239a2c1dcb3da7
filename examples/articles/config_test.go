package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/envconfig"
)

// unsetenv unsets name for the rest of the test (t.Setenv restores it afterwards).
func unsetenv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "")
	require.NoError(t, os.Unsetenv(name))
}

// TestEmptyIssuerVariableStopsStartup: AXIOMS_ISS_URL set to nothing is a configuration
// error naming it. It never starts the development issuer (which would trust tokens it
// mints itself and print admin tokens) with the deployment's audience.
func TestEmptyIssuerVariableStopsStartup(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, v := range []string{"AXIOMS_JWKS_URL", "AXIOMS_DOMAIN", "AXIOMS_SPEC"} {
		unsetenv(t, v)
	}
	t.Setenv("AXIOMS_ISS_URL", "")
	t.Setenv("AXIOMS_AUDIENCE", "https://api.production.example")
	t.Setenv("ADDR", "127.0.0.1:0")
	t.Setenv("DATABASE_PATH", filepath.Join(t.TempDir(), "articles.db"))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out syncBuffer
	served := false
	err := run(ctx, options{stdout: &out, stderr: &out, ready: func(started) { served = true; cancel() }})
	assert.False(t, served, "the service must not start")
	assert.False(t, strings.Contains(out.String(), "export "), "no token is printed:\n%.400s", out.String())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AXIOMS_ISS_URL is set but empty")
}

// TestValidatorConfigDecidesOnTheDevelopmentIssuer: the development issuer runs only when
// no issuer variable is set at all; one set but empty is an error naming it.
func TestValidatorConfigDecidesOnTheDevelopmentIssuer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    map[string]string
		useDev bool
		err    string
	}{
		{"nothing set", map[string]string{}, true, ""},
		{"only an audience", map[string]string{"AXIOMS_AUDIENCE": "https://api.example"}, true, ""},
		{"an issuer", map[string]string{"AXIOMS_ISS_URL": "https://issuer.example", "AXIOMS_AUDIENCE": "a"}, false, ""},
		{"a key-set URL", map[string]string{"AXIOMS_JWKS_URL": "https://issuer.example/jwks"}, false, ""},
		{"a domain", map[string]string{"AXIOMS_DOMAIN": "tenant.example"}, false, ""},
		{"an empty issuer", map[string]string{"AXIOMS_ISS_URL": "", "AXIOMS_AUDIENCE": "a"}, false, "AXIOMS_ISS_URL is set but empty"},
		{"a blank key-set URL", map[string]string{"AXIOMS_JWKS_URL": " "}, false, "AXIOMS_JWKS_URL is set but empty"},
		{"an empty domain", map[string]string{"AXIOMS_DOMAIN": ""}, false, "AXIOMS_DOMAIN is set but empty"},
		{"an empty document path", map[string]string{"AXIOMS_SPEC": ""}, false, "AXIOMS_SPEC is set but empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, useDev, err := validatorConfig(envconfig.FromLookup(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }))
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.False(t, useDev)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.useDev, useDev)
		})
	}
}

// TestUnknownVariableWarnedAtStartup: a misspelt AXIOMS_* name is reported once on
// stderr, with the closest known name, before the service starts.
func TestUnknownVariableWarnedAtStartup(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("AXIOMS_ISSUER", "https://issuer.example")
	s := startServer(t, filepath.Join(t.TempDir(), "articles.db"))
	defer s.stop()
	out := s.out.String()
	assert.Equal(t, 1, strings.Count(out, "AXIOMS_ISSUER"), out)
	assert.Contains(t, out, "articles: warning: AXIOMS_ISSUER (in the environment) is not a known variable; did you mean AXIOMS_ISS_URL?")
}

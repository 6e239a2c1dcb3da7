package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

// TestVerifyConfigErrorsNameFlags: configuration errors name the flag given, or the
// flag and the variable it falls back to, never a Go field.
func TestVerifyConfigErrorsNameFlags(t *testing.T) {
	t.Chdir(t.TempDir())
	code, stdout, stderr := runCLI(t, "", "verify", "--audience", "api", "tok")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "--issuer or AXIOMS_ISS_URL is required")
	assert.NotContains(t, stderr, "InsecureSkip")
	assert.NotContains(t, stderr, "Issuer")

	code, _, stderr = runCLI(t, "", "verify", "--issuer", "https://i.example", "--audience", "api",
		"--jwks-url", "http://keys.example/jwks.json", "tok")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--jwks-url:")
	assert.NotContains(t, stderr, "JWKSURL")
	assert.NotContains(t, stderr, "AXIOMS_JWKS_URL", "the flag was given: it alone is named")

	code, _, stderr = runCLI(t, "", "verify", "--issuer", "https://i.example", "--audience", "api", "--algorithms", "HS256", "tok")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--algorithms")
	assert.NotContains(t, stderr, "Algorithms")
}

// TestVerifyEmptyFlagOrVariable: an empty flag or AXIOMS_* variable is an error naming
// it, never a fallback.
func TestVerifyEmptyFlagOrVariable(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, stderr := runCLI(t, "", "verify", "--issuer", "", "--audience", "api", "tok")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--issuer is empty")

	t.Setenv("AXIOMS_ISS_URL", " ")
	code, _, stderr = runCLI(t, "", "verify", "--issuer", "https://i.example", "--audience", "api", "tok")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "AXIOMS_ISS_URL is set but empty")
}

// TestVerifyLeewayIsBounded: --leeway and AXIOMS_LEEWAY share the library's cap and
// message.
func TestVerifyLeewayIsBounded(t *testing.T) {
	t.Chdir(t.TempDir())
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	tok := iss.Token(t, axiomstest.TokenSpec{})
	code, _, stderr := runCLI(t, "", "verify", "--issuer", iss.URL(), "--audience", iss.Audience(), "--leeway", "100000h", tok)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--leeway: ")
	assert.Contains(t, stderr, "exceeds the maximum leeway of 5m0s")

	t.Setenv("AXIOMS_LEEWAY", "999999999")
	code, _, stderr = runCLI(t, "", "verify", "--issuer", iss.URL(), "--audience", iss.Audience(), tok)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "AXIOMS_LEEWAY: ")
	assert.Contains(t, stderr, "exceeds the maximum leeway of 5m0s")
}

// TestVerifyWarnsOfUnknownVariables: a misspelt AXIOMS_* name in the environment or the
// .env file is reported once on stderr, with the closest known name; the token is still
// judged.
func TestVerifyWarnsOfUnknownVariables(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("AXIOMS_SCOPES_CLAIMS=scp\n"), 0o600))
	t.Setenv("AXIOMS_ISSUER", "https://i.example")
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	code, _, stderr := runCLI(t, "", "verify", "--issuer", iss.URL(), "--audience", iss.Audience(), iss.Token(t, axiomstest.TokenSpec{}))
	assert.Equal(t, exitOK, code, stderr)
	assert.Equal(t, 1, strings.Count(stderr, "AXIOMS_ISSUER"), stderr)
	assert.Contains(t, stderr, "did you mean AXIOMS_ISS_URL?")
	assert.Equal(t, 1, strings.Count(stderr, "AXIOMS_SCOPES_CLAIMS"), stderr)
	assert.Contains(t, stderr, "did you mean AXIOMS_SCOPE_CLAIMS?")
}

package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

type verifyOut struct {
	Valid       bool           `json:"valid"`
	Claims      map[string]any `json:"claims"`
	Scopes      []string       `json:"scopes"`
	Roles       []string       `json:"roles"`
	Permissions []string       `json:"permissions"`
	Error       string         `json:"error"`
	Reason      string         `json:"reason"`
	Description string         `json:"description"`
}

func verify(t *testing.T, stdin string, args ...string) (int, verifyOut, string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, stdin, append([]string{"verify"}, args...)...)
	var out verifyOut
	if stdout != "" {
		require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
	}
	return code, out, stderr
}

func TestVerifyValidAndInvalid(t *testing.T) {
	t.Chdir(t.TempDir()) // no stray .env
	iss := axiomstest.NewIssuer(t)
	tok := iss.Token(t, map[string]any{"scope": "read write", "realm_access": map[string]any{"roles": []string{"admin"}}, "permissions": []string{"p"}})

	code, out, stderr := verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), "--roles-claims", "/realm_access/roles", tok)
	require.Equal(t, exitOK, code, stderr)
	assert.True(t, out.Valid)
	assert.Equal(t, []string{"read", "write"}, out.Scopes)
	assert.Equal(t, []string{"admin"}, out.Roles)
	assert.Equal(t, []string{"p"}, out.Permissions)
	assert.Equal(t, iss.URL(), out.Claims["iss"])

	code, out, _ = verify(t, "", "--issuer", iss.URL(), "--audience", "https://other.example", tok)
	assert.Equal(t, exitFailed, code)
	assert.False(t, out.Valid)
	assert.Equal(t, "invalid_token", out.Error)
	assert.Equal(t, "wrong_audience", out.Reason)

	expired := iss.Token(t, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})
	code, out, _ = verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), expired)
	assert.Equal(t, exitFailed, code)
	assert.Equal(t, "expired", out.Reason)
	code, _, _ = verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), "--leeway", "2h", expired)
	assert.Equal(t, exitOK, code, "--leeway")

	code, out, _ = verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), "--require-type", "at+jwt", tok)
	assert.Equal(t, exitFailed, code)
	assert.Equal(t, "wrong_type", out.Reason)

	code, out, _ = verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), "--algorithms", "ES256", tok)
	assert.Equal(t, exitFailed, code)
	assert.Equal(t, "alg_not_allowed", out.Reason)
}

func TestVerifyReadsStdinAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	iss := axiomstest.NewIssuer(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("AXIOMS_ISS_URL="+iss.URL()+"\nAXIOMS_AUDIENCE="+iss.Audience()+"\nAXIOMS_SCOPE_CLAIMS=scp\n"), 0o600))
	tok := iss.Token(t, map[string]any{"scp": []string{"a"}, "scope": "ignored"})

	code, out, stderr := verify(t, "  Bearer "+tok+"\n", "-")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{"a"}, out.Scopes, "AXIOMS_SCOPE_CLAIMS from .env")

	t.Setenv("AXIOMS_AUDIENCE", "https://env-wins.example")
	code, out, _ = verify(t, tok, "-")
	assert.Equal(t, exitFailed, code)
	assert.Equal(t, "wrong_audience", out.Reason, "the environment wins over .env")
}

func TestVerifyKeysUnavailable(t *testing.T) {
	t.Chdir(t.TempDir())
	iss := axiomstest.NewIssuer(t)
	iss.Fail(axiomstest.Fault{Status: 503})
	code, out, _ := verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), iss.Token(t, nil))
	assert.Equal(t, exitUnavailable, code)
	assert.Equal(t, "keys_unavailable", out.Reason)
	assert.Equal(t, "temporarily_unavailable", out.Error)
}

func TestVerifyJWKSFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	iss := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	require.NoError(t, os.WriteFile("keys.json", []byte(`{"keys":[`+string(iss.Key("ES256").PublicJWK())+`]}`), 0o600))
	code, _, stderr := verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), "--jwks-file", "keys.json", iss.Token(t, nil))
	require.Equal(t, exitOK, code, stderr)
	assert.Zero(t, iss.JWKSFetches(), "nothing is fetched")
}

func TestVerifyUsageAndConfigurationErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	for name, args := range map[string][]string{
		"no token":          {},
		"two tokens":        {"a", "b"},
		"no issuer":         {"--audience", "x", "tok"},
		"no audience":       {"--issuer", "https://i.example", "tok"},
		"bad leeway":        {"--issuer", "https://i.example", "--audience", "a", "--leeway", "soon", "tok"},
		"bad require-type":  {"--issuer", "https://i.example", "--audience", "a", "--require-type", "JWT", "tok"},
		"forbidden alg":     {"--issuer", "https://i.example", "--audience", "a", "--algorithms", "HS256", "tok"},
		"missing jwks file": {"--issuer", "https://i.example", "--audience", "a", "--jwks-file", "nope.json", "tok"},
		"unknown flag":      {"--nope", "tok"},
	} {
		code, _, _ := verify(t, "", args...)
		assert.Equal(t, exitUsage, code, name)
	}
}

func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

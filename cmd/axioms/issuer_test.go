package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for the issuer's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startIssuer runs "axioms issuer" in-process on a free loopback port.
func startIssuer(t *testing.T, keyFile string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var out, errb syncBuffer
	go func() {
		done <- serveIssuer(ctx, env{stdout: &out, stderr: &errb}, []string{"--addr", "127.0.0.1:0", "--key-file", keyFile}, ready)
	}()
	var url string
	select {
	case url = <-ready:
	case code := <-done:
		t.Fatalf("issuer exited with %d: %s", code, errb.String())
	}
	t.Cleanup(func() {
		cancel()
		assert.Equal(t, exitOK, <-done)
	})
	assert.Contains(t, errb.String(), "DEVELOPMENT ONLY")
	assert.Contains(t, out.String(), "export AXIOMS_ISS_URL="+url)
	return url
}

// TestIssuerTokensValidateThroughVerify is the development workflow end to end: tokens
// from the running issuer's /token endpoint, and tokens minted offline by "axioms token"
// with the same key file, both validate through "axioms verify".
func TestIssuerTokensValidateThroughVerify(t *testing.T) {
	t.Chdir(t.TempDir())
	keyFile := filepath.Join(t.TempDir(), "dev.key.json")
	url := startIssuer(t, keyFile)

	resp, err := http.Post(url+"/token", "application/json", strings.NewReader(`{"sub":"alice","scope":"read:data","permissions":["p"]}`))
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.Equal(t, 3600, tok.ExpiresIn)

	code, out, stderr := verify(t, "", "--issuer", url, "--audience", "axioms-echo-example", "--require-type", "at+jwt", tok.AccessToken)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "alice", out.Claims["sub"])
	assert.Equal(t, []string{"p"}, out.Permissions)

	code, stdout, stderr := runCLI(t, "", "token", "--key-file", keyFile, "--iss", url, "--sub", "bob",
		"--scope", "read:data write:data", "--roles", "admin,editor", "--permissions", "a", "--permissions", "b",
		"--claim", "email=bob@example.com", "--claim", "level=3", "--claim", `org={"id":"acme"}`, "--ttl", "5m")
	require.Equal(t, exitOK, code, stderr)
	offline := strings.TrimSpace(stdout)
	code, out, stderr = verify(t, "", "--issuer", url, "--audience", "axioms-echo-example", offline)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "bob", out.Claims["sub"])
	assert.Equal(t, []string{"read:data", "write:data"}, out.Scopes)
	assert.Equal(t, []string{"admin", "editor"}, out.Roles)
	assert.Equal(t, []string{"a", "b"}, out.Permissions)
	assert.Equal(t, "bob@example.com", out.Claims["email"])
	assert.Equal(t, float64(3), out.Claims["level"])
	assert.Equal(t, map[string]any{"id": "acme"}, out.Claims["org"])
	assert.InDelta(t, time.Now().Add(5*time.Minute).Unix(), out.Claims["exp"], 5)
}

func TestIssuerRestartKeepsKeys(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "dev.key.json")
	_, first, _ := runCLI(t, "", "token", "--key-file", keyFile)
	_, second, _ := runCLI(t, "", "token", "--key-file", keyFile)
	kid := func(tok string) string {
		var h struct{ Kid string }
		b, err := decodeSegment(strings.Split(strings.TrimSpace(tok), ".")[0])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &h))
		return h.Kid
	}
	assert.Equal(t, kid(first), kid(second), "the key file is reused")
}

func TestIssuerRefusesRemoteAddresses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:9000", "192.0.2.1:9000", ":9000"} {
		code, _, stderr := runCLI(t, "", "issuer", "--addr", addr, "--key-file", filepath.Join(t.TempDir(), "k"))
		assert.Equal(t, exitUsage, code, addr)
		assert.Contains(t, stderr, "not a loopback address")
	}
	code, _, _ := runCLI(t, "", "issuer", "extra")
	assert.Equal(t, exitUsage, code)
	code, _, _ = runCLI(t, "", "token", "--claim", "novalue")
	assert.Equal(t, exitUsage, code)
	code, _, _ = runCLI(t, "", "token", "--key-file", filepath.Join(t.TempDir(), "k"), "--ttl", "9999h")
	assert.Equal(t, exitUsage, code)
}

// TestIssuerTokenExpiry: an exp in the past mints an expired token with expires_in 0
// (never negative), which verify refuses as expired; the help says so.
func TestIssuerTokenExpiry(t *testing.T) {
	t.Chdir(t.TempDir())
	url := startIssuer(t, filepath.Join(t.TempDir(), "dev.key.json"))
	for _, tc := range []struct {
		body       string
		status     int
		expiresIn  float64
		verifyCode int
	}{
		{`{"sub":"alice","exp":1}`, http.StatusOK, 0, exitFailed},
		{`{"sub":"alice","expires_in":60}`, http.StatusOK, 60, exitOK},
		{`{"sub":"alice","exp":"soon"}`, http.StatusBadRequest, 0, 0},
		{`{"sub":"alice","exp":1,"expires_in":60}`, http.StatusBadRequest, 0, 0},
	} {
		resp, err := http.Post(url+"/token", "application/json", strings.NewReader(tc.body))
		require.NoError(t, err)
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		resp.Body.Close()
		require.Equal(t, tc.status, resp.StatusCode, tc.body)
		if tc.status != http.StatusOK {
			assert.Equal(t, "invalid_request", out["error"], tc.body)
			continue
		}
		assert.InDelta(t, tc.expiresIn, out["expires_in"], 1, tc.body)
		code, res, _ := verify(t, "", "--issuer", url, "--audience", "axioms-echo-example", out["access_token"].(string))
		assert.Equal(t, tc.verifyCode, code, tc.body)
		if tc.verifyCode == exitFailed {
			assert.Equal(t, "expired", res.Reason, tc.body)
		}
	}
	code, _, stderr := runCLI(t, "", "issuer", "-h")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stderr, `an exp in the past`)
	assert.Contains(t, stderr, `"expires_in": 0`)
}

// TestEmptyKeyFileIsRefused: an empty --key-file (an unset shell variable, pasted) is a
// usage error naming the flag, never a throwaway key whose tokens no issuer accepts.
func TestEmptyKeyFileIsRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{{"issuer", "--addr", "127.0.0.1:0"}, {"token", "--sub", "alice"}} {
		for _, value := range []string{"", " "} {
			code, stdout, stderr := runCLI(t, "", append(args, "--key-file", value)...)
			assert.Equal(t, exitUsage, code, "%s %q", args[0], value)
			assert.Empty(t, stdout, args[0])
			assert.Contains(t, stderr, "axioms "+args[0]+": --key-file is empty", args[0])
		}
	}
	assert.NoFileExists(t, defaultKeyFile, "no key is made")
}

// TestTokenIssuerAndAudienceFromEnvironment: without --iss and --aud, token reads
// AXIOMS_ISS_URL and AXIOMS_AUDIENCE (the environment, then .env), so its token is
// accepted by a service configured with them; a flag given wins.
func TestTokenIssuerAndAudienceFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	keyFile := filepath.Join(dir, "dev.key.json")
	claims := func(args ...string) map[string]any {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", append([]string{"token", "--key-file", keyFile}, args...)...)
		require.Equal(t, exitOK, code, stderr)
		b, err := decodeSegment(strings.Split(strings.TrimSpace(stdout), ".")[1])
		require.NoError(t, err)
		var c map[string]any
		require.NoError(t, json.Unmarshal(b, &c))
		return c
	}

	c := claims()
	assert.Equal(t, "http://127.0.0.1:9000", c["iss"], "the development issuer's defaults")
	assert.Equal(t, "axioms-echo-example", c["aud"])

	t.Setenv("AXIOMS_ISS_URL", "https://issuer.example")
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("AXIOMS_AUDIENCE=orders-api\n"), 0o600))
	c = claims()
	assert.Equal(t, "https://issuer.example", c["iss"])
	assert.Equal(t, "orders-api", c["aud"], "read from .env")

	c = claims("--iss", "https://flag.example", "--aud", "flag-api")
	assert.Equal(t, "https://flag.example", c["iss"], "the flag wins")
	assert.Equal(t, "flag-api", c["aud"])

	t.Setenv("AXIOMS_AUDIENCE", "a, b")
	assert.Equal(t, []any{"a", "b"}, claims()["aud"], "the environment wins over .env; a list makes an array")

	t.Setenv("AXIOMS_AUDIENCE", " ")
	code, stdout, stderr := runCLI(t, "", "token", "--key-file", keyFile)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "AXIOMS_AUDIENCE is set but empty")
	assert.Equal(t, "flag-api", claims("--aud", "flag-api")["aud"], "not read under its flag")

	code, _, stderr = runCLI(t, "", "token", "-h")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stderr, "default $AXIOMS_ISS_URL")
	assert.Contains(t, stderr, "default $AXIOMS_AUDIENCE")
}

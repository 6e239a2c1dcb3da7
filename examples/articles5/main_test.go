package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

// TestSpecCopyIsIdentical keeps the embedded document equal to the repository's
// spec.example.yaml.
func TestSpecCopyIsIdentical(t *testing.T) {
	root, err := os.ReadFile("../../spec.example.yaml")
	require.NoError(t, err)
	assert.Equal(t, string(root), string(specYAML), "copy spec.example.yaml into examples/articles5/")
}

// syncBuffer is the service's output, written by its goroutine.
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

// TestService starts the service as `go run` does, with no issuer configured, and
// checks a few answers with tokens of its development issuer.
func TestService(t *testing.T) {
	t.Setenv("ADDR", "127.0.0.1:0")
	for _, v := range []string{"AXIOMS_ISS_URL", "AXIOMS_JWKS_URL", "AXIOMS_DOMAIN", "AXIOMS_AUDIENCE", "AXIOMS_SPEC"} {
		if old, ok := os.LookupEnv(v); ok {
			require.NoError(t, os.Unsetenv(v))
			t.Cleanup(func() { os.Setenv(v, old) })
		}
	}
	t.Chdir(t.TempDir()) // no .env file
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	type started struct {
		url string
		dev *axiomstest.Issuer
	}
	ready, done := make(chan started, 1), make(chan error, 1)
	go func() { done <- run(ctx, out, func(url string, dev *axiomstest.Issuer) { ready <- started{url, dev} }) }()
	var s started
	select {
	case s = <-ready:
	case err := <-done:
		t.Fatalf("the service did not start: %v\n%s", err, out.String())
	}
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	require.NotNil(t, s.dev, "no issuer configured: the development issuer runs")
	assert.Contains(t, out.String(), "export READER=", "the guide prints tokens")
	assert.Contains(t, out.String(), "curl -i "+s.url+"/protected")

	token := func(claims map[string]any) string { return s.dev.Token(t, axiomstest.TokenSpec{Claims: claims}) }
	reader := token(map[string]any{"sub": "reader-1", "scope": "read:data openid"})
	editor := token(map[string]any{"sub": "editor-1", "scope": "openid"})
	call := func(method, path, tok, body string) (int, string, http.Header) {
		t.Helper()
		req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
		require.NoError(t, err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(b), res.Header
	}

	status, body, _ := call("GET", "/public-data", "", "")
	assert.Equal(t, http.StatusOK, status, "public: anonymous")
	assert.Contains(t, body, "public data, for everyone")

	status, _, h := call("GET", "/protected", "", "")
	assert.Equal(t, http.StatusUnauthorized, status, "no token")
	assert.Equal(t, `Bearer realm="api"`, h.Get("WWW-Authenticate"))

	status, body, _ = call("GET", "/protected", reader, "")
	assert.Equal(t, http.StatusOK, status, "a valid token")
	assert.Contains(t, body, `"subject":"reader-1"`)

	status, body, h = call("GET", "/api/write", reader, "")
	assert.Equal(t, http.StatusForbidden, status, "a missing scope")
	assert.Contains(t, h.Get("WWW-Authenticate"), `error="insufficient_scope", error_description="the access token lacks a required scope", scope="write:data openid"`)
	assert.JSONEq(t, `{"error":"insufficient_scope","error_description":"the access token lacks a required scope"}`, body)

	status, body, _ = call("POST", "/articles", editor, `{"title":"Hello","content":"First post"}`)
	require.Equal(t, http.StatusCreated, status, body)
	var art struct{ ID int64 }
	require.NoError(t, json.Unmarshal([]byte(body), &art))
	path := "/articles/" + strconv.FormatInt(art.ID, 10)
	status, _, _ = call("GET", path, editor, "")
	assert.Equal(t, http.StatusOK, status, "the owner")
	status, _, h = call("GET", path, reader, "")
	assert.Equal(t, http.StatusForbidden, status, "not the owner")
	assert.Contains(t, h.Get("WWW-Authenticate"), `error="insufficient_permission"`)
	status, _, _ = call("GET", "/articles/999", editor, "")
	assert.Equal(t, http.StatusNotFound, status, "the owner loader's own answer")

	// DELETE /me needs a multi-factor login at most 600 seconds old (step-up, RFC 9470).
	const challenge = `Bearer realm="api", error="insufficient_user_authentication", error_description="%s", acr_values="urn:example:mfa", max_age="600"`
	status, _, h = call("DELETE", "/me", "", "")
	assert.Equal(t, http.StatusUnauthorized, status, "anonymous")
	assert.Equal(t, `Bearer realm="api"`, h.Get("WWW-Authenticate"))
	status, body, h = call("DELETE", "/me", editor, "")
	assert.Equal(t, http.StatusUnauthorized, status, "a token without acr")
	assert.Equal(t, fmt.Sprintf(challenge, "a stronger authentication is required"), h.Get("WWW-Authenticate"))
	assert.JSONEq(t, `{"error":"insufficient_user_authentication","error_description":"a stronger authentication is required"}`, body)
	status, _, h = call("DELETE", "/me", token(map[string]any{"sub": "editor-1", "acr": "urn:example:mfa", "auth_time": time.Now().Add(-time.Hour)}), "")
	assert.Equal(t, http.StatusUnauthorized, status, "a multi-factor login an hour ago")
	assert.Equal(t, fmt.Sprintf(challenge, "the authentication is too old"), h.Get("WWW-Authenticate"))
	status, _, _ = call("GET", path, editor, "")
	require.Equal(t, http.StatusOK, status, "a denied DELETE deletes nothing")
	mfa := token(map[string]any{"sub": "editor-1", "acr": "urn:example:mfa", "auth_time": time.Now()})
	status, body, _ = call("DELETE", "/me", mfa, "")
	assert.Equal(t, http.StatusNoContent, status, "a fresh multi-factor login: %s", body)
	status, _, _ = call("GET", path, editor, "")
	assert.Equal(t, http.StatusNotFound, status, "the editor's article is gone")
	status, _, _ = call("DELETE", "/me", mfa, "")
	assert.Equal(t, http.StatusNotFound, status, "nothing left")
	assert.Contains(t, out.String(), mfaLogin(s.dev.URL()), "the guide prints the login command")
}

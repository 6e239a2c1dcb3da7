package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
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
	assert.Equal(t, string(root), string(specYAML), "copy spec.example.yaml into examples/articleshttp/")
}

// TestService starts the service as main does, with its development issuer, and checks
// what the guide says to try.
func TestService(t *testing.T) {
	t.Setenv("ADDR", "127.0.0.1:0")
	for _, name := range []string{"AXIOMS_ISS_URL", "AXIOMS_JWKS_URL", "AXIOMS_DOMAIN", "AXIOMS_AUDIENCE", "AXIOMS_SPEC"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	ctx, cancel := context.WithCancel(t.Context())
	type started struct {
		url string
		dev *axiomstest.Issuer
	}
	up := make(chan started, 1)
	done := make(chan error, 1)
	var out strings.Builder
	go func() {
		done <- run(ctx, &out, func(url string, dev *axiomstest.Issuer) { up <- started{url, dev} })
	}()
	var s started
	select {
	case s = <-up:
	case err := <-done:
		t.Fatalf("the service did not start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
	require.NotNil(t, s.dev, "no issuer configured: the development issuer runs")
	token := func(claims map[string]any) string {
		tok, err := s.dev.TokenErr(axiomstest.TokenSpec{Claims: claims})
		require.NoError(t, err)
		return "Bearer " + tok
	}
	reader := token(map[string]any{"sub": "reader-1", "scope": "read:data openid"})
	editor := token(map[string]any{"sub": "editor-1", "scope": "openid articles:publish", "roles": []string{"editor"},
		"permissions": []string{"articles:publish"}})
	// DELETE /me: x-axioms-acr urn:example:mfa and x-axioms-max-age 600 (step-up).
	mfa := token(map[string]any{"sub": "editor-1", "acr": "urn:example:mfa", "auth_time": time.Now()})
	mfaOld := token(map[string]any{"sub": "editor-1", "acr": "urn:example:mfa", "auth_time": time.Now().Add(-time.Hour)})
	const stepUp = `Bearer realm="api", error="insufficient_user_authentication", error_description="%s", acr_values="urn:example:mfa", max_age="600"`

	for _, c := range []struct {
		method, path, auth, body string
		status                   int
		contains                 string
		challenge                string // the exact WWW-Authenticate, when not ""
	}{
		{"GET", "/public-data", "", "", 200, "public data, for everyone", ""},
		{"GET", "/protected", "", "", 401, `"error":"unauthorized"`, ""},
		{"GET", "/protected", reader, "", 200, `"subject":"reader-1"`, ""},
		{"GET", "/api/write", reader, "", 403, `"error":"insufficient_scope"`, ""},
		{"POST", "/articles", editor, `{"title":"Hello","content":"First post"}`, 201, `"user":"editor-1"`, ""},
		{"GET", "/articles/1", editor, "", 200, `"title":"Hello"`, ""},
		{"GET", "/articles/1", reader, "", 403, `"error":"insufficient_permission"`, ""},
		{"GET", "/articles/2", editor, "", 404, "", ""},
		{"POST", "/articles/1/publish", editor, "", 200, `"published":true`, ""},
		{"POST", "/articles/1/publish", editor, "", 409, "already published", ""},
		{"PUT", "/protected", reader, "", 405, "", ""},
		{"DELETE", "/me", "", "", 401, `"error":"unauthorized"`, `Bearer realm="api"`},
		{"DELETE", "/me", editor, "", 401, `"error":"insufficient_user_authentication"`, fmt.Sprintf(stepUp, "a stronger authentication is required")},
		{"DELETE", "/me", mfaOld, "", 401, `"error":"insufficient_user_authentication"`, fmt.Sprintf(stepUp, "the authentication is too old")},
		{"GET", "/articles/1", editor, "", 200, `"title":"Hello"`, ""}, // a denied DELETE deletes nothing
		{"DELETE", "/me", mfa, "", 204, "", ""},
		{"GET", "/articles/1", editor, "", 404, "", ""},
		{"DELETE", "/me", mfa, "", 404, "nothing is stored for you", ""},
	} {
		req, err := http.NewRequestWithContext(t.Context(), c.method, s.url+c.path, strings.NewReader(c.body))
		require.NoError(t, err)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, c.status, res.StatusCode, "%s %s: %s", c.method, c.path, b)
		assert.Contains(t, string(b), c.contains, "%s %s", c.method, c.path)
		if c.challenge != "" {
			assert.Equal(t, c.challenge, res.Header.Get("WWW-Authenticate"), "%s %s", c.method, c.path)
		}
	}
	assert.Contains(t, out.String(), mfaLogin(s.dev.URL()), "the guide prints the login command")
	assert.Contains(t, out.String(), "export READER=")
	assert.Contains(t, out.String(), s.url+"/protected")
}

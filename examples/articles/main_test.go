package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// TestSpecCopyIsIdentical keeps the embedded document equal to the repository's
// spec.example.yaml, the contract other tools rely on.
func TestSpecCopyIsIdentical(t *testing.T) {
	root, err := os.ReadFile("../../spec.example.yaml")
	require.NoError(t, err)
	assert.Equal(t, string(root), string(specYAML), "copy spec.example.yaml into examples/articles/")
}

// server is the real example service, started in-process on a free port with a
// temporary database and its embedded development issuer.
type server struct {
	t      *testing.T
	url    string
	tokens map[string]string
	out    *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

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

func startServer(t *testing.T, dbPath string) *server {
	t.Helper()
	t.Setenv("ADDR", "127.0.0.1:0")
	t.Setenv("DATABASE_PATH", dbPath)
	for _, v := range []string{"AXIOMS_ISS_URL", "AXIOMS_JWKS_URL", "AXIOMS_DOMAIN", "AXIOMS_AUDIENCE", "AXIOMS_SPEC"} {
		t.Setenv(v, "")
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{t: t, out: &syncBuffer{}, cancel: cancel, done: make(chan error, 1), tokens: map[string]string{}}
	ready := make(chan started, 1)
	go func() {
		s.done <- run(ctx, options{stdout: s.out, stderr: s.out, ready: func(st started) { ready <- st }})
	}()
	select {
	case st := <-ready:
		s.url = st.URL
		require.NotNil(t, st.Dev, "no issuer configured: the development issuer runs")
		mint := func(name string, claims map[string]any) {
			tok, _, err := st.Dev.Mint(claims, 0)
			require.NoError(t, err)
			s.tokens[name] = tok
		}
		for _, p := range personas {
			mint(p.env, p.claims)
		}
		mint("NOSCOPE", map[string]any{"sub": "plain-1"})
		mint("EXPIRED", map[string]any{"sub": "reader-1", "exp": time.Now().Add(-time.Hour).Unix()})
		mint("PUBLISHER", map[string]any{"sub": "editor-1", "email": "editor@example.com", "scope": "articles:publish",
			"roles": []string{"admin"}, "permissions": []string{"articles:publish"}})
		mint("SUPER", map[string]any{"sub": "root", "roles": []string{"admin", "superuser"}})
	case err := <-s.done:
		t.Fatalf("the service did not start: %v\n%s", err, s.out.String())
	}
	return s
}

func (s *server) stop() {
	s.cancel()
	require.NoError(s.t, <-s.done)
}

// call sends a request as persona ("" for anonymous) and returns status and body.
func (s *server) call(method, path, persona, body string) (int, map[string]any, http.Header) {
	s.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+path, r)
	require.NoError(s.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if persona != "" {
		tok, ok := s.tokens[persona]
		require.True(s.t, ok, persona)
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	out := map[string]any{}
	if len(bytes.TrimSpace(raw)) > 0 && raw[0] == '{' {
		require.NoError(s.t, json.Unmarshal(raw, &out), string(raw))
	}
	return resp.StatusCode, out, resp.Header
}

// TestEveryOperation drives every operation of spec.example.yaml over HTTP with allow
// and deny cases.
func TestEveryOperation(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "articles.db"))
	defer s.stop()
	assert.Contains(t, s.out.String(), "export READER=", "the guide prints tokens for personas")
	assert.Contains(t, s.out.String(), "curl -i "+s.url+"/protected")

	type row struct {
		method, path, persona, body string
		status                      int
	}
	check := func(rows ...row) {
		t.Helper()
		for _, r := range rows {
			code, out, hdr := s.call(r.method, r.path, r.persona, r.body)
			assert.Equal(t, r.status, code, "%s %s as %q: %v", r.method, r.path, r.persona, out)
			if code == http.StatusUnauthorized {
				assert.True(t, strings.HasPrefix(hdr.Get("WWW-Authenticate"), `Bearer realm="api"`))
			}
		}
	}

	// public, any token, optional
	check(
		row{"GET", "/", "", "", 200}, row{"GET", "/health", "", "", 200}, row{"GET", "/openapi.yaml", "", "", 200},
		row{"GET", "/health", "READER", "", 200},
		row{"GET", "/protected", "", "", 401}, row{"GET", "/protected", "EXPIRED", "", 401}, row{"GET", "/protected", "NOSCOPE", "", 200},
		row{"GET", "/me", "", "", 401}, row{"GET", "/me", "READER", "", 200},
		row{"GET", "/public-data", "", "", 200}, row{"GET", "/public-data", "READER", "", 200}, row{"GET", "/public-data", "EXPIRED", "", 401},
	)
	_, out, _ := s.call("GET", "/public-data", "READER", "")
	assert.Equal(t, "reader-1", out["subject"])
	_, out, _ = s.call("GET", "/me", "WRITER", "")
	assert.Equal(t, []any{"resource:create"}, out["permissions"])

	// scopes, roles, permissions
	check(
		row{"GET", "/api/read", "READER", "", 200}, row{"GET", "/api/read", "ADMIN", "", 200}, row{"GET", "/api/read", "WRITER", "", 403}, row{"GET", "/api/read", "", "", 401},
		row{"GET", "/api/write", "WRITER", "", 200}, row{"GET", "/api/write", "READER", "", 403}, row{"GET", "/api/write", "NOSCOPE", "", 403},
		row{"GET", "/admin/users", "ADMIN", "", 200}, row{"GET", "/admin/users", "EDITOR", "", 403}, row{"GET", "/admin/users", "", "", 401},
		row{"DELETE", "/admin/users/u-9", "SUPER", "", 204}, row{"DELETE", "/admin/users/u-9", "PUBLISHER", "", 403},
		row{"POST", "/api/resource", "WRITER", "", 201}, row{"POST", "/api/resource", "READER", "", 403},
		row{"GET", "/api/strict", "EDITOR", "", 200}, row{"GET", "/api/strict", "READER", "", 403}, row{"GET", "/api/strict", "ADMIN", "", 403},
	)
	_, _, hdr := s.call("GET", "/api/write", "READER", "")
	assert.Contains(t, hdr.Get("WWW-Authenticate"), `error="insufficient_scope", error_description="the access token lacks a required scope", scope="write:data openid"`)

	// articles: create, list, owner-only access
	code, created, _ := s.call("POST", "/articles", "EDITOR", `{"title":"Hello","content":"First"}`)
	require.Equal(t, 201, code)
	assert.Equal(t, "editor-1", created["user"])
	id := fmt.Sprint(created["id"])
	code, other, _ := s.call("POST", "/articles", "READER", `{"title":"Mine","content":""}`)
	require.Equal(t, 201, code)
	otherID := fmt.Sprint(other["id"])
	check(
		row{"POST", "/articles", "", `{"title":"x","content":"y"}`, 401},
		row{"POST", "/articles", "READER", `{"title":"","content":"y"}`, 400},
		row{"POST", "/articles", "READER", `{"title":"x"}`, 400},
		row{"POST", "/articles", "READER", `{"title":"x","content":"y","user":"admin-1"}`, 400},
		row{"POST", "/articles", "READER", `not json`, 400},
		row{"GET", "/articles", "EDITOR", "", 200}, row{"GET", "/articles", "", "", 401},
		row{"GET", "/articles/" + id, "EDITOR", "", 200},
		row{"GET", "/articles/" + id, "OTHER", "", 403},
		row{"GET", "/articles/" + id, "", "", 401},
		row{"GET", "/articles/999999", "", "", 401}, // anonymous: 401, never 404
		row{"GET", "/articles/999999", "EDITOR", "", 404},
		row{"GET", "/articles/not-a-number", "EDITOR", "", 404},
		row{"PATCH", "/articles/" + id, "EDITOR", `{"content":"Updated"}`, 200},
		row{"PATCH", "/articles/" + id, "EDITOR", `{}`, 400},
		row{"PATCH", "/articles/" + id, "OTHER", `{"title":"hijack"}`, 403},
		row{"PATCH", "/articles/" + id, "", `{"title":"hijack"}`, 401},
	)
	_, list, _ := s.call("GET", "/articles/"+id, "EDITOR", "")
	assert.Equal(t, "Hello", list["title"], "a partial PATCH keeps the title")
	assert.Equal(t, "Updated", list["content"])

	// publish: owner, scope, role, permission; 409 the second time
	check(
		row{"POST", "/articles/" + id + "/publish", "OTHER", "", 403},
		row{"POST", "/articles/" + id + "/publish", "READER", "", 403},
		row{"POST", "/articles/" + otherID + "/publish", "EDITOR", "", 403}, // not the owner
		row{"POST", "/articles/" + id + "/publish", "", "", 401},
		row{"POST", "/articles/" + id + "/publish", "EDITOR", "", 200},
		row{"POST", "/articles/" + id + "/publish", "PUBLISHER", "", 409}, // same owner, admin role
		row{"POST", "/articles/999999/publish", "EDITOR", "", 404},
	)

	// comments
	code, cm, _ := s.call("POST", "/articles/"+id+"/comments", "READER", `{"text":"nice"}`)
	require.Equal(t, 201, code)
	assert.Equal(t, "reader-1", cm["created_by"])
	cid := fmt.Sprint(cm["id"])
	check(
		row{"POST", "/articles/" + id + "/comments", "", `{"text":"x"}`, 401},
		row{"POST", "/articles/999999/comments", "READER", `{"text":"x"}`, 404},
		row{"POST", "/articles/" + id + "/comments", "READER", `{"text":""}`, 400},
		row{"PATCH", "/comments/" + cid, "READER", `{"text":"nicer"}`, 200},
		row{"PATCH", "/comments/" + cid, "EDITOR", `{"text":"rude"}`, 403},
		row{"PATCH", "/comments/" + cid, "", `{"text":"rude"}`, 401},
		row{"DELETE", "/comments/" + cid, "EDITOR", "", 403},
		row{"DELETE", "/comments/" + cid, "READER", "", 204},
		row{"DELETE", "/comments/" + cid, "READER", "", 404},
	)

	// projects: owned by the token's email
	code, proj, _ := s.call("POST", "/projects", "READER", `{"name":"Apollo"}`)
	require.Equal(t, 201, code)
	assert.Equal(t, "reader@example.com", proj["owner_email"])
	pid := fmt.Sprint(proj["id"])
	code, out, _ = s.call("POST", "/projects", "OTHER", `{"name":"No email"}`)
	assert.Equal(t, 400, code, "a token without email cannot own a project")
	assert.Contains(t, out["message"], "email")
	check(
		row{"GET", "/projects/" + pid, "READER", "", 200},
		row{"GET", "/projects/" + pid, "WRITER", "", 403},
		row{"GET", "/projects/" + pid, "OTHER", "", 403},
		row{"GET", "/projects/" + pid, "", "", 401},
		row{"GET", "/projects/999999", "READER", "", 404},
	)

	// profile: path parameter must equal sub
	check(
		row{"GET", "/users/reader-1/profile", "READER", "", 200},
		row{"GET", "/users/writer-1/profile", "READER", "", 403},
		row{"GET", "/users/reader-1/profile", "", "", 401},
	)

	// delete: owner only, then gone
	check(
		row{"DELETE", "/articles/" + id, "OTHER", "", 403},
		row{"DELETE", "/articles/" + id, "EDITOR", "", 204},
		row{"GET", "/articles/" + id, "EDITOR", "", 404},
		row{"GET", "/nothing-here", "READER", "", 404},
	)
}

// TestCommittedDataSurvivesRestart stops the service gracefully and starts it again on
// the same database.
func TestCommittedDataSurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "articles.db")
	s := startServer(t, db)
	code, created, _ := s.call("POST", "/articles", "EDITOR", `{"title":"Durable","content":"x"}`)
	require.Equal(t, 201, code)
	s.stop()
	assert.Contains(t, s.out.String(), "shutting down")

	s = startServer(t, db)
	defer s.stop()
	code, got, _ := s.call("GET", fmt.Sprintf("/articles/%v", created["id"]), "EDITOR", "")
	require.Equal(t, 200, code)
	assert.Equal(t, "Durable", got["title"])
}

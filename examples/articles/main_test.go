package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
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
	dev    *axiomstest.Issuer
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
		unsetenv(t, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{t: t, out: &syncBuffer{}, cancel: cancel, done: make(chan error, 1), tokens: map[string]string{}}
	ready := make(chan started, 1)
	go func() {
		s.done <- run(ctx, options{stdout: s.out, stderr: s.out, ready: func(st started) { ready <- st }})
	}()
	select {
	case st := <-ready:
		s.url, s.dev = st.URL, st.Dev
		require.NotNil(t, st.Dev, "no issuer configured: the development issuer runs")
		mint := func(name string, claims map[string]any) {
			s.tokens[name] = st.Dev.Token(t, axiomstest.TokenSpec{Claims: claims})
		}
		for _, p := range personas {
			mint(p.env, p.tokenClaims(time.Now()))
		}
		mint("NOSCOPE", map[string]any{"sub": "plain-1"})
		mint("EXPIRED", map[string]any{"sub": "reader-1", "exp": time.Now().Add(-time.Hour).Unix()})
		mint("PUBLISHER", map[string]any{"sub": "editor-1", "email": "editor@example.com", "scope": "articles:publish",
			"roles": []string{"admin"}, "permissions": []string{"articles:publish"}})
		mint("SUPER", map[string]any{"sub": "root", "roles": []string{"admin", "superuser"}})
		// Publish needs four things; each of these lacks exactly one of them.
		mint("PUB_NO_PERMISSION", map[string]any{"sub": "editor-1", "scope": "articles:publish", "roles": []string{"editor"}})
		mint("PUB_NO_ROLE", map[string]any{"sub": "editor-1", "scope": "articles:publish", "permissions": []string{"articles:publish"}})
		mint("PUB_NO_SCOPE", map[string]any{"sub": "editor-1", "scope": "openid", "roles": []string{"editor"},
			"permissions": []string{"articles:publish"}})
		mint("PUB_NOT_OWNER", map[string]any{"sub": "editor-2", "scope": "articles:publish", "roles": []string{"editor"},
			"permissions": []string{"articles:publish"}})
		// /api/strict through its second alternative (scope profile, not openid).
		mint("PROFILE_EDITOR", map[string]any{"sub": "editor-3", "scope": "profile", "roles": []string{"editor"},
			"permissions": []string{"resource:write"}})
		mint("PROFILE_ONLY", map[string]any{"sub": "reader-3", "scope": "profile", "permissions": []string{"resource:write"}})
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

// list calls GET path as persona and returns the ids of the JSON array it answers.
func (s *server) list(path, persona string) []int64 {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	require.NoError(s.t, err)
	req.Header.Set("Authorization", "Bearer "+s.tokens[persona])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	require.Equal(s.t, http.StatusOK, resp.StatusCode)
	var items []struct {
		ID   int64  `json:"id"`
		User string `json:"user"`
	}
	require.NoError(s.t, json.NewDecoder(resp.Body).Decode(&items))
	ids := []int64{}
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

// idOf reads the numeric id member of a created object.
func idOf(t *testing.T, obj map[string]any) int64 {
	t.Helper()
	n, ok := obj["id"].(float64)
	require.True(t, ok, "id in %v", obj)
	return int64(n)
}

// TestGuideSessionMatchesREADME keeps the curl session the service prints equal to the
// README's (which scripts/smoke.sh runs).
func TestGuideSessionMatchesREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(readme), "<!-- smoke:session -->\n```sh\n")
	require.True(t, ok, "the README has a smoke:session block")
	block, _, ok := strings.Cut(after, "```")
	require.True(t, ok)
	assert.Equal(t, session("http://127.0.0.1:8000"), block)
	assert.NotContains(t, block, "/articles/1", "the session never assumes an article id")
}

// TestEveryOperation drives every operation of spec.example.yaml over HTTP with allow
// and deny cases.
func TestEveryOperation(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "articles.db"))
	defer s.stop()
	assert.Contains(t, s.out.String(), "export READER=", "the guide prints tokens for personas")
	assert.Contains(t, s.out.String(), session(s.url), "the guide prints the session for the address it listens on")

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
	// denied checks a 403 and the RFC 6750 error code of its WWW-Authenticate header.
	denied := func(method, path, persona, body, reason string) {
		t.Helper()
		code, out, hdr := s.call(method, path, persona, body)
		assert.Equal(t, http.StatusForbidden, code, "%s %s as %q: %v", method, path, persona, out)
		assert.Contains(t, hdr.Get("WWW-Authenticate"), `error="`+reason+`"`, "%s %s as %q", method, path, persona)
		assert.Equal(t, reason, out["error"], "%s %s as %q", method, path, persona)
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
		row{"DELETE", "/admin/users/u-9", "SUPER", "", 404}, // nothing stored for u-9
		row{"DELETE", "/admin/users/u-9", "PUBLISHER", "", 403}, row{"DELETE", "/admin/users/u-9", "EDITOR", "", 403},
		row{"POST", "/api/resource", "READER", `{"name":"x"}`, 403},
		row{"POST", "/api/resource", "WRITER", `{}`, 400}, row{"POST", "/api/resource", "WRITER", `{"name":" "}`, 400},
		row{"GET", "/api/strict", "EDITOR", "", 200}, row{"GET", "/api/strict", "PROFILE_EDITOR", "", 200},
		row{"GET", "/api/strict", "READER", "", 403}, row{"GET", "/api/strict", "ADMIN", "", 403},
		row{"GET", "/api/strict", "PROFILE_ONLY", "", 403},
	)
	_, out, _ = s.call("GET", "/api/strict", "PROFILE_EDITOR", "")
	assert.Equal(t, []any{"profile"}, out["scopes"], "the profile alternative alone suffices")
	denied("GET", "/api/strict", "PROFILE_ONLY", "", "insufficient_permission")
	denied("GET", "/api/strict", "WRITER", "", "insufficient_permission")
	denied("GET", "/api/read", "WRITER", "", "insufficient_scope")
	denied("DELETE", "/admin/users/u-9", "PUBLISHER", "", "insufficient_permission") // admin without superuser

	// anonymous: 401 on every protected operation, before any lookup
	check(
		row{"GET", "/api/write", "", "", 401}, row{"GET", "/api/strict", "", "", 401},
		row{"POST", "/api/resource", "", `{"name":"x"}`, 401},
		row{"DELETE", "/admin/users/u-9", "", "", 401},
		row{"POST", "/projects", "", `{"name":"x"}`, 401},
		row{"GET", "/users/u-9/profile", "", "", 401},
	)

	// resources: stored, owned by the creator
	code, res, _ := s.call("POST", "/api/resource", "WRITER", `{"name":"printer"}`)
	require.Equal(t, 201, code, res)
	assert.Equal(t, "writer-1", res["created_by"])
	assert.Equal(t, "printer", res["name"])
	assert.Positive(t, idOf(t, res))
	assert.NotEmpty(t, res["created_at"])
	code, res2, _ := s.call("POST", "/api/resource", "WRITER", `{"name":"scanner"}`)
	require.Equal(t, 201, code, res2)
	assert.Greater(t, idOf(t, res2), idOf(t, res), "each resource gets its own id")
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
	assert.Equal(t, []int64{idOf(t, created)}, s.list("/articles", "EDITOR"), "the editor's articles only")
	assert.Equal(t, []int64{idOf(t, other)}, s.list("/articles", "READER"), "the reader's articles only")
	assert.Empty(t, s.list("/articles", "OTHER"), "nobody else's")
	code, second, _ := s.call("POST", "/articles", "READER", `{"title":"Second","content":""}`)
	require.Equal(t, 201, code)
	assert.Equal(t, []int64{idOf(t, second), idOf(t, other)}, s.list("/articles", "READER"), "newest first")
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
		row{"DELETE", "/articles/" + id, "", "", 401},
		row{"DELETE", "/articles/999999", "", "", 401},
		row{"POST", "/articles/999999/publish", "", "", 401},
	)
	denied("GET", "/articles/"+id, "OTHER", "", "insufficient_permission")
	_, list, _ := s.call("GET", "/articles/"+id, "EDITOR", "")
	assert.Equal(t, "Hello", list["title"], "a partial PATCH keeps the title")
	assert.Equal(t, "Updated", list["content"])

	// publish: owner, scope, role, permission — each missing alone is a 403; 409 the
	// second time
	publish := "/articles/" + id + "/publish"
	denied("POST", publish, "PUB_NO_PERMISSION", "", "insufficient_permission")
	denied("POST", publish, "PUB_NO_ROLE", "", "insufficient_permission")
	denied("POST", publish, "PUB_NO_SCOPE", "", "insufficient_scope")
	denied("POST", publish, "PUB_NOT_OWNER", "", "insufficient_permission")
	denied("POST", "/articles/"+otherID+"/publish", "EDITOR", "", "insufficient_permission") // not the owner
	check(
		row{"POST", publish, "OTHER", "", 403},
		row{"POST", publish, "READER", "", 403},
		row{"POST", publish, "", "", 401},
	)
	code, pub, _ := s.call("POST", publish, "EDITOR", "")
	require.Equal(t, 200, code, pub)
	assert.Equal(t, true, pub["published"])
	assert.Equal(t, "Hello", pub["title"])
	assert.NotNil(t, pub["updated_at"])
	check(
		row{"POST", publish, "PUBLISHER", "", 409}, // same owner, admin role
		row{"POST", publish, "EDITOR", "", 409},
		row{"POST", "/articles/999999/publish", "EDITOR", "", 404},
	)
	_, got, _ := s.call("GET", "/articles/"+id, "EDITOR", "")
	assert.Equal(t, true, got["published"], "publishing is stored")

	// comments
	code, cm, _ := s.call("POST", "/articles/"+id+"/comments", "READER", `{"text":"nice"}`)
	require.Equal(t, 201, code)
	assert.Equal(t, "reader-1", cm["created_by"])
	cid := fmt.Sprint(cm["id"])
	check(
		row{"POST", "/articles/" + id + "/comments", "", `{"text":"x"}`, 401},
		row{"POST", "/articles/999999/comments", "READER", `{"text":"x"}`, 404},
		row{"POST", "/articles/" + id + "/comments", "READER", `{"text":""}`, 400},
		row{"PATCH", "/comments/" + cid, "EDITOR", `{"text":"rude"}`, 403},
		row{"PATCH", "/comments/" + cid, "", `{"text":"rude"}`, 401},
		row{"PATCH", "/comments/999999", "", `{"text":"rude"}`, 401}, // anonymous: 401, never 404
		row{"DELETE", "/comments/999999", "", "", 401},
		row{"PATCH", "/comments/999999", "READER", `{"text":"x"}`, 404},
	)
	code, upd, _ := s.call("PATCH", "/comments/"+cid, "READER", `{"text":"nicer"}`)
	require.Equal(t, 200, code, upd)
	assert.Equal(t, "nicer", upd["text"])
	assert.Equal(t, cm["id"], upd["id"])
	assert.Equal(t, "reader-1", upd["created_by"])
	denied("DELETE", "/comments/"+cid, "EDITOR", "", "insufficient_permission")
	check(
		row{"DELETE", "/comments/" + cid, "", "", 401},
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
		row{"GET", "/projects/999999", "", "", 401}, // anonymous: 401, never 404
	)
	assert.Equal(t, "reader-1", proj["created_by"])

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
		row{"DELETE", "/articles/" + id, "EDITOR", "", 404},
		row{"GET", "/nothing-here", "READER", "", 404},
	)

	// deleting a user removes what that subject owns or created, nobody else's
	code, cm2, _ := s.call("POST", "/articles/"+otherID+"/comments", "WRITER", `{"text":"from the writer"}`)
	require.Equal(t, 201, code)
	code, wart, _ := s.call("POST", "/articles", "WRITER", `{"title":"Writer's","content":""}`)
	require.Equal(t, 201, code)
	code, readerComment, _ := s.call("POST", fmt.Sprintf("/articles/%d/comments", idOf(t, wart)), "READER", `{"text":"on the writer's"}`)
	require.Equal(t, 201, code)
	check(
		row{"DELETE", "/admin/users/writer-1", "SUPER", "", 204},
		row{"DELETE", "/admin/users/writer-1", "SUPER", "", 404}, // nothing left
		row{"PATCH", fmt.Sprintf("/comments/%d", idOf(t, cm2)), "WRITER", `{"text":"x"}`, 404},
		row{"PATCH", fmt.Sprintf("/comments/%d", idOf(t, readerComment)), "READER", `{"text":"x"}`, 404}, // on a deleted article
		row{"GET", "/articles/" + otherID, "READER", "", 200},
		row{"GET", "/projects/" + pid, "READER", "", 200},
	)
	assert.Empty(t, s.list("/articles", "WRITER"))
	assert.Equal(t, []int64{idOf(t, second), idOf(t, other)}, s.list("/articles", "READER"))
}

// TestDeleteMeNeedsStepUp: DELETE /me needs, beyond a valid token, an acr of
// urn:example:mfa and an auth_time at most 600 seconds old (x-axioms-acr,
// x-axioms-max-age); a token that falls short is answered 401
// insufficient_user_authentication naming both, and the guide's login command mints
// one that passes.
func TestDeleteMeNeedsStepUp(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "articles.db"))
	defer s.stop()
	const (
		weak = `Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="urn:example:mfa", max_age="600"`
		old  = `Bearer realm="api", error="insufficient_user_authentication", error_description="the authentication is too old", acr_values="urn:example:mfa", max_age="600"`
	)
	editor := map[string]any{"sub": "editor-1", "scope": "openid"}
	with := func(name string, extra map[string]any) {
		claims := maps.Clone(editor)
		maps.Copy(claims, extra)
		s.tokens[name] = s.dev.Token(t, axiomstest.TokenSpec{Claims: claims})
	}
	now := time.Now()
	with("MFA_OLD", map[string]any{"acr": "urn:example:mfa", "auth_time": now.Add(-time.Hour)})
	with("MFA_NO_TIME", map[string]any{"acr": "urn:example:mfa"})
	with("MFA_ARRAY", map[string]any{"acr": []string{"urn:example:mfa"}, "auth_time": now})
	with("PWD_FRESH", map[string]any{"acr": "urn:example:pwd", "auth_time": now})
	s.tokens["MFA_NO_SUB"] = s.dev.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"acr": "urn:example:mfa", "auth_time": now}})

	code, _, hdr := s.call("DELETE", "/me", "", "")
	assert.Equal(t, http.StatusUnauthorized, code, "anonymous")
	assert.Equal(t, `Bearer realm="api"`, hdr.Get("WWW-Authenticate"))
	for _, c := range []struct{ persona, challenge string }{
		{"EDITOR", weak},     // a valid token of the owner, without acr
		{"ADMIN", weak},      // roles do not replace a multi-factor login
		{"PWD_FRESH", weak},  // another acr
		{"MFA_ARRAY", weak},  // an acr that is not a string
		{"MFA_OLD", old},     // logged in an hour ago
		{"MFA_NO_TIME", old}, // no auth_time
	} {
		code, out, hdr := s.call("DELETE", "/me", c.persona, "")
		assert.Equal(t, http.StatusUnauthorized, code, c.persona)
		assert.Equal(t, c.challenge, hdr.Get("WWW-Authenticate"), c.persona)
		assert.Equal(t, "insufficient_user_authentication", out["error"], c.persona)
		assert.Equal(t, "no-store", hdr.Get("Cache-Control"), c.persona)
	}
	code, out, _ := s.call("DELETE", "/me", "MFA_NO_SUB", "")
	assert.Equal(t, http.StatusBadRequest, code, "a token without sub deletes nothing: %v", out)

	code, created, _ := s.call("POST", "/articles", "EDITOR", `{"title":"Mine","content":"x"}`)
	require.Equal(t, http.StatusCreated, code)
	code, others, _ := s.call("POST", "/articles", "READER", `{"title":"Theirs","content":"y"}`)
	require.Equal(t, http.StatusCreated, code)
	code, _, _ = s.call("DELETE", "/me", "EDITOR", "")
	require.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, []int64{idOf(t, created)}, s.list("/articles", "EDITOR"), "a denied DELETE deletes nothing")

	code, out, _ = s.call("DELETE", "/me", "EDITOR_MFA", "")
	assert.Equal(t, http.StatusNoContent, code, "the guide's persona after a multi-factor login: %v", out)
	assert.Empty(t, s.list("/articles", "EDITOR"), "the editor's articles are gone")
	assert.Equal(t, []int64{idOf(t, others)}, s.list("/articles", "READER"), "nobody else's")
	code, _, _ = s.call("DELETE", "/me", "EDITOR_MFA", "")
	assert.Equal(t, http.StatusNotFound, code, "nothing left")

	// The guide's login command: POST /token with acr and auth_time (its $(date +%s)).
	assert.Contains(t, s.out.String(), mfaLogin(s.dev.URL()), "the guide prints the login command")
	res, err := http.Post(s.dev.URL()+"/token", "application/json",
		strings.NewReader(fmt.Sprintf(`{"sub":"reader-1","acr":"urn:example:mfa","auth_time":%d}`, time.Now().Unix())))
	require.NoError(t, err)
	defer res.Body.Close()
	var minted struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&minted))
	s.tokens["READER_MFA"] = minted.AccessToken
	code, out, _ = s.call("DELETE", "/me", "READER_MFA", "")
	assert.Equal(t, http.StatusNoContent, code, "a token of the issuer's POST /token with acr and auth_time: %v", out)
	assert.Empty(t, s.list("/articles", "READER"))
}

// readmeBlock returns the fenced block that follows the marker line
// "<!-- readme:NAME -->" in the README.
func readmeBlock(t *testing.T, name string) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(readme), "<!-- readme:"+name+" -->\n```")
	require.True(t, ok, "the README has a readme:%s block", name)
	_, after, _ = strings.Cut(after, "\n") // the fence's language
	block, _, ok := strings.Cut(after, "```")
	require.True(t, ok)
	return block
}

// TestREADMEStepUpExample keeps the README's step-up worked example true: its excerpt
// of spec.example.yaml is in the document (lines in order), the service answers
// DELETE /me with a token without acr exactly as shown, and the login command, run
// against the development issuer, mints a token that DELETE /me accepts.
func TestREADMEStepUpExample(t *testing.T) {
	spec, err := os.ReadFile("../../spec.example.yaml")
	require.NoError(t, err)
	rest := string(spec)
	for _, line := range strings.Split(strings.TrimSuffix(readmeBlock(t, "stepup-spec"), "\n"), "\n") {
		i := strings.Index(rest, "\n"+line+"\n")
		require.GreaterOrEqual(t, i, 0, "the excerpt's line %q is not in spec.example.yaml (after the previous one)", line)
		rest = rest[i+len(line)+1:]
	}

	s := startServer(t, filepath.Join(t.TempDir(), "articles.db"))
	defer s.stop()
	do := func(method, path, token string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, s.url+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, strings.TrimSuffix(string(b), "\n")
	}
	res, body := do(http.MethodDelete, "/me", s.tokens["EDITOR"])
	got := fmt.Sprintf("%s %s\nCache-Control: %s\nWww-Authenticate: %s\n\n%s\n", res.Proto, res.Status,
		res.Header.Get("Cache-Control"), res.Header.Get("WWW-Authenticate"), body)
	assert.Equal(t, readmeBlock(t, "stepup-answer"), got)

	login := strings.Split(readmeBlock(t, "stepup-login"), "\n")
	require.GreaterOrEqual(t, len(login), 2)
	_, printed, _ := strings.Cut(mfaLogin("$ISSUER"), "\n")
	assert.Equal(t, printed, login[0], "the README shows the command the service prints")
	// The command's body, with $(date +%s) evaluated, posted to the development issuer;
	// the token taken from the answer as its sed does.
	_, payload, ok := strings.Cut(login[0], "-d '")
	require.True(t, ok, login[0])
	payload, _, ok = strings.Cut(payload, "' | sed")
	require.True(t, ok, login[0])
	payload = strings.ReplaceAll(payload, `'"$(date +%s)"'`, fmt.Sprint(time.Now().Unix()))
	minted, err := http.Post(s.dev.URL()+"/token", "application/json", strings.NewReader(payload))
	require.NoError(t, err)
	answer, err := io.ReadAll(minted.Body)
	minted.Body.Close()
	require.NoError(t, err)
	m := regexp.MustCompile(`.*"access_token":"([^"]+)".*`).FindStringSubmatch(string(answer))
	require.Len(t, m, 2, "the issuer's answer: %s", answer)

	require.Contains(t, login[1], `curl -i -X DELETE http://127.0.0.1:8000/me -H "Authorization: Bearer $EDITOR_MFA"`)
	require.Contains(t, login[1], "# 204, then 404")
	code, _, _ := s.call("POST", "/articles", "EDITOR", `{"title":"Mine","content":"x"}`)
	require.Equal(t, http.StatusCreated, code)
	res, body = do(http.MethodDelete, "/me", m[1])
	assert.Equal(t, http.StatusNoContent, res.StatusCode, body)
	res, _ = do(http.MethodDelete, "/me", m[1])
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
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

// TestBodiesAreValidated: create and update bodies hold exactly their documented fields,
// with the documented types and lengths; anything else is a 400 and stores nothing.
func TestBodiesAreValidated(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "articles.db"))
	defer s.stop()
	code, art, _ := s.call("POST", "/articles", "EDITOR", `{"title":"t","content":"c"}`)
	require.Equal(t, http.StatusCreated, code)
	artPath := fmt.Sprintf("/articles/%d", idOf(t, art))
	code, cm, _ := s.call("POST", artPath+"/comments", "READER", `{"text":"first"}`)
	require.Equal(t, http.StatusCreated, code)
	cmPath := fmt.Sprintf("/comments/%d", idOf(t, cm))

	long := strings.Repeat("é", 201)
	for _, c := range []struct{ method, path, persona string }{
		{"POST", "/projects", "READER"},
		{"POST", "/api/resource", "WRITER"},
	} {
		for _, body := range []string{`{}`, `null`, `{"name":null}`, `{"name":""}`, `{"name":"  "}`, `{"name":1}`,
			`{"name":"ok","extra":1}`, `{"NAME":"ok"}`, `{"name":"` + long + `"}`, `[]`, `{"name":"a"}{"name":"b"}`} {
			code, out, _ := s.call(c.method, c.path, c.persona, body)
			assert.Equal(t, http.StatusBadRequest, code, "%s %s %s: %v", c.method, c.path, body, out)
		}
		code, out, _ := s.call(c.method, c.path, c.persona, `{"name":"ünïcode ✓"}`)
		assert.Equal(t, http.StatusCreated, code, "%s %s: %v", c.method, c.path, out)
		assert.Equal(t, "ünïcode ✓", out["name"])
	}
	for _, c := range []struct{ method, path string }{{"POST", artPath + "/comments"}, {"PATCH", cmPath}} {
		for _, body := range []string{`{}`, `{"text":""}`, `{"text":false}`, `{"text":"x","title":"y"}`,
			`{"text":"` + strings.Repeat("x", 10001) + `"}`} {
			code, out, _ := s.call(c.method, c.path, "READER", body)
			assert.Equal(t, http.StatusBadRequest, code, "%s %s %s: %v", c.method, c.path, body, out)
		}
	}
	code, out, _ := s.call("PATCH", cmPath, "READER", `{"text":"edited"}`)
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, "edited", out["text"])
}

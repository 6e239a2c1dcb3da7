package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
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
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	tok := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "read write", "realm_access": map[string]any{"roles": []string{"admin"}}, "permissions": []string{"p"}}})

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

	expired := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}})
	code, out, _ = verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), expired)
	assert.Equal(t, exitFailed, code)
	assert.Equal(t, "expired", out.Reason)
	recent := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"exp": time.Now().Add(-4 * time.Minute).Unix()}})
	code, _, _ = verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), "--leeway", "5m", recent)
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
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("AXIOMS_ISS_URL="+iss.URL()+"\nAXIOMS_AUDIENCE="+iss.Audience()+"\nAXIOMS_SCOPE_CLAIMS=scp\n"), 0o600))
	tok := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scp": []string{"a"}, "scope": "ignored"}})

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
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	iss.Fail(axiomstest.Fault{Status: 503})
	code, out, _ := verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), iss.Token(t, axiomstest.TokenSpec{}))
	assert.Equal(t, exitUnavailable, code)
	assert.Equal(t, "keys_unavailable", out.Reason)
	assert.Equal(t, "temporarily_unavailable", out.Error)
}

func TestVerifyJWKSFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	require.NoError(t, os.WriteFile("keys.json", []byte(`{"keys":[`+string(iss.Key("ES256").PublicJWK())+`]}`), 0o600))
	code, _, stderr := verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), "--jwks-file", "keys.json", iss.Token(t, axiomstest.TokenSpec{}))
	require.Equal(t, exitOK, code, stderr)
	assert.Zero(t, iss.JWKSFetches(), "nothing is fetched")
}

func TestVerifyUsageAndConfigurationErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile("empty.json", []byte(" \n"), 0o600))
	for name, args := range map[string][]string{
		"no token":          {},
		"two tokens":        {"a", "b"},
		"no issuer":         {"--audience", "x", "tok"},
		"no audience":       {"--issuer", "https://i.example", "tok"},
		"bad leeway":        {"--issuer", "https://i.example", "--audience", "a", "--leeway", "soon", "tok"},
		"bad require-type":  {"--issuer", "https://i.example", "--audience", "a", "--require-type", "JWT", "tok"},
		"forbidden alg":     {"--issuer", "https://i.example", "--audience", "a", "--algorithms", "HS256", "tok"},
		"missing jwks file": {"--issuer", "https://i.example", "--audience", "a", "--jwks-file", "nope.json", "tok"},
		"empty jwks file":   {"--issuer", "https://i.example", "--audience", "a", "--jwks-file", "empty.json", "tok"},
		"unknown flag":      {"--nope", "tok"},
	} {
		code, _, _ := verify(t, "", args...)
		assert.Equal(t, exitUsage, code, name)
	}
}

func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// verifyJSON runs verify and decodes its standard output as a generic JSON object, so
// that the exact set of members can be checked.
func verifyJSON(t *testing.T, stdin string, args ...string) (int, map[string]any, string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, stdin, append([]string{"verify"}, args...)...)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), "stdout %q, stderr %q", stdout, stderr)
	return code, out, stderr
}

func memberNames(m map[string]any) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func TestVerifyOutputShape(t *testing.T) {
	t.Chdir(t.TempDir())
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	tok := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "read write", "roles": []string{"admin"}}})
	flags := []string{"--issuer", iss.URL(), "--audience", iss.Audience()}

	t.Run("valid, exit 0", func(t *testing.T) {
		for _, stdin := range []bool{false, true} {
			args, in := append(slices.Clone(flags), tok), ""
			if stdin {
				args, in = append(slices.Clone(flags), "-"), tok+"\n"
			}
			code, out, stderr := verifyJSON(t, in, args...)
			require.Equal(t, exitOK, code, stderr)
			assert.Equal(t, []string{"claims", "permissions", "roles", "scopes", "valid"}, memberNames(out))
			assert.Equal(t, true, out["valid"])
			assert.Equal(t, []any{"read", "write"}, out["scopes"])
			assert.Equal(t, []any{"admin"}, out["roles"])
			assert.Equal(t, []any{}, out["permissions"], "an empty list, never null")
			claims, ok := out["claims"].(map[string]any)
			require.True(t, ok, "claims is an object")
			assert.Equal(t, iss.URL(), claims["iss"])
			assert.Equal(t, "read write", claims["scope"])
		}
	})

	t.Run("invalid token, exit 1", func(t *testing.T) {
		v, err := validator.New(t.Context(), validator.Config{Issuer: iss.URL(), Audiences: []string{"https://other.example"}})
		require.NoError(t, err)
		_, libErr := v.Validate(t.Context(), tok)
		require.Error(t, libErr)

		code, out, _ := verifyJSON(t, "", "--issuer", iss.URL(), "--audience", "https://other.example", tok)
		assert.Equal(t, exitFailed, code)
		assert.Equal(t, []string{"description", "error", "reason", "unverified", "valid"}, memberNames(out))
		assert.Equal(t, false, out["valid"])
		assert.Equal(t, "invalid_token", out["error"])
		assert.Equal(t, "wrong_audience", out["reason"])
		assert.Equal(t, libErr.Error(), out["description"], "the library's own description")
	})

	t.Run("claim_mismatch, exit 1", func(t *testing.T) {
		t.Setenv("AXIOMS_REQUIRED_CLAIMS", "token_use=access")
		code, out, _ := verifyJSON(t, "", append(slices.Clone(flags), iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"token_use": "id"}}))...)
		assert.Equal(t, exitFailed, code)
		assert.Equal(t, "invalid_token", out["error"])
		assert.Equal(t, "claim_mismatch", out["reason"])
	})

	t.Run("keys unavailable, exit 3", func(t *testing.T) {
		down := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
		down.Fail(axiomstest.Fault{Status: 503})
		code, out, _ := verifyJSON(t, "", "--issuer", down.URL(), "--audience", down.Audience(), down.Token(t, axiomstest.TokenSpec{}))
		assert.Equal(t, exitUnavailable, code)
		assert.Equal(t, []string{"description", "error", "reason", "unverified", "valid"}, memberNames(out))
		assert.Equal(t, false, out["valid"])
		assert.Equal(t, "temporarily_unavailable", out["error"], "an issuer outage is not an invalid token")
		assert.Equal(t, "keys_unavailable", out["reason"])
		assert.True(t, strings.HasPrefix(out["description"].(string), "signing keys unavailable"), out["description"])
	})

	t.Run("usage error, exit 2", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "", "verify", tok)
		assert.Equal(t, exitUsage, code)
		assert.Empty(t, stdout, "no JSON on a configuration error")
		assert.Contains(t, stderr, "AXIOMS_ISS_URL is required")
	})
}

// TestVerifyUsagePointsToTheReasons: the help text points to the one list of reason
// codes, and says how keys_unavailable and issuer_mismatch differ from an invalid token.
func TestVerifyUsagePointsToTheReasons(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "verify", "-h")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stdout)
	// The codes live in the validator's package doc (checked against the constants by
	// the validator's tests); the help points there, and explains the two codes that are
	// not an invalid token.
	assert.Contains(t, stderr, "#hdr-Errors")
	doc, err := os.ReadFile("../../validator/doc.go")
	require.NoError(t, err)
	assert.Contains(t, string(doc), "// # Errors")
	for _, r := range []validator.Reason{validator.ReasonKeysUnavailable, validator.ReasonIssuerMismatch} {
		assert.Contains(t, stderr, string(r))
	}
	assert.Contains(t, stderr, `"error":"temporarily_unavailable","reason":"keys_unavailable"`)
	assert.Contains(t, stderr, "3 keys unavailable")
}

// mismatchedIssuer serves a discovery document naming the issuer with a trailing slash
// the configuration lacks, and the issuer's key set. With unreachableFirst, the first
// discovery request is answered 503 after delay, so the mismatch is found only after
// the validator has started.
func mismatchedIssuer(t *testing.T, iss *axiomstest.Issuer, unreachableFirst bool, delay time.Duration) *httptest.Server {
	t.Helper()
	var first atomic.Bool
	first.Store(unreachableFirst)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			if first.Swap(false) {
				time.Sleep(delay)
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, srv.URL+"/", iss.JWKSURL())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestVerifyIssuerMismatch: a configured issuer that differs from the discovery
// document's (a trailing slash) is a configuration error, exit 2 with both spellings on
// stderr, whether it is found when the validator starts or when the token is checked.
func TestVerifyIssuerMismatch(t *testing.T) {
	t.Chdir(t.TempDir())
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})

	t.Run("found at startup", func(t *testing.T) {
		srv := mismatchedIssuer(t, iss, false, 0)
		tok := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"iss": srv.URL}})
		code, stdout, stderr := runCLI(t, "", "verify", "--issuer", srv.URL, "--audience", iss.Audience(), tok)
		assert.Equal(t, exitUsage, code, stdout)
		assert.Empty(t, stdout, "no JSON: the token was not checked")
		assert.Contains(t, stderr, fmt.Sprintf(`the discovery document at %s/.well-known/openid-configuration names issuer "%s/", not the configured "%s"`, srv.URL, srv.URL, srv.URL))
		assert.Zero(t, iss.JWKSFetches())
	})

	t.Run("found when the token is checked", func(t *testing.T) {
		// The first discovery request fails after a little more than the first retry
		// backoff (1s), so the token's own fetch finds the mismatch.
		srv := mismatchedIssuer(t, iss, true, 1100*time.Millisecond)
		tok := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"iss": srv.URL}})
		code, out, stderr := verify(t, "", "--issuer", srv.URL, "--audience", iss.Audience(), tok)
		assert.Equal(t, exitUsage, code, "a configuration error, not an outage (3)")
		assert.False(t, out.Valid)
		assert.Equal(t, "issuer_mismatch", out.Reason)
		assert.Equal(t, "temporarily_unavailable", out.Error, "what the middleware answers (503)")
		assert.Contains(t, out.Description, fmt.Sprintf(`names issuer "%s/", not the configured "%s"`, srv.URL, srv.URL))
		assert.Contains(t, stderr, fmt.Sprintf(`names issuer "%s/", not the configured "%s"`, srv.URL, srv.URL))
		assert.Zero(t, iss.JWKSFetches())
	})
}

// TestVerifyShowsWhatARejectedTokenClaims: a rejected token is shown as it claims to be
// (header alg, kid, typ; iss, aud, exp, iat), marked unverified, exactly as written and
// nothing else of it; a token that does not decode gets no such member.
func TestVerifyShowsWhatARejectedTokenClaims(t *testing.T) {
	t.Chdir(t.TempDir())
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	other := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	flags := []string{"--issuer", iss.URL(), "--audience", iss.Audience()}
	type view struct {
		Note   string                     `json:"note"`
		Header map[string]json.RawMessage `json:"header"`
		Claims map[string]json.RawMessage `json:"claims"`
	}
	unverified := func(t *testing.T, token string) (int, map[string]any, *view) {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", append(slices.Clone(flags), token)...)
		require.NotEqual(t, exitOK, code, stderr)
		var out map[string]any
		var shaped struct {
			Unverified *view `json:"unverified"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
		require.NoError(t, json.Unmarshal([]byte(stdout), &shaped), stdout)
		return code, out, shaped.Unverified
	}
	raw := func(v map[string]json.RawMessage) map[string]string {
		out := map[string]string{}
		for k, m := range v { // compacted: the output is indented
			var b bytes.Buffer
			require.NoError(t, json.Compact(&b, m))
			out[k] = b.String()
		}
		return out
	}
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	flags = append([]string{"verify"}, flags...)

	t.Run("another issuer's token", func(t *testing.T) {
		tok := other.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"sub": "alice", "email": "alice@example.com", "aud": []string{"a", "b"}, "iat": 1767222000, "exp": 4102444800}})
		code, out, v := unverified(t, tok)
		assert.Equal(t, exitFailed, code)
		assert.Equal(t, "wrong_issuer", out["reason"])
		require.NotNil(t, v)
		assert.Contains(t, v.Note, "without verification")
		assert.ElementsMatch(t, []string{"alg", "kid", "typ"}, slices.Collect(maps.Keys(v.Header)), "only alg, kid and typ of the header")
		assert.Equal(t, `"RS256"`, string(v.Header["alg"]), "the issuer's first key")
		assert.Equal(t, map[string]string{
			"iss": fmt.Sprintf("%q", other.URL()), "aud": `["a","b"]`, "iat": "1767222000", "exp": "4102444800",
		}, raw(v.Claims), "iss, aud, exp and iat as written; never sub, email or the rest")
	})

	t.Run("expired", func(t *testing.T) {
		_, out, v := unverified(t, iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"exp": 1000, "iat": 900}}))
		assert.Equal(t, "expired", out["reason"])
		require.NotNil(t, v)
		assert.Equal(t, "1000", string(v.Claims["exp"]))
		assert.Equal(t, fmt.Sprintf("%q", iss.Audience()), string(v.Claims["aud"]))
	})

	t.Run("keys unavailable", func(t *testing.T) {
		down := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
		down.Fail(axiomstest.Fault{Status: 503})
		code, stdout, _ := runCLI(t, "", "verify", "--issuer", down.URL(), "--audience", down.Audience(), down.Token(t, axiomstest.TokenSpec{}))
		assert.Equal(t, exitUnavailable, code)
		assert.Contains(t, stdout, `"unverified"`, "an outage leaves the question which key the token names")
	})

	t.Run("odd tokens", func(t *testing.T) {
		hugeAud := `["` + strings.Repeat("x", 2000) + `"]`
		for name, tc := range map[string]struct {
			token         string
			header, claim map[string]string // nil: member absent
		}{
			"header only": {
				token:  seg(`{"alg":"none","typ":"JWT","x":"y"}`) + ".!!!." + seg("sig"),
				header: map[string]string{"alg": `"none"`, "typ": `"JWT"`},
			},
			"claims only": {
				token: "eyJ." + seg(`{"iss":"https://evil.example","sub":"root"}`) + ".c2ln",
				claim: map[string]string{"iss": `"https://evil.example"`},
			},
			"a value over the bound is left out, never cut": {
				token:  seg(`{"alg":"RS256"}`) + "." + seg(`{"iss":"i","aud":`+hugeAud+`}`) + ".c2ln",
				header: map[string]string{"alg": `"RS256"`},
				claim:  map[string]string{"iss": `"i"`},
			},
			"wrong types are shown as written": {
				token:  seg(`{"alg":7,"kid":{"a":1}}`) + "." + seg(`{"exp":"tomorrow","iat":null}`) + ".c2ln",
				header: map[string]string{"alg": "7", "kid": `{"a":1}`},
				claim:  map[string]string{"exp": `"tomorrow"`, "iat": "null"},
			},
			"unicode": {
				token:  seg(`{"alg":"ES256"}`) + "." + seg(`{"iss":"https://ïssuer.example/\u202e"}`) + ".c2ln",
				header: map[string]string{"alg": `"ES256"`},
				claim:  map[string]string{"iss": `"https://ïssuer.example/\u202e"`},
			},
		} {
			t.Run(name, func(t *testing.T) {
				code, _, v := unverified(t, tc.token)
				assert.Equal(t, exitFailed, code)
				require.NotNil(t, v)
				if tc.header != nil {
					assert.Equal(t, tc.header, raw(v.Header))
				} else {
					assert.Nil(t, v.Header)
				}
				if tc.claim != nil {
					assert.Equal(t, tc.claim, raw(v.Claims))
				} else {
					assert.Nil(t, v.Claims)
				}
			})
		}
		for name, tok := range map[string]string{
			"not a JWS":       "not-a-token",
			"two segments":    seg(`{"alg":"RS256"}`) + "." + seg(`{"iss":"i"}`),
			"not JSON":        seg("hello") + "." + seg("world") + ".c2ln",
			"JSON non-object": seg(`["alg"]`) + "." + seg(`"iss"`) + ".c2ln",
		} {
			t.Run(name, func(t *testing.T) {
				code, out, v := unverified(t, tok)
				assert.Equal(t, exitFailed, code)
				assert.Equal(t, "malformed", out["reason"])
				assert.Nil(t, v, "nothing decodes, nothing shown")
				assert.NotContains(t, out, "unverified")
			})
		}
	})
}

func TestVerifyOpaqueToken(t *testing.T) {
	t.Chdir(t.TempDir())
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{IntrospectionClientID: "cli", IntrospectionClientSecret: "s3cret"})
	t.Setenv("AXIOMS_INTROSPECTION_CLIENT_SECRET", "s3cret")
	args := []string{"--issuer", iss.URL(), "--audience", iss.Audience(), "--introspection", "opaque", "--introspection-client-id", "cli"}

	code, out, stderr := verify(t, "", append(args, iss.OpaqueToken(t, map[string]any{"scope": "read write", "client_id": "app"}))...)
	require.Equal(t, exitOK, code, stderr)
	assert.True(t, out.Valid)
	assert.Equal(t, []string{"read", "write"}, out.Scopes)
	assert.Equal(t, "app", out.Claims["client_id"])

	revoked := iss.OpaqueToken(t, nil)
	iss.Revoke(revoked)
	code, out, _ = verify(t, "", append(args, revoked)...)
	assert.Equal(t, exitFailed, code)
	assert.Equal(t, "invalid_token", out.Error)
	assert.Equal(t, "inactive", out.Reason)

	iss.FailIntrospection(axiomstest.Fault{Status: http.StatusBadGateway})
	code, out, stderr = verify(t, "", append(args, iss.OpaqueToken(t, nil))...)
	assert.Equal(t, exitUnavailable, code)
	assert.Equal(t, "temporarily_unavailable", out.Error)
	assert.Equal(t, "introspection_unavailable", out.Reason)
	assert.NotContains(t, stderr+out.Description, "s3cret")
	iss.ClearFaults()

	code, _, stderr = verify(t, "", "--issuer", iss.URL(), "--audience", iss.Audience(), "--introspection-client-id", "cli", iss.OpaqueToken(t, nil))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--introspection-client-id, AXIOMS_INTROSPECTION_CLIENT_SECRET set while --introspection or AXIOMS_INTROSPECTION is unset or off")
}

package devissuer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

func start(t *testing.T, keyFile string) (*Issuer, *httptest.Server) {
	t.Helper()
	keys, err := LoadOrCreateKeys(keyFile)
	require.NoError(t, err)
	iss := &Issuer{Keys: keys, Audience: "api"}
	srv := httptest.NewServer(nil)
	iss.URL = srv.URL
	srv.Config.Handler = iss.Handler()
	t.Cleanup(srv.Close)
	return iss, srv
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url+"/token", "application/json", bytes.NewBufferString(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	out := map[string]any{}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func TestTokenEndpointTokensValidate(t *testing.T) {
	iss, srv := start(t, "")
	code, out := post(t, srv.URL, `{"sub":"alice","scope":"read:data openid","roles":["admin"],"expires_in":120}`)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "Bearer", out["token_type"])
	assert.InDelta(t, 120, out["expires_in"], 1)

	v, err := validator.New(t.Context(), validator.Config{Issuer: iss.URL, Audiences: []string{"api"}, RequireType: true})
	require.NoError(t, err)
	c, err := v.Validate(t.Context(), out["access_token"].(string))
	require.NoError(t, err)
	assert.Equal(t, "alice", c.Subject())
	assert.Equal(t, []string{"read:data", "openid"}, c.Scopes())
	assert.Equal(t, []string{"admin"}, c.Roles())
	assert.WithinDuration(t, time.Now().Add(2*time.Minute), c.ExpiresAt(), 5*time.Second)

	code, out = post(t, srv.URL, ``)
	require.Equal(t, http.StatusOK, code, "no claims at all: defaults only")
	c, err = v.Validate(t.Context(), out["access_token"].(string))
	require.NoError(t, err)
	assert.Equal(t, "", c.Subject())

	code, out = post(t, srv.URL, `{"aud":"other","iss":"https://elsewhere"}`)
	require.Equal(t, http.StatusOK, code, "any claim can be overridden")
	_, err = v.Validate(t.Context(), out["access_token"].(string))
	assert.ErrorIs(t, err, validator.ErrWrongIssuer)
}

func TestTokenEndpointRejectsBadRequests(t *testing.T) {
	_, srv := start(t, "")
	for _, body := range []string{`[]`, `null`, `"x"`, `{`, `{"expires_in":-5}`, `{"expires_in":"1h"}`, `{"expires_in":99999999}`} {
		code, out := post(t, srv.URL, body)
		assert.Equal(t, http.StatusBadRequest, code, body)
		assert.Equal(t, "invalid_request", out["error"], body)
	}
	resp, err := http.Post(srv.URL+"/token", "application/json", bytes.NewReader(make([]byte, maxRequest+10)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, err = http.Get(srv.URL + "/token")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestKeyFileKeepsTokensValidAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "dev.key.json")
	first, err := LoadOrCreateKeys(path)
	require.NoError(t, err)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "private key file is private")
	second, err := LoadOrCreateKeys(path)
	require.NoError(t, err)
	assert.Equal(t, first.Key.ID, second.Key.ID)

	require.NoError(t, os.WriteFile(path, []byte("{oops"), 0o600))
	_, err = LoadOrCreateKeys(path)
	assert.ErrorContains(t, err, path)
}

func TestDiscoveryAndIndex(t *testing.T) {
	iss, srv := start(t, "")
	resp, err := http.Get(srv.URL + "/.well-known/openid-configuration")
	require.NoError(t, err)
	var disc map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&disc))
	resp.Body.Close()
	assert.Equal(t, iss.URL, disc["issuer"])
	assert.Equal(t, iss.URL+"/token", disc["token_endpoint"])

	resp, err = http.Get(srv.URL + "/")
	require.NoError(t, err)
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	resp.Body.Close()
	assert.Contains(t, b.String(), "DEVELOPMENT ONLY")
}

// TestTokenEndpointExpiry covers the lifetime answered for each way of setting it:
// never negative, an exp in the past minting an already expired token.
func TestTokenEndpointExpiry(t *testing.T) {
	iss, srv := start(t, "")
	v, err := validator.New(t.Context(), validator.Config{Issuer: iss.URL, Audiences: []string{"api"}, Leeway: -1})
	require.NoError(t, err)
	now := time.Now()
	for _, tc := range []struct {
		name, body string
		expiresIn  float64
		wantErr    error
	}{
		{"default", `{}`, 3600, nil},
		{"expires_in", `{"expires_in":90}`, 90, nil},
		{"exp in the future", fmt.Sprintf(`{"exp":%d}`, now.Add(10*time.Minute).Unix()), 600, nil},
		{"exp in the past", `{"exp":1}`, 0, validator.ErrExpired},
		{"exp an hour ago", fmt.Sprintf(`{"exp":%d}`, now.Add(-time.Hour).Unix()), 0, validator.ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := post(t, srv.URL, tc.body)
			require.Equal(t, http.StatusOK, code, out)
			assert.InDelta(t, tc.expiresIn, out["expires_in"], 2)
			assert.GreaterOrEqual(t, out["expires_in"], float64(0), "never negative")
			_, err := v.Validate(t.Context(), out["access_token"].(string))
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			} else {
				assert.NoError(t, err)
			}
		})
	}
	for _, body := range []string{`{"exp":"tomorrow"}`, `{"exp":null}`, `{"exp":1,"expires_in":60}`} {
		code, out := post(t, srv.URL, body)
		assert.Equal(t, http.StatusBadRequest, code, body)
		assert.Equal(t, "invalid_request", out["error"], body)
		assert.NotEmpty(t, out["error_description"], body)
	}
}

// TestMintLifetime checks the lifetime Mint returns for Go callers, whose exp may be an
// integer.
func TestMintLifetime(t *testing.T) {
	keys, err := LoadOrCreateKeys("")
	require.NoError(t, err)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	iss := &Issuer{URL: "http://127.0.0.1:1", Keys: keys, Now: func() time.Time { return now }}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		ttl    time.Duration
		want   time.Duration
	}{
		{"default", nil, 0, DefaultTTL},
		{"ttl", nil, 5 * time.Minute, 5 * time.Minute},
		{"int64 exp", map[string]any{"exp": now.Add(time.Minute).Unix()}, 0, time.Minute},
		{"int exp in the past", map[string]any{"exp": int(now.Add(-time.Minute).Unix())}, 0, 0},
		{"float exp in the past", map[string]any{"exp": float64(1)}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got, err := iss.Mint(tc.claims, tc.ttl)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, _, err = iss.Mint(nil, 31*24*time.Hour)
	assert.Error(t, err, "lifetime bounded")
}

// TestMintLifetimeOffTheSecond: when the caller gives no exp, the lifetime is exactly the
// TTL even if the clock is between two seconds (exp itself is whole seconds).
func TestMintLifetimeOffTheSecond(t *testing.T) {
	keys, err := LoadOrCreateKeys("")
	require.NoError(t, err)
	for _, frac := range []time.Duration{0, 300 * time.Millisecond, 700 * time.Millisecond, 999 * time.Millisecond} {
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC).Add(frac)
		iss := &Issuer{URL: "http://127.0.0.1:1", Keys: keys, Now: func() time.Time { return now }}
		_, got, err := iss.Mint(nil, 0)
		require.NoError(t, err)
		assert.Equal(t, DefaultTTL, got, "clock at +%s", frac)
		_, got, err = iss.Mint(map[string]any{"scope": "read"}, 90*time.Second)
		require.NoError(t, err)
		assert.Equal(t, 90*time.Second, got, "clock at +%s", frac)
	}
}

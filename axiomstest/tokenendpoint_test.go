package axiomstest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// devIssuer starts an issuer configured as the development issuers of the axioms
// command and the example service: at+jwt tokens, no default subject, POST /token.
func devIssuer(t *testing.T, cfg axiomstest.IssuerConfig) *axiomstest.Issuer {
	t.Helper()
	cfg.Audience = "api"
	cfg.Header = map[string]any{"typ": "at+jwt"}
	cfg.Claims = map[string]any{"sub": axiomstest.Omit}
	cfg.TokenEndpoint = true
	return axiomstest.NewIssuer(t, cfg)
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url+"/token", "application/json", bytes.NewBufferString(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	out := map[string]any{}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func TestTokenEndpointTokensValidate(t *testing.T) {
	iss := devIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"RS256"}})
	code, out := post(t, iss.URL(), `{"sub":"alice","scope":"read:data openid","roles":["admin"],"expires_in":120}`)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "Bearer", out["token_type"])
	assert.InDelta(t, 120, out["expires_in"], 1)
	tok := out["access_token"].(string)
	assert.Equal(t, map[string]any{"alg": "RS256", "kid": iss.Key("").ID(), "typ": "at+jwt"}, header(t, tok))
	assert.NotContains(t, payload(t, tok), "expires_in", "a request member, not a claim")

	v, err := validator.New(t.Context(), validator.Config{Issuer: iss.URL(), Audiences: []string{"api"}, RequireType: true})
	require.NoError(t, err)
	c, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	assert.Equal(t, "alice", c.Subject())
	assert.Equal(t, []string{"read:data", "openid"}, c.Scopes())
	assert.Equal(t, []string{"admin"}, c.Roles())
	assert.WithinDuration(t, time.Now().Add(2*time.Minute), c.ExpiresAt(), 5*time.Second)

	code, out = post(t, iss.URL(), ``)
	require.Equal(t, http.StatusOK, code, "no claims at all: defaults only")
	assert.Equal(t, []string{"aud", "exp", "iat", "iss", "jti", "nbf"}, sortedKeys(payload(t, out["access_token"].(string))))
	c, err = v.Validate(t.Context(), out["access_token"].(string))
	require.NoError(t, err)
	assert.Equal(t, "", c.Subject())

	code, out = post(t, iss.URL(), `{"aud":"other","iss":"https://elsewhere"}`)
	require.Equal(t, http.StatusOK, code, "any claim can be overridden")
	_, err = v.Validate(t.Context(), out["access_token"].(string))
	assert.Equal(t, validator.ReasonWrongIssuer, validator.ReasonOf(err))
}

func TestTokenEndpointRejectsBadRequests(t *testing.T) {
	iss := devIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	for _, body := range []string{`[]`, `null`, `"x"`, `{`, `{"expires_in":-5}`, `{"expires_in":"1h"}`, `{"expires_in":99999999}`} {
		code, out := post(t, iss.URL(), body)
		assert.Equal(t, http.StatusBadRequest, code, body)
		assert.Equal(t, "invalid_request", out["error"], body)
	}
	resp, err := http.Post(iss.URL()+"/token", "application/json", bytes.NewReader(make([]byte, 64<<10+10)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, err = http.Get(iss.URL() + "/token")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	long := devIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, TokenTTL: 31 * 24 * time.Hour})
	code, out := post(t, long.URL(), `{}`)
	assert.Equal(t, http.StatusBadRequest, code, "the configured lifetime is bounded too")
	assert.Contains(t, out["error_description"], "exceeds")
	code, _ = post(t, long.URL(), `{"expires_in":60}`)
	assert.Equal(t, http.StatusOK, code)
}

func TestTokenEndpointDiscoveryAndIndex(t *testing.T) {
	iss := devIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	disc := object(t, fetch(t, iss.URL()+"/.well-known/openid-configuration").body)
	assert.Equal(t, iss.URL(), disc["issuer"])
	assert.Equal(t, iss.URL()+"/token", disc["token_endpoint"])

	r := fetch(t, iss.URL()+"/")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"))
	assert.Contains(t, string(r.body), axiomstest.DevelopmentWarning)
	assert.Contains(t, string(r.body), "curl -s -X POST "+iss.URL()+"/token")
	assert.Equal(t, http.StatusNotFound, fetch(t, iss.URL()+"/other").status)
}

// TestTokenEndpointExpiry covers the lifetime answered for each way of setting it:
// never negative, an exp in the past minting an already expired token.
func TestTokenEndpointExpiry(t *testing.T) {
	iss := devIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	v, err := validator.New(t.Context(), validator.Config{Issuer: iss.URL(), Audiences: []string{"api"}, Leeway: -1})
	require.NoError(t, err)
	now := time.Now()
	for _, tc := range []struct {
		name, body string
		expiresIn  float64
		wantReason validator.Reason
	}{
		{"default", `{}`, 3600, ""},
		{"expires_in", `{"expires_in":90}`, 90, ""},
		{"exp in the future", fmt.Sprintf(`{"exp":%d}`, now.Add(10*time.Minute).Unix()), 600, ""},
		{"exp in the past", `{"exp":1}`, 0, validator.ReasonExpired},
		{"exp an hour ago", fmt.Sprintf(`{"exp":%d}`, now.Add(-time.Hour).Unix()), 0, validator.ReasonExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := post(t, iss.URL(), tc.body)
			require.Equal(t, http.StatusOK, code, out)
			assert.InDelta(t, tc.expiresIn, out["expires_in"], 2)
			assert.GreaterOrEqual(t, out["expires_in"], float64(0), "never negative")
			_, err := v.Validate(t.Context(), out["access_token"].(string))
			assert.Equal(t, tc.wantReason, validator.ReasonOf(err))
		})
	}
	for _, body := range []string{`{"exp":"tomorrow"}`, `{"exp":null}`, `{"exp":1,"expires_in":60}`} {
		code, out := post(t, iss.URL(), body)
		assert.Equal(t, http.StatusBadRequest, code, body)
		assert.Equal(t, "invalid_request", out["error"], body)
		assert.NotEmpty(t, out["error_description"], body)
	}
}

// TestTokenEndpointLifetimeOffTheSecond: when the request gives no exp, the lifetime
// answered is exactly the TTL even if the clock is between two seconds (exp itself is
// whole seconds).
func TestTokenEndpointLifetimeOffTheSecond(t *testing.T) {
	clock := axiomstest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	iss := devIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, Now: clock.Now})
	for _, frac := range []time.Duration{0, 300 * time.Millisecond, 700 * time.Millisecond, 999 * time.Millisecond} {
		clock.Set(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC).Add(frac))
		_, out := post(t, iss.URL(), `{}`)
		assert.Equal(t, float64(3600), out["expires_in"], "clock at +%s", frac)
		_, out = post(t, iss.URL(), `{"scope":"read","expires_in":90}`)
		assert.Equal(t, float64(90), out["expires_in"], "clock at +%s", frac)
		_, out = post(t, iss.URL(), fmt.Sprintf(`{"exp":%d}`, clock.Now().Add(time.Minute).Unix()))
		assert.InDelta(t, 60, out["expires_in"], 1, "clock at +%s: exp is whole seconds", frac)
	}
}

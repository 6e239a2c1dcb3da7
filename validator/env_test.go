package validator_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// lookupMap is a lookup function over a map, for ConfigFromLookup.
func lookupMap(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// TestConfigFromLookupDeploymentSettings: every setting a container deployment needs has
// its variable.
func TestConfigFromLookupDeploymentSettings(t *testing.T) {
	c, err := validator.ConfigFromLookup(lookupMap(map[string]string{
		"AXIOMS_REQUIRE_TYPE":              "true",
		"AXIOMS_REQUIRE_KEYS_AT_STARTUP":   "1",
		"AXIOMS_MIN_REFRESH_INTERVAL":      "10",
		"AXIOMS_MAX_REFRESH_BACKOFF":       "10m",
		"AXIOMS_REFRESH_INTERVAL":          "1h",
		"AXIOMS_FETCH_TIMEOUT":             "2s",
		"AXIOMS_CACHE_SIZE":                "100",
		"AXIOMS_MAX_TOKEN_SIZE":            "16384",
		"AXIOMS_INSECURE_SKIP_HTTPS_CHECK": "TRUE",
	}))
	require.NoError(t, err)
	assert.True(t, c.RequireType)
	assert.True(t, c.RequireKeysAtStartup)
	assert.Equal(t, 10*time.Second, c.MinRefreshInterval)
	assert.Equal(t, 10*time.Minute, c.MaxRefreshBackoff)
	assert.Equal(t, time.Hour, c.RefreshInterval)
	assert.Equal(t, 2*time.Second, c.FetchTimeout)
	assert.Equal(t, 100, c.CacheSize)
	assert.Equal(t, 16384, c.MaxTokenSize)
	assert.True(t, c.InsecureSkipHTTPSCheck)

	c, err = validator.ConfigFromLookup(lookupMap(map[string]string{"AXIOMS_REQUIRE_TYPE": "false", "AXIOMS_CACHE_SIZE": "0"}))
	require.NoError(t, err)
	assert.False(t, c.RequireType)
	assert.Negative(t, c.CacheSize, `"0" turns the cache off`)

	for name, bad := range map[string]string{
		"AXIOMS_REQUIRE_TYPE":              "yes",
		"AXIOMS_REQUIRE_KEYS_AT_STARTUP":   "on",
		"AXIOMS_INSECURE_SKIP_HTTPS_CHECK": "enabled",
		"AXIOMS_MIN_REFRESH_INTERVAL":      "0",
		"AXIOMS_MAX_REFRESH_BACKOFF":       "forever",
		"AXIOMS_REFRESH_INTERVAL":          "-1m",
		"AXIOMS_FETCH_TIMEOUT":             "soon",
		"AXIOMS_CACHE_SIZE":                "-1",
		"AXIOMS_MAX_TOKEN_SIZE":            "8k",
	} {
		_, err := validator.ConfigFromLookup(lookupMap(map[string]string{name: bad}))
		if assert.Error(t, err, "%s=%s", name, bad) {
			assert.Contains(t, err.Error(), name)
		}
	}
}

// TestConfigFromLookupEmptyIsAnError: a variable set to nothing (or white space) is an
// error naming it, never "unset".
func TestConfigFromLookupEmptyIsAnError(t *testing.T) {
	for _, name := range []string{"AXIOMS_ISS_URL", "AXIOMS_AUDIENCE", "AXIOMS_JWKS_URL", "AXIOMS_DOMAIN", "AXIOMS_LEEWAY", "AXIOMS_REQUIRE_TYPE"} {
		for _, blank := range []string{"", "  \t"} {
			_, err := validator.ConfigFromLookup(lookupMap(map[string]string{"AXIOMS_AUDIENCE": "api", name: blank}))
			if assert.Error(t, err, "%s=%q", name, blank) {
				assert.Contains(t, err.Error(), name+" is set but empty")
			}
		}
	}
}

// TestConfigFromEnvEmptyIsAnError: the same from the process environment and from the
// .env file; an empty variable in the environment does not fall back to the file.
func TestConfigFromEnvEmptyIsAnError(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("AXIOMS_ISS_URL=https://file.example\nAXIOMS_AUDIENCE=\n"), 0o600))
	t.Setenv("AXIOMS_ISS_URL", "")
	_, err := validator.ConfigFromEnv()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AXIOMS_ISS_URL is set but empty")
	assert.Contains(t, err.Error(), "AXIOMS_AUDIENCE is set but empty", "in the .env file too")
}

// TestConfigFromEnvWarnsOfUnknownNames: a misspelt AXIOMS_* name is reported once, with
// the closest known name.
func TestConfigFromEnvWarnsOfUnknownNames(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("AXIOMS_AUDIANCE=api\n"), 0o600))
	t.Setenv("AXIOMS_ISSUER", "https://issuer.example")
	t.Setenv("AXIOMS_SPEC", "api.yaml") // read by echoaxioms: known

	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	_, err := validator.ConfigFromEnv()
	require.NoError(t, err)
	out := logs.String()
	assert.Contains(t, out, "AXIOMS_ISSUER")
	assert.Contains(t, out, "AXIOMS_ISS_URL")
	assert.Contains(t, out, "AXIOMS_AUDIANCE")
	assert.Contains(t, out, "did you mean AXIOMS_AUDIENCE")
	assert.NotContains(t, out, "AXIOMS_SPEC")
	assert.Equal(t, 2, strings.Count(out, "level=WARN"), out)
}

// TestEnvConfigErrorsNameVariables: when the Config came from the environment, New's
// errors name the variables to set, not the Config fields.
func TestEnvConfigErrorsNameVariables(t *testing.T) {
	c, err := validator.ConfigFromLookup(lookupMap(map[string]string{"AXIOMS_ALGORITHMS": "HS256"}))
	require.NoError(t, err)
	c.Logger = quietLogger
	_, err = validator.New(t.Context(), c)
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{"AXIOMS_ISS_URL is required", "AXIOMS_AUDIENCE", "AXIOMS_ALGORITHMS"} {
		assert.Contains(t, msg, want)
	}
	for _, field := range []string{"InsecureSkip", "Issuer", "Audiences", "Algorithms", "JWKSURL"} {
		assert.NotContains(t, msg, field)
	}

	c, err = validator.ConfigFromLookup(lookupMap(map[string]string{
		"AXIOMS_ISS_URL": "https://issuer.example", "AXIOMS_AUDIENCE": "api", "AXIOMS_JWKS_URL": "http://keys.example/jwks.json",
	}))
	require.NoError(t, err)
	_, err = validator.New(t.Context(), c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AXIOMS_JWKS_URL")
	assert.Contains(t, err.Error(), "AXIOMS_INSECURE_SKIP_HTTPS_CHECK", "the variable that allows plain http")
	assert.NotContains(t, err.Error(), "JWKSURL")

	// A Config written in code keeps the field names.
	_, err = validator.New(t.Context(), validator.Config{Audiences: []string{"api"}, JWKSURL: "https://keys.example/jwks.json"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Issuer is required (set InsecureSkipIssuerCheck")
}

// TestConfigFromLookupComposeNetwork is the docker-compose setup: tokens carry the
// issuer's public address (http://127.0.0.1:4444) while the service reaches the issuer
// by its service name (http://hydra:4444), on plain http. The HTTP client maps the host
// to a test issuer, so no DNS is involved.
func TestConfigFromLookupComposeNetwork(t *testing.T) {
	const publicIssuer = "http://127.0.0.1:4444"
	iss := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	env := map[string]string{
		"AXIOMS_ISS_URL":                   publicIssuer,
		"AXIOMS_JWKS_URL":                  "http://hydra:4444/.well-known/jwks.json",
		"AXIOMS_AUDIENCE":                  iss.Audience(),
		"AXIOMS_INSECURE_SKIP_HTTPS_CHECK": "true",
		"AXIOMS_REQUIRE_KEYS_AT_STARTUP":   "true",
	}
	c, err := validator.ConfigFromLookup(lookupMap(env))
	require.NoError(t, err)

	issuerAddr := strings.TrimPrefix(iss.URL(), "http://")
	var mu sync.Mutex
	var dialed []string
	c.HTTPClient = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			dialed = append(dialed, addr)
			mu.Unlock()
			if addr != "hydra:4444" {
				return nil, &net.AddrError{Err: "unexpected host", Addr: addr}
			}
			var d net.Dialer
			return d.DialContext(ctx, network, issuerAddr)
		},
	}}
	c.Logger = quietLogger
	v, err := validator.New(t.Context(), c)
	require.NoError(t, err)
	mu.Lock()
	assert.Equal(t, []string{"hydra:4444"}, dialed)
	mu.Unlock()
	claims, err := v.Validate(t.Context(), iss.Token(t, map[string]any{"iss": publicIssuer}))
	require.NoError(t, err)
	assert.Equal(t, publicIssuer, claims.Issuer())
	_, err = v.Validate(t.Context(), iss.Token(t, nil))
	assert.ErrorIs(t, err, validator.ErrWrongIssuer, "the issuer's own URL is not the configured iss")

	delete(env, "AXIOMS_INSECURE_SKIP_HTTPS_CHECK")
	c, err = validator.ConfigFromLookup(lookupMap(env))
	require.NoError(t, err)
	_, err = validator.New(t.Context(), c)
	require.Error(t, err, "plain http to a non-loopback host needs AXIOMS_INSECURE_SKIP_HTTPS_CHECK")
	assert.Contains(t, err.Error(), "AXIOMS_INSECURE_SKIP_HTTPS_CHECK")
}

// TestLeewayIsBounded: one cap for Config.Leeway, ParseLeeway and AXIOMS_LEEWAY, with the
// same message.
func TestLeewayIsBounded(t *testing.T) {
	for _, v := range []string{"999999999", "100000h", "301", "5m1s", "1h"} {
		_, err := validator.ParseLeeway(v)
		if assert.Error(t, err, v) {
			assert.Contains(t, err.Error(), "exceeds the maximum leeway of 5m0s")
		}
		_, err = validator.ConfigFromLookup(lookupMap(map[string]string{"AXIOMS_LEEWAY": v}))
		if assert.Error(t, err, v) {
			assert.Contains(t, err.Error(), "AXIOMS_LEEWAY")
			assert.Contains(t, err.Error(), "exceeds the maximum leeway of 5m0s")
		}
	}
	for _, v := range []string{"300", "5m", "0", "30s"} {
		_, err := validator.ParseLeeway(v)
		assert.NoError(t, err, v)
	}

	s := newSigner(t, "ES256", "k1")
	keys := jwksJSON(t, s.jwk(t, nil))
	_, err := validator.New(t.Context(), validator.Config{Issuer: testIssuer, Audiences: []string{testAudience}, JWKS: keys,
		Leeway: 100000 * time.Hour, Logger: quietLogger})
	require.Error(t, err, "a token expired a year ago must not validate")
	assert.Contains(t, err.Error(), "exceeds the maximum leeway of 5m0s")
	_, err = validator.New(t.Context(), validator.Config{Issuer: testIssuer, Audiences: []string{testAudience}, JWKS: keys,
		Leeway: 5 * time.Minute, Logger: quietLogger})
	require.NoError(t, err)
}

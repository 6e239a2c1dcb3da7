package envconfig

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// TestEveryVariableSetsItsField: each variable, given a valid value, sets its Config
// field and no other (so the field names Explain rewrites are right). A new variable
// needs a sample value here.
func TestEveryVariableSetsItsField(t *testing.T) {
	samples := map[string]string{
		"AXIOMS_ISS_URL": "https://issuer.example", "AXIOMS_DOMAIN": "tenant.example", "AXIOMS_AUDIENCE": "a,b",
		"AXIOMS_JWKS_URL": "https://issuer.example/jwks", "AXIOMS_ALGORITHMS": "ES256", "AXIOMS_LEEWAY": "10",
		"AXIOMS_SCOPE_CLAIMS": "scp", "AXIOMS_ROLES_CLAIMS": "groups", "AXIOMS_PERMISSIONS_CLAIMS": "perms",
		"AXIOMS_AUDIENCE_CLAIM": "client_id", "AXIOMS_REQUIRED_CLAIMS": "token_use=access", "AXIOMS_REQUIRE_TYPE": "true",
		"AXIOMS_MAX_TOKEN_SIZE": "16KiB", "AXIOMS_FETCH_TIMEOUT": "2s", "AXIOMS_MIN_REFRESH_INTERVAL": "10",
		"AXIOMS_MAX_REFRESH_BACKOFF": "10m",
		"AXIOMS_REFRESH_INTERVAL":    "1h", "AXIOMS_REQUIRE_KEYS_AT_STARTUP": "1", "AXIOMS_INSECURE_SKIP_HTTPS_CHECK": "true",
		"AXIOMS_CACHE_SIZE": "10", "AXIOMS_CACHE_MAX_BYTES": "1MiB",
		"AXIOMS_INTROSPECTION": "opaque", "AXIOMS_INTROSPECTION_URL": "https://issuer.example/introspect",
		"AXIOMS_INTROSPECTION_CLIENT_ID": "api", "AXIOMS_INTROSPECTION_CLIENT_SECRET": "secret",
		"AXIOMS_INTROSPECTION_AUTH_METHOD": "client_secret_post",
	}
	// Variables that apply only beside others, which the sample brings along.
	companions := map[string]map[string]string{
		"AXIOMS_INTROSPECTION_URL":           {"AXIOMS_INTROSPECTION": "opaque"},
		"AXIOMS_INTROSPECTION_AUTH_METHOD":   {"AXIOMS_INTROSPECTION": "opaque"},
		"AXIOMS_INTROSPECTION_CLIENT_ID":     {"AXIOMS_INTROSPECTION": "opaque", "AXIOMS_INTROSPECTION_CLIENT_SECRET": "secret"},
		"AXIOMS_INTROSPECTION_CLIENT_SECRET": {"AXIOMS_INTROSPECTION": "opaque", "AXIOMS_INTROSPECTION_CLIENT_ID": "api"},
	}
	configType := reflect.TypeFor[validator.Config]()
	for _, v := range variables {
		if v.set == nil {
			assert.Empty(t, v.field, v.name)
			continue
		}
		_, isField := configType.FieldByName(v.field)
		require.True(t, isField, "%s: Config has no field %s", v.name, v.field)
		sample, ok := samples[v.name]
		require.True(t, ok, "add a sample value for %s", v.name)
		env := map[string]string{v.name: sample}
		for k, val := range companions[v.name] {
			env[k] = val
		}
		c, err := config(env)
		require.NoError(t, err, v.name)
		val := reflect.ValueOf(c)
		for i := range configType.NumField() {
			f := configType.Field(i)
			if !f.IsExported() {
				continue
			}
			assert.Equal(t, f.Name == v.field, !val.Field(i).IsZero(), "%s=%s and Config.%s", v.name, sample, f.Name)
		}
	}
	read := 0
	for _, v := range variables {
		if v.set != nil {
			read++
		}
	}
	assert.Len(t, samples, read, "one sample per variable that sets a validator.Config field")
}

// TestDocListsEveryVariable keeps the package doc's list of variables (the one list users
// read) equal to variables: the same names in the same order, each with its field.
func TestDocListsEveryVariable(t *testing.T) {
	src, err := os.ReadFile("envconfig.go")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(src), "// # Variables\n")
	require.True(t, ok)
	section, _, _ = strings.Cut(section, "// # ")
	var names, fields []string
	for _, m := range regexp.MustCompile("(?m)^//\t(AXIOMS_[A-Z_]+)\n//\t\t(?:field ([A-Za-z]+)|no field)").FindAllStringSubmatch(section, -1) {
		names = append(names, m[1])
		fields = append(fields, m[2])
	}
	var wantNames, wantFields []string
	for _, v := range variables {
		wantNames = append(wantNames, v.name)
		wantFields = append(wantFields, v.field)
	}
	assert.Equal(t, wantNames, names)
	assert.Equal(t, wantFields, fields)
	assert.Equal(t, wantNames, Names())
}

// config reads a validator.Config from env through FromLookup.
func config(env map[string]string) (validator.Config, error) {
	return FromLookup(lookupMap(env)).ValidatorConfig()
}

func TestValidatorConfigFromEnvironmentAndFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte(
		"AXIOMS_AUDIENCE=https://file.example\nAXIOMS_ISS_URL=https://file-issuer.example\nAXIOMS_ROLES_CLAIMS=cognito:groups, /realm_access/roles\n"), 0o600))
	t.Setenv("AXIOMS_AUDIENCE", "https://a.example, https://b.example")
	t.Setenv("AXIOMS_JWKS_URL", "https://issuer.example/keys")
	t.Setenv("AXIOMS_ALGORITHMS", "RS256,ES256")
	t.Setenv("AXIOMS_LEEWAY", "10")
	t.Setenv("AXIOMS_SCOPE_CLAIMS", "scp")
	t.Setenv("AXIOMS_PERMISSIONS_CLAIMS", "https://example.com/permissions")

	e, err := Load("")
	require.NoError(t, err)
	c, err := e.ValidatorConfig()
	require.NoError(t, err)
	assert.Equal(t, "https://file-issuer.example", c.Issuer)
	assert.Equal(t, []string{"https://a.example", "https://b.example"}, c.Audiences, "the environment wins over .env")
	assert.Equal(t, "https://issuer.example/keys", c.JWKSURL)
	assert.Equal(t, []string{"RS256", "ES256"}, c.Algorithms)
	assert.Equal(t, 10*time.Second, c.Leeway)
	assert.Equal(t, []string{"scp"}, c.ScopeClaims)
	assert.Equal(t, []string{"cognito:groups", "/realm_access/roles"}, c.RoleClaims)
	assert.Equal(t, []string{"https://example.com/permissions"}, c.PermissionClaims)
}

func TestDomainAndLeeway(t *testing.T) {
	env := map[string]string{"AXIOMS_DOMAIN": "tenant.auth0.example", "AXIOMS_AUDIENCE": "api", "AXIOMS_LEEWAY": "1m30s"}
	c, err := config(env)
	require.NoError(t, err)
	assert.Equal(t, "https://tenant.auth0.example", c.Issuer, "AXIOMS_DOMAIN is the deprecated issuer alias")
	assert.Equal(t, 90*time.Second, c.Leeway)

	env["AXIOMS_ISS_URL"] = "https://real.example/"
	c, err = config(env)
	require.NoError(t, err)
	assert.Equal(t, "https://real.example/", c.Issuer, "AXIOMS_ISS_URL wins over AXIOMS_DOMAIN")

	for _, bad := range []string{"-5", "soon", "1h-", "99999999999"} {
		env["AXIOMS_LEEWAY"] = bad
		_, err = config(env)
		assert.Error(t, err, bad)
	}
	env["AXIOMS_LEEWAY"] = "0"
	c, err = config(env)
	require.NoError(t, err)
	assert.Negative(t, c.Leeway, `"0" means no leeway`)
}

func TestAudienceClaimAndRequiredClaims(t *testing.T) {
	env := map[string]string{"AXIOMS_AUDIENCE_CLAIM": "client_id", "AXIOMS_REQUIRED_CLAIMS": "token_use=access, /ext/tier = gold"}
	c, err := config(env)
	require.NoError(t, err)
	assert.Equal(t, "client_id", c.AudienceClaim)
	assert.Equal(t, map[string]string{"token_use": "access", "/ext/tier": "gold"}, c.RequiredClaims)
	env["AXIOMS_REQUIRED_CLAIMS"] = "novalue"
	_, err = config(env)
	assert.ErrorContains(t, err, "AXIOMS_REQUIRED_CLAIMS: want name=value")
}

func TestMalformedDotEnvFails(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile(DefaultFile, []byte("AXIOMS_AUDIENCE='x\n"), 0o600))
	_, err := Load("")
	assert.Error(t, err)
}

// TestDeploymentSettings: every setting a container deployment needs has its variable.
func TestDeploymentSettings(t *testing.T) {
	c, err := config(map[string]string{
		"AXIOMS_REQUIRE_TYPE":              "true",
		"AXIOMS_REQUIRE_KEYS_AT_STARTUP":   "1",
		"AXIOMS_MIN_REFRESH_INTERVAL":      "10",
		"AXIOMS_MAX_REFRESH_BACKOFF":       "10m",
		"AXIOMS_REFRESH_INTERVAL":          "1h",
		"AXIOMS_FETCH_TIMEOUT":             "2s",
		"AXIOMS_CACHE_SIZE":                "100",
		"AXIOMS_CACHE_MAX_BYTES":           "16MiB",
		"AXIOMS_MAX_TOKEN_SIZE":            "16384",
		"AXIOMS_INSECURE_SKIP_HTTPS_CHECK": "TRUE",
	})
	require.NoError(t, err)
	assert.True(t, c.RequireType)
	assert.True(t, c.RequireKeysAtStartup)
	assert.Equal(t, 10*time.Second, c.MinRefreshInterval)
	assert.Equal(t, 10*time.Minute, c.MaxRefreshBackoff)
	assert.Equal(t, time.Hour, c.RefreshInterval)
	assert.Equal(t, 2*time.Second, c.FetchTimeout)
	assert.Equal(t, 100, c.CacheSize)
	assert.Equal(t, int64(16<<20), c.CacheMaxBytes)
	assert.Equal(t, 16384, c.MaxTokenSize)
	assert.True(t, c.InsecureSkipHTTPSCheck)

	c, err = config(map[string]string{"AXIOMS_REQUIRE_TYPE": "false", "AXIOMS_CACHE_SIZE": "0"})
	require.NoError(t, err)
	assert.False(t, c.RequireType)
	assert.Negative(t, c.CacheSize, `"0" turns the cache off`)

	bad := map[string]string{
		"AXIOMS_REQUIRE_TYPE":              "yes",
		"AXIOMS_REQUIRE_KEYS_AT_STARTUP":   "on",
		"AXIOMS_INSECURE_SKIP_HTTPS_CHECK": "enabled",
		"AXIOMS_MIN_REFRESH_INTERVAL":      "0",
		"AXIOMS_MAX_REFRESH_BACKOFF":       "forever",
		"AXIOMS_REFRESH_INTERVAL":          "-1m",
		"AXIOMS_FETCH_TIMEOUT":             "soon",
		"AXIOMS_CACHE_SIZE":                "-1",
		"AXIOMS_CACHE_MAX_BYTES":           "1TB",
		"AXIOMS_MAX_TOKEN_SIZE":            "8k",
	}
	for name, v := range bad {
		_, err := config(map[string]string{name: v})
		if assert.Error(t, err, "%s=%s", name, v) {
			assert.Contains(t, err.Error(), name)
		}
	}
	_, err = config(bad)
	require.Error(t, err)
	for name := range bad {
		assert.Contains(t, err.Error(), name, "every bad variable is reported at once")
	}
}

// TestEmptyIsAnError: a variable set to nothing (or white space) is an error naming it,
// never "unset"; an empty variable in the environment does not fall back to the file.
func TestEmptyIsAnError(t *testing.T) {
	for _, name := range []string{"AXIOMS_ISS_URL", "AXIOMS_AUDIENCE", "AXIOMS_JWKS_URL", "AXIOMS_DOMAIN", "AXIOMS_LEEWAY", "AXIOMS_REQUIRE_TYPE"} {
		for _, blank := range []string{"", "  \t"} {
			_, err := config(map[string]string{"AXIOMS_AUDIENCE": "api", name: blank})
			if assert.Error(t, err, "%s=%q", name, blank) {
				assert.Contains(t, err.Error(), name+" is set but empty")
			}
		}
	}

	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("AXIOMS_ISS_URL=https://file.example\nAXIOMS_AUDIENCE=\n"), 0o600))
	t.Setenv("AXIOMS_ISS_URL", "")
	e, err := Load("")
	require.NoError(t, err)
	_, err = e.ValidatorConfig()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AXIOMS_ISS_URL is set but empty in the environment")
	assert.Contains(t, err.Error(), "AXIOMS_AUDIENCE is set but empty in .env", "in the .env file too")
}

// TestExplainNamesVariables: Explain turns New's errors for a Config from the
// environment into ones naming the variables to set, not the Config fields, and keeps
// what errors.Is sees.
func TestExplainNamesVariables(t *testing.T) {
	c, err := config(map[string]string{"AXIOMS_ALGORITHMS": "HS256"})
	require.NoError(t, err)
	_, newErr := validator.New(t.Context(), c)
	require.Error(t, newErr)
	msg := Explain(newErr).Error()
	for _, want := range []string{"AXIOMS_ISS_URL is required", "AXIOMS_AUDIENCE", "AXIOMS_ALGORITHMS"} {
		assert.Contains(t, msg, want)
	}
	for _, field := range []string{"InsecureSkip", "Issuer", "Audiences", "Algorithms", "JWKSURL"} {
		assert.NotContains(t, msg, field)
	}

	c, err = config(map[string]string{
		"AXIOMS_ISS_URL": "https://issuer.example", "AXIOMS_AUDIENCE": "api", "AXIOMS_JWKS_URL": "http://keys.example/jwks.json",
	})
	require.NoError(t, err)
	_, newErr = validator.New(t.Context(), c)
	require.Error(t, newErr)
	msg = Explain(newErr).Error()
	assert.Contains(t, msg, "AXIOMS_JWKS_URL")
	assert.Contains(t, msg, "AXIOMS_INSECURE_SKIP_HTTPS_CHECK", "the variable that allows plain http")
	assert.NotContains(t, msg, "JWKSURL")

	_, newErr = validator.New(t.Context(), validator.Config{Audiences: []string{"api"}, JWKSURL: "https://keys.example/jwks.json"})
	require.Error(t, newErr)
	assert.Contains(t, newErr.Error(), "Issuer is required (set InsecureSkipIssuerCheck", "New itself names the fields")
	assert.NoError(t, Explain(nil))
}

// TestComposeNetwork is the docker-compose setup: tokens carry the issuer's public
// address (http://127.0.0.1:4444) while the service reaches the issuer by its service
// name (http://hydra:4444), on plain http. The HTTP client maps the host to a test
// issuer, so no DNS is involved.
func TestComposeNetwork(t *testing.T) {
	const publicIssuer = "http://127.0.0.1:4444"
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	env := map[string]string{
		"AXIOMS_ISS_URL":                   publicIssuer,
		"AXIOMS_JWKS_URL":                  "http://hydra:4444/.well-known/jwks.json",
		"AXIOMS_AUDIENCE":                  iss.Audience(),
		"AXIOMS_INSECURE_SKIP_HTTPS_CHECK": "true",
		"AXIOMS_REQUIRE_KEYS_AT_STARTUP":   "true",
	}
	c, err := config(env)
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
	v, err := validator.New(t.Context(), c)
	require.NoError(t, err)
	mu.Lock()
	assert.Equal(t, []string{"hydra:4444"}, dialed)
	mu.Unlock()
	claims, err := v.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"iss": publicIssuer}}))
	require.NoError(t, err)
	assert.Equal(t, publicIssuer, claims.Issuer())
	_, err = v.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{}))
	assert.Equal(t, validator.ReasonWrongIssuer, validator.ReasonOf(err), "the issuer's own URL is not the configured iss")

	delete(env, "AXIOMS_INSECURE_SKIP_HTTPS_CHECK")
	c, err = config(env)
	require.NoError(t, err)
	_, err = validator.New(t.Context(), c)
	require.Error(t, err, "plain http to a non-loopback host needs AXIOMS_INSECURE_SKIP_HTTPS_CHECK")
	assert.Contains(t, Explain(err).Error(), "AXIOMS_INSECURE_SKIP_HTTPS_CHECK")
}

// TestLeewayIsBounded: one cap for Config.Leeway and AXIOMS_LEEWAY, with the same
// message.
func TestLeewayIsBounded(t *testing.T) {
	for _, v := range []string{"999999999", "100000h", "301", "5m1s", "1h"} {
		_, err := parseLeeway(v)
		if assert.Error(t, err, v) {
			assert.Contains(t, err.Error(), "exceeds the maximum leeway of 5m0s")
		}
		_, err = config(map[string]string{"AXIOMS_LEEWAY": v})
		if assert.Error(t, err, v) {
			assert.Contains(t, err.Error(), "AXIOMS_LEEWAY")
			assert.Contains(t, err.Error(), "exceeds the maximum leeway of 5m0s")
		}
	}
	for _, v := range []string{"300", "5m", "0", "30s"} {
		_, err := parseLeeway(v)
		assert.NoError(t, err, v)
	}
	_, err := validator.New(t.Context(), validator.Config{Issuer: "https://i.example", Audiences: []string{"a"}, JWKS: []byte(`{"keys":[]}`),
		Leeway: 100000 * time.Hour})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exceeds the maximum leeway of 5m0s", "New words it the same")
}

func TestIntrospectionVariables(t *testing.T) {
	c, err := config(map[string]string{
		"AXIOMS_INTROSPECTION": "opaque", "AXIOMS_INTROSPECTION_URL": "https://hydra.example/admin/oauth2/introspect",
		"AXIOMS_INTROSPECTION_CLIENT_ID": "api", "AXIOMS_INTROSPECTION_CLIENT_SECRET": "s3cret",
		"AXIOMS_INTROSPECTION_AUTH_METHOD": "client_secret_post",
	})
	require.NoError(t, err)
	assert.Equal(t, &validator.Introspection{Endpoint: "https://hydra.example/admin/oauth2/introspect", ClientID: "api", ClientSecret: "s3cret",
		AuthMethod: validator.AuthClientSecretPost}, c.Introspection)

	c, err = config(map[string]string{"AXIOMS_INTROSPECTION": "all"})
	require.NoError(t, err)
	assert.Equal(t, &validator.Introspection{All: true}, c.Introspection, "the endpoint from discovery")
	for _, off := range []map[string]string{{}, {"AXIOMS_INTROSPECTION": "off"}, {"AXIOMS_INTROSPECTION": "OFF"}} {
		c, err = config(off)
		require.NoError(t, err)
		assert.Nil(t, c.Introspection, "off by default")
	}

	for name, tc := range map[string]struct {
		env  map[string]string
		want []string
	}{
		"secret without introspection": {map[string]string{"AXIOMS_INTROSPECTION_CLIENT_ID": "api", "AXIOMS_INTROSPECTION_CLIENT_SECRET": "s3cret"},
			[]string{"AXIOMS_INTROSPECTION_CLIENT_ID, AXIOMS_INTROSPECTION_CLIENT_SECRET set while AXIOMS_INTROSPECTION is unset or off"}},
		"URL while off": {map[string]string{"AXIOMS_INTROSPECTION": "off", "AXIOMS_INTROSPECTION_URL": "https://issuer.example/i"},
			[]string{"AXIOMS_INTROSPECTION_URL set while AXIOMS_INTROSPECTION is unset or off"}},
		"id without secret": {map[string]string{"AXIOMS_INTROSPECTION": "opaque", "AXIOMS_INTROSPECTION_CLIENT_ID": "api"},
			[]string{"AXIOMS_INTROSPECTION_CLIENT_ID and AXIOMS_INTROSPECTION_CLIENT_SECRET must be set together"}},
		"unknown mode":        {map[string]string{"AXIOMS_INTROSPECTION": "yes"}, []string{`AXIOMS_INTROSPECTION: "yes" is not one of off, opaque, all`}},
		"unknown auth method": {map[string]string{"AXIOMS_INTROSPECTION": "opaque", "AXIOMS_INTROSPECTION_AUTH_METHOD": "private_key_jwt"}, []string{`AXIOMS_INTROSPECTION_AUTH_METHOD: "private_key_jwt" is not one of`}},
		"empty secret":        {map[string]string{"AXIOMS_INTROSPECTION": "opaque", "AXIOMS_INTROSPECTION_CLIENT_ID": "api", "AXIOMS_INTROSPECTION_CLIENT_SECRET": " "}, []string{"AXIOMS_INTROSPECTION_CLIENT_SECRET"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := config(tc.env)
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), "s3cret", "the secret's value is never repeated")
		})
	}

	// validator.New's messages name the variables.
	c, err = config(map[string]string{"AXIOMS_ISS_URL": "https://issuer.example", "AXIOMS_AUDIENCE": "api",
		"AXIOMS_JWKS_URL": "https://issuer.example/jwks", "AXIOMS_INTROSPECTION": "opaque"})
	require.NoError(t, err)
	_, newErr := validator.New(t.Context(), c)
	require.Error(t, newErr)
	assert.Contains(t, Explain(newErr).Error(), "AXIOMS_INTROSPECTION_URL is required when JWKS or AXIOMS_JWKS_URL is set")
	c, err = config(map[string]string{"AXIOMS_ISS_URL": "https://issuer.example", "AXIOMS_AUDIENCE": "api",
		"AXIOMS_INTROSPECTION": "opaque", "AXIOMS_INTROSPECTION_URL": "http://hydra:4445/admin/oauth2/introspect"})
	require.NoError(t, err)
	_, newErr = validator.New(t.Context(), c)
	require.Error(t, newErr)
	assert.Contains(t, Explain(newErr).Error(), `AXIOMS_INTROSPECTION_URL: "http://hydra:4445/admin/oauth2/introspect" must use https`)
	assert.Contains(t, Explain(newErr).Error(), "AXIOMS_INSECURE_SKIP_HTTPS_CHECK")
}

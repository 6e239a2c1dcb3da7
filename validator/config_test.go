package validator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

func TestNewRejectsInvalidConfig(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	keys := jwksJSON(t, s.jwk(t, nil))
	base := func() validator.Config {
		return validator.Config{Issuer: testIssuer, Audiences: []string{testAudience}, JWKS: keys, Logger: quietLogger}
	}
	rows := []struct {
		name   string
		mutate func(*validator.Config)
		want   string
	}{
		{"no issuer", func(c *validator.Config) { c.Issuer = "" }, "Issuer is required"},
		{"issuer with spaces", func(c *validator.Config) { c.Issuer = " " + testIssuer }, "white space"},
		{"no audience", func(c *validator.Config) { c.Audiences = nil }, "audience is required"},
		{"empty audience", func(c *validator.Config) { c.Audiences = []string{""} }, "empty value"},
		{"alg none", func(c *validator.Config) { c.Algorithms = []string{"none"} }, `"none" can never be enabled`},
		{"alg None", func(c *validator.Config) { c.Algorithms = []string{"RS256", "None"} }, `"None" can never be enabled`},
		{"alg HS256", func(c *validator.Config) { c.Algorithms = []string{"HS256"} }, `"HS256" can never be enabled`},
		{"alg hs512", func(c *validator.Config) { c.Algorithms = []string{"hs512"} }, `"hs512" can never be enabled`},
		{"unknown alg", func(c *validator.Config) { c.Algorithms = []string{"ES256K"} }, `unsupported algorithm "ES256K"`},
		{"alg in the wrong case", func(c *validator.Config) { c.Algorithms = []string{"rs256"} }, `case-sensitive: "RS256"`},
		{"negative size", func(c *validator.Config) { c.MaxTokenSize = -1 }, "MaxTokenSize must not be negative"},
		{"negative timeout", func(c *validator.Config) { c.FetchTimeout = -time.Second }, "FetchTimeout must not be negative"},
		{"bad claim pointer", func(c *validator.Config) { c.RoleClaims = []string{"/realm_access/~2"} }, "RoleClaims"},
		{"empty claim name", func(c *validator.Config) { c.ScopeClaims = []string{""} }, "ScopeClaims"},
		{"claim listed twice", func(c *validator.Config) { c.PermissionClaims = []string{"p", "p"} }, "twice"},
		{"unusable static JWKS", func(c *validator.Config) { c.JWKS = []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`) }, "no usable signing key"},
		{"static JWKS not JSON", func(c *validator.Config) { c.JWKS = []byte(`<html>`) }, "not a JSON object"},
		{"plain-http JWKS URL", func(c *validator.Config) { c.JWKS = nil; c.JWKSURL = "http://issuer.example.test/jwks" }, "must use https"},
		{"JWKS URL with credentials", func(c *validator.Config) { c.JWKS = nil; c.JWKSURL = "https://u:p@issuer.example.test/jwks" }, "credentials"},
		{"relative JWKS URL", func(c *validator.Config) { c.JWKS = nil; c.JWKSURL = "/jwks" }, "not an absolute URL"},
		{"issuer not usable for discovery", func(c *validator.Config) { c.JWKS = nil; c.Issuer = "my-issuer" }, "set JWKSURL"},
		{"plain-http issuer for discovery", func(c *validator.Config) { c.JWKS = nil; c.Issuer = "http://issuer.example.test" }, "must use https"},
		{"ftp JWKS URL", func(c *validator.Config) { c.JWKS = nil; c.JWKSURL = "ftp://issuer.example.test/jwks" }, "unsupported scheme"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			cfg := base()
			r.mutate(&cfg)
			v, err := validator.New(t.Context(), cfg)
			require.Error(t, err)
			assert.Nil(t, v)
			assert.Contains(t, err.Error(), r.want)
		})
	}

	t.Run("all problems reported at once", func(t *testing.T) {
		_, err := validator.New(t.Context(), validator.Config{Algorithms: []string{"none", "HS256"}, JWKS: keys, Logger: quietLogger})
		require.Error(t, err)
		for _, want := range []string{"Issuer is required", "audience is required", `"none"`, `"HS256"`} {
			assert.Contains(t, err.Error(), want)
		}
	})
}

func TestInsecureSkipFields(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	keys := jwksJSON(t, s.jwk(t, nil))
	v := staticValidator(t, validator.Config{InsecureSkipIssuerCheck: true, InsecureSkipAudienceCheck: true}, keys)
	c, err := v.Validate(t.Context(), s.token(t, claims(map[string]any{"iss": "https://anyone.example", "aud": "anything"}), nil))
	require.NoError(t, err)
	assert.Equal(t, "https://anyone.example", c.Issuer())

	_, err = v.Validate(t.Context(), s.token(t, claims(map[string]any{"iss": nil, "aud": nil}), nil))
	require.NoError(t, err, "absent iss and aud are accepted only when both checks are skipped")

	_, err = v.Validate(t.Context(), s.token(t, claims(map[string]any{"aud": 5}), nil))
	assert.Equal(t, validator.ReasonMalformed, validator.ReasonOf(err), "types are still checked")

	// The http check can be skipped for private networks.
	_, err = validator.New(t.Context(), validator.Config{Issuer: testIssuer, Audiences: []string{testAudience},
		JWKSURL: "http://issuer.internal/jwks", InsecureSkipHTTPSCheck: true, FetchTimeout: time.Millisecond, Logger: quietLogger})
	require.NoError(t, err)
}

func TestLeewaySettings(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	keys := jwksJSON(t, s.jwk(t, nil))
	justExpired := s.token(t, claims(map[string]any{"exp": testNow.Add(-time.Second).Unix()}), nil)

	_, err := staticValidator(t, validator.Config{}, keys).Validate(t.Context(), justExpired)
	require.NoError(t, err, "default leeway is 30s")

	_, err = staticValidator(t, validator.Config{Leeway: -1}, keys).Validate(t.Context(), justExpired)
	requireReason(t, err, validator.ReasonExpired, "a negative leeway means none")

	_, err = staticValidator(t, validator.Config{Leeway: validator.MaxLeeway}, keys).Validate(t.Context(),
		s.token(t, claims(map[string]any{"exp": testNow.Add(-4 * time.Minute).Unix()}), nil))
	require.NoError(t, err)
}

func TestMaxTokenSize(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{MaxTokenSize: 400}, jwksJSON(t, s.jwk(t, nil)))
	small := s.token(t, claims(nil), nil)
	require.Less(t, len(small), 400)
	_, err := v.Validate(t.Context(), small)
	require.NoError(t, err)
	big := s.token(t, claims(map[string]any{"pad": string(make([]byte, 200))}), nil)
	_, err = v.Validate(t.Context(), big)
	requireReason(t, err, validator.ReasonTooLarge)
}

// TestNewCopiesConfiguredLists: changing the slices given to New after New has returned
// changes nothing in the validator, and the defaults are fresh slices: changing one
// changes neither the next call's result nor a validator built afterwards.
func TestNewCopiesConfiguredLists(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	keys := jwksJSON(t, s.jwk(t, nil))
	tok := s.token(t, claims(map[string]any{"roles": []string{"r"}, "groups": []string{"g"}, "scope": "a", "scp": "b"}), nil)

	algs, roles, auds := []string{"ES256"}, []string{"roles"}, []string{testAudience}
	configured := staticValidator(t, validator.Config{Algorithms: algs, RoleClaims: roles, Audiences: auds}, keys)

	for _, d := range []struct {
		name string
		get  func() []string
		want []string
	}{
		{"DefaultAlgorithms", validator.DefaultAlgorithms, []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}},
		{"DefaultScopeClaims", validator.DefaultScopeClaims, []string{"scope", "scp"}},
		{"DefaultRoleClaims", validator.DefaultRoleClaims, []string{"roles"}},
		{"DefaultPermissionClaims", validator.DefaultPermissionClaims, []string{"permissions"}},
	} {
		l := d.get()
		require.Equal(t, d.want, l, d.name)
		for i := range l {
			l[i] = "groups"
		}
		assert.Equal(t, d.want, d.get(), "%s: a caller's change is not seen by the next", d.name)
	}
	defaults := staticValidator(t, validator.Config{}, keys)

	algs[0], roles[0], auds[0] = "RS256", "groups", "https://other.example"
	for name, v := range map[string]*validator.Validator{"configured": configured, "defaults": defaults} {
		c, err := v.Validate(t.Context(), tok)
		require.NoError(t, err, name)
		assert.Equal(t, []string{"r"}, c.Roles(), name)
		assert.Equal(t, []string{"a"}, c.Scopes(), name)
	}
}

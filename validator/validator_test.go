package validator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

func TestValidateAcceptsEveryDefaultAlgorithm(t *testing.T) {
	for _, alg := range validator.DefaultAlgorithms() {
		t.Run(alg, func(t *testing.T) {
			s := newSigner(t, alg, "k-"+alg)
			v := staticValidator(t, validator.Config{}, jwksJSON(t, s.jwk(t, nil)))
			tok := s.token(t, claims(map[string]any{"scope": "read:data write:data", "roles": []string{"admin"}}), nil)

			c, err := v.Validate(t.Context(), tok)
			require.NoError(t, err)
			assert.Equal(t, "user-1", c.Subject())
			assert.Equal(t, testIssuer, c.Issuer())
			assert.Equal(t, []string{testAudience}, c.Audience())
			assert.Equal(t, "token-1", c.ID())
			assert.True(t, c.ExpiresAt().Equal(testNow.Add(time.Hour)))
			assert.True(t, c.NotBefore().Equal(testNow))
			assert.True(t, c.IssuedAt().Equal(testNow))
			assert.Equal(t, []string{"read:data", "write:data"}, c.Scopes())
			assert.Equal(t, []string{"admin"}, c.Roles())
			assert.Nil(t, c.Permissions())
		})
	}
}

func TestCachedTokenIsSharedAndExpires(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	now := testNow
	v := staticValidator(t, validator.Config{Now: func() time.Time { return now }}, jwksJSON(t, s.jwk(t, nil)))
	tok := s.token(t, claims(map[string]any{"exp": testNow.Add(time.Minute).Unix()}), nil)

	c1, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	c2, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	assert.Same(t, c1, c2, "a repeated token is answered from the cache")

	allocs := testing.AllocsPerRun(100, func() {
		if _, err := v.Validate(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs, "a cache hit does not allocate")

	now = testNow.Add(time.Minute) // at exp: the cache no longer serves it; leeway still accepts
	c3, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	assert.NotSame(t, c1, c3)

	now = testNow.Add(time.Minute + validator.DefaultLeeway)
	_, err = v.Validate(t.Context(), tok)
	requireReason(t, err, validator.ReasonExpired)
}

// TestSharedClaimsCannotBeChangedByACaller: the cache hands the same *Claims to every
// presentation of a token, so nothing one caller does with what it gets may change what the
// next caller sees.
func TestSharedClaimsCannotBeChangedByACaller(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{Now: func() time.Time { return testNow }}, jwksJSON(t, s.jwk(t, nil)))
	tok := s.token(t, claims(map[string]any{
		"scope": "read:data", "roles": []string{"editor"}, "permissions": []string{"p"},
		"realm_access": map[string]any{"roles": []string{"r"}},
	}), nil)

	c1, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	c1.Audience()[0] = "mutated"
	c1.Scopes()[0] = "admin"
	c1.Roles()[0] = "admin"
	c1.Permissions()[0] = "admin"
	nested, ok := c1.Claim("realm_access")
	require.True(t, ok)
	nested.(map[string]any)["roles"] = []any{"admin"}
	c1.Map()["sub"] = "admin"

	c2, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	require.Same(t, c1, c2, "answered from the cache")
	assert.Equal(t, []string{testAudience}, c2.Audience())
	assert.Equal(t, []string{"read:data"}, c2.Scopes())
	assert.Equal(t, []string{"editor"}, c2.Roles())
	assert.Equal(t, []string{"p"}, c2.Permissions())
	roles, _ := c2.Claim("/realm_access/roles")
	assert.Equal(t, []any{"r"}, roles)
	assert.Equal(t, "user-1", c2.Subject())
}

func TestCacheDisabled(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{CacheSize: -1}, jwksJSON(t, s.jwk(t, nil)))
	tok := s.token(t, claims(nil), nil)
	c1, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	c2, err := v.Validate(t.Context(), tok)
	require.NoError(t, err)
	assert.NotSame(t, c1, c2)
	assert.Equal(t, c1.Subject(), c2.Subject())
}

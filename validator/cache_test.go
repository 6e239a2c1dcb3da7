package validator_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// bulkyClaims are the claims of a large but ordinary token: hundreds of groups and
// roles and a nested object, about 8 KiB of JSON that decodes to several times that.
func bulkyClaims() map[string]any {
	groups := make([]any, 400)
	for i := range groups {
		groups[i] = fmt.Sprintf("group-%04d", i)
	}
	ext := make(map[string]any, 60)
	for i := range 60 {
		ext[fmt.Sprintf("attr-%02d", i)] = fmt.Sprintf("value-%02d-0123456789", i)
	}
	return map[string]any{"groups": groups, "roles": groups[:100], "ext": ext}
}

// TestVerifiedTokenCacheHeapBound: thousands of distinct valid tokens with bulky claims
// (about 11 KiB each, counted about 52 KiB in the cache) keep the verified-token cache
// within its default byte bound: the heap grows by at most the bound plus a margin. It
// grew by 236 MiB when the cache was bounded by entries only (4096 of them).
func TestVerifiedTokenCacheHeapBound(t *testing.T) {
	if testing.Short() {
		t.Skip("mints thousands of tokens")
	}
	const bound = validator.DefaultCacheMaxBytes
	const tokens = 5000
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	v, err := validator.New(t.Context(), validator.Config{
		Issuer:       iss.URL(),
		Audiences:    []string{iss.Audience()},
		JWKS:         []byte(`{"keys":[` + string(iss.Key("ES256").PublicJWK()) + `]}`),
		MaxTokenSize: 64 << 10,
		Logger:       quietLogger,
	})
	require.NoError(t, err)
	claims := bulkyClaims()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var last string
	for i := range tokens {
		claims["jti"] = fmt.Sprint("bulky-", i)
		last = iss.Token(t, axiomstest.TokenSpec{Claims: claims})
		_, err := v.Validate(t.Context(), last)
		require.NoError(t, err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap growth after %d tokens of %d bytes: %.1f MiB (bound %d MiB)", tokens, len(last), float64(growth)/(1<<20), bound>>20)

	// The margin covers what the count of an entry leaves out (about 1% for these claims)
	// and what else the heap holds after a collection.
	assert.LessOrEqual(t, growth, int64(bound+bound/8+2<<20), "the cache holds more than its byte bound")
	assert.Greater(t, growth, int64(bound/4), "the cache holds bulky tokens until its bound")
	c1, err := v.Validate(t.Context(), last)
	require.NoError(t, err)
	c2, err := v.Validate(t.Context(), last)
	require.NoError(t, err)
	assert.Same(t, c1, c2, "the last token is served from the cache")
	runtime.KeepAlive(v)
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

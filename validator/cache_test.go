package validator_test

import (
	"fmt"
	"runtime"
	"testing"

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

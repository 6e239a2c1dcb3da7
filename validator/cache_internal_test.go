package validator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// internalSigner signs ES256 tokens with the standard library, for tests that need the
// package's internals.
type internalSigner struct {
	priv *ecdsa.PrivateKey
	kid  string
}

func newInternalSigner(t testing.TB, kid string) *internalSigner {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return &internalSigner{priv: priv, kid: kid}
}

func (s *internalSigner) jwks() []byte {
	enc := base64.RawURLEncoding
	return fmt.Appendf(nil, `{"keys":[{"kty":"EC","crv":"P-256","kid":%q,"alg":"ES256","use":"sig","x":%q,"y":%q}]}`,
		s.kid, enc.EncodeToString(s.priv.X.FillBytes(make([]byte, 32))), enc.EncodeToString(s.priv.Y.FillBytes(make([]byte, 32))))
}

func (s *internalSigner) sign(t testing.TB, header, payload string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	sum := sha256.Sum256([]byte(input))
	r, sv, err := ecdsa.Sign(rand.Reader, s.priv, sum[:])
	require.NoError(t, err)
	return input + "." + enc.EncodeToString(append(r.FillBytes(make([]byte, 32)), sv.FillBytes(make([]byte, 32))...))
}

// token signs a valid claim set for issuer and audience "aud", expiring at exp, with jti.
func (s *internalSigner) token(t testing.TB, issuer string, exp time.Time, jti string) string {
	t.Helper()
	return s.sign(t, fmt.Sprintf(`{"alg":"ES256","kid":%q}`, s.kid),
		fmt.Sprintf(`{"iss":%q,"aud":"aud","exp":%d,"jti":%q}`, issuer, exp.Unix(), jti))
}

func TestVerifiedTokenCacheStaysWithinItsBound(t *testing.T) {
	const bound = 32
	now := time.Unix(1_800_000_000, 0)
	s := newInternalSigner(t, "k1")
	v, err := New(t.Context(), Config{Issuer: "https://issuer.example", Audiences: []string{"aud"}, JWKS: s.jwks(),
		CacheSize: bound, Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	require.NotNil(t, v.cache)
	require.LessOrEqual(t, v.cache.perShard*cacheShards, bound+cacheShards-1, "per-shard quota rounds the bound up by less than one entry per shard")

	maxLen := 0
	var last string
	var lastClaims *Claims
	for i := range 1000 {
		tok := s.token(t, "https://issuer.example", now.Add(time.Hour), fmt.Sprint("jti-", i))
		c, err := v.Validate(t.Context(), tok)
		require.NoError(t, err)
		n := v.cache.len()
		maxLen = max(maxLen, n)
		require.LessOrEqual(t, n, bound, "after %d distinct tokens", i+1)
		last, lastClaims = tok, c
	}
	assert.Greater(t, maxLen, bound/2, "eviction drops one entry at a time; the cache does not empty itself")

	// The entry just inserted serves hits: the same *Claims, without a new verification.
	again, err := v.Validate(t.Context(), last)
	require.NoError(t, err)
	assert.Same(t, lastClaims, again)

	// Every entry still in the cache is served from it.
	hits := 0
	for i := range v.cache.shards {
		sh := &v.cache.shards[i]
		sh.mu.RLock()
		entries := make(map[string]*Claims, len(sh.m))
		for tok, e := range sh.m {
			entries[tok] = e.claims
		}
		sh.mu.RUnlock()
		for tok, want := range entries {
			got, err := v.Validate(t.Context(), tok)
			require.NoError(t, err)
			assert.Same(t, want, got)
			hits++
		}
	}
	assert.Equal(t, v.cache.len(), hits)
	assert.Positive(t, hits)
}

func TestCacheEvictionPrefersExpiredEntries(t *testing.T) {
	const iss = "https://issuer.example"
	now := time.Unix(1_800_000_000, 0)
	s := newInternalSigner(t, "k1")
	// Map iteration order is random: repeat, so that evicting an arbitrary entry instead
	// of the expired one would show.
	for round := range 20 {
		clock := now
		v, err := New(t.Context(), Config{Issuer: iss, Audiences: []string{"aud"}, JWKS: s.jwks(),
			CacheSize: 2 * cacheShards, Leeway: -1, Now: func() time.Time { return clock }, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		require.Equal(t, 2, v.cache.perShard)

		// One shard holds a short-lived and a long-lived token; once the short one has
		// expired, a third token for that shard evicts it and keeps the live one.
		short := s.token(t, iss, now.Add(time.Minute), fmt.Sprint("short-", round))
		sh := v.cache.shard(short)
		sameShard := func(prefix string) string {
			for i := 0; ; i++ {
				tok := s.token(t, iss, now.Add(time.Hour), fmt.Sprint(prefix, round, "-", i))
				if v.cache.shard(tok) == sh {
					return tok
				}
			}
		}
		live, next := sameShard("live-"), sameShard("next-")
		for _, tok := range []string{short, live} {
			_, err := v.Validate(t.Context(), tok)
			require.NoError(t, err)
		}
		require.Len(t, sh.m, 2)

		clock = now.Add(2 * time.Minute)
		_, err = v.Validate(t.Context(), next)
		require.NoError(t, err)
		_, hasLive := sh.m[live]
		_, hasNext := sh.m[next]
		_, hasShort := sh.m[short]
		assert.Len(t, sh.m, 2, "a full shard stays at its quota")
		assert.True(t, hasLive, "round %d: the live entry is kept", round)
		assert.True(t, hasNext, "round %d: the new entry is stored", round)
		assert.False(t, hasShort, "round %d: the expired entry is the one evicted", round)
	}
}

// checkCacheBytes asserts that every shard's byte count is the sum of its entries'
// sizes and within the shard's byte bound.
func checkCacheBytes(t *testing.T, c *tokenCache) {
	t.Helper()
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		sum := 0
		for _, e := range sh.m {
			sum += e.size
		}
		bytes := sh.bytes
		sh.mu.RUnlock()
		require.Equal(t, sum, bytes, "shard %d counts its entries", i)
		require.LessOrEqual(t, bytes, c.perShardBytes, "shard %d stays within its bytes", i)
	}
}

// TestCacheByteBound: the cache keeps within Config.CacheMaxBytes whatever the entries'
// sizes, counts what expiry, withdrawal and eviction remove, and does not cache an
// entry larger than a shard's share or than maxCacheEntry.
func TestCacheByteBound(t *testing.T) {
	const iss = "https://issuer.example"
	now := time.Unix(1_800_000_000, 0)
	clock := now
	s := newInternalSigner(t, "k1")
	v, err := New(t.Context(), Config{Issuer: iss, Audiences: []string{"aud"}, JWKS: s.jwks(), MaxTokenSize: 1 << 20,
		CacheMaxBytes: cacheShards * 8 << 10, Now: func() time.Time { return clock }, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	require.Equal(t, 8<<10, v.cache.perShardBytes)

	token := func(exp time.Time, jti string, pad int) string {
		return s.sign(t, fmt.Sprintf(`{"alg":"ES256","kid":%q}`, s.kid),
			fmt.Sprintf(`{"iss":%q,"aud":"aud","exp":%d,"jti":%q,"pad":%q}`, iss, exp.Unix(), jti, strings.Repeat("x", pad)))
	}
	for i := range 400 {
		_, err := v.Validate(t.Context(), token(now.Add(time.Duration(1+i%3)*time.Minute), fmt.Sprint("t-", i), i%7*200))
		require.NoError(t, err)
		checkCacheBytes(t, v.cache)
	}
	require.Positive(t, v.cache.len())
	assert.Less(t, v.cache.len(), 400, "the byte bound evicts long before the entry bound (4096)")

	clock = now.Add(90 * time.Second) // about a third of the entries expired: lookups drop them
	for i := range 400 {
		_, err := v.Validate(t.Context(), token(now.Add(time.Duration(1+i%3)*time.Minute), fmt.Sprint("t-", i), i%7*200))
		if err == nil {
			checkCacheBytes(t, v.cache)
		}
	}

	big := token(now.Add(time.Hour), "big", 8<<10) // more than a shard's 8 KiB
	c1, err := v.Validate(t.Context(), big)
	require.NoError(t, err)
	c2, err := v.Validate(t.Context(), big)
	require.NoError(t, err)
	assert.NotSame(t, c1, c2, "an entry larger than a shard's share is not cached")

	v2, err := New(t.Context(), Config{Issuer: iss, Audiences: []string{"aud"}, JWKS: s.jwks(), MaxTokenSize: 1 << 20,
		Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	huge := token(now.Add(time.Hour), "huge", maxCacheEntry)
	c1, err = v2.Validate(t.Context(), huge)
	require.NoError(t, err)
	c2, err = v2.Validate(t.Context(), huge)
	require.NoError(t, err)
	assert.NotSame(t, c1, c2, "an entry counting more than maxCacheEntry is not cached")
	small := token(now.Add(time.Hour), "small", 100)
	c1, err = v2.Validate(t.Context(), small)
	require.NoError(t, err)
	c2, err = v2.Validate(t.Context(), small)
	require.NoError(t, err)
	assert.Same(t, c1, c2)
	checkCacheBytes(t, v2.cache)
}

// TestEntrySize: the count of an entry grows with what the claims hold, and stops early
// once past its limit.
func TestEntrySize(t *testing.T) {
	small := &Claims{set: map[string]any{"sub": "u", "exp": 1.0}, payload: make([]byte, 30)}
	n := entrySize("tok", small, 1<<30)
	assert.Greater(t, n, entryFixed)
	assert.Less(t, n, 1<<10)

	list := make([]any, 1000)
	for i := range list {
		list[i] = fmt.Sprint("g", i)
	}
	large := &Claims{set: map[string]any{"groups": list, "nested": map[string]any{"a": []any{true, nil, 1.5}}}, roles: make([]string, 1000)}
	n = entrySize("tok", large, 1<<30)
	assert.Greater(t, n, 1000*(listItem+boxedString+16)+1000*listItem, "each group: its slot, its boxed header, its bytes, and its copy in roles")
	limited := entrySize("tok", large, 4<<10)
	assert.Greater(t, limited, 4<<10, "past the limit: not cached")
	assert.Less(t, limited, n/2, "the walk of the claims stops once past the limit")
}

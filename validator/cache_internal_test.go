package validator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
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

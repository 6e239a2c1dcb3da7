package validator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProofKeyThumbprintRFC7638: the example of RFC 7638 §3.1 and the key of RFC 9449's
// examples (Figure 9 gives its thumbprint).
func TestProofKeyThumbprintRFC7638(t *testing.T) {
	for _, tc := range []struct {
		name string
		jwk  map[string]any
		want string
	}{
		{"RFC 7638 §3.1", map[string]any{
			"kty": "RSA",
			"n":   "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
			"e":   "AQAB",
			"alg": "RS256",
			"kid": "2011-04-29",
		}, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
		{"RFC 9449 Figure 9", map[string]any{
			"kty": "EC",
			"x":   "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
			"y":   "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
			"crv": "P-256",
		}, "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, thumbprint, e := parseProofKey(tc.jwk)
			require.Nil(t, e)
			require.NotNil(t, k)
			assert.Equal(t, tc.want, thumbprint)
		})
	}
}

// TestRemoveDotSegments: the examples of RFC 3986 §5.2.4 and §5.4 that are absolute
// paths.
func TestRemoveDotSegments(t *testing.T) {
	for in, want := range map[string]string{
		"/a/b/c/./../../g": "/a/g",
		"/b/c/./g":         "/b/c/g",
		"/b/c/g/":          "/b/c/g/",
		"/b/c/../g":        "/b/g",
		"/b/c/../..":       "/",
		"/b/c/../../g":     "/g",
		"/b/c/../../../g":  "/g",
		"/./g":             "/g",
		"/../g":            "/g",
		"/b/c/g.":          "/b/c/g.",
		"/b/c/.g":          "/b/c/.g",
		"/b/c/g..":         "/b/c/g..",
		"/b/c/..g":         "/b/c/..g",
		"/b/c/./../g":      "/b/g",
		"/b/c/g/.":         "/b/c/g/",
		"/b/c/g/./h":       "/b/c/g/h",
		"/b/c/g/../h":      "/b/c/h",
		"/.":               "/",
		"/..":              "/",
		"":                 "",
		"/":                "/",
		"//a/../b":         "//b",
	} {
		assert.Equal(t, want, removeDotSegments(in), in)
	}
}

// TestReplayCacheOrder: entries leave in order of expiry, whatever the order they came
// in, and the map and the heap always hold the same entries.
func TestReplayCacheOrder(t *testing.T) {
	c := newReplayCache(1000, 1000)
	base := time.Unix(1_800_000_000, 0)
	r := rand.New(rand.NewPCG(1, 2))
	expiry := map[replayID]time.Time{}
	for i := range 1000 {
		var id replayID
		binary.BigEndian.PutUint64(id[:], uint64(i))
		exp := base.Add(time.Duration(r.IntN(100)) * time.Second)
		expiry[id] = exp
		require.Nil(t, c.record(id, replayID{byte(i % 7)}, exp, base))
	}
	e := c.record(replayID{0xff}, replayID{0xff}, base, base)
	require.NotNil(t, e, "the cache is full of live entries")
	assert.Equal(t, errDPoPReplayFull.desc, e.desc)
	for s := 0; s <= 100; s++ {
		now := base.Add(time.Duration(s)*time.Second + time.Nanosecond)
		c.record(replayID{0xfe, byte(s)}, replayID{0xfe}, now, now) // drops the expired, may record
		c.mu.Lock()
		assert.Equal(t, len(c.expires), len(c.heap))
		counts := map[replayID]int{}
		for _, e := range c.heap {
			assert.False(t, e.expires < now.UnixNano(), "expired entry kept")
			counts[e.key]++
		}
		assert.Equal(t, counts, c.counts, "the per-key counts are those of the live entries")
		for id, exp := range expiry {
			_, kept := c.expires[id]
			assert.Equal(t, !exp.Before(now), kept)
		}
		c.mu.Unlock()
	}
}

// FuzzDPoPHTU: normalisation is idempotent, and a proof's htu matches the request URL
// of its normal form (a request URL with dot segments matches none).
func FuzzDPoPHTU(f *testing.F) {
	for _, seed := range []string{
		"https://api.example.test/orders/42", "HTTPS://API.EXAMPLE.TEST:443/a/./b/../c", "http://[::1]:80/",
		"https://a.test/%7e%2f%41", "https://a.test", "https://a.test/..", "https://u@a.test/", "https://a.test:0/",
		"https://a.test/%", "https://a.test/%zz", "https://a.test/?q", "ftp://a.test/", "/relative", "",
		"https://a.test/\xff", "https://a.test/a/b/../../../../c",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := normalizeHTU(s)
		if !ok {
			return
		}
		again, ok := normalizeHTU(n)
		if !ok || again != n {
			t.Fatalf("normalisation is not idempotent: %q -> %q -> %q (%v)", s, n, again, ok)
		}
		if !sameHTU(s, n) || !sameHTU(n, n) {
			t.Fatalf("%q and its normal form %q differ", s, n)
		}
		if _, keeps := normalizeURL(s, false); keeps != sameHTU(n, s) {
			t.Fatalf("request URL %q: matches its normal form %q: %v, has no dot segments: %v", s, n, sameHTU(n, s), keeps)
		}
	})
}

// TestAccessTokenHash: the ath of RFC 9449 §7.1's example token.
func TestAccessTokenHash(t *testing.T) {
	assert.Equal(t, "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", accessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"))
	sum := sha256.Sum256(nil)
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:]), accessTokenHash(""))
}

// TestReplayCacheShareOfAKey: a key holding perKey live entries cannot record more
// until one expires, while other keys still record theirs.
func TestReplayCacheShareOfAKey(t *testing.T) {
	c := newReplayCache(10, 3)
	base := time.Unix(1_800_000_000, 0)
	a, b := replayID{0xa}, replayID{0xb}
	for i := range 3 {
		require.Nil(t, c.record(replayID{0xa, byte(i)}, a, base.Add(time.Duration(i+1)*time.Second), base))
	}
	e := c.record(replayID{0xa, 9}, a, base.Add(time.Minute), base)
	require.NotNil(t, e, "a's share is full")
	assert.Equal(t, errDPoPReplayKeyFull.desc, e.desc)
	require.Nil(t, c.record(replayID{0xb, 0}, b, base.Add(time.Minute), base), "another key still records")
	later := base.Add(time.Second + time.Nanosecond) // a's first entry has expired
	require.Nil(t, c.record(replayID{0xa, 9}, a, later.Add(time.Minute), later))
	assert.Equal(t, map[replayID]int{a: 3, b: 1}, c.counts)
}

package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rsaKey is the one RSA key of the package's tests: generating RSA keys is slow.
var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, RSABits)
	if err != nil {
		panic(err)
	}
	return k
})

// testKeys holds one key per algorithm, kid "kid-<alg>"; the RSA algorithms share
// rsaKey.
var testKeys = sync.OnceValue(func() map[string]*Key {
	keys := map[string]*Key{}
	for _, alg := range Algorithms() {
		var k *Key
		var err error
		if family, _, _ := parseAlg(alg); family == "RS" || family == "PS" {
			k, err = New(rsaKey(), alg, "kid-"+alg)
		} else {
			k, err = Generate(alg, "kid-"+alg)
		}
		if err != nil {
			panic(err)
		}
		keys[alg] = k
	}
	return keys
})

func jsonObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err, "%q is canonical unpadded base64url", s)
	return b
}

// thumbprint computes an RFC 7638 thumbprint from a JWK's members without jwx: the
// required members in lexicographic order, no whitespace, SHA-256, base64url.
func thumbprint(t *testing.T, m map[string]any) string {
	t.Helper()
	var names []string
	switch m["kty"] {
	case "RSA":
		names = []string{"e", "kty", "n"}
	case "EC":
		names = []string{"crv", "kty", "x", "y"}
	case "OKP":
		names = []string{"crv", "kty", "x"}
	default:
		t.Fatalf("kty %v", m["kty"])
	}
	canon := "{"
	for n, name := range names {
		if n > 0 {
			canon += ","
		}
		canon += fmt.Sprintf("%q:%q", name, m[name])
	}
	sum := sha256.Sum256([]byte(canon + "}"))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestThumbprintHelperMatchesRFC7638(t *testing.T) {
	// RFC 7638 §3.1 and RFC 8037 §A.3.
	assert.Equal(t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", thumbprint(t, map[string]any{
		"kty": "RSA", "e": "AQAB",
		"n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
	}))
	assert.Equal(t, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", thumbprint(t, map[string]any{
		"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
	}))
}

func TestGenerate(t *testing.T) {
	// One RSA algorithm: the RS* and PS* share a branch, and RSA generation is slow.
	for _, alg := range []string{"PS384", "ES256", "ES384", "ES512", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			k, err := Generate(alg, "")
			require.NoError(t, err)
			assert.Equal(t, alg, k.Alg)
			pub, err := k.PublicJWK()
			require.NoError(t, err)
			assert.Equal(t, thumbprint(t, jsonObject(t, pub)), k.ID, "an empty kid becomes the RFC 7638 thumbprint")
			assert.True(t, CanSign(k.Signer, alg))
			switch key := k.Signer.(type) {
			case *rsa.PrivateKey:
				assert.Equal(t, RSABits, key.N.BitLen())
			case *ecdsa.PrivateKey:
				want := map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg]
				assert.Equal(t, want, key.Curve.Params().Name)
			case ed25519.PrivateKey:
				assert.Equal(t, "EdDSA", alg)
			default:
				t.Fatalf("unexpected key type %T", key)
			}

			named, err := Generate(alg, "my-kid")
			require.NoError(t, err)
			assert.Equal(t, "my-kid", named.ID)
			assert.NotEqual(t, k.Public(), named.Public(), "every call makes a new key")
		})
	}
	for _, alg := range []string{"", "none", "HS256", "rs256", "ES256K", "Ed25519", "RSA-OAEP"} {
		_, err := Generate(alg, "")
		assert.Error(t, err, alg)
	}
}

func TestNew(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	k, err := New(ec, "ES256", "")
	require.NoError(t, err)
	tp, err := Thumbprint(ec.Public())
	require.NoError(t, err)
	assert.Equal(t, tp, k.ID)
	assert.Same(t, ec, k.Signer)

	_, err = New(nil, "ES256", "k")
	assert.Error(t, err)
	_, err = New(ec, "ES384", "k")
	assert.Error(t, err, "a P-256 key is not for ES384")
	_, err = New(ec, "RS256", "k")
	assert.Error(t, err)
	_, err = New(rsaKey(), "EdDSA", "k")
	assert.Error(t, err)
	_, err = New(rsaKey(), "HS256", "k")
	assert.Error(t, err)

	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	weak, err := New(small, "RS256", "")
	require.NoError(t, err, "New does not judge key sizes: tests sign with weak keys on purpose")
	pub, err := weak.PublicJWK()
	require.NoError(t, err, "and their public JWK can be published")
	m := jsonObject(t, pub)
	assert.Len(t, b64(t, m["n"].(string)), 128)
	assert.Equal(t, thumbprint(t, m), weak.ID)
	_, err = weak.PrivateJWK()
	assert.Error(t, err, "but they are never written to a key file")
}

func TestThumbprint(t *testing.T) {
	for _, alg := range Algorithms() {
		k := testKeys()[alg]
		got, err := Thumbprint(k.Public())
		require.NoError(t, err)
		j, err := jwk.Import(k.Public())
		require.NoError(t, err)
		want, err := j.Thumbprint(crypto.SHA256)
		require.NoError(t, err)
		assert.Equal(t, base64.RawURLEncoding.EncodeToString(want), got, "jwx agrees for %s", alg)
	}
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	for _, pub := range []crypto.PublicKey{nil, p224.Public(), []byte("k"), ed25519.PublicKey{1, 2}, &rsa.PublicKey{}, (*ecdsa.PublicKey)(nil)} {
		_, err := Thumbprint(pub)
		assert.Error(t, err, "%T", pub)
	}
	_, err = New(p224, "ES256", "")
	assert.Error(t, err)
}

// TestPublicJWK checks every member of every kind of public JWK, that no private
// member leaks, and that an independent parser reads it back as the same public key.
func TestPublicJWK(t *testing.T) {
	for _, alg := range Algorithms() {
		t.Run(alg, func(t *testing.T) {
			k := testKeys()[alg]
			b, err := k.PublicJWK()
			require.NoError(t, err)
			m := jsonObject(t, b)

			assert.True(t, strings.HasPrefix(string(b), `{"kty":`), "kty comes first")
			members := mapKeys(m)
			switch k.Public().(type) {
			case *rsa.PublicKey:
				assert.Equal(t, []string{"alg", "e", "kid", "kty", "n", "use"}, members)
				assert.Equal(t, "RSA", m["kty"])
				assert.Equal(t, "AQAB", m["e"])
				assert.Len(t, b64(t, m["n"].(string)), RSABits/8)
			case *ecdsa.PublicKey:
				assert.Equal(t, []string{"alg", "crv", "kid", "kty", "use", "x", "y"}, members)
				assert.Equal(t, "EC", m["kty"])
				size := map[string]int{"ES256": 32, "ES384": 48, "ES512": 66}[alg]
				assert.Equal(t, map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg], m["crv"])
				assert.Len(t, b64(t, m["x"].(string)), size, "coordinates are full width (RFC 7518 §6.2.1.2)")
				assert.Len(t, b64(t, m["y"].(string)), size)
			case ed25519.PublicKey:
				assert.Equal(t, []string{"alg", "crv", "kid", "kty", "use", "x"}, members)
				assert.Equal(t, "OKP", m["kty"])
				assert.Equal(t, "Ed25519", m["crv"])
				assert.Equal(t, []byte(k.Public().(ed25519.PublicKey)), b64(t, m["x"].(string)))
			}
			assert.Equal(t, k.ID, m["kid"])
			assert.Equal(t, alg, m["alg"])
			assert.Equal(t, "sig", m["use"])

			parsed, err := jwk.ParseKey(b)
			require.NoError(t, err)
			private, err := jwk.IsPrivateKey(parsed)
			require.NoError(t, err)
			assert.False(t, private)
			var raw any
			require.NoError(t, jwk.Export(parsed, &raw))
			assert.True(t, k.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(raw), "same public key")
		})
	}
}

func TestPrivateJWKRoundTrip(t *testing.T) {
	for _, alg := range Algorithms() {
		t.Run(alg, func(t *testing.T) {
			k := testKeys()[alg]
			b, err := k.PrivateJWK()
			require.NoError(t, err)
			m := jsonObject(t, b)
			assert.Equal(t, k.ID, m["kid"])
			assert.Equal(t, alg, m["alg"])
			assert.Equal(t, "sig", m["use"])
			assert.Contains(t, m, "d")

			back, err := ParsePrivateJWK(b)
			require.NoError(t, err)
			assert.Equal(t, k.ID, back.ID)
			assert.Equal(t, k.Alg, back.Alg)
			assert.True(t, k.Signer.(interface{ Equal(crypto.PrivateKey) bool }).Equal(back.Signer), "same private key")

			// The parsed key signs tokens the original public key verifies.
			tok, err := back.Sign(nil, map[string]any{"sub": "x"})
			require.NoError(t, err)
			verifyStd(t, k.Public(), alg, tok)
		})
	}
}

func TestPrivateJWKOfAnOpaqueSigner(t *testing.T) {
	k := &Key{ID: "hsm", Alg: "ES256", Signer: opaque{testKeys()["ES256"].Signer}}
	_, err := k.PrivateJWK()
	assert.Error(t, err, "a signer that hides its private half cannot be exported")
	pub, err := k.PublicJWK()
	require.NoError(t, err, "but its public JWK can")
	assert.Equal(t, "hsm", jsonObject(t, pub)["kid"])
}

func TestParsePrivateJWKRejects(t *testing.T) {
	priv := func(alg string) map[string]any {
		b, err := testKeys()[alg].PrivateJWK()
		require.NoError(t, err)
		return jsonObject(t, b)
	}
	with := func(m map[string]any, name string, v any) []byte {
		c := map[string]any{}
		for k, x := range m {
			c[k] = x
		}
		if v == nil {
			delete(c, name)
		} else {
			c[name] = v
		}
		b, err := json.Marshal(c)
		require.NoError(t, err)
		return b
	}
	other := func(alg string) map[string]any {
		k, err := Generate(alg, "other")
		require.NoError(t, err)
		b, err := k.PrivateJWK()
		require.NoError(t, err)
		return jsonObject(t, b)
	}
	pubES, err := testKeys()["ES256"].PublicJWK()
	require.NoError(t, err)
	set, err := JWKS(testKeys()["ES256"])
	require.NoError(t, err)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	enc := func(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.Bytes()) }
	weak, err := json.Marshal(map[string]any{
		"kty": "RSA", "kid": "weak", "alg": "RS256", "n": enc(small.N), "e": "AQAB", "d": enc(small.D),
		"p": enc(small.Primes[0]), "q": enc(small.Primes[1]),
		"dp": enc(small.Precomputed.Dp), "dq": enc(small.Precomputed.Dq), "qi": enc(small.Precomputed.Qinv),
	})
	require.NoError(t, err)

	cases := map[string][]byte{
		"not JSON":               []byte("{"),
		"empty":                  nil,
		"public key":             pubES,
		"a set, not a key":       set,
		"symmetric key":          []byte(`{"kty":"oct","kid":"s","alg":"HS256","k":"c2VjcmV0"}`),
		"no kid":                 with(priv("ES256"), "kid", nil),
		"empty kid":              with(priv("ES256"), "kid", ""),
		"no alg":                 with(priv("ES256"), "alg", nil),
		"HMAC alg":               with(priv("ES256"), "alg", "HS256"),
		"none alg":               with(priv("EdDSA"), "alg", "none"),
		"alg for another type":   with(priv("ES256"), "alg", "RS256"),
		"alg for another curve":  with(priv("ES256"), "alg", "ES384"),
		"alg for another OKP":    with(priv("EdDSA"), "alg", "ES256"),
		"encryption key":         with(priv("ES256"), "use", "enc"),
		"RSA under 2048 bits":    weak,
		"inconsistent RSA key":   with(priv("RS256"), "d", base64.RawURLEncoding.EncodeToString([]byte("not the exponent"))),
		"unknown curve":          with(priv("ES256"), "crv", "P-192"),
		"EC d of another key":    with(priv("ES256"), "d", other("ES256")["d"]),
		"Ed25519 d of another":   with(priv("EdDSA"), "d", other("EdDSA")["d"]),
		"RSA d of another key":   with(priv("RS256"), "d", base64.RawURLEncoding.EncodeToString(small.D.Bytes())),
		"ed25519 with bad point": with(priv("EdDSA"), "x", "AAAA"),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePrivateJWK(data)
			assert.Error(t, err)
		})
	}
}

func TestJWKS(t *testing.T) {
	keys := testKeys()
	set, err := JWKS(keys["RS256"], keys["ES512"], keys["EdDSA"])
	require.NoError(t, err)
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(set, &doc))
	require.Len(t, doc.Keys, 3)
	for n, alg := range []string{"RS256", "ES512", "EdDSA"} {
		want, err := keys[alg].PublicJWK()
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(doc.Keys[n]), "member %d is the public JWK of the %s key", n, alg)
	}
	assert.Equal(t, []string{"keys"}, mapKeys(jsonObject(t, set)))

	parsed, err := jwk.Parse(set)
	require.NoError(t, err)
	assert.Equal(t, 3, parsed.Len())
	for n := range parsed.Len() {
		k, _ := parsed.Key(n)
		private, err := jwk.IsPrivateKey(k)
		require.NoError(t, err)
		assert.False(t, private)
	}

	empty, err := JWKS()
	require.NoError(t, err)
	assert.JSONEq(t, `{"keys":[]}`, string(empty))

	_, err = JWKS(keys["ES256"], nil)
	assert.Error(t, err)
}

func mapKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestAlgorithmsIsAFreshCopy(t *testing.T) {
	a := Algorithms()
	a[0] = "none"
	assert.Equal(t, "RS256", Algorithms()[0])
	assert.Len(t, Algorithms(), 10)
}

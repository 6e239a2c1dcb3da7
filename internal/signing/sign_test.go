package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// opaque hides the concrete private key behind the crypto.Signer interface, as a
// hardware or remote key would.
type opaque struct{ s crypto.Signer }

func (o opaque) Public() crypto.PublicKey { return o.s.Public() }
func (o opaque) Sign(r io.Reader, d []byte, opts crypto.SignerOpts) ([]byte, error) {
	return o.s.Sign(r, d, opts)
}

// verifyStd verifies a compact JWS with the standard library alone, checking the exact
// signature format RFC 7518 prescribes for alg.
func verifyStd(t *testing.T, pub crypto.PublicKey, alg, token string) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	input := []byte(parts[0] + "." + parts[1])
	sig := b64(t, parts[2])
	if alg == "EdDSA" {
		assert.True(t, ed25519.Verify(pub.(ed25519.PublicKey), input, sig), "Ed25519 signature")
		return
	}
	family, hash, ok := parseAlg(alg)
	require.True(t, ok, alg)
	h := hash.New()
	h.Write(input)
	d := h.Sum(nil)
	switch family {
	case "RS":
		assert.NoError(t, rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), hash, d, sig), "PKCS#1 v1.5 signature")
	case "PS":
		// The salt must be exactly as long as the hash: verify with that length, not
		// with auto-detection.
		assert.NoError(t, rsa.VerifyPSS(pub.(*rsa.PublicKey), hash, d, sig, &rsa.PSSOptions{SaltLength: hash.Size(), Hash: hash}), "PSS signature, salt = hash length")
	case "ES":
		k := pub.(*ecdsa.PublicKey)
		size := (k.Curve.Params().BitSize + 7) / 8
		require.Len(t, sig, 2*size, "R||S, each %d bytes", size)
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		assert.True(t, ecdsa.Verify(k, d, r, s), "ECDSA signature")
	default:
		t.Fatalf("unexpected family %s", family)
	}
}

// verifyJWX verifies with jwx, an independent JOSE implementation, against the key's
// published JWK, and returns the payload.
func verifyJWX(t *testing.T, k *Key, alg, token string) []byte {
	t.Helper()
	pubJWK, err := k.PublicJWK()
	require.NoError(t, err)
	pub, err := jwk.ParseKey(pubJWK)
	require.NoError(t, err)
	jalg, ok := jwa.LookupSignatureAlgorithm(alg)
	require.True(t, ok, alg)
	payload, err := jws.Verify([]byte(token), jws.WithKey(jalg, pub))
	require.NoError(t, err, "jwx verifies the %s token", alg)
	return payload
}

func segmentJSON(t *testing.T, token string, n int) map[string]any {
	t.Helper()
	return jsonObject(t, b64(t, strings.Split(token, ".")[n]))
}

func TestSignEveryAlgorithm(t *testing.T) {
	for _, alg := range Algorithms() {
		t.Run(alg, func(t *testing.T) {
			k := testKeys()[alg]
			claims := map[string]any{"sub": "ü", "n": 1}
			tok, err := k.Sign(map[string]any{"typ": "JWT"}, claims)
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"alg": alg, "kid": "kid-" + alg, "typ": "JWT"}, segmentJSON(t, tok, 0))

			verifyStd(t, k.Public(), alg, tok)
			assert.JSONEq(t, `{"sub":"ü","n":1}`, string(verifyJWX(t, k, alg, tok)))

			// jwx sees the same protected header.
			msg, err := jws.Parse([]byte(tok))
			require.NoError(t, err)
			kid, _ := msg.Signatures()[0].ProtectedHeaders().KeyID()
			assert.Equal(t, "kid-"+alg, kid)

			// The signature covers the exact signing input.
			parts := strings.Split(tok, ".")
			tampered := parts[0] + "." + encode([]byte(`{"sub":"ü","n":2}`)) + "." + parts[2]
			jalg, _ := jwa.LookupSignatureAlgorithm(alg)
			pubJWK, err := k.PublicJWK()
			require.NoError(t, err)
			pub, err := jwk.ParseKey(pubJWK)
			require.NoError(t, err)
			_, err = jws.Verify([]byte(tampered), jws.WithKey(jalg, pub))
			assert.Error(t, err, "a changed payload does not verify")
		})
	}
}

func TestSignHeader(t *testing.T) {
	k := testKeys()["ES256"]

	tok, err := k.Sign(nil, map[string]any{})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"alg": "ES256", "kid": "kid-ES256"}, segmentJSON(t, tok, 0), "default header")

	tok, err = k.Sign(map[string]any{"kid": nil, "typ": "at+jwt", "crit": []string{"exp"}}, map[string]any{})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"alg": "ES256", "typ": "at+jwt", "crit": []any{"exp"}}, segmentJSON(t, tok, 0), "nil drops kid")

	tok, err = k.Sign(map[string]any{"kid": "other", "alg": nil}, struct {
		Sub string `json:"sub"`
	}{"s"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"kid": "other"}, segmentJSON(t, tok, 0), "alg can be dropped too")
	assert.Equal(t, map[string]any{"sub": "s"}, segmentJSON(t, tok, 1), "claims may be any JSON-encodable value")
	verifyStd(t, k.Public(), "ES256", tok) // signed with the key's own alg

	_, err = k.Sign(map[string]any{"bad": make(chan int)}, nil)
	assert.Error(t, err)
	_, err = k.Sign(nil, func() {})
	assert.Error(t, err)
}

func TestSignWithAnotherHeaderAlg(t *testing.T) {
	rs := testKeys()["RS256"]
	// An alg the key can produce is used to sign.
	for _, alg := range []string{"PS256", "RS512", "PS384"} {
		tok, err := rs.Sign(map[string]any{"alg": alg}, map[string]any{})
		require.NoError(t, err)
		assert.Equal(t, alg, segmentJSON(t, tok, 0)["alg"])
		verifyStd(t, rs.Public(), alg, tok)
		verifyJWX(t, rs, alg, tok)
	}
	// A crafted alg the key cannot produce is written as given; the key's own signs.
	for _, alg := range []string{"none", "NONE", "HS256", "ES256", "EdDSA", ""} {
		tok, err := rs.Sign(map[string]any{"alg": alg}, map[string]any{})
		require.NoError(t, err)
		assert.Equal(t, alg, segmentJSON(t, tok, 0)["alg"])
		verifyStd(t, rs.Public(), "RS256", tok)
	}
	es := testKeys()["ES256"]
	tok, err := es.Sign(map[string]any{"alg": "ES384"}, map[string]any{})
	require.NoError(t, err)
	assert.Equal(t, "ES384", segmentJSON(t, tok, 0)["alg"])
	verifyStd(t, es.Public(), "ES256", tok) // ES384 is for P-384 keys: the key's own alg signs
}

func TestSignRawIsVerbatim(t *testing.T) {
	k := testKeys()["EdDSA"]
	cases := map[string][2]string{
		"duplicate members": {`{"alg":"EdDSA","alg":"none"}`, `{"sub":"a","sub":"b"}`},
		"invalid UTF-8":     {`{"alg":"EdDSA"}`, "{\"sub\":\"\xff\xfe\"}"},
		"not JSON":          {`{"alg":`, "\x00\x01"},
		"whitespace":        {"{ \"alg\" :\r\n \"EdDSA\" }", " {} "},
		"empty":             {"", ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			tok, err := SignRaw(k.Signer, "EdDSA", []byte(c[0]), []byte(c[1]))
			require.NoError(t, err)
			parts := strings.Split(tok, ".")
			require.Len(t, parts, 3)
			assert.Equal(t, c[0], string(b64(t, parts[0])))
			assert.Equal(t, c[1], string(b64(t, parts[1])))
			verifyStd(t, k.Public(), "EdDSA", tok)
		})
	}
}

func TestSignSegments(t *testing.T) {
	k := testKeys()["ES384"]
	// "e30=" is padded, "e31" is a non-canonical encoding of "{}" (trailing bits set),
	// "not+base64/" uses the standard alphabet: all signed as they are.
	for _, seg := range [][2]string{{"e30=", "e30"}, {"eyJhbGciOiJFUzM4NCJ9", "e31"}, {"not+base64/", ""}} {
		tok, err := SignSegments(k.Signer, "ES384", seg[0], seg[1])
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(tok, seg[0]+"."+seg[1]+"."))
		verifyStd(t, k.Public(), "ES384", tok)
	}
	_, err := SignSegments(k.Signer, "RS256", "e30", "e30")
	assert.Error(t, err)
}

// TestSignatureAcrossAlgorithms covers signing with an alg other than the key's own:
// possible combinations succeed and verify, impossible ones fail.
func TestSignatureAcrossAlgorithms(t *testing.T) {
	keys := testKeys()
	input := []byte("eyJhbGciOiJFUzI1NiJ9.e30")

	// ES256 (SHA-256) with a P-384 key: possible; R and S keep the key's width.
	sig, err := Signature(keys["ES384"].Signer, "ES256", input)
	require.NoError(t, err)
	require.Len(t, sig, 96)
	d := digest(crypto.SHA256, input)
	assert.True(t, ecdsa.Verify(keys["ES384"].Public().(*ecdsa.PublicKey), d, new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])))

	// PS512 with a key made for RS256.
	sig, err = Signature(keys["RS256"].Signer, "PS512", input)
	require.NoError(t, err)
	assert.NoError(t, rsa.VerifyPSS(keys["RS256"].Public().(*rsa.PublicKey), crypto.SHA512, digest(crypto.SHA512, input), sig, &rsa.PSSOptions{SaltLength: 64}))

	impossible := []struct {
		key, alg string
	}{
		{"ES256", "RS256"}, {"ES256", "PS256"}, {"EdDSA", "ES256"}, {"EdDSA", "RS256"},
		{"RS256", "ES256"}, {"RS256", "EdDSA"}, {"ES256", "EdDSA"},
		{"RS256", "HS256"}, {"RS256", "none"}, {"RS256", "RS1"}, {"RS256", ""}, {"RS256", "rs256"}, {"RS256", "RS2560"},
	}
	for _, c := range impossible {
		_, err := Signature(keys[c.key].Signer, c.alg, input)
		assert.Error(t, err, "%s with a %s key", c.alg, c.key)
		_, err = SignRaw(keys[c.key].Signer, c.alg, []byte("{}"), []byte("{}"))
		assert.Error(t, err, "%s with a %s key", c.alg, c.key)
	}
	_, err = Signature(nil, "ES256", input)
	assert.Error(t, err)
}

// TestOpaqueSigners signs through the crypto.Signer interface only, as with a hardware
// or remote key.
func TestOpaqueSigners(t *testing.T) {
	for _, alg := range Algorithms() {
		t.Run(alg, func(t *testing.T) {
			k := &Key{ID: "opaque", Alg: alg, Signer: opaque{testKeys()[alg].Signer}}
			assert.True(t, CanSign(k.Signer, alg))
			tok, err := k.Sign(nil, map[string]any{"a": true})
			require.NoError(t, err)
			verifyStd(t, k.Public(), alg, tok)
			verifyJWX(t, k, alg, tok)
		})
	}
}

// badECDSA returns a fixed, malformed "signature".
type badECDSA struct {
	opaque
	sig []byte
}

func (b badECDSA) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return b.sig, nil }

func TestMalformedECDSASignerOutput(t *testing.T) {
	ec := testKeys()["ES256"].Signer
	big33 := append([]byte{0x02, 0x21, 0x01}, make([]byte, 32)...) // a 33-byte INTEGER: too wide for P-256
	for name, sig := range map[string][]byte{
		"not DER":        []byte("garbage"),
		"trailing bytes": append(mustDER(t, 1, 1), 0),
		"zero R":         mustDER(t, 0, 1),
		"negative S":     mustDER(t, 1, -1),
		"too wide":       append([]byte{0x30, byte(len(big33) + 3)}, append(big33, 0x02, 0x01, 0x01)...),
	} {
		_, err := Signature(badECDSA{opaque{ec}, sig}, "ES256", []byte("x"))
		assert.Error(t, err, name)
	}
}

func asn1Marshal(r, s *big.Int) ([]byte, error) {
	return asn1.Marshal(struct{ R, S *big.Int }{r, s})
}

func mustDER(t *testing.T, r, s int64) []byte {
	t.Helper()
	b, err := asn1Marshal(big.NewInt(r), big.NewInt(s))
	require.NoError(t, err)
	return b
}

func TestSignHMAC(t *testing.T) {
	secret := []byte("a shared secret")
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		tok, err := SignHMAC(secret, alg, []byte(`{"alg":"`+alg+`"}`), []byte(`{"sub":"x"}`))
		require.NoError(t, err)
		parts := strings.Split(tok, ".")
		_, hash, _ := parseAlg(alg)
		m := hmac.New(hash.New, secret)
		m.Write([]byte(parts[0] + "." + parts[1]))
		assert.Equal(t, m.Sum(nil), b64(t, parts[2]))

		jalg, _ := jwa.LookupSignatureAlgorithm(alg)
		payload, err := jws.Verify([]byte(tok), jws.WithKey(jalg, secret))
		require.NoError(t, err)
		assert.Equal(t, `{"sub":"x"}`, string(payload))
	}

	// The algorithm-confusion token: HS256 keyed with the bytes of an RSA public key.
	der, err := x509.MarshalPKIXPublicKey(testKeys()["RS256"].Public())
	require.NoError(t, err)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	tok, err := SignHMAC(pemKey, "HS256", []byte(`{"alg":"HS256","kid":"kid-RS256"}`), []byte(`{}`))
	require.NoError(t, err)
	parts := strings.Split(tok, ".")
	sig, err := HMACSignature(pemKey, "HS256", []byte(parts[0]+"."+parts[1]))
	require.NoError(t, err)
	assert.Equal(t, sig, b64(t, parts[2]))

	for _, alg := range []string{"RS256", "none", "HS1", "", "hs256", "EdDSA"} {
		_, err := SignHMAC(secret, alg, nil, nil)
		assert.Error(t, err, alg)
	}
}

func TestCanSign(t *testing.T) {
	keys := testKeys()
	cases := []struct {
		key  string
		alg  string
		want bool
	}{
		{"RS256", "RS256", true}, {"RS256", "RS512", true}, {"RS256", "PS256", true}, {"RS256", "PS512", true},
		{"RS256", "ES256", false}, {"RS256", "EdDSA", false}, {"RS256", "HS256", false}, {"RS256", "none", false},
		{"ES256", "ES256", true}, {"ES256", "ES384", false}, {"ES256", "ES512", false}, {"ES256", "RS256", false},
		{"ES384", "ES384", true}, {"ES384", "ES256", false},
		{"ES512", "ES512", true}, {"ES512", "ES384", false},
		{"EdDSA", "EdDSA", true}, {"EdDSA", "ES256", false}, {"EdDSA", "Ed25519", false},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, CanSign(keys[c.key].Signer, c.alg), "%s key, %s", c.key, c.alg)
	}
	assert.False(t, CanSign(nil, "ES256"))
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	for _, alg := range []string{"ES256", "ES384", "ES512"} {
		assert.False(t, CanSign(p224, alg))
	}
}

func TestConcurrentSigning(t *testing.T) {
	keys := testKeys()
	var wg sync.WaitGroup
	for n := range 16 {
		alg := Algorithms()[n%len(Algorithms())]
		wg.Go(func() {
			k := keys[alg]
			tok, err := k.Sign(map[string]any{"n": n}, map[string]any{"n": n})
			if assert.NoError(t, err) {
				verifyStd(t, k.Public(), alg, tok)
			}
			_, err = JWKS(keys["ES256"], k)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
}

// TestPublishedVectors reproduces the deterministic examples of RFC 7520 (RS256,
// HS256) and RFC 8037 (EdDSA) byte for byte, and checks that signatures made with the
// RFC's PS384 and ES512 keys verify with jwx.
func TestPublishedVectors(t *testing.T) {
	dir := filepath.Join("testdata", "ietf-jose-cookbook") // see testdata/SOURCES.md
	for _, file := range []string{
		"jws/4_1.rsa_v15_signature.json",
		"jws/4_2.rsa-pss_signature.json",
		"jws/4_3.ecdsa_signature.json",
		"jws/4_4.hmac-sha2_integrity_protection.json",
		"curve25519/jws.json",
	} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, file))
			require.NoError(t, err)
			var v struct {
				Reproducible bool `json:"reproducible"`
				Input        struct {
					Payload string         `json:"payload"`
					Key     map[string]any `json:"key"`
					Alg     string         `json:"alg"`
				} `json:"input"`
				Signing struct {
					ProtectedB64u string `json:"protected_b64u"`
				} `json:"signing"`
				Output struct {
					Compact string `json:"compact"`
				} `json:"output"`
			}
			require.NoError(t, json.Unmarshal(data, &v))
			payload := encode([]byte(v.Input.Payload))
			require.True(t, strings.HasPrefix(v.Output.Compact, v.Signing.ProtectedB64u+"."+payload+"."), "the vector's own segments")

			if v.Input.Alg == "HS256" {
				secret := b64(t, v.Input.Key["k"].(string))
				sig, err := HMACSignature(secret, "HS256", []byte(v.Signing.ProtectedB64u+"."+payload))
				require.NoError(t, err)
				assert.Equal(t, v.Output.Compact, v.Signing.ProtectedB64u+"."+payload+"."+encode(sig))
				return
			}

			v.Input.Key["alg"] = v.Input.Alg
			if _, ok := v.Input.Key["kid"]; !ok {
				v.Input.Key["kid"] = "rfc"
			}
			keyJSON, err := json.Marshal(v.Input.Key)
			require.NoError(t, err)
			k, err := ParsePrivateJWK(keyJSON)
			require.NoError(t, err)

			tok, err := SignSegments(k.Signer, v.Input.Alg, v.Signing.ProtectedB64u, payload)
			require.NoError(t, err)
			if v.Reproducible {
				assert.Equal(t, v.Output.Compact, tok, "byte for byte")
			}
			verifyStd(t, k.Public(), v.Input.Alg, tok)
			verifyJWX(t, k, v.Input.Alg, tok)
		})
	}
}

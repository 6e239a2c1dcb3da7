package signing

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var algs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// TestSignaturesVerifyWithAnIndependentImplementation signs with every algorithm and
// verifies with jwx against the published JWKS.
func TestSignaturesVerifyWithAnIndependentImplementation(t *testing.T) {
	rsaKey, err := Generate("RS256", "")
	require.NoError(t, err)
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			k, err := Generate(alg, "kid-"+alg)
			if alg[0] == 'R' || alg[0] == 'P' { // reuse one RSA key: generation is slow
				k, err = New(rsaKey.Signer, alg, "kid-"+alg)
			}
			require.NoError(t, err)
			tok, err := k.Sign(map[string]any{"typ": "JWT"}, map[string]any{"sub": "ü"})
			require.NoError(t, err)

			set, err := JWKS(k)
			require.NoError(t, err)
			keys, err := jwk.Parse(set)
			require.NoError(t, err)
			pub, ok := keys.Key(0)
			require.True(t, ok)
			_, hasD := mustMap(t, set)["keys"].([]any)[0].(map[string]any)["d"]
			assert.False(t, hasD, "no private member in the public set")

			jalg, _ := jwa.LookupSignatureAlgorithm(alg)
			payload, err := jws.Verify([]byte(tok), jws.WithKey(jalg, pub))
			require.NoError(t, err)
			assert.JSONEq(t, `{"sub":"ü"}`, string(payload))

			msg, err := jws.Parse([]byte(tok))
			require.NoError(t, err)
			kid, _ := msg.Signatures()[0].ProtectedHeaders().KeyID()
			assert.Equal(t, "kid-"+alg, kid)
		})
	}
}

func TestPrivateJWKRoundTrip(t *testing.T) {
	for _, alg := range []string{"ES256", "EdDSA", "RS256"} {
		k, err := Generate(alg, "")
		require.NoError(t, err)
		assert.NotEmpty(t, k.ID, "kid defaults to the thumbprint")
		priv, err := k.PrivateJWK()
		require.NoError(t, err)
		back, err := ParsePrivateJWK(priv)
		require.NoError(t, err)
		assert.Equal(t, k.ID, back.ID)
		assert.Equal(t, k.Alg, back.Alg)
		pub1, _ := k.PublicJWK()
		pub2, _ := back.PublicJWK()
		assert.JSONEq(t, string(pub1), string(pub2))
	}
	_, err := ParsePrivateJWK([]byte(`{"kty":"EC"}`))
	assert.Error(t, err)
	pub, _ := Generate("ES256", "x")
	pubJWK, _ := pub.PublicJWK()
	_, err = ParsePrivateJWK(pubJWK)
	assert.Error(t, err, "a public key is not a signing key")
}

func TestHeaderOverridesAndRaw(t *testing.T) {
	k, err := Generate("ES256", "k1")
	require.NoError(t, err)
	tok, err := k.Sign(map[string]any{"kid": nil, "typ": "at+jwt"}, map[string]any{})
	require.NoError(t, err)
	hdr := decodeSeg(t, strings.Split(tok, ".")[0])
	assert.Equal(t, `{"alg":"ES256","typ":"at+jwt"}`, hdr)

	raw, err := SignRaw(k.Signer, "ES256", []byte(`{"alg":"ES256","alg":"none"}`), []byte("\xff"))
	require.NoError(t, err)
	assert.Equal(t, `{"alg":"ES256","alg":"none"}`, decodeSeg(t, strings.Split(raw, ".")[0]), "bytes are signed verbatim")

	_, err = SignRaw(k.Signer, "RS256", []byte(`{}`), []byte(`{}`))
	assert.Error(t, err, "an EC key cannot produce RS256")
	_, err = SignRaw(k.Signer, "none", []byte(`{}`), []byte(`{}`))
	assert.Error(t, err)

	h, err := SignHMAC([]byte("secret"), "HS256", []byte(`{"alg":"HS256"}`), []byte(`{}`))
	require.NoError(t, err)
	_, err = jws.Verify([]byte(h), jws.WithKey(jwa.HS256(), []byte("secret")))
	require.NoError(t, err)
	_, err = SignHMAC([]byte("s"), "RS256", nil, nil)
	assert.Error(t, err)

	seg, err := SignSegments(k.Signer, "ES256", "e30=", "e30")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(seg, "e30=.e30."))
}

func TestUnsupported(t *testing.T) {
	_, err := Generate("HS256", "")
	assert.Error(t, err)
	_, err = New(nil, "ES256", "")
	assert.Error(t, err)
}

func mustMap(t *testing.T, b []byte) map[string]any {
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func decodeSeg(t *testing.T, s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	return string(b)
}

func TestCanSign(t *testing.T) {
	ec, _ := Generate("ES384", "")
	ed, _ := Generate("EdDSA", "")
	assert.True(t, CanSign(ec.Signer, "ES384"))
	assert.False(t, CanSign(ec.Signer, "ES256"), "wrong curve")
	assert.False(t, CanSign(ec.Signer, "RS256"))
	assert.True(t, CanSign(ed.Signer, "EdDSA"))
	assert.False(t, CanSign(ed.Signer, "ES256"))
}

package validator_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

// privateJWK returns the full private JWK of s.
func privateJWK(t testing.TB, s *signer, extra map[string]any) map[string]any {
	t.Helper()
	k, err := jwk.Import(s.priv)
	require.NoError(t, err)
	raw, err := json.Marshal(k)
	require.NoError(t, err)
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(raw, &m))
	m["kid"], m["alg"] = s.kid, s.alg
	for name, v := range extra {
		m[name] = v
	}
	return m
}

// TestUnusableKeysAreSkippedOneByOne publishes each kind of unusable key beside a good
// one: tokens naming the bad key are rejected, the good key keeps working.
func TestUnusableKeysAreSkippedOneByOne(t *testing.T) {
	good := newSigner(t, "ES256", "good")
	weakRSA := &signer{alg: "RS256", kid: "rsa-1024", priv: mustRSA(1024)}
	encKey := &signer{alg: "RS256", kid: "enc", priv: rsaKeyB()}
	opsKey := newSigner(t, "ES256", "ops")
	privKey := newSigner(t, "ES256", "private")
	algKey := newSigner(t, "ES256", "hs-alg")
	offCurve := newSigner(t, "ES256", "off-curve")
	offCurveJWK := offCurve.jwk(t, nil)
	y, _ := base64.RawURLEncoding.DecodeString(offCurveJWK["y"].(string))
	y[len(y)-1] ^= 1
	offCurveJWK["y"] = base64.RawURLEncoding.EncodeToString(y)
	e1 := &signer{alg: "RS256", kid: "e-is-1", priv: rsaKeyB()}
	curveMismatch := newSigner(t, "ES384", "curve-mismatch")
	curveMismatchJWK := curveMismatch.jwk(t, map[string]any{"crv": "P-256"})

	weakPub := weakRSA.priv.Public().(*rsa.PublicKey)
	members := []map[string]any{
		good.jwk(t, nil),
		{"kty": "RSA", "kid": "rsa-1024", "alg": "RS256", "use": "sig", "e": "AQAB",
			"n": base64.RawURLEncoding.EncodeToString(weakPub.N.Bytes())},
		encKey.jwk(t, map[string]any{"use": "enc"}),
		opsKey.jwk(t, map[string]any{"key_ops": []string{"encrypt"}}),
		privateJWK(t, privKey, nil),
		algKey.jwk(t, map[string]any{"alg": "HS256"}),
		offCurveJWK,
		e1.jwk(t, map[string]any{"e": "AQ"}),
		curveMismatchJWK,
		{"kty": "oct", "kid": "oct", "k": base64.RawURLEncoding.EncodeToString([]byte("secret")), "alg": "HS256"},
		{"kty": "RSA", "kid": "garbage", "n": "!!!", "e": "AQAB"},
		{"kty": "OKP", "kid": "x25519", "crv": "X25519", "x": base64.RawURLEncoding.EncodeToString(make([]byte, 32))},
		{"kty": "EC", "kid": "secp256k1", "crv": "secp256k1", "x": "AA", "y": "AA"},
		{"kty": "unknown", "kid": "what"},
	}
	var raw []string
	for _, m := range members {
		b, err := json.Marshal(m)
		require.NoError(t, err)
		raw = append(raw, string(b))
	}
	// A member that is not an object, and one with duplicate names.
	raw = append(raw, `"just a string"`, `{"kty":"EC","kid":"dup","kid":"good","crv":"P-256","x":"`+good.jwk(t, nil)["x"].(string)+`","y":"`+good.jwk(t, nil)["y"].(string)+`"}`)
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	v := staticValidator(t, validator.Config{Logger: logger}, []byte(`{"keys":[`+strings.Join(raw, ",")+`]}`))

	_, err := v.Validate(t.Context(), good.token(t, claims(nil), nil))
	require.NoError(t, err, "the good key works despite its neighbours")
	assert.Equal(t, len(raw)-1, strings.Count(logs.String(), "key set member skipped"), logs.String())
	// Weak RSA, off-curve points, e=1, a curve mismatch and garbage are refused by the key parser; the rest
	// by this package's own checks, each with its reason.
	assert.Equal(t, 7, strings.Count(logs.String(), "key material could not be parsed"), logs.String())
	for _, reason := range []string{`use is not \"sig\"`, "key_ops does not allow verify", "private key material",
		"not a supported asymmetric", "symmetric key material", "duplicate names", `unsupported key type \"OKP\"`, "wrong type"} {
		assert.Contains(t, logs.String(), reason)
	}

	for _, bad := range []*signer{weakRSA, encKey, opsKey, privKey, algKey, offCurve, e1, curveMismatch} {
		t.Run(bad.kid, func(t *testing.T) {
			_, err := v.Validate(t.Context(), bad.token(t, claims(nil), nil))
			assert.Equal(t, validator.ReasonUnknownKey, validator.ReasonOf(err))
		})
	}
	t.Run("symmetric key named by an HS256 token", func(t *testing.T) {
		_, err := v.Validate(t.Context(), hmacToken("HS256", []byte("secret"), `{"alg":"HS256","kid":"oct"}`, mustJSON(t, claims(nil))))
		assert.Equal(t, validator.ReasonAlgNotAllowed, validator.ReasonOf(err))
	})
}

func TestTokenWithoutKid(t *testing.T) {
	a := newSigner(t, "ES256", "a")
	b := newSigner(t, "ES256", "b")
	rs := newSigner(t, "RS256", "r")

	one := staticValidator(t, validator.Config{}, jwksJSON(t, a.jwk(t, nil), rs.jwk(t, nil)))
	_, err := one.Validate(t.Context(), a.token(t, claims(nil), map[string]any{"kid": nil}))
	require.NoError(t, err, "exactly one key fits ES256")

	two := staticValidator(t, validator.Config{}, jwksJSON(t, a.jwk(t, nil), b.jwk(t, nil)))
	_, err = two.Validate(t.Context(), a.token(t, claims(nil), map[string]any{"kid": nil}))
	assert.Equal(t, validator.ReasonUnknownKey, validator.ReasonOf(err), "two keys fit: ambiguous")

	noKidKey := staticValidator(t, validator.Config{}, jwksJSON(t, a.jwk(t, map[string]any{"kid": nil})))
	_, err = noKidKey.Validate(t.Context(), a.token(t, claims(nil), map[string]any{"kid": nil}))
	require.NoError(t, err, "a key without kid serves tokens without kid")
	_, err = noKidKey.Validate(t.Context(), a.token(t, claims(nil), nil))
	assert.Equal(t, validator.ReasonUnknownKey, validator.ReasonOf(err), "but not tokens naming a kid")
}

func TestKeyWithoutAlgFitsByType(t *testing.T) {
	rs := &signer{alg: "PS256", kid: "r", priv: rsaKeyA()}
	v := staticValidator(t, validator.Config{}, jwksJSON(t, rs.jwk(t, map[string]any{"alg": nil})))
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
		_, err := v.Validate(t.Context(), (&signer{alg: alg, kid: "r", priv: rsaKeyA()}).token(t, claims(nil), nil))
		require.NoError(t, err, alg)
	}
	_, err := v.Validate(t.Context(), newSigner(t, "ES256", "r").token(t, claims(nil), nil))
	assert.Equal(t, validator.ReasonUnknownKey, validator.ReasonOf(err), "an RSA key never verifies ECDSA")
}

func TestSameKidSeveralKeys(t *testing.T) {
	ec := newSigner(t, "ES256", "shared")
	rs := &signer{alg: "RS256", kid: "shared", priv: rsaKeyA()}
	other := newSigner(t, "ES256", "shared")
	v := staticValidator(t, validator.Config{}, jwksJSON(t, ec.jwk(t, nil), rs.jwk(t, nil), other.jwk(t, nil)))
	for _, s := range []*signer{ec, rs, other} {
		_, err := v.Validate(t.Context(), s.token(t, claims(nil), nil))
		require.NoError(t, err, s.alg)
	}
}

func TestRealProviderKeySets(t *testing.T) {
	rows := []struct {
		file   string
		usable bool
	}{
		{"auth0-docs-sample-tenant-jwks.json", true},         // one real RSA-2048 key
		{"cognito-docs-sample-jwks.json", false},             // placeholder moduli: 56 bits and invalid base64
		{"entra-docs-common-v2-keys-truncated.json", false},  // moduli truncated in the documentation
		{"keycloak-realm-certs-shape-truncated.json", false}, // truncated sig key + an enc key
	}
	for _, r := range rows {
		t.Run(r.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/jwks-real/" + r.file)
			require.NoError(t, err)
			_, err = validator.New(t.Context(), validator.Config{Issuer: testIssuer, Audiences: []string{testAudience}, JWKS: body, Logger: quietLogger})
			if r.usable {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "no usable signing key")
			}
		})
	}

	// The Keycloak shape with a real signing key beside its enc key: only the sig key is used.
	body, err := os.ReadFile("testdata/jwks-real/keycloak-realm-certs-shape-truncated.json")
	require.NoError(t, err)
	var set struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal(body, &set))
	sig := &signer{alg: "RS256", kid: set.Keys[0]["kid"].(string), priv: rsaKeyA()}
	enc := &signer{alg: "RS256", kid: set.Keys[1]["kid"].(string), priv: rsaKeyB()}
	real := sig.jwk(t, nil)
	for _, m := range []string{"x5t", "x5t#S256"} { // x5c is truncated in the document
		if v, ok := set.Keys[0][m]; ok {
			real[m] = v
		}
	}
	encMember := enc.jwk(t, map[string]any{"use": "enc", "alg": "RSA-OAEP"})
	v := staticValidator(t, validator.Config{}, jwksJSON(t, real, encMember))
	_, err = v.Validate(t.Context(), sig.token(t, claims(nil), nil))
	require.NoError(t, err)
	_, err = v.Validate(t.Context(), enc.token(t, claims(nil), nil))
	assert.Equal(t, validator.ReasonUnknownKey, validator.ReasonOf(err))
}

func TestLargeKeySet(t *testing.T) {
	good := newSigner(t, "ES256", "good")
	members := make([]map[string]any, 0, 5001)
	for i := range 5000 {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		members = append(members, publicJWK(t, k.Public(), map[string]any{"kid": fmt.Sprint("k", i), "alg": "ES256"}, nil))
	}
	members = append(members, good.jwk(t, nil))
	v := staticValidator(t, validator.Config{}, jwksJSON(t, members...))
	_, err := v.Validate(t.Context(), good.token(t, claims(nil), nil))
	require.NoError(t, err, "a 5,000-key set is usable")
}

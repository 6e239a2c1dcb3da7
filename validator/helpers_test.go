package validator_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

const (
	testIssuer   = "https://issuer.example.test/"
	testAudience = "https://api.example.test"
)

// quietLogger discards the key-set warnings tests provoke on purpose.
var quietLogger = slog.New(slog.DiscardHandler)

// testNow is the fixed clock of these tests.
var testNow = time.Unix(1_800_000_000, 0)

// RSA key generation is slow: two keys per test binary.
var (
	rsaKeyA = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	rsaKeyB = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
)

func mustRSA(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

// signer is a test signing key with the kid and alg it is published under.
type signer struct {
	alg  string
	kid  string
	priv crypto.Signer
}

func newSigner(t testing.TB, alg, kid string) *signer {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		priv = rsaKeyA()
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		priv, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("no test key for %s", alg)
	}
	require.NoError(t, err)
	return &signer{alg: alg, kid: kid, priv: priv}
}

// jwk returns the public JWK as a map, with kid, alg and use "sig" unless extra overrides
// them (a nil value in extra deletes the member).
func (s *signer) jwk(t testing.TB, extra map[string]any) map[string]any {
	t.Helper()
	return publicJWK(t, s.priv.Public(), map[string]any{"kid": s.kid, "alg": s.alg, "use": "sig"}, extra)
}

func publicJWK(t testing.TB, pub any, base, extra map[string]any) map[string]any {
	t.Helper()
	k, err := jwk.Import(pub)
	require.NoError(t, err)
	raw, err := json.Marshal(k)
	require.NoError(t, err)
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(raw, &m))
	for _, over := range []map[string]any{base, extra} {
		for name, v := range over {
			if v == nil {
				delete(m, name)
			} else {
				m[name] = v
			}
		}
	}
	return m
}

func jwksJSON(t testing.TB, members ...map[string]any) []byte {
	t.Helper()
	if members == nil {
		members = []map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"keys": members})
	require.NoError(t, err)
	return b
}

// token signs claims with jwx (an independent JOSE implementation). hdr members are added
// to the protected header (kid defaults to the signer's, typ to "JWT"); a nil value omits
// kid or typ.
func (s *signer) token(t testing.TB, claims map[string]any, hdr map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	return s.tokenBytes(t, payload, hdr)
}

func (s *signer) tokenBytes(t testing.TB, payload []byte, hdr map[string]any) string {
	t.Helper()
	h := jws.NewHeaders()
	fields := map[string]any{"kid": s.kid, "typ": "JWT"}
	for k, v := range hdr {
		fields[k] = v
	}
	for k, v := range fields {
		if v != nil {
			require.NoError(t, h.Set(k, v))
		}
	}
	alg, ok := jwa.LookupSignatureAlgorithm(s.alg)
	require.True(t, ok)
	out, err := jws.Sign(payload, jws.WithKey(alg, s.priv, jws.WithProtectedHeaders(h)))
	require.NoError(t, err)
	return string(out)
}

// rawToken signs verbatim header and payload bytes with the standard library, for tokens
// no JOSE library would produce (duplicate names, invalid UTF-8, odd types).
func (s *signer) rawToken(t testing.TB, header, payload string) string {
	t.Helper()
	input := b64(header) + "." + b64(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(signStd(t, s.alg, s.priv, input))
}

// signSegments signs two already-encoded segments verbatim (even if they are not
// canonical base64url).
func (s *signer) signSegments(t testing.TB, header, payload string) string {
	t.Helper()
	input := header + "." + payload
	return input + "." + base64.RawURLEncoding.EncodeToString(signStd(t, s.alg, s.priv, input))
}

func signStd(t testing.TB, alg string, priv crypto.Signer, input string) []byte {
	t.Helper()
	h := map[byte]crypto.Hash{'2': crypto.SHA256, '3': crypto.SHA384, '5': crypto.SHA512}[alg[len(alg)-3]]
	digest := func() []byte { w := h.New(); w.Write([]byte(input)); return w.Sum(nil) }
	switch alg[:2] {
	case "RS":
		sig, err := rsa.SignPKCS1v15(rand.Reader, priv.(*rsa.PrivateKey), h, digest())
		require.NoError(t, err)
		return sig
	case "PS":
		sig, err := rsa.SignPSS(rand.Reader, priv.(*rsa.PrivateKey), h, digest(), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		require.NoError(t, err)
		return sig
	case "ES":
		k := priv.(*ecdsa.PrivateKey)
		r, sv, err := ecdsa.Sign(rand.Reader, k, digest())
		require.NoError(t, err)
		size := (k.Curve.Params().BitSize + 7) / 8
		return append(r.FillBytes(make([]byte, size)), sv.FillBytes(make([]byte, size))...)
	case "Ed":
		return ed25519.Sign(priv.(ed25519.PrivateKey), []byte(input))
	}
	t.Fatalf("cannot sign %s", alg)
	return nil
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// claims returns a valid claim set at testNow, with overrides (nil deletes).
func claims(over map[string]any) map[string]any {
	c := map[string]any{
		"iss": testIssuer,
		"aud": testAudience,
		"sub": "user-1",
		"iat": testNow.Unix(),
		"nbf": testNow.Unix(),
		"exp": testNow.Add(time.Hour).Unix(),
		"jti": "token-1",
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// staticValidator builds a Validator over a static key set with the fixed clock.
func staticValidator(t testing.TB, cfg validator.Config, keys []byte) *validator.Validator {
	t.Helper()
	if cfg.Issuer == "" && !cfg.InsecureSkipIssuerCheck {
		cfg.Issuer = testIssuer
	}
	if cfg.Audiences == nil && !cfg.InsecureSkipAudienceCheck {
		cfg.Audiences = []string{testAudience}
	}
	cfg.JWKS = keys
	if cfg.Logger == nil {
		cfg.Logger = quietLogger
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	v, err := validator.New(t.Context(), cfg)
	require.NoError(t, err)
	return v
}

func bigInt(b []byte) *big.Int { return new(big.Int).SetBytes(b) }

// requireReason fails the test unless err carries reason and matches its class alone:
// ErrKeysUnavailable for keys_unavailable, issuer_mismatch and
// introspection_unavailable, ErrInvalidDPoPProof for
// the reasons of DPoPChecker.Check, ErrInvalidToken for every other reason.
func requireReason(t testing.TB, err error, reason validator.Reason, msgAndArgs ...any) {
	t.Helper()
	classes := []error{validator.ErrInvalidToken, validator.ErrKeysUnavailable, validator.ErrInvalidDPoPProof}
	class := validator.ErrInvalidToken
	switch reason {
	case validator.ReasonKeysUnavailable, validator.ReasonIssuerMismatch, validator.ReasonIntrospectionUnavailable:
		class = validator.ErrKeysUnavailable
	case validator.ReasonInvalidDPoPProof, validator.ReasonDPoPReplayed, validator.ReasonDPoPKeyMismatch, validator.ReasonUseDPoPNonce:
		class = validator.ErrInvalidDPoPProof
	}
	for _, c := range classes {
		if c == class {
			require.ErrorIs(t, err, c, msgAndArgs...)
		} else {
			require.NotErrorIs(t, err, c, msgAndArgs...)
		}
	}
	require.Equal(t, reason, validator.ReasonOf(err), msgAndArgs...)
}

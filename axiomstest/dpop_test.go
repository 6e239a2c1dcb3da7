package axiomstest_test

import (
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// TestDPoPProofsAreAcceptedByTheChecker: a token bound with TokenSpec.DPoPKey and a
// proof from the same key pass Validate and DPoPChecker.Check, for every algorithm.
func TestDPoPProofsAreAcceptedByTheChecker(t *testing.T) {
	clock := axiomstest.NewClock(time.Unix(1_800_000_000, 0))
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Now: clock.Now})
	cfg := iss.ValidatorConfig()
	cfg.Now = clock.Now
	v, err := validator.New(t.Context(), cfg)
	require.NoError(t, err)
	d, err := validator.NewDPoPChecker(validator.DPoPConfig{Now: clock.Now})
	require.NoError(t, err)
	for _, alg := range []string{"ES256", "ES384", "ES512", "EdDSA", "RS256", "PS256"} {
		t.Run(alg, func(t *testing.T) {
			k := axiomstest.NewDPoPKey(t, alg)
			assert.Equal(t, alg, k.Alg())
			token := iss.Token(t, axiomstest.TokenSpec{DPoPKey: k})
			c, err := v.Validate(t.Context(), token)
			require.NoError(t, err)
			require.Equal(t, k.Thumbprint(), c.DPoPThumbprint())

			proof := k.Proof(t, axiomstest.ProofSpec{Method: "POST", URL: "https://api.example.test/orders", AccessToken: token, IssuedAt: clock.Now()})
			require.NoError(t, d.Check(proof, "POST", "https://api.example.test/orders", token, c.DPoPThumbprint()))
			verifyStd(t, k.Public(), alg, proof)
		})
	}
}

func TestDPoPProofContent(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	at := time.Unix(1_800_000_000, 0)
	proof := k.Proof(t, axiomstest.ProofSpec{Method: "GET", URL: "https://api.example.test/x", AccessToken: "tok", IssuedAt: at, Nonce: "n-1"})
	h := header(t, proof)
	assert.Equal(t, "dpop+jwt", h["typ"])
	assert.Equal(t, "ES256", h["alg"])
	assert.Equal(t, k.PublicJWK(), h["jwk"])
	assert.ElementsMatch(t, []string{"kty", "crv", "x", "y"}, keysOf(h["jwk"].(map[string]any)), "the jwk holds the public key alone")
	assert.Len(t, h, 3)

	sum := sha256.Sum256([]byte("tok"))
	p := payload(t, proof)
	assert.Equal(t, "GET", p["htm"])
	assert.Equal(t, "https://api.example.test/x", p["htu"])
	assert.Equal(t, float64(at.Unix()), p["iat"])
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:]), p["ath"])
	assert.Equal(t, "n-1", p["nonce"])
	assert.Len(t, p["jti"], 32, "16 random bytes in hex")
	assert.Len(t, p, 6)
	assert.NotEqual(t, p["jti"], payload(t, k.Proof(t, axiomstest.ProofSpec{}))["jti"], "every proof has its own jti")

	// Without AccessToken and Nonce, no ath and no nonce; Header and Claims override.
	bare := payload(t, k.Proof(t, axiomstest.ProofSpec{Method: "GET", URL: "u", ID: "id-1", Claims: map[string]any{"htu": axiomstest.Omit, "extra": 1}}))
	assert.Equal(t, map[string]any{"jti": "id-1", "htm": "GET", "iat": bare["iat"], "extra": float64(1)}, bare)
	assert.Equal(t, "JWT", header(t, k.Proof(t, axiomstest.ProofSpec{Header: map[string]any{"typ": "JWT"}}))["typ"])
}

// TestDPoPThumbprintIsRFC7638: the thumbprint agrees with jwx's, an independent
// implementation, for every key type.
func TestDPoPThumbprintIsRFC7638(t *testing.T) {
	for _, alg := range []string{"ES256", "ES384", "ES512", "EdDSA", "RS256"} {
		k := axiomstest.NewDPoPKey(t, alg)
		raw, err := json.Marshal(k.PublicJWK())
		require.NoError(t, err)
		j, err := jwk.ParseKey(raw)
		require.NoError(t, err)
		sum, err := j.Thumbprint(crypto.SHA256)
		require.NoError(t, err)
		assert.Equal(t, base64.RawURLEncoding.EncodeToString(sum), k.Thumbprint(), alg)
	}
}

func TestDPoPKeyAndProofMisuse(t *testing.T) {
	assert.Contains(t, fatal(t, func(tb testing.TB) { axiomstest.NewDPoPKey(tb, "HS256") }), "HS256")
	_, err := axiomstest.NewDPoPKeyErr("none")
	assert.Error(t, err)

	k := axiomstest.NewDPoPKey(t, "ES256")
	for name, spec := range map[string]axiomstest.ProofSpec{
		"Unsigned and HMACSecret": {Unsigned: true, HMACSecret: []byte("s")},
		"RawHeader and Header":    {RawHeader: []byte(`{}`), Header: map[string]any{"typ": "x"}},
		"RawPayload and Claims":   {RawPayload: []byte(`{}`), Claims: map[string]any{"jti": "x"}},
	} {
		assert.Contains(t, fatal(t, func(tb testing.TB) { k.Proof(tb, spec) }), name)
	}
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	assert.Contains(t, fatal(t, func(tb testing.TB) {
		iss.Token(tb, axiomstest.TokenSpec{DPoPKey: k, Claims: map[string]any{"cnf": nil}})
	}), "DPoPKey and a cnf claim")
	assert.Contains(t, fatal(t, func(tb testing.TB) {
		iss.Token(tb, axiomstest.TokenSpec{DPoPKey: k, RawPayload: []byte(`{}`)})
	}), "raw payload and DPoPKey")
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDPoPCraftedProofs: the options for attack tests produce what they say.
func TestDPoPCraftedProofs(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	parts := func(p string) []string {
		s := strings.Split(p, ".")
		require.Len(t, s, 3)
		return s
	}

	unsigned := k.Proof(t, axiomstest.ProofSpec{Unsigned: true})
	assert.Equal(t, "none", header(t, unsigned)["alg"])
	assert.Empty(t, parts(unsigned)[2])

	secret := []byte("a public key's bytes, say")
	for alg, hash := range map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384} {
		spec := axiomstest.ProofSpec{HMACSecret: secret}
		if alg != "HS256" {
			spec.Header = map[string]any{"alg": alg}
		}
		p := k.Proof(t, spec)
		assert.Equal(t, alg, header(t, p)["alg"])
		m := hmac.New(hash, secret)
		m.Write([]byte(parts(p)[0] + "." + parts(p)[1]))
		assert.Equal(t, base64.RawURLEncoding.EncodeToString(m.Sum(nil)), parts(p)[2], alg)
	}

	// A lying alg is written as given and signed with the key's own algorithm.
	lying := k.Proof(t, axiomstest.ProofSpec{Header: map[string]any{"alg": "ES384"}})
	assert.Equal(t, "ES384", header(t, lying)["alg"])
	verifyStd(t, k.Public(), "ES256", lying)

	// Raw bytes are used verbatim and signed.
	raw := k.Proof(t, axiomstest.ProofSpec{RawHeader: []byte(`{"alg":"ES256","alg":"ES256"}`), RawPayload: []byte("not json")})
	assert.Equal(t, base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","alg":"ES256"}`)), parts(raw)[0])
	assert.Equal(t, base64.RawURLEncoding.EncodeToString([]byte("not json")), parts(raw)[1])
	verifyStd(t, k.Public(), "ES256", raw)

	// Time values in Claims become NumericDates; Omit removes a header member.
	at := time.Unix(1_800_000_123, 0)
	p := k.Proof(t, axiomstest.ProofSpec{Claims: map[string]any{"iat": at}, Header: map[string]any{"jwk": axiomstest.Omit}})
	assert.Equal(t, float64(at.Unix()), payload(t, p)["iat"])
	assert.NotContains(t, header(t, p), "jwk")

	// The key's JWK is the caller's to change.
	j := k.PublicJWK()
	j["x"] = "changed"
	assert.NotEqual(t, "changed", k.PublicJWK()["x"])
}

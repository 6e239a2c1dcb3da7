package validator_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// The request the proofs of these tests are made for.
const (
	dpopMethod = "GET"
	dpopURL    = "https://api.example.test/orders/42"
	dpopToken  = "the-access-token" // Check reads the token only through ath
)

// dpopRSAKey is the one RSA DPoP key of the test binary (RSA generation is slow); it
// signs RS* and PS* proofs.
var dpopRSAKey = sync.OnceValue(func() *axiomstest.DPoPKey {
	k, err := axiomstest.NewDPoPKeyErr("RS256")
	if err != nil {
		panic(err)
	}
	return k
})

// dpopChecker returns a checker with cfg, whose clock is testNow unless cfg says
// otherwise.
func dpopChecker(t testing.TB, cfg validator.DPoPConfig) *validator.DPoPChecker {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	d, err := validator.NewDPoPChecker(cfg)
	require.NoError(t, err)
	return d
}

// proofSpec is the spec of a valid proof for the test request, at testNow, with over
// applied to it.
func proofSpec(over func(*axiomstest.ProofSpec)) axiomstest.ProofSpec {
	spec := axiomstest.ProofSpec{Method: dpopMethod, URL: dpopURL, AccessToken: dpopToken, IssuedAt: testNow}
	if over != nil {
		over(&spec)
	}
	return spec
}

func athOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestDPoPAcceptsValidProofs(t *testing.T) {
	for _, tc := range []struct {
		alg string
		key func(t *testing.T) *axiomstest.DPoPKey
	}{
		{"ES256", nil}, {"ES384", nil}, {"ES512", nil}, {"EdDSA", nil},
		{"RS256", func(*testing.T) *axiomstest.DPoPKey { return dpopRSAKey() }},
		{"RS384", func(*testing.T) *axiomstest.DPoPKey { return dpopRSAKey() }},
		{"RS512", func(*testing.T) *axiomstest.DPoPKey { return dpopRSAKey() }},
		{"PS256", func(*testing.T) *axiomstest.DPoPKey { return dpopRSAKey() }},
		{"PS384", func(*testing.T) *axiomstest.DPoPKey { return dpopRSAKey() }},
		{"PS512", func(*testing.T) *axiomstest.DPoPKey { return dpopRSAKey() }},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			var k *axiomstest.DPoPKey
			if tc.key != nil {
				k = tc.key(t)
			} else {
				k = axiomstest.NewDPoPKey(t, tc.alg)
			}
			d := dpopChecker(t, validator.DPoPConfig{})
			proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.Header = map[string]any{"alg": tc.alg} }))
			require.NoError(t, d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()))
		})
	}
}

func TestDPoPAcceptsProofWithinTheWindow(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	d := dpopChecker(t, validator.DPoPConfig{})
	for _, iat := range []time.Time{
		testNow.Add(-validator.DefaultDPoPMaxAge - validator.DefaultDPoPLeeway), // the oldest accepted
		testNow.Add(-time.Second),
		testNow.Add(validator.DefaultDPoPLeeway), // the furthest in the future accepted
	} {
		proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.IssuedAt = iat }))
		assert.NoError(t, d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()), "iat %v", iat)
	}
}

// TestDPoPAttacks: every proof a server must refuse, with the reason it is refused for.
func TestDPoPAttacks(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	other := axiomstest.NewDPoPKey(t, "ES256")
	jkt := k.Thumbprint()
	type tc struct {
		name   string
		proof  func(t *testing.T) string
		method string // the request's; default dpopMethod
		url    string // the request's; default dpopURL
		token  string // default dpopToken
		jkt    string // default k's
		desc   string // the error's fixed text
		want   validator.Reason
	}
	spec := func(over func(*axiomstest.ProofSpec)) func(t *testing.T) string {
		return func(t *testing.T) string { return k.Proof(t, proofSpec(over)) }
	}
	hdr := func(h map[string]any) func(t *testing.T) string {
		return spec(func(s *axiomstest.ProofSpec) { s.Header = h })
	}
	cl := func(c map[string]any) func(t *testing.T) string {
		return spec(func(s *axiomstest.ProofSpec) { s.Claims = c })
	}
	valid := spec(nil)
	cases := []tc{
		// The binding: another key, another token, an unbound token.
		{name: "cnf mismatch", proof: func(t *testing.T) string { return other.Proof(t, proofSpec(nil)) }, desc: "DPoP proof key does not match the access token's cnf.jkt", want: validator.ReasonDPoPKeyMismatch},
		{name: "token not bound", proof: valid, jkt: "-", desc: "access token is not bound to a DPoP key (no cnf.jkt)", want: validator.ReasonDPoPKeyMismatch},
		{name: "another token (ath)", proof: valid, token: "another-token", desc: "DPoP proof ath does not match the access token", want: validator.ReasonInvalidDPoPProof},
		{name: "ath missing", proof: cl(map[string]any{"ath": axiomstest.Omit}), desc: "DPoP proof lacks a required claim (jti, htm, htu, iat, ath)", want: validator.ReasonInvalidDPoPProof},
		{name: "ath of the token in another encoding", proof: cl(map[string]any{"ath": athOf(dpopToken) + "="}), desc: "DPoP proof ath does not match the access token", want: validator.ReasonInvalidDPoPProof},

		// The request: another method or URL.
		{name: "another method", proof: valid, method: "POST", desc: "DPoP proof htm does not match the request method", want: validator.ReasonInvalidDPoPProof},
		{name: "method case", proof: valid, method: "get", desc: "DPoP proof htm does not match the request method", want: validator.ReasonInvalidDPoPProof},
		{name: "another scheme", proof: valid, url: "http://api.example.test/orders/42", desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "another host", proof: valid, url: "https://evil.example.test/orders/42", desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "another port", proof: valid, url: "https://api.example.test:8443/orders/42", desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "another path", proof: valid, url: "https://api.example.test/orders/43", desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "trailing slash", proof: valid, url: dpopURL + "/", desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "path case", proof: valid, url: "https://api.example.test/Orders/42", desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "query in htu", proof: cl(map[string]any{"htu": dpopURL + "?a=1"}), desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "empty query in htu", proof: cl(map[string]any{"htu": dpopURL + "?"}), desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "fragment in htu", proof: cl(map[string]any{"htu": dpopURL + "#x"}), desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "encoded slash is not a slash", proof: cl(map[string]any{"htu": "https://api.example.test/orders%2F42"}), desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "dot segments escape the path", proof: cl(map[string]any{"htu": "https://api.example.test/orders/42/../43"}), desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "userinfo in htu", proof: cl(map[string]any{"htu": "https://user@api.example.test/orders/42"}), desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "relative htu", proof: cl(map[string]any{"htu": "/orders/42"}), desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "ftp htu", proof: cl(map[string]any{"htu": "ftp://api.example.test/orders/42"}), desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},
		{name: "bad percent-encoding in htu", proof: cl(map[string]any{"htu": "https://api.example.test/orders/4%2"}), desc: "DPoP proof htu does not match the request URL", want: validator.ReasonInvalidDPoPProof},

		// The algorithm.
		{name: "alg none", proof: spec(func(s *axiomstest.ProofSpec) { s.Unsigned = true }), desc: "DPoP proof signing algorithm not allowed", want: validator.ReasonInvalidDPoPProof},
		{name: "alg none signed", proof: hdr(map[string]any{"alg": "none"}), desc: "DPoP proof signing algorithm not allowed", want: validator.ReasonInvalidDPoPProof},
		{name: "HS256 keyed with the jwk", proof: spec(func(s *axiomstest.ProofSpec) { s.HMACSecret = []byte(`{"kty":"EC"}`) }), desc: "DPoP proof signing algorithm not allowed", want: validator.ReasonInvalidDPoPProof},
		{name: "alg vs jwk mismatch", proof: hdr(map[string]any{"alg": "ES384"}), desc: "DPoP proof jwk is not a usable public key for its alg", want: validator.ReasonInvalidDPoPProof},
		{name: "alg unknown", proof: hdr(map[string]any{"alg": "ES256K"}), desc: "DPoP proof signing algorithm not allowed", want: validator.ReasonInvalidDPoPProof},
		{name: "alg missing", proof: hdr(map[string]any{"alg": axiomstest.Omit}), desc: "DPoP proof header member is missing or has the wrong type", want: validator.ReasonInvalidDPoPProof},
		{name: "alg not a string", proof: hdr(map[string]any{"alg": 256}), desc: "DPoP proof header member is missing or has the wrong type", want: validator.ReasonInvalidDPoPProof},

		// The key.
		{name: "jwk missing", proof: hdr(map[string]any{"jwk": axiomstest.Omit}), desc: "DPoP proof header member is missing or has the wrong type", want: validator.ReasonInvalidDPoPProof},
		{name: "jwk not an object", proof: hdr(map[string]any{"jwk": "key"}), desc: "DPoP proof header member is missing or has the wrong type", want: validator.ReasonInvalidDPoPProof},
		{name: "jwk of another key", proof: hdr(map[string]any{"jwk": other.PublicJWK()}), jkt: other.Thumbprint(), desc: "DPoP proof signature verification failed", want: validator.ReasonInvalidDPoPProof},
		{name: "jwk with private d", proof: hdr(map[string]any{"jwk": withMembers(k.PublicJWK(), map[string]any{"d": "AAAA"})}), desc: "DPoP proof jwk holds private or symmetric key material", want: validator.ReasonInvalidDPoPProof},
		{name: "jwk oct", proof: hdr(map[string]any{"jwk": map[string]any{"kty": "oct", "k": "c2VjcmV0"}}), desc: "DPoP proof jwk holds private or symmetric key material", want: validator.ReasonInvalidDPoPProof},
		{name: "jku", proof: hdr(map[string]any{"jku": "https://evil.example.test/jwks"}), desc: "DPoP proof header refers to a key other than by its jwk member", want: validator.ReasonInvalidDPoPProof},
		{name: "x5c", proof: hdr(map[string]any{"x5c": []string{"MIIB"}}), desc: "DPoP proof header refers to a key other than by its jwk member", want: validator.ReasonInvalidDPoPProof},

		// The header.
		{name: "typ JWT", proof: hdr(map[string]any{"typ": "JWT"}), desc: "DPoP proof typ is not dpop+jwt", want: validator.ReasonInvalidDPoPProof},
		{name: "typ case", proof: hdr(map[string]any{"typ": "DPoP+JWT"}), desc: "DPoP proof typ is not dpop+jwt", want: validator.ReasonInvalidDPoPProof},
		{name: "typ media type", proof: hdr(map[string]any{"typ": "application/dpop+jwt"}), desc: "DPoP proof typ is not dpop+jwt", want: validator.ReasonInvalidDPoPProof},
		{name: "typ missing", proof: hdr(map[string]any{"typ": axiomstest.Omit}), desc: "DPoP proof header member is missing or has the wrong type", want: validator.ReasonInvalidDPoPProof},
		{name: "crit", proof: hdr(map[string]any{"crit": []string{"exp"}}), desc: "DPoP proof header lists critical parameters that are not understood", want: validator.ReasonInvalidDPoPProof},

		// The claims.
		{name: "iat too old", proof: spec(func(s *axiomstest.ProofSpec) { s.IssuedAt = testNow.Add(-time.Hour) }), desc: "DPoP proof is too old (iat)", want: validator.ReasonInvalidDPoPProof},
		{name: "iat in the future", proof: spec(func(s *axiomstest.ProofSpec) { s.IssuedAt = testNow.Add(time.Minute) }), desc: "DPoP proof is issued in the future (iat)", want: validator.ReasonInvalidDPoPProof},
		{name: "iat a string", proof: cl(map[string]any{"iat": "1800000000"}), desc: "DPoP proof claim has the wrong type", want: validator.ReasonInvalidDPoPProof},
		{name: "iat missing", proof: cl(map[string]any{"iat": axiomstest.Omit}), desc: "DPoP proof lacks a required claim (jti, htm, htu, iat, ath)", want: validator.ReasonInvalidDPoPProof},
		{name: "jti empty", proof: cl(map[string]any{"jti": ""}), desc: "DPoP proof jti is empty or too long", want: validator.ReasonInvalidDPoPProof},
		{name: "jti huge", proof: cl(map[string]any{"jti": strings.Repeat("j", 257)}), desc: "DPoP proof jti is empty or too long", want: validator.ReasonInvalidDPoPProof},
		{name: "jti a number", proof: cl(map[string]any{"jti": 7}), desc: "DPoP proof claim has the wrong type", want: validator.ReasonInvalidDPoPProof},
		{name: "htm missing", proof: cl(map[string]any{"htm": axiomstest.Omit}), desc: "DPoP proof lacks a required claim (jti, htm, htu, iat, ath)", want: validator.ReasonInvalidDPoPProof},
		{name: "htu an array", proof: cl(map[string]any{"htu": []string{dpopURL}}), desc: "DPoP proof claim has the wrong type", want: validator.ReasonInvalidDPoPProof},

		// The encoding.
		{name: "empty", proof: func(*testing.T) string { return "" }, desc: "DPoP proof is not a compact JWS (three canonical base64url segments)", want: validator.ReasonInvalidDPoPProof},
		{name: "oversized", proof: cl(map[string]any{"pad": strings.Repeat("x", validator.DefaultDPoPMaxProofSize)}), desc: "DPoP proof exceeds the size limit", want: validator.ReasonInvalidDPoPProof},
		{name: "signature stripped", proof: func(t *testing.T) string { p := valid(t); return p[:strings.LastIndexByte(p, '.')+1] }, desc: "DPoP proof signature verification failed", want: validator.ReasonInvalidDPoPProof},
		{name: "signature of another proof", proof: func(t *testing.T) string {
			a, b := valid(t), valid(t)
			return a[:strings.LastIndexByte(a, '.')] + b[strings.LastIndexByte(b, '.'):]
		}, desc: "DPoP proof signature verification failed", want: validator.ReasonInvalidDPoPProof},
		{name: "duplicate header member", proof: spec(func(s *axiomstest.ProofSpec) {
			s.RawHeader = []byte(`{"typ":"dpop+jwt","alg":"ES256","alg":"ES256","jwk":` + string(mustJSON(t, k.PublicJWK())) + `}`)
		}), desc: "DPoP proof header has duplicate member names", want: validator.ReasonInvalidDPoPProof},
		{name: "duplicate claim", proof: spec(func(s *axiomstest.ProofSpec) {
			s.RawPayload = []byte(`{"jti":"a","htm":"GET","htm":"POST","htu":"` + dpopURL + `","iat":1800000000,"ath":"` + athOf(dpopToken) + `"}`)
		}), desc: "DPoP proof payload has duplicate member names", want: validator.ReasonInvalidDPoPProof},
		{name: "five segments", proof: func(t *testing.T) string { return valid(t) + ".a.b" }, desc: "DPoP proof is not a compact JWS (three canonical base64url segments)", want: validator.ReasonInvalidDPoPProof},
		{name: "line break", proof: func(t *testing.T) string { p := valid(t); return p[:10] + "\n" + p[10:] }, desc: "DPoP proof is not a compact JWS (three canonical base64url segments)", want: validator.ReasonInvalidDPoPProof},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := dpopChecker(t, validator.DPoPConfig{})
			method, url, token, key := c.method, c.url, c.token, c.jkt
			if method == "" {
				method = dpopMethod
			}
			if url == "" {
				url = dpopURL
			}
			if token == "" {
				token = dpopToken
			}
			switch key {
			case "":
				key = jkt
			case "-":
				key = ""
			}
			err := d.Check(c.proof(t), method, url, token, key)
			requireReason(t, err, c.want)
			assert.Equal(t, c.desc, err.Error())
		})
	}
}

func withMembers(m map[string]any, extra map[string]any) map[string]any {
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func TestDPoPRefusesReplay(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	d := dpopChecker(t, validator.DPoPConfig{})
	proof := k.Proof(t, proofSpec(nil))
	require.NoError(t, d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()))
	requireReason(t, d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()), validator.ReasonDPoPReplayed)

	// The same jti in a new proof of the same key is a replay too.
	again := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.ID = jtiOf(t, proof) }))
	requireReason(t, d.Check(again, dpopMethod, dpopURL, dpopToken, k.Thumbprint()), validator.ReasonDPoPReplayed)

	// A refused proof is not recorded: once its fault is repaired, it passes.
	fresh := k.Proof(t, proofSpec(nil))
	requireReason(t, d.Check(fresh, "POST", dpopURL, dpopToken, k.Thumbprint()), validator.ReasonInvalidDPoPProof)
	require.NoError(t, d.Check(fresh, dpopMethod, dpopURL, dpopToken, k.Thumbprint()))
}

func TestDPoPErrorsCarryNoProofContent(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	d := dpopChecker(t, validator.DPoPConfig{})
	proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.Method = "SECRET-METHOD" }))
	err := d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint())
	requireReason(t, err, validator.ReasonInvalidDPoPProof)
	assert.Equal(t, "DPoP proof htm does not match the request method", err.Error())
	assert.Nil(t, errors.Unwrap(err))
}

// jtiOf reads the jti of a proof minted by these tests.
func jtiOf(t *testing.T, proof string) string {
	t.Helper()
	parts := strings.Split(proof, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c struct {
		JTI string `json:"jti"`
	}
	require.NoError(t, json.Unmarshal(raw, &c))
	return c.JTI
}

// TestDPoPRefusesUnusableKeys: a jwk that is not a usable public key for the proof's
// alg is refused before its thumbprint is compared or any signature verified.
func TestDPoPRefusesUnusableKeys(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	ec := k.PublicJWK()
	rsaJWK := dpopRSAKey().PublicJWK()
	small := mustRSA(1024)
	b := base64.RawURLEncoding.EncodeToString
	with := func(base map[string]any, over map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range over {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	xBytes, err := base64.RawURLEncoding.DecodeString(ec["x"].(string))
	require.NoError(t, err)
	yBytes, err := base64.RawURLEncoding.DecodeString(ec["y"].(string))
	require.NoError(t, err)
	offCurve := append([]byte{}, yBytes...)
	offCurve[len(offCurve)-1] ^= 1
	nBytes, err := base64.RawURLEncoding.DecodeString(rsaJWK["n"].(string))
	require.NoError(t, err)
	edKey := axiomstest.NewDPoPKey(t, "EdDSA").PublicJWK()

	const private = "DPoP proof jwk holds private or symmetric key material"
	const unusable = "DPoP proof jwk is not a usable public key for its alg"
	for _, tc := range []struct {
		name string
		alg  string
		jwk  map[string]any
		desc string
	}{
		{"EC with d", "ES256", with(ec, map[string]any{"d": b(xBytes)}), private},
		{"RSA with p", "RS256", with(rsaJWK, map[string]any{"p": "AQAB"}), private},
		{"RSA with q", "RS256", with(rsaJWK, map[string]any{"q": "AQAB"}), private},
		{"RSA with dp", "RS256", with(rsaJWK, map[string]any{"dp": "AQAB"}), private},
		{"RSA with dq", "RS256", with(rsaJWK, map[string]any{"dq": "AQAB"}), private},
		{"RSA with qi", "RS256", with(rsaJWK, map[string]any{"qi": "AQAB"}), private},
		{"RSA with oth", "RS256", with(rsaJWK, map[string]any{"oth": []any{}}), private},
		{"d null", "ES256", with(ec, map[string]any{"d": "null-marker"}), private},
		{"kty oct", "ES256", map[string]any{"kty": "oct", "alg": "ES256"}, private},
		{"RSA of 1024 bits", "RS256", map[string]any{"kty": "RSA", "n": b(small.N.Bytes()), "e": "AQAB"}, unusable},
		{"RSA over 8192 bits", "RS256", map[string]any{"kty": "RSA", "n": b(append([]byte{1}, bytes.Repeat([]byte{0xff}, 1024)...)), "e": "AQAB"}, unusable},
		{"RSA exponent 1", "RS256", with(rsaJWK, map[string]any{"e": "AQ"}), unusable},
		{"RSA even exponent", "RS256", with(rsaJWK, map[string]any{"e": "AQAA"}), unusable},
		{"RSA exponent with a leading zero", "RS256", with(rsaJWK, map[string]any{"e": "AAEAAQ"}), unusable},
		{"RSA exponent over 32 bits", "RS256", with(rsaJWK, map[string]any{"e": "AQAAAAE"}), unusable},
		{"RSA modulus with a leading zero", "RS256", with(rsaJWK, map[string]any{"n": b(append([]byte{0}, nBytes...))}), unusable},
		{"RSA modulus empty", "RS256", with(rsaJWK, map[string]any{"n": ""}), unusable},
		{"RSA modulus missing", "RS256", with(rsaJWK, map[string]any{"n": nil}), unusable},
		{"RSA key for an EC alg", "ES256", rsaJWK, unusable},
		{"EC key for an RSA alg", "RS256", ec, unusable},
		{"EC key for EdDSA", "EdDSA", ec, unusable},
		{"P-256 key for ES384", "ES384", ec, unusable},
		{"curve secp256k1", "ES256", with(ec, map[string]any{"crv": "secp256k1"}), unusable},
		{"curve missing", "ES256", with(ec, map[string]any{"crv": nil}), unusable},
		{"point off the curve", "ES256", with(ec, map[string]any{"y": b(offCurve)}), unusable},
		{"x short", "ES256", with(ec, map[string]any{"x": b(xBytes[1:])}), unusable},
		{"x with a leading zero octet", "ES256", with(ec, map[string]any{"x": b(append([]byte{0}, xBytes...))}), unusable},
		{"x padded", "ES256", with(ec, map[string]any{"x": ec["x"].(string) + "="}), unusable},
		{"x in standard base64", "ES256", with(ec, map[string]any{"x": base64.StdEncoding.EncodeToString(xBytes)}), unusable},
		{"x a number", "ES256", with(ec, map[string]any{"x": 1}), unusable},
		{"y missing", "ES256", with(ec, map[string]any{"y": nil}), unusable},
		{"Ed448", "EdDSA", with(edKey, map[string]any{"crv": "Ed448"}), unusable},
		{"Ed25519 x short", "EdDSA", with(edKey, map[string]any{"x": b(make([]byte, 31))}), unusable},
		{"kty missing", "ES256", with(ec, map[string]any{"kty": nil}), unusable},
		{"kty lower case", "ES256", with(ec, map[string]any{"kty": "ec"}), unusable},
		{"kty a number", "ES256", with(ec, map[string]any{"kty": 2}), unusable},
		{"jwk alg another algorithm", "ES256", with(ec, map[string]any{"alg": "ES384"}), unusable},
		{"jwk alg not a string", "ES256", with(ec, map[string]any{"alg": true}), unusable},
		{"jwk use enc", "ES256", with(ec, map[string]any{"use": "enc"}), unusable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jwk := tc.jwk
			if jwk["d"] == "null-marker" {
				jwk["d"] = json.RawMessage("null") // present, even as null
			}
			proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) {
				s.Header = map[string]any{"alg": tc.alg, "jwk": jwk}
			}))
			err := dpopChecker(t, validator.DPoPConfig{}).Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint())
			requireReason(t, err, validator.ReasonInvalidDPoPProof)
			assert.Equal(t, tc.desc, err.Error())
		})
	}

	// Members that do not take part in the thumbprint do not change it: a kid, the
	// matching alg and use "sig" are accepted.
	proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) {
		s.Header = map[string]any{"kid": "client-key-1", "jwk": with(ec, map[string]any{"kid": "k", "alg": "ES256", "use": "sig"})}
	}))
	require.NoError(t, dpopChecker(t, validator.DPoPConfig{}).Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()))
}

// TestDPoPRefusesWrongTypes: header members and claims of the wrong type.
func TestDPoPRefusesWrongTypes(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	const header = "DPoP proof header member is missing or has the wrong type"
	const claim = "DPoP proof claim has the wrong type"
	const missing = "DPoP proof lacks a required claim (jti, htm, htu, iat, ath)"
	for _, tc := range []struct {
		name   string
		header map[string]any
		claims map[string]any
		desc   string
	}{
		{name: "typ a number", header: map[string]any{"typ": 1}, desc: header},
		{name: "typ null", header: map[string]any{"typ": nil}, desc: header},
		{name: "alg null", header: map[string]any{"alg": nil}, desc: header},
		{name: "jwk an array", header: map[string]any{"jwk": []any{k.PublicJWK()}}, desc: header},
		{name: "jwk null", header: map[string]any{"jwk": nil}, desc: header},
		{name: "b64 false", header: map[string]any{"b64": false}, desc: "DPoP proof header lists critical parameters that are not understood"},
		{name: "x5u", header: map[string]any{"x5u": "https://evil.example.test/cert"}, desc: "DPoP proof header refers to a key other than by its jwk member"},
		{name: "jti null", claims: map[string]any{"jti": nil}, desc: claim},
		{name: "htm a number", claims: map[string]any{"htm": 1}, desc: claim},
		{name: "htu an object", claims: map[string]any{"htu": map[string]any{}}, desc: claim},
		{name: "ath an array", claims: map[string]any{"ath": []string{athOf(dpopToken)}}, desc: claim},
		{name: "iat null", claims: map[string]any{"iat": nil}, desc: claim},
		{name: "iat a bool", claims: map[string]any{"iat": true}, desc: claim},
		{name: "jti missing", claims: map[string]any{"jti": axiomstest.Omit}, desc: missing},
		{name: "iat huge", claims: map[string]any{"iat": 1e308}, desc: "DPoP proof is issued in the future (iat)"},
		{name: "iat negative", claims: map[string]any{"iat": -1}, desc: "DPoP proof is too old (iat)"},
		{name: "iat zero", claims: map[string]any{"iat": 0}, desc: "DPoP proof is too old (iat)"},
		{name: "jti of 257 bytes of unicode", claims: map[string]any{"jti": strings.Repeat("é", 128) + "x"}, desc: "DPoP proof jti is empty or too long"},
		{name: "htu missing", claims: map[string]any{"htu": axiomstest.Omit}, desc: missing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.Header, s.Claims = tc.header, tc.claims }))
			err := dpopChecker(t, validator.DPoPConfig{}).Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint())
			requireReason(t, err, validator.ReasonInvalidDPoPProof)
			assert.Equal(t, tc.desc, err.Error())
		})
	}
	// A jti of 256 bytes, any characters, is accepted.
	for _, jti := range []string{strings.Repeat("j", 256), strings.Repeat("é", 128), "☃", " ", "\u0000"} {
		proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.ID = jti }))
		assert.NoError(t, dpopChecker(t, validator.DPoPConfig{}).Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()), "jti %q", jti)
	}
	// Header and payload that are not JSON objects, or not UTF-8.
	for name, raw := range map[string][2]string{
		"header an array":   {`[]`, ``},
		"header null":       {`null`, ``},
		"header not UTF-8":  {"{\"typ\":\"dpop+jwt\xff\"}", ``},
		"payload an array":  {``, `[]`},
		"payload a string":  {``, `"x"`},
		"payload not UTF-8": {``, "{\"jti\":\"\xff\"}"},
		"payload trailing":  {``, `{"jti":"a"} {}`},
		"duplicate in jwk":  {`{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","kty":"EC"}}`, ``},
		"header with a BOM": {"\ufeff{}", ``},
	} {
		t.Run(name, func(t *testing.T) {
			spec := proofSpec(nil)
			if raw[0] != "" {
				spec.RawHeader = []byte(raw[0])
			}
			if raw[1] != "" {
				spec.RawPayload = []byte(raw[1])
			}
			err := dpopChecker(t, validator.DPoPConfig{}).Check(k.Proof(t, spec), dpopMethod, dpopURL, dpopToken, k.Thumbprint())
			requireReason(t, err, validator.ReasonInvalidDPoPProof)
			assert.Contains(t, []string{
				"DPoP proof header is not a valid JSON object", "DPoP proof payload is not a valid JSON object",
				"DPoP proof header has duplicate member names",
			}, err.Error())
		})
	}
}

// TestDPoPHTUNormalisation: the URLs a proof's htu and the request's are the same
// under RFC 3986 normalisation, and the ones they are not.
func TestDPoPHTUNormalisation(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	for _, tc := range []struct {
		claim, request string
		same           bool
	}{
		{"https://api.example.test/orders/42", "https://api.example.test/orders/42", true},
		{"HTTPS://API.Example.TEST/orders/42", "https://api.example.test/orders/42", true},
		{"https://api.example.test:443/orders/42", "https://api.example.test/orders/42", true},
		{"https://api.example.test/orders/42", "https://api.example.test:443/orders/42", true},
		{"http://api.example.test:80/a", "http://api.example.test/a", true},
		{"https://api.example.test:8443/a", "https://api.example.test:8443/a", true},
		{"https://api.example.test", "https://api.example.test/", true},
		{"https://api.example.test/%6Frders/42", "https://api.example.test/orders/42", true},
		{"https://api.example.test/%7e/a", "https://api.example.test/~/a", true},
		{"https://api.example.test/a%2fb", "https://api.example.test/a%2Fb", true},
		{"https://api.example.test/caf%c3%a9", "https://api.example.test/caf%C3%A9", true},
		{"https://api.example.test/orders/./42", "https://api.example.test/orders/42", true},
		{"https://api.example.test/x/../orders/42", "https://api.example.test/orders/42", true},
		{"https://api.example.test/orders/%2E%2E/42", "https://api.example.test/42", true},
		{"https://[::1]:8443/a", "https://[::1]:8443/a", true},
		{"https://[0:0::1]/a", "https://[::1]:443/a", true},
		{"https://[2001:DB8::1]/a", "https://[2001:db8::1]/a", true},
		{"https://api.example.test:/a", "https://api.example.test/a", true},
		{"https://api.example.test:00443/a", "https://api.example.test/a", true},
		{"https://api.example.test/a;v=1/b@c:d!$&'()*+,=", "https://api.example.test/a;v=1/b@c:d!$&'()*+,=", true},
		{"https://api.example.test/orders/42", "https://api.example.test/orders/42?page=2", true}, // the request's query is not the proof's business
		{"https://api.example.test/orders/42", "https://api.example.test/orders/42#top", true},

		{"https://api.example.test/orders/42", "http://api.example.test/orders/42", false},
		{"http://api.example.test:443/orders/42", "https://api.example.test/orders/42", false},
		{"https://api.example.test:444/orders/42", "https://api.example.test/orders/42", false},
		{"https://api.example.test:0/orders/42", "https://api.example.test/orders/42", false},
		{"https://api.example.test:65536/orders/42", "https://api.example.test:65536/orders/42", false},
		{"https://api.example.test/orders/42/", "https://api.example.test/orders/42", false},
		{"https://api.example.test/Orders/42", "https://api.example.test/orders/42", false},
		{"https://api.example.test/a%2Fb", "https://api.example.test/a/b", false},
		{"https://api.example.test/caf%C3%A9", "https://api.example.test/café", true},
		{"https://api.example.test/a|b[c]^{d}`e\"f<g>", "https://api.example.test/a%7Cb%5Bc%5D%5E%7Bd%7D%60e%22f%3Cg%3E", true},
		{"https://api.example.test/caf%C3%A9", "https://api.example.test/cafe%CC%81", false}, // no Unicode normalisation
		{"https://api.example.test/orders/42?", "https://api.example.test/orders/42", false},
		{"https://api.example.test/orders/42#", "https://api.example.test/orders/42", false},
		{"https://api.example.test./orders/42", "https://api.example.test/orders/42", false},
		{"https://user:pw@api.example.test/orders/42", "https://api.example.test/orders/42", false},
		{"//api.example.test/orders/42", "https://api.example.test/orders/42", false},
		{"https:///orders/42", "https:///orders/42", false},
		{"mailto:a@example.test", "mailto:a@example.test", false},
		{"", "", false},
		{"https://api.example.test/%zz", "https://api.example.test/%zz", false},
		{"https://api.example.test/a b", "https://api.example.test/a%20b", true},
		{"https://api.example.test/a\tb", "https://api.example.test/a%09b", false},
		{"https://api.example.test/a\x7fb", "https://api.example.test/a%7Fb", false},
		{"https://api.example.test/orders/42", "not a URL", false},
		// A request path with dot segments matches no proof: the router matches it as
		// it is (Echo: /files/:name takes "/files/../admin").
		{"https://api.example.test/admin", "https://api.example.test/files/../admin", false},
		{"https://api.example.test/files/../admin", "https://api.example.test/files/../admin", false},
		{"https://api.example.test/admin", "https://api.example.test/files/%2E%2E/admin", false},
		{"https://api.example.test/admin", "https://api.example.test/files/%2e./admin", false},
		{"https://api.example.test/files/admin", "https://api.example.test/files/./admin", false},
		{"https://api.example.test/", "https://api.example.test/..", false},
		{"https://api.example.test/a/.b/c..", "https://api.example.test/a/.b/c..", true},
		{"https://[::1%25eth0]/a", "https://[::1%25eth0]/a", false},
		{"https://[127.0.0.1]/a", "https://[127.0.0.1]/a", false},
		{"https://[::1/a", "https://[::1/a", false},
		{"https://api.example.test:+443/a", "https://api.example.test/a", false},
		{"https://api.example.test:4a/a", "https://api.example.test:4a/a", false},
		{"https://api.example.test:000443/a", "https://api.example.test/a", false},
		{"https://api.exämple.test/a", "https://api.exämple.test/a", false},
		{"https://api.example.test/a\\b", "https://api.example.test/a%5Cb", true},
		{"https://api.example.test/a\\b", "https://api.example.test/a/b", false},
		{"https://api.example.test/a\x00", "https://api.example.test/a\x00", false},
		{"https://api%2Eexample.test/a", "https://api.example.test/a", false},
	} {
		t.Run(tc.claim+" "+tc.request, func(t *testing.T) {
			d := dpopChecker(t, validator.DPoPConfig{})
			proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.URL = tc.claim }))
			err := d.Check(proof, dpopMethod, tc.request, dpopToken, k.Thumbprint())
			if tc.same {
				assert.NoError(t, err)
				return
			}
			requireReason(t, err, validator.ReasonInvalidDPoPProof)
			assert.Equal(t, "DPoP proof htu does not match the request URL", err.Error())
		})
	}
}

func TestDPoPNonces(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	secret := []byte("0123456789abcdef0123456789abcdef")
	clock := axiomstest.NewClock(testNow)
	d := dpopChecker(t, validator.DPoPConfig{NonceSecret: secret, Now: clock.Now})
	check := func(nonce string, claims map[string]any) error {
		proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.Nonce, s.IssuedAt, s.Claims = nonce, clock.Now(), claims }))
		return d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint())
	}

	current := d.Nonce()
	assert.Len(t, current, 43, "base64url of an HMAC-SHA256")
	assert.Equal(t, current, d.Nonce(), "one nonce per slot")

	err := check("", nil)
	requireReason(t, err, validator.ReasonUseDPoPNonce)
	assert.Equal(t, "DPoP proof lacks the server nonce", err.Error())
	err = check("not-a-nonce", nil)
	requireReason(t, err, validator.ReasonUseDPoPNonce)
	assert.Equal(t, "DPoP proof nonce is unknown or expired", err.Error())
	err = check("", map[string]any{"nonce": 7})
	requireReason(t, err, validator.ReasonInvalidDPoPProof)
	assert.Equal(t, "DPoP proof claim has the wrong type", err.Error())
	require.NoError(t, check(current, nil), "the current nonce")

	// Another secret's nonce is unknown; a checker with the same secret accepts it.
	foreign := dpopChecker(t, validator.DPoPConfig{NonceSecret: []byte("fedcba9876543210fedcba9876543210"), Now: clock.Now})
	requireReason(t, check(foreign.Nonce(), nil), validator.ReasonUseDPoPNonce)
	peer := dpopChecker(t, validator.DPoPConfig{NonceSecret: secret, Now: clock.Now})
	assert.Equal(t, current, peer.Nonce())

	// The next slot: a new nonce is issued, the previous one is still accepted.
	clock.Advance(validator.DefaultDPoPNonceLifetime)
	next := d.Nonce()
	assert.NotEqual(t, current, next)
	require.NoError(t, check(current, nil), "the previous slot's nonce")
	require.NoError(t, check(next, nil))

	// Two slots on, the first nonce is stale.
	clock.Advance(validator.DefaultDPoPNonceLifetime)
	err = check(current, nil)
	requireReason(t, err, validator.ReasonUseDPoPNonce)
	assert.Equal(t, "DPoP proof nonce is unknown or expired", err.Error())
	require.NoError(t, check(next, nil))

	// A proof refused for its nonce is not recorded: with the nonce, the same jti passes.
	proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.ID, s.IssuedAt = "retry-1", clock.Now() }))
	requireReason(t, d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()), validator.ReasonUseDPoPNonce)
	proof = k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.ID, s.IssuedAt, s.Nonce = "retry-1", clock.Now(), d.Nonce() }))
	require.NoError(t, d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()))

	// A shorter lifetime makes shorter slots.
	short := dpopChecker(t, validator.DPoPConfig{NonceSecret: secret, NonceLifetime: time.Second, Now: clock.Now})
	n := short.Nonce()
	clock.Advance(2 * time.Second)
	requireReason(t, func() error {
		p := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.Nonce, s.IssuedAt = n, clock.Now() }))
		return short.Check(p, dpopMethod, dpopURL, dpopToken, k.Thumbprint())
	}(), validator.ReasonUseDPoPNonce)
}

func TestDPoPWithoutNonces(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	d := dpopChecker(t, validator.DPoPConfig{})
	assert.Equal(t, "", d.Nonce())
	// A nonce the server never asked for is not read.
	proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.Nonce = "anything" }))
	require.NoError(t, d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()))
}

// TestDPoPReplayCacheExpiry: an entry lives as long as its proof's iat is in the window;
// after that the proof is too old, and its jti may be used again.
func TestDPoPReplayCacheExpiry(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	clock := axiomstest.NewClock(testNow)
	d := dpopChecker(t, validator.DPoPConfig{ReplayCacheSize: 1, Now: clock.Now})
	proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.ID = "jti-1" }))
	require.NoError(t, d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()))

	// Until the end of the window, the proof is a replay, and the full cache takes no
	// other.
	clock.Advance(validator.DefaultDPoPMaxAge + validator.DefaultDPoPLeeway)
	err := d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint())
	requireReason(t, err, validator.ReasonDPoPReplayed)
	assert.Equal(t, "DPoP proof has already been used", err.Error())
	other := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.IssuedAt = clock.Now() }))
	err = d.Check(other, dpopMethod, dpopURL, dpopToken, k.Thumbprint())
	requireReason(t, err, validator.ReasonDPoPReplayed)
	assert.Equal(t, "DPoP proof cannot be recorded against replay (replay cache full)", err.Error())

	// Past it, the proof is too old, and the entry has made room.
	clock.Advance(time.Second)
	err = d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint())
	requireReason(t, err, validator.ReasonInvalidDPoPProof)
	assert.Equal(t, "DPoP proof is too old (iat)", err.Error())
	require.NoError(t, d.Check(other, dpopMethod, dpopURL, dpopToken, k.Thumbprint()), "the expired entry made room")

	// The same jti in a fresh proof, once its first use has left the window, passes.
	clock.Advance(validator.DefaultDPoPMaxAge + validator.DefaultDPoPLeeway + time.Second)
	again := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.ID, s.IssuedAt = "jti-1", clock.Now() }))
	require.NoError(t, d.Check(again, dpopMethod, dpopURL, dpopToken, k.Thumbprint()))
}

// TestDPoPReplayCacheIsPerKey: one client's jti never blocks another's.
func TestDPoPReplayCacheIsPerKey(t *testing.T) {
	a, b := axiomstest.NewDPoPKey(t, "ES256"), axiomstest.NewDPoPKey(t, "ES256")
	d := dpopChecker(t, validator.DPoPConfig{})
	for _, k := range []*axiomstest.DPoPKey{a, b} {
		proof := k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.ID = "same-jti" }))
		require.NoError(t, d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()))
	}
}

// TestDPoPReplayCacheFullFailsClosed: a full cache of live entries refuses new proofs
// rather than accepting them unrecorded.
func TestDPoPReplayCacheFullFailsClosed(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	d := dpopChecker(t, validator.DPoPConfig{ReplayCacheSize: 3})
	for range 3 {
		require.NoError(t, d.Check(k.Proof(t, proofSpec(nil)), dpopMethod, dpopURL, dpopToken, k.Thumbprint()))
	}
	for range 2 {
		err := d.Check(k.Proof(t, proofSpec(nil)), dpopMethod, dpopURL, dpopToken, k.Thumbprint())
		requireReason(t, err, validator.ReasonDPoPReplayed)
		assert.Equal(t, "DPoP proof cannot be recorded against replay (replay cache full)", err.Error())
	}
}

// TestDPoPReplayCacheShareOfAKey: one key sending proofs as fast as it can fills its
// share of the cache (MaxProofsPerKey), never the whole cache: the other keys' proofs
// are still recorded and accepted.
func TestDPoPReplayCacheShareOfAKey(t *testing.T) {
	greedy, other := axiomstest.NewDPoPKey(t, "ES256"), axiomstest.NewDPoPKey(t, "ES256")
	d := dpopChecker(t, validator.DPoPConfig{ReplayCacheSize: 10, MaxProofsPerKey: 4})
	for range 4 {
		require.NoError(t, d.Check(greedy.Proof(t, proofSpec(nil)), dpopMethod, dpopURL, dpopToken, greedy.Thumbprint()))
	}
	for range 3 {
		err := d.Check(greedy.Proof(t, proofSpec(nil)), dpopMethod, dpopURL, dpopToken, greedy.Thumbprint())
		requireReason(t, err, validator.ReasonDPoPReplayed)
		assert.Equal(t, "DPoP proof cannot be recorded against replay (this key's share of the replay cache is full)", err.Error())
	}
	for range 4 {
		require.NoError(t, d.Check(other.Proof(t, proofSpec(nil)), dpopMethod, dpopURL, dpopToken, other.Thumbprint()),
			"another client is not locked out")
	}

	// The share is capped at the cache's size: with a small cache and no share set,
	// one key may fill it (TestDPoPReplayCacheFullFailsClosed).
	_, err := validator.NewDPoPChecker(validator.DPoPConfig{MaxProofsPerKey: -1})
	require.ErrorContains(t, err, "DPoPConfig.MaxProofsPerKey is negative")
}

// TestDPoPConcurrentReplay: of many concurrent checks of one proof exactly one succeeds;
// of many distinct proofs racing for a small cache, exactly its size succeed.
func TestDPoPConcurrentReplay(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	d := dpopChecker(t, validator.DPoPConfig{})
	proof := k.Proof(t, proofSpec(nil))
	const n = 64
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint()) })
	}
	wg.Wait()
	accepted := 0
	for _, err := range errs {
		if err == nil {
			accepted++
		} else {
			requireReason(t, err, validator.ReasonDPoPReplayed)
		}
	}
	assert.Equal(t, 1, accepted)

	small := dpopChecker(t, validator.DPoPConfig{ReplayCacheSize: 10})
	proofs := make([]string, n)
	for i := range proofs {
		proofs[i] = k.Proof(t, proofSpec(nil))
	}
	for i := range n {
		wg.Go(func() { errs[i] = small.Check(proofs[i], dpopMethod, dpopURL, dpopToken, k.Thumbprint()) })
	}
	wg.Wait()
	accepted = 0
	for _, err := range errs {
		if err == nil {
			accepted++
		} else {
			requireReason(t, err, validator.ReasonDPoPReplayed)
		}
	}
	assert.Equal(t, 10, accepted)
}

func TestDPoPConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  validator.DPoPConfig
		msg  string
	}{
		{"alg none", validator.DPoPConfig{Algorithms: []string{"ES256", "none"}}, `DPoP algorithm "none" is never allowed`},
		{"alg NONE", validator.DPoPConfig{Algorithms: []string{"NONE"}}, `DPoP algorithm "NONE" is never allowed`},
		{"alg HS256", validator.DPoPConfig{Algorithms: []string{"HS256"}}, `DPoP algorithm "HS256" is never allowed`},
		{"alg hs512", validator.DPoPConfig{Algorithms: []string{"hs512"}}, `DPoP algorithm "hs512" is never allowed`},
		{"alg unknown", validator.DPoPConfig{Algorithms: []string{"ES256K"}}, `unknown DPoP algorithm "ES256K"`},
		{"alg case", validator.DPoPConfig{Algorithms: []string{"es256"}}, `unknown DPoP algorithm "es256"`},
		{"alg empty", validator.DPoPConfig{Algorithms: []string{""}}, `unknown DPoP algorithm ""`},
		{"MaxAge negative", validator.DPoPConfig{MaxAge: -time.Second}, "DPoPConfig.MaxAge is negative"},
		{"ReplayCacheSize negative", validator.DPoPConfig{ReplayCacheSize: -1}, "DPoPConfig.ReplayCacheSize is negative"},
		{"MaxProofSize negative", validator.DPoPConfig{MaxProofSize: -1}, "DPoPConfig.MaxProofSize is negative"},
		{"NonceSecret short", validator.DPoPConfig{NonceSecret: make([]byte, 31)}, "DPoPConfig.NonceSecret holds 31 bytes, fewer than 32"},
		{"NonceSecret empty", validator.DPoPConfig{NonceSecret: []byte{}}, "DPoPConfig.NonceSecret holds 0 bytes, fewer than 32"},
		{"NonceLifetime short", validator.DPoPConfig{NonceSecret: make([]byte, 32), NonceLifetime: time.Millisecond}, "DPoPConfig.NonceLifetime 1ms is under one second"},
		{"NonceLifetime negative", validator.DPoPConfig{NonceSecret: make([]byte, 32), NonceLifetime: -time.Minute}, "DPoPConfig.NonceLifetime -1m0s is under one second"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := validator.NewDPoPChecker(tc.cfg)
			assert.Nil(t, d)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}

	d, err := validator.NewDPoPChecker(validator.DPoPConfig{})
	require.NoError(t, err)
	assert.Equal(t, validator.DefaultDPoPAlgorithms(), d.Algorithms())
	assert.Equal(t, []string{"ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512", "EdDSA"}, validator.DefaultDPoPAlgorithms())
	algs := d.Algorithms()
	algs[0] = "changed"
	assert.Equal(t, "ES256", d.Algorithms()[0], "Algorithms returns a copy")
	defaults := validator.DefaultDPoPAlgorithms()
	defaults[0] = "changed"
	assert.Equal(t, "ES256", validator.DefaultDPoPAlgorithms()[0], "DefaultDPoPAlgorithms returns a fresh slice")

	d, err = validator.NewDPoPChecker(validator.DPoPConfig{Algorithms: []string{"EdDSA", "ES256", "EdDSA"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"EdDSA", "ES256"}, d.Algorithms(), "configured order, without duplicates")
}

func TestDPoPConfigLimits(t *testing.T) {
	k := axiomstest.NewDPoPKey(t, "ES256")
	check := func(d *validator.DPoPChecker, proof string) error {
		return d.Check(proof, dpopMethod, dpopURL, dpopToken, k.Thumbprint())
	}

	// Algorithms: an allowlist.
	onlyEdDSA := dpopChecker(t, validator.DPoPConfig{Algorithms: []string{"EdDSA"}})
	err := check(onlyEdDSA, k.Proof(t, proofSpec(nil)))
	requireReason(t, err, validator.ReasonInvalidDPoPProof)
	assert.Equal(t, "DPoP proof signing algorithm not allowed", err.Error())

	// MaxProofSize: the proof's length in bytes, inclusive.
	proof := k.Proof(t, proofSpec(nil))
	require.NoError(t, check(dpopChecker(t, validator.DPoPConfig{MaxProofSize: len(proof)}), proof))
	err = check(dpopChecker(t, validator.DPoPConfig{MaxProofSize: len(proof) - 1}), k.Proof(t, proofSpec(nil)))
	requireReason(t, err, validator.ReasonInvalidDPoPProof)
	assert.Equal(t, "DPoP proof exceeds the size limit", err.Error())

	// MaxAge and Leeway.
	strict := dpopChecker(t, validator.DPoPConfig{MaxAge: 10 * time.Second, Leeway: -1})
	require.NoError(t, check(strict, k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.IssuedAt = testNow.Add(-10 * time.Second) }))))
	err = check(strict, k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.IssuedAt = testNow.Add(-11 * time.Second) })))
	assert.Equal(t, "DPoP proof is too old (iat)", err.Error())
	err = check(strict, k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) { s.IssuedAt = testNow.Add(time.Second) })))
	assert.Equal(t, "DPoP proof is issued in the future (iat)", err.Error(), "a negative Leeway is none")
	// Fractional iat values are NumericDates too.
	err = check(strict, k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) {
		s.Claims = map[string]any{"iat": float64(testNow.Unix()) + 0.5}
	})))
	assert.Equal(t, "DPoP proof is issued in the future (iat)", err.Error())
	require.NoError(t, check(strict, k.Proof(t, proofSpec(func(s *axiomstest.ProofSpec) {
		s.Claims = map[string]any{"iat": float64(testNow.Unix()) - 0.5}
	}))))
}

// The example of RFC 9449 §4.1 (Figure 2): a proof for a token request (it has no ath)
// by the key whose thumbprint §6.1 (Figure 9) gives.
const (
	rfc9449Proof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19" +
		".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ" +
		".2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
	rfc9449JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
)

// TestDPoPRFC9449Example: the RFC's proof passes every check up to ath (its key and
// thumbprint, signature, htm, htu, iat), which a proof for a token request lacks.
func TestDPoPRFC9449Example(t *testing.T) {
	d := dpopChecker(t, validator.DPoPConfig{Now: func() time.Time { return time.Unix(1562262616, 0) }})
	err := d.Check(rfc9449Proof, "POST", "https://server.example.com/token", "token", rfc9449JKT)
	requireReason(t, err, validator.ReasonInvalidDPoPProof)
	assert.Equal(t, "DPoP proof lacks a required claim (jti, htm, htu, iat, ath)", err.Error())

	err = d.Check(rfc9449Proof, "POST", "https://server.example.com/token", "token", "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
	requireReason(t, err, validator.ReasonDPoPKeyMismatch)
	// Another method, URL or time fails as such: the checks before ath passed.
	err = d.Check(rfc9449Proof, "GET", "https://server.example.com/token", "token", rfc9449JKT)
	assert.Equal(t, "DPoP proof htm does not match the request method", err.Error())
	err = d.Check(rfc9449Proof, "POST", "https://server.example.com/authorize", "token", rfc9449JKT)
	assert.Equal(t, "DPoP proof htu does not match the request URL", err.Error())
	late := dpopChecker(t, validator.DPoPConfig{Now: func() time.Time { return time.Unix(1562262616+66, 0) }})
	err = late.Check(rfc9449Proof, "POST", "https://server.example.com/token", "token", rfc9449JKT)
	assert.Equal(t, "DPoP proof is too old (iat)", err.Error())

	// One character of the signature changed.
	i := strings.LastIndexByte(rfc9449Proof, '.') + 10
	forged := rfc9449Proof[:i] + "A" + rfc9449Proof[i+1:]
	require.NotEqual(t, rfc9449Proof, forged)
	err = d.Check(forged, "POST", "https://server.example.com/token", "token", rfc9449JKT)
	requireReason(t, err, validator.ReasonInvalidDPoPProof)
	assert.Equal(t, "DPoP proof signature verification failed", err.Error())
}

package validator_test

import (
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
		{name: "cnf mismatch", proof: func(t *testing.T) string { return other.Proof(t, proofSpec(nil)) }, want: validator.ReasonDPoPKeyMismatch},
		{name: "token not bound", proof: valid, jkt: "-", want: validator.ReasonDPoPKeyMismatch},
		{name: "another token (ath)", proof: valid, token: "another-token", want: validator.ReasonInvalidDPoPProof},
		{name: "ath missing", proof: cl(map[string]any{"ath": axiomstest.Omit}), want: validator.ReasonInvalidDPoPProof},
		{name: "ath of the token in another encoding", proof: cl(map[string]any{"ath": athOf(dpopToken) + "="}), want: validator.ReasonInvalidDPoPProof},

		// The request: another method or URL.
		{name: "another method", proof: valid, method: "POST", want: validator.ReasonInvalidDPoPProof},
		{name: "method case", proof: valid, method: "get", want: validator.ReasonInvalidDPoPProof},
		{name: "another scheme", proof: valid, url: "http://api.example.test/orders/42", want: validator.ReasonInvalidDPoPProof},
		{name: "another host", proof: valid, url: "https://evil.example.test/orders/42", want: validator.ReasonInvalidDPoPProof},
		{name: "another port", proof: valid, url: "https://api.example.test:8443/orders/42", want: validator.ReasonInvalidDPoPProof},
		{name: "another path", proof: valid, url: "https://api.example.test/orders/43", want: validator.ReasonInvalidDPoPProof},
		{name: "trailing slash", proof: valid, url: dpopURL + "/", want: validator.ReasonInvalidDPoPProof},
		{name: "path case", proof: valid, url: "https://api.example.test/Orders/42", want: validator.ReasonInvalidDPoPProof},
		{name: "query in htu", proof: cl(map[string]any{"htu": dpopURL + "?a=1"}), want: validator.ReasonInvalidDPoPProof},
		{name: "empty query in htu", proof: cl(map[string]any{"htu": dpopURL + "?"}), want: validator.ReasonInvalidDPoPProof},
		{name: "fragment in htu", proof: cl(map[string]any{"htu": dpopURL + "#x"}), want: validator.ReasonInvalidDPoPProof},
		{name: "encoded slash is not a slash", proof: cl(map[string]any{"htu": "https://api.example.test/orders%2F42"}), want: validator.ReasonInvalidDPoPProof},
		{name: "dot segments escape the path", proof: cl(map[string]any{"htu": "https://api.example.test/orders/42/../43"}), want: validator.ReasonInvalidDPoPProof},
		{name: "userinfo in htu", proof: cl(map[string]any{"htu": "https://user@api.example.test/orders/42"}), want: validator.ReasonInvalidDPoPProof},
		{name: "relative htu", proof: cl(map[string]any{"htu": "/orders/42"}), want: validator.ReasonInvalidDPoPProof},
		{name: "ftp htu", proof: cl(map[string]any{"htu": "ftp://api.example.test/orders/42"}), want: validator.ReasonInvalidDPoPProof},
		{name: "bad percent-encoding in htu", proof: cl(map[string]any{"htu": "https://api.example.test/orders/4%2"}), want: validator.ReasonInvalidDPoPProof},

		// The algorithm.
		{name: "alg none", proof: spec(func(s *axiomstest.ProofSpec) { s.Unsigned = true }), want: validator.ReasonInvalidDPoPProof},
		{name: "alg none signed", proof: hdr(map[string]any{"alg": "none"}), want: validator.ReasonInvalidDPoPProof},
		{name: "HS256 keyed with the jwk", proof: spec(func(s *axiomstest.ProofSpec) { s.HMACSecret = []byte(`{"kty":"EC"}`) }), want: validator.ReasonInvalidDPoPProof},
		{name: "alg vs jwk mismatch", proof: hdr(map[string]any{"alg": "ES384"}), want: validator.ReasonInvalidDPoPProof},
		{name: "alg unknown", proof: hdr(map[string]any{"alg": "ES256K"}), want: validator.ReasonInvalidDPoPProof},
		{name: "alg missing", proof: hdr(map[string]any{"alg": axiomstest.Omit}), want: validator.ReasonInvalidDPoPProof},
		{name: "alg not a string", proof: hdr(map[string]any{"alg": 256}), want: validator.ReasonInvalidDPoPProof},

		// The key.
		{name: "jwk missing", proof: hdr(map[string]any{"jwk": axiomstest.Omit}), want: validator.ReasonInvalidDPoPProof},
		{name: "jwk not an object", proof: hdr(map[string]any{"jwk": "key"}), want: validator.ReasonInvalidDPoPProof},
		{name: "jwk of another key", proof: hdr(map[string]any{"jwk": other.PublicJWK()}), jkt: other.Thumbprint(), want: validator.ReasonInvalidDPoPProof},
		{name: "jwk with private d", proof: hdr(map[string]any{"jwk": withMembers(k.PublicJWK(), map[string]any{"d": "AAAA"})}), want: validator.ReasonInvalidDPoPProof},
		{name: "jwk oct", proof: hdr(map[string]any{"jwk": map[string]any{"kty": "oct", "k": "c2VjcmV0"}}), want: validator.ReasonInvalidDPoPProof},
		{name: "jku", proof: hdr(map[string]any{"jku": "https://evil.example.test/jwks"}), want: validator.ReasonInvalidDPoPProof},
		{name: "x5c", proof: hdr(map[string]any{"x5c": []string{"MIIB"}}), want: validator.ReasonInvalidDPoPProof},

		// The header.
		{name: "typ JWT", proof: hdr(map[string]any{"typ": "JWT"}), want: validator.ReasonInvalidDPoPProof},
		{name: "typ case", proof: hdr(map[string]any{"typ": "DPoP+JWT"}), want: validator.ReasonInvalidDPoPProof},
		{name: "typ media type", proof: hdr(map[string]any{"typ": "application/dpop+jwt"}), want: validator.ReasonInvalidDPoPProof},
		{name: "typ missing", proof: hdr(map[string]any{"typ": axiomstest.Omit}), want: validator.ReasonInvalidDPoPProof},
		{name: "crit", proof: hdr(map[string]any{"crit": []string{"exp"}}), want: validator.ReasonInvalidDPoPProof},

		// The claims.
		{name: "iat too old", proof: spec(func(s *axiomstest.ProofSpec) { s.IssuedAt = testNow.Add(-time.Hour) }), want: validator.ReasonInvalidDPoPProof},
		{name: "iat in the future", proof: spec(func(s *axiomstest.ProofSpec) { s.IssuedAt = testNow.Add(time.Minute) }), want: validator.ReasonInvalidDPoPProof},
		{name: "iat a string", proof: cl(map[string]any{"iat": "1800000000"}), want: validator.ReasonInvalidDPoPProof},
		{name: "iat missing", proof: cl(map[string]any{"iat": axiomstest.Omit}), want: validator.ReasonInvalidDPoPProof},
		{name: "jti empty", proof: cl(map[string]any{"jti": ""}), want: validator.ReasonInvalidDPoPProof},
		{name: "jti huge", proof: cl(map[string]any{"jti": strings.Repeat("j", 257)}), want: validator.ReasonInvalidDPoPProof},
		{name: "jti a number", proof: cl(map[string]any{"jti": 7}), want: validator.ReasonInvalidDPoPProof},
		{name: "htm missing", proof: cl(map[string]any{"htm": axiomstest.Omit}), want: validator.ReasonInvalidDPoPProof},
		{name: "htu an array", proof: cl(map[string]any{"htu": []string{dpopURL}}), want: validator.ReasonInvalidDPoPProof},

		// The encoding.
		{name: "empty", proof: func(*testing.T) string { return "" }, want: validator.ReasonInvalidDPoPProof},
		{name: "oversized", proof: cl(map[string]any{"pad": strings.Repeat("x", validator.DefaultDPoPMaxProofSize)}), want: validator.ReasonInvalidDPoPProof},
		{name: "signature stripped", proof: func(t *testing.T) string { p := valid(t); return p[:strings.LastIndexByte(p, '.')+1] }, want: validator.ReasonInvalidDPoPProof},
		{name: "signature of another proof", proof: func(t *testing.T) string {
			a, b := valid(t), valid(t)
			return a[:strings.LastIndexByte(a, '.')] + b[strings.LastIndexByte(b, '.'):]
		}, want: validator.ReasonInvalidDPoPProof},
		{name: "duplicate header member", proof: spec(func(s *axiomstest.ProofSpec) {
			s.RawHeader = []byte(`{"typ":"dpop+jwt","alg":"ES256","alg":"ES256","jwk":` + string(mustJSON(t, k.PublicJWK())) + `}`)
		}), want: validator.ReasonInvalidDPoPProof},
		{name: "duplicate claim", proof: spec(func(s *axiomstest.ProofSpec) {
			s.RawPayload = []byte(`{"jti":"a","htm":"GET","htm":"POST","htu":"` + dpopURL + `","iat":1800000000,"ath":"` + athOf(dpopToken) + `"}`)
		}), want: validator.ReasonInvalidDPoPProof},
		{name: "five segments", proof: func(t *testing.T) string { return valid(t) + ".a.b" }, want: validator.ReasonInvalidDPoPProof},
		{name: "line break", proof: func(t *testing.T) string { p := valid(t); return p[:10] + "\n" + p[10:] }, want: validator.ReasonInvalidDPoPProof},
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

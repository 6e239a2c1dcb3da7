package validator_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"hash"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

func hmacToken(alg string, secret []byte, header, payload string) string {
	var h func() hash.Hash
	switch alg {
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	default:
		h = sha256.New
	}
	input := b64(header) + "." + b64(payload)
	m := hmac.New(h, secret)
	m.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestCraftedTokens is the table of crafted tokens: each row states the attack and the
// exact reason it is rejected with (or that it is accepted, where the row says so).
func TestCraftedTokens(t *testing.T) {
	rs := newSigner(t, "RS256", "rsa-1")
	es := newSigner(t, "ES256", "ec-1")
	ed := newSigner(t, "EdDSA", "ed-1")
	attacker := newSigner(t, "ES256", "ec-1") // same kid, different key
	attackerRSA := &signer{alg: "RS256", kid: "rsa-1", priv: rsaKeyB()}
	keys := jwksJSON(t, rs.jwk(t, nil), es.jwk(t, nil), ed.jwk(t, nil))
	v := staticValidator(t, validator.Config{}, keys)
	typed := staticValidator(t, validator.Config{RequireType: true}, keys)
	rsOnly := staticValidator(t, validator.Config{Algorithms: []string{"RS256"}}, keys)

	good := claims(nil)
	goodJSON := mustJSON(t, good)
	esHeader := `{"alg":"ES256","kid":"ec-1","typ":"JWT"}`
	valid := es.token(t, good, nil)
	parts := strings.Split(valid, ".")

	pubDER, err := x509.MarshalPKIXPublicKey(rsaKeyA().Public())
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	attackerJWK := mustJSON(t, attacker.jwk(t, nil))

	// an ES256 signature with r or s out of range, or DER-encoded
	ecSig := func(r, s []byte) string {
		return b64(esHeader) + "." + b64(goodJSON) + "." + base64.RawURLEncoding.EncodeToString(append(pad32(r), pad32(s)...))
	}
	n := []byte{0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51}
	sigBytes, _ := base64.RawURLEncoding.DecodeString(parts[2])
	der, err := asn1.Marshal(struct{ R, S *big.Int }{bigInt(sigBytes[:32]), bigInt(sigBytes[32:])})
	require.NoError(t, err)

	type row struct {
		name   string
		v      *validator.Validator // default v
		token  string
		reason validator.Reason // "" = accepted
	}
	rows := []row{
		{name: "baseline ES256 token is accepted", token: valid},
		{name: "baseline RS256 token is accepted", token: rs.token(t, good, nil)},
		{name: "baseline EdDSA token is accepted", token: ed.token(t, good, nil)},

		// structure and size
		{name: "empty token", token: "", reason: validator.ReasonMalformed},
		{name: "one segment", token: parts[0], reason: validator.ReasonMalformed},
		{name: "two segments", token: parts[0] + "." + parts[1], reason: validator.ReasonMalformed},
		{name: "four segments", token: valid + ".x", reason: validator.ReasonMalformed},
		{name: "JWE shape (five segments)", token: b64(`{"alg":"RSA-OAEP","enc":"A256GCM"}`) + ".a.b.c.d", reason: validator.ReasonMalformed},
		{name: "JSON serialization", token: `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, reason: validator.ReasonMalformed},
		{name: "empty header segment", token: "." + parts[1] + "." + parts[2], reason: validator.ReasonMalformed},
		{name: "empty payload segment", token: parts[0] + ".." + parts[2], reason: validator.ReasonMalformed},
		{name: "over the size limit", token: valid + "." + strings.Repeat("A", validator.DefaultMaxTokenSize), reason: validator.ReasonTooLarge},
		{name: "200,000 dots", token: strings.Repeat(".", 200_000), reason: validator.ReasonTooLarge},
		{name: "1 MiB token", token: strings.Repeat("A", 1<<20), reason: validator.ReasonTooLarge},

		// encoding
		{name: "padding in header", token: parts[0] + "=." + parts[1] + "." + parts[2], reason: validator.ReasonMalformed},
		{name: "standard base64 alphabet", token: strings.NewReplacer("-", "+", "_", "/").Replace(valid[:len(valid)-1]) + "+", reason: validator.ReasonMalformed},
		{name: "line break inside a segment", token: parts[0][:4] + "\n" + parts[0][4:] + "." + parts[1] + "." + parts[2], reason: validator.ReasonMalformed},
		{name: "carriage return inside the signature", token: parts[0] + "." + parts[1] + "." + parts[2][:5] + "\r" + parts[2][5:], reason: validator.ReasonMalformed},
		{name: "non-canonical trailing bits in signature", token: parts[0] + "." + parts[1] + "." + flipLastBits(parts[2]), reason: validator.ReasonMalformed},
		// The payload segment is decoded before any key is looked up.
		{name: "space inserted into a signed payload", token: parts[0] + "." + parts[1][:3] + " " + parts[1][3:] + "." + parts[2], reason: validator.ReasonMalformed},
		{name: "signed payload segment with padding", token: es.signSegments(t, parts[0], b64(goodJSON+" ")+"="), reason: validator.ReasonMalformed},
		{name: "signed payload segment with non-canonical bits", token: es.signSegments(t, parts[0], flipLastBits(b64(goodJSON+" "))), reason: validator.ReasonMalformed},
		{name: "signed header segment in standard base64", token: es.signSegments(t, base64.RawStdEncoding.EncodeToString([]byte(`{"alg":"ES256","kid":"ec-1","x":"???"}`)), parts[1]), reason: validator.ReasonMalformed},

		// header JSON
		{name: "header not JSON", token: b64("not json") + "." + parts[1] + "." + parts[2], reason: validator.ReasonMalformed},
		{name: "header is a JSON array", token: b64(`["ES256"]`) + "." + parts[1] + "." + parts[2], reason: validator.ReasonMalformed},
		{name: "header is null", token: b64(`null`) + "." + parts[1] + "." + parts[2], reason: validator.ReasonMalformed},
		{name: "header with trailing data", token: es.rawToken(t, esHeader+`{}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "duplicate alg in header", token: es.rawToken(t, `{"alg":"none","kid":"ec-1","alg":"ES256"}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "duplicate kid in header", token: es.rawToken(t, `{"alg":"ES256","kid":"other","kid":"ec-1"}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "invalid UTF-8 in header", token: es.rawToken(t, "{\"alg\":\"ES256\",\"kid\":\"ec-1\",\"x\":\"\xff\"}", goodJSON), reason: validator.ReasonMalformed},
		{name: "no alg", token: es.rawToken(t, `{"kid":"ec-1"}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "alg is a number", token: es.rawToken(t, `{"alg":256,"kid":"ec-1"}`, goodJSON), reason: validator.ReasonMalformed},

		// algorithm
		{name: "alg none, empty signature", token: b64(`{"alg":"none"}`) + "." + parts[1] + ".", reason: validator.ReasonAlgNotAllowed},
		{name: "alg None", token: b64(`{"alg":"None","kid":"ec-1"}`) + "." + parts[1] + ".", reason: validator.ReasonAlgNotAllowed},
		{name: "alg NONE", token: b64(`{"alg":"NONE"}`) + "." + parts[1] + ".", reason: validator.ReasonAlgNotAllowed},
		{name: "alg nOnE", token: b64(`{"alg":"nOnE"}`) + "." + parts[1] + "." + parts[2], reason: validator.ReasonAlgNotAllowed},
		{name: "alg none with no third segment", token: b64(`{"alg":"none"}`) + "." + parts[1], reason: validator.ReasonMalformed},
		{name: "HS256 signed with the RSA public key (PEM)", token: hmacToken("HS256", pubPEM, `{"alg":"HS256","kid":"rsa-1"}`, goodJSON), reason: validator.ReasonAlgNotAllowed},
		{name: "HS256 signed with the RSA public key (DER)", token: hmacToken("HS256", pubDER, `{"alg":"HS256","kid":"rsa-1"}`, goodJSON), reason: validator.ReasonAlgNotAllowed},
		{name: "HS384 signed with the RSA public key", token: hmacToken("HS384", pubPEM, `{"alg":"HS384","kid":"rsa-1"}`, goodJSON), reason: validator.ReasonAlgNotAllowed},
		{name: "HS512 signed with a weak secret", token: hmacToken("HS512", []byte("secret"), `{"alg":"HS512"}`, goodJSON), reason: validator.ReasonAlgNotAllowed},
		{name: "alg outside the configured allowlist", v: rsOnly, token: valid, reason: validator.ReasonAlgNotAllowed},
		{name: "alg in the wrong case", token: es.rawToken(t, `{"alg":"es256","kid":"ec-1"}`, goodJSON), reason: validator.ReasonAlgNotAllowed},
		{name: "alg with trailing space", token: es.rawToken(t, `{"alg":"ES256 ","kid":"ec-1"}`, goodJSON), reason: validator.ReasonAlgNotAllowed},
		{name: "unsupported alg ES256K", token: es.rawToken(t, `{"alg":"ES256K","kid":"ec-1"}`, goodJSON), reason: validator.ReasonAlgNotAllowed},

		// key selection
		{name: "unknown kid", token: es.token(t, good, map[string]any{"kid": "nope"}), reason: validator.ReasonUnknownKey},
		{name: "kid is a number", token: es.rawToken(t, `{"alg":"ES256","kid":1}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "kid is null", token: es.rawToken(t, `{"alg":"ES256","kid":null}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "kid is an object", token: es.rawToken(t, `{"alg":"ES256","kid":{"$ne":""}}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "very long kid", token: es.token(t, good, map[string]any{"kid": strings.Repeat("k", 4000)}), reason: validator.ReasonUnknownKey},
		{name: "path traversal kid", token: es.token(t, good, map[string]any{"kid": "../../../../dev/null"}), reason: validator.ReasonUnknownKey},
		{name: "SQL-looking kid", token: es.token(t, good, map[string]any{"kid": "x' UNION SELECT 'key"}), reason: validator.ReasonUnknownKey},
		{name: "kid of the RSA key with alg ES256", token: es.token(t, good, map[string]any{"kid": "rsa-1"}), reason: validator.ReasonUnknownKey},
		{name: "header alg PS256 on a key published for RS256", token: (&signer{alg: "PS256", kid: "rsa-1", priv: rsaKeyA()}).token(t, good, nil), reason: validator.ReasonUnknownKey},
		{name: "no kid, one key fits ES256", token: es.token(t, good, map[string]any{"kid": nil}), reason: ""},
		{name: "attacker key under a known kid", token: attacker.token(t, good, nil), reason: validator.ReasonBadSignature},
		{name: "attacker RSA key under a known kid", token: attackerRSA.token(t, good, nil), reason: validator.ReasonBadSignature},

		// embedded and remote key references are never followed
		{name: "jwk header with the attacker key", token: attacker.rawToken(t, `{"alg":"ES256","jwk":`+attackerJWK+`}`, goodJSON), reason: validator.ReasonBadSignature},
		{name: "jwk header, kid of the embedded key only", token: (&signer{alg: "ES256", kid: "evil", priv: attacker.priv}).rawToken(t, `{"alg":"ES256","kid":"evil","jwk":`+attackerJWK+`}`, goodJSON), reason: validator.ReasonUnknownKey},
		{name: "jku pointing at an attacker JWKS", token: attacker.rawToken(t, `{"alg":"ES256","kid":"ec-1","jku":"https://attacker.example/jwks.json"}`, goodJSON), reason: validator.ReasonBadSignature},
		{name: "x5u pointing at an attacker certificate", token: attacker.rawToken(t, `{"alg":"ES256","kid":"ec-1","x5u":"https://attacker.example/cert.pem"}`, goodJSON), reason: validator.ReasonBadSignature},
		{name: "x5c with an attacker certificate", token: attacker.rawToken(t, `{"alg":"ES256","kid":"ec-1","x5c":["MIIBszCCAVmgAwIBAgIU"]}`, goodJSON), reason: validator.ReasonBadSignature},
		{name: "jku on a genuinely signed token is ignored", token: es.rawToken(t, `{"alg":"ES256","kid":"ec-1","jku":"https://attacker.example/jwks.json"}`, goodJSON), reason: ""},

		// critical headers and unencoded payloads
		{name: "crit naming an unknown extension", token: es.rawToken(t, `{"alg":"ES256","kid":"ec-1","crit":["exp"],"exp":1}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "empty crit", token: es.rawToken(t, `{"alg":"ES256","kid":"ec-1","crit":[]}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "crit b64 with b64 false", token: es.rawToken(t, `{"alg":"ES256","kid":"ec-1","b64":false,"crit":["b64"]}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "b64 false without crit", token: es.rawToken(t, `{"alg":"ES256","kid":"ec-1","b64":false}`, goodJSON), reason: validator.ReasonMalformed},
		{name: "b64 true is the default", token: es.rawToken(t, `{"alg":"ES256","kid":"ec-1","b64":true}`, goodJSON), reason: ""},

		// typ
		{name: "typ JWT when at+jwt is required", v: typed, token: valid, reason: validator.ReasonWrongType},
		{name: "no typ when at+jwt is required", v: typed, token: es.token(t, good, map[string]any{"typ": nil}), reason: validator.ReasonWrongType},
		{name: "typ at+jwt", v: typed, token: es.token(t, good, map[string]any{"typ": "at+jwt"}), reason: ""},
		{name: "typ application/AT+JWT", v: typed, token: es.token(t, good, map[string]any{"typ": "application/AT+JWT"}), reason: ""},
		{name: "typ is a number", token: es.rawToken(t, `{"alg":"ES256","kid":"ec-1","typ":1}`, goodJSON), reason: validator.ReasonMalformed},

		// signatures
		{name: "stripped signature", token: parts[0] + "." + parts[1] + ".", reason: validator.ReasonBadSignature},
		{name: "signature of another token", token: parts[0] + "." + b64(mustJSON(t, claims(map[string]any{"sub": "admin"}))) + "." + parts[2], reason: validator.ReasonBadSignature},
		{name: "ECDSA signature all zero", token: ecSig(nil, nil), reason: validator.ReasonBadSignature},
		{name: "ECDSA r = n (out of range)", token: ecSig(n, sigBytes[32:]), reason: validator.ReasonBadSignature},
		{name: "ECDSA s = n (out of range)", token: ecSig(sigBytes[:32], n), reason: validator.ReasonBadSignature},
		{name: "ECDSA signature DER-encoded", token: parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(der), reason: validator.ReasonBadSignature},
		{name: "ECDSA signature one byte short", token: parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sigBytes[:63]), reason: validator.ReasonBadSignature},
		{name: "ECDSA signature one byte long", token: parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(append(append([]byte{}, sigBytes...), 0)), reason: validator.ReasonBadSignature},
		{name: "RSA signature truncated", token: truncateSig(rs.token(t, good, nil)), reason: validator.ReasonBadSignature},
		{name: "EdDSA signature of another key", token: (&signer{alg: "EdDSA", kid: "ed-1", priv: newSigner(t, "EdDSA", "x").priv}).token(t, good, nil), reason: validator.ReasonBadSignature},
		{name: "nested JWT as payload", token: es.tokenBytes(t, []byte(valid), map[string]any{"cty": "JWT"}), reason: validator.ReasonMalformed},

		// payload JSON
		{name: "duplicate scope escalating privileges", token: es.rawToken(t, esHeader, strings.TrimSuffix(goodJSON, "}")+`,"scope":"read","scope":"admin"}`), reason: validator.ReasonMalformed},
		{name: "duplicate sub", token: es.rawToken(t, esHeader, strings.TrimSuffix(goodJSON, "}")+`,"sub":"admin"}`), reason: validator.ReasonMalformed},
		{name: "duplicate name via escapes", token: es.rawToken(t, esHeader, strings.TrimSuffix(goodJSON, "}")+`,"\u0073ub":"admin"}`), reason: validator.ReasonMalformed},
		{name: "invalid UTF-8 in a claim", token: es.rawToken(t, esHeader, strings.TrimSuffix(goodJSON, "}")+",\"name\":\"\xc3\x28\"}"), reason: validator.ReasonMalformed},
		{name: "lone surrogate escape", token: es.rawToken(t, esHeader, strings.TrimSuffix(goodJSON, "}")+`,"name":"\ud800"}`), reason: validator.ReasonMalformed},
		{name: "payload is an array", token: es.rawToken(t, esHeader, `[`+goodJSON+`]`), reason: validator.ReasonMalformed},
		{name: "payload is null", token: es.rawToken(t, esHeader, `null`), reason: validator.ReasonMalformed},
		{name: "deeply nested arrays within the size limit", token: es.rawToken(t, esHeader, strings.TrimSuffix(goodJSON, "}")+`,"x":`+strings.Repeat("[", 2500)+strings.Repeat("]", 2500)+`}`), reason: ""},
		{name: "100,000 nested arrays", token: es.rawToken(t, esHeader, strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)), reason: validator.ReasonTooLarge},

		// registered claims: types
		{name: "exp as a string", token: es.token(t, claims(map[string]any{"exp": fmt.Sprint(testNow.Add(time.Hour).Unix())}), nil), reason: validator.ReasonMalformed},
		{name: "exp as null", token: es.rawToken(t, esHeader, mustJSON(t, claims(map[string]any{"exp": nil}))[:0]+strings.Replace(goodJSON, fmt.Sprintf(`"exp":%d`, testNow.Add(time.Hour).Unix()), `"exp":null`, 1)), reason: validator.ReasonMalformed},
		{name: "nbf as a string", token: es.token(t, claims(map[string]any{"nbf": "now"}), nil), reason: validator.ReasonMalformed},
		{name: "iat as a boolean", token: es.token(t, claims(map[string]any{"iat": true}), nil), reason: validator.ReasonMalformed},
		{name: "aud as an object", token: es.token(t, claims(map[string]any{"aud": map[string]any{"aud": testAudience}}), nil), reason: validator.ReasonMalformed},
		{name: "aud array holding a number", token: es.token(t, claims(map[string]any{"aud": []any{testAudience, 1}}), nil), reason: validator.ReasonMalformed},
		{name: "iss as a number", token: es.token(t, claims(map[string]any{"iss": 1}), nil), reason: validator.ReasonMalformed},
		{name: "sub as a number", token: es.token(t, claims(map[string]any{"sub": 42}), nil), reason: validator.ReasonMalformed},
		{name: "jti as an array", token: es.token(t, claims(map[string]any{"jti": []string{"a"}}), nil), reason: validator.ReasonMalformed},
		{name: "scope as a number", token: es.token(t, claims(map[string]any{"scope": 1}), nil), reason: validator.ReasonMalformed},
		{name: "scope array holding an object", token: es.token(t, claims(map[string]any{"scope": []any{"a", map[string]any{}}}), nil), reason: validator.ReasonMalformed},
		{name: "roles as an object", token: es.token(t, claims(map[string]any{"roles": map[string]any{"admin": true}}), nil), reason: validator.ReasonMalformed},

		// registered claims: presence and values
		{name: "no exp", token: es.token(t, claims(map[string]any{"exp": nil}), nil), reason: validator.ReasonMissingClaim},
		{name: "no iss", token: es.token(t, claims(map[string]any{"iss": nil}), nil), reason: validator.ReasonMissingClaim},
		{name: "no aud", token: es.token(t, claims(map[string]any{"aud": nil}), nil), reason: validator.ReasonMissingClaim},
		{name: "expired an hour ago", token: es.token(t, claims(map[string]any{"exp": testNow.Add(-time.Hour).Unix()}), nil), reason: validator.ReasonExpired},
		{name: "expired just outside the leeway", token: es.token(t, claims(map[string]any{"exp": testNow.Add(-validator.DefaultLeeway).Unix()}), nil), reason: validator.ReasonExpired},
		{name: "expired just inside the leeway", token: es.token(t, claims(map[string]any{"exp": testNow.Add(-validator.DefaultLeeway + time.Second).Unix()}), nil), reason: ""},
		{name: "expired by a fraction inside the leeway", token: es.token(t, claims(map[string]any{"exp": float64(testNow.Add(-validator.DefaultLeeway).Unix()) + 0.5}), nil), reason: ""},
		{name: "not yet valid beyond the leeway", token: es.token(t, claims(map[string]any{"nbf": testNow.Add(validator.DefaultLeeway + time.Second).Unix()}), nil), reason: validator.ReasonNotYetValid},
		{name: "not yet valid within the leeway", token: es.token(t, claims(map[string]any{"nbf": testNow.Add(validator.DefaultLeeway).Unix()}), nil), reason: ""},
		{name: "issued in the future beyond the leeway", token: es.token(t, claims(map[string]any{"iat": testNow.Add(validator.DefaultLeeway + time.Second).Unix()}), nil), reason: validator.ReasonIssuedInFuture},
		{name: "issued in the future within the leeway", token: es.token(t, claims(map[string]any{"iat": testNow.Add(validator.DefaultLeeway).Unix()}), nil), reason: ""},
		{name: "exp far beyond year 9999", token: es.token(t, claims(map[string]any{"exp": 1e300}), nil), reason: ""},
		{name: "issuer without the trailing slash", token: es.token(t, claims(map[string]any{"iss": strings.TrimSuffix(testIssuer, "/")}), nil), reason: validator.ReasonWrongIssuer},
		{name: "issuer with another trailing slash", token: es.token(t, claims(map[string]any{"iss": testIssuer + "/"}), nil), reason: validator.ReasonWrongIssuer},
		{name: "issuer in another case", token: es.token(t, claims(map[string]any{"iss": strings.ToUpper(testIssuer)}), nil), reason: validator.ReasonWrongIssuer},
		{name: "issuer with a prefix match only", token: es.token(t, claims(map[string]any{"iss": testIssuer + "evil"}), nil), reason: validator.ReasonWrongIssuer},
		{name: "audience of another API", token: es.token(t, claims(map[string]any{"aud": "https://other.example.test"}), nil), reason: validator.ReasonWrongAudience},
		{name: "audience array with ours", token: es.token(t, claims(map[string]any{"aud": []string{"https://other.example.test", testAudience}}), nil), reason: ""},
		{name: "audience array without ours", token: es.token(t, claims(map[string]any{"aud": []string{"https://other.example.test"}}), nil), reason: validator.ReasonWrongAudience},
		{name: "empty audience array", token: es.token(t, claims(map[string]any{"aud": []string{}}), nil), reason: validator.ReasonWrongAudience},
		{name: "audience differing in case", token: es.token(t, claims(map[string]any{"aud": strings.ToUpper(testAudience)}), nil), reason: validator.ReasonWrongAudience},
	}

	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			vv := r.v
			if vv == nil {
				vv = v
			}
			c, err := vv.Validate(t.Context(), r.token)
			if r.reason == "" {
				require.NoError(t, err)
				require.NotNil(t, c)
				return
			}
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, validator.ErrInvalidToken)
			assert.Equal(t, r.reason, validator.ReasonOf(err), "error: %v", err)
			assertNoTokenContent(t, err, r.token)
		})
	}
}

// assertNoTokenContent checks that an error message does not echo the token or any of
// its segments.
func assertNoTokenContent(t *testing.T, err error, token string) {
	t.Helper()
	msg := err.Error()
	for _, seg := range strings.Split(token, ".") {
		if len(seg) >= 8 {
			assert.NotContains(t, msg, seg)
		}
	}
	for _, s := range []string{"nope", "UNION", "dev/null", "attacker", "evil", "admin"} {
		assert.NotContains(t, msg, s)
	}
}

func pad32(b []byte) []byte {
	out := make([]byte, 32)
	copy(out[32-len(b):], b)
	return out
}

// flipLastBits changes the unused low bits of the last base64url character, giving a
// non-canonical encoding of the same bytes.
func flipLastBits(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last|1])
}

// truncateSig drops the last byte of the signature, keeping the encoding canonical.
func truncateSig(tok string) string {
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		panic(err)
	}
	return tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig[:len(sig)-1])
}

// TestDeepNestingBeyondTheDefaultSizeLimit raises MaxTokenSize so that a deeply nested
// document reaches the JSON decoder: it is rejected as malformed, without exhausting the
// stack, in the payload as in the header.
func TestDeepNestingBeyondTheDefaultSizeLimit(t *testing.T) {
	const depth = 100_000
	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{MaxTokenSize: 4 << 20}, jwksJSON(t, s.jwk(t, nil)))
	good := mustJSON(t, claims(nil))
	arrays := strings.Repeat("[", depth) + strings.Repeat("]", depth)
	objects := strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
	header := `{"alg":"ES256","kid":"k1"}`
	for name, tc := range map[string]struct{ header, payload string }{
		"payload of nested arrays":          {header, arrays},
		"nested arrays inside the payload":  {header, strings.TrimSuffix(good, "}") + `,"deep":` + arrays + "}"},
		"nested objects inside the payload": {header, strings.TrimSuffix(good, "}") + `,"deep":` + objects + "}"},
		"nested arrays inside the header":   {`{"alg":"ES256","kid":"k1","x":` + arrays + "}", good},
	} {
		t.Run(name, func(t *testing.T) {
			tok := s.rawToken(t, tc.header, tc.payload)
			require.Less(t, len(tok), 4<<20)
			_, err := v.Validate(t.Context(), tok)
			requireReason(t, err, validator.ReasonMalformed)
			assert.Equal(t, validator.ReasonMalformed, validator.ReasonOf(err))
		})
	}
	_, err := v.Validate(t.Context(), s.rawToken(t, header, good))
	require.NoError(t, err, "the control token validates")
}

// Package attacks is the corpus of crafted tokens the test suites run against the
// validator and, end to end, against the middleware. Every token is generated at test
// time (nothing stored expires), and every row states its expected outcome.
package attacks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/internal/signing"
	"github.com/axioms-go/axioms-echo/validator"
)

// Route is what the end-to-end run protects: scope Scope, role Role, permission
// Permission. Tokens of the corpus that validate carry all three unless a row says not.
const (
	Scope      = "read:data"
	Role       = "reader"
	Permission = "data:read"
)

// Case is one crafted request.
type Case struct {
	Category string
	Name     string
	// Authorization is the whole header value ("Bearer <token>" for almost every row).
	Authorization string
	// Token is the raw token given to the validator ("" when the row is about the
	// header only).
	Token string
	// Reason is the validator's expected reason code; "" means the token validates.
	Reason validator.Reason
	// Status is the expected HTTP status through the middleware, and HTTPReason the
	// reason code of its audit record.
	Status     int
	HTTPReason string
}

// good is a claim set that passes the route's policy.
func good() map[string]any {
	return map[string]any{"scope": "openid " + Scope, "roles": []string{Role}, "permissions": []string{Permission}}
}

func with(over map[string]any) map[string]any {
	c := good()
	for k, v := range over {
		c[k] = v
	}
	return c
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// Corpus builds the corpus against iss, publishing in its key set the unusable keys some
// rows need. Call it once per issuer.
func Corpus(tb testing.TB, iss *axiomstest.Issuer) []Case {
	tb.Helper()
	var cases []Case
	add := func(category, name, token string, reason validator.Reason) {
		status, httpReason := 401, string(reason)
		if reason == "" {
			status, httpReason = 200, ""
		}
		cases = append(cases, Case{Category: category, Name: name, Authorization: "Bearer " + token, Token: token,
			Reason: reason, Status: status, HTTPReason: httpReason})
	}
	// policy adds a row whose token validates but fails the route's policy.
	policy := func(category, name, token string, status int, httpReason string) {
		cases = append(cases, Case{Category: category, Name: name, Authorization: "Bearer " + token, Token: token,
			Status: status, HTTPReason: httpReason})
	}
	// header adds a row that never reaches the validator as a token: 400 invalid_request.
	header := func(name, authorization, token string, reason validator.Reason) {
		cases = append(cases, Case{Category: "header", Name: name, Authorization: authorization, Token: token,
			Reason: reason, Status: 400, HTTPReason: "invalid_request"})
	}
	mint := func(spec axiomstest.TokenSpec) string {
		if spec.Claims == nil && spec.RawPayload == nil && spec.PayloadSegment == "" {
			spec.Claims = good()
		}
		return iss.Token(tb, spec)
	}
	must := func(s string, err error) string {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}

	rs, es, ed := iss.Key("RS256"), iss.Key("ES256"), iss.Key("EdDSA")
	valid := mint(axiomstest.TokenSpec{Alg: "ES256"})
	parts := strings.Split(valid, ".")
	goodJSON, _ := json.Marshal(map[string]any{"iss": iss.URL(), "aud": iss.Audience(), "sub": "user-1",
		"exp": time.Now().Add(time.Hour).Unix(), "scope": "openid " + Scope, "roles": []string{Role}, "permissions": []string{Permission}})
	esHeader := fmt.Sprintf(`{"alg":"ES256","kid":%q}`, es.ID())
	raw := func(header, payload string) string {
		return mint(axiomstest.TokenSpec{Alg: "ES256", RawHeader: []byte(header), RawPayload: []byte(payload)})
	}
	extend := func(extra string) string { return strings.TrimSuffix(string(goodJSON), "}") + "," + extra + "}" }

	// Baselines: the corpus means something only if genuine tokens pass.
	add("baseline", "RS256 token", mint(axiomstest.TokenSpec{Alg: "RS256"}), "")
	add("baseline", "ES256 token", valid, "")
	add("baseline", "EdDSA token", mint(axiomstest.TokenSpec{Alg: "EdDSA"}), "")

	// alg none, in every case variant, unsigned or with a stripped signature.
	for _, alg := range []string{"none", "None", "NONE", "nOnE", "NoNe", "nONE"} {
		add("alg none", alg+", no signature", mint(axiomstest.TokenSpec{Unsigned: true, Header: map[string]any{"alg": alg}}), validator.ReasonAlgNotAllowed)
	}
	add("alg none", "none with the original signature kept", b64(`{"alg":"none"}`)+"."+parts[1]+"."+parts[2], validator.ReasonAlgNotAllowed)
	add("alg none", "stripped signature, alg ES256", parts[0]+"."+parts[1]+".", validator.ReasonBadSignature)
	header("no third segment", "Bearer "+parts[0]+"."+parts[1], parts[0]+"."+parts[1], validator.ReasonMalformed)
	cases[len(cases)-1].Status, cases[len(cases)-1].HTTPReason = 401, string(validator.ReasonMalformed) // token68, so the validator decides

	// HMAC keyed with public material or weak secrets.
	pubDER, _ := x509.MarshalPKIXPublicKey(rs.Public())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		add("hmac confusion", alg+" keyed with the RSA public key (PEM)", mint(axiomstest.TokenSpec{HMACSecret: pubPEM, KeyID: rs.ID(), Header: map[string]any{"alg": alg}}), validator.ReasonAlgNotAllowed)
		add("hmac confusion", alg+" keyed with the RSA public key (DER)", mint(axiomstest.TokenSpec{HMACSecret: pubDER, KeyID: rs.ID(), Header: map[string]any{"alg": alg}}), validator.ReasonAlgNotAllowed)
		add("hmac confusion", alg+" keyed with the RSA JWK", mint(axiomstest.TokenSpec{HMACSecret: rs.PublicJWK(), KeyID: rs.ID(), Header: map[string]any{"alg": alg}}), validator.ReasonAlgNotAllowed)
	}
	for _, secret := range []string{"secret", "", "password", "changeme", "your-256-bit-secret"} {
		add("hmac confusion", fmt.Sprintf("HS256 with the weak secret %q", secret), mint(axiomstest.TokenSpec{HMACSecret: []byte(secret), OmitKeyID: true}), validator.ReasonAlgNotAllowed)
	}

	// Header alg different from the key's.
	add("alg mismatch", "PS256 on the RS256 key (key alg pinned)", mint(axiomstest.TokenSpec{Alg: "RS256", Header: map[string]any{"alg": "PS256"}}), validator.ReasonUnknownKey)
	add("alg mismatch", "ES256 header on the RSA kid", mint(axiomstest.TokenSpec{Alg: "ES256", KeyID: rs.ID()}), validator.ReasonUnknownKey)
	add("alg mismatch", "ES384 header on the P-256 key", mint(axiomstest.TokenSpec{Alg: "ES256", Header: map[string]any{"alg": "ES384"}}), validator.ReasonUnknownKey)
	add("alg mismatch", "EdDSA header on the ES256 kid", mint(axiomstest.TokenSpec{Alg: "EdDSA", KeyID: es.ID()}), validator.ReasonUnknownKey)
	add("alg mismatch", "RS256 in lower case", mint(axiomstest.TokenSpec{Alg: "RS256", Header: map[string]any{"alg": "rs256"}}), validator.ReasonAlgNotAllowed)
	add("alg mismatch", "unsupported ES256K", mint(axiomstest.TokenSpec{Alg: "ES256", Header: map[string]any{"alg": "ES256K"}}), validator.ReasonAlgNotAllowed)
	add("alg mismatch", "alg as a number", raw(fmt.Sprintf(`{"alg":256,"kid":%q}`, es.ID()), string(goodJSON)), validator.ReasonMalformed)
	add("alg mismatch", "no alg", raw(fmt.Sprintf(`{"kid":%q}`, es.ID()), string(goodJSON)), validator.ReasonMalformed)

	// kid tricks.
	add("kid", "unknown kid", mint(axiomstest.TokenSpec{Alg: "ES256", KeyID: "nope"}), validator.ReasonUnknownKey)
	add("kid", "missing kid, exactly one RSA key fits", mint(axiomstest.TokenSpec{Alg: "RS256", OmitKeyID: true}), "")
	add("kid", "very long kid", mint(axiomstest.TokenSpec{Alg: "ES256", KeyID: strings.Repeat("k", 4000)}), validator.ReasonUnknownKey)
	add("kid", "kid is a number", raw(`{"alg":"ES256","kid":7}`, string(goodJSON)), validator.ReasonMalformed)
	add("kid", "kid is an object", raw(`{"alg":"ES256","kid":{"$ne":null}}`, string(goodJSON)), validator.ReasonMalformed)
	add("kid", "kid is null", raw(`{"alg":"ES256","kid":null}`, string(goodJSON)), validator.ReasonMalformed)
	add("kid", "kid is an array", raw(fmt.Sprintf(`{"alg":"ES256","kid":[%q]}`, es.ID()), string(goodJSON)), validator.ReasonMalformed)
	add("kid", "path traversal kid", mint(axiomstest.TokenSpec{Alg: "ES256", KeyID: "../../../../../../dev/null"}), validator.ReasonUnknownKey)
	add("kid", "SQL-looking kid", mint(axiomstest.TokenSpec{Alg: "ES256", KeyID: "' OR '1'='1' --"}), validator.ReasonUnknownKey)
	add("kid", "kid with NUL", mint(axiomstest.TokenSpec{Alg: "ES256", KeyID: es.ID() + "\x00"}), validator.ReasonUnknownKey)
	add("kid", "kid of another algorithm's key", mint(axiomstest.TokenSpec{Alg: "ES256", KeyID: ed.ID()}), validator.ReasonUnknownKey)

	// Embedded and remote keys: never followed.
	attacker := axiomstest.NewKey(tb, "ES256")
	attackerRSA := axiomstest.NewKey(tb, "RS256")
	jwk := json.RawMessage(attacker.PublicJWK())
	add("embedded key", "jwk header with the attacker key, real kid", mint(axiomstest.TokenSpec{Key: attacker, KeyID: es.ID(), Header: map[string]any{"jwk": jwk}}), validator.ReasonBadSignature)
	add("embedded key", "jwk header with the attacker key, its own kid", mint(axiomstest.TokenSpec{Key: attacker, Header: map[string]any{"jwk": jwk}}), validator.ReasonUnknownKey)
	add("embedded key", "jwk header, no kid", mint(axiomstest.TokenSpec{Key: attacker, OmitKeyID: true, Header: map[string]any{"jwk": jwk}}), validator.ReasonBadSignature)
	add("embedded key", "jku at an attacker JWKS", mint(axiomstest.TokenSpec{Key: attacker, KeyID: es.ID(), Header: map[string]any{"jku": "https://attacker.example/jwks.json"}}), validator.ReasonBadSignature)
	add("embedded key", "x5u at an attacker certificate", mint(axiomstest.TokenSpec{Key: attackerRSA, KeyID: rs.ID(), Header: map[string]any{"x5u": "https://attacker.example/cert.pem"}}), validator.ReasonBadSignature)
	add("embedded key", "x5c with an attacker chain", mint(axiomstest.TokenSpec{Key: attackerRSA, KeyID: rs.ID(), Header: map[string]any{"x5c": []string{"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"}}}), validator.ReasonBadSignature)
	add("embedded key", "jku on a genuine token is ignored", mint(axiomstest.TokenSpec{Alg: "ES256", Header: map[string]any{"jku": "https://attacker.example/jwks.json"}}), "")

	// crit, JWE, serialization, nesting.
	add("crit", "crit naming an extension", mint(axiomstest.TokenSpec{Alg: "ES256", Header: map[string]any{"crit": []string{"x-ext"}, "x-ext": true}}), validator.ReasonMalformed)
	add("crit", "empty crit", mint(axiomstest.TokenSpec{Alg: "ES256", Header: map[string]any{"crit": []string{}}}), validator.ReasonMalformed)
	add("crit", "crit b64 with b64 false", mint(axiomstest.TokenSpec{Alg: "ES256", Header: map[string]any{"crit": []string{"b64"}, "b64": false}}), validator.ReasonMalformed)
	jwe := b64(`{"alg":"RSA-OAEP","enc":"A256GCM"}`) + ".ZW5jcnlwdGVka2V5.aXY.Y2lwaGVydGV4dA.dGFn"
	add("serialization", "JWE, five segments", jwe, validator.ReasonMalformed)
	jsonSer := fmt.Sprintf(`{"payload":%q,"protected":%q,"signature":%q}`, parts[1], parts[0], parts[2])
	header("JWS JSON serialization", "Bearer "+jsonSer, jsonSer, validator.ReasonMalformed)
	add("serialization", "four segments", valid+".extra", validator.ReasonMalformed)
	nested := mint(axiomstest.TokenSpec{Alg: "ES256", Header: map[string]any{"cty": "JWT"}, PayloadSegment: b64(valid)})
	add("serialization", "nested JWT as the payload", nested, validator.ReasonMalformed)

	// ECDSA signature values.
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	n := elliptic.P256().Params().N
	ecSig := func(r, s *big.Int) string {
		return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...))
	}
	rr, ss := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	add("ecdsa", "r = s = 0", ecSig(big.NewInt(0), big.NewInt(0)), validator.ReasonBadSignature)
	add("ecdsa", "r = 0", ecSig(big.NewInt(0), ss), validator.ReasonBadSignature)
	add("ecdsa", "r = n", ecSig(n, ss), validator.ReasonBadSignature)
	add("ecdsa", "s = n", ecSig(rr, n), validator.ReasonBadSignature)
	// ECDSA is malleable: (r, n-s) verifies for the same payload. Signers emit high and low
	// s alike, so refusing one would refuse genuine tokens; the claims remain the
	// issuer's. Replay protection must key on jti, never on the token's spelling.
	add("ecdsa", "s = n - s (malleated: same claims, accepted)", ecSig(rr, new(big.Int).Sub(n, ss)), "")
	add("ecdsa", "r + n (out of range)", parts[0]+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(append(new(big.Int).Add(rr, n).Bytes(), sig[32:]...)), validator.ReasonBadSignature)
	add("ecdsa", "63-byte signature", parts[0]+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(sig[:63]), validator.ReasonBadSignature)
	add("ecdsa", "65-byte signature", parts[0]+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(append(append([]byte{}, sig...), 0)), validator.ReasonBadSignature)
	der, _ := asn1Sig(rr, ss)
	add("ecdsa", "DER-encoded signature", parts[0]+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(der), validator.ReasonBadSignature)

	// Encoding.
	padded := mint(axiomstest.TokenSpec{Alg: "ES256", HeaderSegment: parts[0] + "="})
	header("signed header segment with padding", "Bearer "+padded, padded, validator.ReasonMalformed)
	header("padding in the middle", "Bearer "+parts[0]+"=."+parts[1]+"."+parts[2], parts[0]+"=."+parts[1]+"."+parts[2], validator.ReasonMalformed)
	add("encoding", "standard alphabet in the signed header", mint(axiomstest.TokenSpec{Alg: "ES256",
		HeaderSegment: base64.RawStdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"alg":"ES256","kid":%q,"x":"???>>>"}`, es.ID())))}), validator.ReasonMalformed)
	add("encoding", "non-canonical trailing bits in the payload", mint(axiomstest.TokenSpec{Alg: "ES256", PayloadSegment: flipLastBits(b64(string(goodJSON) + " "))}), validator.ReasonMalformed)
	header("line break inside the token", "Bearer "+parts[0]+"\n."+parts[1]+"."+parts[2], parts[0]+"\n."+parts[1]+"."+parts[2], validator.ReasonMalformed)
	header("space inside the token", "Bearer "+parts[0]+" ."+parts[1]+"."+parts[2], parts[0]+" ."+parts[1]+"."+parts[2], validator.ReasonMalformed)
	add("encoding", "invalid UTF-8 in the header", raw(fmt.Sprintf("{\"alg\":\"ES256\",\"kid\":%q,\"x\":\"\xff\xfe\"}", es.ID()), string(goodJSON)), validator.ReasonMalformed)
	add("encoding", "invalid UTF-8 in a claim", raw(esHeader, extend("\"name\":\"\xc3\x28\"")), validator.ReasonMalformed)
	add("encoding", "lone surrogate escape in a claim", raw(esHeader, extend(`"name":"\udc00"`)), validator.ReasonMalformed)
	add("encoding", "BOM before the payload", raw(esHeader, "\ufeff"+string(goodJSON)), validator.ReasonMalformed)

	// Duplicate members.
	add("duplicates", "duplicate alg in the header", raw(fmt.Sprintf(`{"alg":"none","kid":%q,"alg":"ES256"}`, es.ID()), string(goodJSON)), validator.ReasonMalformed)
	add("duplicates", "duplicate kid in the header", raw(fmt.Sprintf(`{"alg":"ES256","kid":"evil","kid":%q}`, es.ID()), string(goodJSON)), validator.ReasonMalformed)
	add("duplicates", "duplicate scope escalating to admin", raw(esHeader, extend(`"scope":"admin"`)), validator.ReasonMalformed)
	add("duplicates", "duplicate sub", raw(esHeader, extend(`"sub":"admin"`)), validator.ReasonMalformed)
	add("duplicates", "duplicate exp extending the lifetime", raw(esHeader, extend(`"exp":99999999999`)), validator.ReasonMalformed)
	add("duplicates", "duplicate through an escape", raw(esHeader, extend(`"\u0073cope":"admin"`)), validator.ReasonMalformed)

	// Case variants do not change what is read.
	add("claim names", "Scope next to scope is ignored", raw(esHeader, extend(`"Scope":"admin","SCOPE":"admin","ROLES":["admin"],"ſcope":"admin","Permissions":["all"]`)), "")
	noScope := map[string]any{"scope": "openid", "roles": []string{Role}, "permissions": []string{Permission}}
	for name, extra := range map[string]map[string]any{"Scope": {"Scope": Scope}, "SCOPE": {"SCOPE": Scope}, "ſcope": {"ſcope": Scope}, "scope ": {"scope ": Scope}} {
		c := map[string]any{}
		for k, v := range noScope {
			c[k] = v
		}
		for k, v := range extra {
			c[k] = v
		}
		policy("claim names", "the scope only under "+name, mint(axiomstest.TokenSpec{Alg: "ES256", Claims: c}), 403, "insufficient_scope")
	}
	policy("claim names", "the role only under ROLES", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"roles": axiomstest.Omit, "ROLES": []string{Role}})}), 403, "insufficient_permission")

	// Wrong types.
	for name, over := range map[string]map[string]any{
		"exp as a string":    {"exp": fmt.Sprint(time.Now().Add(time.Hour).Unix())},
		"exp as null":        {"exp": nil},
		"exp as an array":    {"exp": []int64{time.Now().Add(time.Hour).Unix()}},
		"nbf as a string":    {"nbf": "0"},
		"iat as a boolean":   {"iat": true},
		"aud as an object":   {"aud": map[string]any{"aud": iss.Audience()}},
		"aud array of mixed": {"aud": []any{iss.Audience(), 7}},
		"iss as a number":    {"iss": 1},
		"sub as a number":    {"sub": 42},
		"scope as a number":  {"scope": 7},
		"scope as an object": {"scope": map[string]any{"read": true}},
		"roles as an object": {"roles": map[string]any{Role: true}},
		"roles with a null":  {"roles": []any{Role, nil}},
	} {
		add("types", name, mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(over)}), validator.ReasonMalformed)
	}

	// Time.
	now := time.Now()
	add("time", "expired an hour ago", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"exp": now.Add(-time.Hour)})}), validator.ReasonExpired)
	add("time", "expired just beyond the leeway", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"exp": now.Add(-validator.DefaultLeeway - 2*time.Second)})}), validator.ReasonExpired)
	add("time", "expired within the leeway", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"exp": now.Add(-validator.DefaultLeeway + 5*time.Second)})}), "")
	add("time", "no exp", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"exp": axiomstest.Omit})}), validator.ReasonMissingClaim)
	add("time", "not yet valid", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"nbf": now.Add(time.Hour)})}), validator.ReasonNotYetValid)
	add("time", "nbf within the leeway", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"nbf": now.Add(validator.DefaultLeeway - 5*time.Second)})}), "")
	add("time", "iat in the future", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"iat": now.Add(time.Hour)})}), validator.ReasonIssuedInFuture)
	// The edges of the leeway on nbf and iat, which the validator's clock reaches while
	// the corpus runs: rows "within" only get further within; rows "beyond" in the
	// future get closer to the edge, so they sit futureMargin beyond it, far more than a
	// corpus run takes.
	const futureMargin = 5 * time.Second
	add("time", "nbf just beyond the leeway", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"nbf": now.Add(validator.DefaultLeeway + futureMargin)})}), validator.ReasonNotYetValid)
	add("time", "iat within the leeway in the future", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"iat": now.Add(validator.DefaultLeeway - 5*time.Second)})}), "")
	add("time", "iat just beyond the leeway in the future", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"iat": now.Add(validator.DefaultLeeway + futureMargin)})}), validator.ReasonIssuedInFuture)
	add("time", "exp at the end of time", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"exp": 1e300})}), "")

	// Issuer and audience.
	add("iss", "trailing slash added", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"iss": iss.URL() + "/"})}), validator.ReasonWrongIssuer)
	add("iss", "different case", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"iss": strings.ToUpper(iss.URL())})}), validator.ReasonWrongIssuer)
	add("iss", "prefix of the issuer", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"iss": iss.URL()[:len(iss.URL())-1]})}), validator.ReasonWrongIssuer)
	add("iss", "another issuer", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"iss": "https://attacker.example"})}), validator.ReasonWrongIssuer)
	add("iss", "no iss", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"iss": axiomstest.Omit})}), validator.ReasonMissingClaim)
	add("aud", "array with ours", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"aud": []string{"https://other.example", iss.Audience()}})}), "")
	add("aud", "array without ours", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"aud": []string{"https://other.example"}})}), validator.ReasonWrongAudience)
	add("aud", "empty array", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"aud": []string{}})}), validator.ReasonWrongAudience)
	add("aud", "ours with a trailing slash", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"aud": iss.Audience() + "/"})}), validator.ReasonWrongAudience)
	add("aud", "no aud", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"aud": axiomstest.Omit})}), validator.ReasonMissingClaim)

	// Size and nesting: rejected by size before any parsing.
	add("size", "1 MiB token", strings.Repeat("A", 1<<20), validator.ReasonTooLarge)
	add("size", "200,000 dots", strings.Repeat(".", 200_000), validator.ReasonTooLarge)
	add("size", "100,000 nested arrays", mint(axiomstest.TokenSpec{Alg: "ES256", RawPayload: []byte(strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000))}), validator.ReasonTooLarge)
	add("size", "one byte over 8 KiB", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"pad": strings.Repeat("x", 6*1024)})}), validator.ReasonTooLarge)
	add("size", "deep nesting within the limit", raw(esHeader, extend(`"deep":`+strings.Repeat("[", 2000)+strings.Repeat("]", 2000))), "")

	// Unusable keys published in the JWKS: tokens they sign are never accepted.
	for _, k := range publishUnusableKeys(tb, iss) {
		tok := must(signing.SignRaw(k.signer, k.alg, []byte(fmt.Sprintf(`{"alg":%q,"kid":%q}`, k.alg, k.kid)), goodJSON))
		add("jwks keys", k.name, tok, k.reason)
	}
	add("jwks keys", "HS256 under the published symmetric key", must(signing.SignHMAC([]byte("sym-secret-sym-secret-sym-secret"), "HS256", []byte(`{"alg":"HS256","kid":"sym"}`), goodJSON)), validator.ReasonAlgNotAllowed)

	// Policy tricks: the token is valid, the route refuses it.
	policy("scope", "read:data-admin is not read:data", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"scope": "openid read:data-admin"})}), 403, "insufficient_scope")
	policy("scope", "read:datas is not read:data", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"scope": "read:datas"})}), 403, "insufficient_scope")
	policy("scope", "scopes comma-joined", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"scope": "openid," + Scope})}), 403, "insufficient_scope")
	policy("scope", "scope in another case", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"scope": strings.ToUpper(Scope)})}), 403, "insufficient_scope")
	add("scope", "scope as an array", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"scope": []string{Scope}})}), "")
	policy("roles", "roles comma-joined", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"roles": Role + ",admin"})}), 403, "insufficient_permission")
	add("roles", "role as a single string", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"roles": Role})}), "")
	policy("roles", "role with a trailing space", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"roles": []string{Role + " "}})}), 403, "insufficient_permission")
	policy("permissions", "no permissions", mint(axiomstest.TokenSpec{Alg: "ES256", Claims: with(map[string]any{"permissions": axiomstest.Omit})}), 403, "insufficient_permission")

	// Header-level oddities.
	header("two tokens", "Bearer "+valid+" "+valid, "", "")
	header("Bearer without a token", "Bearer", "", "")
	cases = append(cases, Case{Category: "header", Name: "Basic credentials", Authorization: "Basic dXNlcjpwYXNz", Status: 401, HTTPReason: "missing_token"})
	cases = append(cases, Case{Category: "header", Name: "no Authorization header", Status: 401, HTTPReason: "missing_token"})
	cases = append(cases, Case{Category: "header", Name: "scheme in lower case", Authorization: "bearer " + valid, Token: valid, Status: 200})
	return cases
}

// publishUnusableKeys adds keys the validator must never use to iss's key set, and
// returns their private halves with the kid they are published under.
func publishUnusableKeys(tb testing.TB, iss *axiomstest.Issuer) []struct {
	name, kid, alg string
	signer         cryptoSigner
	reason         validator.Reason
} {
	tb.Helper()
	type out = struct {
		name, kid, alg string
		signer         cryptoSigner
		reason         validator.Reason
	}
	var keys []out
	publish := func(member map[string]any) {
		b, err := json.Marshal(member)
		if err != nil {
			tb.Fatal(err)
		}
		iss.PublishRaw(b)
	}
	rsaJWK := func(k *rsa.PrivateKey, kid string, extra map[string]any) map[string]any {
		m := map[string]any{"kty": "RSA", "kid": kid, "alg": "RS256", "n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		tb.Fatal(err)
	}
	publish(rsaJWK(weak, "rsa-1024", nil))
	keys = append(keys, out{"RSA-1024 key", "rsa-1024", "RS256", weak, validator.ReasonUnknownKey})

	enc := axiomstest.NewKey(tb, "RS256")
	k2 := enc.Signer().(*rsa.PrivateKey)
	publish(rsaJWK(k2, "enc-key", map[string]any{"use": "enc"}))
	keys = append(keys, out{"key with use enc", "enc-key", "RS256", k2, validator.ReasonUnknownKey})

	publish(rsaJWK(k2, "e-is-1", map[string]any{"e": "AQ"}))
	keys = append(keys, out{"RSA key with e = 1", "e-is-1", "RS256", k2, validator.ReasonUnknownKey})

	publish(rsaJWK(k2, "ops-encrypt", map[string]any{"key_ops": []string{"encrypt"}}))
	keys = append(keys, out{"key_ops without verify", "ops-encrypt", "RS256", k2, validator.ReasonUnknownKey})

	ec := axiomstest.NewKey(tb, "ES256")
	ecPriv := ec.Signer().(*ecdsa.PrivateKey)
	y := ecPriv.Y.Bytes()
	y[len(y)-1] ^= 1
	publish(map[string]any{"kty": "EC", "crv": "P-256", "kid": "off-curve", "alg": "ES256",
		"x": base64.RawURLEncoding.EncodeToString(ecPriv.X.FillBytes(make([]byte, 32))), "y": base64.RawURLEncoding.EncodeToString(new(big.Int).SetBytes(y).FillBytes(make([]byte, 32)))})
	keys = append(keys, out{"EC point off the curve", "off-curve", "ES256", ecPriv, validator.ReasonUnknownKey})

	priv := axiomstest.NewKey(tb, "ES256")
	p := priv.Signer().(*ecdsa.PrivateKey)
	publish(map[string]any{"kty": "EC", "crv": "P-256", "kid": "private", "alg": "ES256",
		"x": base64.RawURLEncoding.EncodeToString(p.X.FillBytes(make([]byte, 32))), "y": base64.RawURLEncoding.EncodeToString(p.Y.FillBytes(make([]byte, 32))),
		"d": base64.RawURLEncoding.EncodeToString(p.D.FillBytes(make([]byte, 32)))})
	keys = append(keys, out{"private material published", "private", "ES256", p, validator.ReasonUnknownKey})

	publish(map[string]any{"kty": "oct", "kid": "sym", "alg": "HS256", "k": base64.RawURLEncoding.EncodeToString([]byte("sym-secret-sym-secret-sym-secret"))})
	return keys
}

type cryptoSigner = interface {
	Public() crypto.PublicKey
	Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error)
}

// flipLastBits sets an unused low bit of the last base64url character: the same bytes,
// another spelling.
func flipLastBits(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[i|1])
}

func asn1Sig(r, s *big.Int) ([]byte, error) {
	return asn1.Marshal(struct{ R, S *big.Int }{r, s})
}

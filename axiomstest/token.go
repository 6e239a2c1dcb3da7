package axiomstest

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/axioms-go/axioms-echo/internal/signing"
)

// Omit, as the value of a claim or header member in a [TokenSpec] or an
// [IssuerConfig], removes that member from the minted token, defaults included:
// {"exp": axiomstest.Omit} mints a token without exp. It works at the top level only;
// nested inside another value it fails the test.
const Omit omit = 0

type omit int

// MarshalJSON fails: Omit reaches the encoder only when it is nested in a value.
func (omit) MarshalJSON() ([]byte, error) {
	return nil, errors.New("axiomstest.Omit is only meaningful as a top-level claim or header value")
}

// TokenSpec describes a token for [Issuer.Token]. The zero value describes the default
// token: the default header and claims, signed by the issuer's default key. Options
// that contradict each other (Key with Alg, KeyID with
// OmitKeyID, Unsigned with HMACSecret, a raw or pre-encoded header with Header, KeyID or
// OmitKeyID, a raw or pre-encoded payload with Claims, a Raw* with its *Segment) fail
// the test rather than one silently winning.
type TokenSpec struct {
	// Alg picks which of the issuer's current keys signs. If empty, the key of the first
	// configured algorithm. An algorithm the issuer has no key for fails the test.
	Alg string

	// Key, if set, signs instead of the issuer's keys: an attacker's key from [NewKey],
	// or a key of another issuer. Its kid goes in the header unless KeyID, OmitKeyID or
	// Header say otherwise.
	Key *Key

	// KeyID, if set, is the header kid instead of the signing key's.
	KeyID string

	// OmitKeyID leaves kid out of the header.
	OmitKeyID bool

	// Header members are merged over {"alg": <key alg>, "kid": <key ID>, "typ": "JWT"}
	// and IssuerConfig.Header. A value of [Omit] removes a member; nil writes JSON null. Values are encoded
	// with encoding/json: embed a JWK with json.RawMessage(key.PublicJWK()). When Header
	// sets alg to another algorithm the key can produce (PS256 for an RS256 key), the
	// token is signed with it; any other alg ("none", "HS256", "ES256" on an RSA key) is
	// written as given and the token is signed with the key's own algorithm.
	Header map[string]any

	// Claims are merged over the default claims (see the package documentation) and
	// IssuerConfig.Claims; a value of [Omit] removes one. Top-level time.Time values become NumericDates
	// (seconds since the epoch); everything else is encoded with encoding/json.
	Claims map[string]any

	// RawHeader and RawPayload, when non-nil, are the exact bytes of the header and of
	// the payload (base64url-encoded, then signed): duplicate members, invalid UTF-8,
	// anything. With RawHeader the token is signed with the key's own algorithm.
	RawHeader, RawPayload []byte

	// HeaderSegment and PayloadSegment, when non-empty, are the encoded segments
	// themselves, used without any encoding and then signed: padded or standard-alphabet
	// base64, non-canonical trailing bits, or not base64 at all. With HeaderSegment the
	// token is signed with the key's own algorithm.
	HeaderSegment, PayloadSegment string

	// HMACSecret, when non-nil, signs the token with HMAC under this secret instead of
	// with a key: the algorithm-confusion attack, e.g. HS256 keyed with the bytes of the
	// issuer's public key. The header alg defaults to HS256 and its kid is still the
	// selected key's; a Header alg of HS384 or HS512 selects that hash.
	HMACSecret []byte

	// Unsigned mints an Unsecured JWS (RFC 7515 §A.5): header alg "none" unless Header
	// says otherwise, and an empty signature.
	Unsigned bool

	// DPoPKey, if set, binds the token to that DPoP key (RFC 9449 §6.1): the claims get
	// "cnf": {"jkt": DPoPKey.Thumbprint()}, to be presented with proofs from
	// [DPoPKey.Proof]. Setting it with a "cnf" member in Claims, or with a raw payload,
	// fails the test. If nil (the default), the token is not DPoP-bound.
	DPoPKey *DPoPKey
}

// Token mints the token spec describes: with the zero TokenSpec, a token signed by the
// issuer's default key (the first configured algorithm's current key) with the default
// claims (see the package documentation). It fails the test if spec is contradictory
// or the token cannot be encoded or signed.
func (i *Issuer) Token(tb testing.TB, spec TokenSpec) string {
	tb.Helper()
	tok, err := i.TokenErr(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// TokenErr is [Issuer.Token] for a program that is not a test (a development server,
// an Example): it returns an error instead of failing a test.
func (i *Issuer) TokenErr(spec TokenSpec) (string, error) {
	tok, _, err := i.mint(spec, i.cfg.TokenTTL)
	return tok, err
}

// mint mints the token spec describes, with exp = now + ttl by default, and returns
// the now of its iat and nbf.
func (i *Issuer) mint(spec TokenSpec, ttl time.Duration) (token string, now time.Time, err error) {
	rawHeader := spec.RawHeader != nil || spec.HeaderSegment != ""
	rawPayload := spec.RawPayload != nil || spec.PayloadSegment != ""
	switch {
	case spec.Key != nil && spec.Alg != "":
		return "", now, errors.New("axiomstest: TokenSpec sets both Key and Alg")
	case spec.KeyID != "" && spec.OmitKeyID:
		return "", now, errors.New("axiomstest: TokenSpec sets both KeyID and OmitKeyID")
	case spec.Unsigned && spec.HMACSecret != nil:
		return "", now, errors.New("axiomstest: TokenSpec sets both Unsigned and HMACSecret")
	case spec.RawHeader != nil && spec.HeaderSegment != "":
		return "", now, errors.New("axiomstest: TokenSpec sets both RawHeader and HeaderSegment")
	case spec.RawPayload != nil && spec.PayloadSegment != "":
		return "", now, errors.New("axiomstest: TokenSpec sets both RawPayload and PayloadSegment")
	case rawHeader && (spec.Header != nil || spec.KeyID != "" || spec.OmitKeyID):
		return "", now, errors.New("axiomstest: TokenSpec sets a raw header and Header, KeyID or OmitKeyID, which would be ignored")
	case rawPayload && spec.Claims != nil:
		return "", now, errors.New("axiomstest: TokenSpec sets a raw payload and Claims, which would be ignored")
	case spec.DPoPKey != nil && rawPayload:
		return "", now, errors.New("axiomstest: TokenSpec sets a raw payload and DPoPKey, which would be ignored")
	case spec.DPoPKey != nil && hasMember(spec.Claims, "cnf"):
		return "", now, errors.New("axiomstest: TokenSpec sets both DPoPKey and a cnf claim")
	}

	key := spec.Key
	if key == nil {
		if key = i.Key(spec.Alg); key == nil { // the default key always exists
			return "", now, fmt.Errorf("axiomstest: the issuer has no %s key (Rotate adds one)", spec.Alg)
		}
	}

	header := map[string]any{"alg": key.Alg(), "kid": key.ID(), "typ": "JWT"}
	merge(header, i.cfg.Header)
	switch {
	case spec.Unsigned:
		header["alg"] = "none"
	case spec.HMACSecret != nil:
		header["alg"] = "HS256"
	}
	if spec.KeyID != "" {
		header["kid"] = spec.KeyID
	}
	if spec.OmitKeyID {
		delete(header, "kid")
	}
	merge(header, spec.Header)

	now = i.cfg.Now()
	claims := map[string]any{
		"iss": i.URL(),
		"aud": i.cfg.Audience,
		"sub": DefaultSubject,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(ttl).Unix(),
		"jti": randomHex(16),
	}
	merge(claims, i.cfg.Claims)
	if spec.DPoPKey != nil {
		claims["cnf"] = map[string]any{"jkt": spec.DPoPKey.Thumbprint()}
	}
	merge(claims, spec.Claims)
	for name, v := range claims {
		if t, ok := v.(time.Time); ok {
			claims[name] = t.Unix()
		}
	}

	headerSeg, err := segment(spec.HeaderSegment, spec.RawHeader, header)
	if err != nil {
		return "", now, fmt.Errorf("axiomstest: encoding the header: %w", err)
	}
	payloadSeg, err := segment(spec.PayloadSegment, spec.RawPayload, claims)
	if err != nil {
		return "", now, fmt.Errorf("axiomstest: encoding the claims: %w", err)
	}
	input := headerSeg + "." + payloadSeg

	headerAlg, _ := header["alg"].(string)
	sig, err := sign(input, key, headerAlg, rawHeader, spec.Unsigned, spec.HMACSecret)
	if err != nil {
		return "", now, fmt.Errorf("axiomstest: signing: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), now, nil
}

// sign returns the signature of input, the encoded header and payload of a token or a
// DPoP proof: none when unsigned; an HMAC under hmacSecret (HS256, or HS384 or HS512
// when the header's alg says so); else key's, in the header's alg when key can produce
// it and the header is not raw, in key's own algorithm otherwise.
func sign(input string, key signer, headerAlg string, rawHeader, unsigned bool, hmacSecret []byte) ([]byte, error) {
	switch {
	case unsigned:
		return nil, nil
	case hmacSecret != nil:
		alg := "HS256"
		if !rawHeader && (headerAlg == "HS384" || headerAlg == "HS512") {
			alg = headerAlg
		}
		return signing.HMACSignature(hmacSecret, alg, []byte(input))
	}
	alg := key.Alg()
	if !rawHeader && signing.CanSign(key.Signer(), headerAlg) {
		alg = headerAlg
	}
	return signing.Signature(key.Signer(), alg, []byte(input))
}

// signer is a key that signs tokens ([Key]) or DPoP proofs ([DPoPKey]).
type signer interface {
	Alg() string
	Signer() crypto.Signer
}

// segment returns the encoded segment: given verbatim, raw bytes encoded, or v as JSON.
func segment(given string, raw []byte, v map[string]any) (string, error) {
	switch {
	case given != "":
		return given, nil
	case raw != nil:
		return base64.RawURLEncoding.EncodeToString(raw), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hasMember reports whether m has a member called name, whatever its value.
func hasMember(m map[string]any, name string) bool {
	_, ok := m[name]
	return ok
}

// merge sets src's members in dst, deleting those whose value is Omit.
func merge(dst, src map[string]any) {
	for name, v := range src {
		if _, ok := v.(omit); ok {
			delete(dst, name)
		} else {
			dst[name] = v
		}
	}
}

package axiomstest

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/axioms-go/axioms-echo/internal/signing"
)

// DPoPKey is a client's DPoP key (RFC 9449): it signs proofs ([DPoPKey.Proof]) and an
// issuer binds tokens to it (TokenSpec.DPoPKey). It is immutable and safe for
// concurrent use.
type DPoPKey struct {
	k          *signing.Key
	jwk        map[string]any // the public members, as proofs embed them
	thumbprint string
}

// NewDPoPKey generates a fresh DPoP key for alg: RS256, RS384, RS512, PS256, PS384,
// PS512 (RSA-2048, slow to generate), ES256, ES384, ES512 or EdDSA. It fails the test
// for any other alg.
func NewDPoPKey(tb testing.TB, alg string) *DPoPKey {
	tb.Helper()
	k, err := NewDPoPKeyErr(alg)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// NewDPoPKeyErr is [NewDPoPKey] for a program that is not a test (a client of a
// development server, an Example): it returns an error instead of failing a test.
func NewDPoPKeyErr(alg string) (*DPoPKey, error) {
	k, err := signing.Generate(alg, "")
	if err != nil {
		return nil, fmt.Errorf("axiomstest: creating a %s DPoP key: %w", alg, err)
	}
	raw, err := k.PublicJWK()
	if err != nil {
		return nil, fmt.Errorf("axiomstest: encoding a %s DPoP key: %w", alg, err)
	}
	var jwk map[string]any
	if err := json.Unmarshal(raw, &jwk); err != nil {
		return nil, fmt.Errorf("axiomstest: encoding a %s DPoP key: %w", alg, err)
	}
	// A proof carries the key alone: the members its type defines.
	delete(jwk, "kid")
	delete(jwk, "use")
	delete(jwk, "alg")
	thumbprint, err := signing.Thumbprint(k.Public())
	if err != nil {
		return nil, fmt.Errorf("axiomstest: a %s DPoP key's thumbprint: %w", alg, err)
	}
	return &DPoPKey{k: k, jwk: jwk, thumbprint: thumbprint}, nil
}

// Alg returns the key's JWS algorithm: the alg of the proofs it signs.
func (k *DPoPKey) Alg() string { return k.k.Alg }

// Thumbprint returns the key's RFC 7638 JWK thumbprint (SHA-256, base64url without
// padding): the cnf.jkt of the tokens bound to it.
func (k *DPoPKey) Thumbprint() string { return k.thumbprint }

// Public returns the public key: *rsa.PublicKey, *ecdsa.PublicKey or
// ed25519.PublicKey.
func (k *DPoPKey) Public() crypto.PublicKey { return k.k.Public() }

// Signer returns the private key, to sign crafted proofs by other means.
func (k *DPoPKey) Signer() crypto.Signer { return k.k.Signer }

// PublicJWK returns the public JWK proofs embed in their jwk header member: kty and the
// public members of its type (crv, x, y; crv, x; n, e), nothing else. The map is the
// caller's to keep or modify, for instance to embed a doctored key through
// ProofSpec.Header.
func (k *DPoPKey) PublicJWK() map[string]any { return maps.Clone(k.jwk) }

// ProofSpec describes a DPoP proof for [DPoPKey.Proof]. Its header is
// {"typ": "dpop+jwt", "alg": <key alg>, "jwk": <public JWK>} and its claims
//
//	jti  ID, or random     htm  Method           htu  URL
//	iat  IssuedAt          ath  base64url SHA-256 of AccessToken (absent if empty)
//	nonce  Nonce (absent if empty)
//
// Header and Claims then replace or, with [Omit], remove any member, to craft the
// proofs a server must refuse. Options that contradict each other (Unsigned with
// HMACSecret, RawHeader with Header, RawPayload with Claims) fail the test.
type ProofSpec struct {
	// Method is the htm claim: the request's method, such as "GET". It is written as
	// given, empty included.
	Method string

	// URL is the htu claim: the request's URL without query and fragment, such as
	// "https://api.example.com/orders". It is written as given, empty included.
	URL string

	// AccessToken, if not empty, is the access token the proof is presented with: its
	// hash is the ath claim. If empty, the proof has no ath (as one for a token
	// request).
	AccessToken string

	// IssuedAt is the iat claim, in whole seconds. If zero, time.Now: set it from the
	// clock of the server under test.
	IssuedAt time.Time

	// ID is the jti claim. If empty, 16 random bytes in hex, so every proof is new.
	ID string

	// Nonce, if not empty, is the nonce claim: a server's DPoP-Nonce.
	Nonce string

	// Header members are merged over the default header; a value of [Omit] removes
	// one, nil writes JSON null. When Header sets alg to another algorithm the key can
	// produce (PS256 for an RS256 key), the proof is signed with it; any other alg
	// ("none", "HS256", "ES384" on a P-256 key) is written as given and the proof is
	// signed with the key's own algorithm.
	Header map[string]any

	// Claims are merged over the default claims; a value of [Omit] removes one.
	// Top-level time.Time values become NumericDates; everything else is encoded with
	// encoding/json.
	Claims map[string]any

	// RawHeader and RawPayload, when non-nil, are the exact bytes of the header and of
	// the payload (base64url-encoded, then signed): duplicate members, invalid UTF-8,
	// anything. With RawHeader the proof is signed with the key's own algorithm.
	RawHeader, RawPayload []byte

	// HMACSecret, when non-nil, signs the proof with HMAC under this secret instead of
	// with the key; the header alg defaults to HS256.
	HMACSecret []byte

	// Unsigned makes the proof unsecured: header alg "none" unless Header says
	// otherwise, and an empty signature.
	Unsigned bool
}

// Proof returns the DPoP proof spec describes, signed by k: the value of a request's
// DPoP header. It fails the test if spec is contradictory or the proof cannot be
// encoded or signed.
func (k *DPoPKey) Proof(tb testing.TB, spec ProofSpec) string {
	tb.Helper()
	p, err := k.ProofErr(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// ProofErr is [DPoPKey.Proof] for a program that is not a test (a client of a
// development server, an Example): it returns an error instead of failing a test.
func (k *DPoPKey) ProofErr(spec ProofSpec) (string, error) {
	switch {
	case spec.Unsigned && spec.HMACSecret != nil:
		return "", errors.New("axiomstest: ProofSpec sets both Unsigned and HMACSecret")
	case spec.RawHeader != nil && spec.Header != nil:
		return "", errors.New("axiomstest: ProofSpec sets both RawHeader and Header, which would be ignored")
	case spec.RawPayload != nil && spec.Claims != nil:
		return "", errors.New("axiomstest: ProofSpec sets both RawPayload and Claims, which would be ignored")
	}

	header := map[string]any{"typ": "dpop+jwt", "alg": k.Alg(), "jwk": k.PublicJWK()}
	switch {
	case spec.Unsigned:
		header["alg"] = "none"
	case spec.HMACSecret != nil:
		header["alg"] = "HS256"
	}
	merge(header, spec.Header)

	iat := spec.IssuedAt
	if iat.IsZero() {
		iat = time.Now()
	}
	jti := spec.ID
	if jti == "" {
		jti = randomHex(16)
	}
	claims := map[string]any{"jti": jti, "htm": spec.Method, "htu": spec.URL, "iat": iat.Unix()}
	if spec.AccessToken != "" {
		sum := sha256.Sum256([]byte(spec.AccessToken))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if spec.Nonce != "" {
		claims["nonce"] = spec.Nonce
	}
	merge(claims, spec.Claims)
	for name, v := range claims {
		if t, ok := v.(time.Time); ok {
			claims[name] = t.Unix()
		}
	}

	headerSeg, err := segment("", spec.RawHeader, header)
	if err != nil {
		return "", fmt.Errorf("axiomstest: encoding the proof header: %w", err)
	}
	payloadSeg, err := segment("", spec.RawPayload, claims)
	if err != nil {
		return "", fmt.Errorf("axiomstest: encoding the proof claims: %w", err)
	}
	input := headerSeg + "." + payloadSeg
	headerAlg, _ := header["alg"].(string)
	sig, err := sign(input, k, headerAlg, spec.RawHeader != nil, spec.Unsigned, spec.HMACSecret)
	if err != nil {
		return "", fmt.Errorf("axiomstest: signing the proof: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

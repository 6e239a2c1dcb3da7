package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512 for crypto.Hash
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// Sign returns a compact JWS of claims (encoded with encoding/json) signed by k.
//
// The protected header is {"alg": k.Alg, "kid": k.ID} with header's members merged
// over it; a member whose value is nil is left out, so callers can drop kid, or add typ
// and anything else. When header sets alg to another algorithm that k can produce
// ([CanSign], e.g. PS256 for an RS256 key) the token is signed with it; otherwise (a
// crafted alg such as "none" or "HS256") the alg is written as given and the token is
// signed with k.Alg.
func (k *Key) Sign(header map[string]any, claims any) (string, error) {
	h := map[string]any{"alg": k.Alg, "kid": k.ID}
	for name, v := range header {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("signing: encoding the header: %w", err)
	}
	pb, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("signing: encoding the claims: %w", err)
	}
	alg := k.Alg
	if a, ok := h["alg"].(string); ok && CanSign(k.Signer, a) {
		alg = a
	}
	return SignRaw(k.Signer, alg, hb, pb)
}

// SignRaw returns the compact JWS of headerJSON and payloadJSON, both used verbatim
// (base64url-encoded without padding, never parsed), signed by signer with alg. See
// [Signature] for which combinations are possible.
func SignRaw(signer crypto.Signer, alg string, headerJSON, payloadJSON []byte) (string, error) {
	return SignSegments(signer, alg, encode(headerJSON), encode(payloadJSON))
}

// SignSegments returns header + "." + payload + "." + signature, where header and
// payload are already-encoded segments used verbatim: they may be non-canonical
// base64url, padded, or not base64 at all. See [Signature].
func SignSegments(signer crypto.Signer, alg, header, payload string) (string, error) {
	input := header + "." + payload
	sig, err := Signature(signer, alg, []byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + encode(sig), nil
}

// Signature signs input (a JWS signing input) with signer as alg prescribes (RFC 7518
// §3.3–3.5, RFC 8037 §3.1) and returns the raw signature.
//
// The algorithm need not be the one the key was made for: any RS* or PS* alg works with
// any RSA key, and any ES* alg with any ECDSA key (hashing as alg says; R and S are
// then as wide as the key's own curve needs, since a wider curve's values cannot fit a
// narrower alg). It fails only when the combination is impossible: an RSA alg with a
// non-RSA key, ES* with a non-ECDSA key, EdDSA with a non-Ed25519 key, or an unknown
// alg (HS* included: see [SignHMAC]). signer may be any crypto.Signer whose Public
// method returns *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey.
func Signature(signer crypto.Signer, alg string, input []byte) ([]byte, error) {
	if signer == nil {
		return nil, errors.New("signing: nil key")
	}
	family, hash, ok := parseAlg(alg)
	if !ok || family == "HS" {
		return nil, fmt.Errorf("signing: unsupported algorithm %q", alg)
	}
	pub := signer.Public()
	switch family {
	case "Ed":
		if _, ok := pub.(ed25519.PublicKey); !ok {
			return nil, fmt.Errorf("signing: EdDSA needs an Ed25519 key, not a %s", keyKind(pub))
		}
		sig, err := signer.Sign(rand.Reader, input, crypto.Hash(0))
		if err != nil {
			return nil, fmt.Errorf("signing: EdDSA: %w", err)
		}
		return sig, nil
	case "RS", "PS":
		if _, ok := pub.(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("signing: %s needs an RSA key, not a %s", alg, keyKind(pub))
		}
		var opts crypto.SignerOpts = hash
		if family == "PS" {
			opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: hash}
		}
		sig, err := signer.Sign(rand.Reader, digest(hash, input), opts)
		if err != nil {
			return nil, fmt.Errorf("signing: %s: %w", alg, err)
		}
		return sig, nil
	default: // "ES"
		ec, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("signing: %s needs an ECDSA key, not a %s", alg, keyKind(pub))
		}
		der, err := signer.Sign(rand.Reader, digest(hash, input), hash)
		if err != nil {
			return nil, fmt.Errorf("signing: %s: %w", alg, err)
		}
		return fixedWidth(der, (ec.Curve.Params().BitSize+7)/8)
	}
}

// fixedWidth turns an ASN.1 ECDSA signature into R||S, each size bytes big-endian
// (RFC 7518 §3.4).
func fixedWidth(der []byte, size int) ([]byte, error) {
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &rs)
	if err != nil || len(rest) != 0 || rs.R == nil || rs.S == nil || rs.R.Sign() <= 0 || rs.S.Sign() <= 0 ||
		rs.R.BitLen() > 8*size || rs.S.BitLen() > 8*size {
		return nil, errors.New("signing: the key returned a malformed ECDSA signature")
	}
	out := make([]byte, 2*size)
	rs.R.FillBytes(out[:size])
	rs.S.FillBytes(out[size:])
	return out, nil
}

// SignHMAC returns the compact JWS of headerJSON and payloadJSON (verbatim, as in
// [SignRaw]) authenticated with HMAC under secret, for alg HS256, HS384 or HS512. No
// [Key] ever signs with HMAC: this exists to craft algorithm-confusion tokens (e.g.
// HS256 keyed with an issuer's RSA public key) that a validator must reject. Any other
// alg is an error.
func SignHMAC(secret []byte, alg string, headerJSON, payloadJSON []byte) (string, error) {
	input := encode(headerJSON) + "." + encode(payloadJSON)
	sig, err := HMACSignature(secret, alg, []byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + encode(sig), nil
}

// HMACSignature returns the HS256, HS384 or HS512 (RFC 7518 §3.2) signature of input
// under secret. Any other alg is an error.
func HMACSignature(secret []byte, alg string, input []byte) ([]byte, error) {
	family, hash, ok := parseAlg(alg)
	if !ok || family != "HS" {
		return nil, fmt.Errorf("signing: %q is not an HMAC algorithm", alg)
	}
	m := hmac.New(hash.New, secret)
	m.Write(input)
	return m.Sum(nil), nil
}

// CanSign reports whether signer is the kind of key alg is defined for: an RSA key for
// RS* and PS*, a key on the alg's own curve for ES256 (P-256), ES384 (P-384) and ES512
// (P-521), an Ed25519 key for EdDSA. [Signature] accepts more combinations than this.
func CanSign(signer crypto.Signer, alg string) bool {
	if signer == nil {
		return false
	}
	family, _, ok := parseAlg(alg)
	if !ok {
		return false
	}
	switch pub := signer.Public().(type) {
	case *rsa.PublicKey:
		return family == "RS" || family == "PS"
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return pub.Curve == elliptic.P256()
		case "ES384":
			return pub.Curve == elliptic.P384()
		case "ES512":
			return pub.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return family == "Ed"
	}
	return false
}

// parseAlg splits a JWS alg into its family ("RS", "PS", "ES", "HS" or "Ed") and hash.
func parseAlg(alg string) (family string, hash crypto.Hash, ok bool) {
	if alg == "EdDSA" {
		return "Ed", 0, true
	}
	if len(alg) != 5 {
		return "", 0, false
	}
	switch alg[:2] {
	case "RS", "PS", "ES", "HS":
	default:
		return "", 0, false
	}
	switch alg[2:] {
	case "256":
		return alg[:2], crypto.SHA256, true
	case "384":
		return alg[:2], crypto.SHA384, true
	case "512":
		return alg[:2], crypto.SHA512, true
	}
	return "", 0, false
}

func digest(h crypto.Hash, input []byte) []byte {
	w := h.New()
	w.Write(input)
	return w.Sum(nil)
}

func encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

package validator

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
)

// maxDPoPRSABits bounds the modulus of a proof's RSA key, so that a client cannot make
// the verification of its proofs arbitrarily slow.
const maxDPoPRSABits = 8192

// parseProofKey reads the jwk header member of a DPoP proof (RFC 9449 §4.2) into a key,
// with the standard library alone (it runs on every request), and returns it with its
// RFC 7638 thumbprint. It refuses private and symmetric material, and every member
// written in other than its one canonical encoding (RFC 7518 §6: base64url without
// padding, RSA integers without leading zero octets, EC coordinates of the curve's full
// width), so that one public key has one thumbprint. The same key rules as for an
// issuer's key set apply, and an upper bound: RSA of 2048 to 8192 bits with an odd
// exponent of at least 3 (and below 2^31) and without the ROCA fingerprint, EC P-256/P-384/P-521 points on their curve, Ed25519.
func parseProofKey(m map[string]any) (*key, string, *validationError) {
	for _, name := range [...]string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if _, present := m[name]; present {
			return nil, "", fail(errDPoPPrivateKey)
		}
	}
	str := func(name string) (string, bool) {
		s, ok := m[name].(string)
		return s, ok
	}
	kty, ok := str("kty")
	if !ok {
		return nil, "", fail(errDPoPKey)
	}
	k := &key{}
	if x, present := m["alg"]; present {
		if k.alg, ok = x.(string); !ok {
			return nil, "", fail(errDPoPKey)
		}
	}
	if x, present := m["use"]; present && x != "sig" {
		return nil, "", fail(errDPoPKey)
	}

	var canon string // the RFC 7638 §3.2 JSON: required members, sorted, no whitespace
	switch kty {
	case "oct":
		return nil, "", fail(errDPoPPrivateKey)
	case "RSA":
		n64, okN := str("n")
		e64, okE := str("e")
		if !okN || !okE {
			return nil, "", fail(errDPoPKey)
		}
		n, okN := canonicalUint(n64)
		e, okE := canonicalUint(e64)
		if !okN || !okE || len(e) > 4 {
			return nil, "", fail(errDPoPKey)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n)}
		for _, b := range e {
			pub.E = pub.E<<8 | int(b)
		}
		bits := pub.N.BitLen()
		if bits < minRSABits || bits > maxDPoPRSABits || pub.E < 3 || pub.E%2 == 0 || pub.E > 1<<31-1 || hasROCAFingerprint(pub.N) {
			return nil, "", fail(errDPoPKey)
		}
		k.rsa = pub
		canon = `{"e":"` + e64 + `","kty":"RSA","n":"` + n64 + `"}`
	case "EC":
		crv, okC := str("crv")
		x64, okX := str("x")
		y64, okY := str("y")
		if !okC || !okX || !okY {
			return nil, "", fail(errDPoPKey)
		}
		var curve elliptic.Curve
		switch crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, "", fail(errDPoPKey)
		}
		size := (curve.Params().BitSize + 7) / 8
		x, errX := b64.DecodeString(x64)
		y, errY := b64.DecodeString(y64)
		if errX != nil || errY != nil || len(x) != size || len(y) != size {
			return nil, "", fail(errDPoPKey)
		}
		point := make([]byte, 0, 1+2*size)
		point = append(append(append(point, 4), x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, point) // on the curve, not the identity
		if err != nil {
			return nil, "", fail(errDPoPKey)
		}
		k.ec = pub
		canon = `{"crv":"` + crv + `","kty":"EC","x":"` + x64 + `","y":"` + y64 + `"}`
	case "OKP":
		crv, okC := str("crv")
		x64, okX := str("x")
		if !okC || !okX || crv != "Ed25519" {
			return nil, "", fail(errDPoPKey)
		}
		x, err := b64.DecodeString(x64)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, "", fail(errDPoPKey)
		}
		k.ed = ed25519.PublicKey(x)
		canon = `{"crv":"Ed25519","kty":"OKP","x":"` + x64 + `"}`
	default:
		return nil, "", fail(errDPoPKey)
	}
	return k, jwkThumbprint(canon), nil
}

// canonicalUint decodes a JWK integer (RFC 7518 §2, Base64urlUInt): canonical
// base64url, at least one octet, no leading zero octet.
func canonicalUint(s string) ([]byte, bool) {
	b, err := b64.DecodeString(s)
	if err != nil || len(b) == 0 || b[0] == 0 {
		return nil, false
	}
	return b, true
}

// jwkThumbprint returns the RFC 7638 thumbprint of a key from its canonical JSON:
// base64url (no padding) of its SHA-256. The members are base64url strings and fixed
// names, which JSON writes without escapes.
func jwkThumbprint(canon string) string {
	sum := sha256.Sum256([]byte(canon))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

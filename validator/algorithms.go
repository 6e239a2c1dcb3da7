package validator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"io"
	"math/big"
	"strings"
)

// algorithm is one JWS algorithm this package verifies (RFC 7518 §3, RFC 8037 §3.1).
type algorithm struct {
	name   string
	family algFamily
	hash   crypto.Hash    // the digest signed; zero for EdDSA, which signs the input itself
	curve  elliptic.Curve // ECDSA only: the curve of the keys that fit
}

// algFamily is the signature scheme of an algorithm, which also fixes the keys that fit
// it.
type algFamily uint8

const (
	familyRSA   algFamily = iota + 1 // RSASSA-PKCS1-v1_5; RSA keys
	familyPSS                        // RSASSA-PSS, salt as long as the hash; RSA keys
	familyECDSA                      // ECDSA, fixed-width R || S; EC keys on the row's curve
	familyEdDSA                      // EdDSA; Ed25519 keys
)

// algorithms is the one table of supported algorithms, in the order of
// [DefaultAlgorithms]: the default allowlist, the check of Config.Algorithms and of a
// key's own alg, which key fits which algorithm, and the signature check all read it.
var algorithms = [...]algorithm{
	{"RS256", familyRSA, crypto.SHA256, nil},
	{"RS384", familyRSA, crypto.SHA384, nil},
	{"RS512", familyRSA, crypto.SHA512, nil},
	{"PS256", familyPSS, crypto.SHA256, nil},
	{"PS384", familyPSS, crypto.SHA384, nil},
	{"PS512", familyPSS, crypto.SHA512, nil},
	{"ES256", familyECDSA, crypto.SHA256, elliptic.P256()},
	{"ES384", familyECDSA, crypto.SHA384, elliptic.P384()},
	{"ES512", familyECDSA, crypto.SHA512, elliptic.P521()},
	{"EdDSA", familyEdDSA, 0, nil},
}

// DefaultAlgorithms returns the signing-algorithm allowlist used when Config.Algorithms
// is empty: every asymmetric JWS algorithm of RFC 7518 and RFC 8037, namely RS256,
// RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 and EdDSA. It returns a fresh
// slice on every call, which the caller may change.
func DefaultAlgorithms() []string {
	names := make([]string, len(algorithms))
	for i := range algorithms {
		names[i] = algorithms[i].name
	}
	return names
}

// algorithmNamed returns the supported algorithm called name (case-sensitive), or nil.
func algorithmNamed(name string) *algorithm {
	for i := range algorithms {
		if algorithms[i].name == name {
			return &algorithms[i]
		}
	}
	return nil
}

// supportedCurve reports whether some supported algorithm verifies with keys on c.
func supportedCurve(c elliptic.Curve) bool {
	for i := range algorithms {
		if algorithms[i].family == familyECDSA && algorithms[i].curve == c {
			return true
		}
	}
	return false
}

// forbiddenAlg reports whether alg may never be enabled: none (any case) and HMAC.
func forbiddenAlg(alg string) bool {
	u := strings.ToUpper(alg)
	return u == "NONE" || strings.HasPrefix(u, "HS")
}

// fits reports whether k may verify a signature of a: the key's type (and curve) is the
// one a's family needs, and its own alg member, if any, is a.
func (a *algorithm) fits(k *key) bool {
	if k.alg != "" && k.alg != a.name {
		return false
	}
	switch a.family {
	case familyRSA, familyPSS:
		return k.rsa != nil
	case familyECDSA:
		return k.ec != nil && k.ec.Curve == a.curve
	case familyEdDSA:
		return k.ed != nil
	}
	return false
}

// verify checks sig over signingInput with k, which the caller has checked fits a.
func (a *algorithm) verify(k *key, signingInput string, sig []byte) bool {
	switch a.family {
	case familyRSA:
		return rsa.VerifyPKCS1v15(k.rsa, a.hash, a.digest(signingInput), sig) == nil
	case familyPSS:
		// RFC 7518 §3.5: the salt is as long as the hash output.
		return rsa.VerifyPSS(k.rsa, a.hash, a.digest(signingInput), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: a.hash}) == nil
	case familyECDSA:
		size := (k.ec.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size { // RFC 7518 §3.4: fixed-width R || S, never DER
			return false
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k.ec, a.digest(signingInput), r, s)
	case familyEdDSA:
		return ed25519.Verify(k.ed, []byte(signingInput), sig)
	}
	return false
}

func (a *algorithm) digest(signingInput string) []byte {
	w := a.hash.New()
	io.WriteString(w, signingInput)
	return w.Sum(nil)
}

package validator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// b64 decodes JWS segments: base64url without padding, rejecting non-zero trailing bits,
// so every accepted segment has exactly one encoding. ('\r' and '\n', which the decoder
// would skip, are rejected before decoding.)
var b64 = base64.RawURLEncoding.Strict()

// header is what the validator reads from a JOSE header. Members that name other keys
// (jku, x5u, jwk, x5c, x5t) are deliberately ignored: keys come only from the issuer's
// key set.
type header struct {
	alg    string
	kid    string
	hasKid bool
	typ    string
}

func decodeSegment(seg string) ([]byte, *Error) {
	buf := make([]byte, b64.DecodedLen(len(seg)))
	n, err := b64.Decode(buf, []byte(seg))
	if err != nil {
		return nil, fail(errEncoding)
	}
	return buf[:n], nil
}

// decodeObject decodes a JSON object strictly (RFC 8259 with RFC 7493 I-JSON rules):
// exact names, no duplicate names, valid UTF-8 and escapes, nothing after the object.
func decodeObject(data []byte, syntaxErr, dupErr *Error) (map[string]any, *Error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		if errors.Is(err, jsontext.ErrDuplicateName) {
			return nil, fail(dupErr)
		}
		return nil, fail(syntaxErr)
	}
	if m == nil { // the JSON value null
		return nil, fail(syntaxErr)
	}
	return m, nil
}

// parseHeader decodes and checks the protected header. The algorithm is checked here,
// before any key is looked up.
func (v *Validator) parseHeader(seg string) (header, *Error) {
	var h header
	raw, e := decodeSegment(seg)
	if e != nil {
		return h, e
	}
	m, e := decodeObject(raw, errHeaderJSON, errHeaderDup)
	if e != nil {
		return h, e
	}
	algV, ok := m["alg"]
	if !ok {
		return h, fail(errAlgMissing)
	}
	if h.alg, ok = algV.(string); !ok {
		return h, fail(errHeaderType)
	}
	if !v.s.algs[h.alg] {
		return h, fail(errAlg)
	}
	if kid, present := m["kid"]; present {
		if h.kid, ok = kid.(string); !ok {
			return h, fail(errKidType)
		}
		h.hasKid = true
	}
	if typ, present := m["typ"]; present {
		if h.typ, ok = typ.(string); !ok {
			return h, fail(errHeaderType)
		}
	}
	// RFC 7515 §4.1.11: every name in crit must be understood; this validator implements
	// no header extension, so any crit (or a malformed one) rejects the token.
	if _, present := m["crit"]; present {
		return h, fail(errCrit)
	}
	// RFC 7797 unencoded payloads are not supported; only b64:true (the default) passes.
	if b, present := m["b64"]; present && b != true {
		return h, fail(errB64)
	}
	if v.s.requireType && !isAccessTokenType(h.typ) {
		return h, fail(errType)
	}
	return h, nil
}

// isAccessTokenType accepts the RFC 9068 media type, with or without the
// "application/" prefix, in any case (RFC 7515 §4.1.9).
func isAccessTokenType(typ string) bool {
	return strings.EqualFold(typ, "at+jwt") || strings.EqualFold(typ, "application/at+jwt")
}

// hashFor returns the digest algorithm of a JWS algorithm.
func hashFor(alg string) crypto.Hash {
	switch alg[len(alg)-3:] {
	case "384":
		return crypto.SHA384
	case "512":
		return crypto.SHA512
	}
	return crypto.SHA256
}

func digest(h crypto.Hash, signingInput string) []byte {
	w := h.New()
	io.WriteString(w, signingInput)
	return w.Sum(nil)
}

// verifySignature checks sig over signingInput with k, as alg prescribes (RFC 7518 §3,
// RFC 8037 §3.1). The caller has already checked that k fits alg.
func verifySignature(k *key, alg, signingInput string, sig []byte) bool {
	switch alg {
	case "RS256", "RS384", "RS512":
		h := hashFor(alg)
		return rsa.VerifyPKCS1v15(k.rsa, h, digest(h, signingInput), sig) == nil
	case "PS256", "PS384", "PS512":
		h := hashFor(alg)
		// RFC 7518 §3.5: the salt is as long as the hash output.
		return rsa.VerifyPSS(k.rsa, h, digest(h, signingInput), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}) == nil
	case "ES256", "ES384", "ES512":
		size := (k.ec.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size { // RFC 7518 §3.4: fixed-width R || S, never DER
			return false
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k.ec, digest(hashFor(alg), signingInput), r, s)
	case "EdDSA":
		return ed25519.Verify(k.ed, []byte(signingInput), sig)
	}
	return false
}

package validator

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// minRSABits is the smallest RSA modulus accepted for verification.
const minRSABits = 2048

// maxKeys bounds how many usable keys one key set may hold; a larger set is truncated
// (in document order) and logged.
const maxKeys = 10000

// key is one usable public signing key from a JWKS. Keys are immutable except for
// removed, which is set once when the key disappears from the issuer's key set.
type key struct {
	kid    string
	hasKid bool
	alg    string // the JWK's own "alg", "" if absent
	rsa    *rsa.PublicKey
	ec     *ecdsa.PublicKey
	ed     ed25519.PublicKey
	id     string // identity across refreshes: kid, alg and public material

	removed atomic.Bool
}

// keySet is an immutable snapshot of the issuer's usable keys.
type keySet struct {
	byKid     map[string][]*key
	all       []*key
	fetchedAt time.Time
	refreshAt time.Time // when a background refresh is due; zero for static sets
}

// lookup returns the keys that fit alg (see algorithm.fits) and carry the given kid (if
// hasKid).
// ok is false when no key fits; ambiguous is set when the token has no kid and several
// keys fit. kidKnown reports whether any key carries the kid (whatever its alg), so an
// unknown kid can trigger a refetch while a kid/alg mismatch does not.
func (s *keySet) lookup(kid string, hasKid bool, alg *algorithm, buf []*key) (keys []*key, kidKnown, ambiguous bool) {
	if s == nil {
		return nil, false, false
	}
	if hasKid {
		cands, known := s.byKid[kid]
		for _, k := range cands {
			if alg.fits(k) {
				buf = append(buf, k)
			}
		}
		return buf, known, false
	}
	for _, k := range s.all {
		if alg.fits(k) {
			buf = append(buf, k)
		}
	}
	if len(buf) > 1 {
		return nil, false, true
	}
	return buf, false, false
}

// parseKeySet decodes a JWKS document. Members that are not usable signing keys are
// skipped and logged, one at a time, so one bad key never poisons the others: private
// or symmetric material, use other than "sig", key_ops without "verify", RSA under 2048
// bits or with a weak exponent, EC points off their curve, unsupported key types or
// curves, and entries that are not valid JSON objects. It fails only when the document
// itself is not a JWKS or no usable key remains.
func parseKeySet(body []byte, logger *slog.Logger) ([]*key, error) {
	var doc struct {
		Keys []jsonValue `json:"keys"`
	}
	// The envelope tolerates duplicate names so that one malformed member can be skipped
	// below instead of failing the whole set; each member is then checked strictly.
	if err := decodeJSONEnvelope(body, &doc); err != nil {
		return nil, errors.New("key set is not a JSON object with a \"keys\" array")
	}
	if doc.Keys == nil {
		return nil, errors.New("key set has no \"keys\" array")
	}
	var keys []*key
	for i, raw := range doc.Keys {
		if len(keys) == maxKeys {
			logger.Warn("axioms: key set truncated", "limit", maxKeys, "members", len(doc.Keys))
			break
		}
		k, err := parseKey(raw)
		if err != nil {
			logger.Warn("axioms: key set member skipped", "index", i, "reason", err.Error())
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("key set holds no usable signing key (%d members)", len(doc.Keys))
	}
	return keys, nil
}

func parseKey(raw jsonValue) (*key, error) {
	if !raw.IsValid() { // duplicate names, invalid UTF-8 or escapes
		return nil, errors.New("member is not a valid JSON object (duplicate names or invalid UTF-8)")
	}
	var f struct {
		Kty    string     `json:"kty"`
		Kid    *string    `json:"kid"`
		Use    *string    `json:"use"`
		Alg    *string    `json:"alg"`
		KeyOps []string   `json:"key_ops"`
		D      *jsonValue `json:"d"`
		P      *jsonValue `json:"p"`
		Q      *jsonValue `json:"q"`
		K      *jsonValue `json:"k"`
	}
	if err := decodeJSON(raw, &f); err != nil {
		return nil, errors.New("member has fields of the wrong type")
	}
	switch {
	case f.Kty == "oct" || f.K != nil:
		return nil, errors.New("symmetric key material is never used")
	case f.D != nil || f.P != nil || f.Q != nil:
		return nil, errors.New("private key material published in a key set is never used")
	case f.Use != nil && *f.Use != "sig":
		return nil, errors.New("key is not for signatures (use is not \"sig\")")
	case f.KeyOps != nil && !contains(f.KeyOps, "verify"):
		return nil, errors.New("key_ops does not allow verify")
	case f.Alg != nil && algorithmNamed(*f.Alg) == nil:
		return nil, errors.New("key algorithm is not a supported asymmetric signature algorithm")
	}

	// jwx validates the material (RSA modulus size, EC point on curve, lengths); its
	// message describes the issuer's key, never a token.
	jk, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("key material could not be parsed: %w", err)
	}
	var pub any
	if err := jwk.Export(jk, &pub); err != nil {
		return nil, fmt.Errorf("key material could not be imported: %w", err)
	}

	k := &key{}
	if f.Kid != nil {
		k.kid, k.hasKid = *f.Kid, true
	}
	if f.Alg != nil {
		k.alg = *f.Alg
	}
	var material []byte
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if f.Kty != "RSA" {
			return nil, errors.New("key type does not match its material")
		}
		if p.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("RSA key of %d bits is below the %d-bit minimum", p.N.BitLen(), minRSABits)
		}
		if p.E < 3 || p.E%2 == 0 {
			return nil, errors.New("RSA public exponent is weak or invalid")
		}
		if hasROCAFingerprint(p.N) {
			return nil, errors.New("RSA key has the ROCA fingerprint (CVE-2017-15361): its private key can be computed")
		}
		k.rsa = p
		material = append(p.N.Bytes(), byte(p.E>>24), byte(p.E>>16), byte(p.E>>8), byte(p.E))
	case *ecdsa.PublicKey:
		if f.Kty != "EC" {
			return nil, errors.New("key type does not match its material")
		}
		if !supportedCurve(p.Curve) {
			return nil, errors.New("unsupported elliptic curve")
		}
		// ECDH validates that the point is on the curve and not the identity.
		point, err := p.ECDH()
		if err != nil {
			return nil, errors.New("EC public key is not a valid point on its curve")
		}
		k.ec = p
		material = point.Bytes()
	case ed25519.PublicKey:
		if f.Kty != "OKP" || len(p) != ed25519.PublicKeySize {
			return nil, errors.New("unsupported OKP key")
		}
		k.ed = p
		material = p
	default:
		return nil, fmt.Errorf("unsupported key type %q", f.Kty)
	}
	k.id = k.kid + "\x00" + k.alg + "\x00" + string(material)
	return k, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// newKeySet builds a snapshot from keys, reusing the *key of every key already present
// in prev (same kid, alg and material), so verified-token cache entries tied to a key
// survive refreshes that keep it. It returns the keys of prev that are gone, and how
// many keys are new (all of them when prev is nil).
func newKeySet(keys []*key, prev *keySet, fetchedAt, refreshAt time.Time) (set *keySet, removed []*key, added int) {
	old := map[string]*key{}
	if prev != nil {
		for _, k := range prev.all {
			old[k.id] = k
		}
	}
	set = &keySet{byKid: map[string][]*key{}, fetchedAt: fetchedAt, refreshAt: refreshAt}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k.id] {
			continue // exact duplicate member
		}
		seen[k.id] = true
		if o, ok := old[k.id]; ok {
			k = o
		} else {
			added++
		}
		set.all = append(set.all, k)
		if k.hasKid {
			set.byKid[k.kid] = append(set.byKid[k.kid], k)
		}
	}
	for id, k := range old {
		if !seen[id] {
			removed = append(removed, k)
		}
	}
	return set, removed, added
}

// Package signing generates signing keys, encodes their public (and, for the local dev
// issuer's key file, private) JWKs, and signs compact JWS tokens with the standard
// library. It signs arbitrary bytes on purpose — tests use it to craft tokens no JOSE
// library would produce — so it must never be used to verify anything.
package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // SHA-256 for crypto.Hash
	_ "crypto/sha512" // SHA-384, SHA-512 for crypto.Hash
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// RSABits is the modulus size of generated RSA keys.
const RSABits = 2048

// Key is a private signing key with the kid and alg it is published under.
type Key struct {
	ID     string
	Alg    string
	Signer crypto.Signer
}

// Generate returns a new key for alg: RSA-2048 for RS256/384/512 and PS256/384/512,
// P-256/P-384/P-521 for ES256/ES384/ES512, Ed25519 for EdDSA. An empty kid becomes the
// key's RFC 7638 thumbprint.
func Generate(alg, kid string) (*Key, error) {
	var signer crypto.Signer
	var err error
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		signer, err = rsa.GenerateKey(rand.Reader, RSABits)
	case "ES256":
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		signer, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		signer, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "EdDSA":
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("signing: unsupported algorithm %q", alg)
	}
	if err != nil {
		return nil, err
	}
	return New(signer, alg, kid)
}

// New wraps an existing private key; an empty kid becomes its thumbprint.
func New(signer crypto.Signer, alg, kid string) (*Key, error) {
	if signer == nil {
		return nil, errors.New("signing: nil key")
	}
	if kid == "" {
		k, err := jwk.Import(signer.Public())
		if err != nil {
			return nil, err
		}
		tp, err := k.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, err
		}
		kid = base64.RawURLEncoding.EncodeToString(tp)
	}
	return &Key{ID: kid, Alg: alg, Signer: signer}, nil
}

// Public returns the public key.
func (k *Key) Public() crypto.PublicKey { return k.Signer.Public() }

// PublicJWK returns the public JWK with kid, alg and use "sig"; never private members.
func (k *Key) PublicJWK() ([]byte, error) { return k.jwk(k.Signer.Public()) }

// PrivateJWK returns the private JWK (with kid and alg), for a key file.
func (k *Key) PrivateJWK() ([]byte, error) { return k.jwk(k.Signer) }

func (k *Key) jwk(raw any) ([]byte, error) {
	j, err := jwk.Import(raw)
	if err != nil {
		return nil, err
	}
	for name, v := range map[string]string{jwk.KeyIDKey: k.ID, jwk.AlgorithmKey: k.Alg, jwk.KeyUsageKey: "sig"} {
		if err := j.Set(name, v); err != nil {
			return nil, err
		}
	}
	return json.Marshal(j)
}

// ParsePrivateJWK reads a key written by PrivateJWK.
func ParsePrivateJWK(data []byte) (*Key, error) {
	j, err := jwk.ParseKey(data)
	if err != nil {
		return nil, err
	}
	var raw any
	if err := jwk.Export(j, &raw); err != nil {
		return nil, err
	}
	signer, ok := raw.(crypto.Signer)
	if !ok {
		return nil, errors.New("signing: the JWK is not a private signing key")
	}
	kid, _ := j.KeyID()
	alg, ok := j.Algorithm()
	if !ok || kid == "" {
		return nil, errors.New("signing: the JWK has no kid or alg")
	}
	return &Key{ID: kid, Alg: alg.String(), Signer: signer}, nil
}

// JWKS returns {"keys":[...]} with the public JWKs of keys.
func JWKS(keys ...*Key) ([]byte, error) {
	members := make([]json.RawMessage, 0, len(keys))
	for _, k := range keys {
		b, err := k.PublicJWK()
		if err != nil {
			return nil, err
		}
		members = append(members, b)
	}
	return json.Marshal(map[string]any{"keys": members})
}

// Sign signs claims (marshalled to JSON) with k. The header gets alg (k.Alg) and kid
// (k.ID) unless header sets them; a header member set to nil is omitted, so callers can
// drop kid or typ.
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
		return "", err
	}
	pb, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	alg, _ := h["alg"].(string)
	if alg == "" {
		alg = k.Alg
	}
	return SignRaw(k.Signer, signingAlg(alg, k.Alg), hb, pb)
}

// signingAlg picks how to sign when the header names an algorithm the key cannot
// produce (a crafted token): the key's own algorithm.
func signingAlg(headerAlg, keyAlg string) string {
	if _, ok := hashOf(headerAlg); ok && family(headerAlg) == family(keyAlg) {
		return headerAlg
	}
	return keyAlg
}

func family(alg string) string {
	if len(alg) < 2 {
		return alg
	}
	if alg == "EdDSA" {
		return "Ed"
	}
	if alg[:2] == "RS" || alg[:2] == "PS" {
		return "RSA"
	}
	return alg
}

// SignRaw base64url-encodes headerJSON and payloadJSON verbatim and signs them with
// signer as alg prescribes (RFC 7518 §3, RFC 8037): PKCS#1 v1.5 for RS*, PSS with a salt
// as long as the hash for PS*, fixed-width R||S for ES*, Ed25519 for EdDSA. It fails
// when the key cannot produce alg.
func SignRaw(signer crypto.Signer, alg string, headerJSON, payloadJSON []byte) (string, error) {
	input := enc(headerJSON) + "." + enc(payloadJSON)
	sig, err := signInput(signer, alg, input)
	if err != nil {
		return "", err
	}
	return input + "." + enc(sig), nil
}

// SignSegments signs two already-encoded segments, even non-canonical ones.
func SignSegments(signer crypto.Signer, alg, header, payload string) (string, error) {
	input := header + "." + payload
	sig, err := signInput(signer, alg, input)
	if err != nil {
		return "", err
	}
	return input + "." + enc(sig), nil
}

func signInput(signer crypto.Signer, alg, input string) ([]byte, error) {
	if alg == "EdDSA" {
		k, ok := signer.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signing: EdDSA needs an Ed25519 key, not %T", signer)
		}
		return ed25519.Sign(k, []byte(input)), nil
	}
	h, ok := hashOf(alg)
	if !ok {
		return nil, fmt.Errorf("signing: unsupported algorithm %q", alg)
	}
	w := h.New()
	w.Write([]byte(input))
	digest := w.Sum(nil)
	switch alg[:2] {
	case "RS":
		k, ok := signer.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signing: %s needs an RSA key, not %T", alg, signer)
		}
		return rsa.SignPKCS1v15(rand.Reader, k, h, digest)
	case "PS":
		k, ok := signer.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signing: %s needs an RSA key, not %T", alg, signer)
		}
		return rsa.SignPSS(rand.Reader, k, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ES":
		k, ok := signer.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signing: %s needs an EC key, not %T", alg, signer)
		}
		r, s, err := ecdsa.Sign(rand.Reader, k, digest)
		if err != nil {
			return nil, err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("signing: unsupported algorithm %q", alg)
}

// CanSign reports whether signer can produce signatures for alg.
func CanSign(signer crypto.Signer, alg string) bool {
	switch signer.(type) {
	case *rsa.PrivateKey:
		_, ok := hashOf(alg)
		return ok && (alg[:2] == "RS" || alg[:2] == "PS")
	case *ecdsa.PrivateKey:
		k := signer.(*ecdsa.PrivateKey)
		want := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
		return want != nil && k.Curve == want
	case ed25519.PrivateKey:
		return alg == "EdDSA"
	}
	return false
}

// SignHMAC signs verbatim header and payload with HMAC (HS256/HS384/HS512) and secret:
// for attack tests (e.g. HS256 keyed with an RSA public key).
func SignHMAC(secret []byte, alg string, headerJSON, payloadJSON []byte) (string, error) {
	h, ok := hashOf(alg)
	if !ok || !strings.HasPrefix(alg, "HS") {
		return "", fmt.Errorf("signing: %q is not an HMAC algorithm", alg)
	}
	input := enc(headerJSON) + "." + enc(payloadJSON)
	m := hmac.New(h.New, secret)
	m.Write([]byte(input))
	return input + "." + enc(m.Sum(nil)), nil
}

func hashOf(alg string) (crypto.Hash, bool) {
	if len(alg) != 5 {
		return 0, false
	}
	switch alg[:2] {
	case "RS", "PS", "ES", "HS":
	default:
		return 0, false
	}
	switch alg[2:] {
	case "256":
		return crypto.SHA256, true
	case "384":
		return crypto.SHA384, true
	case "512":
		return crypto.SHA512, true
	}
	return 0, false
}

func enc(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

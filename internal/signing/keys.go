package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// RSABits is the modulus size, in bits, of the RSA keys [Generate] creates, and the
// smallest RSA key [ParsePrivateJWK] accepts.
const RSABits = 2048

// Algorithms lists the asymmetric JWS algorithms a [Key] can have, in a fixed order.
// It is a fresh slice on every call.
func Algorithms() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
}

// Key is a private signing key with the key ID and algorithm it is published under.
//
// Create one with [Generate], [New] or [ParsePrivateJWK], which check that Signer can
// produce Alg. The fields are exported for reading; once a Key is shared its methods
// are safe for concurrent use as long as nobody modifies them.
type Key struct {
	// ID is the key ID: the "kid" of its JWK and, by default, of the tokens it signs.
	ID string
	// Alg is the JWS algorithm the key signs with: the "alg" of its JWK and, by default,
	// of the tokens it signs.
	Alg string
	// Signer is the private key: *rsa.PrivateKey, *ecdsa.PrivateKey,
	// ed25519.PrivateKey, or any crypto.Signer whose Public method returns one of the
	// matching public key types (a hardware or remote key, for example).
	Signer crypto.Signer
}

// Generate returns a new key for alg: RSA-2048 for RS256/384/512 and PS256/384/512,
// P-256, P-384 or P-521 for ES256, ES384 or ES512, and Ed25519 for EdDSA. An empty kid
// becomes the key's RFC 7638 JWK thumbprint (SHA-256, base64url). Any other alg, HS*
// and "none" included, is an error.
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
		return nil, fmt.Errorf("signing: generating a %s key: %w", alg, err)
	}
	return New(signer, alg, kid)
}

// New wraps an existing private key. It fails unless signer can produce alg (see
// [CanSign]); it does not limit RSA key sizes, so tests can sign with weak keys on
// purpose. An empty kid becomes the key's RFC 7638 thumbprint.
func New(signer crypto.Signer, alg, kid string) (*Key, error) {
	if signer == nil {
		return nil, errors.New("signing: nil key")
	}
	if !CanSign(signer, alg) {
		return nil, fmt.Errorf("signing: a %s cannot sign %q", keyKind(signer.Public()), alg)
	}
	if kid == "" {
		var err error
		if kid, err = Thumbprint(signer.Public()); err != nil {
			return nil, err
		}
	}
	return &Key{ID: kid, Alg: alg, Signer: signer}, nil
}

// Thumbprint returns the RFC 7638 JWK thumbprint of pub (SHA-256, base64url without
// padding): the default key ID. pub is an *rsa.PublicKey, *ecdsa.PublicKey (P-256,
// P-384 or P-521) or ed25519.PublicKey.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	j, err := publicMembers(pub)
	if err != nil {
		return "", err
	}
	// The required members in lexicographic order, no whitespace (RFC 7638 §3.2). The
	// values are base64url or fixed names, which JSON never escapes.
	var canon string
	switch j.Kty {
	case "RSA":
		canon = `{"e":"` + j.E + `","kty":"RSA","n":"` + j.N + `"}`
	case "EC":
		canon = `{"crv":"` + j.Crv + `","kty":"EC","x":"` + j.X + `","y":"` + j.Y + `"}`
	default:
		canon = `{"crv":"` + j.Crv + `","kty":"OKP","x":"` + j.X + `"}`
	}
	sum := sha256.Sum256([]byte(canon))
	return encode(sum[:]), nil
}

// Public returns the public half of the key.
func (k *Key) Public() crypto.PublicKey { return k.Signer.Public() }

// PublicJWK returns the key's public JWK: kty, use "sig", kid, alg and the public
// members (crv, x and y for EC; crv and x for OKP; n and e for RSA, without leading
// zero octets), in that order. It is built from the public key alone, so it never holds
// private members. Unlike [Key.PrivateJWK] it encodes keys of any size, so tests can
// publish weak RSA keys on purpose.
func (k *Key) PublicJWK() ([]byte, error) {
	j, err := publicMembers(k.Signer.Public())
	if err != nil {
		return nil, err
	}
	j.Use, j.Kid, j.Alg = "sig", k.ID, k.Alg
	return json.Marshal(j)
}

// publicJWK is a public JWK with its members in a stable order.
type publicJWK struct {
	Kty string `json:"kty"`
	Use string `json:"use,omitempty"`
	Kid string `json:"kid,omitempty"`
	Alg string `json:"alg,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
}

// publicMembers encodes the key-type members of pub (RFC 7518 §6.2.1, §6.3.1; RFC 8037
// §2).
func publicMembers(pub crypto.PublicKey) (publicJWK, error) {
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		if pub == nil || pub.N == nil || pub.N.Sign() <= 0 || pub.E <= 0 {
			return publicJWK{}, errors.New("signing: invalid RSA public key")
		}
		e := big.NewInt(int64(pub.E)).Bytes()
		return publicJWK{Kty: "RSA", N: encode(pub.N.Bytes()), E: encode(e)}, nil
	case *ecdsa.PublicKey:
		if pub == nil || pub.Curve == nil {
			return publicJWK{}, errors.New("signing: invalid ECDSA public key")
		}
		var crv string
		switch pub.Curve {
		case elliptic.P256():
			crv = "P-256"
		case elliptic.P384():
			crv = "P-384"
		case elliptic.P521():
			crv = "P-521"
		default:
			return publicJWK{}, fmt.Errorf("signing: unsupported curve %s", pub.Curve.Params().Name)
		}
		point, err := pub.Bytes() // 0x04 || X || Y, each coordinate full width
		if err != nil {
			return publicJWK{}, fmt.Errorf("signing: invalid ECDSA public key: %w", err)
		}
		size := (len(point) - 1) / 2
		return publicJWK{Kty: "EC", Crv: crv, X: encode(point[1 : 1+size]), Y: encode(point[1+size:])}, nil
	case ed25519.PublicKey:
		if len(pub) != ed25519.PublicKeySize {
			return publicJWK{}, errors.New("signing: invalid Ed25519 public key")
		}
		return publicJWK{Kty: "OKP", Crv: "Ed25519", X: encode(pub)}, nil
	}
	return publicJWK{}, fmt.Errorf("signing: unsupported public key type %T", pub)
}

// PrivateJWK returns the key's private JWK, with kid, alg and use "sig": the format of
// a key file, read back by [ParsePrivateJWK]. Whoever stores it must protect it (mode
// 0600). It fails for a Signer whose private half cannot be exported and for RSA keys
// under [RSABits] bits.
func (k *Key) PrivateJWK() ([]byte, error) {
	switch k.Signer.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return k.encodePrivate(k.Signer)
	}
	return nil, fmt.Errorf("signing: cannot export a private key of type %T", k.Signer)
}

func (k *Key) encodePrivate(raw any) ([]byte, error) {
	j, err := jwk.Import(raw)
	if err != nil {
		return nil, fmt.Errorf("signing: encoding the key: %w", err)
	}
	for _, m := range [...]struct{ name, value string }{
		{jwk.KeyIDKey, k.ID},
		{jwk.AlgorithmKey, k.Alg},
		{jwk.KeyUsageKey, "sig"},
	} {
		if err := j.Set(m.name, m.value); err != nil {
			return nil, fmt.Errorf("signing: setting %s: %w", m.name, err)
		}
	}
	b, err := json.Marshal(j)
	if err != nil {
		return nil, fmt.Errorf("signing: encoding the key: %w", err)
	}
	return b, nil
}

// ParsePrivateJWK reads one private JWK, as [Key.PrivateJWK] writes it. The JWK must
// carry a kid and an alg from [Algorithms] that its key can produce; RSA keys need at
// least [RSABits] bits; a "use" other than "sig" is refused.
func ParsePrivateJWK(data []byte) (*Key, error) {
	j, err := jwk.ParseKey(data)
	if err != nil {
		return nil, fmt.Errorf("signing: parsing the JWK: %w", err)
	}
	private, err := jwk.IsPrivateKey(j)
	if err != nil || !private {
		return nil, errors.New("signing: the JWK is not a private key")
	}
	var raw any
	if err := jwk.Export(j, &raw); err != nil {
		return nil, fmt.Errorf("signing: reading the JWK: %w", err)
	}
	var signer crypto.Signer
	switch key := raw.(type) {
	case *rsa.PrivateKey:
		if key.N.BitLen() < RSABits {
			return nil, fmt.Errorf("signing: the RSA key has %d bits, fewer than %d", key.N.BitLen(), RSABits)
		}
		if err := key.Validate(); err != nil {
			return nil, fmt.Errorf("signing: invalid RSA key: %w", err)
		}
		key.Precompute()
		signer = key
	case *ecdsa.PrivateKey:
		// Rebuild the key from d alone: the JWK's x and y must be its public point.
		d, err := key.Bytes()
		if err != nil {
			return nil, fmt.Errorf("signing: invalid EC key: %w", err)
		}
		derived, err := ecdsa.ParseRawPrivateKey(key.Curve, d)
		if err != nil {
			return nil, fmt.Errorf("signing: invalid EC key: %w", err)
		}
		if !derived.PublicKey.Equal(&key.PublicKey) {
			return nil, errors.New("signing: the EC private key does not match its public point")
		}
		signer = derived
	case ed25519.PrivateKey:
		signer = key
	default:
		return nil, fmt.Errorf("signing: the JWK is not a private signing key (%T)", raw)
	}
	if use, ok := j.KeyUsage(); ok && use != "sig" {
		return nil, fmt.Errorf("signing: the JWK is for use %q, not \"sig\"", use)
	}
	kid, ok := j.KeyID()
	if !ok || kid == "" {
		return nil, errors.New("signing: the JWK has no kid")
	}
	alg, ok := j.Algorithm()
	if !ok || alg.String() == "" {
		return nil, errors.New("signing: the JWK has no alg")
	}
	return New(signer, alg.String(), kid)
}

// JWKS returns the JWK set {"keys":[...]} holding the public JWK of each key, in order.
// With no keys it is {"keys":[]}.
func JWKS(keys ...*Key) ([]byte, error) {
	members := make([]json.RawMessage, 0, len(keys))
	for n, k := range keys {
		if k == nil || k.Signer == nil {
			return nil, fmt.Errorf("signing: key %d is nil", n)
		}
		b, err := k.PublicJWK()
		if err != nil {
			return nil, err
		}
		members = append(members, b)
	}
	return json.Marshal(struct {
		Keys []json.RawMessage `json:"keys"`
	}{members})
}

func keyKind(pub crypto.PublicKey) string {
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		return "RSA key"
	case *ecdsa.PublicKey:
		return pub.Curve.Params().Name + " key"
	case ed25519.PublicKey:
		return "Ed25519 key"
	}
	return fmt.Sprintf("%T", pub)
}

package axiomstest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/axioms-go/axioms-echo/internal/signing"
)

// Key is a signing key: one of an issuer's, or an extra key from [NewKey] (an attacker's,
// or one to [Issuer.Publish] later). It is immutable and safe for concurrent use.
type Key struct {
	k   *signing.Key
	jwk []byte // public JWK, encoded once
}

// NewKey generates a fresh key for alg (one of the algorithms IssuerConfig.Algorithms
// accepts) with a random kid. No issuer publishes it until [Issuer.Publish]; sign with it
// through TokenSpec.Key. It fails the test for an unsupported alg.
func NewKey(tb testing.TB, alg string) *Key {
	tb.Helper()
	k, err := generateKey(alg, false)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// ID returns the key ID: the kid of its JWK and of the tokens it signs, "<alg>-" and 16
// random hex digits; the key of an IssuerConfig.KeyFile keeps the kid of the file (for
// a file the issuer created, the key's RFC 7638 thumbprint).
func (k *Key) ID() string { return k.k.ID }

// Alg returns the key's JWS algorithm: the alg of its JWK and of the tokens it signs.
func (k *Key) Alg() string { return k.k.Alg }

// Public returns the public key: *rsa.PublicKey, *ecdsa.PublicKey or
// ed25519.PublicKey.
func (k *Key) Public() crypto.PublicKey { return k.k.Public() }

// Signer returns the private key, to sign crafted tokens by other means.
func (k *Key) Signer() crypto.Signer { return k.k.Signer }

// PublicJWK returns the key's public JWK (kty, use "sig", kid, alg and the public
// members), as the issuer publishes it. The slice is the caller's to keep or modify.
func (k *Key) PublicJWK() []byte { return slices.Clone(k.jwk) }

// sharedRSA is the RSA private key behind the initial RS* and PS* keys of every issuer
// of the test binary: RSA generation is slow.
var sharedRSA = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, signing.RSABits)
})

// generateKey generates a key for alg with a random kid; an RSA key is the shared one
// when shared is set.
func generateKey(alg string, shared bool) (*Key, error) {
	kid := alg + "-" + randomHex(8)
	var k *signing.Key
	var err error
	if shared && (alg[0] == 'R' || alg[0] == 'P') {
		var priv *rsa.PrivateKey
		if priv, err = sharedRSA(); err == nil {
			k, err = signing.New(priv, alg, kid)
		}
	} else {
		k, err = signing.Generate(alg, kid)
	}
	if err != nil {
		return nil, fmt.Errorf("axiomstest: creating a %s key: %w", alg, err)
	}
	return wrapKey(k)
}

// wrapKey returns k as a Key, its public JWK encoded once.
func wrapKey(k *signing.Key) (*Key, error) {
	jwk, err := k.PublicJWK()
	if err != nil {
		return nil, fmt.Errorf("axiomstest: encoding a %s key: %w", k.Alg, err)
	}
	return &Key{k: k, jwk: jwk}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Key returns the issuer's current key for alg: the one that signs its tokens for that
// algorithm; an empty alg means the default key, the first configured algorithm's. It
// returns nil if the issuer has no key for alg. Every call returns the same *Key until
// [Issuer.Rotate].
func (i *Issuer) Key(alg string) *Key {
	if alg == "" {
		alg = i.cfg.Algorithms[0]
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.current[alg]
}

// Rotate generates a fresh key for alg, publishes it and makes it the current key for
// alg, which then signs that algorithm's tokens (the default tokens too, if alg is the
// first configured algorithm). The previous key stays published, so tokens it signed
// still verify, until [Issuer.RemoveKey]. alg may be an algorithm the issuer had no key
// for. It fails the test for an unsupported alg.
func (i *Issuer) Rotate(tb testing.TB, alg string) *Key {
	tb.Helper()
	k, err := generateKey(alg, false)
	if err != nil {
		tb.Fatal(err)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.addKey(k)
	return k
}

// Publish adds k's public JWK to the served JWK set (after the members already there)
// without making it sign anything by default. Publishing a key twice has no effect;
// publishing another key under a kid already served yields a set with a duplicate kid.
// k must not be nil.
func (i *Issuer) Publish(k *Key) {
	if k == nil {
		panic("axiomstest: Publish(nil)")
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if slices.ContainsFunc(i.members, func(m member) bool { return m.key == k }) {
		return
	}
	i.members = append(i.members, member{kid: k.ID(), key: k, jwk: k.jwk})
}

// PublishRaw adds jwk, verbatim, as a member of the served JWK set: anything a
// validator must cope with, such as a key with use "enc", a 1024-bit RSA key, private
// or symmetric material, or a malformed member. It is not validated: a member that is
// not JSON makes the whole set malformed. Its kid, if it has a string "kid" member,
// is what [Issuer.RemoveKey] matches.
func (i *Issuer) PublishRaw(jwk []byte) {
	m := member{jwk: slices.Clone(jwk)}
	var members map[string]json.RawMessage
	if json.Unmarshal(jwk, &members) == nil {
		json.Unmarshal(members["kid"], &m.kid) // exact "kid" member; absent or not a string: ""
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.members = append(i.members, m)
}

// RemoveKey withdraws every member of the served JWK set whose kid is kid, keys and
// raw members alike. A withdrawn current key goes on signing its algorithm's tokens
// (which validators must then reject) until [Issuer.Rotate]. An unknown kid is
// ignored.
func (i *Issuer) RemoveKey(kid string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.members = slices.DeleteFunc(i.members, func(m member) bool { return m.kid == kid })
}

// SetJWKSBody makes the JWK set endpoint serve exactly body (for example a set of 5,000
// keys, more than 1 MiB, or not JSON at all) instead of the published keys, until it is
// called with nil. A non-nil empty body serves an empty response. Faults still apply.
func (i *Issuer) SetJWKSBody(body []byte) {
	if body != nil {
		body = slices.Clone(body)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.body = body
}

// jwksLocked returns the body of the JWK set endpoint. i.mu must be held.
func (i *Issuer) jwksLocked() []byte {
	if i.body != nil {
		return i.body
	}
	var b bytes.Buffer
	b.WriteString(`{"keys":[`)
	for n, m := range i.members {
		if n > 0 {
			b.WriteByte(',')
		}
		b.Write(m.jwk)
	}
	b.WriteString("]}")
	return b.Bytes()
}

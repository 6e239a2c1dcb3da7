package validator_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/axioms-go/axioms-echo/validator"
)

// benchClaims is a realistic access-token payload (about 400 bytes).
func benchClaims() map[string]any {
	return claims(map[string]any{
		"sub":         "auth0|5f7c8ec7c33c6c004bbafe82",
		"aud":         []string{testAudience, "https://issuer.example.test/userinfo"},
		"azp":         "my-client-id",
		"scope":       "openid profile email read:data write:data",
		"permissions": []string{"read:data", "write:data", "resource:create"},
		"roles":       []string{"admin", "editor"},
	})
}

// floorVerify is the least any verifier must do: verify the signature with the standard
// library and decode the payload. It checks nothing else.
func floorVerify(alg string, pub crypto.PublicKey, token string) (map[string]any, bool) {
	d1 := strings.IndexByte(token, '.')
	d2 := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[d2+1:])
	if err != nil {
		return nil, false
	}
	input := []byte(token[:d2])
	switch alg {
	case "RS256":
		h := sha256.Sum256(input)
		if rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, h[:], sig) != nil {
			return nil, false
		}
	case "ES256":
		h := sha256.Sum256(input)
		if len(sig) != 64 || !ecdsa.Verify(pub.(*ecdsa.PublicKey), h[:], bigInt(sig[:32]), bigInt(sig[32:])) {
			return nil, false
		}
	case "EdDSA":
		if !ed25519.Verify(pub.(ed25519.PublicKey), input, sig) {
			return nil, false
		}
	}
	payload, err := base64.RawURLEncoding.DecodeString(token[d1+1 : d2])
	if err != nil {
		return nil, false
	}
	var m map[string]any
	if json.Unmarshal(payload, &m) != nil {
		return nil, false
	}
	return m, true
}

// BenchmarkValidate measures Validate beside the floor for the same token. Report the
// ratio miss/floor per algorithm; hit is absolute (ns and allocations).
func BenchmarkValidate(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		s := newSigner(b, alg, "bench-"+alg)
		keys := jwksJSON(b, s.jwk(b, nil))
		tok := s.token(b, benchClaims(), nil)
		clock := func() time.Time { return testNow }

		b.Run(alg+"/floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := floorVerify(alg, s.priv.Public(), tok); !ok {
					b.Fatal("floor rejected the token")
				}
			}
		})
		b.Run(alg+"/miss", func(b *testing.B) {
			v := staticValidator(b, validator.Config{CacheSize: -1, Now: clock}, keys)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Validate(b.Context(), tok); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(alg+"/hit", func(b *testing.B) {
			v := staticValidator(b, validator.Config{Now: clock}, keys)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Validate(b.Context(), tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

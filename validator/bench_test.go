package validator_test

import (
	"context"
	"testing"
	"time"

	"github.com/axioms-go/axioms-echo/internal/floor"
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

// BenchmarkValidate measures Validate beside the floor (standard-library signature
// verification plus payload decode of the same token, internal/floor). The miss
// benchmark runs both interleaved and reports their ratio as "x-floor" (target ≤ 1.05);
// the hit benchmark is absolute (target ≤ 300 ns, ≤ 2 allocations).
func BenchmarkValidate(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		s := newSigner(b, alg, "bench-"+alg)
		keys := jwksJSON(b, s.jwk(b, nil))
		tok := s.token(b, benchClaims(), nil)
		clock := func() time.Time { return testNow }

		b.Run(alg+"/floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := floor.Verify(alg, s.priv.Public(), tok); !ok {
					b.Fatal("floor rejected the token")
				}
			}
		})
		b.Run(alg+"/miss", func(b *testing.B) {
			v := staticValidator(b, validator.Config{CacheSize: -1, Now: clock}, keys)
			b.ReportAllocs()
			ns := floor.Compare(b, []string{"miss", "floor"},
				func() bool { _, err := v.Validate(context.Background(), tok); return err == nil },
				func() bool { _, ok := floor.Verify(alg, s.priv.Public(), tok); return ok })
			b.ReportMetric(ns[0]/ns[1], "x-floor")
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

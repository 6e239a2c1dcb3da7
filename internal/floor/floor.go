// Package floor is the performance baseline of the benchmarks: the least any JWT
// verifier must do, written with the standard library only, and a helper that measures a
// subject against it in the same run.
package floor

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"
)

// Verify checks a compact JWS's signature with the standard library (RS256, ES256 or
// EdDSA), then decodes its payload with encoding/json. It checks nothing else: no
// header, no algorithm policy, no claims. Not for production use.
func Verify(alg string, pub crypto.PublicKey, token string) (map[string]any, bool) {
	d1 := strings.IndexByte(token, '.')
	d2 := strings.LastIndexByte(token, '.')
	if d1 < 0 || d2 <= d1 {
		return nil, false
	}
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
		if len(sig) != 64 || !ecdsa.Verify(pub.(*ecdsa.PublicKey), h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			return nil, false
		}
	case "EdDSA":
		if !ed25519.Verify(pub.(ed25519.PublicKey), input, sig) {
			return nil, false
		}
	default:
		return nil, false
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

// chunk is how many iterations each contender runs before the other takes its turn.
const chunk = 64

// Compare runs the named functions interleaved, chunk by chunk, for b.N iterations each
// (so machine noise hits them alike), and reports each one's ns/op as a metric named
// "<name>-ns/op". The first function is the one b's own ns/op reports. Functions report
// failure by returning false, which fails the benchmark.
func Compare(b *testing.B, names []string, fns ...func() bool) []float64 {
	b.Helper()
	elapsed := make([]time.Duration, len(fns))
	b.ResetTimer()
	b.StopTimer()
	for done := 0; done < b.N; done += chunk {
		n := min(chunk, b.N-done)
		for i, fn := range fns {
			if i == 0 {
				b.StartTimer()
			}
			start := time.Now()
			for range n {
				if !fn() {
					b.Fatalf("%s failed", names[i])
				}
			}
			elapsed[i] += time.Since(start)
			if i == 0 {
				b.StopTimer()
			}
		}
	}
	perOp := make([]float64, len(fns))
	for i := range fns {
		perOp[i] = float64(elapsed[i].Nanoseconds()) / float64(b.N)
		if i > 0 {
			b.ReportMetric(perOp[i], names[i]+"-ns/op")
		}
	}
	return perOp
}

package benchmarks

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
)

// Sizes and algorithms measured; BENCH_SIZES and BENCH_ALGS narrow them (run.sh quick mode).
var (
	sizes = envList("BENCH_SIZES", []string{"10", "500", "2000"})
	algs  = envList("BENCH_ALGS", axiomstest.DefaultAlgorithms())
)

func envList(name string, def []string) []string {
	if v := os.Getenv(name); v != "" {
		return strings.Split(v, ",")
	}
	return def
}

// fixture is the issuer and tokens every variant is measured with.
type fixture struct {
	iss    *axiomstest.Issuer
	tokens map[string]map[string]string // alg → kind → token
}

var (
	fixtureOnce sync.Once
	shared      fixture
)

func getFixture(tb testing.TB) fixture {
	fixtureOnce.Do(func() {
		shared.iss = axiomstest.NewIssuer(tb, axiomstest.IssuerConfig{})
		shared.tokens = map[string]map[string]string{}
		for _, alg := range axiomstest.DefaultAlgorithms() {
			good := map[string]any{"scope": "openid " + specgen.Scope, "roles": []string{"reader"}, "permissions": []string{"items:read"}}
			with := func(over map[string]any) string {
				c := map[string]any{}
				for k, v := range good {
					c[k] = v
				}
				for k, v := range over {
					c[k] = v
				}
				return shared.iss.Token(tb, axiomstest.TokenSpec{Alg: alg, Claims: c})
			}
			shared.tokens[alg] = map[string]string{
				"good":          with(nil),
				"expired":       with(map[string]any{"exp": time.Now().Add(-time.Hour).Unix(), "iat": time.Now().Add(-2 * time.Hour).Unix(), "nbf": time.Now().Add(-2 * time.Hour).Unix()}),
				"wrong issuer":  with(map[string]any{"iss": "https://attacker.example"}),
				"missing scope": with(map[string]any{"scope": "openid"}),
			}
		}
	})
	return shared
}

func setup(f fixture, n int, alg string) Setup {
	return Setup{N: n, Alg: alg, Issuer: f.iss.URL(), Audience: f.iss.Audience(),
		Public: f.iss.Key(alg).Public(), Validator: f.iss.ValidatorConfig()}
}

func do(e http.Handler, target, token string) int {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec.Code
}

// TestVariantsAgree is the gate every variant passes before it is timed: it accepts the
// good token and rejects an expired one, one from another issuer, and one without the
// scope. The bare frameworks, which check nothing, are the exception by design.
func TestVariantsAgree(t *testing.T) {
	f := getFixture(t)
	for _, alg := range algs {
		for _, v := range Variants {
			t.Run(alg+"/"+v.Name, func(t *testing.T) {
				e, err := v.Build(setup(f, 10, alg))
				if err != nil {
					t.Fatal(err)
				}
				target := specgen.Target(5)
				if got := do(e, target, f.tokens[alg]["good"]); got != http.StatusOK {
					t.Fatalf("good token: %d", got)
				}
				if v.Role == Bare {
					return
				}
				for _, kind := range []string{"expired", "wrong issuer", "missing scope"} {
					if got := do(e, target, f.tokens[alg][kind]); got == http.StatusOK {
						t.Errorf("%s token accepted", kind)
					}
				}
			})
		}
	}
}

// rotated returns the variants starting at BENCH_ROTATE (run.sh changes it every round,
// so that no variant always runs first or last on a noisy machine).
func rotated() []Variant {
	k, _ := strconv.Atoi(os.Getenv("BENCH_ROTATE"))
	k %= len(Variants)
	return append(append([]Variant{}, Variants[k:]...), Variants[:k]...)
}

// discard is a reusable ResponseWriter, so recorder allocations do not blur results.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }

// BenchmarkVariants times every variant through e.ServeHTTP on a GET to a templated
// route in the middle of the API.
func BenchmarkVariants(b *testing.B) {
	f := getFixture(b)
	for _, size := range sizes {
		n, err := strconv.Atoi(size)
		if err != nil {
			b.Fatal(err)
		}
		for _, alg := range algs {
			for _, v := range rotated() {
				b.Run(fmt.Sprintf("ops=%d/alg=%s/variant=%s", n, alg, v.Name), func(b *testing.B) {
					e, err := v.Build(setup(f, n, alg))
					if err != nil {
						b.Fatal(err)
					}
					req := httptest.NewRequest(http.MethodGet, specgen.Target(n/2), nil)
					req.Header.Set("Authorization", "Bearer "+f.tokens[alg]["good"])
					w := &discard{h: http.Header{}}
					b.ReportAllocs()
					for b.Loop() {
						clear(w.h)
						w.code = 0
						e.ServeHTTP(w, req)
						if w.code != http.StatusOK {
							b.Fatalf("status %d", w.code)
						}
					}
				})
			}
		}
	}
}

// BenchmarkLoad times loading the document of each size: kin-openapi's load and
// validation, and axioms-echo's (the same, plus compiling the policy table).
func BenchmarkLoad(b *testing.B) {
	for _, size := range sizes {
		n, _ := strconv.Atoi(size)
		data := Spec(n, true)
		b.Run(fmt.Sprintf("ops=%d/kin-openapi", n), func(b *testing.B) {
			for b.Loop() {
				doc, err := openapi3.NewLoader().LoadFromData(data)
				if err != nil {
					b.Fatal(err)
				}
				if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation(),
					openapi3.DisableSchemaDefaultsValidation(), openapi3.EnableMultiError()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("ops=%d/axioms", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := openapi.LoadData(data, openapi.LoadOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

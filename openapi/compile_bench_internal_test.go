package openapi

import (
	"fmt"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/axioms-go/axioms-echo/internal/specgen"
)

// BenchmarkCompile measures compiling and linting the policy table of an already parsed
// document, without kin-openapi's parsing: what this package adds to a load (its lint
// includes kin-openapi's validation, which the "validate" case measures alone).
func BenchmarkCompile(b *testing.B) {
	for _, n := range []int{500, 2000} {
		data := benchDoc(n)
		doc, err := openapi3.NewLoader().LoadFromData(data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("ops=%d/validate", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if validationWarnings(doc) != nil {
					b.Fatal("warnings")
				}
			}
		})
		b.Run(fmt.Sprintf("ops=%d/compile", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := compile(doc, LoadOptions{}, "", nil)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.all) != n {
					b.Fatalf("%d policies", len(p.all))
				}
			}
		})
		b.Run(fmt.Sprintf("ops=%d/placement", n), func(b *testing.B) {
			b.ReportAllocs()
			c := &compiler{doc: doc, itemRefs: map[string]bool{}}
			for b.Loop() {
				c.errs = c.errs[:0]
				c.checkPlacement()
				if len(c.errs) != 0 {
					b.Fatal(c.errs)
				}
			}
		})
	}
}

// benchDoc returns the document of the package's benchmarks: n operations, a GET and a
// DELETE on each of n/2 templated paths under the base path /api, with scopes, roles and
// permissions. BenchmarkLoad (bench_test.go) uses it too, through BenchDoc.
func benchDoc(n int) []byte {
	return specgen.API{Doc: specgen.Doc{Version: "3.0.3", Title: "generated", Servers: "[{url: /api}]"},
		N: n, Rules: true, Deletes: true}.YAML()
}

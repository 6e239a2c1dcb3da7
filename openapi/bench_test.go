package openapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
)

// generatedDoc is the generated document of the benchmarks (benchDoc, in the internal
// tests): a GET and a DELETE on each of n/2 templated paths under /api, with scopes,
// roles and permissions.
var generatedDoc = openapi.BenchDoc

// BenchmarkLoad compares LoadData (kin-openapi's load and validation, plus compiling and
// linting the policy table) with kin-openapi's load and validation alone, on the same
// generated document. The target: what this package adds stays within 10% of
// kin-openapi's time.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{10, 500, 2000} {
		data := generatedDoc(n)
		b.Run(fmt.Sprintf("ops=%d/kin-openapi", n), func(b *testing.B) {
			b.ReportAllocs()
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
			b.ReportAllocs()
			for b.Loop() {
				p, err := openapi.LoadData(data, openapi.LoadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.All()) != n/2*2 {
					b.Fatalf("%d policies", len(p.All()))
				}
			}
		})
	}
}

// BenchmarkLookup measures the per-request policy lookup: one map access, no allocation,
// flat across document sizes.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{10, 500, 2000} {
		p, err := openapi.LoadData(generatedDoc(n), openapi.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		route := "/api" + specgen.Route(n/4)
		b.Run(fmt.Sprintf("ops=%d", n), func(b *testing.B) {
			if allocs := testing.AllocsPerRun(100, func() { p.Lookup("DELETE", route) }); allocs != 0 {
				b.Fatalf("Lookup allocates %.0f times", allocs)
			}
			b.ReportAllocs()
			for b.Loop() {
				if p.Lookup("DELETE", route) == nil {
					b.Fatal("not found")
				}
			}
		})
	}
}

// BenchmarkEvaluate measures the evaluation of an allowed request: two alternatives, the
// second satisfied, then roles and permissions.
func BenchmarkEvaluate(b *testing.B) {
	p, err := openapi.LoadData(generatedDoc(10), openapi.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	pol := p.Lookup("DELETE", "/api"+specgen.Route(1))
	pr := &principal{scopes: []string{"admin"}, perms: []string{"resource:delete"}}
	if d := pol.EvaluatePrincipal(pr); !d.Allowed || d.Alternative != 1 {
		b.Fatalf("%+v", d)
	}
	if allocs := testing.AllocsPerRun(100, func() { pol.EvaluatePrincipal(pr) }); allocs != 0 {
		b.Fatalf("EvaluatePrincipal allocates %.0f times", allocs)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !pol.EvaluatePrincipal(pr).Allowed {
			b.Fatal("denied")
		}
	}
}

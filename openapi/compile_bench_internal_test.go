package openapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
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

// benchDoc returns a document of n operations: GET and DELETE on n/2 templated paths,
// with scopes, roles and permissions. BenchmarkLoad (bench_test.go) uses it too.
func benchDoc(n int) []byte {
	var b strings.Builder
	b.WriteString(`openapi: 3.0.3
info: {title: generated, version: "1"}
servers: [{url: /api}]
security: [{oauth2: ["read:data"]}]
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: "https://issuer.example/token", scopes: {"read:data": r, "write:data": w, admin: a}}}
paths:
`)
	for i := 0; i < n/2; i++ {
		fmt.Fprintf(&b, `  /resource%d/{id}/items/{item_id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
      - {name: item_id, in: path, required: true, schema: {type: integer}}
    get:
      operationId: get%d
      x-axioms-roles: [reader, admin]
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {id: {type: string}, n: {type: integer}}}}}}
        "401": {description: no token}
        "403": {description: not allowed}
    delete:
      operationId: delete%d
      security: [{oauth2: ["write:data"]}, {oauth2: [admin]}]
      x-axioms-permissions: {allOf: ["resource:delete"]}
      responses: {"204": {description: deleted}, "401": {description: no token}, "403": {description: not allowed}}
`, i, i, i)
	}
	return []byte(b.String())
}

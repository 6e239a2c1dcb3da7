package openapi_test

import (
	"fmt"

	"github.com/axioms-go/axioms-echo/openapi"
)

type caller struct{ scopes, roles []string }

func (c caller) HasScope(s string) bool    { return has(c.scopes, s) }
func (c caller) HasRole(s string) bool     { return has(c.roles, s) }
func (c caller) HasPermission(string) bool { return false }
func (c caller) Claim(string) (any, bool)  { return nil, false }

// Load a document, find the policy of an Echo route, and evaluate it.
func Example() {
	policies, err := openapi.LoadData([]byte(`
openapi: 3.1.0
info: {title: example, version: "1"}
servers: [{url: /v1}]
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: "https://issuer.example/token", scopes: {"read:data": read, admin: all}}}
paths:
  /articles/{article_id}:
    get:
      security: [{oauth2: ["read:data"]}, {oauth2: [admin]}]
      x-axioms-roles: [editor]
      responses: {"401": {description: no token}, "403": {description: not allowed}}
`), openapi.LoadOptions{})
	if err != nil {
		panic(err)
	}
	p := policies.Lookup("GET", "/v1/articles/:id") // the route Echo matched
	fmt.Println(p.Path, p.Auth)

	d := p.EvaluatePrincipal(caller{scopes: []string{"read:data"}, roles: []string{"editor"}})
	fmt.Println(d.Allowed)
	d = p.EvaluatePrincipal(caller{scopes: []string{"profile"}})
	fmt.Println(d.Failure, d.Scopes)
	d = p.EvaluatePrincipal(caller{scopes: []string{"admin"}})
	fmt.Println(d.Failure, d.Missing)
	// Output:
	// /articles/{article_id} required
	// true
	// scope [read:data]
	// role [editor]
}

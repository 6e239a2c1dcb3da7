package openapi_test

import (
	"fmt"
	"slices"

	"github.com/axioms-go/axioms-echo/openapi"
)

// caller is a Principal: in a service, the validator's claims of the request's token.
type caller struct{ scopes, roles []string }

func (c caller) HasScope(s string) bool    { return slices.Contains(c.scopes, s) }
func (c caller) HasRole(s string) bool     { return slices.Contains(c.roles, s) }
func (c caller) HasPermission(string) bool { return false }
func (c caller) Claim(string) (any, bool)  { return nil, false }

// Load a document, find the policy of the route Echo matched, and evaluate it.
func Example() {
	policies, err := openapi.LoadData([]byte(`
openapi: 3.1.0
info: {title: example, version: "1"}
servers: [{url: "https://api.example.com/v1"}]
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: "https://issuer.example/token", scopes: {"read:data": read, admin: all}}}
paths:
  /articles/{article_id}:
    get:
      operationId: getArticle
      security: [{oauth2: ["read:data"]}, {oauth2: [admin]}]
      x-axioms-roles: [editor]
      responses: {"401": {description: no token}, "403": {description: not allowed}}
`), openapi.LoadOptions{})
	if err != nil {
		panic(err)
	}
	p := policies.Lookup("GET", "/v1/articles/:id") // c.Path() in an Echo handler
	fmt.Println(p.OperationID, p.Route, p.Auth)

	d := p.EvaluatePrincipal(caller{scopes: []string{"read:data"}, roles: []string{"editor"}})
	fmt.Println(d.Allowed, d.Alternative)
	d = p.EvaluatePrincipal(caller{scopes: []string{"profile"}})
	fmt.Println(d.Failure, d.Missing)
	d = p.EvaluatePrincipal(caller{scopes: []string{"admin"}})
	fmt.Println(d.Failure, d.Missing)
	// Output:
	// getArticle /v1/articles/{article_id} required
	// true 0
	// scope [read:data]
	// role [editor]
}

// Every problem of a document is reported at once, located.
func ExampleProblems() {
	_, err := openapi.LoadData([]byte(`
openapi: 3.1.0
info: {title: example, version: "1"}
security: [{oauth2: []}]
components:
  securitySchemes:
    oauth2: {type: openIdConnect, openIdConnectUrl: "https://issuer.example/.well-known/openid-configuration"}
paths:
  /articles/{id}:
    get:
      x-axioms-role: [editor]
      responses: {"401": {description: no token}}
    delete:
      security: [{jwt: []}]
      x-axioms-owner: {param: article_id}
      responses: {"401": {description: no token}}
`), openapi.LoadOptions{})
	for _, p := range openapi.Problems(err) {
		fmt.Println(p)
	}
	// Output:
	// GET /articles/{id} (#/paths/~1articles~1{id}/get/x-axioms-role): unknown extension "x-axioms-role" (did you mean "x-axioms-roles"?)
	// DELETE /articles/{id} (#/paths/~1articles~1{id}/delete/security/0/jwt): the security requirement names "jwt", which components.securitySchemes does not declare
	// DELETE /articles/{id} (#/paths/~1articles~1{id}/delete/x-axioms-owner): x-axioms-owner: param "article_id" is not a path parameter of this operation
}

package openapi_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/axioms-go/axioms-echo/openapi"
)

func warningsSaying(ws []*openapi.Problem, text string) []*openapi.Problem {
	var out []*openapi.Problem
	for _, w := range ws {
		if strings.Contains(w.Message, text) {
			out = append(out, w)
		}
	}
	return out
}

func TestLintWarnings(t *testing.T) {
	p := mustLoad(t, `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "https://api.example.com/v1"}, {url: "/v2"}]
security: [{oauth: [read]}]
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://a/t", scopes: {read: r}}}}
    oidc: {type: openIdConnect, openIdConnectUrl: ""}
paths:
  /undeclared:
    get:
      security: [{}, {oauth: [write]}]
      responses: {"401": {description: no}}
  /no-401:
    get: {responses: {"200": {description: ok}}}
  /documented:
    get: {responses: {"403": {description: no}}}
  /loader:
    get:
      x-axioms-owner: {field: user, loader: load}
      responses: {"4XX": {description: no}}
`)
	ws := p.Warnings()
	for _, w := range ws {
		assert.True(t, w.Warning)
	}
	undeclared := warningsSaying(ws, `scope "write" is not declared`)
	if assert.Len(t, undeclared, 1) {
		assert.Equal(t, "#/paths/~1undeclared/get/security/1", undeclared[0].Pointer, "the index in the document, {} included")
		assert.Equal(t, "GET", undeclared[0].Method)
	}
	no401 := warningsSaying(ws, "documents neither a 401 nor a 403")
	if assert.Len(t, no401, 1, "only /no-401: 403 and 4XX count, and optional operations are exempt") {
		assert.Equal(t, "/no-401", no401[0].Path)
		assert.Equal(t, "#/paths/~1no-401/get/responses", no401[0].Pointer)
	}
	assert.Len(t, warningsSaying(ws, "openIdConnect scheme \"oidc\" has no openIdConnectUrl"), 1)
	if loader := warningsSaying(ws, "explicit loader"); assert.Len(t, loader, 1) {
		assert.Equal(t, "#/paths/~1loader/get/x-axioms-owner", loader[0].Pointer)
	}
	if servers := warningsSaying(ws, "different base paths"); assert.Len(t, servers, 1) {
		assert.Equal(t, "#/servers/1/url", servers[0].Pointer)
	}
	assert.Equal(t, "/v1", p.BasePath(), "the first server wins")
	assert.Empty(t, warningsSaying(ws, "no operation is protected"))
}

func TestValidationFindingsAreWarnings(t *testing.T) {
	p := mustLoad(t, `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {type: notatype}}}}}
`)
	assert.NotEmpty(t, warningsSaying(p.Warnings(), "does not validate"))
}

package specgen_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
)

func load(t *testing.T, doc []byte) *openapi.Policies {
	t.Helper()
	p, err := openapi.LoadData(doc, openapi.LoadOptions{})
	require.NoError(t, err, "%s", doc)
	return p
}

func TestDoc(t *testing.T) {
	p := load(t, specgen.Doc{}.YAML(""))
	assert.Empty(t, p.All())
	require.Len(t, p.Schemes(), 1)
	assert.Equal(t, "oauth2", p.Schemes()[0].Name)

	p = load(t, specgen.Doc{
		Version:  "3.0.3",
		Servers:  "[{url: /v1}]",
		Security: "[{bearer: []}]",
		Schemes:  []string{specgen.Bearer("bearer"), specgen.APIKey("key", "X-API-Key"), specgen.OAuth2("staff", "r", "w")},
	}.YAML(`
  /a:
    get: {responses: {"401": {description: no}}}
  /b:
    get: {security: [{key: []}], responses: {"401": {description: no}}}
  /c:
    get: {security: [], responses: {"200": {description: ok}}}
`))
	a := p.Lookup("GET", "/v1/a")
	require.NotNil(t, a, "the servers' base path")
	assert.Equal(t, "bearer", a.Alternatives[0][0].Scheme, "the document's security")
	assert.True(t, a.Alternatives[0][0].Bearer)
	assert.False(t, p.Lookup("GET", "/v1/b").Alternatives[0][0].Bearer, "the apiKey scheme")
	assert.Equal(t, openapi.AuthNone, p.Lookup("GET", "/v1/c").Auth)
	assert.Len(t, p.Schemes(), 3)
}

func TestAPI(t *testing.T) {
	p := load(t, specgen.API{N: 6}.YAML())
	require.Len(t, p.All(), 6)
	get := p.Lookup("GET", specgen.Route(5))
	require.NotNil(t, get)
	assert.Equal(t, "get5", get.OperationID)
	assert.Equal(t, []string{specgen.Scope}, get.Alternatives[0][0].Scopes)
	assert.Equal(t, "oauth2", get.Alternatives[0][0].Scheme)
	assert.True(t, get.Roles.Empty())
	assert.True(t, get.Permissions.Empty())
	assert.Nil(t, get.Owner)

	p = load(t, specgen.API{N: 6, Rules: true, Owner: true}.YAML())
	get = p.Lookup("GET", specgen.Route(0))
	assert.Equal(t, []string{"reader"}, get.Roles.AnyOf)
	assert.Equal(t, []string{"items:read"}, get.Permissions.AnyOf)
	require.NotNil(t, get.Owner)
	assert.Equal(t, "id", get.Owner.Param)
	assert.Nil(t, get.ACR)
	assert.Zero(t, get.MaxAge)

	p = load(t, specgen.API{N: 6, Rules: true, StepUp: true}.YAML())
	get = p.Lookup("GET", specgen.Route(4))
	assert.Equal(t, []string{specgen.StepUpACR}, get.ACR)
	assert.Equal(t, specgen.StepUpMaxAge, get.MaxAge)
	assert.Equal(t, []string{"reader"}, get.Roles.AnyOf)

	p = load(t, specgen.API{Doc: specgen.Doc{Version: "3.0.3", Servers: "[{url: /api}]"}, N: 6, Deletes: true}.YAML())
	require.Len(t, p.All(), 6, "a GET and a DELETE on each of 3 paths")
	assert.Nil(t, p.Lookup("GET", "/api"+specgen.Route(3)))
	del := p.Lookup("DELETE", "/api"+specgen.Route(2))
	require.NotNil(t, del)
	require.Len(t, del.Alternatives, 2)
	assert.Equal(t, []string{"write:data"}, del.Alternatives[0][0].Scopes)
	assert.Equal(t, []string{"admin"}, del.Alternatives[1][0].Scopes)
	assert.Equal(t, []string{"resource:delete"}, del.Permissions.AllOf)

	p = load(t, specgen.API{Doc: specgen.Doc{Schemes: []string{specgen.Bearer("bearer")}}, Scheme: "bearer", N: 2}.YAML())
	assert.True(t, p.Lookup("GET", specgen.Route(1)).Alternatives[0][0].Bearer)
	assert.Equal(t, "/resource1/abc/items/7", specgen.Target(1))
}

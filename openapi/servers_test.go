package openapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

func serversDoc(servers string) string {
	return `openapi: 3.0.3
info: {title: t, version: "1"}
` + servers + `
paths:
  /items:
    get: {responses: {"200": {description: ok}}}
`
}

func TestBasePathFromServers(t *testing.T) {
	for servers, want := range map[string]string{
		``:                      "",
		`servers: []`:           "",
		`servers: [{url: "/"}]`: "",
		`servers: [{url: "https://api.example.com"}]`:                   "",
		`servers: [{url: "https://api.example.com/"}]`:                  "",
		`servers: [{url: "https://api.example.com/v1/"}]`:               "/v1",
		`servers: [{url: "https://api.example.com:8443/api/v1?x=1#f"}]`: "/api/v1",
		`servers: [{url: "//api.example.com/v1"}]`:                      "/v1",
		`servers: [{url: "/api/v2"}]`:                                   "/api/v2",
		`servers: [{url: "api"}]`:                                       "/api",
		`servers: [{url: "./v1/"}]`:                                     "/v1",
		`servers: [{url: "../v1"}]`:                                     "/v1",
		`servers: [{url: "https://api.example.com//v1//x"}]`:            "/v1/x",
		`servers: [{url: "https://{host}/{base}", variables: {host: {default: a.example}, base: {default: v3}}}]`:        "/v3",
		`servers: [{url: "{scheme}://a.example/{p}/x", variables: {scheme: {default: https}, p: {default: "v1/beta"}}}]`: "/v1/beta/x",
		`servers: [{url: "https://{hostname}", variables: {hostname: {default: mastodon.example}}}]`:                     "",
	} {
		t.Run(servers, func(t *testing.T) {
			p := mustLoad(t, serversDoc(servers))
			assert.Equal(t, want, p.BasePath())
			pol := policy(t, p, "GET", want+"/items")
			assert.Equal(t, want+"/items", pol.Route)
			assert.Equal(t, "/items", pol.Path, "the template stays as written")
		})
	}
}

func TestBasePathOverride(t *testing.T) {
	for override, want := range map[string]string{"/": "", "/custom/": "/custom", "x": "/x", "/a//b": "/a/b"} {
		p, err := openapi.LoadData([]byte(serversDoc(`servers: [{url: "/v1"}]`)), openapi.LoadOptions{BasePath: override})
		require.NoError(t, err)
		assert.Equal(t, want, p.BasePath(), override)
		assert.NotNil(t, p.Lookup("GET", want+"/items"), override)
		assert.Nil(t, p.Lookup("GET", "/v1/items"), override)
	}
}

func TestOperationAndPathItemServers(t *testing.T) {
	spec := `openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://api.example.com/v1"}]
paths:
  /items:
    get: {responses: {"200": {description: ok}}}
    post:
      servers: [{url: "https://upload.example.com/upload/v1"}]
      responses: {"200": {description: ok}}
  /auth:
    servers: [{url: "https://login.example.com/oauth2"}, {url: "https://login2.example.com/oauth2/"}]
    get: {responses: {"200": {description: ok}}}
    put:
      servers: []
      responses: {"200": {description: ok}}
    delete:
      servers: [{url: "/a"}, {url: "/b"}]
      responses: {"200": {description: ok}}
`
	p := mustLoad(t, spec)
	assert.Equal(t, "/v1", p.BasePath())
	routes := map[string]string{}
	for _, pol := range p.All() {
		routes[pol.Method+" "+pol.Path] = pol.Route
	}
	assert.Equal(t, map[string]string{
		"GET /items":   "/v1/items",
		"POST /items":  "/upload/v1/items",
		"GET /auth":    "/oauth2/auth",
		"PUT /auth":    "/oauth2/auth",
		"DELETE /auth": "/a/auth",
	}, routes, "the operation's servers, else the path item's, else the document's; an empty list is no list")
	ws := saying(p.Warnings(), "different base paths")
	require.Len(t, ws, 1, "%v", ws)
	assert.Equal(t, "DELETE", ws[0].Method)
	assert.Equal(t, "#/paths/~1auth/delete/servers/1/url", ws[0].Pointer)

	over, err := openapi.LoadData([]byte(spec), openapi.LoadOptions{BasePath: "/api"})
	require.NoError(t, err)
	for _, pol := range over.All() {
		assert.Equal(t, "/api"+pol.Path, pol.Route, "the override applies to every operation")
	}
}

func TestOperationServersRepeatingTheDocumentsAreNotReportedTwice(t *testing.T) {
	p := mustLoad(t, `openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://a.example/v4"}, {url: "https://a.example/v4beta"}]
paths:
  /x:
    get:
      servers: [{url: "https://a.example/v4"}, {url: "https://a.example/v4beta"}]
      responses: {"200": {description: ok}}
`)
	assert.Len(t, saying(p.Warnings(), "different base paths"), 1)
	assert.Equal(t, "/v4/x", p.All()[0].Route)
}

func TestDifferentBasePathsAreNotAmbiguous(t *testing.T) {
	p := mustLoad(t, `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x/{a}:
    get: {operationId: one, servers: [{url: /one}], responses: {"200": {description: ok}}}
  /x/{b}:
    get: {operationId: two, servers: [{url: /two}], responses: {"200": {description: ok}}}
`)
	assert.Equal(t, "one", policy(t, p, "GET", "/one/x/:id").OperationID)
	assert.Equal(t, "two", policy(t, p, "GET", "/two/x/:id").OperationID)
}

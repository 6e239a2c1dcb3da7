package openapi_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

func TestLookupByShape(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /articles/{article_id}:
    get: {operationId: one, responses: {"401": {description: no}}}
  /articles/{article_id}/comments/{comment_id}:
    get: {operationId: nested, responses: {"401": {description: no}}}
  /articles:
    get: {operationId: list, responses: {"401": {description: no}}}
  /articles/:
    get: {operationId: slash, responses: {"401": {description: no}}}
  /files/{name}.{ext}:
    get: {operationId: file, responses: {"401": {description: no}}}
  /jobs/{id}:cancel:
    post: {operationId: cancel, responses: {"401": {description: no}}}
  /:
    get: {operationId: root, responses: {"401": {description: no}}}
`))
	for route, want := range map[string]string{
		"/articles/:id":                         "one",
		"/articles/:article_id":                 "one",
		"/articles/{x}":                         "one",
		"/articles/:a/comments/:b":              "nested",
		"/articles":                             "list",
		"/articles/":                            "slash",
		"/files/{n}.{e}":                        "file",
		"/":                                     "root",
		"/jobs/{job}:cancel":                    "",
		"/articles/:id/comments":                "",
		"/articles/1":                           "",
		"/Articles":                             "",
		"//articles":                            "",
		"/articles/:id/":                        "",
		"":                                      "",
		"/articles/" + strings.Repeat("x", 300): "",
	} {
		got := ""
		if pol := p.Lookup("GET", route); pol != nil {
			got = pol.OperationID
		}
		assert.Equal(t, want, got, "GET %s", route)
	}
	assert.Equal(t, "cancel", p.Lookup("POST", "/jobs/{job}:cancel").OperationID, "':' is literal in templates")
	// In Echo a parameter runs to the next '/', so ":job\:cancel" is one parameter: the
	// route is /jobs/{}, not the custom-method template. Outside a parameter, "\:" is a
	// literal colon.
	assert.Nil(t, p.Lookup("POST", `/jobs/:job\:cancel`))
	p2 := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /v1/a:b:
    get: {operationId: colon, responses: {"401": {description: no}}}
`))
	assert.Equal(t, "colon", p2.Lookup("GET", `/v1/a\:b`).OperationID)
	assert.Nil(t, p.Lookup("get", "/articles"), "methods are compared exactly")
	assert.Nil(t, p.Lookup("HEAD", "/articles"))
	var nilPolicies *openapi.Policies
	assert.Nil(t, nilPolicies.Lookup("GET", "/"))
}

func TestLookupDoesNotAllocate(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /articles/{article_id}/comments/{comment_id}:
    get: {responses: {"401": {description: no}}}
`))
	allocs := testing.AllocsPerRun(1000, func() {
		if p.Lookup("GET", "/articles/:id/comments/:cid") == nil {
			t.Fatal("not found")
		}
	})
	assert.Zero(t, allocs)
}

func TestBasePath(t *testing.T) {
	spec := func(servers string) string {
		return `openapi: 3.0.3
info: {title: t, version: "1"}
` + servers + `
paths:
  /items:
    get: {responses: {"200": {description: ok}}}
`
	}
	for servers, want := range map[string]string{
		``: "",
		`servers: [{url: "https://api.example.com"}]`:     "",
		`servers: [{url: "https://api.example.com/"}]`:    "",
		`servers: [{url: "https://api.example.com/v1/"}]`: "/v1",
		`servers: [{url: "/api/v2"}]`:                     "/api/v2",
		`servers: [{url: "api"}]`:                         "/api",
		`servers: [{url: "https://{host}/{base}", variables: {host: {default: a.example}, base: {default: v3}}}]`: "/v3",
	} {
		p := mustLoad(t, spec(servers))
		assert.Equal(t, want, p.BasePath(), servers)
		assert.NotNil(t, p.Lookup("GET", want+"/items"), servers)
		assert.Equal(t, want+"/items", p.All()[0].Route)
	}

	for override, want := range map[string]string{"/": "", "/custom/": "/custom", "x": "/x"} {
		p, err := openapi.LoadData([]byte(spec(`servers: [{url: "/v1"}]`)), openapi.LoadOptions{BasePath: override})
		require.NoError(t, err)
		assert.Equal(t, want, p.BasePath(), override)
		assert.NotNil(t, p.Lookup("GET", want+"/items"))
	}
}

func TestLoadFromFileAndFS(t *testing.T) {
	data, err := os.ReadFile("../spec.example.yaml")
	require.NoError(t, err)
	fromFile, err := openapi.Load("../spec.example.yaml", openapi.LoadOptions{})
	require.NoError(t, err)
	fromData, err := openapi.LoadData(data, openapi.LoadOptions{})
	require.NoError(t, err)
	fromFS, err := openapi.LoadFS(fstest.MapFS{"api/spec.yaml": {Data: data}}, "api/spec.yaml", openapi.LoadOptions{})
	require.NoError(t, err)
	for _, p := range []*openapi.Policies{fromData, fromFS} {
		require.Len(t, p.All(), len(fromFile.All()))
		for i, pol := range p.All() {
			assert.Equal(t, fromFile.All()[i], pol)
		}
	}
	_, err = openapi.Load("testdata/does-not-exist.yaml", openapi.LoadOptions{})
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = openapi.LoadFS(fstest.MapFS{}, "x.yaml", openapi.LoadOptions{})
	assert.Error(t, err)
}

func TestJSONDocuments(t *testing.T) {
	p, err := openapi.LoadData([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},
"components":{"securitySchemes":{"b":{"type":"http","scheme":"bearer"}}},
"paths":{"/x":{"get":{"security":[{"b":[]}],"x-axioms-roles":{"allOf":["a"]},"responses":{"401":{"description":"no"}}}}}}`), openapi.LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, p.Lookup("GET", "/x").Roles.AllOf)
}

func TestExternalReferences(t *testing.T) {
	_, err := openapi.Load("testdata/refs/main.yaml", openapi.LoadOptions{})
	require.Error(t, err, "local files are not followed unless allowed")
	problems := openapi.Problems(err)
	require.NotEmpty(t, problems)
	assert.Contains(t, err.Error(), "was not followed")

	p, err := openapi.Load("testdata/refs/main.yaml", openapi.LoadOptions{AllowExternalRefs: true})
	require.NoError(t, err)
	pol := p.Lookup("GET", "/items/:id")
	require.NotNil(t, pol)
	assert.Equal(t, "oauth[read]", summary(pol))
	assert.Equal(t, []string{"reader"}, pol.Roles.AnyOf)

	dir := os.DirFS("testdata/refs")
	p, err = openapi.LoadFS(dir, "main.yaml", openapi.LoadOptions{AllowExternalRefs: true})
	require.NoError(t, err)
	assert.NotNil(t, p.Lookup("GET", "/items/{id}"))

	data, err := os.ReadFile("testdata/refs/main.yaml")
	require.NoError(t, err)
	_, err = openapi.LoadData(data, openapi.LoadOptions{AllowExternalRefs: true})
	require.Error(t, err, "a document given as bytes has no location to resolve against")
}

func TestNetworkReferencesAreNeverFetched(t *testing.T) {
	for _, allow := range []bool{false, true} {
		_, err := openapi.Load("testdata/refs/network.yaml", openapi.LoadOptions{AllowExternalRefs: allow})
		require.Error(t, err, "the scheme behind a network reference cannot be enforced")
		assert.Contains(t, err.Error(), "reference that was not followed")
		assert.Contains(t, err.Error(), "#/paths/~1a/get/security/0/oauth")
	}
}

package openapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

func TestLoadDataAndLoadFSMatchLoad(t *testing.T) {
	const file = "testdata/material/swagger-petstore-3.0.4.yaml"
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	fromFile, err := openapi.Load(file, openapi.LoadOptions{})
	require.NoError(t, err)
	fromData, err := openapi.LoadData(data, openapi.LoadOptions{})
	require.NoError(t, err)
	fromFS, err := openapi.LoadFS(fstest.MapFS{"api/spec.yaml": {Data: data}}, "api/spec.yaml", openapi.LoadOptions{})
	require.NoError(t, err)
	require.Len(t, fromFile.All(), 19)
	for _, p := range []*openapi.Policies{fromData, fromFS} {
		assert.Equal(t, fromFile.All(), p.All())
		assert.Equal(t, fromFile.Schemes(), p.Schemes())
		assert.Equal(t, fromFile.BasePath(), p.BasePath())
		assert.Equal(t, fromFile.Warnings(), p.Warnings())
	}

	_, err = openapi.LoadFS(fstest.MapFS{}, "x.yaml", openapi.LoadOptions{})
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestVersions(t *testing.T) {
	for _, version := range []string{"3.0.0", "3.0.3", "3.1.0", "3.1.1", "3.2.0"} {
		t.Run(version, func(t *testing.T) {
			p := mustLoad(t, strings.Replace(doc(`security: [{oauth: [read]}]`, "  /a:\n"+protectedGet), "3.1.0", version, 1))
			assert.Equal(t, "oauth[]", summary(policy(t, p, "GET", "/a")))
		})
	}
}

func TestOpenAPI32Methods(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /search:
    query:
      operationId: search
      responses: {"401": {description: no}}
    additionalOperations:
      COPY: {operationId: copy, x-axioms-roles: [copier], responses: {"401": {description: no}}}
      purge: {operationId: purge, security: [], responses: {"200": {description: ok}}}
`))
	q := policy(t, p, "QUERY", "/search")
	assert.Equal(t, "#/paths/~1search/query", q.Pointer)
	cp := policy(t, p, "COPY", "/search")
	assert.Equal(t, "#/paths/~1search/additionalOperations/COPY", cp.Pointer)
	assert.Equal(t, []string{"copier"}, cp.Roles.AnyOf)
	purge := policy(t, p, "purge", "/search")
	assert.Equal(t, openapi.AuthNone, purge.Auth, "custom methods are kept as written: HTTP methods are case-sensitive")
	assert.Nil(t, p.Lookup("PURGE", "/search"))

	pr := onlyProblem(t, doc(`security: [{oauth: []}]`, `
  /search:
    additionalOperations:
      COPY: {x-axioms-role: [a], responses: {"401": {description: no}}}
`))
	assert.Equal(t, "#/paths/~1search/additionalOperations/COPY/x-axioms-role", pr.Pointer)
	assert.Equal(t, "COPY", pr.Method)
}

// An additionalOperations entry for a method that has a field of its own (GET beside
// get, in any letter case, or POST where post could have been used) is an error:
// OpenAPI 3.2 forbids it, and one of the two operations, or the entry's security,
// would otherwise be silently ignored.
func TestAdditionalOperationsRepeatingAFixedMethod(t *testing.T) {
	const op = `{security: [], responses: {"200": {description: ok}}}`
	for _, c := range []struct{ name, item, key, want string }{
		{"GET beside get", "get: " + op, "GET",
			`additionalOperations "GET" is the GET method, which has its own field "get", and this path item defines it too: one of the two operations would be ignored`},
		{"Get beside get", "get: " + op, "Get",
			`additionalOperations "Get" is the GET method, which has its own field "get", and this path item defines it too: one of the two operations would be ignored`},
		{"get beside get", "get: " + op, "get",
			`additionalOperations "get" is the GET method, which has its own field "get", and this path item defines it too: one of the two operations would be ignored`},
		{"QUERY beside query", "query: " + op, "QUERY",
			`additionalOperations "QUERY" is the QUERY method, which has its own field "query", and this path item defines it too: one of the two operations would be ignored`},
		{"POST alone", "get: " + op, "POST",
			`additionalOperations "POST" is the POST method, which has its own field "post": declare the operation there`},
		{"delete alone", "get: " + op, "delete",
			`additionalOperations "delete" is the DELETE method, which has its own field "delete": declare the operation there`},
	} {
		t.Run(c.name, func(t *testing.T) {
			pr := onlyProblem(t, doc(`security: [{oauth: []}]`, `
  /a:
    `+c.item+`
    additionalOperations:
      COPY: {security: [], responses: {"200": {description: ok}}}
      `+c.key+`: {security: [{oauth: []}], x-axioms-roles: [admin], responses: {"401": {description: no}}}
`))
			assert.Equal(t, "#/paths/~1a/additionalOperations/"+c.key, pr.Pointer)
			assert.Equal(t, c.key, pr.Method)
			assert.Equal(t, "/a", pr.Path)
			assert.Equal(t, c.want, pr.Message)
		})
	}
	t.Run("its keys are checked", func(t *testing.T) {
		problems := loadProblems(t, doc(`security: [{oauth: []}]`, `
  /a:
    get: {responses: {"401": {description: no}}}
    additionalOperations:
      GET: {x-axioms-role: [admin], responses: {"401": {description: no}}}
`))
		require.Len(t, problems, 2, "%v", problems)
		assert.Equal(t, "#/paths/~1a/additionalOperations/GET", problems[0].Pointer)
		assert.Equal(t, "#/paths/~1a/additionalOperations/GET/x-axioms-role", problems[1].Pointer)
	})
	t.Run("not repeated as a validation warning", func(t *testing.T) {
		_, err := openapi.LoadData([]byte(doc(`security: [{oauth: []}]`, `
  /a:
    get: {responses: {"401": {description: no}}}
    additionalOperations:
      GET: {responses: {"401": {description: no}}}
      post: {responses: {"401": {description: no}}}
`)), openapi.LoadOptions{})
		require.Len(t, openapi.Problems(err), 2)
		assert.Empty(t, saying(openapi.Warnings(err), "additionalOperations key"), "%v", openapi.Warnings(err))
	})
	t.Run("in a webhook, which is not enforced, a validation warning", func(t *testing.T) {
		p := mustLoad(t, doc(`security: [{oauth: []}]
webhooks:
  ping:
    post: {responses: {"200": {description: ok}}}
    additionalOperations:
      POST: {responses: {"200": {description: ok}}}`, "  /a:\n"+protectedGet))
		ws := saying(p.Warnings(), `additionalOperations key "POST" duplicates a fixed path item field`)
		require.Len(t, ws, 1, "%v", p.Warnings())
		assert.Equal(t, "#/webhooks", ws[0].Pointer)
	})
}

func TestExternalReferencesToLocalFiles(t *testing.T) {
	t.Run("not followed by default", func(t *testing.T) {
		_, err := openapi.Load("testdata/refs/main.yaml", openapi.LoadOptions{})
		require.Error(t, err)
		problems := openapi.Problems(err)
		require.Len(t, problems, 2, "%v", problems)
		assert.Equal(t, "#/security/0/oauth", problems[0].Pointer)
		assert.Contains(t, problems[0].Message, `"oauth", which cannot be enforced: its definition is the $ref "./schemes.yaml#/oauth", which is not followed: references to other files are not followed (LoadOptions.AllowExternalRefs)`)
		assert.Equal(t, "#/paths/~1items~1{id}", problems[1].Pointer)
		assert.Equal(t, "/items/{id}", problems[1].Path)
		assert.Contains(t, problems[1].Message, `the path item is the $ref "./items.yaml#/item", which is not followed`)
	})
	t.Run("followed when allowed", func(t *testing.T) {
		for name, load := range map[string]func() (*openapi.Policies, error){
			"Load": func() (*openapi.Policies, error) {
				return openapi.Load("testdata/refs/main.yaml", openapi.LoadOptions{AllowExternalRefs: true})
			},
			"LoadFS": func() (*openapi.Policies, error) {
				return openapi.LoadFS(os.DirFS("testdata"), "refs/main.yaml", openapi.LoadOptions{AllowExternalRefs: true})
			},
		} {
			t.Run(name, func(t *testing.T) {
				p, err := load()
				require.NoError(t, err)
				pol := policy(t, p, "GET", "/items/:id")
				assert.Equal(t, "oauth[read]", summary(pol))
				assert.Equal(t, []string{"reader"}, pol.Roles.AnyOf)
				assert.Equal(t, "getItem", pol.OperationID)
				s, ok := p.Scheme("oauth")
				require.True(t, ok)
				assert.Equal(t, []string{"read"}, s.Scopes)
				// A JSON Schema reference inside a referenced file is not followed either.
				ws := saying(p.Warnings(), `$ref "/schemas/user#owner" is not followed`)
				require.Len(t, ws, 1, "%v", p.Warnings())
				assert.True(t, strings.HasPrefix(ws[0].Message, "item.yaml line 4: "), ws[0].Message)
			})
		}
	})
	t.Run("never for bytes", func(t *testing.T) {
		data, err := os.ReadFile("testdata/refs/main.yaml")
		require.NoError(t, err)
		_, err = openapi.LoadData(data, openapi.LoadOptions{AllowExternalRefs: true})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "a document given as bytes has no location")
	})
}

func TestExternalReferencesStayInTheDocumentsDirectory(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside.yaml")
	require.NoError(t, os.WriteFile(outside, []byte("item:\n  get: {security: [], responses: {\"200\": {description: ok}}}\n"), 0o600))
	api := filepath.Join(dir, "api")
	require.NoError(t, os.Mkdir(api, 0o700))
	spec := func(ref string) string {
		return "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    $ref: \"" + ref + "\"\n"
	}
	for name, ref := range map[string]string{
		"a parent directory": "../outside.yaml#/item",
		"a symbolic link":    "./link.yaml#/item",
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(filepath.Join(api, "spec.yaml"), []byte(spec(ref)), 0o600))
			_ = os.Remove(filepath.Join(api, "link.yaml"))
			require.NoError(t, os.Symlink(outside, filepath.Join(api, "link.yaml")))
			_, err := openapi.Load(filepath.Join(api, "spec.yaml"), openapi.LoadOptions{AllowExternalRefs: true})
			require.Error(t, err, "the file outside the document's directory is not read")
			assert.Contains(t, err.Error(), "the document cannot be loaded")
		})
	}
	require.NoError(t, os.WriteFile(filepath.Join(api, "spec.yaml"), []byte(spec("./inside.yaml#/item")), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(api, "inside.yaml"), []byte("item:\n  get: {security: [], responses: {\"200\": {description: ok}}}\n"), 0o600))
	p, err := openapi.Load(filepath.Join(api, "spec.yaml"), openapi.LoadOptions{AllowExternalRefs: true})
	require.NoError(t, err)
	assert.NotNil(t, p.Lookup("GET", "/a"))
}

func TestNetworkReferencesAreNeverFetched(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("type: http\nscheme: bearer\n"))
	}))
	defer srv.Close()
	for _, allow := range []bool{false, true} {
		// A scheme an operation relies on: the operation cannot be enforced.
		_, err := openapi.LoadData([]byte(`openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    remote: {$ref: "`+srv.URL+`/scheme.yaml"}
paths:
  /a:
    get:
      security: [{remote: []}]
      responses: {"401": {description: no}}
`), openapi.LoadOptions{AllowExternalRefs: allow})
		require.Error(t, err)
		problems := openapi.Problems(err)
		require.Len(t, problems, 1)
		assert.Equal(t, "#/paths/~1a/get/security/0/remote", problems[0].Pointer)
		assert.Contains(t, problems[0].Message, "network references are never fetched")

		// The same file on disk, with a schema reference: a warning.
		dir := t.TempDir()
		file := filepath.Join(dir, "spec.yaml")
		text := doc(`security: [{oauth: []}]`, `
  /a:
    get:
      responses:
        "401":
          description: no
          content: {application/json: {schema: {$ref: "`+srv.URL+`/error.json#/Error"}}}
`)
		require.NoError(t, os.WriteFile(file, []byte(text), 0o600))
		p, err := openapi.Load(file, openapi.LoadOptions{AllowExternalRefs: allow})
		require.NoError(t, err)
		ws := saying(p.Warnings(), "network references are never fetched")
		require.Len(t, ws, 1)
		line := strings.Count(text[:strings.Index(text, "$ref")], "\n") + 1
		assert.Equal(t, fmt.Sprintf("spec.yaml line %d: $ref %q is not followed (only relative references to local files are followed; network references are never fetched): it is read as an empty object", line, srv.URL+"/error.json#/Error"), ws[0].Message)
	}
	assert.Zero(t, hits.Load(), "no request reached the server")
}

func TestUnfollowedReferences(t *testing.T) {
	t.Run("in schemas: warnings", func(t *testing.T) {
		text := doc(`security: [{oauth: []}]`, `
  /a:
    get:
      responses:
        "401":
          description: no
          content:
            application/json:
              schema:
                type: object
                properties:
                  a: {$ref: "#anchor"}
                  b: {$ref: "/schemas/b"}
                  c: {$ref: "other.yaml#/c"}
                  d: {$ref: "#/paths/~1a/get/responses/401/content/application~1json/schema/properties/a"}
`)
		p := mustLoad(t, text)
		ws := saying(p.Warnings(), "is not followed")
		require.Len(t, ws, 3, "%v", ws)
		line := strings.Count(text[:strings.Index(text, "#anchor")], "\n") + 1
		assert.Equal(t, fmt.Sprintf(`line %d: $ref "#anchor" is not followed (JSON Schema anchors are not resolved): it is read as an empty object`, line), ws[0].Message)
		assert.Contains(t, ws[1].Message, `$ref "/schemas/b" is not followed (absolute-path references (relative to a JSON Schema $id) are not resolved)`)
		assert.Contains(t, ws[2].Message, `$ref "other.yaml#/c" is not followed (a document given as bytes has no location`)
	})
	t.Run("defining an operation: an error", func(t *testing.T) {
		pr := onlyProblem(t, doc(`security: [{oauth: []}]`, `
  /a:
    get: {$ref: "https://example.com/ops.yaml#/get"}
`))
		assert.Equal(t, "#/paths/~1a/get", pr.Pointer)
		assert.Equal(t, "GET", pr.Method)
		assert.Contains(t, pr.Message, `the operation is the $ref "https://example.com/ops.yaml#/get", which is not followed`)
	})
	t.Run("defining a scheme nothing uses: a warning", func(t *testing.T) {
		p := mustLoad(t, `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    remote: {$ref: "https://example.com/s.yaml"}
paths: {}
`)
		ws := saying(p.Warnings(), "cannot be enforced")
		require.Len(t, ws, 1)
		assert.Equal(t, "#/components/securitySchemes/remote", ws[0].Pointer)
		assert.Empty(t, saying(p.Warnings(), "line 5"), "reported once, as the scheme")
		assert.Empty(t, p.Schemes())
	})
	t.Run("an owner param defined by one", func(t *testing.T) {
		pr := onlyProblem(t, doc(`security: [{oauth: []}]`, `
  /a/{id}:
    parameters: [{$ref: "https://example.com/p.yaml"}]
    get:
      x-axioms-owner: {param: id}
      responses: {"401": {description: no}}
`))
		assert.Contains(t, pr.Message, `param "id" is not a path parameter of this operation (a parameter of the operation is a $ref that was not followed)`)
	})
}

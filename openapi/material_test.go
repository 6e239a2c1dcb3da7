package openapi_test

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

// summary renders a policy's security compactly: alternatives joined by " | ", schemes
// of an alternative by " + ", each as name[scopes]; "-" for public, a leading "{} | " for
// optional operations.
func summary(p *openapi.Policy) string {
	if p.Auth == openapi.AuthNone {
		return "-"
	}
	var alts []string
	if p.Auth == openapi.AuthOptional {
		alts = append(alts, "{}")
	}
	for _, alt := range p.Alternatives {
		var reqs []string
		for _, r := range alt {
			reqs = append(reqs, r.Scheme+"["+strings.Join(r.Scopes, " ")+"]")
		}
		alts = append(alts, strings.Join(reqs, " + "))
	}
	return strings.Join(alts, " | ")
}

func loadFile(t *testing.T, name string) *openapi.Policies {
	t.Helper()
	p, err := openapi.Load(filepath.Join("testdata", "material", name), openapi.LoadOptions{})
	require.NoError(t, err)
	return p
}

// assertTable compares every operation of a document with a table written by reading
// the document.
func assertTable(t *testing.T, p *openapi.Policies, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, pol := range p.All() {
		got[pol.Method+" "+pol.Path] = summary(pol)
	}
	assert.Equal(t, want, got)
}

func TestKinOpenAPISecurityFixture(t *testing.T) {
	p := loadFile(t, "openapi3-testdata-origin-security.yaml")
	assertTable(t, p, map[string]string{"POST /subscribe": "petstore_auth[write:pets read:pets]"})
	assert.Equal(t, []string{"petstore_auth"}, p.SchemesInUse())
	s, _ := p.Scheme("petstore_auth")
	assert.Equal(t, []string{"read:pets", "write:pets"}, s.Scopes)
}

func TestSwaggerPetstore304InFull(t *testing.T) {
	p := loadFile(t, "swagger-petstore-3.0.4.yaml")
	pets := "petstore_auth[write:pets read:pets]"
	assertTable(t, p, map[string]string{
		"PUT /pet": pets, "POST /pet": pets,
		"GET /pet/findByStatus": pets, "GET /pet/findByTags": pets,
		"GET /pet/{petId}":              "api_key[] | " + pets,
		"POST /pet/{petId}":             pets,
		"DELETE /pet/{petId}":           pets,
		"POST /pet/{petId}/uploadImage": pets,
		"GET /store/inventory":          "api_key[]",
		"POST /store/order":             "-", "GET /store/order/{orderId}": "-", "DELETE /store/order/{orderId}": "-",
		"POST /user": "-", "POST /user/createWithList": "-", "GET /user/login": "-", "GET /user/logout": "-",
		"GET /user/{username}": "-", "PUT /user/{username}": "-", "DELETE /user/{username}": "-",
	})
	assert.Equal(t, "/api/v3", p.BasePath())
	assert.NotNil(t, p.Lookup("GET", "/api/v3/pet/:petId"))
	assert.Equal(t, "getPetById", p.Lookup("GET", "/api/v3/pet/:id").OperationID)
	assert.Nil(t, p.Lookup("GET", "/pet/:petId"), "the base path is part of the route")
}

func TestSwaggerPetstore31InFull(t *testing.T) {
	pets := "petstore_auth[write:pets read:pets]"
	design := loadFile(t, "swagger-petstore-3.1.1-design-first.yaml")
	assertTable(t, design, map[string]string{
		"PUT /pet": pets, "POST /pet": pets,
		"GET /pet/findByStatus": pets + " | api_key[write:pets read:pets]",
		"GET /pet/findByTags":   pets,
		"GET /pet/{petId}":      "api_key[] | " + pets,
		"DELETE /pet/{petId}":   pets,
	})
	assert.Equal(t, "/api/v31", design.BasePath(), "a relative server URL")

	code := loadFile(t, "swagger-petstore-3.1.0-code-first.yaml")
	assertTable(t, code, map[string]string{
		"PUT /pet": pets, "POST /pet": pets,
		"GET /pet/{petId}": pets + " | api_key[]",
	})
	// Its JSON Schema $id references are not followed: reported, not fatal.
	var notFollowed int
	for _, w := range code.Warnings() {
		if strings.Contains(w.Message, "was not followed") {
			notFollowed++
		}
	}
	assert.Positive(t, notFollowed)
}

func TestOpenAPIFilterPetstoreFixture(t *testing.T) {
	p := loadFile(t, "openapi3filter-testdata-fixtures-petstore.json")
	assert.Equal(t, "/v2", p.BasePath(), "the first of two servers with the same path")
	assert.Equal(t, "petstore_auth[write:pets read:pets]", summary(p.Lookup("POST", "/v2/pet")))
	assert.Equal(t, "petstore_auth[write:pets read:pets]", summary(p.Lookup("PATCH", "/v2/pet")))
	assert.Equal(t, "addPet2", p.Lookup("POST", "/v2/pet2").OperationID)
	assert.Len(t, p.All(), 25)
}

func TestEchoMiddlewareTestSpec(t *testing.T) {
	p := loadFile(t, "test_spec.yaml")
	assertTable(t, p, map[string]string{
		"GET /resource": "-", "POST /resource": "-",
		"GET /resource/maxlength/{param}": "-", "GET /resource/pattern/{param}": "-",
		"GET /protected_resource":     "BearerAuth[someScope]",
		"GET /protected_resource2":    "BearerAuth[otherScope]",
		"GET /protected_resource_401": "BearerAuth[unauthorized]",
		"GET /multiparamresource":     "-",
	})
	assert.Equal(t, "", p.BasePath(), "a server URL without a path")
}

func TestNonOAuthScopes(t *testing.T) {
	p := loadFile(t, "oai-3.1-non-oauth-scopes.yaml")
	pol := p.Lookup("GET", "/users")
	require.NotNil(t, pol)
	assert.Equal(t, "bearerAuth[read:users public]", summary(pol), "scopes (roles) on an http bearer scheme are enforced as scopes")
	assert.True(t, pol.Alternatives[0][0].Bearer)
}

func TestSecuritySchemeObjectExamples(t *testing.T) {
	for name, extra := range map[string][]string{
		"oai-3.1-security-scheme-object-examples.yaml": nil,
		"oai-3.2-security-scheme-object-examples.yaml": {"OAuth2Old:oauth2"}, // a deprecated scheme added in 3.2
	} {
		t.Run(name, func(t *testing.T) {
			p := loadFile(t, name)
			assert.Empty(t, p.All(), "the document has no paths")
			var names []string
			for _, s := range p.Schemes() {
				names = append(names, s.Name+":"+string(s.Type))
			}
			sort.Strings(names)
			want := append([]string{"JWT-bearer:http", "OAuth2:oauth2", "OpenIdConnect:openIdConnect", "apiKey:apiKey", "basic:http", "mutualTLS:mutualTLS"}, extra...)
			sort.Strings(want)
			assert.Equal(t, want, names, "the scheme defined by an external reference is left out")
		})
	}
}

func TestMastodon(t *testing.T) {
	p := loadFile(t, "mastodon-3.1.0.json")
	assert.Equal(t, "", p.BasePath(), "https://{hostname}: a server variable without a path")
	assert.Equal(t, "OAuth2[write:accounts]", summary(p.Lookup("POST", "/api/v1/accounts")))
	assert.Equal(t, "-", summary(p.Lookup("GET", "/api/v1/accounts")), "root security: [] makes inherited operations public")
	assert.Equal(t, "OAuth2[read:collections]", summary(p.Lookup("GET", "/api/v1/accounts/:id/collections")))
	assert.Greater(t, len(p.All()), 200)
}

func TestAPIsGuruSamples(t *testing.T) {
	box := loadFile(t, "apis-guru/box.com.json")
	assert.Equal(t, "/2.0", box.BasePath())
	assert.Equal(t, "-", summary(box.Lookup("GET", "/2.0/authorize")), "security: [] on the operation")
	assert.Equal(t, "OAuth2Security[]", summary(box.Lookup("GET", "/2.0/collaboration_whitelist_entries")), "inherited from the root")

	linode := loadFile(t, "apis-guru/linode.com.json")
	assert.Equal(t, "/v4", linode.BasePath())
	pol := linode.Lookup("PUT", "/v4/account")
	assert.Equal(t, "personalAccessToken[] | oauth[account:read_write]", summary(pol))
	assert.True(t, pol.Alternatives[0][0].Bearer, "http bearer")

	spotify := loadFile(t, "apis-guru/spotify.com_sonallux.json")
	assert.Equal(t, "get-an-album", spotify.Lookup("GET", "/v1/albums/:id").OperationID)
	assert.Equal(t, "oauth_2_0[]", summary(spotify.Lookup("GET", "/v1/albums")))
}

// TestEveryMaterialDocumentLoads loads every document; the counts were read from the
// documents (operations under paths).
func TestEveryMaterialDocumentLoads(t *testing.T) {
	files, err := filepath.Glob("testdata/material/*.*")
	require.NoError(t, err)
	guru, err := filepath.Glob("testdata/material/apis-guru/*.json")
	require.NoError(t, err)
	files = append(files, guru...)
	require.Len(t, files, 27, "11 documents and 16 from APIs.guru")
	total := 0
	for _, f := range files {
		p, err := openapi.Load(f, openapi.LoadOptions{})
		require.NoError(t, err, f)
		total += len(p.All())
		for _, pol := range p.All() {
			assert.Same(t, pol, p.Lookup(pol.Method, pol.Route), "%s: every policy is found by its own route", f)
		}
	}
	assert.Greater(t, total, 3000)
}

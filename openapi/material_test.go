package openapi_test

import (
	"cmp"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

// Real documents nobody here wrote (testdata/SOURCES.md). Every expectation below was
// written by reading the documents, not by running this package.

// loaded caches the tables of the material documents: several tests read the large ones,
// and a table is immutable, so they can share it.
var loaded sync.Map // name → *openapi.Policies

func loadMaterial(t *testing.T, name string) *openapi.Policies {
	t.Helper()
	if p, ok := loaded.Load(name); ok {
		return p.(*openapi.Policies)
	}
	p, err := openapi.Load(filepath.Join("testdata", "material", name), openapi.LoadOptions{})
	require.NoError(t, err, name)
	loaded.Store(name, p)
	return p
}

// table renders every operation as "METHOD /path" → summary.
func table(p *openapi.Policies) map[string]string {
	got := map[string]string{}
	for _, pol := range p.All() {
		got[pol.Method+" "+pol.Path] = summary(pol)
	}
	return got
}

func operationIDs(p *openapi.Policies) map[string]string {
	got := map[string]string{}
	for _, pol := range p.All() {
		got[pol.Method+" "+pol.Path] = pol.OperationID
	}
	return got
}

func schemeTypes(p *openapi.Policies) map[string]string {
	got := map[string]string{}
	for _, s := range p.Schemes() {
		got[s.Name] = string(s.Type)
		if s.HTTPScheme != "" {
			got[s.Name] += " " + s.HTTPScheme
		}
	}
	return got
}

var templateParam = regexp.MustCompile(`\{[^}]*\}`)

// paramInsideSegment matches templates Echo cannot express: a parameter followed by
// more of its segment ("/files/{name}.{ext}", "/folders/{id}#remove"). An Echo
// parameter runs to the next '/'.
var paramInsideSegment = regexp.MustCompile(`\}[^/]`)

// echoRoute writes a route the way an Echo application registers it.
func echoRoute(route string) string { return templateParam.ReplaceAllString(route, ":p") }

// Requirements the petstore documents write, each as the document spells it. Scopes keep
// the document's order ("write:pets" before "read:pets"); an empty list is an empty,
// non-nil slice.
var (
	petsAuth = openapi.SchemeRequirement{Scheme: "petstore_auth", Type: openapi.SchemeOAuth2, Bearer: true, Scopes: []string{"write:pets", "read:pets"}}
	apiKey   = openapi.SchemeRequirement{Scheme: "api_key", Type: openapi.SchemeAPIKey, Scopes: []string{}}
	// apiKeyPets is the design-first document's "api_key: [write:pets, read:pets]": roles
	// on an apiKey scheme, which OpenAPI 3.1 allows.
	apiKeyPets = openapi.SchemeRequirement{Scheme: "api_key", Type: openapi.SchemeAPIKey, Scopes: []string{"write:pets", "read:pets"}}
)

// alts builds the alternatives of an operation whose alternatives each hold one scheme.
func alts(reqs ...openapi.SchemeRequirement) []openapi.Alternative {
	out := make([]openapi.Alternative, len(reqs))
	for i, r := range reqs {
		out[i] = openapi.Alternative{r}
	}
	return out
}

// assertPolicies compares every field of every compiled policy with want, written from
// the document, checks that All is sorted by path then method, and finds each policy
// through its route, as a template and in Echo syntax.
func assertPolicies(t *testing.T, p *openapi.Policies, want []openapi.Policy) {
	t.Helper()
	wantBy := map[string]openapi.Policy{}
	for _, w := range want {
		key := w.Method + " " + w.Path
		require.NotContains(t, wantBy, key, "the expectation lists %s twice", key)
		wantBy[key] = w
	}
	all := p.All()
	gotBy := map[string]openapi.Policy{}
	for _, pol := range all {
		gotBy[pol.Method+" "+pol.Path] = *pol
	}
	assert.Equal(t, wantBy, gotBy)
	assert.True(t, slices.IsSortedFunc(all, func(a, b *openapi.Policy) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method))
	}), "All is sorted by path, then method")
	for _, pol := range all {
		assert.Same(t, pol, p.Lookup(pol.Method, pol.Route), "%s %s", pol.Method, pol.Route)
		assert.Same(t, pol, p.Lookup(pol.Method, echoRoute(pol.Route)), "%s %s", pol.Method, echoRoute(pol.Route))
	}
}

func TestKinOpenAPISecurityFixtureInFull(t *testing.T) {
	p := loadMaterial(t, "openapi3-testdata-origin-security.yaml")
	assertPolicies(t, p, []openapi.Policy{
		{Method: "POST", Path: "/subscribe", Route: "/subscribe", Pointer: "#/paths/~1subscribe/post", Auth: openapi.AuthRequired, Alternatives: alts(petsAuth)},
	})
	assert.Equal(t, []openapi.Scheme{{Name: "petstore_auth", Type: openapi.SchemeOAuth2, Scopes: []string{"read:pets", "write:pets"}}}, p.Schemes())
	assert.Equal(t, []string{"petstore_auth"}, p.SchemesInUse())
	assert.Empty(t, p.BasePath())
}

func TestOAIPetstoreWithoutSecurity(t *testing.T) {
	p := loadMaterial(t, "oai-3.0-petstore-nosecurity.yaml")
	assert.Equal(t, map[string]string{"GET /pets": "-", "POST /pets": "-", "GET /pets/{petId}": "-"}, table(p))
	assert.Equal(t, map[string]string{"GET /pets": "listPets", "POST /pets": "createPets", "GET /pets/{petId}": "showPetById"}, operationIDs(p))
	assert.Equal(t, "/v1", p.BasePath())
	assert.Empty(t, p.Schemes())
	assert.Equal(t, "showPetById", policy(t, p, "GET", "/v1/pets/:petId").OperationID)
	assert.Len(t, saying(p.Warnings(), "no operation requires authentication"), 1)
}

func TestSwaggerPetstore304InFull(t *testing.T) {
	p := loadMaterial(t, "swagger-petstore-3.0.4.yaml")
	required, none := openapi.AuthRequired, openapi.AuthNone
	assertPolicies(t, p, []openapi.Policy{
		{Method: "PUT", Path: "/pet", Route: "/api/v3/pet", OperationID: "updatePet", Pointer: "#/paths/~1pet/put", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "POST", Path: "/pet", Route: "/api/v3/pet", OperationID: "addPet", Pointer: "#/paths/~1pet/post", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/findByStatus", Route: "/api/v3/pet/findByStatus", OperationID: "findPetsByStatus", Pointer: "#/paths/~1pet~1findByStatus/get", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/findByTags", Route: "/api/v3/pet/findByTags", OperationID: "findPetsByTags", Pointer: "#/paths/~1pet~1findByTags/get", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/{petId}", Route: "/api/v3/pet/{petId}", OperationID: "getPetById", Pointer: "#/paths/~1pet~1{petId}/get", Auth: required, Alternatives: alts(apiKey, petsAuth)},
		{Method: "POST", Path: "/pet/{petId}", Route: "/api/v3/pet/{petId}", OperationID: "updatePetWithForm", Pointer: "#/paths/~1pet~1{petId}/post", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "DELETE", Path: "/pet/{petId}", Route: "/api/v3/pet/{petId}", OperationID: "deletePet", Pointer: "#/paths/~1pet~1{petId}/delete", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "POST", Path: "/pet/{petId}/uploadImage", Route: "/api/v3/pet/{petId}/uploadImage", OperationID: "uploadFile", Pointer: "#/paths/~1pet~1{petId}~1uploadImage/post", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/store/inventory", Route: "/api/v3/store/inventory", OperationID: "getInventory", Pointer: "#/paths/~1store~1inventory/get", Auth: required, Alternatives: alts(apiKey)},
		// No security on the rest, none at the root: public.
		{Method: "POST", Path: "/store/order", Route: "/api/v3/store/order", OperationID: "placeOrder", Pointer: "#/paths/~1store~1order/post", Auth: none},
		{Method: "GET", Path: "/store/order/{orderId}", Route: "/api/v3/store/order/{orderId}", OperationID: "getOrderById", Pointer: "#/paths/~1store~1order~1{orderId}/get", Auth: none},
		{Method: "DELETE", Path: "/store/order/{orderId}", Route: "/api/v3/store/order/{orderId}", OperationID: "deleteOrder", Pointer: "#/paths/~1store~1order~1{orderId}/delete", Auth: none},
		{Method: "POST", Path: "/user", Route: "/api/v3/user", OperationID: "createUser", Pointer: "#/paths/~1user/post", Auth: none},
		{Method: "POST", Path: "/user/createWithList", Route: "/api/v3/user/createWithList", OperationID: "createUsersWithListInput", Pointer: "#/paths/~1user~1createWithList/post", Auth: none},
		{Method: "GET", Path: "/user/login", Route: "/api/v3/user/login", OperationID: "loginUser", Pointer: "#/paths/~1user~1login/get", Auth: none},
		{Method: "GET", Path: "/user/logout", Route: "/api/v3/user/logout", OperationID: "logoutUser", Pointer: "#/paths/~1user~1logout/get", Auth: none},
		{Method: "GET", Path: "/user/{username}", Route: "/api/v3/user/{username}", OperationID: "getUserByName", Pointer: "#/paths/~1user~1{username}/get", Auth: none},
		{Method: "PUT", Path: "/user/{username}", Route: "/api/v3/user/{username}", OperationID: "updateUser", Pointer: "#/paths/~1user~1{username}/put", Auth: none},
		{Method: "DELETE", Path: "/user/{username}", Route: "/api/v3/user/{username}", OperationID: "deleteUser", Pointer: "#/paths/~1user~1{username}/delete", Auth: none},
	})
	assert.Equal(t, []openapi.Scheme{
		{Name: "api_key", Type: openapi.SchemeAPIKey, In: "header", ParamName: "api_key"},
		{Name: "petstore_auth", Type: openapi.SchemeOAuth2, Scopes: []string{"read:pets", "write:pets"}},
	}, p.Schemes())
	assert.Equal(t, "/api/v3", p.BasePath())
	assert.Equal(t, "getPetById", policy(t, p, "GET", "/api/v3/pet/:id").OperationID)
	assert.Nil(t, p.Lookup("GET", "/pet/:petId"), "the base path is part of the route")
	// No operation documents 401 or 403: the warning names each of the nine protected.
	assert.Len(t, saying(p.Warnings(), "neither a 401 nor a 403"), 9)
}

func TestSwaggerPetstore311DesignFirstInFull(t *testing.T) {
	p := loadMaterial(t, "swagger-petstore-3.1.1-design-first.yaml")
	required := openapi.AuthRequired
	assertPolicies(t, p, []openapi.Policy{
		{Method: "PUT", Path: "/pet", Route: "/api/v31/pet", OperationID: "updatePet", Pointer: "#/paths/~1pet/put", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "POST", Path: "/pet", Route: "/api/v31/pet", OperationID: "addPet", Pointer: "#/paths/~1pet/post", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/findByStatus", Route: "/api/v31/pet/findByStatus", OperationID: "findPetsByStatus", Pointer: "#/paths/~1pet~1findByStatus/get", Auth: required, Alternatives: alts(petsAuth, apiKeyPets)},
		{Method: "GET", Path: "/pet/findByTags", Route: "/api/v31/pet/findByTags", OperationID: "findPetsByTags", Pointer: "#/paths/~1pet~1findByTags/get", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/{petId}", Route: "/api/v31/pet/{petId}", OperationID: "getPetById", Pointer: "#/paths/~1pet~1{petId}/get", Auth: required, Alternatives: alts(apiKey, petsAuth)},
		{Method: "DELETE", Path: "/pet/{petId}", Route: "/api/v31/pet/{petId}", OperationID: "deletePet", Pointer: "#/paths/~1pet~1{petId}/delete", Auth: required, Alternatives: alts(petsAuth)},
		// The webhook newPet is not an operation the API serves.
	})
	assert.Equal(t, map[string]string{"api_key": "apiKey", "petstore_auth": "oauth2", "mutual_tls": "mutualTLS"}, schemeTypes(p))
	assert.Equal(t, []string{"api_key", "petstore_auth"}, p.SchemesInUse(), "mutual_tls is declared, not used")
	assert.Equal(t, "/api/v31", p.BasePath(), "a relative server URL")
	// Its one JSON Schema reference to a $id with an anchor is not followed: a warning.
	// (The line before it, "$ref: #/components/...", is a YAML comment: a null $ref.)
	ws := saying(p.Warnings(), "is not followed")
	require.Len(t, ws, 1)
	assert.Contains(t, ws[0].Message, `$ref "/components/schemas/petdetails#pet_details_id"`)
}

func TestSwaggerPetstore310CodeFirstInFull(t *testing.T) {
	p := loadMaterial(t, "swagger-petstore-3.1.0-code-first.yaml")
	required := openapi.AuthRequired
	assertPolicies(t, p, []openapi.Policy{
		{Method: "PUT", Path: "/pet", Route: "/api/v31/pet", OperationID: "updatePet", Pointer: "#/paths/~1pet/put", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "POST", Path: "/pet", Route: "/api/v31/pet", OperationID: "addPet", Pointer: "#/paths/~1pet/post", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/{petId}", Route: "/api/v31/pet/{petId}", OperationID: "getPetById", Pointer: "#/paths/~1pet~1{petId}/get", Auth: required, Alternatives: alts(petsAuth, apiKey)},
	})
	assert.Equal(t, map[string]string{"api_key": "apiKey", "petstore_auth": "oauth2", "mutual_tls": "mutualTLS"}, schemeTypes(p))
	assert.Equal(t, "/api/v31", p.BasePath())
	// Four JSON Schema $id references (lines 227, 229, 247, 250), none followed.
	ws := saying(p.Warnings(), "is not followed")
	require.Len(t, ws, 4)
	for i, line := range []string{"line 227:", "line 229:", "line 247:", "line 250:"} {
		assert.True(t, strings.HasPrefix(ws[i].Message, "swagger-petstore-3.1.0-code-first.yaml "+line), ws[i].Message)
	}
}

func TestKinOpenAPIFilterPetstoreFixtureInFull(t *testing.T) {
	p := loadMaterial(t, "openapi3filter-testdata-fixtures-petstore.json")
	required, none := openapi.AuthRequired, openapi.AuthNone
	assertPolicies(t, p, []openapi.Policy{
		{Method: "POST", Path: "/pet", Route: "/v2/pet", OperationID: "addPet", Pointer: "#/paths/~1pet/post", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "PATCH", Path: "/pet", Route: "/v2/pet", OperationID: "updatePet", Pointer: "#/paths/~1pet/patch", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "POST", Path: "/pet2", Route: "/v2/pet2", OperationID: "addPet2", Pointer: "#/paths/~1pet2/post", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/filter", Route: "/v2/pet/filter", OperationID: "filterPets", Pointer: "#/paths/~1pet~1filter/get", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/findByStatus", Route: "/v2/pet/findByStatus", OperationID: "findPetsByStatus", Pointer: "#/paths/~1pet~1findByStatus/get", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pets/", Route: "/v2/pets/", OperationID: "findPets", Pointer: "#/paths/~1pets~1/get", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/findByTags", Route: "/v2/pet/findByTags", OperationID: "findPetsByTags", Pointer: "#/paths/~1pet~1findByTags/get", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/findByIds", Route: "/v2/pet/findByIds", OperationID: "findPetsByIds", Pointer: "#/paths/~1pet~1findByIds/get", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/findByKind", Route: "/v2/pet/findByKind", OperationID: "findPetsByKind", Pointer: "#/paths/~1pet~1findByKind/get", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/pet/{petId}", Route: "/v2/pet/{petId}", OperationID: "getPetById", Pointer: "#/paths/~1pet~1{petId}/get", Auth: required, Alternatives: alts(apiKey)},
		{Method: "POST", Path: "/pet/{petId}", Route: "/v2/pet/{petId}", OperationID: "updatePetWithForm", Pointer: "#/paths/~1pet~1{petId}/post", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "DELETE", Path: "/pet/{petId}", Route: "/v2/pet/{petId}", OperationID: "deletePet", Pointer: "#/paths/~1pet~1{petId}/delete", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "POST", Path: "/pet/{petId}/uploadImage", Route: "/v2/pet/{petId}/uploadImage", OperationID: "uploadFile", Pointer: "#/paths/~1pet~1{petId}~1uploadImage/post", Auth: required, Alternatives: alts(petsAuth)},
		{Method: "GET", Path: "/store/inventory", Route: "/v2/store/inventory", OperationID: "getInventory", Pointer: "#/paths/~1store~1inventory/get", Auth: required, Alternatives: alts(apiKey)},
		// No security on the rest, none at the root: public.
		{Method: "POST", Path: "/store/order", Route: "/v2/store/order", OperationID: "placeOrder", Pointer: "#/paths/~1store~1order/post", Auth: none},
		{Method: "GET", Path: "/store/order/{orderId}", Route: "/v2/store/order/{orderId}", OperationID: "getOrderById", Pointer: "#/paths/~1store~1order~1{orderId}/get", Auth: none},
		{Method: "DELETE", Path: "/store/order/{orderId}", Route: "/v2/store/order/{orderId}", OperationID: "deleteOrder", Pointer: "#/paths/~1store~1order~1{orderId}/delete", Auth: none},
		{Method: "POST", Path: "/user", Route: "/v2/user", OperationID: "createUser", Pointer: "#/paths/~1user/post", Auth: none},
		{Method: "POST", Path: "/user/createWithArray", Route: "/v2/user/createWithArray", OperationID: "createUsersWithArrayInput", Pointer: "#/paths/~1user~1createWithArray/post", Auth: none},
		{Method: "POST", Path: "/user/createWithList", Route: "/v2/user/createWithList", OperationID: "createUsersWithListInput", Pointer: "#/paths/~1user~1createWithList/post", Auth: none},
		{Method: "GET", Path: "/user/login", Route: "/v2/user/login", OperationID: "loginUser", Pointer: "#/paths/~1user~1login/get", Auth: none},
		{Method: "GET", Path: "/user/logout", Route: "/v2/user/logout", OperationID: "logoutUser", Pointer: "#/paths/~1user~1logout/get", Auth: none},
		{Method: "GET", Path: "/user/{username}", Route: "/v2/user/{username}", OperationID: "getUserByName", Pointer: "#/paths/~1user~1{username}/get", Auth: none},
		{Method: "PUT", Path: "/user/{username}", Route: "/v2/user/{username}", OperationID: "updateUser", Pointer: "#/paths/~1user~1{username}/put", Auth: none},
		{Method: "DELETE", Path: "/user/{username}", Route: "/v2/user/{username}", OperationID: "deleteUser", Pointer: "#/paths/~1user~1{username}/delete", Auth: none},
	})
	assert.Equal(t, map[string]string{"api_key": "apiKey", "petstore_auth": "oauth2"}, schemeTypes(p))
	assert.Equal(t, "/v2", p.BasePath(), "two servers with the same path")
	assert.Empty(t, saying(p.Warnings(), "base paths"))
	assert.Equal(t, "findPets", policy(t, p, "GET", "/v2/pets/").OperationID, "the trailing slash is part of the route")
	assert.Nil(t, p.Lookup("GET", "/v2/pets"))
}

func TestOAPICodegenEchoMiddlewareSpecInFull(t *testing.T) {
	p := loadMaterial(t, "test_spec.yaml")
	assert.Equal(t, map[string]string{
		"GET /resource": "-", "POST /resource": "-",
		"GET /resource/maxlength/{param}": "-", "GET /resource/pattern/{param}": "-",
		"GET /protected_resource":     "BearerAuth[someScope]",
		"GET /protected_resource2":    "BearerAuth[otherScope]",
		"GET /protected_resource_401": "BearerAuth[unauthorized]",
		"GET /multiparamresource":     "-",
	}, table(p))
	assert.Equal(t, map[string]string{"BearerAuth": "http bearer"}, schemeTypes(p))
	assert.Equal(t, "", p.BasePath(), "a server URL without a path")
	// Three operations share the operationId getProtectedResource: kin-openapi's
	// validation says so, and loading goes on.
	assert.Len(t, saying(p.Warnings(), `have the same operation id "getProtectedResource"`), 1)
}

func TestOAINonOAuthScopes(t *testing.T) {
	p := loadMaterial(t, "oai-3.1-non-oauth-scopes.yaml")
	pol := policy(t, p, "GET", "/users")
	assert.Equal(t, "bearerAuth[read:users public]", summary(pol), "roles on an http bearer scheme are required like scopes")
	assert.True(t, pol.Alternatives[0][0].Bearer)
	assert.Equal(t, map[string]string{"bearerAuth": "http bearer"}, schemeTypes(p))
}

func TestOAISecuritySchemeObjectExamples(t *testing.T) {
	want31 := map[string]string{
		"JWT-bearer": "http bearer", "OAuth2": "oauth2", "OpenIdConnect": "openIdConnect",
		"apiKey": "apiKey", "basic": "http basic", "mutualTLS": "mutualTLS",
	}
	p31 := loadMaterial(t, "oai-3.1-security-scheme-object-examples.yaml")
	assert.Empty(t, p31.All(), "the document has no paths")
	assert.Equal(t, want31, schemeTypes(p31), "the scheme defined by a network reference is left out")
	o, _ := p31.Scheme("OAuth2")
	assert.Equal(t, []string{"read:pets", "write:pets"}, o.Scopes)
	ws := saying(p31.Warnings(), "cannot be enforced")
	require.Len(t, ws, 1)
	assert.Equal(t, "#/components/securitySchemes/external", ws[0].Pointer)

	p32 := loadMaterial(t, "oai-3.2-security-scheme-object-examples.yaml")
	want32 := map[string]string{"OAuth2Old": "oauth2"}
	for k, v := range want31 {
		want32[k] = v
	}
	assert.Equal(t, want32, schemeTypes(p32), "plus the deprecated scheme 3.2 adds")
	o, _ = p32.Scheme("OAuth2")
	assert.Equal(t, []string{"read:pets", "write:pets"}, o.Scopes, "authorizationCode declares both; deviceAuthorization read:pets")
}

func TestMastodon(t *testing.T) {
	p := loadMaterial(t, "mastodon-3.1.0.json")
	assert.Len(t, p.All(), 210)
	assert.Equal(t, "", p.BasePath(), "https://{hostname}: a server variable and no path")
	assert.Equal(t, map[string]string{"OAuth2": "oauth2"}, schemeTypes(p))
	for route, want := range map[string][2]string{
		"POST /api/v1/accounts":                        {"createAccount", "OAuth2[write:accounts]"},
		"DELETE /api/v1/lists/:id":                     {"deleteList", "OAuth2[write:lists]"},
		"GET /api/v1/accounts/:account_id/collections": {"getAccountCollections", "OAuth2[read:collections]"},
		"GET /api/v1/timelines/tag/:hashtag":           {"getTimelinesTagByHashtag", "OAuth2[read:statuses]"},
		"GET /api/v1/collections/:id":                  {"getCollection", "OAuth2[read:collections]"},
		"GET /api/v1/instance/privacy_policy":          {"getInstancePrivacyPolicy", "-"},
		"GET /api/v1/accounts/familiar_followers":      {"getAccountsFamiliarFollowers", "OAuth2[read:follows]"},
	} {
		method, path, _ := strings.Cut(route, " ")
		pol := policy(t, p, method, path)
		assert.Equal(t, want[0], pol.OperationID, route)
		assert.Equal(t, want[1], summary(pol), route)
	}
	public := 0
	for _, pol := range p.All() {
		if pol.Auth == openapi.AuthNone {
			public++
		}
	}
	assert.Equal(t, 29, public, "210 operations, 181 with a security of their own; the root's is []")
}

// TestAPIsGuruDocuments checks each of the 16 APIs.guru documents: its size, base path,
// schemes and a sample of operations.
func TestAPIsGuruDocuments(t *testing.T) {
	type op struct{ route, id, security string }
	for _, c := range []struct {
		file    string
		ops     int
		base    string
		schemes map[string]string
		sample  []op
	}{
		{"anchore.io.json", 112, "", map[string]string{}, []op{
			{"DELETE /images/{imageDigest}", "delete_image", "-"},
			{"GET /archives/rules", "list_analysis_archive_rules", "-"},
			{"GET /", "ping", "-"},
		}},
		{"apache.org_airflow.json", 73, "/api/v1", map[string]string{"Basic": "http basic", "GoogleOpenId": "openIdConnect", "Kerberos": "http negotiate"}, []op{
			{"PATCH /api/v1/connections/{connection_id}", "patch_connection", "-"},
			{"GET /api/v1/dags", "get_dags", "-"},
			{"POST /api/v1/variables", "post_variables", "-"},
		}},
		{"bitbucket.org.json", 305, "/2.0", map[string]string{"api_key": "apiKey", "basic": "http basic", "oauth2": "oauth2"}, []op{
			{"GET /2.0/repositories/{workspace}/{repo_slug}/commit/{commit}/statuses", "", "oauth2[repository] | basic[] | api_key[]"},
			{"GET /2.0/workspaces/{workspace}/projects/{project_key}/deploy-keys/{key_id}", "", "oauth2[project project:admin] | basic[] | api_key[]"},
			{"PUT /2.0/repositories/{workspace}/{repo_slug}/pipelines_config/build_number", "updateRepositoryBuildNumber", "-"},
			{"DELETE /2.0/addon", "", "oauth2[] | basic[] | api_key[]"},
		}},
		{"box.com.json", 260, "/2.0", map[string]string{"OAuth2Security": "oauth2"}, []op{
			{"GET /2.0/file_version_legal_holds", "get_file_version_legal_holds", "OAuth2Security[]"},
			{"PUT /2.0/folders/{folder_id}/watermark", "put_folders_id_watermark", "OAuth2Security[]"},
			{"GET /api/oauth2/authorize", "get_authorize", "-"},                       // the operation's own server
			{"POST /api/2.0/files/content", "post_files_content", "OAuth2Security[]"}, // upload.box.com
			{"POST /oauth2/token#refresh", "post_oauth2_token#refresh", "-"},
			{"GET /2.0/zip_downloads/{zip_download_id}/content", "get_zip_downloads_id_content", "-"}, // dl.boxcloud.com/2.0
		}},
		{"dracoon.team.json", 297, "/api", map[string]string{"oauth2": "oauth2"}, []op{
			{"POST /api/v4/auth/login", "login", "-"},
			{"GET /api/v4/roles/{role_id}/groups", "requestRoleGroups", "oauth2[]"},
			{"PUT /api/v4/uploads/{token}", "completeFileUploadByToken", "-"},
		}},
		{"drchrono.com.json", 263, "", map[string]string{"drchrono_oauth2": "oauth2"}, []op{
			{"GET /api/allergies", "allergies_list", "drchrono_oauth2[clinical:read clinical:write]"},
			{"GET /api/users/{id}", "users_read", "drchrono_oauth2[]"},
			{"PATCH /api/lab_tests/{id}", "lab_tests_partial_update", "drchrono_oauth2[labs:read labs:write]"},
		}},
		{"evetech.net.json", 206, "/latest", map[string]string{"evesso": "oauth2"}, []op{
			{"GET /latest/alliances/", "get_alliances", "-"},
			{"GET /latest/corporations/{corporation_id}/members/", "get_corporations_corporation_id_members", "evesso[esi-corporations.read_corporation_membership.v1]"},
			{"POST /latest/characters/{character_id}/contacts/", "post_characters_character_id_contacts", "evesso[esi-characters.write_contacts.v1]"},
		}},
		{"figshare.com.json", 136, "/v2", map[string]string{"OAuth2": "oauth2"}, []op{
			{"GET /v2/account", "private_account", "OAuth2[all]"},
			{"GET /v2/projects/{project_id}/articles", "project_articles", "-"},
		}},
		{"just-eat.co.uk.json", 98, "", map[string]string{"Bearer": "http bearer", "api_key": "apiKey", "basic_auth": "http basic", "justeat_adfs": "openIdConnect", "restaurantsignup_jwt": "http bearer"}, []op{
			{"GET /checkout/{tenant}/{checkoutId}", "", "Bearer[]"},
			{"POST /acceptance-requested", "", "-"},
			{"GET /restaurants/{tenant}/{restaurantId}/customerclaims/{id}", "", "Bearer[]"},
		}},
		{"linode.com.json", 350, "/v4", map[string]string{"oauth": "oauth2", "personalAccessToken": "http bearer"}, []op{
			{"GET /v4/account", "getAccount", "personalAccessToken[] | oauth[account:read_only]"},
			{"PUT /v4/account", "updateAccount", "personalAccessToken[] | oauth[account:read_write]"},
			{"POST /v4/volumes/{volumeId}/resize", "resizeVolume", "personalAccessToken[] | oauth[volumes:read_write]"},
		}},
		{"spotify.com_sonallux.json", 89, "/v1", map[string]string{"oauth_2_0": "oauth2"}, []op{
			{"GET /v1/albums", "get-multiple-albums", "oauth_2_0[]"},
			{"GET /v1/me/player/devices", "get-a-users-available-devices", "oauth_2_0[user-read-playback-state]"},
			{"POST /v1/users/{user_id}/playlists", "create-playlist", "oauth_2_0[playlist-modify-public playlist-modify-private]"},
		}},
		{"squareup.com.json", 200, "", map[string]string{"oauth2": "oauth2", "oauth2ClientSecret": "apiKey"}, []op{
			{"POST /mobile/authorization-code", "CreateMobileAuthorizationCode", "oauth2[PAYMENTS_WRITE_IN_PERSON]"},
			{"POST /oauth2/clients/{client_id}/access-token/renew", "RenewToken", "oauth2ClientSecret[]"},
			{"POST /v2/disputes/{dispute_id}/accept", "AcceptDispute", "oauth2[DISPUTES_WRITE]"},
		}},
		{"stream-io-api.com.json", 116, "", map[string]string{"JWT": "apiKey", "api_key": "apiKey", "stream-auth-type": "apiKey"}, []op{
			{"GET /app", "GetApp", "JWT[] + api_key[] + stream-auth-type[] | api_key[] + stream-auth-type[]"},
			{"POST /messages/{id}/action", "RunMessageAction", "JWT[] + api_key[] + stream-auth-type[] | api_key[] + stream-auth-type[]"},
		}},
		{"surevoip.co.uk.json", 30, "", map[string]string{"BasicAuth": "http basic", "OAuth2": "oauth2", "OpenIDConnect": "openIdConnect"}, []op{
			{"GET /", "", "BasicAuth[] | OAuth2[]"},
			{"GET /customers/{account}/announcements/{announcement_id}", "", "BasicAuth[] | OAuth2[]"},
			{"GET /ip-address", "", "-"},
			{"GET /support/ip-address", "", "-"}, // $ref: '#/paths/~1ip-address'
		}},
		{"twitter.com_current.json", 80, "", map[string]string{"BearerToken": "http bearer", "OAuth2UserToken": "oauth2", "UserToken": "http oauth"}, []op{
			{"GET /2/tweets/{id}", "findTweetById", "BearerToken[] | OAuth2UserToken[tweet.read users.read] | UserToken[]"},
			{"DELETE /2/users/{source_user_id}/muting/{target_user_id}", "usersIdUnmute", "OAuth2UserToken[mute.write tweet.read users.read] | UserToken[]"},
			{"POST /2/compliance/jobs", "createBatchComplianceJob", "BearerToken[]"},
		}},
		{"vercel.com.json", 113, "", map[string]string{"bearerToken": "http bearer", "oauth2": "oauth2"}, []op{
			{"POST /registration", "emailLogin", "-"},
			{"POST /v2/domains/{domain}/records", "createRecord", "bearerToken[]"},
			{"PATCH /v9/projects/{idOrName}/env/{id}", "editProjectEnv", "bearerToken[]"},
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			p := loadMaterial(t, "apis-guru/"+c.file)
			assert.Len(t, p.All(), c.ops)
			assert.Equal(t, c.base, p.BasePath())
			assert.Equal(t, c.schemes, schemeTypes(p))
			for _, o := range c.sample {
				method, route, _ := strings.Cut(o.route, " ")
				pol := p.Lookup(method, echoRoute(route))
				if assert.NotNil(t, pol, "%s %s", method, route) {
					assert.Equal(t, o.id, pol.OperationID, o.route)
					assert.Equal(t, o.security, summary(pol), o.route)
				}
			}
		})
	}
}

// TestEveryMaterialDocumentLoads loads every document, checks how many operations it
// has, how many are public and how many require authentication without documenting
// 401 or 403 (counted from the documents), and finds each policy through its own route,
// as a template and in Echo syntax.
func TestEveryMaterialDocumentLoads(t *testing.T) {
	want := map[string]struct{ ops, public, no401 int }{
		"mastodon-3.1.0.json":                            {210, 29, 0},
		"oai-3.0-petstore-nosecurity.yaml":               {3, 3, 0},
		"oai-3.1-non-oauth-scopes.yaml":                  {1, 0, 1},
		"oai-3.1-security-scheme-object-examples.yaml":   {0, 0, 0},
		"oai-3.2-security-scheme-object-examples.yaml":   {0, 0, 0},
		"openapi3-testdata-origin-security.yaml":         {1, 0, 1},
		"openapi3filter-testdata-fixtures-petstore.json": {25, 11, 14},
		"swagger-petstore-3.0.4.yaml":                    {19, 10, 9},
		"swagger-petstore-3.1.0-code-first.yaml":         {3, 0, 3},
		"swagger-petstore-3.1.1-design-first.yaml":       {6, 0, 6},
		"test_spec.yaml":                                 {8, 5, 2},
		"apis-guru/anchore.io.json":                      {112, 112, 0},
		"apis-guru/apache.org_airflow.json":              {73, 73, 0},
		"apis-guru/bitbucket.org.json":                   {305, 90, 61},
		"apis-guru/box.com.json":                         {260, 5, 187},
		"apis-guru/dracoon.team.json":                    {297, 55, 0},
		"apis-guru/drchrono.com.json":                    {263, 0, 0},
		"apis-guru/evetech.net.json":                     {206, 81, 0},
		"apis-guru/figshare.com.json":                    {136, 24, 3},
		"apis-guru/just-eat.co.uk.json":                  {98, 90, 0},
		"apis-guru/linode.com.json":                      {350, 15, 335},
		"apis-guru/spotify.com_sonallux.json":            {89, 0, 0},
		"apis-guru/squareup.com.json":                    {200, 1, 199},
		"apis-guru/stream-io-api.com.json":               {116, 0, 116},
		"apis-guru/surevoip.co.uk.json":                  {30, 6, 22}, // two path items are $refs to others
		"apis-guru/twitter.com_current.json":             {80, 1, 79},
		"apis-guru/vercel.com.json":                      {113, 2, 0},
	}
	files, err := filepath.Glob("testdata/material/*.*")
	require.NoError(t, err)
	guru, err := filepath.Glob("testdata/material/apis-guru/*.json")
	require.NoError(t, err)
	files = append(files, guru...)
	require.Len(t, files, len(want), "every document has its expectation")
	total := 0
	for _, f := range files {
		name := strings.TrimPrefix(filepath.ToSlash(f), "testdata/material/")
		t.Run(name, func(t *testing.T) {
			p := loadMaterial(t, name)
			public := 0
			for _, pol := range p.All() {
				if pol.Auth == openapi.AuthNone {
					public++
				}
				assert.Same(t, pol, p.Lookup(pol.Method, pol.Route), "%s %s", pol.Method, pol.Route)
				if !paramInsideSegment.MatchString(pol.Route) && !strings.Contains(pol.Route, ":") {
					assert.Same(t, pol, p.Lookup(pol.Method, echoRoute(pol.Route)), "%s %s", pol.Method, pol.Route)
				}
				for _, alt := range pol.Alternatives {
					for _, req := range alt {
						assert.NotNil(t, req.Scopes)
						s, declared := p.Scheme(req.Scheme)
						assert.True(t, declared, req.Scheme)
						assert.Equal(t, s.Bearer(), req.Bearer)
					}
				}
			}
			total += len(p.All())
			assert.Len(t, p.All(), want[name].ops)
			assert.Equal(t, want[name].public, public, "public operations")
			assert.Len(t, saying(p.Warnings(), "neither a 401 nor a 403"), want[name].no401)
			// Only drchrono's document has keys meant as access rules that are not
			// enforced (TestDrChronoPermissionsAreNotEnforced).
			assert.Len(t, saying(p.Warnings(), "is not enforced"), map[string]int{"apis-guru/drchrono.com.json": 263}[name])
		})
	}
	assert.Equal(t, 3004, total)
}

// drchrono's document declares x-permissions (["clinical-notes"], ["patients"]...) on
// each of its 263 operations. This package does not enforce that key: every one is a
// warning on its operation, naming x-axioms-permissions.
func TestDrChronoPermissionsAreNotEnforced(t *testing.T) {
	p := loadMaterial(t, "apis-guru/drchrono.com.json")
	ws := saying(p.Warnings(), "is not enforced")
	require.Len(t, ws, 263)
	for _, w := range ws {
		assert.Equal(t, `extension "x-permissions" is not enforced (did you mean "x-axioms-permissions"?)`, w.Message)
		assert.NotEmpty(t, w.Method)
		assert.Equal(t, "#/paths/"+strings.ReplaceAll(w.Path, "/", "~1")+"/"+strings.ToLower(w.Method)+"/x-permissions", w.Pointer)
	}
	get := policy(t, p, "GET", "/api/allergies")
	assert.True(t, get.Permissions.Empty(), "the document's own key grants and requires nothing here")
}

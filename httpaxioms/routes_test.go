package httpaxioms_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
)

// CheckPatterns lists undocumented patterns, unrouted operations, parameter conflicts
// and subtree patterns; Err counts all but the subtrees.
func TestCheckPatterns(t *testing.T) {
	policies, err := openapi.LoadData(testDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	all := []string{"POST /webhooks/{hook}", "PUT /webhooks/{id}", "POST /graphql", "GET /admin/users", "GET /users/{id}",
		"DELETE /users/{a}/follows/{b}", "GET /files/", "GET /docs/{name}", "GET /{$}", "GET /public", "GET /protected", "GET /read"}
	report := httpaxioms.CheckPatterns(all, policies)
	assert.Equal(t, []string{"GET /files/"}, report.Subtrees)
	assert.Empty(t, report.Undocumented)
	assert.Empty(t, report.Unrouted)
	assert.Empty(t, report.Conflicts)
	require.NoError(t, report.Err(), "every operation served, every pattern documented")

	report = httpaxioms.CheckPatterns([]string{
		"/webhooks/{id}",      // every method: POST and PUT are documented
		"/graphql/{x}",        // no method has an operation there
		"GET /admin/users",    //
		"DELETE /admin/users", // the document has no DELETE there
		"GET /docs/{name...}", // a subtree, bound to /docs/{name}
		"GET admin.example/x", // a host without a document
		"/a%2Fb",              // what a template cannot say
		"DELETE /users/{other_id}/follows/{user_id}",
	}, policies)
	assert.Equal(t, []string{"/a%2Fb", "/graphql/{x}", "DELETE /admin/users", "GET admin.example/x"}, report.Undocumented)
	assert.Equal(t, []string{"GET /", "GET /files/", "GET /protected", "GET /public", "GET /read", "GET /users/{id}", "POST /graphql"}, report.Unrouted)
	assert.Equal(t, []string{`DELETE /users/{other_id}/follows/{user_id}: parameter "other_id" is parameter 1 of the route but parameter 2 of the document's DELETE /users/{user_id}/follows/{other_id} (#/paths/~1users~1{user_id}~1follows~1{other_id}/delete)`}, report.Conflicts)
	assert.Equal(t, []string{"GET /docs/{name...}"}, report.Subtrees)
	err = report.Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "patterns without an operation: /a%2Fb, /graphql/{x}, DELETE /admin/users, GET admin.example/x")
	assert.Contains(t, err.Error(), "operations without a pattern: GET /, GET /files/")
	assert.Contains(t, err.Error(), "patterns whose parameters are not where the document has them: DELETE /users/{other_id}")
}

// Config.CheckPatterns checks host patterns against their hosts' documents and leaves
// undocumented patterns out with InsecureAllowUndocumented.
func TestConfigCheckPatterns(t *testing.T) {
	policies, err := openapi.LoadData(testDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	adminPolicies, err := openapi.LoadData(hostDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	cfg := httpaxioms.Config{Policies: policies, Hosts: map[string]httpaxioms.Config{
		"admin.internal": {Policies: adminPolicies},
		"open.internal":  {Policies: adminPolicies, InsecureAllowUndocumented: true},
	}}
	report := cfg.CheckPatterns([]string{"GET /users/{id}", "GET admin.internal/users/{x}", "GET admin.internal/other",
		"GET open.internal/other", "GET nobody.internal/users/{id}"})
	assert.Equal(t, []string{"GET admin.internal/other", "GET nobody.internal/users/{id}"}, report.Undocumented)
	assert.Contains(t, report.Unrouted, "GET open.internal/users/{id}")
	assert.NotContains(t, report.Unrouted, "GET admin.internal/users/{id}")
	assert.NotContains(t, report.Unrouted, "GET /users/{id}")

	cfg.InsecureAllowUndocumented = true
	assert.Equal(t, []string{"GET admin.internal/other", "GET nobody.internal/users/{id}"},
		cfg.CheckPatterns([]string{"GET /late", "GET admin.internal/other", "GET nobody.internal/users/{id}"}).Undocumented,
		"the main document's own setting covers patterns without a host")
}

package enforce_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
)

// TestCompareRoutes: routes marked undocumented are listed, operations are bound per
// document (the same table under two keys is two documents), parameter positions are
// checked, and Err counts all of it in the adapter's words.
func TestCompareRoutes(t *testing.T) {
	policies, err := openapi.LoadData(testDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	op := func(method, route string) *openapi.Policy {
		p := policies.Lookup(method, route)
		require.NotNil(t, p, route)
		return p
	}
	var routes []enforce.Route
	for _, p := range policies.All() {
		routes = append(routes, enforce.Route{Name: p.Method + " " + p.Route, Ops: []*openapi.Policy{p}})
	}
	docs := map[string]*openapi.Policies{"": policies}
	report := enforce.CompareRoutes("myadapter", "", routes, docs)
	assert.Empty(t, report.Undocumented)
	assert.Empty(t, report.Unrouted)
	assert.Empty(t, report.Conflicts)
	require.NoError(t, report.Err())

	docs["admin.example"] = policies
	routes = []enforce.Route{
		{Name: "GET /metrics", Undocumented: true},
		{Name: "GET /users/:uid/:x", Params: []string{"x", "uid"}, Ops: []*openapi.Policy{op("GET", "/users/{uid}")}},
		{Name: "ANY /read", Undocumented: true, Ops: []*openapi.Policy{op("GET", "/read")}},
		{Name: "GET admin.example/public", Doc: "admin.example", Ops: []*openapi.Policy{op("GET", "/public")}},
	}
	report = enforce.CompareRoutes("myadapter", "pattern", routes, docs)
	assert.Equal(t, []string{"ANY /read", "GET /metrics"}, report.Undocumented)
	assert.Contains(t, report.Unrouted, "GET /public", "served under the host's document only")
	assert.Contains(t, report.Unrouted, "GET admin.example/read")
	assert.NotContains(t, report.Unrouted, "GET /read")
	assert.NotContains(t, report.Unrouted, "GET admin.example/public")
	assert.Len(t, report.Unrouted, 2*len(policies.All())-3)
	require.Len(t, report.Conflicts, 1)
	assert.Contains(t, report.Conflicts[0], `GET /users/:uid/:x: parameter "uid" is parameter 2 of the route but parameter 1`)
	assert.Regexp(t, `^myadapter: patterns and API document disagree; patterns without an operation: ANY /read, GET /metrics; `+
		`operations without a pattern: .*; patterns whose parameters are not where the document has them: GET /users/:uid/:x: `, report.Err().Error())

	report.NotFound, report.Subtrees = []string{"/*"}, []string{"/files/"}
	report.Undocumented, report.Unrouted, report.Conflicts = nil, nil, nil
	assert.NoError(t, report.Err(), "NotFound and Subtrees are informational")
	assert.EqualError(t, enforce.RouteReport{Unrouted: []string{"GET /x"}}.Err(),
		"routes and API document disagree; operations without a route: GET /x")
}

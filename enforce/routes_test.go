package enforce_test

import (
	"regexp"
	"slices"
	"strings"
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

// TestCompareRoutesBasePath: when every undocumented route is an unrouted operation once
// the document's base path is put before it, Err says the base path is missing.
func TestCompareRoutesBasePath(t *testing.T) {
	policies, err := openapi.LoadData(testDoc, openapi.LoadOptions{BasePath: "/api/v1"})
	require.NoError(t, err)
	docs := map[string]*openapi.Policies{"": policies}
	var bare []enforce.Route // every operation, registered without the base path
	for _, p := range policies.All() {
		path := strings.TrimPrefix(p.Route, "/api/v1")
		path = regexp.MustCompile(`\{([^}]+)\}`).ReplaceAllString(path, ":$1")
		bare = append(bare, enforce.Route{Name: p.Method + " " + path, Undocumented: true})
	}
	const hint = `under the document's base path "/api/v1": register the routes under it`
	for _, c := range []struct {
		name   string
		routes []enforce.Route
		hint   bool
	}{
		{"all without the base path", bare, true},
		{"one without the base path", bare[:1], true},
		{"and another route", append(slices.Clone(bare), enforce.Route{Name: "GET /metrics", Undocumented: true}), false},
		{"no undocumented route", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := enforce.CompareRoutes("myadapter", "", c.routes, docs).Err()
			require.Error(t, err)
			if c.hint {
				assert.Contains(t, err.Error(), hint)
			} else {
				assert.NotContains(t, err.Error(), "base path")
			}
		})
	}
	noBase, err := openapi.LoadData(testDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	err = enforce.CompareRoutes("myadapter", "", []enforce.Route{{Name: "GET /metrics", Undocumented: true}},
		map[string]*openapi.Policies{"": noBase}).Err()
	assert.NotContains(t, err.Error(), "base path", "a document without a base path")
}

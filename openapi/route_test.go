package openapi_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/axioms-go/axioms-echo/openapi"
)

func TestLookupByShape(t *testing.T) {
	long := "/long/" + strings.Repeat("x", 300) + "/{id}"
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /articles/{article_id}:
    get: {operationId: one, responses: {"401": {description: no}}}
  /articles/{article_id}/comments/{comment_id}:
    get: {operationId: nested, responses: {"401": {description: no}}}
  /articles:
    get: {operationId: list, responses: {"401": {description: no}}}
  /articles/:
    get: {operationId: slash, responses: {"401": {description: no}}}
  /articles/mine:
    get: {operationId: mine, responses: {"401": {description: no}}}
  /files/{name}.{ext}:
    get: {operationId: file, responses: {"401": {description: no}}}
  /jobs/{id}:cancel:
    post: {operationId: cancel, responses: {"401": {description: no}}}
  /v1/a:b:
    get: {operationId: colon, responses: {"401": {description: no}}}
  /static/*:
    get: {operationId: wildcard, responses: {"401": {description: no}}}
  /:
    get: {operationId: root, responses: {"401": {description: no}}}
  `+long+`:
    get: {operationId: long, responses: {"401": {description: no}}}
`))
	for route, want := range map[string]string{
		"/articles/:id":                         "one",
		"/articles/:article_id":                 "one",
		"/articles/{x}":                         "one",
		"/articles/{article_id}":                "one",
		"/articles/:a/comments/:b":              "nested",
		"/articles":                             "list",
		"/articles/":                            "slash",
		"/articles/mine":                        "mine",
		"/files/{n}.{e}":                        "file",
		`/v1/a\:b`:                              "colon",
		"/v1/a:b":                               "", // in Echo, ":b" is a parameter
		"/static/*":                             "wildcard",
		"/":                                     "root",
		strings.ReplaceAll(long, "{id}", ":x"):  "long",
		long:                                    "long",
		"/articles/:id/comments":                "",
		"/articles/1":                           "",
		"/Articles":                             "",
		"//articles":                            "",
		"/articles/:id/":                        "",
		"/files/:name":                          "",
		"":                                      "",
		"/articles/" + strings.Repeat("x", 300): "",
		"/articles/{":                           "",
		"/articles/:":                           "one", // an empty parameter name is still a parameter
	} {
		got := ""
		if pol := p.Lookup("GET", route); pol != nil {
			got = pol.OperationID
		}
		assert.Equal(t, want, got, "GET %s", route)
	}
	assert.Equal(t, "cancel", p.Lookup("POST", "/jobs/{job}:cancel").OperationID, "':' is a literal in templates")
	// In Echo a parameter runs to the next '/': ":job\:cancel" is one parameter, so the
	// route is /jobs/{}, not the custom-method template.
	assert.Nil(t, p.Lookup("POST", `/jobs/:job\:cancel`))
	assert.Nil(t, p.Lookup("get", "/articles"), "methods are compared exactly")
	assert.Nil(t, p.Lookup("HEAD", "/articles"))
	var none *openapi.Policies
	assert.Nil(t, none.Lookup("GET", "/"))
	assert.Nil(t, none.All())
	assert.Empty(t, none.BasePath())
}

func TestEveryPolicyIsFoundByItsRoute(t *testing.T) {
	p := mustLoad(t, doc(`servers: [{url: /api}]
security: [{oauth: []}]`, `
  /a/{x}/b/{y}:
    get: {responses: {"401": {description: no}}}
    post: {responses: {"401": {description: no}}}
  /c:
    put: {responses: {"401": {description: no}}}
`))
	for _, pol := range p.All() {
		assert.Same(t, pol, p.Lookup(pol.Method, pol.Route))
		echo := pol.Route
		for strings.Contains(echo, "{") {
			i, j := strings.Index(echo, "{"), strings.Index(echo, "}")
			echo = echo[:i] + ":p" + echo[j+1:]
		}
		assert.Same(t, pol, p.Lookup(pol.Method, echo), echo)
	}
}

func TestAllIsSortedAndFresh(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /b:
    put: {responses: {"401": {description: no}}}
    get: {responses: {"401": {description: no}}}
  /a/{id}:
    post: {responses: {"401": {description: no}}}
  /a:
    delete: {responses: {"401": {description: no}}}
`))
	var got []string
	for _, pol := range p.All() {
		got = append(got, pol.Method+" "+pol.Path)
	}
	assert.Equal(t, []string{"DELETE /a", "POST /a/{id}", "GET /b", "PUT /b"}, got)
	all := p.All()
	all[0] = nil
	assert.NotNil(t, p.All()[0])
}

func TestLookupDoesNotAllocate(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]`, `
  /articles/{article_id}/comments/{comment_id}:
    get: {responses: {"401": {description: no}}}
`))
	for _, route := range []string{"/articles/:id/comments/:cid", "/articles/{a}/comments/{b}", "/nothing/here"} {
		allocs := testing.AllocsPerRun(1000, func() { p.Lookup("GET", route) })
		assert.Zero(t, allocs, route)
	}
}

// TestConcurrentUse shares one table between goroutines; the race detector checks that
// lookups and evaluations only read it.
func TestConcurrentUse(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: [read]}]
x-axioms-roles: [reader]`, `
  /a/{id}:
    get: {responses: {"401": {description: no}}}
    delete: {security: [{oauth: [admin]}], responses: {"401": {description: no}}}
`))
	pr := &principal{scopes: []string{"read"}, roles: []string{"reader"}}
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 200 {
				if !p.Lookup("GET", "/a/:id").EvaluatePrincipal(pr).Allowed {
					t.Error("GET denied")
				}
				if d := p.Lookup("DELETE", "/a/:x").EvaluatePrincipal(pr); d.Failure != openapi.FailScope {
					t.Errorf("DELETE: %+v", d)
				}
				_ = p.All()
				_ = p.Schemes()
				_ = p.Warnings()
			}
		}()
	}
	for range 8 {
		<-done
	}
}

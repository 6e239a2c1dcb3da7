package openapi_test

import (
	"strings"
	"testing"

	"github.com/axioms-go/axioms-echo/openapi"
)

// FuzzExtensions puts arbitrary YAML into the x-axioms-* extensions: loading must never
// panic, and a document that loads must have well-formed rules.
func FuzzExtensions(f *testing.F) {
	for _, seed := range []string{
		"[admin]", "{anyOf: [a], allOf: [b]}", "[]", "{}", "null", "1", "admin", "[[a]]", "{anyOf: a}",
		"{param: id}", "{field: user, claim: /a~1b}", "{field: user, loader: x, claim: sub}", "{param: id, field: x}",
		`["", a]`, "{oneOf: [a]}", "[a, a]", "!!binary aGVsbG8=", "&a [*a]",
	} {
		f.Add(seed, seed, seed)
	}
	f.Fuzz(func(t *testing.T, roles, perms, owner string) {
		for _, s := range []string{roles, perms, owner} {
			if strings.ContainsAny(s, "\n\r") {
				return // one-line YAML flow values only
			}
		}
		text := doc(`security: [{oauth: []}]`, `
  /x/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: op
      x-axioms-roles: `+roles+`
      x-axioms-permissions: `+perms+`
      x-axioms-owner: `+owner+`
      responses: {"401": {description: no}}
`)
		p, err := openapi.LoadData([]byte(text), openapi.LoadOptions{})
		if err != nil {
			if len(openapi.Problems(err)) == 0 {
				t.Fatalf("error without located problems: %v", err)
			}
			return
		}
		pol := p.Lookup("GET", "/x/:id")
		if pol == nil {
			t.Fatal("policy missing")
		}
		for _, list := range [][]string{pol.Roles.AnyOf, pol.Roles.AllOf, pol.Permissions.AnyOf, pol.Permissions.AllOf} {
			for _, item := range list {
				if strings.TrimSpace(item) == "" {
					t.Fatalf("empty item accepted: %q", list)
				}
			}
		}
		if o := pol.Owner; o != nil {
			if o.Claim == "" || (o.Param == "") == (o.Field == "") || o.Param == "" && o.Loader == "" {
				t.Fatalf("malformed owner rule accepted: %+v", o)
			}
		}
	})
}

// FuzzRouteShape checks that Lookup never panics and finds a template's policy through
// any Echo spelling of it.
func FuzzRouteShape(f *testing.F) {
	p := mustLoadF(f, doc(`security: [{oauth: []}]`, `
  /a/{x}/b/{y}:
    get: {responses: {"401": {description: no}}}
  /files/{name}.{ext}:
    get: {responses: {"401": {description: no}}}
`))
	for _, seed := range []string{"/a/:x/b/:y", "/a/{x}/b/{y}", "/files/{n}.{e}", ":", "{", "}", "\\:", "/a/:/b/:", "", strings.Repeat("/:x", 100)} {
		f.Add("GET", seed)
	}
	f.Fuzz(func(t *testing.T, method, route string) {
		pol := p.Lookup(method, route)
		if pol != nil && pol.Method != method {
			t.Fatalf("%s %s found %s %s", method, route, pol.Method, pol.Path)
		}
		// Renaming Echo parameters never changes the result.
		renamed := strings.ReplaceAll(route, ":x", ":zz")
		if strings.Contains(route, ":x") && !strings.Contains(route, "{") && p.Lookup(method, renamed) != pol {
			t.Fatalf("renaming a parameter changed the lookup of %q", route)
		}
	})
}

func mustLoadF(f *testing.F, text string) *openapi.Policies {
	p, err := openapi.LoadData([]byte(text), openapi.LoadOptions{})
	if err != nil {
		f.Fatal(err)
	}
	return p
}

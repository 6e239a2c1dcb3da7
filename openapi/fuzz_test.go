package openapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/axioms-go/axioms-echo/openapi"
)

// FuzzExtensions puts arbitrary values into the three x-axioms-* extensions of an
// operation, as YAML flow text or as JSON. Loading must never panic; a failure must be
// located; a document that loads must hold well-formed rules; and for JSON values the
// compiled roles and permissions must equal what a decoder written independently here
// makes of them.
func FuzzExtensions(f *testing.F) {
	for _, seed := range []string{
		"[admin]", "{anyOf: [a], allOf: [b]}", "[]", "{}", "null", "1", "admin", "[[a]]", "{anyOf: a}",
		"{param: id}", "{field: user, claim: /a~1b}", "{field: user, loader: x, claim: sub}", "{param: id, field: x}",
		`["", a]`, "{oneOf: [a]}", "[a, a]", "!!binary aGVsbG8=", "&a [*a]", `[" a"]`, "{anyOf: [], allOf: []}",
		`{"anyOf": ["a", "b"], "allOf": ["c"]}`, `["x", 1]`, `{"param": "id", "claim": "/org/id"}`, `true`, `{"anyOf": null}`,
	} {
		f.Add(seed, seed, seed, false)
		f.Add(seed, `["p"]`, `{"param": "id"}`, true)
	}
	f.Fuzz(func(t *testing.T, roles, perms, owner string, asJSON bool) {
		var text string
		if asJSON {
			for _, v := range []string{roles, perms, owner} {
				if !json.Valid([]byte(v)) {
					return
				}
			}
			text = `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
"components": {"securitySchemes": {"oauth": {"type": "http", "scheme": "bearer"}}},
"security": [{"oauth": []}],
"paths": {"/x/{id}": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
  "get": {"operationId": "op", "x-axioms-roles": ` + roles + `, "x-axioms-permissions": ` + perms + `, "x-axioms-owner": ` + owner + `,
    "responses": {"401": {"description": "no"}}}}}}`
		} else {
			for _, s := range []string{roles, perms, owner} {
				if strings.ContainsAny(s, "\n\r") {
					return // one-line YAML flow values only
				}
			}
			text = doc(`security: [{oauth: []}]`, `
  /x/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: op
      x-axioms-roles: `+roles+`
      x-axioms-permissions: `+perms+`
      x-axioms-owner: `+owner+`
      responses: {"401": {description: no}}
`)
		}
		p, err := openapi.LoadData([]byte(text), openapi.LoadOptions{})
		if err != nil {
			problems := openapi.Problems(err)
			if len(problems) == 0 {
				t.Fatalf("error without located problems: %v", err)
			}
			for _, pr := range problems {
				if pr.Pointer == "" && !strings.HasPrefix(pr.Message, "the document cannot be loaded") {
					t.Fatalf("problem without pointer: %v", pr)
				}
			}
		}
		if asJSON {
			for ext, v := range map[string]string{"x-axioms-roles": roles, "x-axioms-permissions": perms} {
				want, valid := decodeConditionIndependently(v)
				if !valid && err == nil {
					t.Fatalf("%s %s accepted", ext, v)
				}
				if valid && err == nil && isPlainASCII(v) {
					pol := p.Lookup("GET", "/x/:id")
					got := pol.Roles
					if ext == "x-axioms-permissions" {
						got = pol.Permissions
					}
					if !slices.Equal(got.AnyOf, want.AnyOf) || !slices.Equal(got.AllOf, want.AllOf) {
						t.Fatalf("%s %s compiled to %+v, want %+v", ext, v, got, want)
					}
				}
				if !valid && err != nil && isPlainASCII(v) && len(saying(openapi.Problems(err), ext+": ")) == 0 {
					t.Fatalf("%s %s: no problem located at it among %v", ext, v, openapi.Problems(err))
				}
			}
		}
		if err != nil {
			return
		}
		pol := p.Lookup("GET", "/x/:id")
		if pol == nil {
			t.Fatal("policy missing")
		}
		for _, list := range [][]string{pol.Roles.AnyOf, pol.Roles.AllOf, pol.Permissions.AnyOf, pol.Permissions.AllOf} {
			for i, item := range list {
				if item == "" || strings.TrimSpace(item) != item || slices.Contains(list[:i], item) {
					t.Fatalf("malformed item accepted: %q", list)
				}
			}
		}
		if o := pol.Owner; o != nil {
			paramForm := o.Param != ""
			if o.Claim == "" || paramForm && (o.Field != "" || o.Loader != "" || o.Param != "id") || !paramForm && (o.Field == "" || o.Loader == "") {
				t.Fatalf("malformed owner rule accepted: %+v", o)
			}
		}
	})
}

// decodeConditionIndependently decodes a JSON roles or permissions value by the rules of
// the package documentation, without its code.
func decodeConditionIndependently(text string) (openapi.Condition, bool) {
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return openapi.Condition{}, false
	}
	list := func(x any) ([]string, bool) {
		items, ok := x.([]any)
		if !ok {
			return nil, false
		}
		var out []string
		for _, item := range items {
			s, ok := item.(string)
			if !ok || s == "" || strings.TrimSpace(s) != s || slices.Contains(out, s) {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	switch t := v.(type) {
	case []any:
		l, ok := list(t)
		return openapi.Condition{AnyOf: l}, ok
	case map[string]any:
		var c openapi.Condition
		for k, x := range t {
			l, ok := list(x)
			switch {
			case !ok:
				return openapi.Condition{}, false
			case k == "anyOf":
				c.AnyOf = l
			case k == "allOf":
				c.AllOf = l
			default:
				return openapi.Condition{}, false
			}
		}
		return c, true
	}
	return openapi.Condition{}, false
}

// isPlainASCII reports whether text is printable ASCII without escapes, where YAML and
// JSON (kin-openapi tries both) cannot disagree on what the text means.
func isPlainASCII(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] < ' ' || text[i] > '~' || text[i] == '\\' {
			return false
		}
	}
	return true
}

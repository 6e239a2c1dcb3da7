package openapi_test

import (
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/axioms-go/axioms-echo/openapi"
)

// The operation FuzzExtensions puts values on, and the pointers of its extensions.
const (
	fuzzOpPtr    = "#/paths/~1x~1{id}/get"
	fuzzRolesPtr = fuzzOpPtr + "/x-axioms-roles"
	fuzzPermsPtr = fuzzOpPtr + "/x-axioms-permissions"
	fuzzOwnerPtr = fuzzOpPtr + "/x-axioms-owner"
)

// FuzzExtensions puts arbitrary values into the three x-axioms-* extensions of an
// operation, as YAML flow text or as JSON. Loading must never panic; a failure must be
// located; a document that loads must hold well-formed rules. The values kin-openapi
// parses (in either syntax) are then decoded by decoders written independently here:
// an extension they reject must have a problem located at it, one they accept must have
// none, and when they accept all three the document must load with exactly the roles,
// permissions and owner rule they make of them.
func FuzzExtensions(f *testing.F) {
	for _, seed := range []string{
		"[admin]", "{anyOf: [a], allOf: [b]}", "[]", "{}", "null", "1", "admin", "[[a]]", "{anyOf: a}",
		"{param: id}", "{field: user, claim: /a~1b}", "{field: user, loader: x, claim: sub}", "{param: id, field: x}",
		`["", a]`, "{oneOf: [a]}", "[a, a]", "!!binary aGVsbG8=", "&a [*a]", `[" a"]`, "{anyOf: [], allOf: []}",
		`{"anyOf": ["a", "b"], "allOf": ["c"]}`, `["x", 1]`, `{"param": "id", "claim": "/org/id"}`, `true`, `{"anyOf": null}`,
		"{param: other}", "{param: id, loader: l}", "{claim: /a~2}", "{claim: ~}", "{field: ' x'}", "{loader: ''}",
		`{"claim": "cognito:username"}`, `{"param": "id", "param": "id"}`, "{anyOf: [a], allOf: [a]}", "{allOf: [1]}",
	} {
		f.Add(seed, seed, seed, false)
		f.Add(seed, `["p"]`, `{"param": "id"}`, true)
		f.Add(`["r"]`, seed, `{}`, false)
		f.Add(`["r"]`, `{"allOf": ["p"]}`, seed, false)
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
		problems := openapi.Problems(err)
		if err != nil {
			if len(problems) == 0 {
				t.Fatalf("error without located problems: %v", err)
			}
			for _, pr := range problems {
				if pr.Pointer == "" && !strings.HasPrefix(pr.Message, "the document cannot be loaded") {
					t.Fatalf("problem without pointer: %v", pr)
				}
			}
		}
		if err == nil {
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
		}

		// The oracle, on the values as kin-openapi parses them. References are renamed
		// before kin-openapi sees a document (refs.go), so values holding one are left out.
		if strings.Contains(roles+perms+owner, "$ref") {
			return
		}
		kin, kinErr := openapi3.NewLoader().LoadFromData([]byte(text))
		if kinErr != nil {
			if err == nil {
				t.Fatalf("kin-openapi cannot parse a document that loads: %v", kinErr)
			}
			return
		}
		// A YAML value may swallow the lines after it (an unclosed quote): an extension
		// kin-openapi does not find is not declared, which is valid and requires nothing.
		op := kin.Paths.Value("/x/{id}").Get
		wantRoles, rolesOK := openapi.Condition{}, true
		if v, declared := op.Extensions["x-axioms-roles"]; declared {
			wantRoles, rolesOK = decodeConditionIndependently(v)
		}
		wantPerms, permsOK := openapi.Condition{}, true
		if v, declared := op.Extensions["x-axioms-permissions"]; declared {
			wantPerms, permsOK = decodeConditionIndependently(v)
		}
		var wantOwner *openapi.Owner
		ownerOK := true
		if v, declared := op.Extensions["x-axioms-owner"]; declared {
			var o openapi.Owner
			o, ownerOK = decodeOwnerIndependently(v, op.OperationID)
			wantOwner = &o
			if o.Param != "" && o.Param != "id" {
				ownerOK = false // the operation's one path parameter is id
			}
		}
		for _, c := range []struct {
			ptr   string
			valid bool
		}{{fuzzRolesPtr, rolesOK}, {fuzzPermsPtr, permsOK}, {fuzzOwnerPtr, ownerOK}} {
			located := slices.ContainsFunc(problems, func(pr *openapi.Problem) bool { return !pr.Warning && pr.Pointer == c.ptr })
			if c.valid == located {
				t.Fatalf("%s: valid %v by the independent decoder, problems %v", c.ptr, c.valid, problems)
			}
		}
		if !rolesOK || !permsOK || !ownerOK {
			return
		}
		if err != nil {
			t.Fatalf("every extension is valid, yet: %v", err)
		}
		pol := p.Lookup("GET", "/x/:id")
		sameOwner := pol.Owner == nil && wantOwner == nil || pol.Owner != nil && wantOwner != nil && *pol.Owner == *wantOwner
		if !sameCondition(pol.Roles, wantRoles) || !sameCondition(pol.Permissions, wantPerms) || !sameOwner {
			t.Fatalf("compiled roles %+v, permissions %+v, owner %+v; want %+v, %+v, %+v", pol.Roles, pol.Permissions, pol.Owner, wantRoles, wantPerms, wantOwner)
		}
	})
}

// FuzzDecodeCondition checks the roles and permissions decoder against the independent
// one, on JSON values (kin-openapi hands YAML values over in the same types).
func FuzzDecodeCondition(f *testing.F) {
	for _, seed := range []string{
		`["a"]`, `[]`, `{}`, `null`, `1`, `"a"`, `true`, `[["a"]]`, `["a", "a"]`, `["", "a"]`, `[" a"]`, `["a\t"]`,
		`{"anyOf": ["a"], "allOf": ["b"]}`, `{"anyOf": []}`, `{"allOf": null}`, `{"anyOf": "a"}`, `{"oneOf": ["a"]}`,
		`{"anyOf": ["a"], "any": []}`, `["x", 1]`, `{"allOf": ["a", {"b": 1}]}`, `["\u00a0a"]`, `{"anyOf": ["a"], "allOf": ["a"]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var v any
		if json.Unmarshal([]byte(text), &v) != nil {
			return
		}
		got, problem := openapi.DecodeCondition(v)
		want, ok := decodeConditionIndependently(v)
		switch {
		case ok && problem != "":
			t.Fatalf("%s rejected (%s); want %+v", text, problem, want)
		case !ok && problem == "":
			t.Fatalf("%s accepted as %+v", text, got)
		case !ok && !got.Empty():
			t.Fatalf("%s rejected, yet decoded to %+v", text, got)
		case ok && !sameCondition(got, want):
			t.Fatalf("%s decoded to %+v, want %+v", text, got, want)
		}
	})
}

// FuzzDecodeOwner checks the x-axioms-owner decoder against the independent one, on JSON
// values. The decoder leaves the default loader (the operationId) empty for the
// compiler to fill in.
func FuzzDecodeOwner(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `[]`, `"id"`, `1`, `{"param": "id"}`, `{"param": "id", "claim": "/org/id"}`, `{"param": "id", "field": "user"}`,
		`{"param": "id", "loader": "l"}`, `{"field": "owner", "claim": "cognito:username", "loader": "getDoc"}`, `{"loader": "l"}`,
		`{"claim": "/a~1b~0c"}`, `{"claim": "/a~2"}`, `{"claim": "/a~"}`, `{"claim": "a~"}`, `{"param": ""}`, `{"field": " x"}`,
		`{"param": 1}`, `{"param": null}`, `{"Param": "id"}`, `{"param": "id", "extra": "x"}`, `{"claim": "/"}`, `{"claim": "//"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var v any
		if json.Unmarshal([]byte(text), &v) != nil {
			return
		}
		got, problem := openapi.DecodeOwner(v)
		want, ok := decodeOwnerIndependently(v, "")
		switch {
		case ok && problem != "":
			t.Fatalf("%s rejected (%s); want %+v", text, problem, want)
		case !ok && problem == "":
			t.Fatalf("%s accepted as %+v", text, got)
		case !ok && got != openapi.Owner{}:
			t.Fatalf("%s rejected, yet decoded to %+v", text, got)
		case ok && got != want:
			t.Fatalf("%s decoded to %+v, want %+v", text, got, want)
		}
	})
}

// decodeConditionIndependently decodes a roles or permissions value by the rules of the
// package documentation, without its code: a list of distinct, non-empty strings
// without surrounding spaces (any of), or an object whose only keys are anyOf and allOf,
// each such a list.
func decodeConditionIndependently(v any) (openapi.Condition, bool) {
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
		if !ok {
			return openapi.Condition{}, false
		}
		return openapi.Condition{AnyOf: l}, true
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

// jsonPointer matches an RFC 6901 JSON Pointer: every '~' escapes '/' (~1) or '~' (~0).
var jsonPointer = regexp.MustCompile(`^(/([^~/]|~[01])*)+$`)

// decodeOwnerIndependently decodes an x-axioms-owner value by the rules of the package
// documentation, without its code. The allowed forms are {param, claim} and {field,
// claim, loader}: no other key, every value a non-empty string without surrounding
// spaces, param excluding field and loader. claim defaults to "sub" and, when it starts
// with '/', must be a JSON Pointer; field defaults to "user", loader to operationID.
func decodeOwnerIndependently(v any, operationID string) (openapi.Owner, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return openapi.Owner{}, false
	}
	vals := map[string]string{}
	for k, x := range m {
		s, ok := x.(string)
		if !ok || s == "" || strings.TrimSpace(s) != s || !slices.Contains([]string{"param", "field", "claim", "loader"}, k) {
			return openapi.Owner{}, false
		}
		vals[k] = s
	}
	claim := cmp.Or(vals["claim"], "sub")
	if strings.HasPrefix(claim, "/") && !jsonPointer.MatchString(claim) {
		return openapi.Owner{}, false
	}
	if param := vals["param"]; param != "" {
		if vals["field"] != "" || vals["loader"] != "" {
			return openapi.Owner{}, false
		}
		return openapi.Owner{Param: param, Claim: claim}, true
	}
	return openapi.Owner{Field: cmp.Or(vals["field"], "user"), Claim: claim, Loader: cmp.Or(vals["loader"], operationID)}, true
}

// sameCondition compares conditions item by item (an empty list and nil are the same).
func sameCondition(a, b openapi.Condition) bool {
	return slices.Equal(a.AnyOf, b.AnyOf) && slices.Equal(a.AllOf, b.AllOf)
}

package openapi_test

import (
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"golang.org/x/text/unicode/norm"

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

// FuzzExtensionKeys puts an arbitrary key (value ["a"]) on the document root, the path
// item or the operation of a JSON document. Loading must never panic and every problem
// must be located. The key is then classified by a fold written independently here
// (compatibility normalisation, dashes and connectors read as '-', white space, control
// and format characters removed, lower case; the package's fold may remove or map a few
// more characters, never fewer):
//
//   - a key that folds to an x-axioms-* key without being one must fail loading, with a
//     problem located at it;
//   - a key that folds to x-roles, x-permissions, x-scopes or x-owner (or a singular)
//     must be a warning located at it, and no error;
//   - a key whose fold is plain ASCII and is neither of those nor a near miss (starting
//     with x-axiom, within two edits of a known key) must have no problem at all.
func FuzzExtensionKeys(f *testing.F) {
	for _, seed := range []string{
		"x-axioms-roles", "x-axioms-permissions", "x\u2010axioms\u2010roles", "x\u2013axioms\u2013roles",
		"x\u2212axioms\u2212permissions", "\uff58-axioms-roles", "\u00a0x-axioms-roles", "x-axioms\u200b-roles",
		"\ufeffx-axioms-permissions", "X-AXIOMS-ROLES", "x-axioms-roles ", "x\ufe58axioms\ufe58roles", "\U0001D431-axioms-roles",
		"x-roles", "X_Permissions", "x\u2010scopes", "x-owner", "x-foo", "x-amazon-apigateway-integration", "x-größe",
		"x-rôles", "\u0445-axioms-roles", "x-axiom", "description", "x-axioms-owner\u0301", "x-\u212axioms",
	} {
		for level := range 3 {
			f.Add(seed, uint8(level))
		}
	}
	f.Fuzz(func(t *testing.T, key string, level uint8) {
		level %= 3
		if !utf8.ValidString(key) || strings.Contains(key, "$ref") || slices.ContainsFunc(openAPIFields, func(field string) bool { return strings.EqualFold(field, key) }) {
			return // another member of the object, or a reference, not an extension
		}
		k, err := json.Marshal(key)
		if err != nil {
			return
		}
		member := map[bool]string{true: string(k) + `: ["a"], `}
		text := `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
"components": {"securitySchemes": {"oauth": {"type": "http", "scheme": "bearer"}}},
"security": [{"oauth": []}], ` + member[level == 0] + `
"paths": {"/x": {` + member[level == 1] + `"get": {` + member[level == 2] + `"responses": {"401": {"description": "no"}}}}}}`
		_, err = openapi.LoadData([]byte(text), openapi.LoadOptions{})
		problems := openapi.Problems(err)
		if err != nil && len(problems) == 0 {
			t.Fatalf("error without located problems: %v", err)
		}
		if len(problems) == 1 && strings.HasPrefix(problems[0].Message, "the document cannot be loaded") {
			return // kin-openapi's parser rejects the key
		}
		var warnings []*openapi.Problem
		if err != nil {
			warnings = openapi.Warnings(err)
		} else {
			p, _ := openapi.LoadData([]byte(text), openapi.LoadOptions{})
			warnings = p.Warnings()
		}
		ptr := []string{"#/", "#/paths/~1x/", "#/paths/~1x/get/"}[level] + strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
		atKey := func(list []*openapi.Problem) bool {
			return slices.ContainsFunc(list, func(p *openapi.Problem) bool { return p.Pointer == ptr })
		}
		fold := foldIndependently(key)
		known := []string{"x-axioms-roles", "x-axioms-permissions", "x-axioms-owner"}
		switch {
		case slices.Contains(known, key):
		case slices.Contains(known, fold):
			if !atKey(problems) {
				t.Fatalf("%+q folds to %q, yet no error at %s: %v", key, fold, ptr, problems)
			}
		case slices.Contains([]string{"x-roles", "x-role", "x-permissions", "x-permission", "x-scopes", "x-scope", "x-owner"}, fold):
			if !atKey(warnings) || atKey(problems) {
				t.Fatalf("%+q folds to %q: want a warning and no error at %s; errors %v, warnings %v", key, fold, ptr, problems, warnings)
			}
		case isASCII(fold) && !strings.HasPrefix(fold, "x-axiom") && !slices.ContainsFunc(known, func(k string) bool { return levenshtein(fold, k) <= 2 }):
			if atKey(problems) || atKey(warnings) {
				t.Fatalf("%+q (fold %q) is not this package's, yet errors %v, warnings %v", key, fold, problems, warnings)
			}
		}
	})
}

// openAPIFields are the fixed fields of the document root, a path item and an
// operation, where FuzzExtensionKeys puts its key.
var openAPIFields = []string{
	"openapi", "$self", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs",
	"summary", "description", "get", "put", "post", "delete", "options", "head", "patch", "trace", "query", "additionalOperations", "parameters",
	"operationId", "requestBody", "responses", "callbacks", "deprecated",
}

// foldIndependently folds a key by the rules of the package documentation, without its
// code: NFKC, then dashes (Pd), connectors (Pc) and the minus sign read as '-', white
// space, control and format characters dropped, letters lower-cased.
func foldIndependently(k string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.Is(unicode.Pd, r) || unicode.Is(unicode.Pc, r) || r == '\u2212':
			return '-'
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return unicode.ToLower(r)
	}, norm.NFKC.String(k))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// levenshtein is the edit distance of two ASCII strings.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+map[bool]int{true: 0, false: 1}[a[i-1] == b[j-1]])
		}
		prev = cur
	}
	return prev[len(b)]
}

// FuzzDecodeDPoP checks the x-axioms-dpop decoder on JSON values and through a loaded
// document: exactly the strings "required" and "allowed" are accepted, as their modes,
// and anything else is a located load error, never a scheme without DPoP.
func FuzzDecodeDPoP(f *testing.F) {
	for _, seed := range []string{`"required"`, `"allowed"`, `"Required"`, `"none"`, `""`, `" required"`, `"requіred"`,
		`true`, `1`, `null`, `["required"]`, `{"mode": "required"}`, `"allowed\u0000"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var v any
		if json.Unmarshal([]byte(text), &v) != nil {
			return
		}
		mode, problem := openapi.DecodeDPoP(v)
		switch v {
		case "required":
			if mode != openapi.DPoPRequired || problem != "" {
				t.Fatalf("%s decoded to %v (%q)", text, mode, problem)
			}
		case "allowed":
			if mode != openapi.DPoPAllowed || problem != "" {
				t.Fatalf("%s decoded to %v (%q)", text, mode, problem)
			}
		default:
			if problem == "" || mode != openapi.DPoPNone {
				t.Fatalf("%s accepted as %v", text, mode)
			}
		}
		doc := `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
"components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer", "x-axioms-dpop": ` + text + `}}},
"paths": {"/x": {"get": {"security": [{"b": []}], "responses": {"401": {"description": "no"}}}}}}`
		p, err := openapi.LoadData([]byte(doc), openapi.LoadOptions{})
		if problem != "" {
			if err == nil {
				t.Fatalf("%s loaded", text)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if got := p.Lookup("GET", "/x").Alternatives[0][0].DPoP; got != mode {
			t.Fatalf("%s compiled to %v, want %v", text, got, mode)
		}
	})
}

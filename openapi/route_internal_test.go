package openapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestShapes(t *testing.T) {
	for tmpl, want := range map[string]string{
		"/articles/{article_id}":      "/articles/{}",
		"/a/{x}/b/{y}":                "/a/{}/b/{}",
		"/files/{name}.{ext}":         "/files/{}.{}",
		"/jobs/{id}:cancel":           "/jobs/{}:cancel",
		"/{}":                         "/{}",
		"/a/{unclosed":                "/a/{unclosed",
		"/a/}{":                       "/a/}{",
		"/a/{x}}":                     "/a/{}}",
		"":                            "",
		"/v1/a:b":                     "/v1/a:b",
		"/folders/{id}#remove_shared": "/folders/{}#remove_shared",
	} {
		assert.Equal(t, want, string(appendTemplateShape(nil, tmpl)), tmpl)
	}
	for route, want := range map[string]string{
		"/articles/:id":          "/articles/{}",
		"/a/:x/b/:y":             "/a/{}/b/{}",
		`/v1/a\:b`:               "/v1/a:b",
		"/v1/a:b":                "/v1/a{}",
		`/jobs/:id\:cancel`:      "/jobs/{}",
		"/:":                     "/{}",
		"/static/*":              "/static/*",
		"/articles/{article_id}": "/articles/{}",
		":a:b/c":                 "{}/c",
		`\:`:                     ":",
		`\`:                      `\`,
	} {
		assert.Equal(t, want, string(appendRouteShape(nil, route)), route)
	}
}

// echoSpelling writes template the way an Echo route would: each {name} becomes :param, and
// a literal ':' becomes "\:". ok is false when Echo cannot express the template: a
// parameter that does not end its segment (Echo parameters run to the next '/'),
// unbalanced braces, or a backslash.
func echoSpelling(template, param string) (route string, ok bool) {
	if strings.ContainsRune(template, '\\') {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(template); i++ {
		switch c := template[i]; c {
		case '{':
			end := strings.IndexByte(template[i:], '}')
			if end < 0 {
				return "", false
			}
			if i+end+1 < len(template) && template[i+end+1] != '/' {
				return "", false
			}
			if strings.ContainsRune(template[i+1:i+end], '{') {
				return "", false
			}
			b.WriteString(":" + param)
			i += end
		case '}':
			return "", false
		case ':':
			b.WriteString(`\:`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// FuzzRouteShape checks route normalisation against the compiled keys: Lookup never
// panics, finds a template's policy through the template itself and through every Echo
// spelling of it, whatever the parameter names, and finds nothing whose shape differs.
func FuzzRouteShape(f *testing.F) {
	for _, seed := range [][2]string{
		{"/a/{x}/b/{y}", "/a/:x/b/:y"}, {"/files/{name}.{ext}", "/files/{n}.{e}"}, {"/jobs/{id}:cancel", `/jobs/:id\:cancel`},
		{"/v1/a:b", `/v1/a\:b`}, {"/", ""}, {"{", "}"}, {"/{}", "/:"}, {"/a/{x}", "/a/{x"},
		{strings.Repeat("/{x}", 100), strings.Repeat("/:x", 100)}, {"/x" + strings.Repeat("y", 300), "\\"},
	} {
		f.Add("GET", seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, method, template, route string) {
		pol := &Policy{Method: method, Path: template, Route: template}
		key := templateKey(method, template)
		ps := &Policies{byKey: map[string]*Policy{key: pol}}

		// Any route: no panic, and a match only when the shapes agree.
		if got := ps.Lookup(method, route); got != nil {
			if shape := method + " " + string(appendRouteShape(nil, route)); shape != key {
				t.Fatalf("%q found %q: shape %q, key %q", route, template, shape, key)
			}
		} else if method+" "+string(appendRouteShape(nil, route)) == key {
			t.Fatalf("%q has the key of %q but was not found", route, template)
		}
		if ps.Lookup(method+"x", route) != nil {
			t.Fatal("another method matched")
		}

		// The template itself, as Policy.Route is looked up.
		if strings.ContainsRune(template, '{') && ps.Lookup(method, template) != pol {
			t.Fatalf("template %q not found by itself", template)
		}
		// Its Echo spellings, with any parameter names.
		for _, param := range []string{"p", "", "some_id"} {
			if echo, ok := echoSpelling(template, param); ok && ps.Lookup(method, echo) != pol {
				t.Fatalf("template %q not found by its Echo route %q", template, echo)
			}
		}
	})
}

package httpaxioms

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// parsePattern reads patterns as net/http's ServeMux does.
func TestParsePattern(t *testing.T) {
	for _, c := range []struct {
		in   string
		want pattern
	}{
		{"/articles", pattern{route: "/articles", path: "/articles", template: "/articles", segments: 1, valid: true}},
		{"GET /articles/{id}", pattern{method: "GET", route: "/articles/{id}", path: "/articles/{id}", template: "/articles/{id}",
			names: []string{"id"}, segments: 2, valid: true}},
		{"POST\t  api.example.com/v1/{a}/x/{b}", pattern{method: "POST", host: "api.example.com", route: "api.example.com/v1/{a}/x/{b}",
			path: "/v1/{a}/x/{b}", template: "/v1/{a}/x/{b}", names: []string{"a", "b"}, segments: 4, valid: true}},
		{"/files/", pattern{route: "/files/", path: "/files/", template: "/files/", subtree: true, segments: 2, valid: true}},
		{"/", pattern{route: "/", path: "/", template: "/", subtree: true, segments: 1, valid: true}},
		{"GET /{$}", pattern{method: "GET", route: "/{$}", path: "/{$}", template: "/", segments: 1, valid: true}},
		{"/files/{path...}", pattern{route: "/files/{path...}", path: "/files/{path...}", template: "/files/{path}",
			names: []string{"path"}, subtree: true, rest: "path", segments: 2, valid: true}},
		{"/jobs/x:cancel", pattern{route: "/jobs/x:cancel", path: "/jobs/x:cancel", template: `/jobs/x\:cancel`, segments: 2, valid: true}},
		{"/jobs/{id}/x:cancel", pattern{route: "/jobs/{id}/x:cancel", path: "/jobs/{id}/x:cancel", template: "/jobs/{id}/x:cancel",
			names: []string{"id"}, segments: 3, valid: true}},
		{"/caf%C3%A9", pattern{route: "/caf%C3%A9", path: "/caf%C3%A9", template: "/café", segments: 1, valid: true}},
		// What a path template cannot say: the pattern serves no operation.
		{"/a%2Fb", pattern{route: "/a%2Fb", path: "/a%2Fb", segments: 1}},
		{"/a%7Bb%7D", pattern{route: "/a%7Bb%7D", path: "/a%7Bb%7D", segments: 1}},
		{`/a\b`, pattern{route: `/a\b`, path: `/a\b`, segments: 1}},
		{"/{$}/x", pattern{route: "/{$}/x", path: "/{$}/x", segments: 1}},
		{"/{a...}/x", pattern{route: "/{a...}/x", path: "/{a...}/x", segments: 1}},
		{"/{}", pattern{route: "/{}", path: "/{}", segments: 1}},
		{"/{a", pattern{route: "/{a", path: "/{a", segments: 1}},
		{"GET example.com", pattern{method: "GET", route: "example.com"}},
		{"", pattern{}},
	} {
		assert.Equal(t, c.want, parsePattern(c.in), c.in)
	}
}

// A subtree pattern covers the requests that are instances of its template only.
func TestPatternCovers(t *testing.T) {
	for _, c := range []struct {
		pattern, target string
		covers          bool
	}{
		{"/files/", "/files/", true},
		{"/files/", "/files/x", false},
		{"/files/", "/files/x/", false},
		{"/", "/", true},
		{"/", "/x", false},
		{"/users/{id}/", "/users/7/", true},
		{"/users/{id}/", "/users/7/x", false},
		{"/docs/{name...}", "/docs/a", true},
		{"/docs/{name...}", "/docs/", false},
		{"/docs/{name...}", "/docs/a/b", false},
		{"/docs/{name...}", "/docs/a%2Fb", false},
		{"/users/{id}", "/users/a/b", true}, // not a subtree: the mux matched it, it is an instance
	} {
		p := parsePattern(c.pattern)
		r := httptest.NewRequest("GET", c.target, nil)
		if p.rest != "" {
			r.SetPathValue(p.rest, r.URL.Path[len("/docs/"):])
			if c.target == "/docs/a%2Fb" {
				r.SetPathValue(p.rest, "a/b")
			}
		}
		assert.Equal(t, c.covers, p.covers(r), "%s %s", c.pattern, c.target)
	}
}

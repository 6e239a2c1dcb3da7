package openapi

import "strings"

// Route shapes. A path template ("/articles/{article_id}") and an Echo route
// ("/articles/:id") have the same shape when they differ only in parameter names: each
// parameter becomes "{}". In a template, a segment may mix literals and parameters
// ("/files/{name}.{ext}" → "/files/{}.{}") and ':' is literal ("/jobs/{id}:cancel").
// In an Echo route, ':' starts a parameter that runs to the next '/' (as in Echo's
// router), "\:" outside a parameter is a literal colon, and the "*" wildcard is kept as
// written.

// appendTemplateShape appends the shape of an OpenAPI path template.
func appendTemplateShape(dst []byte, p string) []byte {
	for i := 0; i < len(p); i++ {
		if p[i] != '{' {
			dst = append(dst, p[i])
			continue
		}
		end := strings.IndexByte(p[i:], '}')
		if end < 0 {
			return append(dst, p[i:]...) // unbalanced: kept literally
		}
		dst = append(dst, '{', '}')
		i += end
	}
	return dst
}

// appendRouteShape appends the shape of an Echo route path. A path holding '{' is read as
// a template, so Lookup also accepts the document's own templates. Literal runs are
// copied in bulk: this is on every request's path.
func appendRouteShape(dst []byte, p string) []byte {
	if strings.IndexByte(p, '{') >= 0 {
		return appendTemplateShape(dst, p)
	}
	for {
		i := strings.IndexByte(p, ':')
		if i < 0 {
			return append(dst, p...)
		}
		if i > 0 && p[i-1] == '\\' { // an escaped, literal colon
			dst = append(dst, p[:i-1]...)
			dst = append(dst, ':')
			p = p[i+1:]
			continue
		}
		dst = append(dst, p[:i]...)
		dst = append(dst, '{', '}')
		p = p[i+1:]
		if j := strings.IndexByte(p, '/'); j >= 0 {
			p = p[j:]
		} else {
			return dst
		}
	}
}

// keyBufferSize is the stack buffer Lookup builds keys in; longer routes allocate.
const keyBufferSize = 128

// Lookup returns the policy for method and an Echo route path, or nil when the document
// has no such operation. route is what Echo matched (c.Path(): group prefixes and base
// path included, parameters as ":name", e.g. "/v1/articles/:id"); a path holding '{' is
// read as an OpenAPI template instead, so [Policy.Route] finds its own policy. Routes
// are compared by shape: parameter names need not agree with the document's. The
// method is compared exactly (Echo uses upper case).
//
// Lookup is one map access and does not allocate unless method and route together exceed
// 128 bytes (then it allocates once). It is safe for concurrent use; a nil *Policies
// finds nothing.
func (p *Policies) Lookup(method, route string) *Policy {
	if p == nil {
		return nil
	}
	var buf [keyBufferSize]byte
	key := append(buf[:0], method...)
	key = append(key, ' ')
	key = appendRouteShape(key, route)
	return p.byKey[string(key)]
}

// templateKey is the key an operation is stored under.
func templateKey(method, route string) string {
	var buf [keyBufferSize]byte
	return string(appendTemplateShape(append(append(buf[:0], method...), ' '), route))
}

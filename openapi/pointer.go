package openapi

import "strings"

// JSON Pointers (RFC 6901), as problems locate what they are about: '#' followed by
// reference tokens, each prefixed by '/', with '~' and '/' inside a token escaped as ~0
// and ~1. Nothing is percent-encoded.

// pointer builds a JSON Pointer prefixed by '#' from unescaped reference tokens.
func pointer(tokens ...string) string { return child("#", tokens...) }

// child appends unescaped reference tokens to the JSON Pointer ptr. It allocates once:
// documents have thousands of pointers.
func child(ptr string, tokens ...string) string {
	n := len(ptr)
	for _, t := range tokens {
		n += 1 + len(t) + strings.Count(t, "~") + strings.Count(t, "/")
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(ptr)
	for _, t := range tokens {
		b.WriteByte('/')
		for {
			i := strings.IndexAny(t, "~/")
			if i < 0 {
				b.WriteString(t)
				break
			}
			b.WriteString(t[:i])
			if t[i] == '~' {
				b.WriteString("~0")
			} else {
				b.WriteString("~1")
			}
			t = t[i+1:]
		}
	}
	return b.String()
}

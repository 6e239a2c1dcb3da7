package httpaxioms

import (
	"net/http"
	"net/url"
	"strings"
)

// pattern is what a ServeMux pattern ("[METHOD ][HOST]/[PATH]") says about the requests
// its handler serves, read the way net/http reads it.
type pattern struct {
	// method is the pattern's method, "" when it matches every method.
	method string
	// host is the pattern's host, "" when it matches every host.
	host string
	// route is the host and path as written ("admin.example.com/users/{id}"): the Route
	// of audit records.
	route string
	// path is the path as written ("/users/{id}"), without the host.
	path string
	// template is the path as an OpenAPI path template ("/users/{id}", "{$}" dropped, a
	// "{name...}" wildcard written "{name}"), in the form Policies.Lookup reads: a
	// template without parameters has its colons escaped, since Lookup reads such a
	// path as an Echo route.
	template string
	// names are the wildcard names of the path, in order: what Request.PathValue reads.
	names []string
	// subtree is set for a pattern that matches paths below its own: a trailing slash
	// ("/files/") or a trailing "{name...}" wildcard. Such a pattern is bound to the
	// operation of its template only for a request that is an instance of it: the
	// pattern's own path for a trailing slash (segments counts its segments), one
	// non-empty segment in the wildcard for "{name...}" (rest names it).
	subtree  bool
	segments int
	rest     string
	// valid is false for a pattern that cannot be read, or whose literal segments hold
	// characters that a path template cannot say ('/', '{', '}' or '\' once unescaped):
	// its handler serves no operation.
	valid bool
}

// parsePattern reads s as net/http's ServeMux does (see its documentation): an optional
// method followed by spaces or tabs, an optional host, then the path, whose segments are
// literals (unescaped), "{name}", a final "{name...}" or "{$}", or a trailing slash.
func parsePattern(s string) pattern {
	var p pattern
	p.method, p.route = splitMethod(s)
	slash := strings.IndexByte(p.route, '/')
	if slash < 0 {
		return p
	}
	p.host, p.path = p.route[:slash], p.route[slash:]
	var b strings.Builder
	for rest := p.path; rest != ""; {
		rest = rest[1:] // rest starts with '/'
		b.WriteByte('/')
		p.segments++
		if rest == "" {
			p.subtree = true // a trailing slash
			break
		}
		seg := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			seg, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		if !strings.HasPrefix(seg, "{") {
			lit, err := url.PathUnescape(seg)
			if err != nil {
				lit = seg // as net/http does
			}
			if strings.ContainsAny(lit, "/{}\\") {
				return p
			}
			b.WriteString(lit)
			continue
		}
		name, ok := strings.CutSuffix(seg[1:], "}")
		switch {
		case !ok || name == "":
			return p
		case name == "$":
			if rest != "" {
				return p
			}
		default:
			if multi, found := strings.CutSuffix(name, "..."); found {
				if rest != "" {
					return p
				}
				name, p.subtree, p.rest = multi, true, multi
			}
			p.names = append(p.names, name)
			b.WriteString("{" + name + "}")
		}
	}
	p.template = b.String()
	if len(p.names) == 0 {
		p.template = strings.ReplaceAll(p.template, ":", `\:`)
	}
	p.valid = true
	return p
}

// splitMethod splits a pattern into its method ("" for none) and the rest: host and
// path.
func splitMethod(s string) (method, route string) {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], strings.TrimLeft(s[i+1:], " \t")
	}
	return "", s
}

// covers reports whether r, which the pattern matched, is an instance of its template:
// always, unless the pattern is a subtree pattern and r is below its root.
func (p *pattern) covers(r *http.Request) bool {
	switch {
	case !p.subtree:
		return true
	case p.rest != "":
		v := r.PathValue(p.rest)
		return v != "" && strings.IndexByte(v, '/') < 0
	}
	// The root itself: as many segments as the pattern, the last one empty. The mux
	// matched the escaped path segment by segment, and redirects unclean paths.
	path := r.URL.EscapedPath()
	return strings.HasSuffix(path, "/") && strings.Count(path, "/") == p.segments
}

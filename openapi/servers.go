package openapi

import (
	"path"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// serverBase returns the base path a server URL puts in front of every path template:
// the URL's path, with server variables replaced by their defaults, cleaned, without a
// trailing slash ("" for none). A relative URL ("/api", "api", "./v1") is taken relative
// to "/", the document's own location being unknown. unresolved names a {variable} the
// URL uses without a default, which then stays in the base path as written.
func serverBase(s *openapi3.Server) (base, unresolved string) {
	raw := s.URL
	for name, v := range s.Variables {
		if v != nil && v.Default != "" {
			raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
		}
	}
	// Drop the scheme and the authority: what remains is the path (and maybe a query or
	// fragment, which a server URL should not have).
	if i := strings.Index(raw, "://"); i >= 0 && !strings.ContainsAny(raw[:i], "/?#") {
		raw = raw[i+len("://"):]
		raw = raw[indexOr(raw, '/', len(raw)):]
	} else if strings.HasPrefix(raw, "//") {
		raw = raw[2:]
		raw = raw[indexOr(raw, '/', len(raw)):]
	}
	raw = raw[:indexAnyOr(raw, "?#", len(raw))]
	if open := strings.IndexByte(raw, '{'); open >= 0 {
		if end := strings.IndexByte(raw[open:], '}'); end > 0 {
			unresolved = raw[open : open+end+1]
		}
	}
	return normalizeBase(raw), unresolved
}

// normalizeBase cleans a base path: rooted, no trailing slash, "" for the root.
func normalizeBase(p string) string {
	p = path.Join("/", p)
	if p == "/" {
		return ""
	}
	return p
}

func indexOr(s string, c byte, or int) int {
	if i := strings.IndexByte(s, c); i >= 0 {
		return i
	}
	return or
}

func indexAnyOr(s, chars string, or int) int {
	if i := strings.IndexAny(s, chars); i >= 0 {
		return i
	}
	return or
}

// serversBase returns the base path of a servers list: the first server's. The list's
// lint findings (servers that disagree, variables without defaults) are reported
// through warn, located under ptr.
func serversBase(servers openapi3.Servers, ptr string, warn func(ptr, format string, a ...any)) string {
	base, first := "", -1
	for i, s := range servers {
		if s == nil {
			continue
		}
		b, unresolved := serverBase(s)
		if unresolved != "" {
			warn(child(ptr, strconv.Itoa(i), "url"), "server URL %q uses %s, which has no default value: it is kept in the base path as written", s.URL, unresolved)
		}
		if first < 0 {
			base, first = b, i
			continue
		}
		if b != base {
			warn(child(ptr, strconv.Itoa(i), "url"), "servers have different base paths (%q and %q): the first server's is used; LoadOptions.BasePath chooses another", displayBase(base), displayBase(b))
			break
		}
	}
	return base
}

func displayBase(b string) string {
	if b == "" {
		return "/"
	}
	return b
}

// documentBase sets the base path of the document: the override, or its servers'.
func (c *compiler) documentBase() {
	if c.opts.BasePath != "" {
		c.ps.basePath = normalizeBase(c.opts.BasePath)
		return
	}
	c.ps.basePath = serversBase(c.doc.Servers, pointer("servers"), func(ptr, format string, a ...any) {
		c.warn("", "", ptr, format, a...)
	})
}

// operationBase returns the base path of an operation: the override, else the servers of
// the operation, else of its path item, else the document's.
func (c *compiler) operationBase(item *openapi3.PathItem, op *openapi3.Operation, itemPtr, opPtr, method, tmpl string) string {
	if c.opts.BasePath != "" {
		return c.ps.basePath
	}
	servers, ptr := openapi3.Servers(nil), ""
	switch {
	case op.Servers != nil && len(*op.Servers) > 0:
		servers, ptr = *op.Servers, child(opPtr, "servers")
	case len(item.Servers) > 0:
		servers, ptr = item.Servers, child(itemPtr, "servers")
	default:
		return c.ps.basePath
	}
	// Findings of a servers list already reported for the document are not repeated.
	sameAsDocument := len(servers) == len(c.doc.Servers)
	for i := 0; sameAsDocument && i < len(servers); i++ {
		sameAsDocument = servers[i] != nil && c.doc.Servers[i] != nil && servers[i].URL == c.doc.Servers[i].URL
	}
	return serversBase(servers, ptr, func(ptr, format string, a ...any) {
		if !sameAsDocument {
			c.warn(method, tmpl, ptr, format, a...)
		}
	})
}

package openapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// lint adds the warnings: findings that change nothing that is enforced, but usually
// mean the document says something other than its author meant.
func (c *compiler) lint() {
	c.lintUnfollowed()
	for _, name := range sortedKeys(c.broken) {
		if !c.named[name] {
			c.warn("", "", pointer("components", "securitySchemes", name), "security scheme %q cannot be enforced: %s; no security requirement names it", name, c.broken[name])
		}
	}
	for _, s := range c.ps.schemes {
		if s.Type == SchemeOpenIDConnect && strings.TrimSpace(s.OpenIDConnectURL) == "" {
			c.warn("", "", pointer("components", "securitySchemes", s.Name), "openIdConnect scheme %q has no openIdConnectUrl", s.Name)
		}
	}
	for i, req := range c.doc.Security {
		c.lintScopes(req, "", "", child(pointer("security"), strconv.Itoa(i)))
	}

	protected := 0
	for _, p := range c.ps.all {
		meta := c.meta[p]
		if meta.ownSecurity {
			reqs := *meta.op.Security
			for i, req := range reqs {
				c.lintScopes(req, p.Method, p.Path, child(p.Pointer, "security", strconv.Itoa(i)))
			}
		}
		if p.Auth == AuthNone {
			continue
		}
		protected++
		if p.Auth == AuthRequired && !documents(meta.op, "401", "403", "4XX") {
			c.warn(p.Method, p.Path, child(p.Pointer, "responses"), "the operation requires authentication but documents neither a 401 nor a 403 response")
		}
		if p.Auth == AuthOptional && !documents(meta.op, "401", "4XX") {
			c.warn(p.Method, p.Path, child(p.Pointer, "responses"), "authentication is optional but the operation documents no 401 response: a request with an invalid token is answered 401")
		}
	}
	if protected == 0 && len(c.ps.all) > 0 {
		c.warn("", "", pointer("security"), "no operation requires authentication: every operation is public")
	}
	c.ps.warnings = append(c.ps.warnings, validationWarnings(c.doc)...)
}

// lintScopes warns about scopes a requirement lists for an oauth2 scheme that none of
// the scheme's flows declares. (The scopes of openIdConnect schemes are only known to
// the provider; other schemes declare none.)
func (c *compiler) lintScopes(req openapi3.SecurityRequirement, method, path, ptr string) {
	for _, name := range sortedKeys(req) {
		s, ok := c.schemes[name]
		if !ok || s.Type != SchemeOAuth2 {
			continue
		}
		for _, scope := range req[name] {
			if !slices.Contains(s.Scopes, scope) {
				c.warn(method, path, child(ptr, name), "scope %q is not declared in the flows of security scheme %q", scope, name)
			}
		}
	}
}

// lintUnfollowed reports the references that were not followed and that no error
// already reported.
func (c *compiler) lintUnfollowed() {
	seen := map[string]bool{}
	for _, r := range c.unfollowed {
		key := fmt.Sprint(r.file, r.line, r.ref)
		if seen[key] || c.reported[r.ref] {
			continue
		}
		seen[key] = true
		ptrs := slices.Clone(c.unfollowedAt[r.ref])
		slices.Sort(ptrs)
		ptrs = slices.Compact(ptrs)
		switch len(ptrs) {
		case 0:
			c.warn("", "", "", "%s: $ref %q is not followed (%s): it is read as an empty object", r.where(), r.ref, r.reason)
		case 1:
			c.warn("", "", ptrs[0], "%s: $ref %q is not followed (%s): it is read as an empty object", r.where(), r.ref, r.reason)
		default:
			// The same reference in several places: the pointers are all named, since
			// the line alone tells which one this is.
			c.warn("", "", "", "%s: $ref %q is not followed (%s): it is read as an empty object (the reference is at %s)", r.where(), r.ref, r.reason, strings.Join(ptrs, ", "))
		}
	}
}

// documents reports whether an operation documents a response for one of codes
// ("401", "4XX"; the range in any letter case).
func documents(op *openapi3.Operation, codes ...string) bool {
	if op.Responses == nil {
		return false
	}
	for code := range op.Responses.Map() {
		if slices.Contains(codes, strings.ToUpper(code)) {
			return true
		}
	}
	return false
}

package openapi

import (
	"fmt"
	"slices"
	"strings"
)

// lint adds warnings: findings that do not change what is enforced but usually mean the
// document says something other than its author meant.
func (c *compiler) lint() {
	protected := 0
	for _, p := range c.ps.all {
		if p.Auth == AuthNone {
			continue
		}
		protected++
		for i, alt := range p.Alternatives {
			for _, req := range alt {
				s := c.schemeByName[req.Scheme]
				if s.Type != SchemeOAuth2 {
					continue
				}
				for _, scope := range req.Scopes {
					if !slices.Contains(s.Scopes, scope) {
						c.warn(p.Method, p.Path, c.requirementPointer(p, i),
							"scope %q is not declared in the flows of security scheme %q", scope, req.Scheme)
					}
				}
			}
		}
		if p.Auth == AuthRequired && !c.documents401or403(p) {
			c.warn(p.Method, p.Path, p.Pointer+"/responses",
				"protected operation documents neither a 401 nor a 403 response")
		}
	}
	if protected == 0 && len(c.ps.all) > 0 {
		c.warn("", "", pointer("security"), "no operation is protected: every operation is public")
	}
	for _, s := range c.ps.schemes {
		if s.Type == SchemeOpenIDConnect && strings.TrimSpace(s.OpenIDConnectURL) == "" {
			c.warn("", "", pointer("components", "securitySchemes", s.Name), "openIdConnect scheme %q has no openIdConnectUrl", s.Name)
		}
	}
	if w := validationWarning(c.doc); w != nil {
		c.ps.warnings = append(c.ps.warnings, w)
	}
}

// requirementPointer locates alternative i of p (which counts non-empty requirements
// only) in the operation's security if it has one, else in the document's.
func (c *compiler) requirementPointer(p *Policy, i int) string {
	reqs, base := c.doc.Security, pointer("security")
	if op := c.doc.Paths.Value(p.Path).GetOperation(p.Method); op != nil && op.Security != nil {
		reqs, base = *op.Security, p.Pointer+"/security"
	}
	n := -1
	for idx, req := range reqs {
		if len(req) > 0 {
			if n++; n == i {
				return base + "/" + fmt.Sprint(idx)
			}
		}
	}
	return base
}

func (c *compiler) documents401or403(p *Policy) bool {
	op := c.doc.Paths.Value(p.Path).GetOperation(p.Method)
	if op == nil || op.Responses == nil {
		return false
	}
	for _, code := range []string{"401", "403", "4XX", "4xx"} {
		if op.Responses.Value(code) != nil {
			return true
		}
	}
	return false
}

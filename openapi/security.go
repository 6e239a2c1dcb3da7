package openapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Security schemes and requirements.

// declareSchemes reads components.securitySchemes.
func (c *compiler) declareSchemes() {
	if c.doc.Components == nil {
		return
	}
	for _, name := range sortedKeys(c.doc.Components.SecuritySchemes) {
		ref := c.doc.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			c.broken[name] = "it has no definition"
			continue
		}
		v := ref.Value
		if target, reason, ok := c.unfollowedTarget(v.Extensions); ok {
			c.broken[name] = fmt.Sprintf("its definition is the $ref %q, which is not followed: %s", target, reason)
			continue
		}
		s := Scheme{Name: name, Type: SchemeType(v.Type)}
		switch s.Type {
		case SchemeOAuth2:
			s.Scopes = flowScopes(v.Flows)
		case SchemeOpenIDConnect:
			s.OpenIDConnectURL = v.OpenIdConnectUrl
		case SchemeHTTP:
			s.HTTPScheme = strings.ToLower(v.Scheme)
			s.BearerFormat = v.BearerFormat
			if s.HTTPScheme == "" {
				c.broken[name] = "it is an http scheme without scheme (bearer, basic, ...)"
				continue
			}
		case SchemeAPIKey:
			s.In, s.ParamName = v.In, v.Name
		case SchemeMutualTLS:
		default:
			c.broken[name] = fmt.Sprintf("its type %q is none of oauth2, openIdConnect, http, apiKey, mutualTLS", v.Type)
			continue
		}
		if raw, ok := v.Extensions[extDPoP]; ok {
			ptr := pointer("components", "securitySchemes", name, extDPoP)
			mode, problem := decodeDPoP(raw)
			switch {
			case problem != "":
				c.fail("", "", ptr, "%s: %s", extDPoP, problem)
			case !s.Bearer():
				c.fail("", "", ptr, "%s on the %s scheme %q: only oauth2, openIdConnect and http bearer schemes carry DPoP-bound tokens", extDPoP, describe(s), name)
			default:
				s.DPoP = mode
			}
		}
		c.schemes[name] = s
		c.ps.schemes = append(c.ps.schemes, s)
	}
}

// describe names a scheme's type for messages: "http basic", "apiKey".
func describe(s Scheme) string {
	if s.Type == SchemeHTTP {
		return "http " + s.HTTPScheme
	}
	return string(s.Type)
}

// flowScopes returns the scopes declared in every flow of an oauth2 scheme, sorted and
// distinct. OpenAPI 3.2's deviceAuthorization flow, which kin-openapi keeps among the
// extensions of the flows object, counts too.
func flowScopes(flows *openapi3.OAuthFlows) []string {
	if flows == nil {
		return []string{}
	}
	seen := map[string]bool{}
	for _, f := range []*openapi3.OAuthFlow{flows.Implicit, flows.Password, flows.ClientCredentials, flows.AuthorizationCode} {
		if f != nil {
			for s := range f.Scopes {
				seen[s] = true
			}
		}
	}
	if device, ok := flows.Extensions["deviceAuthorization"].(map[string]any); ok {
		if scopes, ok := device["scopes"].(map[string]any); ok {
			for s := range scopes {
				seen[s] = true
			}
		}
	}
	return sortedKeys(seen)
}

// checkRequirement reports the schemes a security requirement names that are not
// declared, or that cannot be enforced.
func (c *compiler) checkRequirement(req openapi3.SecurityRequirement, method, path, ptr string) {
	for _, name := range sortedKeys(req) {
		c.named[name] = true
		if why, ok := c.broken[name]; ok {
			c.fail(method, path, child(ptr, name), "the security requirement names %q, which cannot be enforced: %s", name, why)
		} else if _, ok := c.schemes[name]; !ok {
			c.fail(method, path, child(ptr, name), "the security requirement names %q, which components.securitySchemes does not declare", name)
		}
	}
}

// alternative compiles a non-empty security requirement; its schemes are sorted by name.
// Schemes that are not declared were reported by checkRequirement and are left out.
func (c *compiler) alternative(req openapi3.SecurityRequirement) Alternative {
	var alt Alternative
	for _, name := range sortedKeys(req) {
		s, ok := c.schemes[name]
		if !ok {
			continue
		}
		scopes := slices.Clone(req[name])
		if scopes == nil {
			scopes = []string{}
		}
		alt = append(alt, SchemeRequirement{Scheme: name, Type: s.Type, Bearer: s.Bearer(), DPoP: s.DPoP, Scopes: scopes})
		c.inUse[name] = true
	}
	return alt
}

// security compiles the effective security of operation op into p: the operation's own
// security if it has one (own), else the document's.
func (c *compiler) security(p *Policy, op *openapi3.Operation) (own bool) {
	reqs := c.doc.Security
	if op.Security != nil {
		reqs, own = *op.Security, true
	}
	optional, required := false, false
	for i, req := range reqs {
		if own {
			// The document's requirements were checked by root.
			c.checkRequirement(req, p.Method, p.Path, child(p.Pointer, "security", strconv.Itoa(i)))
		}
		if len(req) == 0 {
			optional = true
			continue
		}
		// A requirement naming an undeclared scheme still requires authentication: the
		// operation is not public, only the document is wrong (and fails to load).
		required = true
		if alt := c.alternative(req); len(alt) > 0 {
			p.Alternatives = append(p.Alternatives, alt)
		}
	}
	switch {
	case !required:
		p.Auth = AuthNone // security: [], [{}] or none anywhere: no scheme to check
	case optional:
		p.Auth = AuthOptional
	default:
		p.Auth = AuthRequired
	}
	return own
}

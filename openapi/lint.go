package openapi

import (
	"context"
	"errors"
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

// validationWarnings runs kin-openapi's own validation and reports each finding as a
// warning: real documents often carry schema slips that have nothing to do with access
// control, and they must still load. Examples and schema defaults are not validated.
// additionalOperations entries for a fixed method on the path items of paths are left
// out: they are errors (checkAdditionalOperations).
func validationWarnings(doc *openapi3.T) []*Problem {
	err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation(),
		openapi3.DisableSchemaDefaultsValidation(), openapi3.EnableMultiError())
	if err == nil {
		return nil
	}
	var findings []error
	var flatten func(error)
	flatten = func(e error) {
		var multi openapi3.MultiError
		if errors.As(e, &multi) && len(multi) > 0 {
			for _, inner := range multi {
				flatten(inner)
			}
			return
		}
		findings = append(findings, e)
	}
	flatten(err)
	out := make([]*Problem, 0, len(findings))
	seen := map[string]bool{}
	for _, f := range findings {
		msg := f.Error()
		if seen[msg] {
			continue
		}
		seen[msg] = true
		p := &Problem{Warning: true, Message: "kin-openapi validation: " + msg}
		locateFinding(p, f)
		var dup *openapi3.AdditionalOperationsDuplicateMethodError
		var fixedCase *openapi3.AdditionalOperationsFixedMethodCaseError
		if p.Path != "" && p.Method == "" && (errors.As(f, &dup) || errors.As(f, &fixedCase)) {
			continue // on a path item of paths, not in a callback of its operations
		}
		out = append(out, p)
	}
	return out
}

// componentSections maps the section names of kin-openapi's component findings to the
// fields of the components object.
var componentSections = map[string]string{
	"schema": "schemas", "parameter": "parameters", "header": "headers",
	"request body": "requestBodies", "response": "responses", "security scheme": "securitySchemes",
	"example": "examples", "link": "links", "callback": "callbacks",
}

// locateFinding sets the method, path and pointer of a kin-openapi validation finding,
// from the context kin-openapi wraps it in: a section of the document, a path, an
// operation, a component.
func locateFinding(p *Problem, err error) {
	var section *openapi3.SectionValidationError
	if !errors.As(err, &section) {
		return
	}
	p.Pointer = pointer(section.Section)
	var comp *openapi3.ComponentValidationError
	if section.Section == "components" && errors.As(err, &comp) {
		if field, ok := componentSections[comp.Section]; ok {
			p.Pointer = pointer("components", field, comp.Name)
		}
		return
	}
	var pathErr *openapi3.PathValidationError
	if section.Section != "paths" || !errors.As(err, &pathErr) {
		return
	}
	p.Path, p.Pointer = pathErr.Path, pointer("paths", pathErr.Path)
	var opErr *openapi3.OperationValidationError
	if errors.As(err, &opErr) {
		p.Method = opErr.Method
		if field := fieldOfMethod(opErr.Method); field != "" {
			p.Pointer = child(p.Pointer, field)
		} else {
			p.Pointer = child(p.Pointer, "additionalOperations", opErr.Method)
		}
	}
}

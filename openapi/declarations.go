package openapi

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Declarations and their inheritance.
//
// x-axioms-roles, x-axioms-permissions, x-axioms-acr and x-axioms-max-age are read on the document root, the path items
// of paths and their operations; x-axioms-owner on path items and operations. An
// operation's rule is the nearest declaration: its own, else its path item's, else the
// root's. Declarations on the root and on path items are inherited: each counts the
// operations it reaches and those it protects (they require authentication), so that
// one that protects nothing is reported (inheritedDeclarations).

// declaration is a decoded x-axioms declaration: a Condition or an Owner.
type declaration[V any] struct {
	value V
	declSite
}

// declSite is where a declaration is written, and what it applies to.
type declSite struct {
	key   string // x-axioms-roles, x-axioms-permissions, x-axioms-owner, x-axioms-acr or x-axioms-max-age
	ptr   string
	path  string // the path template of the path item or operation; "" on the root
	empty bool   // it requires nothing: an empty condition, which removes an inherited one

	reached, protecting int // operations it is the nearest declaration of; those requiring authentication
}

// site returns where d is written; nil when d is nil.
func (d *declaration[V]) site() *declSite {
	if d == nil {
		return nil
	}
	return &d.declSite
}

// declarations are the declarations of one object; nil where it has none.
type declarations struct {
	roles, permissions *declaration[Condition]
	owner              *declaration[Owner]
	acr                *declaration[[]string]
	maxAge             *declaration[int]
}

// sites returns where the roles, permissions, owner, acr and max-age declarations are
// written, in that order; nil for those there are none of.
func (d declarations) sites() [5]*declSite {
	return [5]*declSite{d.roles.site(), d.permissions.site(), d.owner.site(), d.acr.site(), d.maxAge.site()}
}

// declarations decodes the declarations of the object at ptr, on level lvl (the root
// has no owner rule: checkUnknown reports one there). A malformed declaration is
// reported and left out. The declarations of the root and of path items are recorded
// for inheritedDeclarations.
func (c *compiler) declarations(ext map[string]any, lvl level, method, path, ptr string) declarations {
	inherited := lvl != levelOperation
	var d declarations
	d.roles = declare(c, ext, extRoles, decodeCondition, Condition.Empty, method, path, ptr, inherited)
	d.permissions = declare(c, ext, extPermissions, decodeCondition, Condition.Empty, method, path, ptr, inherited)
	d.acr = declare(c, ext, extACR, decodeACR, nil, method, path, ptr, inherited)
	d.maxAge = declare(c, ext, extMaxAge, decodeMaxAge, nil, method, path, ptr, inherited)
	if lvl != levelRoot {
		d.owner = declare(c, ext, extOwner, decodeOwner, nil, method, path, ptr, inherited)
	}
	return d
}

// declare decodes the declaration key of the object at ptr; nil when there is none (or
// it is malformed, which is reported). empty reports whether a value requires nothing
// (nil: never).
func declare[V any](c *compiler, ext map[string]any, key string, decode func(any) (V, string), empty func(V) bool,
	method, path, ptr string, inherited bool) *declaration[V] {
	v, ok := ext[key]
	if !ok {
		return nil
	}
	ptr = child(ptr, key)
	value, problem := decode(v)
	if problem != "" {
		c.fail(method, path, ptr, "%s: %s", key, problem)
		return nil
	}
	d := &declaration[V]{value: value, declSite: declSite{key: key, ptr: ptr, path: path, empty: empty != nil && empty(value)}}
	if inherited {
		c.inheritable = append(c.inheritable, &d.declSite)
	}
	return d
}

// nearest returns the first declaration that is not nil.
func nearest[V any](decls ...*declaration[V]) *declaration[V] {
	for _, d := range decls {
		if d != nil {
			return d
		}
	}
	return nil
}

// applyDeclarations decodes the operation's own declarations and sets the roles,
// permissions and owner rule of p (whose security is compiled) from the nearest ones,
// given those of its path item.
func (c *compiler) applyDeclarations(p *Policy, item *openapi3.PathItem, op *openapi3.Operation, fromItem declarations) {
	own := c.declarations(op.Extensions, levelOperation, p.Method, p.Path, p.Pointer)
	rule := declarations{
		roles:       nearest(own.roles, fromItem.roles, c.rootDecls.roles),
		permissions: nearest(own.permissions, fromItem.permissions, c.rootDecls.permissions),
		owner:       nearest(own.owner, fromItem.owner),
		acr:         nearest(own.acr, fromItem.acr, c.rootDecls.acr),
		maxAge:      nearest(own.maxAge, fromItem.maxAge, c.rootDecls.maxAge),
	}
	protected := p.Auth == AuthRequired
	for _, d := range rule.sites() {
		if d != nil {
			d.reached++
			if protected {
				d.protecting++
			}
		}
	}
	if !protected {
		// Declared on the operation itself, a requirement contradicts the operation's
		// security: anonymous callers would bypass it. Inherited ones do not apply (see
		// inheritedDeclarations for declarations that then protect nothing).
		what := "a public operation"
		if p.Auth == AuthOptional {
			what = "an operation whose authentication is optional ({} among its security alternatives)"
		}
		for _, d := range own.sites() {
			if d != nil && !d.empty {
				c.fail(p.Method, p.Path, d.ptr, "%s on %s: anonymous callers would bypass it (require authentication in security, or remove it)", d.key, what)
			}
		}
		return
	}
	if rule.roles != nil {
		p.Roles = rule.roles.value
	}
	if rule.permissions != nil {
		p.Permissions = rule.permissions.value
	}
	if rule.acr != nil {
		p.ACR = rule.acr.value
	}
	if rule.maxAge != nil {
		p.MaxAge = rule.maxAge.value
	}
	if rule.owner != nil {
		p.Owner = c.ownerRule(rule.owner, item, op, p.Method, p.Path)
	}
}

// ownerRule checks an owner declaration against the operation it applies to and returns
// the rule with its defaults resolved.
func (c *compiler) ownerRule(d *declaration[Owner], item *openapi3.PathItem, op *openapi3.Operation, method, tmpl string) *Owner {
	o := d.value
	switch {
	case o.Param != "":
		if !strings.Contains(tmpl, "{"+o.Param+"}") || !hasPathParam(item, op, o.Param) {
			hint := ""
			if hasUnfollowedParam(item, op) {
				hint = " (a parameter of the operation is a $ref that was not followed)"
			}
			c.fail(method, tmpl, d.ptr, "%s: param %q is not a path parameter of this operation%s", extOwner, o.Param, hint)
		}
	case o.Loader == "":
		if op.OperationID == "" {
			c.fail(method, tmpl, d.ptr, "%s: the loader defaults to the operationId, and this operation has none (set operationId or loader)", extOwner)
		}
		o.Loader = op.OperationID
	case op.OperationID == "":
		c.warn(method, tmpl, d.ptr, "the operation has no operationId but an owner rule with the explicit loader %q: give it an operationId so that tools and logs can name it", o.Loader)
	}
	return &o
}

// inheritedDeclarations reports root and path-item declarations that reach operations
// but protect none of them: every operation they would apply to is public or optional,
// so anonymous callers bypass them. Usually security was forgotten.
func (c *compiler) inheritedDeclarations() {
	for _, d := range c.inheritable {
		if d.empty || d.reached == 0 || d.protecting > 0 {
			continue
		}
		where := "on the document root"
		if d.path != "" {
			where = "on the path item"
		}
		c.fail("", d.path, d.ptr, "%s %s applies to no operation that requires authentication: the %d operation(s) it would apply to are public or optional, so anonymous callers would bypass it (require authentication in security, or remove it)", d.key, where, d.reached)
	}
}

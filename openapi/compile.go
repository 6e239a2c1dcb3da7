package openapi

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// compile builds the policy table of a loaded document. Every error is collected and
// returned together.
func compile(doc *openapi3.T, opts LoadOptions, stubbed []stub) (*Policies, error) {
	c := &compiler{doc: doc, ps: &Policies{byKey: map[string]*Policy{}}, stubbed: map[string]bool{}}
	for _, s := range stubbed {
		c.stubbed[s.pointer] = true
		c.warn("", "", s.pointer, "reference %q was not followed and is treated as an empty object: %s", s.ref, s.reason)
	}
	c.schemes()
	c.basePath(opts.BasePath)
	c.root()
	c.paths()
	if len(c.errs) > 0 {
		errs := make([]error, len(c.errs))
		for i, p := range c.errs {
			errs[i] = p
		}
		return nil, joinProblems(errs)
	}
	c.lint()
	return c.ps, nil
}

type compiler struct {
	doc  *openapi3.T
	ps   *Policies
	errs []*Problem

	schemeByName map[string]Scheme
	unresolved   map[string]bool // schemes defined by a reference that was not followed
	stubbed      map[string]bool // pointers of references replaced by empty objects
	rootRoles    *Condition
	rootPerms    *Condition
	inUse        map[string]bool
}

func (c *compiler) fail(method, path, ptr, format string, a ...any) {
	c.errs = append(c.errs, &Problem{Method: method, Path: path, Pointer: ptr, Message: fmt.Sprintf(format, a...)})
}

func (c *compiler) warn(method, path, ptr, format string, a ...any) {
	c.ps.warnings = append(c.ps.warnings, &Problem{Method: method, Path: path, Pointer: ptr, Message: fmt.Sprintf(format, a...), Warning: true})
}

func (c *compiler) schemes() {
	c.schemeByName = map[string]Scheme{}
	c.unresolved = map[string]bool{}
	c.inUse = map[string]bool{}
	if c.doc.Components == nil {
		return
	}
	names := make([]string, 0, len(c.doc.Components.SecuritySchemes))
	for name := range c.doc.Components.SecuritySchemes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ref := c.doc.Components.SecuritySchemes[name]
		ptr := pointer("components", "securitySchemes", name)
		if ref == nil || ref.Value == nil {
			c.fail("", "", ptr, "security scheme %q has no definition", name)
			continue
		}
		if c.stubbed[ptr] {
			// An operation relying on it fails to load (see checkRequirement).
			c.unresolved[name] = true
			continue
		}
		v := ref.Value
		for _, p := range checkUnknown(v.Extensions, levelOther, func(k ...string) *Problem {
			return &Problem{Pointer: pointer(append([]string{"components", "securitySchemes", name}, k...)...)}
		}) {
			c.errs = append(c.errs, p)
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
				c.fail("", "", ptr+"/scheme", "http security scheme %q has no scheme (bearer, basic, ...)", name)
			}
		case SchemeAPIKey:
			s.In, s.ParamName = v.In, v.Name
		case SchemeMutualTLS:
		default:
			c.fail("", "", ptr+"/type", "security scheme %q has unsupported type %q (oauth2, openIdConnect, http, apiKey, mutualTLS)", name, v.Type)
			continue
		}
		c.schemeByName[name] = s
		c.ps.schemes = append(c.ps.schemes, s)
	}
}

// flowScopes returns the scopes declared in every flow, sorted and distinct.
func flowScopes(flows *openapi3.OAuthFlows) []string {
	if flows == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, f := range []*openapi3.OAuthFlow{flows.Implicit, flows.Password, flows.ClientCredentials, flows.AuthorizationCode} {
		if f == nil {
			continue
		}
		for s := range f.Scopes {
			seen[s] = true
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// basePath derives the base path from the first server, unless overridden.
func (c *compiler) basePath(override string) {
	switch {
	case override == "/":
		c.ps.basePath = ""
		return
	case override != "":
		c.ps.basePath = normalizeBase(override)
		return
	}
	var bases []string
	for _, s := range c.doc.Servers {
		if s == nil {
			continue
		}
		bases = append(bases, serverPath(s))
	}
	if len(bases) == 0 {
		return
	}
	c.ps.basePath = bases[0]
	for i, b := range bases[1:] {
		if b != bases[0] {
			c.warn("", "", pointer("servers", fmt.Sprint(i+1), "url"),
				"servers have different base paths (%q and %q): the first server's is used; set LoadOptions.BasePath to choose", bases[0], b)
			break
		}
	}
}

// serverPath returns the path of a server URL with its variables replaced by their
// defaults.
func serverPath(s *openapi3.Server) string {
	raw := s.URL
	for name, v := range s.Variables {
		if v != nil {
			raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return normalizeBase(u.Path)
}

func normalizeBase(p string) string {
	p = strings.TrimRight(p, "/")
	if p != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

func (c *compiler) root() {
	for _, p := range checkUnknown(c.doc.Extensions, levelRoot, func(k ...string) *Problem { return &Problem{Pointer: pointer(k...)} }) {
		c.errs = append(c.errs, p)
	}
	c.rootRoles = c.condition(c.doc.Extensions, extRoles, "", "", pointer(extRoles))
	c.rootPerms = c.condition(c.doc.Extensions, extPermissions, "", "", pointer(extPermissions))
	for i, req := range c.doc.Security {
		c.checkRequirement(req, "", "", pointer("security", fmt.Sprint(i)))
	}
}

// condition decodes a roles/permissions extension if present; nil when absent.
func (c *compiler) condition(ext map[string]any, key, method, path, ptr string) *Condition {
	v, ok := ext[key]
	if !ok {
		return nil
	}
	cond, problem := decodeCondition(v)
	if problem != "" {
		c.fail(method, path, ptr, "%s: %s", key, problem)
		return nil
	}
	return &cond
}

func (c *compiler) owner(ext map[string]any, method, path, ptr string) *Owner {
	v, ok := ext[extOwner]
	if !ok {
		return nil
	}
	o, problem := decodeOwner(v)
	if problem != "" {
		c.fail(method, path, ptr, "%s: %s", extOwner, problem)
		return nil
	}
	return o
}

// checkRequirement reports schemes a requirement names that are not declared.
func (c *compiler) checkRequirement(req openapi3.SecurityRequirement, method, path, ptr string) {
	for _, name := range sortedKeys(req) {
		if c.unresolved[name] {
			c.fail(method, path, ptr+"/"+escapeToken(name), "security requirement names %q, whose definition is a reference that was not followed: it cannot be enforced", name)
		} else if _, ok := c.schemeByName[name]; !ok {
			c.fail(method, path, ptr+"/"+escapeToken(name), "security requirement names %q, which components.securitySchemes does not declare", name)
		}
	}
}

func (c *compiler) paths() {
	if c.doc.Paths == nil {
		return
	}
	templates := c.doc.Paths.InMatchingOrder()
	sort.Strings(templates)
	for _, tmpl := range templates {
		item := c.doc.Paths.Value(tmpl)
		if item == nil {
			continue
		}
		itemPtr := pointer("paths", tmpl)
		for _, p := range checkUnknown(item.Extensions, levelPathItem, func(k ...string) *Problem {
			return &Problem{Path: tmpl, Pointer: pointer(append([]string{"paths", tmpl}, k...)...)}
		}) {
			c.errs = append(c.errs, p)
		}
		itemRoles := c.condition(item.Extensions, extRoles, "", tmpl, itemPtr+"/"+extRoles)
		itemPerms := c.condition(item.Extensions, extPermissions, "", tmpl, itemPtr+"/"+extPermissions)
		itemOwner := c.owner(item.Extensions, "", tmpl, itemPtr+"/"+extOwner)

		ops := item.Operations()
		methods := make([]string, 0, len(ops))
		for m := range ops {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, method := range methods {
			op := ops[method]
			if op == nil {
				continue
			}
			c.operation(tmpl, strings.ToUpper(method), item, op, itemRoles, itemPerms, itemOwner)
		}
	}
	sort.SliceStable(c.ps.all, func(i, j int) bool {
		a, b := c.ps.all[i], c.ps.all[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Method < b.Method
	})
	for name := range c.inUse {
		c.ps.inUse = append(c.ps.inUse, name)
	}
	sort.Strings(c.ps.inUse)
}

func (c *compiler) operation(tmpl, method string, item *openapi3.PathItem, op *openapi3.Operation,
	itemRoles, itemPerms *Condition, itemOwner *Owner) {
	opPtr := pointer("paths", tmpl, strings.ToLower(method))
	for _, p := range checkUnknown(op.Extensions, levelOperation, func(k ...string) *Problem {
		return &Problem{Method: method, Path: tmpl, Pointer: opPtr + "/" + escapeToken(k[0])}
	}) {
		c.errs = append(c.errs, p)
	}
	p := &Policy{Method: method, Path: tmpl, Route: c.ps.basePath + tmpl, OperationID: op.OperationID, Pointer: opPtr}

	// Effective security: the operation's own, else the document's.
	reqs, reqPtr := c.doc.Security, pointer("security")
	if op.Security != nil {
		reqs, reqPtr = *op.Security, opPtr+"/security"
	}
	for i, req := range reqs {
		ptr := reqPtr + "/" + fmt.Sprint(i)
		if op.Security != nil {
			c.checkRequirement(req, method, tmpl, ptr)
		}
		if len(req) == 0 {
			p.Auth = AuthOptional
			continue
		}
		var alt Alternative
		for _, name := range sortedKeys(req) {
			s, ok := c.schemeByName[name]
			if !ok {
				continue // reported by checkRequirement
			}
			scopes := slices.Clone(req[name])
			if scopes == nil {
				scopes = []string{}
			}
			alt = append(alt, SchemeRequirement{Scheme: name, Type: s.Type, Bearer: s.Bearer(), Scopes: scopes})
			c.inUse[name] = true
		}
		if len(alt) > 0 {
			p.Alternatives = append(p.Alternatives, alt)
		}
	}
	if p.Auth != AuthOptional && len(p.Alternatives) > 0 {
		p.Auth = AuthRequired
	}

	// Nearest declaration wins: operation, then path item, then document root.
	opRoles := c.condition(op.Extensions, extRoles, method, tmpl, opPtr+"/"+extRoles)
	opPerms := c.condition(op.Extensions, extPermissions, method, tmpl, opPtr+"/"+extPermissions)
	opOwner := c.owner(op.Extensions, method, tmpl, opPtr+"/"+extOwner)
	p.Roles = nearest(opRoles, itemRoles, c.rootRoles)
	p.Permissions = nearest(opPerms, itemPerms, c.rootPerms)
	owner, ownerPtr := opOwner, opPtr+"/"+extOwner
	if owner == nil && itemOwner != nil {
		owner, ownerPtr = itemOwner, pointer("paths", tmpl, extOwner)
	}

	if p.Auth != AuthRequired {
		// Inherited requirements do not apply to public or optional operations; declared
		// on the operation itself they are a contradiction: anonymous callers would
		// bypass them.
		what := "public"
		if p.Auth == AuthOptional {
			what = "optional-authentication ({} alternative)"
		}
		for _, decl := range []struct {
			set  bool
			name string
		}{{opRoles != nil && !opRoles.Empty(), extRoles}, {opPerms != nil && !opPerms.Empty(), extPermissions}, {opOwner != nil, extOwner}} {
			if decl.set {
				c.fail(method, tmpl, opPtr+"/"+decl.name, "%s on a %s operation: anonymous callers would bypass it (require authentication in security, or remove it)", decl.name, what)
			}
		}
		p.Roles, p.Permissions, owner = Condition{}, Condition{}, nil
	}

	if owner != nil {
		o := *owner
		if o.Param != "" {
			if !hasPathParam(item, op, o.Param) || !strings.Contains(tmpl, "{"+o.Param+"}") {
				c.fail(method, tmpl, ownerPtr, "%s: param %q is not a path parameter of this operation", extOwner, o.Param)
			}
		} else if o.Loader == "" {
			if op.OperationID == "" {
				c.fail(method, tmpl, ownerPtr, "%s: the loader defaults to the operationId, and this operation has none (set operationId or loader)", extOwner)
			}
			o.Loader = op.OperationID
		} else if op.OperationID == "" {
			c.warn(method, tmpl, ownerPtr, "operation without operationId has an owner rule with an explicit loader %q", o.Loader)
		}
		p.Owner = &o
	}

	key := templateKey(method, p.Route)
	if prev, dup := c.ps.byKey[key]; dup {
		c.fail(method, tmpl, opPtr, "ambiguous: %s %s has the same shape as %s %s (parameter names do not distinguish routes)", method, tmpl, prev.Method, prev.Path)
		return
	}
	c.ps.byKey[key] = p
	c.ps.all = append(c.ps.all, p)
}

func nearest(conds ...*Condition) Condition {
	for _, c := range conds {
		if c != nil {
			return *c
		}
	}
	return Condition{}
}

func hasPathParam(item *openapi3.PathItem, op *openapi3.Operation, name string) bool {
	for _, params := range []openapi3.Parameters{op.Parameters, item.Parameters} {
		for _, ref := range params {
			if ref != nil && ref.Value != nil && ref.Value.In == openapi3.ParameterInPath && ref.Value.Name == name {
				return true
			}
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// joinProblems joins problems into one error whose Error lists each on its own line.
func joinProblems(errs []error) error { return &problemList{errs: errs} }

type problemList struct{ errs []error }

func (l *problemList) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "openapi: %d problem(s) in the document:", len(l.errs))
	for _, e := range l.errs {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

func (l *problemList) Unwrap() []error { return l.errs }

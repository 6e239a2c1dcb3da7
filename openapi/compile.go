package openapi

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// compile builds the policy table of a loaded document. Every error is collected, and the
// lint runs even when there are errors, so that one run reports everything.
func compile(doc *openapi3.T, opts LoadOptions, fileReason string, unfollowed []unfollowedRef) (*Policies, error) {
	c := &compiler{
		doc:        doc,
		opts:       opts,
		fileReason: fileReason,
		unfollowed: unfollowed,
		ps:         &Policies{byKey: map[string]*Policy{}},
		schemes:    map[string]Scheme{},
		broken:     map[string]string{},
		named:      map[string]bool{},
		inUse:      map[string]bool{},
		meta:       map[*Policy]*opMeta{},
		reported:   map[string]bool{},
		itemRefs:   map[string]bool{},
	}
	c.declareSchemes()
	c.documentBase()
	c.root()
	c.paths()
	c.checkPlacement()
	c.inheritedDeclarations()
	c.lint()
	if len(c.errs) > 0 {
		return nil, newProblemList(c.errs, c.ps.warnings)
	}
	return c.ps, nil
}

type compiler struct {
	doc        *openapi3.T
	opts       LoadOptions
	fileReason string
	unfollowed []unfollowedRef
	ps         *Policies
	errs       []*Problem

	schemes  map[string]Scheme // declared and enforceable, by name
	broken   map[string]string // declared but not enforceable: name → why
	named    map[string]bool   // schemes some security requirement names
	inUse    map[string]bool   // schemes some operation's alternatives rely on
	meta     map[*Policy]*opMeta
	reported map[string]bool // unfollowed references already reported as errors
	itemRefs map[string]bool // the path items elsewhere in the document that paths reference

	unfollowedAt map[string][]string // pointers of the objects that are unfollowed references, by reference

	rootRoles, rootPerms *condDecl
	inheritable          []*inheritedDecl // root and path-item declarations
}

// opMeta is what the lint needs to know about a compiled operation.
type opMeta struct {
	op          *openapi3.Operation
	ownSecurity bool
}

// inheritedDecl counts the operations a root or path-item declaration applies to.
type inheritedDecl struct {
	name, ptr, path     string
	empty               bool
	reached, protecting int
}

// condDecl is a decoded x-axioms-roles or x-axioms-permissions declaration.
type condDecl struct {
	cond Condition
	ptr  string
	*inheritedDecl
}

// ownerDecl is a decoded x-axioms-owner declaration.
type ownerDecl struct {
	owner Owner
	ptr   string
	*inheritedDecl
}

func (c *compiler) fail(method, path, ptr, format string, a ...any) {
	c.errs = append(c.errs, &Problem{Method: method, Path: path, Pointer: ptr, Message: fmt.Sprintf(format, a...)})
}

func (c *compiler) warn(method, path, ptr, format string, a ...any) {
	c.ps.warnings = append(c.ps.warnings, &Problem{Method: method, Path: path, Pointer: ptr, Message: fmt.Sprintf(format, a...), Warning: true})
}

// unfollowedTarget reports whether ext marks an object that was a $ref not followed, and
// why it was not followed. The reference is then reported by the caller, as an error.
func (c *compiler) unfollowedTarget(ext map[string]any) (ref, reason string, ok bool) {
	v, ok := ext[unfollowedKey]
	if !ok {
		return "", "", false
	}
	ref = fmt.Sprint(v)
	c.reported[ref] = true
	reason = unfollowedReason(ref, c.fileReason)
	if reason == "" {
		reason = "it was not followed"
	}
	return ref, reason, true
}

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
		c.schemes[name] = s
		c.ps.schemes = append(c.ps.schemes, s)
	}
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

func (c *compiler) root() {
	c.checkUnknown(c.doc.Extensions, levelRoot, "", "", "#")
	c.rootRoles = c.condition(c.doc.Extensions, extRoles, "", "", "#", true)
	c.rootPerms = c.condition(c.doc.Extensions, extPermissions, "", "", "#", true)
	for i, req := range c.doc.Security {
		c.checkRequirement(req, "", "", child(pointer("security"), strconv.Itoa(i)))
	}
}

// condition decodes a roles or permissions declaration of the object at ptr; nil when
// there is none (or it is malformed, which is reported).
func (c *compiler) condition(ext map[string]any, key, method, path, ptr string, inherited bool) *condDecl {
	v, ok := ext[key]
	if !ok {
		return nil
	}
	ptr = child(ptr, key)
	cond, problem := decodeCondition(v)
	if problem != "" {
		c.fail(method, path, ptr, "%s: %s", key, problem)
		return nil
	}
	d := &condDecl{cond: cond, ptr: ptr}
	if inherited {
		d.inheritedDecl = &inheritedDecl{name: key, ptr: ptr, path: path, empty: cond.Empty()}
		c.inheritable = append(c.inheritable, d.inheritedDecl)
	}
	return d
}

// owner decodes an x-axioms-owner declaration of the object at ptr; nil when there is
// none (or it is malformed, which is reported).
func (c *compiler) owner(ext map[string]any, method, path, ptr string, inherited bool) *ownerDecl {
	v, ok := ext[extOwner]
	if !ok {
		return nil
	}
	ptr = child(ptr, extOwner)
	o, problem := decodeOwner(v)
	if problem != "" {
		c.fail(method, path, ptr, "%s: %s", extOwner, problem)
		return nil
	}
	d := &ownerDecl{owner: o, ptr: ptr}
	if inherited {
		d.inheritedDecl = &inheritedDecl{name: extOwner, ptr: ptr, path: path}
		c.inheritable = append(c.inheritable, d.inheritedDecl)
	}
	return d
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

// fixedMethods are the operations of a path item with fixed fields, in the order their
// fields appear in a path item.
var fixedMethods = []struct {
	method, field string
	get           func(*openapi3.PathItem) *openapi3.Operation
}{
	{http.MethodGet, "get", func(p *openapi3.PathItem) *openapi3.Operation { return p.Get }},
	{http.MethodPut, "put", func(p *openapi3.PathItem) *openapi3.Operation { return p.Put }},
	{http.MethodPost, "post", func(p *openapi3.PathItem) *openapi3.Operation { return p.Post }},
	{http.MethodDelete, "delete", func(p *openapi3.PathItem) *openapi3.Operation { return p.Delete }},
	{http.MethodOptions, "options", func(p *openapi3.PathItem) *openapi3.Operation { return p.Options }},
	{http.MethodHead, "head", func(p *openapi3.PathItem) *openapi3.Operation { return p.Head }},
	{http.MethodPatch, "patch", func(p *openapi3.PathItem) *openapi3.Operation { return p.Patch }},
	{http.MethodTrace, "trace", func(p *openapi3.PathItem) *openapi3.Operation { return p.Trace }},
	{http.MethodConnect, "connect", func(p *openapi3.PathItem) *openapi3.Operation { return p.Connect }},
	{openapi3.MethodQuery, "query", func(p *openapi3.PathItem) *openapi3.Operation { return p.Query }},
}

// operationCount returns the number of operations of a path item, or more: an
// additionalOperations entry for a fixed method is counted, and skipped by operationsOf.
func operationCount(item *openapi3.PathItem) int {
	n := len(item.AdditionalOperations)
	for _, m := range fixedMethods {
		if m.get(item) != nil {
			n++
		}
	}
	return n
}

// fixedTokens are the pointer tokens of fixedMethods' operations, shared and read-only.
var fixedTokens = func() [][]string {
	tokens := make([][]string, len(fixedMethods))
	for i, m := range fixedMethods {
		tokens[i] = []string{m.field}
	}
	return tokens
}()

// itemOperation is one operation of a path item, with the pointer tokens that lead to it
// from the path item.
type itemOperation struct {
	method string
	tokens []string
	op     *openapi3.Operation
}

// operationsOf lists a path item's operations: the fixed fields, then OpenAPI 3.2's
// additionalOperations, whose method names are kept exactly as written (HTTP methods
// are case-sensitive). An additionalOperations entry for a method that has a fixed
// field, in any letter case, is left out: it is an error (checkAdditionalOperations).
func operationsOf(item *openapi3.PathItem) []itemOperation {
	ops := make([]itemOperation, 0, operationCount(item))
	for i, m := range fixedMethods {
		if op := m.get(item); op != nil {
			ops = append(ops, itemOperation{method: m.method, tokens: fixedTokens[i], op: op})
		}
	}
	for _, name := range sortedKeys(item.AdditionalOperations) {
		op := item.AdditionalOperations[name]
		if op == nil || fixedMethodOf(name) >= 0 {
			continue
		}
		ops = append(ops, itemOperation{method: name, tokens: []string{"additionalOperations", name}, op: op})
	}
	return ops
}

// fixedMethodOf returns the index in fixedMethods of the method that name is, in any
// letter case; -1 for other methods.
func fixedMethodOf(name string) int {
	for i, m := range fixedMethods {
		if strings.EqualFold(m.method, name) {
			return i
		}
	}
	return -1
}

// checkAdditionalOperations reports the additionalOperations entries of a path item
// that are for a method with a fixed field, in any letter case ("GET", "Get", "get"
// beside or instead of get). OpenAPI 3.2 forbids them; beside the fixed field's
// operation one of the two would be ignored, and an entry that differs from the
// method only in case reads as the same operation with other security. The keys of
// such an entry, which is not compiled, are still checked.
func (c *compiler) checkAdditionalOperations(tmpl string, item *openapi3.PathItem, itemPtr string) {
	for _, name := range sortedKeys(item.AdditionalOperations) {
		op := item.AdditionalOperations[name]
		i := fixedMethodOf(name)
		if op == nil || i < 0 {
			continue
		}
		m := fixedMethods[i]
		ptr := child(itemPtr, "additionalOperations", name)
		if m.get(item) != nil {
			c.fail(name, tmpl, ptr, "additionalOperations %q is the %s method, which has its own field %q, and this path item defines it too: one of the two operations would be ignored", name, m.method, m.field)
		} else {
			c.fail(name, tmpl, ptr, "additionalOperations %q is the %s method, which has its own field %q: declare the operation there", name, m.method, m.field)
		}
		c.checkUnknown(op.Extensions, levelOperation, name, tmpl, ptr)
	}
}

func (c *compiler) paths() {
	if c.doc.Paths != nil {
		items := c.doc.Paths.Map()
		// The table is sized up front: a large document has thousands of operations.
		n := 0
		for _, item := range items {
			if item != nil {
				n += operationCount(item)
			}
		}
		c.ps.byKey = make(map[string]*Policy, n)
		c.meta = make(map[*Policy]*opMeta, n)
		c.ps.all = make([]*Policy, 0, n)
		for _, tmpl := range sortedKeys(items) {
			if item := items[tmpl]; item != nil {
				c.pathItem(tmpl, item)
			}
		}
	}
	sort.Slice(c.ps.all, func(i, j int) bool {
		a, b := c.ps.all[i], c.ps.all[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Method < b.Method
	})
	c.ps.inUse = sortedKeys(c.inUse)
}

func (c *compiler) pathItem(tmpl string, item *openapi3.PathItem) {
	itemPtr := pointer("paths", tmpl)
	if target, reason, ok := c.unfollowedTarget(item.Extensions); ok {
		c.fail("", tmpl, itemPtr, "the path item is the $ref %q, which is not followed (%s): its operations and their security cannot be known", target, reason)
		return
	}
	if strings.HasPrefix(item.Ref, "#/") {
		// A path item defined elsewhere in the document (components.pathItems): what it
		// declares is located there.
		itemPtr = item.Ref
		c.itemRefs[item.Ref] = true
	}
	c.checkUnknown(item.Extensions, levelPathItem, "", tmpl, itemPtr)
	roles := c.condition(item.Extensions, extRoles, "", tmpl, itemPtr, true)
	perms := c.condition(item.Extensions, extPermissions, "", tmpl, itemPtr, true)
	owner := c.owner(item.Extensions, "", tmpl, itemPtr, true)
	c.checkAdditionalOperations(tmpl, item, itemPtr)
	for _, o := range operationsOf(item) {
		c.operation(tmpl, item, itemPtr, o, roles, perms, owner)
	}
}

func (c *compiler) operation(tmpl string, item *openapi3.PathItem, itemPtr string, o itemOperation, itemRoles, itemPerms *condDecl, itemOwner *ownerDecl) {
	method, op := o.method, o.op
	opPtr := child(itemPtr, o.tokens...)
	if target, reason, ok := c.unfollowedTarget(op.Extensions); ok {
		c.fail(method, tmpl, opPtr, "the operation is the $ref %q, which is not followed (%s): its security cannot be known", target, reason)
		return
	}
	c.checkUnknown(op.Extensions, levelOperation, method, tmpl, opPtr)
	p := &Policy{Method: method, Path: tmpl, OperationID: op.OperationID, Pointer: opPtr}
	p.Route = c.operationBase(item, op, itemPtr, opPtr, method, tmpl) + tmpl
	meta := &opMeta{op: op}

	// Effective security: the operation's own, else the document's.
	reqs := c.doc.Security
	if op.Security != nil {
		reqs, meta.ownSecurity = *op.Security, true
	}
	optional, required := false, false
	for i, req := range reqs {
		if meta.ownSecurity {
			// The document's requirements were checked by root.
			c.checkRequirement(req, method, tmpl, child(opPtr, "security", strconv.Itoa(i)))
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

	// Roles, permissions and owner: the nearest declaration wins.
	opRoles := c.condition(op.Extensions, extRoles, method, tmpl, opPtr, false)
	opPerms := c.condition(op.Extensions, extPermissions, method, tmpl, opPtr, false)
	opOwner := c.owner(op.Extensions, method, tmpl, opPtr, false)
	roles := nearest(opRoles, itemRoles, c.rootRoles)
	perms := nearest(opPerms, itemPerms, c.rootPerms)
	owner := opOwner
	if owner == nil {
		owner = itemOwner
	}
	protected := p.Auth == AuthRequired
	for _, d := range []*inheritedDecl{declOf(roles), declOf(perms), ownerDeclOf(owner)} {
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
		for _, d := range []struct {
			set       bool
			name, ptr string
		}{
			{opRoles != nil && !opRoles.cond.Empty(), extRoles, ptrOf(opRoles)},
			{opPerms != nil && !opPerms.cond.Empty(), extPermissions, ptrOf(opPerms)},
			{opOwner != nil, extOwner, ownerPtrOf(opOwner)},
		} {
			if d.set {
				c.fail(method, tmpl, d.ptr, "%s on %s: anonymous callers would bypass it (require authentication in security, or remove it)", d.name, what)
			}
		}
	} else {
		if roles != nil {
			p.Roles = roles.cond
		}
		if perms != nil {
			p.Permissions = perms.cond
		}
		if owner != nil {
			p.Owner = c.ownerRule(owner, item, op, method, tmpl)
		}
	}

	key := templateKey(method, p.Route)
	if prev, dup := c.ps.byKey[key]; dup {
		c.fail(method, tmpl, opPtr, "ambiguous: %s %s has the same shape as %s %s (parameter names do not tell routes apart)", method, p.Route, prev.Method, prev.Route)
		return
	}
	c.ps.byKey[key] = p
	c.ps.all = append(c.ps.all, p)
	c.meta[p] = meta
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
		alt = append(alt, SchemeRequirement{Scheme: name, Type: s.Type, Bearer: s.Bearer(), Scopes: scopes})
		c.inUse[name] = true
	}
	return alt
}

// ownerRule checks an owner declaration against the operation it applies to and returns
// the rule with its defaults resolved.
func (c *compiler) ownerRule(d *ownerDecl, item *openapi3.PathItem, op *openapi3.Operation, method, tmpl string) *Owner {
	o := d.owner
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
		c.fail("", d.path, d.ptr, "%s %s applies to no operation that requires authentication: the %d operation(s) it would apply to are public or optional, so anonymous callers would bypass it (require authentication in security, or remove it)", d.name, where, d.reached)
	}
}

func nearest(decls ...*condDecl) *condDecl {
	for _, d := range decls {
		if d != nil {
			return d
		}
	}
	return nil
}

func declOf(d *condDecl) *inheritedDecl {
	if d == nil {
		return nil
	}
	return d.inheritedDecl
}

func ownerDeclOf(d *ownerDecl) *inheritedDecl {
	if d == nil {
		return nil
	}
	return d.inheritedDecl
}

func ptrOf(d *condDecl) string {
	if d == nil {
		return ""
	}
	return d.ptr
}

func ownerPtrOf(d *ownerDecl) string {
	if d == nil {
		return ""
	}
	return d.ptr
}

// hasPathParam reports whether the operation has a path parameter called name, declared
// on the operation or on its path item.
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

func hasUnfollowedParam(item *openapi3.PathItem, op *openapi3.Operation) bool {
	for _, params := range []openapi3.Parameters{op.Parameters, item.Parameters} {
		for _, ref := range params {
			if ref != nil && ref.Value != nil {
				if _, ok := ref.Value.Extensions[unfollowedKey]; ok {
					return true
				}
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

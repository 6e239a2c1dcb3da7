package openapi

import (
	"fmt"
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

	rootDecls   declarations
	inheritable []*declSite // root and path-item declarations
}

// opMeta is what the lint needs to know about a compiled operation.
type opMeta struct {
	op          *openapi3.Operation
	ownSecurity bool
}

func (c *compiler) fail(method, path, ptr, format string, a ...any) {
	c.errs = append(c.errs, &Problem{Method: method, Path: path, Pointer: ptr, Message: fmt.Sprintf(format, a...)})
}

func (c *compiler) warn(method, path, ptr, format string, a ...any) {
	c.ps.warnings = append(c.ps.warnings, &Problem{Method: method, Path: path, Pointer: ptr, Message: fmt.Sprintf(format, a...), Warning: true})
}

func (c *compiler) root() {
	c.checkUnknown(c.doc.Extensions, levelRoot, "", "", "#")
	c.rootDecls = c.declarations(c.doc.Extensions, levelRoot, "", "", "#")
	for i, req := range c.doc.Security {
		c.checkRequirement(req, "", "", child(pointer("security"), strconv.Itoa(i)))
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
	decls := c.declarations(item.Extensions, levelPathItem, "", tmpl, itemPtr)
	c.checkAdditionalOperations(tmpl, item, itemPtr)
	for _, o := range operationsOf(item) {
		c.operation(tmpl, item, itemPtr, o, decls)
	}
}

func (c *compiler) operation(tmpl string, item *openapi3.PathItem, itemPtr string, o itemOperation, itemDecls declarations) {
	method, op := o.method, o.op
	opPtr := child(itemPtr, o.tokens...)
	if target, reason, ok := c.unfollowedTarget(op.Extensions); ok {
		c.fail(method, tmpl, opPtr, "the operation is the $ref %q, which is not followed (%s): its security cannot be known", target, reason)
		return
	}
	c.checkUnknown(op.Extensions, levelOperation, method, tmpl, opPtr)
	p := &Policy{Method: method, Path: tmpl, OperationID: op.OperationID, Pointer: opPtr}
	p.Route = c.operationBase(item, op, itemPtr, opPtr, method, tmpl) + tmpl
	ownSecurity := c.security(p, op)
	c.applyDeclarations(p, item, op, itemDecls)

	key := templateKey(method, p.Route)
	if prev, dup := c.ps.byKey[key]; dup {
		c.fail(method, tmpl, opPtr, "ambiguous: %s %s has the same shape as %s %s (parameter names do not tell routes apart)", method, p.Route, prev.Method, prev.Route)
		return
	}
	c.ps.byKey[key] = p
	c.ps.all = append(c.ps.all, p)
	c.meta[p] = &opMeta{op: op, ownSecurity: ownSecurity}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package openapi

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Misplaced extensions.
//
// x-axioms-* keys mean something on the document root, on the path items of paths (or
// the components.pathItems entry such a path item references) and on their
// operations; the compiler reads them there. Anywhere else the key would be silently
// ignored, and the rule its author wrote lost, so checkPlacement walks the whole
// parsed document once and reports every key that looks like one of ours
// (axiomsLike: the key itself, a typo or a Unicode look-alike; see extkeys.go) outside
// those places: under responses, a request body, a parameter, info, tags, a schema, a
// security scheme, the paths or components object, a webhook, a callback, an
// unreferenced components.pathItems entry...
//
// The walk reads the Extensions map of every object kin-openapi decodes, through
// reflection over its types (so that no object kind is forgotten as kin-openapi grows),
// with a plan per type computed once. The objects most of a document is made of
// (schemas, parameters, responses...) are walked the same way by typed functions
// instead (walk_typed.go), and kin-openapi's collections are iterated directly. What is data rather than OpenAPI objects is not
// looked into: the values of extensions (a vendor's x-whatever holds whatever it
// likes), of example, examples, default, const and enum (instances, not schemas), and
// the names in properties, patternProperties, $defs and dependentSchemas, which are
// property or definition names (a property may well be called x-axioms-roles); the
// schemas they map to are walked. A $ref inside the document is not followed: its
// target is walked where it is defined. A reference to another file is followed once.

// typePlan is how the walk visits one kin-openapi struct type.
type typePlan struct {
	ext    int // index of the Extensions field; -1 if none
	ref    int // index of the Ref field (reference objects, path items); -1 if none
	mapIdx int // index of the unexported map of Paths, Responses, Callback; -1 if none
	fields []planField
	kind   nodeKind
}

type planField struct {
	index int
	name  string // pointer token; "" for a field that is the object itself (a reference's Value)
}

type nodeKind int

const (
	nodeOther nodeKind = iota + 1
	nodeRoot
	nodePathItem
	nodeOperation
)

var (
	plans     sync.Map // reflect.Type → *typePlan
	extType   = reflect.TypeFor[map[string]any]()
	pathItemT = reflect.TypeFor[openapi3.PathItem]()
	opT       = reflect.TypeFor[openapi3.Operation]()
	rootT     = reflect.TypeFor[openapi3.T]()
)

// planOf returns the plan of struct type t.
func planOf(t reflect.Type) *typePlan {
	if p, ok := plans.Load(t); ok {
		return p.(*typePlan)
	}
	p := &typePlan{ext: -1, ref: -1, mapIdx: -1, kind: nodeOther}
	switch t {
	case rootT:
		p.kind = nodeRoot
	case pathItemT:
		p.kind = nodePathItem
	case opT:
		p.kind = nodeOperation
	}
	_, isRef := t.FieldByName("Value")
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		switch {
		case f.Name == "Extensions" && f.Type == extType:
			p.ext = i
		case f.Name == "Ref" && f.Type.Kind() == reflect.String:
			p.ref = i
		case !f.IsExported():
			if f.Name == "m" && f.Type.Kind() == reflect.Map && mayHoldObjects(f.Type, map[reflect.Type]bool{}) {
				p.mapIdx = i
			}
		case f.Name == "Origin" || !mayHoldObjects(f.Type, map[reflect.Type]bool{}):
		default:
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || name == "" || isRef && f.Name == "Value" {
				name = "" // the object itself: a reference's value, a BoolSchema's schema
			}
			p.fields = append(p.fields, planField{index: i, name: name})
		}
	}
	plans.Store(t, p)
	return p
}

// mayHoldObjects reports whether a value of type t may hold a kin-openapi object with
// extensions. Interfaces (examples, defaults, extension values) are data.
func mayHoldObjects(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return mayHoldObjects(t.Elem(), seen)
	case reflect.Map:
		return t.Key().Kind() == reflect.String && mayHoldObjects(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return false // already being examined: the answer comes from elsewhere
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Name == "Extensions" && f.Type == extType {
				return true
			}
			if f.Name != "Origin" && (f.IsExported() || f.Name == "m") && mayHoldObjects(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// walker walks a parsed document for misplaced extensions.
type walker struct {
	c     *compiler
	stack []token
	seen  map[uintptr]bool // objects reached through a reference to another file
	found []*Problem

	// reflectOnly turns the typed walks (walk_typed.go) off, for the tests that check
	// them against this walk.
	reflectOnly bool
}

// token is one reference token of the current location: a name, or an index.
type token struct {
	name string
	idx  int // -1 for a name
}

// checkPlacement reports every x-axioms-like key outside the document root, the path
// items the compiler read and their operations. It runs after paths(), which records
// the components.pathItems entries that paths reference (c.itemRefs).
func (c *compiler) checkPlacement() {
	w := &walker{c: c, stack: make([]token, 0, 32)}
	w.visit(reflect.ValueOf(c.doc).Elem(), false)
	slices.SortStableFunc(w.found, func(a, b *Problem) int { return strings.Compare(a.Pointer, b.Pointer) })
	c.errs = append(c.errs, w.found...)
}

func (w *walker) push(name string) { w.stack = append(w.stack, token{name: name, idx: -1}) }
func (w *walker) pop()             { w.stack = w.stack[:len(w.stack)-1] }

// pointer renders the current location.
func (w *walker) pointer() string {
	tokens := make([]string, len(w.stack))
	for i, t := range w.stack {
		if t.idx >= 0 {
			tokens[i] = strconv.Itoa(t.idx)
		} else {
			tokens[i] = t.name
		}
	}
	return pointer(tokens...)
}

// at reports whether the current location is exactly the given names.
func (w *walker) at(names ...string) bool {
	if len(w.stack) != len(names) {
		return false
	}
	for i, n := range names {
		if w.stack[i].idx >= 0 || w.stack[i].name != n {
			return false
		}
	}
	return true
}

// visit walks struct value v. compiled is true for the operations of a path item the
// compiler read: their own keys were checked by the compiler.
func (w *walker) visit(v reflect.Value, compiled bool) {
	if w.typed(v) {
		return
	}
	p := planOf(v.Type())
	ownChecked := false
	switch p.kind {
	case nodeRoot:
		ownChecked = true
	case nodePathItem:
		switch {
		case len(w.stack) == 2 && w.stack[0].name == "paths" && w.stack[0].idx < 0:
			if ref := v.Field(p.ref).String(); strings.HasPrefix(ref, "#") {
				return // compiled where it is defined (components.pathItems)
			}
			compiled = true
		default:
			compiled = false
		}
		ownChecked = compiled
	case nodeOperation:
		ownChecked = compiled
		compiled = false
	default:
		compiled = false
	}
	if p.ext >= 0 && !ownChecked {
		w.extensions(v.Field(p.ext))
	}
	if p.ref >= 0 && p.kind != nodePathItem {
		if ref := v.Field(p.ref).String(); ref != "" {
			if strings.HasPrefix(ref, "#") {
				return // walked where it is defined
			}
			for _, f := range p.fields {
				if f.name == "" {
					if fv := v.Field(f.index); fv.Kind() == reflect.Pointer && !fv.IsNil() && !w.firstVisit(fv.Pointer()) {
						return
					}
				}
			}
		}
	}
	for _, f := range p.fields {
		if f.name != "" {
			w.push(f.name)
		}
		w.value(v.Field(f.index), compiled)
		if f.name != "" {
			w.pop()
		}
	}
	if p.mapIdx >= 0 {
		// Through the exported accessor: a value read from an unexported field could
		// not be handed on as an interface.
		switch x := v.Addr().Interface().(type) {
		case *openapi3.Paths:
			walkMap(w, x.Map(), false)
		case *openapi3.Responses:
			walkMap(w, x.Map(), false)
		case *openapi3.Callback:
			walkMap(w, x.Map(), false)
		default:
			w.mapValues(v.Field(p.mapIdx), false)
		}
	}
}

// walkMap walks the objects of one of kin-openapi's collections directly, without
// reflecting over the map.
func walkMap[T any](w *walker, m map[string]*T, compiled bool) {
	for k, x := range m {
		if x == nil {
			continue
		}
		w.push(k)
		w.visit(reflect.ValueOf(x).Elem(), compiled)
		w.pop()
	}
}

// typedMap walks m directly when it is one of kin-openapi's collections, and reports
// whether it was; other maps are walked by reflection (mapValues).
func (w *walker) typedMap(m any, compiled bool) bool {
	switch m := m.(type) {
	case openapi3.Schemas:
		walkMap(w, m, compiled)
	case openapi3.Content:
		walkMap(w, m, compiled)
	case openapi3.Headers:
		walkMap(w, m, compiled)
	case openapi3.Examples:
		walkMap(w, m, compiled)
	case openapi3.ParametersMap:
		walkMap(w, m, compiled)
	case openapi3.ResponseBodies:
		walkMap(w, m, compiled)
	case openapi3.RequestBodies:
		walkMap(w, m, compiled)
	case openapi3.SecuritySchemes:
		walkMap(w, m, compiled)
	case openapi3.Links:
		walkMap(w, m, compiled)
	case openapi3.Callbacks:
		walkMap(w, m, compiled)
	case map[string]*openapi3.Encoding:
		walkMap(w, m, compiled)
	case map[string]*openapi3.PathItem:
		walkMap(w, m, compiled)
	case map[string]*openapi3.Operation:
		walkMap(w, m, compiled)
	default:
		return false
	}
	return true
}

// firstVisit records that the object at address p, reached through a reference to
// another file, is walked, and reports whether it was not already.
func (w *walker) firstVisit(p uintptr) bool {
	if w.seen == nil {
		w.seen = map[uintptr]bool{}
	}
	if w.seen[p] {
		return false
	}
	w.seen[p] = true
	return true
}

// value walks a field's value: a pointer, slice, map or struct.
func (w *walker) value(v reflect.Value, compiled bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			w.value(v.Elem(), compiled)
		}
	case reflect.Struct:
		w.visit(v, compiled)
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			w.stack = append(w.stack, token{idx: i})
			w.value(v.Index(i), compiled)
			w.pop()
		}
	case reflect.Map:
		if !v.CanInterface() || !w.typedMap(v.Interface(), compiled) {
			w.mapValues(v, compiled)
		}
	}
}

func (w *walker) mapValues(v reflect.Value, compiled bool) {
	if v.Len() == 0 {
		return
	}
	it := v.MapRange()
	for it.Next() {
		w.push(it.Key().String())
		w.value(it.Value(), compiled)
		w.pop()
	}
}

// extensions checks the keys of an Extensions map, and walks the values of the keys
// kin-openapi does not model (OpenAPI 3.1's components.pathItems, for one).
func (w *walker) extensions(v reflect.Value) {
	if v.Len() == 0 {
		return
	}
	if !v.CanInterface() {
		// Read through an unexported field (a kin-openapi type this walk does not
		// know): the keys can be checked, the values not handed on.
		it := v.MapRange()
		for it.Next() {
			if k := it.Key().String(); axiomsLike(k) {
				w.push(k)
				w.misplaced(k)
				w.pop()
			}
		}
		return
	}
	w.extensionMap(v.Interface().(map[string]any))
}

// extensionMap is extensions on the map itself.
func (w *walker) extensionMap(ext map[string]any) {
	for k, val := range ext {
		switch {
		case axiomsLike(k):
			w.push(k)
			w.misplaced(k)
			w.pop()
		case k == unfollowedKey:
			if ref, ok := val.(string); ok {
				if w.c.unfollowedAt == nil {
					w.c.unfollowedAt = map[string][]string{}
				}
				w.c.unfollowedAt[ref] = append(w.c.unfollowedAt[ref], w.pointer())
			}
		case len(k) > 2 && (k[0] == 'x' || k[0] == 'X') && k[1] == '-':
			// A vendor extension: its value is the vendor's data.
		default:
			w.push(k)
			if w.at("components", "pathItems") {
				w.componentPathItems(val)
			} else {
				w.raw(val)
			}
			w.pop()
		}
	}
}

// componentPathItems walks OpenAPI 3.1's components.pathItems, which kin-openapi keeps
// as plain data. An entry that a path of paths references was compiled: its own keys
// and those of its operations are in place.
func (w *walker) componentPathItems(v any) {
	items, ok := v.(map[string]any)
	if !ok {
		w.raw(v)
		return
	}
	for name, item := range items {
		w.push(name)
		if m, ok := item.(map[string]any); ok && w.c.itemRefs[w.pointer()] {
			for k, val := range m {
				w.push(k)
				switch {
				case axiomsLike(k):
					// Checked where the compiler read it.
				case isOperationField(k):
					if op, ok := val.(map[string]any); ok {
						for opKey, opVal := range op {
							if !axiomsLike(opKey) {
								w.push(opKey)
								w.rawMember(opKey, opVal)
								w.pop()
							}
						}
					}
				case k == "additionalOperations":
					if ops, ok := val.(map[string]any); ok {
						for method, op := range ops {
							w.push(method)
							if op, ok := op.(map[string]any); ok {
								for opKey, opVal := range op {
									if !axiomsLike(opKey) {
										w.push(opKey)
										w.rawMember(opKey, opVal)
										w.pop()
									}
								}
							}
							w.pop()
						}
					}
				default:
					w.rawMember(k, val)
				}
				w.pop()
			}
		} else {
			w.raw(item)
		}
		w.pop()
	}
}

func isOperationField(k string) bool {
	return slices.ContainsFunc(fixedMethods, func(m struct {
		method, field string
		get           func(*openapi3.PathItem) *openapi3.Operation
	}) bool {
		return m.field == k
	})
}

// raw walks a value kin-openapi keeps as plain data (see the top of this file for what
// is data).
func (w *walker) raw(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			w.push(k)
			if axiomsLike(k) {
				w.misplaced(k)
			} else {
				w.rawMember(k, val)
			}
			w.pop()
		}
	case []any:
		for i, val := range t {
			w.stack = append(w.stack, token{idx: i})
			w.raw(val)
			w.pop()
		}
	}
}

// rawMember walks the value of member k of a plain-data object.
func (w *walker) rawMember(k string, v any) {
	switch k {
	case "example", "examples", "default", "const", "enum":
		// Instances, not OpenAPI objects. (An OpenAPI examples map holds Example
		// objects, whose value is an instance too; their other members are not ours
		// either.)
	case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas":
		// Names of properties and definitions, mapped to schemas.
		if m, ok := v.(map[string]any); ok {
			for name, schema := range m {
				w.push(name)
				w.raw(schema)
				w.pop()
			}
		}
	default:
		if len(k) > 2 && (k[0] == 'x' || k[0] == 'X') && k[1] == '-' {
			return // a vendor extension's data
		}
		w.raw(v)
	}
}

// misplaced reports key k at the current location.
func (w *walker) misplaced(k string) {
	p := &Problem{Pointer: w.pointer()}
	if len(w.stack) >= 2 && w.stack[0].name == "paths" && w.stack[0].idx < 0 {
		p.Path = w.stack[1].name
		if len(w.stack) >= 3 {
			if m := methodOfField(w.stack[2].name); m != "" {
				p.Method = m
			} else if w.stack[2].name == "additionalOperations" && len(w.stack) >= 4 {
				p.Method = w.stack[3].name
			}
		}
	}
	if slices.Contains(knownExtensions, k) {
		p.Message = k + " is not allowed here: use it on the document root, a path item of paths or one of its operations"
	} else {
		p.Message = unknownKeyMessage(k)
	}
	w.found = append(w.found, p)
}

func methodOfField(field string) string {
	for _, m := range fixedMethods {
		if m.field == field {
			return m.method
		}
	}
	return ""
}

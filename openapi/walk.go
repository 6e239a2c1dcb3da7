package openapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

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
// The walk reads the Extensions map of every object kin-openapi decodes: one function
// per kin-openapi type that carries extensions, each visiting the fields of its type
// that hold such objects, in the order kin-openapi declares them. A test fills every
// such field of every type reachable from the document and checks that the walk
// reports a key in each (TestWalkReachesEveryExtensions), so that a type or a field
// kin-openapi adds cannot be skipped unnoticed. The values kin-openapi keeps as plain
// data among an object's extensions (OpenAPI 3.1's components.pathItems, keys it does
// not model) are walked by walk_raw.go.
//
// What is data rather than OpenAPI objects is not looked into: the values of
// extensions (a vendor's x-whatever holds whatever it likes), of example, examples,
// default, const and enum (instances, not schemas), and the names in properties,
// patternProperties, $defs and dependentSchemas, which are property or definition names
// (a property may well be called x-axioms-roles); the schemas they map to are walked. A
// $ref inside the document is not followed: its target is walked where it is defined.
// A reference to another file is followed once, where the walk first reaches it.

// walker walks a parsed document for misplaced extensions.
type walker struct {
	c     *compiler
	stack []token
	seen  map[any]bool // objects of other files already walked, by pointer
	found []*Problem
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
	w.document(c.doc)
	slices.SortStableFunc(w.found, func(a, b *Problem) int { return strings.Compare(a.Pointer, b.Pointer) })
	c.errs = append(c.errs, w.found...)
}

func (w *walker) push(name string) { w.stack = append(w.stack, token{name: name, idx: -1}) }
func (w *walker) pushIndex(i int)  { w.stack = append(w.stack, token{idx: i}) }
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

// field walks the object of field name, if there is one.
func field[T any](w *walker, name string, x *T, walk func(*walker, *T)) {
	if x != nil {
		w.push(name)
		walk(w, x)
		w.pop()
	}
}

// list walks the objects of list field name, each at its index.
func list[T any](w *walker, name string, xs []*T, walk func(*walker, *T)) {
	if len(xs) == 0 {
		return
	}
	w.push(name)
	for i, x := range xs {
		if x != nil {
			w.pushIndex(i)
			walk(w, x)
			w.pop()
		}
	}
	w.pop()
}

// keyed walks the objects of a keyed collection, each at its key: the collection of
// field name, or with name "" the entries of an object that is a collection (paths,
// responses, a callback).
func keyed[T any](w *walker, name string, m map[string]*T, walk func(*walker, *T)) {
	if len(m) == 0 {
		return
	}
	if name != "" {
		w.push(name)
	}
	for k, x := range m {
		if x != nil {
			w.push(k)
			walk(w, x)
			w.pop()
		}
	}
	if name != "" {
		w.pop()
	}
}

// ref walks a reference object (a $ref, or the object itself): its own extensions,
// then its value at the same location, unless the reference is inside the document (its
// target is walked where it is defined) or to another file and already walked.
func ref[T any](w *walker, ref string, ext map[string]any, value *T, walk func(*walker, *T)) {
	w.extensionMap(ext)
	if value == nil {
		return
	}
	if ref != "" {
		if strings.HasPrefix(ref, "#") || w.seen[value] {
			return
		}
		if w.seen == nil {
			w.seen = map[any]bool{}
		}
		w.seen[value] = true
	}
	walk(w, value)
}

// document walks the document. The root's own keys are the compiler's (root).
func (w *walker) document(d *openapi3.T) {
	field(w, "components", d.Components, (*walker).components)
	field(w, "info", d.Info, (*walker).info)
	field(w, "paths", d.Paths, (*walker).paths)
	list(w, "servers", d.Servers, (*walker).server)
	list(w, "tags", d.Tags, (*walker).tag)
	field(w, "externalDocs", d.ExternalDocs, (*walker).externalDocs)
	keyed(w, "webhooks", d.Webhooks, (*walker).pathItem)
}

func (w *walker) components(c *openapi3.Components) {
	w.extensionMap(c.Extensions)
	keyed(w, "schemas", c.Schemas, (*walker).schemaRef)
	keyed(w, "parameters", c.Parameters, (*walker).parameterRef)
	keyed(w, "headers", c.Headers, (*walker).headerRef)
	keyed(w, "requestBodies", c.RequestBodies, (*walker).requestBodyRef)
	keyed(w, "responses", c.Responses, (*walker).responseRef)
	keyed(w, "securitySchemes", c.SecuritySchemes, (*walker).securitySchemeRef)
	keyed(w, "examples", c.Examples, (*walker).exampleRef)
	keyed(w, "links", c.Links, (*walker).linkRef)
	keyed(w, "callbacks", c.Callbacks, (*walker).callbackRef)
}

func (w *walker) info(i *openapi3.Info) {
	w.extensionMap(i.Extensions)
	field(w, "contact", i.Contact, (*walker).contact)
	field(w, "license", i.License, (*walker).license)
}

// paths walks the paths object. Its path items are the compiler's: their own keys and
// those of their operations were read there, and a path item that is a $ref inside the
// document is walked where it is defined (components.pathItems, walk_raw.go).
func (w *walker) paths(p *openapi3.Paths) {
	w.extensionMap(p.Extensions)
	for tmpl, item := range p.Map() {
		if item != nil && !strings.HasPrefix(item.Ref, "#") {
			w.push(tmpl)
			w.pathItemFields(item, (*walker).operationFields)
			w.pop()
		}
	}
}

// pathItem walks a path item outside paths: a webhook, a callback's.
func (w *walker) pathItem(item *openapi3.PathItem) {
	w.extensionMap(item.Extensions)
	w.pathItemFields(item, (*walker).operation)
}

// walkOrder is the order in which a path item's fixed operations are walked: the order
// in which kin-openapi declares their fields. It decides where an object of another
// file that several operations reference is reported (where the walk first reaches it).
var walkOrder = func() []fixedMethod {
	var out []fixedMethod
	for _, method := range []string{http.MethodConnect, http.MethodDelete, http.MethodGet, http.MethodHead,
		http.MethodOptions, http.MethodPatch, http.MethodPost, http.MethodPut, http.MethodTrace, openapi3.MethodQuery} {
		out = append(out, fixedMethods[fixedMethodOf(method)])
	}
	return out
}()

// pathItemFields walks what a path item holds, its operations with operation.
func (w *walker) pathItemFields(item *openapi3.PathItem, operation func(*walker, *openapi3.Operation)) {
	for _, m := range walkOrder {
		field(w, m.field, m.get(item), operation)
	}
	list(w, "servers", item.Servers, (*walker).server)
	list(w, "parameters", item.Parameters, (*walker).parameterRef)
	keyed(w, "additionalOperations", item.AdditionalOperations, operation)
}

// operation walks an operation outside the path items of paths.
func (w *walker) operation(op *openapi3.Operation) {
	w.extensionMap(op.Extensions)
	w.operationFields(op)
}

// operationFields walks what an operation holds; its own keys are walked by operation,
// or were read by the compiler.
func (w *walker) operationFields(op *openapi3.Operation) {
	list(w, "parameters", op.Parameters, (*walker).parameterRef)
	field(w, "requestBody", op.RequestBody, (*walker).requestBodyRef)
	field(w, "responses", op.Responses, (*walker).responses)
	keyed(w, "callbacks", op.Callbacks, (*walker).callbackRef)
	if op.Servers != nil {
		list(w, "servers", *op.Servers, (*walker).server)
	}
	field(w, "externalDocs", op.ExternalDocs, (*walker).externalDocs)
}

func (w *walker) responses(r *openapi3.Responses) {
	w.extensionMap(r.Extensions)
	keyed(w, "", r.Map(), (*walker).responseRef)
}

func (w *walker) callback(c *openapi3.Callback) {
	w.extensionMap(c.Extensions)
	keyed(w, "", c.Map(), (*walker).pathItem)
}

func (w *walker) schemaRef(r *openapi3.SchemaRef) {
	ref(w, r.Ref, r.Extensions, r.Value, (*walker).schema)
}
func (w *walker) parameterRef(r *openapi3.ParameterRef) {
	ref(w, r.Ref, r.Extensions, r.Value, (*walker).parameter)
}
func (w *walker) headerRef(r *openapi3.HeaderRef) {
	ref(w, r.Ref, r.Extensions, r.Value, (*walker).header)
}
func (w *walker) requestBodyRef(r *openapi3.RequestBodyRef) {
	ref(w, r.Ref, r.Extensions, r.Value, (*walker).requestBody)
}
func (w *walker) responseRef(r *openapi3.ResponseRef) {
	ref(w, r.Ref, r.Extensions, r.Value, (*walker).response)
}
func (w *walker) securitySchemeRef(r *openapi3.SecuritySchemeRef) {
	ref(w, r.Ref, r.Extensions, r.Value, (*walker).securityScheme)
}
func (w *walker) exampleRef(r *openapi3.ExampleRef) {
	ref(w, r.Ref, r.Extensions, r.Value, (*walker).example)
}
func (w *walker) linkRef(r *openapi3.LinkRef) {
	ref(w, r.Ref, r.Extensions, r.Value, (*walker).link)
}
func (w *walker) callbackRef(r *openapi3.CallbackRef) {
	ref(w, r.Ref, r.Extensions, r.Value, (*walker).callback)
}

// schema walks a schema. A schema-or-boolean field (additionalProperties...) holds its
// schema at the field's own location.
func (w *walker) schema(s *openapi3.Schema) {
	w.extensionMap(s.Extensions)
	list(w, "oneOf", s.OneOf, (*walker).schemaRef)
	list(w, "anyOf", s.AnyOf, (*walker).schemaRef)
	list(w, "allOf", s.AllOf, (*walker).schemaRef)
	field(w, "not", s.Not, (*walker).schemaRef)
	field(w, "externalDocs", s.ExternalDocs, (*walker).externalDocs)
	field(w, "xml", s.XML, (*walker).xml)
	field(w, "items", s.Items, (*walker).schemaRef)
	keyed(w, "properties", s.Properties, (*walker).schemaRef)
	field(w, "additionalProperties", s.AdditionalProperties.Schema, (*walker).schemaRef)
	field(w, "discriminator", s.Discriminator, (*walker).discriminator)
	list(w, "prefixItems", s.PrefixItems, (*walker).schemaRef)
	field(w, "contains", s.Contains, (*walker).schemaRef)
	keyed(w, "patternProperties", s.PatternProperties, (*walker).schemaRef)
	keyed(w, "dependentSchemas", s.DependentSchemas, (*walker).schemaRef)
	field(w, "propertyNames", s.PropertyNames, (*walker).schemaRef)
	field(w, "unevaluatedItems", s.UnevaluatedItems.Schema, (*walker).schemaRef)
	field(w, "unevaluatedProperties", s.UnevaluatedProperties.Schema, (*walker).schemaRef)
	field(w, "if", s.If, (*walker).schemaRef)
	field(w, "then", s.Then, (*walker).schemaRef)
	field(w, "else", s.Else, (*walker).schemaRef)
	keyed(w, "$defs", s.Defs, (*walker).schemaRef)
	field(w, "contentSchema", s.ContentSchema, (*walker).schemaRef)
}

// discriminator walks a discriminator; its mapping holds references to schemas.
func (w *walker) discriminator(d *openapi3.Discriminator) {
	w.extensionMap(d.Extensions)
	if len(d.Mapping) == 0 {
		return
	}
	w.push("mapping")
	for k, m := range d.Mapping {
		w.push(k)
		ref(w, m.Ref, m.Extensions, m.Value, (*walker).schema)
		w.pop()
	}
	w.pop()
}

func (w *walker) parameter(p *openapi3.Parameter) {
	w.extensionMap(p.Extensions)
	field(w, "schema", p.Schema, (*walker).schemaRef)
	keyed(w, "examples", p.Examples, (*walker).exampleRef)
	keyed(w, "content", p.Content, (*walker).mediaType)
}

// header walks a header: a parameter, at the same location.
func (w *walker) header(h *openapi3.Header) { w.parameter(&h.Parameter) }

func (w *walker) requestBody(b *openapi3.RequestBody) {
	w.extensionMap(b.Extensions)
	keyed(w, "content", b.Content, (*walker).mediaType)
}

func (w *walker) response(r *openapi3.Response) {
	w.extensionMap(r.Extensions)
	keyed(w, "headers", r.Headers, (*walker).headerRef)
	keyed(w, "content", r.Content, (*walker).mediaType)
	keyed(w, "links", r.Links, (*walker).linkRef)
}

func (w *walker) mediaType(mt *openapi3.MediaType) {
	w.extensionMap(mt.Extensions)
	field(w, "schema", mt.Schema, (*walker).schemaRef)
	field(w, "itemSchema", mt.ItemSchema, (*walker).schemaRef)
	keyed(w, "examples", mt.Examples, (*walker).exampleRef)
	keyed(w, "encoding", mt.Encoding, (*walker).encoding)
}

func (w *walker) encoding(e *openapi3.Encoding) {
	w.extensionMap(e.Extensions)
	keyed(w, "headers", e.Headers, (*walker).headerRef)
}

// securityScheme walks a security scheme. Its x-axioms-dpop is the compiler's
// (declareSchemes); any other key of ours is misplaced there.
func (w *walker) securityScheme(s *openapi3.SecurityScheme) {
	if _, ok := s.Extensions[extDPoP]; ok {
		ext := make(map[string]any, len(s.Extensions)-1)
		for k, v := range s.Extensions {
			if k != extDPoP {
				ext[k] = v
			}
		}
		w.extensionMap(ext)
	} else {
		w.extensionMap(s.Extensions)
	}
	field(w, "flows", s.Flows, (*walker).oauthFlows)
}

func (w *walker) oauthFlows(f *openapi3.OAuthFlows) {
	w.extensionMap(f.Extensions)
	field(w, "implicit", f.Implicit, (*walker).oauthFlow)
	field(w, "password", f.Password, (*walker).oauthFlow)
	field(w, "clientCredentials", f.ClientCredentials, (*walker).oauthFlow)
	field(w, "authorizationCode", f.AuthorizationCode, (*walker).oauthFlow)
}

func (w *walker) link(l *openapi3.Link) {
	w.extensionMap(l.Extensions)
	field(w, "server", l.Server, (*walker).server)
}

func (w *walker) server(s *openapi3.Server) {
	w.extensionMap(s.Extensions)
	keyed(w, "variables", s.Variables, (*walker).serverVariable)
}

func (w *walker) tag(t *openapi3.Tag) {
	w.extensionMap(t.Extensions)
	field(w, "externalDocs", t.ExternalDocs, (*walker).externalDocs)
}

// The objects that hold no other object.

func (w *walker) contact(c *openapi3.Contact)               { w.extensionMap(c.Extensions) }
func (w *walker) license(l *openapi3.License)               { w.extensionMap(l.Extensions) }
func (w *walker) externalDocs(d *openapi3.ExternalDocs)     { w.extensionMap(d.Extensions) }
func (w *walker) xml(x *openapi3.XML)                       { w.extensionMap(x.Extensions) }
func (w *walker) example(e *openapi3.Example)               { w.extensionMap(e.Extensions) }
func (w *walker) oauthFlow(f *openapi3.OAuthFlow)           { w.extensionMap(f.Extensions) }
func (w *walker) serverVariable(v *openapi3.ServerVariable) { w.extensionMap(v.Extensions) }

// extensionMap checks the keys of an object's Extensions map, records where the object
// is a $ref that was not followed, and walks the values of the keys kin-openapi does
// not model (walk_raw.go).
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
		case isVendorKey(k):
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

// isVendorKey reports whether k names a vendor extension (x-..., X-...), whose value is
// the vendor's data.
func isVendorKey(k string) bool {
	return len(k) > 2 && (k[0] == 'x' || k[0] == 'X') && k[1] == '-'
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
	switch {
	case k == extDPoP:
		p.Message = k + " is not allowed here: declare it on a security scheme (oauth2, openIdConnect or http bearer) in components.securitySchemes"
	case slices.Contains(knownExtensions, k):
		p.Message = k + " is not allowed here: use it on the document root, a path item of paths or one of its operations"
	default:
		p.Message = unknownKeyMessage(k)
	}
	w.found = append(w.found, p)
}

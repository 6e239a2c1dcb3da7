package openapi

import (
	"reflect"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Typed walks.
//
// Schemas, parameters, responses, request bodies, media types and headers are most of
// the objects of a large document. The functions below walk them as the reflective walk
// (walk.go) would, with the same pointers, the same rules for references and the same
// reading of extensions, but through Go field access: reflecting over every field of
// every schema would cost as much as the rest of compiling. What they do not name
// (external docs, XML, discriminators, examples, encodings, links) goes back to the
// reflective walk. TestTypedWalkMatchesReflection fills every field kin-openapi declares
// on these types and checks that both walks report the same, so a field that
// kin-openapi adds cannot be skipped unnoticed.

// typed walks struct value v directly when it is one of the types above, and reports
// whether it did.
func (w *walker) typed(v reflect.Value) bool {
	if w.reflectOnly || !v.CanAddr() || !v.CanInterface() {
		return false
	}
	switch x := v.Addr().Interface().(type) {
	case *openapi3.SchemaRef:
		w.schemaRef(x)
	case *openapi3.Schema:
		w.schema(x)
	case *openapi3.ParameterRef:
		w.parameterRef(x)
	case *openapi3.Parameter:
		w.parameter(x)
	case *openapi3.ResponseRef:
		w.responseRef(x)
	case *openapi3.Response:
		w.response(x)
	case *openapi3.RequestBodyRef:
		w.requestBodyRef(x)
	case *openapi3.RequestBody:
		w.requestBody(x)
	case *openapi3.MediaType:
		w.mediaType(x)
	case *openapi3.HeaderRef:
		w.headerRef(x)
	case *openapi3.Header:
		w.parameter(&x.Parameter)
	default:
		return false
	}
	return true
}

// follow applies the rule for the target of a reference object whose $ref is ref: a
// reference inside the document is walked where its target is defined, a reference to
// another file once. It reports whether target is to be walked here.
func follow[T any](w *walker, ref string, target *T) bool {
	switch {
	case ref == "" || target == nil:
		return true
	case strings.HasPrefix(ref, "#"):
		return false
	}
	return w.firstVisit(reflect.ValueOf(target).Pointer())
}

// reflected hands the object of field name to the reflective walk.
func reflected[T any](w *walker, name string, x *T) {
	if x != nil {
		w.push(name)
		w.visit(reflect.ValueOf(x).Elem(), false)
		w.pop()
	}
}

// reflectedMap hands the objects of map field name to the reflective walk.
func reflectedMap[T any](w *walker, name string, m map[string]*T) {
	if len(m) > 0 {
		w.push(name)
		walkMap(w, m, false)
		w.pop()
	}
}

func (w *walker) schemaRef(r *openapi3.SchemaRef) {
	w.extensionMap(r.Extensions)
	if r.Value != nil && follow(w, r.Ref, r.Value) {
		w.schema(r.Value)
	}
}

// schemaField walks the schema of field name.
func (w *walker) schemaField(name string, r *openapi3.SchemaRef) {
	if r != nil {
		w.push(name)
		w.schemaRef(r)
		w.pop()
	}
}

func (w *walker) schemaList(name string, list openapi3.SchemaRefs) {
	if len(list) == 0 {
		return
	}
	w.push(name)
	for i, r := range list {
		if r != nil {
			w.stack = append(w.stack, token{idx: i})
			w.schemaRef(r)
			w.pop()
		}
	}
	w.pop()
}

// namedMap walks map field name with walk, each entry at its key.
func namedMap[T any](w *walker, name string, m map[string]*T, walk func(*T)) {
	if len(m) == 0 {
		return
	}
	w.push(name)
	for k, x := range m {
		if x != nil {
			w.push(k)
			walk(x)
			w.pop()
		}
	}
	w.pop()
}

// boolSchema walks a schema-or-boolean field: its schema is at the field's own location.
func (w *walker) boolSchema(name string, b openapi3.BoolSchema) {
	w.schemaField(name, b.Schema)
}

// schema walks the fields of Schema in the order kin-openapi declares them.
func (w *walker) schema(s *openapi3.Schema) {
	w.extensionMap(s.Extensions)
	w.schemaList("oneOf", s.OneOf)
	w.schemaList("anyOf", s.AnyOf)
	w.schemaList("allOf", s.AllOf)
	w.schemaField("not", s.Not)
	reflected(w, "externalDocs", s.ExternalDocs)
	reflected(w, "xml", s.XML)
	w.schemaField("items", s.Items)
	namedMap(w, "properties", s.Properties, w.schemaRef)
	w.boolSchema("additionalProperties", s.AdditionalProperties)
	reflected(w, "discriminator", s.Discriminator)
	w.schemaList("prefixItems", s.PrefixItems)
	w.schemaField("contains", s.Contains)
	namedMap(w, "patternProperties", s.PatternProperties, w.schemaRef)
	namedMap(w, "dependentSchemas", s.DependentSchemas, w.schemaRef)
	w.schemaField("propertyNames", s.PropertyNames)
	w.boolSchema("unevaluatedItems", s.UnevaluatedItems)
	w.boolSchema("unevaluatedProperties", s.UnevaluatedProperties)
	w.schemaField("if", s.If)
	w.schemaField("then", s.Then)
	w.schemaField("else", s.Else)
	namedMap(w, "$defs", s.Defs, w.schemaRef)
	w.schemaField("contentSchema", s.ContentSchema)
}

func (w *walker) parameterRef(r *openapi3.ParameterRef) {
	w.extensionMap(r.Extensions)
	if r.Value != nil && follow(w, r.Ref, r.Value) {
		w.parameter(r.Value)
	}
}

func (w *walker) parameter(p *openapi3.Parameter) {
	w.extensionMap(p.Extensions)
	w.schemaField("schema", p.Schema)
	reflectedMap(w, "examples", p.Examples)
	namedMap(w, "content", p.Content, w.mediaType)
}

func (w *walker) responseRef(r *openapi3.ResponseRef) {
	w.extensionMap(r.Extensions)
	if r.Value != nil && follow(w, r.Ref, r.Value) {
		w.response(r.Value)
	}
}

func (w *walker) response(r *openapi3.Response) {
	w.extensionMap(r.Extensions)
	namedMap(w, "headers", r.Headers, w.headerRef)
	namedMap(w, "content", r.Content, w.mediaType)
	reflectedMap(w, "links", r.Links)
}

func (w *walker) requestBodyRef(r *openapi3.RequestBodyRef) {
	w.extensionMap(r.Extensions)
	if r.Value != nil && follow(w, r.Ref, r.Value) {
		w.requestBody(r.Value)
	}
}

func (w *walker) requestBody(b *openapi3.RequestBody) {
	w.extensionMap(b.Extensions)
	namedMap(w, "content", b.Content, w.mediaType)
}

func (w *walker) headerRef(r *openapi3.HeaderRef) {
	w.extensionMap(r.Extensions)
	if r.Value != nil && follow(w, r.Ref, r.Value) {
		w.parameter(&r.Value.Parameter)
	}
}

func (w *walker) mediaType(mt *openapi3.MediaType) {
	w.extensionMap(mt.Extensions)
	w.schemaField("schema", mt.Schema)
	w.schemaField("itemSchema", mt.ItemSchema)
	reflectedMap(w, "examples", mt.Examples)
	reflectedMap(w, "encoding", mt.Encoding)
}

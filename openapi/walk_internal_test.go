package openapi

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// filler builds a document in which every field that may hold a kin-openapi object is
// set, through every type reachable from openapi3.T, and records where the placement
// walk must report the marker keys it puts in every Extensions map.
type filler struct {
	n          int
	want       []string // pointers of the markers the walk must report
	unfillable []string // fields that may hold objects and cannot be set
	onPath     map[reflect.Type]bool
}

var (
	extensionsType = reflect.TypeFor[map[string]any]()
	pathsType      = reflect.TypeFor[openapi3.Paths]()
	pathItemType   = reflect.TypeFor[openapi3.PathItem]()
	operationType  = reflect.TypeFor[openapi3.Operation]()
)

// holdsObjects reports whether a value of type t may hold a struct with an Extensions
// map. Interfaces (examples, defaults, extension values) are data.
func holdsObjects(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsObjects(t.Elem(), seen)
	case reflect.Map:
		return t.Key().Kind() == reflect.String && holdsObjects(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return false // being examined: the answer comes from elsewhere
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Name == "Extensions" && f.Type == extensionsType || f.Name != "Origin" && holdsObjects(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// value returns a filled value of type t at the location tokens. compiled is true for
// the objects whose own keys the compiler reads (the root, the path items of paths and
// their operations): the walk must not report their markers.
func (f *filler) value(t reflect.Type, tokens []string, compiled bool) reflect.Value {
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Pointer:
		v.Set(f.value(t.Elem(), tokens, compiled).Addr())
	case reflect.Slice:
		s := reflect.MakeSlice(t, 1, 1)
		s.Index(0).Set(f.value(t.Elem(), append(tokens, "0"), compiled))
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(t)
		m.SetMapIndex(reflect.ValueOf("k").Convert(t.Key()), f.value(t.Elem(), append(tokens, "k"), compiled))
		v.Set(m)
	case reflect.Struct:
		f.fillStruct(v, tokens, compiled)
	}
	return v
}

// fillStruct fills struct v. A type already being filled further up (a schema in a
// schema) gets its markers but no more, which ends the recursion: its fields are
// filled further up.
func (f *filler) fillStruct(v reflect.Value, tokens []string, compiled bool) {
	t := v.Type()
	deep := !f.onPath[t]
	f.onPath[t] = true
	defer func() { f.onPath[t] = !deep }()
	for i := range t.NumField() {
		sf := t.Field(i)
		switch {
		case sf.Name == "Extensions" && sf.Type == extensionsType:
			f.n++
			key, rawKey := fmt.Sprintf("x-axiom-%d", f.n), fmt.Sprintf("x-axiom-%d-raw", f.n)
			v.Field(i).Set(reflect.ValueOf(map[string]any{
				key:       true,
				"unknown": map[string]any{rawKey: true}, // a key kin-openapi does not model
				"x-other": map[string]any{rawKey: true}, // a vendor's data
			}))
			if !compiled {
				f.want = append(f.want, pointer(append(tokens, key)...), pointer(append(tokens, "unknown", rawKey)...))
			}
		case sf.Name == "Origin" || !holdsObjects(sf.Type, map[reflect.Type]bool{}):
		case sf.Type.Kind() == reflect.Struct:
			// An inline object: a header's parameter, at the same location; a
			// schema-or-boolean.
			f.fillStruct(v.Field(i), fieldLocation(tokens, sf), compiled)
		case !deep:
		case !sf.IsExported():
			// kin-openapi's own state (a reference's siblings and target, applied to its
			// value while loading), except the entries of the objects that are
			// collections (paths, responses, callbacks), which their Map method exposes
			// and their Set method sets.
			if _, ok := reflect.PointerTo(t).MethodByName("Map"); !ok {
				continue
			}
			set := v.Addr().MethodByName("Set")
			if sf.Type.Kind() != reflect.Map || !set.IsValid() {
				f.unfillable = append(f.unfillable, t.String()+"."+sf.Name)
				continue
			}
			set.Call([]reflect.Value{reflect.ValueOf("k"), f.value(sf.Type.Elem(), append(tokens, "k"), t == pathsType)})
		default:
			elem := sf.Type
			for elem.Kind() == reflect.Pointer || elem.Kind() == reflect.Map || elem.Kind() == reflect.Slice {
				elem = elem.Elem()
			}
			v.Field(i).Set(f.value(sf.Type, fieldLocation(tokens, sf), compiled && t == pathItemType && elem == operationType))
		}
	}
}

// fieldLocation returns the location of field sf of the object at tokens: its JSON
// name's, or the object's own for a field without one (a reference's value, a header's
// parameter, the schema of a schema-or-boolean).
func fieldLocation(tokens []string, sf reflect.StructField) []string {
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return tokens
	}
	return append(slices.Clip(tokens), name)
}

// The walk reaches every Extensions map of every kin-openapi type reachable from the
// document, through every field, and reports each misplaced key at its pointer: a type
// or field that kin-openapi adds and the walk does not visit fails here.
func TestWalkReachesEveryExtensions(t *testing.T) {
	f := &filler{onPath: map[reflect.Type]bool{}}
	doc := f.value(reflect.TypeFor[openapi3.T](), nil, true).Addr().Interface().(*openapi3.T)
	require.Empty(t, f.unfillable, "fields that may hold objects and that this test cannot set")
	require.Greater(t, len(f.want), 100)

	c := &compiler{doc: doc, itemRefs: map[string]bool{}}
	c.checkPlacement()
	got := map[string]bool{}
	for _, p := range c.errs {
		got[p.Pointer] = true
	}
	var missing []string
	for _, ptr := range f.want {
		if !got[ptr] {
			missing = append(missing, ptr)
		}
		delete(got, ptr)
	}
	assert.Empty(t, firstFew(missing), "%d markers not reported", len(missing))
	assert.Empty(t, firstFew(slices.Sorted(maps.Keys(got))), "%d problems where no marker is, or where the compiler reads the keys", len(got))
	assert.Len(t, c.errs, len(f.want))
}

// firstFew returns the first ten items of list, sorted.
func firstFew(list []string) []string {
	slices.Sort(list)
	return list[:min(len(list), 10)]
}

// A reference inside the document is not followed (its target is walked where it is
// defined), a path item of paths that is one not at all; an object of another file is
// walked once, where the walk first reaches it.
func TestWalkFollowsReferences(t *testing.T) {
	schema := &openapi3.Schema{Extensions: map[string]any{"x-axioms-roles": true}}
	ext := &openapi3.SchemaRef{Ref: "other.yaml#/S", Value: schema}
	doc := &openapi3.T{
		Components: &openapi3.Components{Schemas: openapi3.Schemas{
			"a": ext, "b": ext,
			"local": {Ref: "#/components/schemas/x", Value: &openapi3.Schema{Extensions: map[string]any{"x-axioms-roles": true}}},
		}},
		Paths: openapi3.NewPaths(openapi3.WithPath("/a", &openapi3.PathItem{
			Ref:        "#/components/pathItems/a",
			Extensions: map[string]any{"x-axioms-roles": true},
		})),
	}
	c := &compiler{doc: doc, itemRefs: map[string]bool{}}
	c.checkPlacement()
	require.Len(t, c.errs, 1, "an object of another file is reported once")
	assert.Contains(t, []string{"#/components/schemas/a/x-axioms-roles", "#/components/schemas/b/x-axioms-roles"}, c.errs[0].Pointer)
}

// The fixed operations are walked in kin-openapi's field order, and every one of them.
func TestWalkOrder(t *testing.T) {
	require.Len(t, walkOrder, len(fixedMethods))
	fields := make([]string, len(walkOrder))
	for i, m := range walkOrder {
		fields[i] = m.field
	}
	var declared []string
	pt := reflect.TypeFor[openapi3.PathItem]()
	for i := range pt.NumField() {
		if pt.Field(i).Type == reflect.TypeFor[*openapi3.Operation]() {
			declared = append(declared, strings.ToLower(pt.Field(i).Name))
		}
	}
	assert.Equal(t, declared, fields)
}

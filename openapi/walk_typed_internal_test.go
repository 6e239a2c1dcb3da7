package openapi

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walkResult is what a walk reports: its problems, as "pointer: message", and where it
// found each unfollowed reference, both sorted.
type walkResult struct {
	problems   []string
	unfollowed map[string][]string
}

// walkWith walks v (a pointer to a kin-openapi object) from the document root, with the
// typed walks or by reflection only.
func walkWith(v reflect.Value, reflectOnly bool) walkResult {
	w := &walker{c: &compiler{itemRefs: map[string]bool{}}, reflectOnly: reflectOnly}
	w.value(v, false)
	var r walkResult
	for _, p := range w.found {
		r.problems = append(r.problems, p.Pointer+": "+p.Message)
	}
	slices.Sort(r.problems)
	r.unfollowed = w.c.unfollowedAt
	for _, ptrs := range r.unfollowed {
		slices.Sort(ptrs)
	}
	return r
}

// filled returns a value of type t in which every field that may hold objects is set,
// down to depth nested structs: every Extensions map holds a misplaced x-axioms-roles,
// a key kin-openapi does not model whose value holds a misplaced x-axioms-owner, and an
// unfollowed reference; every pointer is set; every slice and map has one element.
func filled(t reflect.Type, depth int) reflect.Value {
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Pointer:
		if depth > 0 {
			v.Set(filled(t.Elem(), depth).Addr())
		}
	case reflect.Struct:
		if depth == 0 {
			return v
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			switch {
			case !f.IsExported() || f.Name == "Origin":
			case f.Name == "Extensions" && f.Type == extType:
				v.Field(i).Set(reflect.ValueOf(map[string]any{
					"x-axioms-roles": []any{"admin"},
					"$anchor":        map[string]any{"x-axioms-owner": map[string]any{}},
					"x-vendor":       map[string]any{"x-axioms-owner": map[string]any{}},
					unfollowedKey:    "other.yaml#/" + t.Name(),
				}))
			case mayHoldObjects(f.Type, map[reflect.Type]bool{}):
				v.Field(i).Set(filled(f.Type, depth-1))
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(t, 1, 1)
		s.Index(0).Set(filled(t.Elem(), depth))
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(t)
		m.SetMapIndex(reflect.ValueOf("k").Convert(t.Key()), filled(t.Elem(), depth))
		v.Set(m)
	}
	return v
}

// The typed walks must report exactly what the reflective walk reports, for every field
// kin-openapi declares on the types they handle: a field kin-openapi adds and the typed
// walks do not name fails here.
func TestTypedWalkMatchesReflection(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[openapi3.SchemaRef](), reflect.TypeFor[openapi3.Schema](),
		reflect.TypeFor[openapi3.ParameterRef](), reflect.TypeFor[openapi3.Parameter](),
		reflect.TypeFor[openapi3.ResponseRef](), reflect.TypeFor[openapi3.Response](),
		reflect.TypeFor[openapi3.RequestBodyRef](), reflect.TypeFor[openapi3.RequestBody](),
		reflect.TypeFor[openapi3.MediaType](), reflect.TypeFor[openapi3.HeaderRef](), reflect.TypeFor[openapi3.Header](),
	} {
		refs := []string{""}
		if planOf(typ).ref >= 0 {
			refs = append(refs, "#/components/x", "other.yaml#/x")
		}
		for _, ref := range refs {
			t.Run(typ.Name()+"/"+ref, func(t *testing.T) {
				v := filled(typ, 4).Addr()
				if p := planOf(typ); p.ref >= 0 {
					v.Elem().Field(p.ref).SetString(ref)
				}
				want := walkWith(v, true)
				got := walkWith(v, false)
				assert.Equal(t, want, got)
				if ref == "#/components/x" {
					return
				}
				// Every field is reached: the comparison above covers them all.
				require.NotEmpty(t, want.problems)
				for _, f := range planOf(typ).fields {
					if f.name != "" {
						prefix := "#/" + escapeToken(f.name) + "/"
						assert.True(t, slices.ContainsFunc(want.problems, func(p string) bool { return strings.HasPrefix(p, prefix) }),
							"no problem under %s", prefix)
					}
				}
			})
		}
	}
}

// The same comparison on every test document: the walks agree on real documents.
func TestTypedWalkMatchesReflectionOnDocuments(t *testing.T) {
	files, err := filepath.Glob("testdata/material/*.*")
	require.NoError(t, err)
	more, err := filepath.Glob("testdata/material/apis-guru/*.json")
	require.NoError(t, err)
	files = append(files, more...)
	more, err = filepath.Glob("testdata/refs/*.yaml")
	require.NoError(t, err)
	files = append(files, more...)
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			data, _ = neutralizeRefs(data, "not followed here")
			doc, err := openapi3.NewLoader().LoadFromData(data)
			if err != nil {
				t.Skipf("kin-openapi alone cannot load it: %v", err)
			}
			assert.Equal(t, walkWith(reflect.ValueOf(doc), true), walkWith(reflect.ValueOf(doc), false))
		})
	}
}

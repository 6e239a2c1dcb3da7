package openapi_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package's dependency rules: it imports neither Echo, nor the JOSE library, nor
// the validator package, and no kin-openapi type appears in its exported API (so that
// dependency can change major version without breaking callers).
func TestDependencyRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/labstack/", "github.com/lestrrat-go/", "github.com/axioms-go/axioms-echo/validator", "github.com/axioms-go/axioms-echo/echoaxioms"} {
			assert.False(t, strings.HasPrefix(dep, banned), "openapi depends on %s", dep)
		}
	}

	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		kin := map[string]bool{}
		for _, imp := range f.Imports {
			if strings.HasPrefix(strings.Trim(imp.Path.Value, `"`), "github.com/getkin/") {
				local := "openapi3"
				if imp.Name != nil {
					local = imp.Name.Name
				}
				kin[local] = true
			}
		}
		mentionsKin := func(n ast.Node) (found string) {
			ast.Inspect(n, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && kin[id.Name] {
						found = id.Name + "." + sel.Sel.Name
					}
				}
				return found == ""
			})
			return found
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || d.Recv != nil && !exportedRecv(d.Recv) {
					continue
				}
				checked++
				assert.Empty(t, mentionsKin(d.Type), "%s: func %s", name, d.Name.Name)
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						checked++
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, field := range st.Fields.List {
								exported := len(field.Names) == 0
								for _, n := range field.Names {
									exported = exported || n.IsExported()
								}
								if exported {
									assert.Empty(t, mentionsKin(field.Type), "%s: type %s", name, s.Name.Name)
								}
							}
						} else {
							assert.Empty(t, mentionsKin(s.Type), "%s: type %s", name, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								checked++
								if s.Type != nil {
									assert.Empty(t, mentionsKin(s.Type), "%s: %s", name, n.Name)
								}
							}
						}
					}
				}
			}
		}
	}
	assert.Greater(t, checked, 20, "the exported API was not found")
}

func exportedRecv(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

// Package apicheck finds dependency types in a package's exported API, for the packages'
// dependency tests: no exported signature may mention a type of a dependency that could
// change major version under the package's callers.
package apicheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
)

// Leaks parses the non-test Go files of dir and returns, for every exported function,
// method of an exported type, type (exported struct fields only), constant and variable
// whose declaration mentions a package imported from a path starting with importPrefix,
// one finding ("file: name mentions pkg.Sel"). checked is the number of exported
// declarations looked at, so that a caller can tell an empty result from a parse of
// nothing.
func Leaks(dir, importPrefix string) (findings []string, checked int, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, 0, err
	}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, 0, err
		}
		banned := map[string]bool{}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if !strings.HasPrefix(p, importPrefix) {
				continue
			}
			local := localName(p)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			banned[local] = true
		}
		name := filepath.Base(path)
		report := func(what string, n ast.Node) {
			checked++
			if n == nil || len(banned) == 0 {
				return
			}
			if sel := mention(n, banned); sel != "" {
				findings = append(findings, name+": "+what+" mentions "+sel)
			}
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && (d.Recv == nil || exportedRecv(d.Recv)) {
					report("func "+d.Name.Name, d.Type)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						st, ok := s.Type.(*ast.StructType)
						if !ok {
							report("type "+s.Name.Name, s.Type)
							continue
						}
						checked++
						for _, field := range st.Fields.List {
							exported := len(field.Names) == 0
							for _, n := range field.Names {
								exported = exported || n.IsExported()
							}
							if exported {
								if sel := mention(field.Type, banned); sel != "" {
									findings = append(findings, name+": type "+s.Name.Name+" mentions "+sel)
								}
							}
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								var typ ast.Node
								if s.Type != nil {
									typ = s.Type
								}
								report(n.Name, typ)
							}
						}
					}
				}
			}
		}
	}
	return findings, checked, nil
}

// mention returns the first selector pkg.Sel in n whose pkg is banned, or "".
func mention(n ast.Node, banned map[string]bool) (found string) {
	ast.Inspect(n, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && banned[id.Name] {
				found = id.Name + "." + sel.Sel.Name
			}
		}
		return found == ""
	})
	return found
}

func exportedRecv(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

// localName is the name a package imported from path gets by default: its last element,
// or the one before a major-version suffix (".../jwx/v3" is jwx).
func localName(path string) string {
	elems := strings.Split(path, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		return elems[len(elems)-2]
	}
	return last
}

package echoaxioms_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryCodeAndReasonReExported: the package re-exports every Code and Reason
// constant of package enforce, so that its users never need the core package to match
// a denial or an audit record.
func TestEveryCodeAndReasonReExported(t *testing.T) {
	ours, theirs := constNames(t, "."), constNames(t, "../enforce")
	var missing []string
	for _, name := range theirs {
		if (strings.HasPrefix(name, "Code") || strings.HasPrefix(name, "Reason")) && !slices.Contains(ours, name) {
			missing = append(missing, name)
		}
	}
	assert.Empty(t, missing, "enforce constants echoaxioms does not re-export")
}

// constNames lists the exported constants declared in the package in dir (tests
// excluded).
func constNames(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var names []string
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if n.IsExported() {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	require.NotEmpty(t, names, dir)
	return names
}

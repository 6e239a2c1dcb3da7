package enforce_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocListsEveryReason keeps the package doc's list of audit reason codes (their one
// home) equal to the Reason constants of errors.go.
func TestDocListsEveryReason(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	require.NoError(t, err)
	var constants []string
	for _, decl := range f.Decls {
		gen, isGen := decl.(*ast.GenDecl)
		if !isGen || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			v := spec.(*ast.ValueSpec)
			if !strings.HasPrefix(v.Names[0].Name, "Reason") || len(v.Values) != 1 {
				continue
			}
			lit, isLit := v.Values[0].(*ast.BasicLit)
			require.True(t, isLit, v.Names[0].Name)
			s, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			constants = append(constants, s)
		}
	}
	require.NotEmpty(t, constants)

	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(src), "// # Audit records\n")
	require.True(t, ok)
	section, _, _ = strings.Cut(section, "// # ")
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^//\t([a-z_]+) +[a-zA-Z(]").FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}
	slices.Sort(constants)
	slices.Sort(documented)
	assert.Equal(t, constants, documented)
}

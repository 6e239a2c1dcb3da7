package apicheck

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLeaks(t *testing.T) {
	dir := t.TempDir()
	src := `package p

import (
	"net/http"
	dep "example.com/dep/v3/thing"
)

type Clean struct{ A int; private dep.Key }
type Leaky struct{ Field dep.Key }
type Alias = dep.Set
type hidden struct{ F dep.Key }

func Exported(k dep.Key) error { return nil }
func (Clean) Method() *dep.Key { return nil }
func (hidden) Method() dep.Key { return dep.Key{} }
func unexported(dep.Key) {}
func Fine(r *http.Request) {}

var V dep.Key
var W = 1
const C = 2
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\nfunc TestX(dep.Key) {}\n"), 0o600))
	findings, checked, err := Leaks(dir, "example.com/dep/")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"p.go: type Leaky mentions dep.Key",
		"p.go: type Alias mentions dep.Set",
		"p.go: func Exported mentions dep.Key",
		"p.go: func Method mentions dep.Key",
		"p.go: V mentions dep.Key",
	}, findings)
	assert.Equal(t, 9, checked, "Clean, Leaky, Alias, Exported, Clean.Method, Fine, V, W, C")

	findings, _, err = Leaks(dir, "net/")
	require.NoError(t, err)
	assert.Equal(t, []string{"p.go: func Fine mentions http.Request"}, findings)
}

func TestLocalName(t *testing.T) {
	for path, want := range map[string]string{
		"github.com/lestrrat-go/jwx/v3":     "jwx",
		"github.com/lestrrat-go/jwx/v3/jwk": "jwk",
		"net/http":                          "http",
		"v2":                                "v2",
		"example.com/vendor":                "vendor",
	} {
		assert.Equal(t, want, localName(path), path)
	}
}

package envconfig

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("AXIOMS_ISS_URL=https://file.example\nAXIOMS_AUDIENCE=a, b ,,c\nAXIOMS_LEEWAY=10s\n# comment\nAXIOMS_EMPTY_IN_ENV=from-file\n"), 0o600))
	t.Setenv("AXIOMS_ISS_URL", "https://env.example")
	t.Setenv("AXIOMS_EMPTY_IN_ENV", "  ")

	s, err := Load(path)
	require.NoError(t, err)

	v, ok := s.Lookup("AXIOMS_ISS_URL")
	assert.True(t, ok)
	assert.Equal(t, "https://env.example", v, "the real environment wins")

	v, ok = s.Lookup("AXIOMS_EMPTY_IN_ENV")
	assert.True(t, ok)
	assert.Equal(t, "from-file", v, "an empty variable counts as unset")

	assert.Equal(t, []string{"a", "b", "c"}, s.List("AXIOMS_AUDIENCE"))
	assert.Nil(t, s.List("AXIOMS_NOT_SET_ANYWHERE"))
	_, ok = s.Lookup("AXIOMS_NOT_SET_ANYWHERE")
	assert.False(t, ok)
}

func TestLoadMissingFileIsFine(t *testing.T) {
	s, err := Load(filepath.Join(t.TempDir(), "absent.env"))
	require.NoError(t, err)
	_, ok := s.Lookup("AXIOMS_SURELY_UNSET_VARIABLE")
	assert.False(t, ok)
}

func TestLoadMalformedFileFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	require.NoError(t, os.WriteFile(path, []byte("AXIOMS_ISS_URL='unterminated\n"), 0o600))
	_, err := Load(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
}

func TestLoadUnreadablePathFails(t *testing.T) {
	_, err := Load(t.TempDir()) // a directory, not a file
	require.Error(t, err)
}

func TestFromMapIgnoresEnvironment(t *testing.T) {
	t.Setenv("AXIOMS_AUDIENCE", "from-env")
	s := FromMap(map[string]string{"AXIOMS_ISS_URL": "https://m.example"})
	_, ok := s.Lookup("AXIOMS_AUDIENCE")
	assert.False(t, ok)
	v, _ := s.Lookup("AXIOMS_ISS_URL")
	assert.Equal(t, "https://m.example", v)
}

func TestSplitList(t *testing.T) {
	assert.Nil(t, SplitList(""))
	assert.Nil(t, SplitList(" , ,"))
	assert.Equal(t, []string{"https://api.example.com", "ünïcode"}, SplitList("https://api.example.com,ünïcode"))
}

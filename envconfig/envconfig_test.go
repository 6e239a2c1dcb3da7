package envconfig

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lookupMap is a lookup function over a map, for FromLookup.
func lookupMap(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("AXIOMS_ISS_URL=https://file.example\nAXIOMS_AUDIENCE=a, b ,,c\n# comment\nAXIOMS_EMPTY_IN_ENV=from-file\n"), 0o600))
	t.Setenv("AXIOMS_ISS_URL", "https://env.example")
	t.Setenv("AXIOMS_EMPTY_IN_ENV", "  ")

	e, err := Load(path)
	require.NoError(t, err)

	v, ok, err := e.Get("AXIOMS_ISS_URL")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "https://env.example", v, "the real environment wins")

	_, ok, err = e.Get("AXIOMS_EMPTY_IN_ENV")
	assert.True(t, ok, "an empty variable is set")
	assert.Error(t, err, "an empty variable in the environment hides the file's value: never a silent fallback")

	v, ok, err = e.Get("AXIOMS_AUDIENCE")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, []string{"a", "b", "c"}, SplitList(v))
	_, ok, err = e.Get("AXIOMS_NOT_SET_ANYWHERE")
	assert.NoError(t, err)
	assert.False(t, ok)
}

// TestGetEmptyIsAnError: a variable set to nothing or white space, in the environment
// or the file, is an error naming it and where it is set.
func TestGetEmptyIsAnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("AXIOMS_AUDIENCE=\nAXIOMS_LEEWAY=\"  \"\nAXIOMS_ISS_URL=https://file.example\n"), 0o600))
	t.Setenv("AXIOMS_ISS_URL", "")

	e, err := Load(path)
	require.NoError(t, err)
	for name, where := range map[string]string{"AXIOMS_ISS_URL": "in the environment", "AXIOMS_AUDIENCE": "in " + path, "AXIOMS_LEEWAY": "in " + path} {
		v, ok, err := e.Get(name)
		assert.True(t, ok, name)
		assert.Empty(t, v, name)
		if assert.Error(t, err, name) {
			assert.Equal(t, name+" is set but empty "+where+": give it a value or unset it", err.Error())
		}
	}

	l := FromLookup(func(k string) (string, bool) { return "\t", k == "AXIOMS_SPEC" })
	_, _, err = l.Get("AXIOMS_SPEC")
	assert.EqualError(t, err, "AXIOMS_SPEC is set but empty: give it a value or unset it")
	v, ok, err := l.Get("AXIOMS_AUDIENCE")
	assert.NoError(t, err)
	assert.False(t, ok)
	assert.Empty(t, v)
}

func TestLoadMissingFileIsFine(t *testing.T) {
	e, err := Load(filepath.Join(t.TempDir(), "absent.env"))
	require.NoError(t, err)
	_, ok, err := e.Get("AXIOMS_SURELY_UNSET_VARIABLE")
	assert.NoError(t, err)
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

func TestLoadDefaultFile(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile(DefaultFile, []byte("AXIOMS_AUDIENCE=from-file\n"), 0o600))
	e, err := Load("")
	require.NoError(t, err)
	v, ok, err := e.Get("AXIOMS_AUDIENCE")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "from-file", v)
}

func TestFromLookupIgnoresEnvironment(t *testing.T) {
	t.Setenv("AXIOMS_AUDIENCE", "from-env")
	e := FromLookup(lookupMap(map[string]string{"AXIOMS_ISS_URL": "https://m.example"}))
	_, ok, _ := e.Get("AXIOMS_AUDIENCE")
	assert.False(t, ok)
	v, _, _ := e.Get("AXIOMS_ISS_URL")
	assert.Equal(t, "https://m.example", v)
	assert.Nil(t, e.Unknown(), "a lookup function cannot be listed")
}

// TestUnknownNames: AXIOMS_* names set in the environment or the file that are not known
// get one warning each, naming where they are set and the closest known name.
func TestUnknownNames(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("AXIOMS_AUDIANCE=x\nAXIOMS_ISS_URL=y\nOTHER_THING=z\nAXIOMS_SPEC=api.yaml\n"), 0o600))
	t.Setenv("AXIOMS_ISSUER", "https://i.example")
	t.Setenv("AXIOMS_ISS_URL", "https://i.example") // also in the file: a known name

	e, err := Load(path)
	require.NoError(t, err)
	names := e.names()
	assert.Subset(t, names, []string{"AXIOMS_AUDIANCE", "AXIOMS_ISSUER", "AXIOMS_ISS_URL", "AXIOMS_SPEC"})
	assert.NotContains(t, names, "OTHER_THING")

	warnings := e.Unknown()
	assert.ElementsMatch(t, []string{
		"AXIOMS_AUDIANCE (in " + path + ") is not a known variable; did you mean AXIOMS_AUDIENCE?",
		"AXIOMS_ISSUER (in the environment) is not a known variable; did you mean AXIOMS_ISS_URL?",
	}, warnings, "AXIOMS_SPEC, read by the middleware, is known")
}

func TestClosest(t *testing.T) {
	for name, want := range map[string]string{
		"AXIOMS_ISSUER":         "AXIOMS_ISS_URL",
		"AXIOMS_ISS":            "AXIOMS_ISS_URL",
		"AXIOMS_AUDIENCES":      "AXIOMS_AUDIENCE",
		"AXIOMS_AUDEINCE":       "AXIOMS_AUDIENCE", // transposition
		"AXIOMS_SCOPES_CLAIMS":  "AXIOMS_SCOPE_CLAIMS",
		"AXIOMS_ROLE_CLAIMS":    "AXIOMS_ROLES_CLAIMS",
		"AXIOMS_AUDIENCE_CLAIM": "AXIOMS_AUDIENCE_CLAIM",
		"AXIOMS_LEWAY":          "AXIOMS_LEEWAY",
		"AXIOMS_CACHE_BYTES":    "AXIOMS_CACHE_SIZE",
		"AXIOMS_SPECS":          "AXIOMS_SPEC",
	} {
		assert.Equal(t, want, closest(name, Names()), name)
	}
}

func TestSplitList(t *testing.T) {
	assert.Nil(t, SplitList(""))
	assert.Nil(t, SplitList(" , ,"))
	assert.Equal(t, []string{"https://api.example.com", "ünïcode"}, SplitList("https://api.example.com,ünïcode"))
}

func TestIssuerFromDomain(t *testing.T) {
	assert.Equal(t, "https://a.example", issuerFromDomain("a.example"))
	assert.Equal(t, "https://a.example/", issuerFromDomain(" https://a.example/ "))
	assert.Equal(t, "http://127.0.0.1:4444", issuerFromDomain("http://127.0.0.1:4444"))
}

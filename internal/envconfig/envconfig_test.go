package envconfig

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	assert.True(t, ok, "an empty variable is set")
	assert.Equal(t, "", v, "an empty variable in the environment hides the file's value: never a silent fallback")

	v, ok = s.Lookup("AXIOMS_AUDIENCE")
	assert.True(t, ok)
	assert.Equal(t, []string{"a", "b", "c"}, SplitList(v))
	_, ok = s.Lookup("AXIOMS_NOT_SET_ANYWHERE")
	assert.False(t, ok)
}

// TestGetEmptyIsAnError: a variable set to nothing or white space, in the environment
// or the file, is an error naming it and where it is set.
func TestGetEmptyIsAnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("AXIOMS_AUDIENCE=\nAXIOMS_LEEWAY=\"  \"\nAXIOMS_ISS_URL=https://file.example\n"), 0o600))
	t.Setenv("AXIOMS_ISS_URL", "")

	s, err := Load(path)
	require.NoError(t, err)
	for name, where := range map[string]string{"AXIOMS_ISS_URL": "in the environment", "AXIOMS_AUDIENCE": "in " + path, "AXIOMS_LEEWAY": "in " + path} {
		v, ok, err := s.Get(name)
		assert.True(t, ok, name)
		assert.Empty(t, v, name)
		if assert.Error(t, err, name) {
			assert.Equal(t, name+" is set but empty "+where+": give it a value or unset it", err.Error())
		}
	}
	v, ok, err := s.Get("AXIOMS_NOT_SET_ANYWHERE")
	assert.NoError(t, err)
	assert.False(t, ok)
	assert.Empty(t, v)

	l := FromLookup(func(k string) (string, bool) { return "\t", k == "AXIOMS_SPEC" })
	_, _, err = l.Get("AXIOMS_SPEC")
	assert.EqualError(t, err, "AXIOMS_SPEC is set but empty: give it a value or unset it")
	v, ok, err = l.Get("AXIOMS_AUDIENCE")
	assert.NoError(t, err)
	assert.False(t, ok)
	assert.Empty(t, v)
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
	assert.Equal(t, []string{"AXIOMS_ISS_URL"}, s.Names())
}

// TestUnknownNames: names set in the environment or the file that are not known get one
// warning each, naming where they are set and the closest known name.
func TestUnknownNames(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("AXIOMS_AUDIANCE=x\nAXIOMS_ISS_URL=y\nOTHER_THING=z\n"), 0o600))
	t.Setenv("AXIOMS_ISSUER", "https://i.example")
	t.Setenv("AXIOMS_ISS_URL", "https://i.example") // also in the file: listed once
	known := []string{"AXIOMS_ISS_URL", "AXIOMS_AUDIENCE", "AXIOMS_AUDIENCE_CLAIM"}

	s, err := Load(path)
	require.NoError(t, err)
	names := s.Names()
	for _, n := range names {
		assert.True(t, strings.HasPrefix(n, Prefix), n)
	}
	assert.Subset(t, names, []string{"AXIOMS_AUDIANCE", "AXIOMS_ISSUER", "AXIOMS_ISS_URL"})
	assert.NotContains(t, names, "OTHER_THING")
	assert.Len(t, slices.Compact(slices.Clone(names)), len(names), "each name once")

	warnings := s.Unknown(known)
	assert.Contains(t, warnings, "AXIOMS_AUDIANCE (in "+path+") is not a known variable; did you mean AXIOMS_AUDIENCE?")
	assert.Contains(t, warnings, "AXIOMS_ISSUER (in the environment) is not a known variable; did you mean AXIOMS_ISS_URL?")
	assert.Nil(t, FromLookup(func(string) (string, bool) { return "x", true }).Unknown(known), "a lookup function cannot be listed")
}

func TestClosest(t *testing.T) {
	known := []string{"AXIOMS_ISS_URL", "AXIOMS_AUDIENCE", "AXIOMS_AUDIENCE_CLAIM", "AXIOMS_SCOPE_CLAIMS", "AXIOMS_ROLES_CLAIMS", "AXIOMS_LEEWAY"}
	for name, want := range map[string]string{
		"AXIOMS_ISSUER":         "AXIOMS_ISS_URL",
		"AXIOMS_ISS":            "AXIOMS_ISS_URL",
		"AXIOMS_AUDIENCES":      "AXIOMS_AUDIENCE",
		"AXIOMS_AUDEINCE":       "AXIOMS_AUDIENCE", // transposition
		"AXIOMS_SCOPES_CLAIMS":  "AXIOMS_SCOPE_CLAIMS",
		"AXIOMS_ROLE_CLAIMS":    "AXIOMS_ROLES_CLAIMS",
		"AXIOMS_AUDIENCE_CLAIM": "AXIOMS_AUDIENCE_CLAIM",
		"AXIOMS_LEWAY":          "AXIOMS_LEEWAY",
	} {
		assert.Equal(t, want, Closest(name, known), name)
	}
	assert.Equal(t, "", Closest("AXIOMS_X", nil))
	assert.Equal(t, 0, editDistance("", ""))
	assert.Equal(t, 3, editDistance("kitten", "sitting"))
	assert.Equal(t, 1, editDistance("ab", "ba"))
}

func TestRename(t *testing.T) {
	fields := map[string]string{"Issuer": "AXIOMS_ISS_URL", "JWKSURL": "AXIOMS_JWKS_URL", "InsecureSkipHTTPSCheck": "AXIOMS_INSECURE_SKIP_HTTPS_CHECK"}
	name := func(w string) (string, bool) { n, ok := fields[w]; return n, ok }
	drop := func(w string) bool { return w == "InsecureSkipIssuerCheck" || w == "JWKS" }
	for _, tc := range []struct{ in, want string }{
		{
			"validator: Issuer is required (set InsecureSkipIssuerCheck to accept any issuer)",
			"validator: AXIOMS_ISS_URL is required",
		},
		{
			`validator: Issuer cannot be used for discovery (set JWKSURL): "Issuer (x)" must use https (or with InsecureSkipHTTPSCheck)`,
			`validator: AXIOMS_ISS_URL cannot be used for discovery (set AXIOMS_JWKS_URL): "Issuer (x)" must use https (or with AXIOMS_INSECURE_SKIP_HTTPS_CHECK)`,
		},
		{`a "quoted \" Issuer" IssuerX Issuer_ (nested (JWKS) hint) end`, `a "quoted \" Issuer" IssuerX Issuer_ end`},
		{`unterminated "Issuer`, `unterminated "Issuer`},
		{`open (Issuer`, `open (AXIOMS_ISS_URL`},
		{"", ""},
	} {
		assert.Equal(t, tc.want, Rename(tc.in, name, drop), tc.in)
	}
	assert.Equal(t, "AXIOMS_ISS_URL (set InsecureSkipIssuerCheck)", Rename("Issuer (set InsecureSkipIssuerCheck)", name, nil))
}

func TestSplitList(t *testing.T) {
	assert.Nil(t, SplitList(""))
	assert.Nil(t, SplitList(" , ,"))
	assert.Equal(t, []string{"https://api.example.com", "ünïcode"}, SplitList("https://api.example.com,ünïcode"))
}

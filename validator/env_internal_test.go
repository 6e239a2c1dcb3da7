package validator

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryVariableSetsItsField: each variable of envVars, given a valid value, sets its
// Config field and no other (so the field names New's errors are rewritten from are
// right). A new variable needs a sample value here.
func TestEveryVariableSetsItsField(t *testing.T) {
	samples := map[string]string{
		"AXIOMS_ISS_URL": "https://issuer.example", "AXIOMS_DOMAIN": "tenant.example", "AXIOMS_AUDIENCE": "a,b",
		"AXIOMS_JWKS_URL": "https://issuer.example/jwks", "AXIOMS_ALGORITHMS": "ES256", "AXIOMS_LEEWAY": "10",
		"AXIOMS_SCOPE_CLAIMS": "scp", "AXIOMS_ROLES_CLAIMS": "groups", "AXIOMS_PERMISSIONS_CLAIMS": "perms",
		"AXIOMS_AUDIENCE_CLAIM": "client_id", "AXIOMS_REQUIRED_CLAIMS": "token_use=access", "AXIOMS_REQUIRE_TYPE": "true",
		"AXIOMS_MAX_TOKEN_SIZE": "16KiB", "AXIOMS_FETCH_TIMEOUT": "2s", "AXIOMS_MIN_REFRESH_INTERVAL": "10",
		"AXIOMS_MAX_REFRESH_BACKOFF": "10m",
		"AXIOMS_REFRESH_INTERVAL":    "1h", "AXIOMS_REQUIRE_KEYS_AT_STARTUP": "1", "AXIOMS_INSECURE_SKIP_HTTPS_CHECK": "true",
		"AXIOMS_CACHE_SIZE": "10", "AXIOMS_CACHE_MAX_BYTES": "1MiB",
	}
	configType := reflect.TypeFor[Config]()
	for _, v := range envVars {
		if v.set == nil {
			assert.Empty(t, v.field, v.name)
			continue
		}
		_, isField := configType.FieldByName(v.field)
		require.True(t, isField, "%s: Config has no field %s", v.name, v.field)
		sample, ok := samples[v.name]
		require.True(t, ok, "add a sample value for %s", v.name)
		c, err := ConfigFromLookup(func(k string) (string, bool) { return sample, k == v.name })
		require.NoError(t, err, v.name)
		val := reflect.ValueOf(c)
		for i := range configType.NumField() {
			f := configType.Field(i)
			if !f.IsExported() {
				continue
			}
			assert.Equal(t, f.Name == v.field, !val.Field(i).IsZero(), "%s=%s and Config.%s", v.name, sample, f.Name)
		}
	}
	assert.Len(t, samples, len(envVars)-1, "one sample per variable this package reads")
}

// TestReadmeListsEveryVariable keeps the README's table of variables equal to envVars:
// the same names in the same order, each with its field.
func TestReadmeListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	text := string(readme)
	start := strings.Index(text, "### Environment")
	require.GreaterOrEqual(t, start, 0)
	section := text[start:]
	section = section[:strings.Index(section[1:], "\n#")+1]
	var names, fields []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(AXIOMS_[A-Z_]+)` \\| (?:`([A-Za-z]+)`|\\()").FindAllStringSubmatch(section, -1) {
		names = append(names, m[1])
		fields = append(fields, m[2])
	}
	var wantNames, wantFields []string
	for _, v := range envVars {
		wantNames = append(wantNames, v.name)
		wantFields = append(wantFields, v.field)
	}
	assert.Equal(t, wantNames, names)
	assert.Equal(t, wantFields, fields)
	assert.Equal(t, wantNames, EnvNames())
}

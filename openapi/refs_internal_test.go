package openapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRefValueAt(t *testing.T) {
	for text, want := range map[string]string{
		`{"$ref": "#/a"}`:                  "#/a",
		`{"$ref":"x.json#/a"}`:             "x.json#/a",
		`{ "$ref" : "a\u0026b.json" }`:     "a&b.json",
		`{"$ref": "a\"b"}`:                 `a"b`,
		"$ref: '#/a'":                      "#/a",
		"$ref: 'it''s.yaml'":               "it's.yaml",
		"$ref: other.yaml#/a  # comment":   "other.yaml#/a",
		"  - $ref: other.yaml\n":           "other.yaml",
		"{$ref: other.yaml, x: 1}":         "other.yaml",
		"[$ref: other.yaml]":               "other.yaml",
		"{a: 1, $ref: \"b.yaml\"}":         "b.yaml",
		"$ref:\n  other.yaml\n":            "other.yaml",
		"$ref: # the target\n  other.yaml": "other.yaml",
		"$ref: https://x/a,b\n":            "https://x/a,b",
		"'$ref': x.yaml":                   "x.yaml",
	} {
		got, ok := refValueAt([]byte(text), strings.Index(text, "$ref"))
		assert.True(t, ok, text)
		assert.Equal(t, want, got, text)
	}
	for _, text := range []string{
		`description: use $ref: to link`, // not a key
		`{"a$ref": "x"}`,                 // a longer key
		`{"$refs": "x"}`,                 // a longer key
		`{"$ref" "x"}`,                   // no colon
		"$ref: |\n  block.yaml\n",        // a block scalar
		"$ref: {a: b}",                   // not a string
		"$ref: &anchor x.yaml",           // an anchor
		`{"$ref": "unterminated}`,        // broken
		"$ref: 'unterminated",            // broken
		"$ref:",                          // no value
		`{"$ref": "bad \q escape"}`,      // not JSON
		`"$ref': "mismatched quotes"`,    // quotes do not pair
		"x$ref: y",                       // part of a plain key
		"$ref:\n",                        // nothing follows
	} {
		_, ok := refValueAt([]byte(text), strings.Index(text, "$ref"))
		assert.False(t, ok, text)
	}
}

func TestUnfollowedReason(t *testing.T) {
	const files = "files are not followed"
	for ref, want := range map[string]string{
		"#/components/schemas/A": "",
		"#":                      "",
		"#anchor":                "JSON Schema anchors are not resolved",
		"other.yaml":             files,
		"./dir/other.yaml#/a":    files,
		"../other.yaml#/a":       files,
		"other.yaml#anchor":      "JSON Schema anchors are not resolved",
		"/schemas/pet":           "absolute-path references (relative to a JSON Schema $id) are not resolved",
		"https://x.example/a":    "only relative references to local files are followed; network references are never fetched",
		"file:///etc/passwd":     "only relative references to local files are followed; network references are never fetched",
		"//x.example/a.yaml":     "only relative references to local files are followed; network references are never fetched",
		"http://[::1":            "it is not a valid URI reference",
	} {
		assert.Equal(t, want, unfollowedReason(ref, files), ref)
	}
	assert.Equal(t, "", unfollowedReason("other.yaml", ""), "followed when files are")
}

func TestNeutralizeRefs(t *testing.T) {
	in := `openapi: 3.1.0
components:
  securitySchemes:
    a: {$ref: "#/components/securitySchemes/b"}
    remote:
      $ref: https://example.com/s.yaml
  schemas:
    X:
      properties:
        y: {"$ref": '/schemas/y'}
        z: {$ref: "z.yaml"}
      description: a $ref inside text is not a key
`
	out, sites := neutralizeRefs([]byte(in), "no files")
	assert.Equal(t, strings.NewReplacer(
		"$ref: https", unfollowedKey+": https",
		`"$ref": '/schemas`, `"`+unfollowedKey+`": '/schemas`,
		`$ref: "z.yaml"`, unfollowedKey+`: "z.yaml"`,
	).Replace(in), string(out))
	if assert.Len(t, sites, 3) {
		assert.Equal(t, "https://example.com/s.yaml", sites[0].ref)
		assert.Equal(t, 6, sites[0].line)
		assert.Equal(t, "/schemas/y", sites[1].ref)
		assert.Equal(t, 10, sites[1].line)
		assert.Equal(t, "z.yaml", sites[2].ref)
		assert.Equal(t, 11, sites[2].line)
		assert.Equal(t, "no files", sites[2].reason)
	}

	same := []byte(`{"$ref": "#/a"}`)
	out, sites = neutralizeRefs(same, "no files")
	assert.Empty(t, sites)
	assert.Equal(t, &same[0], &out[0], "nothing to rename: the document itself")
}

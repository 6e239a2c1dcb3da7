package openapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStepUpDeclarationsAreInherited(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: []}]
x-axioms-acr: ["urn:example:pwd"]
x-axioms-max-age: 3600`, `
  /inherited:
    get: {responses: {"401": {description: no}}}
  /item:
    x-axioms-acr: ["urn:example:mfa", "urn:example:hwk"]
    get: {responses: {"401": {description: no}}}
    post:
      x-axioms-max-age: 300
      responses: {"401": {description: no}}
    put:
      x-axioms-acr: ["urn:example:hwk"]
      x-axioms-max-age: 60
      responses: {"401": {description: no}}
  /public:
    get: {security: [], responses: {"200": {description: ok}}}
`))
	inherited := policy(t, p, "GET", "/inherited")
	assert.Equal(t, []string{"urn:example:pwd"}, inherited.ACR, "the root's")
	assert.Equal(t, 3600, inherited.MaxAge)

	get := policy(t, p, "GET", "/item")
	assert.Equal(t, []string{"urn:example:mfa", "urn:example:hwk"}, get.ACR, "the path item's wins, in document order")
	assert.Equal(t, 3600, get.MaxAge, "each extension is inherited on its own")

	post := policy(t, p, "POST", "/item")
	assert.Equal(t, []string{"urn:example:mfa", "urn:example:hwk"}, post.ACR)
	assert.Equal(t, 300, post.MaxAge, "the operation's wins")

	put := policy(t, p, "PUT", "/item")
	assert.Equal(t, []string{"urn:example:hwk"}, put.ACR)
	assert.Equal(t, 60, put.MaxAge)

	public := policy(t, p, "GET", "/public")
	assert.Nil(t, public.ACR, "inherited requirements skip public operations")
	assert.Zero(t, public.MaxAge)
}

func TestStepUpWithoutDeclarations(t *testing.T) {
	p := mustLoad(t, doc(``, `  /a:
`+protectedGet))
	pol := policy(t, p, "GET", "/a")
	assert.Nil(t, pol.ACR)
	assert.Zero(t, pol.MaxAge)
}

func TestMalformedStepUpValues(t *testing.T) {
	for _, c := range []struct {
		name, ext, value, want string
	}{
		{"acr as a string", "x-axioms-acr", `"urn:example:mfa"`, "must be a list of strings, not a string"},
		{"an empty acr list", "x-axioms-acr", `[]`, "must list at least one acr value"},
		{"an acr item that is a number", "x-axioms-acr", `[mfa, 2]`, "item 1 must be a string, not a number"},
		{"an acr item that is a list", "x-axioms-acr", `[[mfa]]`, "item 0 must be a string, not a list"},
		{"an empty acr item", "x-axioms-acr", `[""]`, "item 0 is empty"},
		{"a duplicate acr", "x-axioms-acr", `[mfa, mfa]`, `"mfa" is listed twice`},
		{"acr null", "x-axioms-acr", `null`, "not null"},
		{"max-age as a string", "x-axioms-max-age", `"300"`, "must be a positive integer (seconds), not a string"},
		{"max-age zero", "x-axioms-max-age", `0`, "must be a positive integer"},
		{"max-age negative", "x-axioms-max-age", `-5`, "must be a positive integer"},
		{"max-age with a fraction", "x-axioms-max-age", `1.5`, "must be a positive integer"},
		{"max-age too large", "x-axioms-max-age", `1e12`, "at most 2147483647"},
		{"max-age as a list", "x-axioms-max-age", `[300]`, "not a list"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pr := onlyProblem(t, doc(`security: [{oauth: []}]`, `
  /a:
    get:
      `+c.ext+`: `+c.value+`
      responses: {"401": {description: no}}
`))
			assert.Equal(t, "GET", pr.Method)
			assert.Equal(t, "/a", pr.Path)
			assert.Equal(t, "#/paths/~1a/get/"+c.ext, pr.Pointer)
			assert.Contains(t, pr.Message, c.ext+": ")
			assert.Contains(t, pr.Message, c.want)
		})
	}
}

func TestStepUpOnOperationsWithoutAuthentication(t *testing.T) {
	t.Run("on a public operation", func(t *testing.T) {
		pr := onlyProblem(t, doc(``, `
  /a:
    get:
      x-axioms-acr: [mfa]
      responses: {"200": {description: ok}}
`))
		assert.Equal(t, "#/paths/~1a/get/x-axioms-acr", pr.Pointer)
		assert.Contains(t, pr.Message, "x-axioms-acr on a public operation: anonymous callers would bypass it")
	})
	t.Run("on an optional operation", func(t *testing.T) {
		pr := onlyProblem(t, doc(``, `
  /a:
    get:
      security: [{}, {oauth: []}]
      x-axioms-max-age: 60
      responses: {"200": {description: ok}}
`))
		assert.Equal(t, "#/paths/~1a/get/x-axioms-max-age", pr.Pointer)
		assert.Contains(t, pr.Message, "x-axioms-max-age on an operation whose authentication is optional")
	})
	t.Run("on the root, protecting nothing", func(t *testing.T) {
		pr := onlyProblem(t, doc(`x-axioms-max-age: 60`, `
  /a:
    get: {responses: {"200": {description: ok}}}
`))
		assert.Equal(t, "#/x-axioms-max-age", pr.Pointer)
		assert.Contains(t, pr.Message, "x-axioms-max-age on the document root applies to no operation that requires authentication")
	})
}

func TestStepUpKeysAreKnown(t *testing.T) {
	for _, key := range []string{"x-axioms-acrs", "X-Axioms-Acr", "x-axioms-maxage", "x-axioms-max_age"} {
		t.Run(key, func(t *testing.T) {
			pr := onlyProblem(t, doc(`security: [{oauth: []}]`, `
  /a:
    get:
      `+key+`: [mfa]
      responses: {"401": {description: no}}
`))
			assert.Contains(t, pr.Message, "unknown extension")
		})
	}
	t.Run("misplaced", func(t *testing.T) {
		problems := loadProblems(t, doc(`security: [{oauth: []}]`, `
  /a:
    get: {responses: {"401": {description: no, x-axioms-acr: [mfa]}}}
`))
		require.NotEmpty(t, saying(problems, "x-axioms-acr is not allowed here"))
	})
}

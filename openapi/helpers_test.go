package openapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

// doc builds a minimal OpenAPI 3.1 document around paths (YAML, indented by 2) with an
// oauth2 scheme "oauth" (scopes read, write, admin), an http bearer scheme "bearer", an
// apiKey scheme "key" and an http basic scheme "basic". extraRoot is inserted at the
// root.
func doc(extraRoot, paths string) string {
	return `openapi: 3.1.0
info: {title: t, version: "1"}
` + extraRoot + `
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://issuer.example/token
          scopes: {read: r, write: w, admin: a}
    bearer: {type: http, scheme: Bearer, bearerFormat: JWT}
    key: {type: apiKey, in: header, name: X-API-Key}
    basic: {type: http, scheme: basic}
paths:
` + paths
}

// protected is a path item body whose GET requires the oauth scheme and documents 401.
const protectedGet = `    get: {security: [{oauth: []}], responses: {"401": {description: no}}}
`

func mustLoad(t testing.TB, text string) *openapi.Policies {
	t.Helper()
	p, err := openapi.LoadData([]byte(text), openapi.LoadOptions{})
	require.NoError(t, err)
	return p
}

// loadProblems loads a document that must fail and returns its located problems.
func loadProblems(t *testing.T, text string) []*openapi.Problem {
	t.Helper()
	_, err := openapi.LoadData([]byte(text), openapi.LoadOptions{})
	require.Error(t, err)
	problems := openapi.Problems(err)
	require.NotEmpty(t, problems, "error without located problems: %v", err)
	for _, p := range problems {
		require.False(t, p.Warning, "a warning among the errors: %v", p)
	}
	return problems
}

// onlyProblem loads a document that must fail with exactly one problem.
func onlyProblem(t *testing.T, text string) *openapi.Problem {
	t.Helper()
	problems := loadProblems(t, text)
	require.Len(t, problems, 1, "%v", problems)
	return problems[0]
}

func policy(t testing.TB, p *openapi.Policies, method, route string) *openapi.Policy {
	t.Helper()
	pol := p.Lookup(method, route)
	require.NotNil(t, pol, "no policy for %s %s", method, route)
	return pol
}

// saying returns the problems whose message contains text, as copies without their
// Line and Column.
func saying(problems []*openapi.Problem, text string) []*openapi.Problem {
	var out []*openapi.Problem
	for _, p := range problems {
		if strings.Contains(p.Message, text) {
			located := *p
			located.Line, located.Column = 0, 0 // positions are checked in positions_test.go
			out = append(out, &located)
		}
	}
	return out
}

// principal is a test Principal.
type principal struct {
	scopes, roles, perms []string
	claims               map[string]any
}

func (p *principal) HasScope(s string) bool      { return slices.Contains(p.scopes, s) }
func (p *principal) HasRole(s string) bool       { return slices.Contains(p.roles, s) }
func (p *principal) HasPermission(s string) bool { return slices.Contains(p.perms, s) }
func (p *principal) Claim(name string) (any, bool) {
	v, ok := p.claims[name]
	return v, ok
}

func scopes(s string) *principal { return &principal{scopes: strings.Fields(s)} }

// summary renders a policy's security compactly: alternatives joined by " | ", schemes
// of an alternative by " + ", each as name[scopes]; "-" for public operations, and a
// leading "{} | " for optional ones.
func summary(p *openapi.Policy) string {
	if p == nil {
		return "<no operation>"
	}
	if p.Auth == openapi.AuthNone {
		return "-"
	}
	var alts []string
	if p.Auth == openapi.AuthOptional {
		alts = append(alts, "{}")
	}
	for _, alt := range p.Alternatives {
		var reqs []string
		for _, r := range alt {
			reqs = append(reqs, r.Scheme+"["+strings.Join(r.Scopes, " ")+"]")
		}
		alts = append(alts, strings.Join(reqs, " + "))
	}
	return strings.Join(alts, " | ")
}

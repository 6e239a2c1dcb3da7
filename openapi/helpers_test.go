package openapi_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

// doc builds a minimal OpenAPI 3.1 document around paths (YAML, indented by 2) with an
// oauth2 scheme "oauth", an http bearer scheme "bearer" and an apiKey scheme "key".
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

func mustLoad(t *testing.T, text string) *openapi.Policies {
	t.Helper()
	p, err := openapi.LoadData([]byte(text), openapi.LoadOptions{})
	require.NoError(t, err)
	return p
}

func loadProblems(t *testing.T, text string) []*openapi.Problem {
	t.Helper()
	_, err := openapi.LoadData([]byte(text), openapi.LoadOptions{})
	require.Error(t, err)
	problems := openapi.Problems(err)
	require.NotEmpty(t, problems, "error without located problems: %v", err)
	return problems
}

func policy(t *testing.T, p *openapi.Policies, method, route string) *openapi.Policy {
	t.Helper()
	pol := p.Lookup(method, route)
	require.NotNil(t, pol, "no policy for %s %s", method, route)
	return pol
}

// principal is a test Principal.
type principal struct {
	scopes, roles, perms []string
	claims               map[string]any
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *principal) HasScope(s string) bool      { return has(p.scopes, s) }
func (p *principal) HasRole(s string) bool       { return has(p.roles, s) }
func (p *principal) HasPermission(s string) bool { return has(p.perms, s) }
func (p *principal) Claim(name string) (any, bool) {
	v, ok := p.claims[name]
	return v, ok
}

func scopes(s string) *principal { return &principal{scopes: strings.Fields(s)} }

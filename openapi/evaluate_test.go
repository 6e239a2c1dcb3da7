package openapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/axioms-go/axioms-echo/openapi"
)

func TestScopeFailureReportsTheClosestAlternative(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /x:
    get:
      security:
        - {oauth: [read, write, admin]}
        - {oauth: [read, write]}
        - {bearer: [write, admin]}
      responses: {"401": {description: no}}
`))
	pol := policy(t, p, "GET", "/x")
	d := pol.EvaluatePrincipal(scopes("read"))
	assert.False(t, d.Allowed)
	assert.Equal(t, openapi.FailScope, d.Failure)
	assert.Equal(t, 1, d.Alternative, "fewest missing scopes")
	assert.Equal(t, []string{"write"}, d.Missing)
	assert.Equal(t, []string{"read", "write"}, d.Scopes, "every scope of that alternative")

	d = pol.EvaluatePrincipal(scopes(""))
	assert.Equal(t, 1, d.Alternative, "a tie between alternatives 1 and 2 (two missing each) goes to document order")
	assert.Equal(t, []string{"read", "write"}, d.Missing)

	// Only alternatives whose schemes all have credentials count.
	onlyBearer := func(s string) openapi.Principal {
		if s == "bearer" {
			return scopes("write")
		}
		return nil
	}
	d = pol.Evaluate(onlyBearer)
	assert.Equal(t, openapi.FailScope, d.Failure)
	assert.Equal(t, 2, d.Alternative)
	assert.Equal(t, []string{"admin"}, d.Missing)
}

func TestFirstSatisfiedAlternativeWins(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /x:
    get:
      security: [{oauth: [admin]}, {bearer: []}, {oauth: []}]
      x-axioms-roles: [editor]
      responses: {"401": {description: no}}
`))
	pol := policy(t, p, "GET", "/x")
	viaOAuth := &principal{roles: []string{"editor"}}
	viaBearer := &principal{}
	d := pol.Evaluate(func(s string) openapi.Principal {
		if s == "oauth" {
			return viaOAuth
		}
		return viaBearer
	})
	assert.Equal(t, openapi.FailRole, d.Failure, "alternative 1 is satisfied first; its principal has no role")
	assert.Equal(t, 1, d.Alternative)
	assert.Same(t, viaBearer, d.Principal)
	assert.Equal(t, []string{"editor"}, d.Missing)
}

func TestDecisionPrincipalPrefersABearerScheme(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /x:
    get:
      security: [{basic: [], key: [], oauth: []}, {basic: [], key: []}]
      responses: {"401": {description: no}}
`))
	pol := policy(t, p, "GET", "/x")
	principals := map[string]openapi.Principal{"basic": &principal{}, "key": &principal{}, "oauth": &principal{}}
	d := pol.Evaluate(func(s string) openapi.Principal { return principals[s] })
	assert.True(t, d.Allowed)
	assert.Same(t, principals["oauth"], d.Principal, "the bearer scheme's, though it sorts last")

	delete(principals, "oauth")
	d = pol.Evaluate(func(s string) openapi.Principal { return principals[s] })
	assert.Equal(t, 1, d.Alternative)
	assert.Same(t, principals["basic"], d.Principal, "no bearer scheme: the first scheme's")
}

func TestEvaluateUnauthenticated(t *testing.T) {
	p := mustLoad(t, doc(`security: [{oauth: [read]}, {key: []}]`, "  /x:\n    get: {responses: {\"401\": {description: no}}}\n"))
	d := policy(t, p, "GET", "/x").Evaluate(func(string) openapi.Principal { return nil })
	assert.Equal(t, openapi.Decision{Failure: openapi.FailUnauthenticated, Alternative: -1}, d)
	d = policy(t, p, "GET", "/x").EvaluatePrincipal(nil)
	assert.Equal(t, openapi.Decision{Failure: openapi.FailUnauthenticated, Alternative: -1}, d)
}

func TestEvaluateDoesNotAllocateWhenAllowed(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /x:
    get:
      security: [{oauth: [admin]}, {oauth: [read, write], key: []}]
      x-axioms-roles: {anyOf: [editor, admin], allOf: [verified]}
      x-axioms-permissions: [doc:read]
      responses: {"401": {description: no}}
  /public:
    get: {security: [], responses: {"200": {description: ok}}}
  /optional:
    get: {security: [{}, {oauth: [admin]}], responses: {"200": {description: ok}}}
`))
	pr := &principal{scopes: []string{"read", "write"}, roles: []string{"admin", "verified"}, perms: []string{"doc:read"}}
	principals := func(string) openapi.Principal { return pr }
	x := policy(t, p, "GET", "/x")
	public, optional := policy(t, p, "GET", "/public"), policy(t, p, "GET", "/optional")
	for name, f := range map[string]func() openapi.Decision{
		"Evaluate":          func() openapi.Decision { return x.Evaluate(principals) },
		"EvaluatePrincipal": func() openapi.Decision { return x.EvaluatePrincipal(pr) },
		"public":            func() openapi.Decision { return public.EvaluatePrincipal(nil) },
		"optional":          func() openapi.Decision { return optional.EvaluatePrincipal(pr) },
	} {
		if !f().Allowed {
			t.Fatalf("%s: not allowed", name)
		}
		assert.Zero(t, testing.AllocsPerRun(1000, func() { f() }), name)
	}
}

func TestConditionSatisfied(t *testing.T) {
	held := func(items ...string) func(string) bool {
		return func(s string) bool {
			for _, i := range items {
				if i == s {
					return true
				}
			}
			return false
		}
	}
	c := openapi.Condition{AnyOf: []string{"a", "b"}, AllOf: []string{"c", "d"}}
	for _, tc := range []struct {
		held    []string
		missing []string
	}{
		{[]string{"b", "c", "d"}, nil},
		{[]string{"a", "c"}, []string{"d"}},
		{[]string{"c", "d"}, []string{"a", "b"}},
		{nil, []string{"a", "b", "c", "d"}},
	} {
		missing, ok := c.Satisfied(held(tc.held...))
		assert.Equal(t, tc.missing, missing, tc.held)
		assert.Equal(t, tc.missing == nil, ok, tc.held)
	}
	missing, ok := openapi.Condition{}.Satisfied(held())
	assert.True(t, ok, "the zero condition requires nothing")
	assert.Nil(t, missing)
	assert.True(t, openapi.Condition{}.Empty())
	assert.False(t, openapi.Condition{AllOf: []string{"x"}}.Empty())
}

func TestStrings(t *testing.T) {
	assert.Equal(t, "none", openapi.AuthNone.String())
	assert.Equal(t, "optional", openapi.AuthOptional.String())
	assert.Equal(t, "required", openapi.AuthRequired.String())
	for f, want := range map[openapi.Failure]string{
		openapi.FailNone: "none", openapi.FailUnauthenticated: "unauthenticated", openapi.FailScope: "scope",
		openapi.FailRole: "role", openapi.FailPermission: "permission",
	} {
		assert.Equal(t, want, f.String())
	}
}

// The zero values fail closed: a Policy whose Auth was never set denies every request,
// with its own failure, and neither zero value reads as a valid mode or outcome.
func TestZeroValuesFailClosed(t *testing.T) {
	for name, pol := range map[string]*openapi.Policy{
		"zero policy":                 {},
		"unknown mode":                {Auth: openapi.AuthMode(42)},
		"zero mode with alternatives": {Alternatives: []openapi.Alternative{{{Scheme: "oauth", Type: openapi.SchemeOAuth2, Bearer: true, Scopes: []string{}}}}},
	} {
		t.Run(name, func(t *testing.T) {
			for _, pr := range []openapi.Principal{nil, scopes("read write admin")} {
				d := pol.EvaluatePrincipal(pr)
				assert.False(t, d.Allowed)
				assert.Equal(t, openapi.FailInvalidPolicy, d.Failure)
				assert.Equal(t, -1, d.Alternative)
				assert.Nil(t, d.Principal)
				d = pol.Evaluate(func(string) openapi.Principal { return pr })
				assert.False(t, d.Allowed)
				assert.Equal(t, openapi.FailInvalidPolicy, d.Failure)
			}
		})
	}
	assert.Equal(t, "invalid", openapi.AuthMode(0).String())
	assert.Equal(t, "invalid", openapi.Failure(0).String())
	assert.Equal(t, "invalid policy", openapi.FailInvalidPolicy.String())
	assert.NotEqual(t, openapi.AuthNone, openapi.AuthMode(0))
	assert.NotEqual(t, openapi.FailNone, openapi.Failure(0))
	assert.False(t, openapi.Decision{}.Allowed)

	// Allowed decisions say FailNone, never the zero Failure.
	p := mustLoad(t, doc(``, `
  /public:
    get: {security: [], responses: {"200": {description: ok}}}
  /optional:
    get: {security: [{}, {oauth: [read]}], responses: {"401": {description: no}}}
  /x:
    get: {security: [{oauth: [read]}], responses: {"401": {description: no}}}
`))
	for _, route := range []string{"/public", "/optional", "/x"} {
		d := policy(t, p, "GET", route).EvaluatePrincipal(scopes("read"))
		assert.True(t, d.Allowed, route)
		assert.Equal(t, openapi.FailNone, d.Failure, route)
	}
	assert.Equal(t, openapi.FailNone, policy(t, p, "GET", "/optional").EvaluatePrincipal(nil).Failure)
}

// A list of roles is any of them: holding one of two is enough.
func TestRoleListIsAnyOf(t *testing.T) {
	p := mustLoad(t, doc(``, `
  /x:
    get:
      security: [{oauth: []}]
      x-axioms-roles: [editor, admin]
      x-axioms-permissions: [read, write]
      responses: {"401": {description: no}}
`))
	pol := policy(t, p, "GET", "/x")
	for _, c := range []struct {
		roles, perms []string
		allowed      bool
		failure      openapi.Failure
		missing      []string
	}{
		{[]string{"admin"}, []string{"write"}, true, openapi.FailNone, nil},
		{[]string{"editor"}, []string{"read"}, true, openapi.FailNone, nil},
		{[]string{"viewer"}, []string{"read"}, false, openapi.FailRole, []string{"editor", "admin"}},
		{[]string{"editor"}, []string{"delete"}, false, openapi.FailPermission, []string{"read", "write"}},
	} {
		d := pol.EvaluatePrincipal(&principal{roles: c.roles, perms: c.perms})
		assert.Equal(t, c.allowed, d.Allowed, "%v %v", c.roles, c.perms)
		assert.Equal(t, c.failure, d.Failure, "%v %v", c.roles, c.perms)
		assert.Equal(t, c.missing, d.Missing, "%v %v", c.roles, c.perms)
	}
}

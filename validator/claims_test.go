package validator_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

func TestClaimNamesAndPointers(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	keys := jwksJSON(t, s.jwk(t, nil))
	v := staticValidator(t, validator.Config{
		ScopeClaims:      []string{"scp", "scope"},
		RoleClaims:       []string{"/realm_access/roles", "cognito:groups"},
		PermissionClaims: []string{"https://example.com/permissions", "/a~1b/c~0d"},
	}, keys)

	c, err := v.Validate(t.Context(), s.token(t, claims(map[string]any{
		"scope":                           "ignored because scp comes first",
		"scp":                             []string{"read", "write"},
		"realm_access":                    map[string]any{"roles": []string{"offline_access", "admin"}},
		"cognito:groups":                  []string{"not-used"},
		"https://example.com/permissions": "p:1 p:2",
	}), nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"read", "write"}, c.Scopes())
	assert.Equal(t, []string{"offline_access", "admin"}, c.Roles())
	assert.Equal(t, []string{"p:1", "p:2"}, c.Permissions())
	assert.True(t, c.HasRole("admin"))
	assert.False(t, c.HasRole("Admin"))

	// The second name is used when the first is absent; a pointer with escapes.
	c, err = v.Validate(t.Context(), s.token(t, claims(map[string]any{
		"scope":          "  a  b ",
		"cognito:groups": []string{"g1"},
		"a/b":            map[string]any{"c~d": []string{"x"}},
	}), nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, c.Scopes(), "split on spaces, empty items dropped")
	assert.Equal(t, []string{"g1"}, c.Roles())
	assert.Equal(t, []string{"x"}, c.Permissions())

	// A null claim counts as absent; a JSON Pointer through a non-object finds nothing.
	c, err = v.Validate(t.Context(), s.token(t, claims(map[string]any{
		"realm_access": "not an object",
	}), nil))
	require.NoError(t, err)
	assert.Nil(t, c.Roles())
}

func TestCaseVariantClaimsDoNotChangeTheResult(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{}, jwksJSON(t, s.jwk(t, nil)))
	header := `{"alg":"ES256","kid":"k1"}`
	base := `"iss":"` + testIssuer + `","aud":"` + testAudience + `","exp":1800003600,"sub":"u"`
	for _, extra := range []string{
		`,"Scope":"admin","ROLES":["admin"],"Permissions":["all"]`,
		`,"ſcope":"admin","roleſ":["admin"]`,
		`,"SCOPE":"admin","scopE":"admin","\u017fcope":"admin"`,
	} {
		c, err := v.Validate(t.Context(), s.rawToken(t, header, `{`+base+`,"scope":"read"`+extra+`}`))
		require.NoError(t, err)
		assert.Equal(t, []string{"read"}, c.Scopes(), extra)
		assert.Nil(t, c.Roles(), extra)
		assert.Nil(t, c.Permissions(), extra)

		var dst struct {
			Scope string   `json:"scope"`
			Roles []string `json:"roles"`
		}
		require.NoError(t, c.Decode(&dst))
		assert.Equal(t, "read", dst.Scope, "Decode matches names exactly: %s", extra)
		assert.Nil(t, dst.Roles)
	}
}

func TestScopeMatchingIsExact(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{}, jwksJSON(t, s.jwk(t, nil)))
	c, err := v.Validate(t.Context(), s.token(t, claims(map[string]any{
		"scope": "read:data-admin READ:DATA", "roles": "admin,editor", "permissions": []string{"resource:create "},
	}), nil))
	require.NoError(t, err)
	assert.False(t, c.HasScope("read:data"), "a prefix is not the scope")
	assert.False(t, c.HasScope("read:DATA"))
	assert.True(t, c.HasScope("read:data-admin"))
	assert.Equal(t, []string{"admin,editor"}, c.Roles(), "comma-joined roles are one role")
	assert.False(t, c.HasRole("admin"))
	assert.False(t, c.HasPermission("resource:create"), "array items are taken verbatim")
	assert.True(t, c.HasPermission("resource:create "))

	c, err = v.Validate(t.Context(), s.token(t, claims(map[string]any{"roles": "admin"}), nil))
	require.NoError(t, err)
	assert.True(t, c.HasRole("admin"), "a single role as a string")
}

func TestClaimAccessors(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{}, jwksJSON(t, s.jwk(t, nil)))
	c, err := v.Validate(t.Context(), s.token(t, claims(map[string]any{
		"email":                   "ünï@example.com",
		"email_verified":          true,
		"tenant":                  map[string]any{"id": 42, "tags": []string{"a", "b"}},
		"https://example.com/org": "acme",
		"null_claim":              nil,
		"scope":                   "a b",
	}), nil))
	require.NoError(t, err)

	got, ok := c.Claim("email")
	require.True(t, ok)
	assert.Equal(t, "ünï@example.com", got)
	got, ok = c.Claim("/tenant/id")
	require.True(t, ok)
	assert.Equal(t, float64(42), got)
	got, ok = c.Claim("/tenant/tags/1")
	require.True(t, ok)
	assert.Equal(t, "b", got)
	got, ok = c.Claim("https://example.com/org")
	require.True(t, ok)
	assert.Equal(t, "acme", got)
	for _, absent := range []string{"", "nope", "/tenant/nope", "/tenant/tags/2", "/tenant/tags/01", "/tenant/tags/-1", "/email/x", "/~2", "Email"} {
		_, ok = c.Claim(absent)
		assert.False(t, ok, absent)
	}

	// Composite values are copies: changing them changes nothing for others.
	tenant, _ := c.Claim("tenant")
	tenant.(map[string]any)["id"] = "changed"
	again, _ := c.Claim("/tenant/id")
	assert.Equal(t, float64(42), again)
	scopes := c.Scopes()
	scopes[0] = "changed"
	assert.Equal(t, []string{"a", "b"}, c.Scopes())
	m := c.Map()
	m["email"] = "changed"
	email, _ := c.Claim("email")
	assert.Equal(t, "ünï@example.com", email)

	var dst struct {
		Email  string `json:"email"`
		Tenant struct {
			ID int `json:"id"`
		} `json:"tenant"`
	}
	require.NoError(t, c.Decode(&dst))
	assert.Equal(t, "ünï@example.com", dst.Email)
	assert.Equal(t, 42, dst.Tenant.ID)
	var wrong struct {
		Email int `json:"email"`
	}
	assert.Error(t, c.Decode(&wrong))
}

func TestContextRoundTrip(t *testing.T) {
	_, ok := validator.FromContext(context.Background())
	assert.False(t, ok)
	ctx := validator.NewContext(context.Background(), nil)
	_, ok = validator.FromContext(ctx)
	assert.False(t, ok, "nil claims are not claims")

	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{}, jwksJSON(t, s.jwk(t, nil)))
	c, err := v.Validate(t.Context(), s.token(t, claims(nil), nil))
	require.NoError(t, err)
	got, ok := validator.FromContext(validator.NewContext(context.Background(), c))
	require.True(t, ok)
	assert.Same(t, c, got)
}

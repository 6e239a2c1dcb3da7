package validator_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
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

// TestDPoPThumbprint: cnf.jkt, and whether cnf names another confirmation method, are
// read when the claims are built; a cnf that cannot be read refuses the token as
// malformed, and tokens without one are not bound.
func TestDPoPThumbprint(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{}, jwksJSON(t, s.jwk(t, nil)))
	for _, tc := range []struct {
		name      string
		cnf       any // absent when nil
		want      string
		otherwise bool // BoundOtherwise
	}{
		{"no cnf", nil, "", false},
		{"jkt", map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}, "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", false},
		{"another confirmation method", map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}, "", true},
		{"empty cnf", map[string]any{}, "", false},
		{"jkt beside another method", map[string]any{"jkt": "a", "x5t#S256": "b"}, "a", true},
		{"kid", map[string]any{"kid": "k"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			over := map[string]any{}
			if tc.cnf != nil {
				over["cnf"] = tc.cnf
			}
			c, err := v.Validate(t.Context(), s.token(t, claims(over), nil))
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.DPoPThumbprint())
			assert.Equal(t, tc.otherwise, c.BoundOtherwise())
		})
	}
	for _, tc := range []struct {
		name string
		cnf  any
	}{
		{"cnf a string", "jkt"},
		{"cnf an array", []any{map[string]any{"jkt": "a"}}},
		{"jkt null", map[string]any{"jkt": nil}},
		{"jkt empty", map[string]any{"jkt": ""}},
		{"jkt a number", map[string]any{"jkt": 1}},
		{"jkt an object", map[string]any{"jkt": map[string]any{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Validate(t.Context(), s.token(t, claims(map[string]any{"cnf": tc.cnf}), nil))
			requireReason(t, err, validator.ReasonMalformed)
			assert.Equal(t, "the cnf claim is not an object with a non-empty string jkt", err.Error())
		})
	}
	// cnf null, and duplicate members inside cnf (refused with the payload).
	for _, cnf := range []string{`null`, `{"jkt":"a","jkt":"a"}`} {
		_, err := v.Validate(t.Context(), s.tokenBytes(t, []byte(`{"iss":"`+testIssuer+`","aud":"`+testAudience+`","exp":1800003600,"cnf":`+cnf+`}`), nil))
		requireReason(t, err, validator.ReasonMalformed, cnf)
	}
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

func TestIntegerClaim(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{}, jwksJSON(t, s.jwk(t, nil)))
	header := `{"alg":"ES256","kid":"k1"}`
	payload := `{"iss":"` + testIssuer + `","aud":"` + testAudience + `","exp":1800003600,"sub":"u",
		"one": 1, "zero": 0, "neg_zero": -0, "neg": -42,
		"p53m1": 9007199254740991, "p53": 9007199254740992, "p53p1": 9007199254740993,
		"i64max": 9223372036854775807, "u64max": 18446744073709551615,
		"big": 123456789012345678901234567890, "negbig": -123456789012345678901234567890,
		"frac": 1.0, "half": 1.5, "e3": 1e3, "E3": 1E3, "eplus": 1e+3, "eneg": 1e-3, "fracexp": 1.0e3, "negfrac": -0.0,
		"digits": "42", "t": true, "f": false, "n": null, "obj": {"id": 7}, "arr": [1, 2], "empty": {},
		"org": {"meta": {"skip": [1, {"x": [2.5]}], "id": 9007199254740993}, "ids": [10, 9007199254740993, "3", 4.0]},
		"a/b": 5, "a.b": 6, "https://example.com/uid": 77, "a": {"b": 8}, "~": 9, "c~d/e": {"f": 11},
		"u\u0069d": 12, "cognito:id": 13}`
	c, err := v.Validate(t.Context(), s.rawToken(t, header, payload))
	require.NoError(t, err)

	for name, want := range map[string]string{
		"one":                     "1",
		"zero":                    "0",
		"neg_zero":                "-0",
		"neg":                     "-42",
		"p53m1":                   "9007199254740991",
		"p53":                     "9007199254740992",
		"p53p1":                   "9007199254740993",
		"i64max":                  "9223372036854775807",
		"u64max":                  "18446744073709551615",
		"big":                     "123456789012345678901234567890",
		"negbig":                  "-123456789012345678901234567890",
		"/org/meta/id":            "9007199254740993",
		"/org/ids/0":              "10",
		"/org/ids/1":              "9007199254740993",
		"/obj/id":                 "7",
		"/arr/1":                  "2",
		"a/b":                     "5", // a top-level key, not a pointer
		"/a~1b":                   "5",
		"a.b":                     "6",
		"https://example.com/uid": "77",
		"/a/b":                    "8",
		"~":                       "9",
		"/~0":                     "9",
		"/c~0d~1e/f":              "11",
		"uid":                     "12", // the name was written with an escape
		"cognito:id":              "13",
	} {
		got, ok := c.IntegerClaim(name)
		if assert.True(t, ok, name) {
			assert.Equal(t, want, got, name)
		}
		// Claim keeps its contract: the same number, as a float64.
		f, ok := c.Claim(name)
		require.True(t, ok, name)
		want64, err := strconv.ParseFloat(want, 64)
		require.NoError(t, err)
		assert.Equal(t, want64, f, name)
	}
	for _, name := range []string{
		"frac", "half", "e3", "E3", "eplus", "eneg", "fracexp", "negfrac", // numbers not written as integers
		"digits", "sub", "t", "f", "n", "obj", "arr", "empty", "org", // not numbers
		"/org/ids/2", "/org/ids/3", "/org/meta/skip/1/x/0",
		"", "nope", "/nope", "/org/nope", "/org/meta/id/0", "/org/ids/4", "/org/ids/01", "/org/ids/-1",
		"/org/ids/+1", "/org/ids/", "/arr/1/x", "/one/0", "/~2", "/a~1b/c", "ONE", "/", "a", "/a",
		"u\\u0069d", "/org/meta",
	} {
		got, ok := c.IntegerClaim(name)
		assert.False(t, ok, name)
		assert.Empty(t, got, name)
	}

	// The p53p1 claim reads back exactly, while Claim's float64 rounds it.
	f, _ := c.Claim("p53p1")
	assert.Equal(t, float64(9007199254740992), f)

	// Claims are shared: concurrent readers see the same values.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got, ok := c.IntegerClaim("/org/ids/1")
				assert.True(t, ok)
				assert.Equal(t, "9007199254740993", got)
			}
		})
	}
	wg.Wait()
}

// FuzzIntegerClaim signs a payload carrying an arbitrary JSON text as the claim "v" and
// reads arbitrary names: IntegerClaim must never panic, must return only integer
// literals, exactly as written for "v", and only for claims Claim finds as that number.
func FuzzIntegerClaim(f *testing.F) {
	s := newSigner(f, "ES256", "k1")
	v := staticValidator(f, validator.Config{}, jwksJSON(f, s.jwk(f, nil)))
	integer := regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)
	for _, seed := range [][2]string{
		{"1", "v"}, {"9007199254740993", "v"}, {"-0", "v"}, {"1.0", "v"}, {"1e3", "v"}, {`"42"`, "v"},
		{"123456789012345678901234567890", "v"}, {` 7 `, "v"}, {`{"a":[1,{"b":2}]}`, "/v/a/1/b"},
		{`[0,1]`, "/v/01"}, {`{"a/b":3}`, "/v/a~1b"}, {"true", "v"}, {"null", "v"}, {"1", "/v"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, raw, name string) {
		base := `"iss":"` + testIssuer + `","aud":"` + testAudience + `","exp":1800003600`
		c, err := v.Validate(t.Context(), s.rawToken(t, `{"alg":"ES256","kid":"k1"}`, `{"v":`+raw+`,`+base+`}`))
		if err != nil {
			return
		}
		trimmed := strings.Trim(raw, " \t\r\n")
		if integer.MatchString(trimmed) {
			got, ok := c.IntegerClaim("v")
			if !ok || got != trimmed {
				t.Fatalf("IntegerClaim(v) = %q, %v for %q", got, ok, raw)
			}
		}
		got, ok := c.IntegerClaim(name)
		if !ok {
			if got != "" {
				t.Fatalf("IntegerClaim(%q) = %q without ok", name, got)
			}
			return
		}
		if !integer.MatchString(got) {
			t.Fatalf("IntegerClaim(%q) = %q, not an integer literal", name, got)
		}
		want, err := strconv.ParseFloat(got, 64)
		if err != nil {
			t.Fatal(err)
		}
		if f, found := c.Claim(name); !found || f != want {
			t.Fatalf("IntegerClaim(%q) = %q but Claim = %v, %v", name, got, f, found)
		}
	})
}

package validator_test

import (
	"strings"
	"testing"

	"github.com/axioms-go/axioms-echo/validator"
)

// FuzzValidate feeds arbitrary strings to Validate: it must never panic, never accept a
// token the key did not sign, and always classify its error.
func FuzzValidate(f *testing.F) {
	s := newSigner(f, "ES256", "k1")
	v := staticValidator(f, validator.Config{}, jwksJSON(f, s.jwk(f, nil)))
	valid := s.token(f, claims(nil), nil)
	parts := strings.Split(valid, ".")
	for _, seed := range []string{
		valid, "", ".", "..", "...", "a.b.c", valid + ".x", parts[0] + "." + parts[1] + ".",
		b64(`{"alg":"none"}`) + "." + parts[1] + ".",
		b64(`{"alg":"ES256","kid":"k1","crit":["x"]}`) + "." + parts[1] + "." + parts[2],
		`{"payload":"x","signatures":[]}`, strings.Repeat("A", 9000),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Validate(t.Context(), token)
		if err == nil {
			// Only the one genuinely signed token can pass.
			if token != valid {
				t.Fatalf("accepted a token that was never signed: %q", token)
			}
			if c == nil {
				t.Fatal("nil claims without error")
			}
			return
		}
		if c != nil {
			t.Fatal("claims returned with an error")
		}
		if validator.ReasonOf(err) == "" || validator.ReasonOf(err) == validator.ReasonKeysUnavailable {
			t.Fatalf("unclassified error %v", err)
		}
	})
}

// FuzzClaims signs arbitrary payload bytes and validates them: claim decoding must never
// panic, and accepted tokens must carry well-typed registered claims.
func FuzzClaims(f *testing.F) {
	s := newSigner(f, "EdDSA", "k1")
	v := staticValidator(f, validator.Config{
		RoleClaims:       []string{"/realm_access/roles", "roles"},
		PermissionClaims: []string{"https://example.com/permissions", "permissions"},
	}, jwksJSON(f, s.jwk(f, nil)))
	base := mustJSON(f, claims(nil))
	for _, seed := range []string{
		base,
		strings.TrimSuffix(base, "}") + `,"scope":"a b","roles":["x"],"permissions":"p q"}`,
		strings.TrimSuffix(base, "}") + `,"realm_access":{"roles":["r"]},"https://example.com/permissions":["p"]}`,
		strings.TrimSuffix(base, "}") + `,"scope":1}`,
		strings.TrimSuffix(base, "}") + `,"scope":"a","scope":"b"}`,
		`{}`, `[]`, `null`, `{"exp":"1"}`, "{\"x\":\"\xff\"}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		tok := s.signSegments(t, b64(`{"alg":"EdDSA","kid":"k1"}`), b64(payload))
		c, err := v.Validate(t.Context(), tok)
		if err != nil {
			if validator.ReasonOf(err) == "" {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if c.Issuer() != testIssuer || c.ExpiresAt().IsZero() {
			t.Fatalf("accepted claims without issuer or expiry: %+v", c)
		}
		for _, list := range [][]string{c.Scopes(), c.Roles(), c.Permissions()} {
			for _, item := range list {
				if item == "" {
					t.Fatalf("empty item in %q", list)
				}
			}
		}
		m := c.Map()
		if _, ok := m["exp"]; !ok {
			t.Fatal("exp missing from the claim map")
		}
	})
}

// FuzzClaimNames exercises claim-name parsing (top-level keys and JSON Pointers) on a
// fixed claim set: Claim must never panic.
func FuzzClaimNames(f *testing.F) {
	s := newSigner(f, "ES256", "k1")
	v := staticValidator(f, validator.Config{}, jwksJSON(f, s.jwk(f, nil)))
	c, err := v.Validate(f.Context(), s.token(f, claims(map[string]any{
		"realm_access": map[string]any{"roles": []string{"a"}},
		"a/b":          map[string]any{"c~d": []any{1, "x", nil}},
		"list":         []any{[]any{"nested"}},
	}), nil))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"sub", "/realm_access/roles", "/a~1b/c~0d/1", "/list/0/0", "/", "//", "~", "/~", "/~2", "/list/00", "/list/-", "/list/+0", "/list/99999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v, ok := c.Claim(name)
		if !ok && v != nil {
			t.Fatal("value returned for an absent claim")
		}
		if _, err := validator.ConfigFromLookup(func(k string) (string, bool) {
			if k == "AXIOMS_ROLES_CLAIMS" {
				return name, true
			}
			return "", false
		}); err != nil {
			t.Fatalf("reading claim names from the environment failed: %v", err)
		}
	})
}

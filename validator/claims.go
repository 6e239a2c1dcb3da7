package validator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Claims is the verified content of an access token. It is immutable and safe for
// concurrent use: the same *Claims may be returned for every presentation of the same
// token (the verified-token cache shares it), so every accessor returns values or fresh
// copies, and nothing a caller does to a result can change what the next caller sees.
//
// Claims are always read by exact key from the decoded claim set: a token carrying
// "Scope" or "ſcope" next to "scope" does not change what [Claims.Scopes] returns.
type Claims struct {
	subject   string
	issuer    string
	audience  []string
	expiresAt time.Time
	notBefore time.Time
	issuedAt  time.Time
	id        string
	dpopJKT   string // cnf.jkt
	otherCnf  bool   // cnf has a member other than jkt

	scopes      []string
	roles       []string
	permissions []string
	set         map[string]any
	payload     []byte
}

// Subject returns the `sub` claim ("" if absent).
func (c *Claims) Subject() string { return c.subject }

// Issuer returns the `iss` claim, equal to Config.Issuer unless
// Config.InsecureSkipIssuerCheck is set.
func (c *Claims) Issuer() string { return c.issuer }

// Audience returns the `aud` claim as a fresh list (a single string becomes one element);
// nil if absent.
func (c *Claims) Audience() []string { return slices.Clone(c.audience) }

// ExpiresAt returns the `exp` claim (always present in a verified token).
func (c *Claims) ExpiresAt() time.Time { return c.expiresAt }

// NotBefore returns the `nbf` claim (the zero time if absent).
func (c *Claims) NotBefore() time.Time { return c.notBefore }

// IssuedAt returns the `iat` claim (the zero time if absent).
func (c *Claims) IssuedAt() time.Time { return c.issuedAt }

// ID returns the `jti` claim ("" if absent).
func (c *Claims) ID() string { return c.id }

// DPoPThumbprint returns the token's cnf.jkt claim (RFC 9449 §6.1): the RFC 7638
// thumbprint of the DPoP key the token is bound to, to be given to [DPoPChecker.Check].
// It returns "" when the token has no cnf claim or its cnf has no jkt: the token is not
// DPoP-bound. A cnf that is not an object, or a jkt that is not a non-empty string,
// makes the token malformed, so such a token never reaches this accessor.
func (c *Claims) DPoPThumbprint() string { return c.dpopJKT }

// BoundOtherwise reports whether the token's cnf claim (RFC 7800) names a confirmation
// method other than DPoP's jkt: x5t#S256 (mutual TLS, RFC 8705), jwk, jwe, jku, kid or
// any other member. Such a token is sender-constrained by a proof this package does not
// check; the enforce package refuses it (unsupported_binding). Read once when the claims
// are built; false when the token has no cnf.
func (c *Claims) BoundOtherwise() bool { return c.otherCnf }

// Scopes returns the token's scopes, read from the first configured scope claim present
// (Config.ScopeClaims). It returns a fresh slice; nil if the token has none.
func (c *Claims) Scopes() []string { return slices.Clone(c.scopes) }

// Roles returns the token's roles, read from the first configured role claim present
// (Config.RoleClaims). It returns a fresh slice; nil if the token has none.
func (c *Claims) Roles() []string { return slices.Clone(c.roles) }

// Permissions returns the token's permissions, read from the first configured permission
// claim present (Config.PermissionClaims). It returns a fresh slice; nil if none.
func (c *Claims) Permissions() []string { return slices.Clone(c.permissions) }

// HasScope reports whether the token holds scope exactly (no prefix or case folding:
// "read:data-admin" is not "read:data").
func (c *Claims) HasScope(scope string) bool { return slices.Contains(c.scopes, scope) }

// HasRole reports whether the token holds role exactly.
func (c *Claims) HasRole(role string) bool { return slices.Contains(c.roles, role) }

// HasPermission reports whether the token holds permission exactly.
func (c *Claims) HasPermission(permission string) bool {
	return slices.Contains(c.permissions, permission)
}

// Claim returns the value of one claim and whether it is present. name is a top-level
// key, matched exactly (it may contain '.', ':' or '/'), or, when it starts with '/', a
// JSON Pointer (RFC 6901) such as "/realm_access/roles". Values are as decoded from JSON:
// string, float64, bool, nil, []any or map[string]any; composite values are deep copies.
// A float64 holds integers exactly only up to 2^53: use [Claims.IntegerClaim] to read an
// integer claim (a numeric user or account id) exactly.
func (c *Claims) Claim(name string) (any, bool) {
	p, err := parseClaimPath(name)
	if err != nil {
		return nil, false
	}
	v, ok := p.lookup(c.set)
	if !ok {
		return nil, false
	}
	return deepCopy(v), true
}

// IntegerClaim returns the value of one claim as the exact text the token wrote it in,
// when that value is a JSON number written as an integer (-?(0|[1-9][0-9]*), any number
// of digits: "9007199254740993", "-42", "-0"), and false when the claim is absent or
// anything else: a string (even "42"), a number with a fraction or an exponent ("1.0",
// "1e3"), a bool, null, an object or an array. name is read as by [Claims.Claim]: a
// top-level key matched exactly, or a JSON Pointer when it starts with '/'. Unlike
// Claim's float64, the text never rounds: compare numeric ids with it, never with a
// float64. Like every accessor it is safe for concurrent use on a shared Claims: each
// call scans the verified payload afresh, changing nothing, and returns a new string.
func (c *Claims) IntegerClaim(name string) (string, bool) {
	p, err := parseClaimPath(name)
	if err != nil {
		return "", false
	}
	tokens := p.pointer
	if tokens == nil {
		tokens = []string{p.name}
	}
	return integerMember(c.payload, tokens)
}

// Map returns a deep copy of the whole claim set.
func (c *Claims) Map() map[string]any {
	return deepCopy(c.set).(map[string]any)
}

// Decode decodes the claim set into v (a pointer to a struct or map), with exact,
// case-sensitive matching of names to `json` struct tags (encoding/json/v2 semantics):
// a field tagged `json:"scope"` is never filled from "Scope" or "ſcope".
func (c *Claims) Decode(v any) error {
	if err := decodeJSON(c.payload, v); err != nil {
		return fmt.Errorf("validator: decoding claims: %w", err)
	}
	return nil
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

// claimPath is a parsed claim name: a top-level key, or a JSON Pointer.
type claimPath struct {
	name    string   // as configured
	pointer []string // unescaped reference tokens; nil for a top-level key
}

var errEmptyClaimName = errors.New("empty claim name")

func parseClaimPath(name string) (claimPath, error) {
	if name == "" {
		return claimPath{}, errEmptyClaimName
	}
	if name[0] != '/' {
		return claimPath{name: name}, nil
	}
	parts := strings.Split(name[1:], "/")
	for i, p := range parts {
		u, err := unescapePointerToken(p)
		if err != nil {
			return claimPath{}, fmt.Errorf("claim pointer %q: %w", name, err)
		}
		parts[i] = u
	}
	return claimPath{name: name, pointer: parts}, nil
}

// unescapePointerToken applies RFC 6901 §4: "~1" → "/", then "~0" → "~"; any other '~'
// sequence is invalid.
func unescapePointerToken(s string) (string, error) {
	if !strings.Contains(s, "~") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '~' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) || (s[i+1] != '0' && s[i+1] != '1') {
			return "", errors.New("'~' must be followed by 0 or 1")
		}
		if s[i+1] == '0' {
			b.WriteByte('~')
		} else {
			b.WriteByte('/')
		}
		i++
	}
	return b.String(), nil
}

// lookup finds the value at p in set. JSON null counts as absent.
func (p claimPath) lookup(set map[string]any) (any, bool) {
	if p.pointer == nil {
		v, ok := set[p.name]
		return v, ok && v != nil
	}
	var cur any = set
	for _, tok := range p.pointer {
		switch node := cur.(type) {
		case map[string]any:
			v, ok := node[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, ok := arrayIndex(tok)
			if !ok || i >= len(node) {
				return nil, false
			}
			cur = node[i]
		default:
			return nil, false
		}
	}
	return cur, cur != nil
}

// arrayIndex reads a JSON Pointer token as an array index (RFC 6901 §4): decimal digits
// without a leading zero or sign.
func arrayIndex(tok string) (int, bool) {
	if tok == "" || len(tok) > 1 && tok[0] == '0' || tok[0] == '+' || tok[0] == '-' {
		return 0, false
	}
	i, err := strconv.Atoi(tok)
	return i, err == nil
}

// stringList resolves the first present claim among paths into a list of strings. A
// string value is split on spaces (RFC 6749 §3.3); an array must hold only strings. Any
// other type is an error: a token whose authorization claims cannot be read is rejected
// rather than treated as holding nothing.
func stringList(set map[string]any, paths []claimPath) ([]string, error) {
	for _, p := range paths {
		v, ok := p.lookup(set)
		if !ok {
			continue
		}
		switch t := v.(type) {
		case string:
			return splitSpaces(t), nil
		case []any:
			out := make([]string, 0, len(t))
			for _, e := range t {
				s, ok := e.(string)
				if !ok {
					return nil, errListClaimType
				}
				if s != "" {
					out = append(out, s)
				}
			}
			return out, nil
		default:
			return nil, errListClaimType
		}
	}
	return nil, nil
}

func splitSpaces(s string) []string {
	n := 0
	for f := range strings.SplitSeq(s, " ") {
		if f != "" {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for f := range strings.SplitSeq(s, " ") {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

type contextKey struct{}

// NewContext returns a copy of ctx carrying claims; read them back with [FromContext].
func NewContext(ctx context.Context, claims *Claims) context.Context {
	return context.WithValue(ctx, contextKey{}, claims)
}

// FromContext returns the claims stored by [NewContext], or nil and false.
func FromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(contextKey{}).(*Claims)
	return c, ok && c != nil
}

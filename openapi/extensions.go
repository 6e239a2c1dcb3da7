package openapi

import (
	"fmt"
	"slices"
	"strings"
)

// The extensions this package reads.
const (
	extRoles       = "x-axioms-roles"
	extPermissions = "x-axioms-permissions"
	extOwner       = "x-axioms-owner"
)

var knownExtensions = []string{extOwner, extPermissions, extRoles}

// where an extension appears, for the rules on where each is allowed. Anywhere else,
// checkPlacement reports it.
type level int

const (
	levelRoot level = iota + 1
	levelPathItem
	levelOperation
)

// axiomsLike reports whether extension key k looks like one of this package's: its
// lower-cased form, with '_' read as '-', starts with "x-axiom" or is within edit
// distance 2 of a known key. Such a key that is not exactly a known one is a typo
// (x-axiom-roles, x-axioms_roles, x-axiomsroles, X-Axioms-Roles, x_axioms-permissions),
// which would otherwise be silently ignored. It does not allocate.
func axiomsLike(k string) bool {
	if len(k) < len("x-axiom") || k[0] != 'x' && k[0] != 'X' {
		return false
	}
	var buf [32]byte
	if len(k) > len(buf) {
		return hasAxiomPrefix(k)
	}
	n := normalizeKey(buf[:0], k)
	if hasAxiomPrefix(string(n)) {
		return true
	}
	for _, known := range knownExtensions {
		if d := len(n) - len(known); d >= -2 && d <= 2 && editDistanceBytes(n, known) <= 2 {
			return true
		}
	}
	return false
}

// normalizeKey appends k lower-cased (ASCII), with '_' replaced by '-'.
func normalizeKey(dst []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == '_':
			c = '-'
		}
		dst = append(dst, c)
	}
	return dst
}

// hasAxiomPrefix reports whether k starts with "x-axiom", ignoring case and reading
// '_' as '-'.
func hasAxiomPrefix(k string) bool {
	const prefix = "x-axiom"
	if len(k) < len(prefix) {
		return false
	}
	var buf [len(prefix)]byte
	return string(normalizeKey(buf[:0], k[:len(prefix)])) == prefix
}

// checkUnknown reports the extension keys of the object at ptr that look like this
// package's (axiomsLike) but are not one of them (typos such as x-axioms-role,
// x-axiom-roles, any letter case), and known keys where they are not allowed.
func (c *compiler) checkUnknown(ext map[string]any, lvl level, method, path, ptr string) {
	suspect := false
	for k := range ext {
		if axiomsLike(k) {
			suspect = true
			break
		}
	}
	if !suspect {
		return
	}
	for _, k := range sortedKeys(ext) {
		if !axiomsLike(k) {
			continue
		}
		switch {
		case !slices.Contains(knownExtensions, k):
			c.fail(method, path, child(ptr, k), "unknown extension %q%s", k, suggest(k))
		case k == extOwner && lvl == levelRoot:
			c.fail(method, path, child(ptr, k), "%s is not allowed on the document root: declare it on a path item or an operation", k)
		}
	}
}

// suggest names the closest known extension, for typos.
func suggest(k string) string {
	best, bestDist := "", 4
	n := string(normalizeKey(nil, k))
	for _, known := range knownExtensions {
		if d := editDistance(n, known); d < bestDist {
			best, bestDist = known, d
		}
	}
	if best == "" {
		return fmt.Sprintf(" (known: %s)", strings.Join(knownExtensions, ", "))
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int { return editDistanceBytes([]byte(a), b) }

// editDistanceBytes is the Levenshtein distance of a and b; it does not allocate when
// b is at most 32 bytes long.
func editDistanceBytes(a []byte, b string) int {
	var prevBuf, curBuf [33]int
	prev, cur := prevBuf[:0], curBuf[:0]
	if len(b)+1 > len(prevBuf) {
		prev, cur = make([]int, 0, len(b)+1), make([]int, 0, len(b)+1)
	}
	prev, cur = prev[:len(b)+1], cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// decodeCondition decodes an x-axioms-roles or x-axioms-permissions value: a list of
// strings (any of), or an object with an anyOf list, an allOf list or both. An empty list,
// or an object whose lists are empty or absent, is a valid value that requires nothing:
// it removes an inherited requirement. problem is "" when v is well-formed.
func decodeCondition(v any) (c Condition, problem string) {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			if k != "anyOf" && k != "allOf" {
				return Condition{}, fmt.Sprintf("unknown key %q (allowed: anyOf, allOf)", k)
			}
			list, problem := decodeList(t[k])
			if problem != "" {
				return Condition{}, k + ": " + problem
			}
			if k == "anyOf" {
				c.AnyOf = list
			} else {
				c.AllOf = list
			}
		}
		return c, ""
	case []any:
		list, problem := decodeList(t)
		return Condition{AnyOf: list}, problem
	case nil:
		return Condition{}, "null is not allowed (use [] to remove an inherited requirement)"
	}
	return Condition{}, fmt.Sprintf("must be a list of strings or an object with anyOf and/or allOf, not %s", typeName(v))
}

// decodeList decodes a list of distinct, non-empty strings without surrounding spaces.
// An empty list decodes to nil.
func decodeList(v any) ([]string, string) {
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Sprintf("must be a list of strings, not %s", typeName(v))
	}
	var out []string
	if len(items) > 0 {
		out = make([]string, 0, len(items))
	}
	for i, item := range items {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Sprintf("item %d must be a string, not %s", i, typeName(item))
		}
		if problem := checkName(s); problem != "" {
			return nil, fmt.Sprintf("item %d %s", i, problem)
		}
		if slices.Contains(out, s) {
			return nil, fmt.Sprintf("%q is listed twice", s)
		}
		out = append(out, s)
	}
	return out, ""
}

// checkName checks a role, permission, parameter, field, claim or loader name: it must
// not be empty, and surrounding spaces (which never match anything) are a mistake.
func checkName(s string) string {
	switch {
	case s == "":
		return "is empty"
	case strings.TrimSpace(s) != s:
		return fmt.Sprintf("%q has surrounding spaces", s)
	}
	return ""
}

// decodeOwner decodes an x-axioms-owner value: {param, claim} or {field, claim, loader}.
// Defaults: claim "sub"; field "user"; Loader "" stands for the operationId, which the
// caller resolves. problem is "" when v is well-formed.
func decodeOwner(v any) (o Owner, problem string) {
	m, ok := v.(map[string]any)
	if !ok {
		return Owner{}, fmt.Sprintf("must be an object {param, claim} or {field, claim, loader}, not %s", typeName(v))
	}
	vals := map[string]string{}
	for _, k := range sortedKeys(m) {
		switch k {
		case "param", "field", "claim", "loader":
		default:
			return Owner{}, fmt.Sprintf("unknown key %q (allowed: param, field, claim, loader)", k)
		}
		s, ok := m[k].(string)
		if !ok {
			return Owner{}, fmt.Sprintf("%s must be a string, not %s", k, typeName(m[k]))
		}
		if problem := checkName(s); problem != "" {
			return Owner{}, k + " " + problem
		}
		vals[k] = s
	}
	o.Claim = "sub"
	if claim, ok := vals["claim"]; ok {
		if problem := checkClaimName(claim); problem != "" {
			return Owner{}, "claim: " + problem
		}
		o.Claim = claim
	}
	if param, ok := vals["param"]; ok {
		if _, f := vals["field"]; f {
			return Owner{}, "param and field exclude each other: use {param, claim} or {field, claim, loader}"
		}
		if _, l := vals["loader"]; l {
			return Owner{}, "param and loader exclude each other: a param rule needs no loader"
		}
		o.Param = param
		return o, ""
	}
	o.Field = "user"
	if field, ok := vals["field"]; ok {
		o.Field = field
	}
	o.Loader = vals["loader"]
	return o, ""
}

// checkClaimName checks a JSON Pointer's escapes (RFC 6901); plain names are accepted.
func checkClaimName(c string) string {
	if !strings.HasPrefix(c, "/") {
		return ""
	}
	for i := 0; i < len(c); i++ {
		if c[i] == '~' && (i+1 >= len(c) || c[i+1] != '0' && c[i+1] != '1') {
			return fmt.Sprintf("JSON Pointer %q has an invalid escape ('~' must be followed by 0 or 1)", c)
		}
	}
	return ""
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, float32, int, int64, int32, uint64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

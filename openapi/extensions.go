package openapi

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// The extensions this package reads.
const (
	extRoles       = "x-axioms-roles"
	extPermissions = "x-axioms-permissions"
	extOwner       = "x-axioms-owner"
	extACR         = "x-axioms-acr"
	extMaxAge      = "x-axioms-max-age"
	extDPoP        = "x-axioms-dpop" // on security schemes only
)

var knownExtensions = []string{extACR, extDPoP, extMaxAge, extOwner, extPermissions, extRoles}

// where an extension appears, for the rules on where each is allowed. Anywhere else,
// checkPlacement reports it.
type level int

const (
	levelRoot level = iota + 1
	levelPathItem
	levelOperation
)

// checkUnknown reports the keys of the object at ptr that look like this package's but
// are not one of them (keyMisspelt, keyLookalike: typos such as x-axioms-role, any letter
// case, Unicode look-alikes such as x‐axioms‐roles), and known keys where they are not
// allowed. Keys meant as access rules that this package does not read (keyUnenforced:
// x-roles, x-permissions...) are warnings.
func (c *compiler) checkUnknown(ext map[string]any, lvl level, method, path, ptr string) {
	suspect := false
	for k := range ext {
		if keyClassOf(k) != keyOther {
			suspect = true
			break
		}
	}
	if !suspect {
		return
	}
	for _, k := range sortedKeys(ext) {
		switch keyClassOf(k) {
		case keyMisspelt, keyLookalike:
			c.fail(method, path, child(ptr, k), "%s", unknownKeyMessage(k))
		case keyKnown:
			switch {
			case k == extDPoP:
				c.fail(method, path, child(ptr, k), "%s is not allowed here: declare it on a security scheme (oauth2, openIdConnect or http bearer) in components.securitySchemes", k)
			case k == extOwner && lvl == levelRoot:
				c.fail(method, path, child(ptr, k), "%s is not allowed on the document root: declare it on a path item or an operation", k)
			}
		case keyUnenforced:
			c.warn(method, path, child(ptr, k), "%s", unenforcedMessage(k))
		}
	}
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

// decodeACR decodes an x-axioms-acr value: a non-empty list of distinct acr values, any
// of which satisfies the requirement (RFC 9470).
func decodeACR(v any) ([]string, string) {
	list, problem := decodeList(v)
	if problem == "" && len(list) == 0 {
		problem = "must list at least one acr value"
	}
	return list, problem
}

// decodeDPoP decodes an x-axioms-dpop value: "required" or "allowed" (RFC 9449).
func decodeDPoP(v any) (DPoPMode, string) {
	switch v {
	case "required":
		return DPoPRequired, ""
	case "allowed":
		return DPoPAllowed, ""
	}
	if s, ok := v.(string); ok {
		return DPoPNone, fmt.Sprintf("must be \"required\" or \"allowed\", not %q", s)
	}
	return DPoPNone, fmt.Sprintf("must be the string \"required\" or \"allowed\", not %s", typeName(v))
}

// decodeMaxAge decodes an x-axioms-max-age value: a positive whole number of seconds
// (RFC 9470's max_age).
func decodeMaxAge(v any) (int, string) {
	var f float64
	switch t := v.(type) {
	case float64:
		f = t
	case int:
		f = float64(t)
	case int64:
		f = float64(t)
	default:
		return 0, fmt.Sprintf("must be a positive integer (seconds), not %s", typeName(v))
	}
	if f != math.Trunc(f) || f < 1 || f > math.MaxInt32 {
		return 0, fmt.Sprintf("must be a positive integer of seconds (at most %d), not %v", math.MaxInt32, f)
	}
	return int(f), ""
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

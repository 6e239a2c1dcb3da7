package openapi

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The extensions this package reads.
const (
	extRoles       = "x-axioms-roles"
	extPermissions = "x-axioms-permissions"
	extOwner       = "x-axioms-owner"
	extPrefix      = "x-axioms-"
)

var knownExtensions = []string{extOwner, extPermissions, extRoles}

// where an extension appears, for the rules on where each is allowed.
type level int

const (
	levelRoot level = iota
	levelPathItem
	levelOperation
	levelOther // security schemes and anything else: no x-axioms-* key is defined there
)

// checkUnknown reports x-axioms-* keys that are not defined (typos such as
// x-axioms-role), and defined keys at a level where they are not allowed.
func checkUnknown(ext map[string]any, lvl level, at func(ptr ...string) *Problem) []*Problem {
	var out []*Problem
	keys := make([]string, 0, len(ext))
	for k := range ext {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !strings.HasPrefix(strings.ToLower(k), extPrefix) {
			continue
		}
		switch {
		case !slices.Contains(knownExtensions, k):
			p := at(k)
			p.Message = fmt.Sprintf("unknown extension %q%s", k, suggest(k))
			out = append(out, p)
		case lvl == levelOther:
			p := at(k)
			p.Message = fmt.Sprintf("%s is not allowed here: use it on the document root, a path item or an operation", k)
			out = append(out, p)
		case k == extOwner && lvl == levelRoot:
			p := at(k)
			p.Message = "x-axioms-owner is not allowed on the document root: declare it on a path item or an operation"
			out = append(out, p)
		}
	}
	return out
}

// suggest names the closest known extension, for typos.
func suggest(k string) string {
	best, bestDist := "", 4
	for _, known := range knownExtensions {
		if d := editDistance(strings.ToLower(k), known); d < bestDist {
			best, bestDist = known, d
		}
	}
	if best == "" {
		return fmt.Sprintf(" (known: %s)", strings.Join(knownExtensions, ", "))
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
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
// strings (any of), or an object with anyOf and/or allOf lists. An empty list, or an
// object whose lists are empty, is a valid value that requires nothing (it removes an
// inherited requirement).
func decodeCondition(v any) (Condition, string) {
	switch t := v.(type) {
	case map[string]any:
		var c Condition
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			list, problem := decodeList(t[k])
			if problem != "" {
				return Condition{}, k + ": " + problem
			}
			switch k {
			case "anyOf":
				c.AnyOf = list
			case "allOf":
				c.AllOf = list
			default:
				return Condition{}, fmt.Sprintf("unknown key %q (allowed: anyOf, allOf)", k)
			}
		}
		return c, ""
	case nil:
		return Condition{}, "null is not allowed (use [] to remove an inherited requirement)"
	default:
		list, problem := decodeList(v)
		if problem != "" {
			return Condition{}, problem
		}
		return Condition{AnyOf: list}, ""
	}
}

// decodeList decodes a list of non-empty, distinct strings.
func decodeList(v any) ([]string, string) {
	var items []any
	switch t := v.(type) {
	case []any:
		items = t
	case []string:
		for _, s := range t {
			items = append(items, s)
		}
	default:
		return nil, fmt.Sprintf("must be a list of strings or an object with anyOf/allOf, not %s", typeName(v))
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Sprintf("item %d must be a string, not %s", i, typeName(item))
		}
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Sprintf("item %d is empty", i)
		}
		if slices.Contains(out, s) {
			return nil, fmt.Sprintf("%q is listed twice", s)
		}
		out = append(out, s)
	}
	return out, ""
}

// decodeOwner decodes an x-axioms-owner value: {param, claim} or {field, claim, loader}.
// Defaults: claim "sub"; field "user"; loader "" (the operationId, resolved by the
// caller).
func decodeOwner(v any) (*Owner, string) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Sprintf("must be an object {param, claim} or {field, claim, loader}, not %s", typeName(v))
	}
	vals := map[string]string{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "param", "field", "claim", "loader":
		default:
			return nil, fmt.Sprintf("unknown key %q (allowed: param, field, claim, loader)", k)
		}
		s, ok := m[k].(string)
		if !ok {
			return nil, fmt.Sprintf("%s must be a string, not %s", k, typeName(m[k]))
		}
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Sprintf("%s is empty", k)
		}
		vals[k] = s
	}
	o := &Owner{Claim: "sub"}
	if c, ok := vals["claim"]; ok {
		if problem := checkClaimName(c); problem != "" {
			return nil, "claim: " + problem
		}
		o.Claim = c
	}
	if p, ok := vals["param"]; ok {
		if _, f := vals["field"]; f {
			return nil, "param and field exclude each other: use {param, claim} or {field, claim, loader}"
		}
		if _, l := vals["loader"]; l {
			return nil, "param and loader exclude each other: a param rule needs no loader"
		}
		o.Param = p
		return o, ""
	}
	o.Field = "user"
	if f, ok := vals["field"]; ok {
		o.Field = f
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
	case []any, []string:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

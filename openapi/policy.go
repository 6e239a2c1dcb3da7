package openapi

import (
	"slices"
	"strings"
)

// AuthMode says whether an operation needs credentials.
type AuthMode int

const (
	// AuthNone: a public operation (security: [] or no security anywhere).
	AuthNone AuthMode = iota
	// AuthOptional: an empty requirement {} is among the alternatives; a request without
	// credentials passes, one with credentials must present valid ones.
	AuthOptional
	// AuthRequired: credentials satisfying one alternative are required.
	AuthRequired
)

// String returns "none", "optional" or "required".
func (m AuthMode) String() string {
	switch m {
	case AuthOptional:
		return "optional"
	case AuthRequired:
		return "required"
	}
	return "none"
}

// SchemeType is a security scheme's type, as in the document.
type SchemeType string

// Security scheme types of OpenAPI 3.0/3.1.
const (
	SchemeOAuth2        SchemeType = "oauth2"
	SchemeOpenIDConnect SchemeType = "openIdConnect"
	SchemeHTTP          SchemeType = "http"
	SchemeAPIKey        SchemeType = "apiKey"
	SchemeMutualTLS     SchemeType = "mutualTLS"
)

// Scheme is a security scheme declared in components.securitySchemes.
type Scheme struct {
	// Name is the scheme's key in components.securitySchemes.
	Name string
	// Type is the scheme's type.
	Type SchemeType
	// HTTPScheme is the lower-cased scheme of an http scheme ("bearer", "basic").
	HTTPScheme string
	// BearerFormat is the bearerFormat of an http bearer scheme.
	BearerFormat string
	// In and ParamName locate an apiKey ("header"/"query"/"cookie", and the name).
	In, ParamName string
	// OpenIDConnectURL is the openIdConnectUrl of an openIdConnect scheme.
	OpenIDConnectURL string
	// Scopes are the scopes declared in the flows of an oauth2 scheme, sorted.
	Scopes []string
}

// Bearer reports whether the library enforces s with bearer tokens: oauth2,
// openIdConnect and http with scheme bearer.
func (s Scheme) Bearer() bool {
	return s.Type == SchemeOAuth2 || s.Type == SchemeOpenIDConnect || s.Type == SchemeHTTP && s.HTTPScheme == "bearer"
}

// SchemeRequirement is one scheme of a security alternative, with the scopes it must
// hold.
type SchemeRequirement struct {
	// Scheme is the scheme's name.
	Scheme string
	// Type is the scheme's type.
	Type SchemeType
	// Bearer is Scheme.Bearer() of the scheme.
	Bearer bool
	// Scopes must all be held (in document order; never nil).
	Scopes []string
}

// Alternative is one security requirement object: every scheme in it must pass, with
// all of its scopes. Schemes are sorted by name.
type Alternative []SchemeRequirement

// Condition is a role or permission requirement: at least one of AnyOf (if not empty)
// and all of AllOf.
type Condition struct {
	AnyOf []string
	AllOf []string
}

// Empty reports whether the condition requires nothing.
func (c Condition) Empty() bool { return len(c.AnyOf) == 0 && len(c.AllOf) == 0 }

// Satisfied checks the condition against has. When it fails, missing lists the AllOf
// items not held, and the whole AnyOf list if none of it is held.
func (c Condition) Satisfied(has func(string) bool) (missing []string, ok bool) {
	if len(c.AnyOf) > 0 && !slices.ContainsFunc(c.AnyOf, has) {
		missing = append(missing, c.AnyOf...)
	}
	for _, item := range c.AllOf {
		if !has(item) {
			missing = append(missing, item)
		}
	}
	return missing, len(missing) == 0
}

// holds is Satisfied without building the list, for the allowed path.
func (c Condition) holds(has func(Principal, string) bool, p Principal) bool {
	if len(c.AnyOf) > 0 {
		found := false
		for _, item := range c.AnyOf {
			if has(p, item) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	for _, item := range c.AllOf {
		if !has(p, item) {
			return false
		}
	}
	return true
}

// Owner is an x-axioms-owner rule. In the parameter form, Param and Claim are set: the
// path parameter must equal the claim. In the loader form, Field, Claim and Loader are
// set: the object loaded by the loader named Loader must have Field equal to the claim.
// Claim is a claim name or a JSON Pointer ("/org/id").
type Owner struct {
	Param  string
	Field  string
	Claim  string
	Loader string
}

// Policy is the compiled access policy of one operation. It is immutable: its fields
// must not be modified.
type Policy struct {
	// Method is the upper-case HTTP method.
	Method string
	// Path is the path template as written in the document.
	Path string
	// Route is the base path followed by Path: what an Echo route for the operation looks
	// like, with {name} parameters.
	Route string
	// OperationID is the operation's operationId ("" if none).
	OperationID string
	// Pointer is the JSON Pointer of the operation ("#/paths/~1articles~1{id}/get").
	Pointer string
	// Auth says whether credentials are required, optional or not needed.
	Auth AuthMode
	// Alternatives lists every non-empty security alternative, in document order. An
	// empty alternative ({}) is reflected in Auth.
	Alternatives []Alternative
	// Roles and Permissions are the effective x-axioms-roles and x-axioms-permissions.
	Roles, Permissions Condition
	// Owner is the effective x-axioms-owner rule, nil if none.
	Owner *Owner
}

// Policies is the immutable policy table of a document. It is safe for concurrent use.
type Policies struct {
	byKey    map[string]*Policy
	all      []*Policy // sorted by path, then method
	schemes  []Scheme  // sorted by name
	inUse    []string  // sorted
	warnings []*Problem
	basePath string
}

// All returns every policy, sorted by path then method, in a fresh slice.
func (p *Policies) All() []*Policy { return slices.Clone(p.all) }

// Warnings returns the lint findings of the document (never errors), in a fresh slice.
func (p *Policies) Warnings() []*Problem { return slices.Clone(p.warnings) }

// BasePath returns the base path applied to every template ("" for none).
func (p *Policies) BasePath() string { return p.basePath }

// Schemes returns the declared security schemes, sorted by name.
func (p *Policies) Schemes() []Scheme {
	out := slices.Clone(p.schemes)
	for i := range out {
		out[i].Scopes = slices.Clone(out[i].Scopes)
	}
	return out
}

// Scheme returns the declared scheme called name.
func (p *Policies) Scheme(name string) (Scheme, bool) {
	i, found := slices.BinarySearchFunc(p.schemes, name, func(s Scheme, n string) int { return strings.Compare(s.Name, n) })
	if !found {
		return Scheme{}, false
	}
	s := p.schemes[i]
	s.Scopes = slices.Clone(s.Scopes)
	return s, true
}

// SchemesInUse returns the names of the schemes some operation relies on, sorted.
func (p *Policies) SchemesInUse() []string { return slices.Clone(p.inUse) }

package openapi

import (
	"slices"
	"strings"
)

// AuthMode says whether an operation needs credentials. The zero value is none of the
// modes: it is invalid, and [Policy.Evaluate] denies a policy holding it
// ([FailInvalidPolicy]) rather than treat it as public. Every policy [Load] compiles
// has one of the three modes.
type AuthMode int

const (
	// AuthNone marks a public operation: its security is [] (or [{}] alone), or there is
	// no security anywhere in the document.
	AuthNone AuthMode = iota + 1
	// AuthOptional marks an operation with an empty requirement {} among its security
	// alternatives: a request without credentials passes; a request with credentials
	// must present valid ones.
	AuthOptional
	// AuthRequired marks an operation that needs credentials satisfying one of its
	// alternatives.
	AuthRequired
)

// String returns "none", "optional" or "required" (the values of the auth field in the
// JSON output of "axioms routes"), and "invalid" for any other value (the zero value
// included).
func (m AuthMode) String() string {
	switch m {
	case AuthNone:
		return "none"
	case AuthOptional:
		return "optional"
	case AuthRequired:
		return "required"
	}
	return "invalid"
}

// SchemeType is a security scheme's type, as the document writes it.
type SchemeType string

// The security scheme types of OpenAPI 3.x.
const (
	SchemeOAuth2        SchemeType = "oauth2"        // OAuth 2.0 access tokens
	SchemeOpenIDConnect SchemeType = "openIdConnect" // OpenID Connect: OAuth 2.0 access tokens of a discovered issuer
	SchemeHTTP          SchemeType = "http"          // HTTP authentication (scheme bearer, basic, ...)
	SchemeAPIKey        SchemeType = "apiKey"        // an API key in a header, query parameter or cookie
	SchemeMutualTLS     SchemeType = "mutualTLS"     // a TLS client certificate
)

// DPoPMode says whether a security scheme takes sender-constrained tokens (RFC 9449
// DPoP): its x-axioms-dpop extension. The zero value, [DPoPNone], is a scheme without the
// extension: bearer tokens only.
type DPoPMode uint8

const (
	// DPoPNone: no x-axioms-dpop; the scheme takes `Authorization: Bearer` tokens only,
	// and refuses those bound to a key (cnf.jkt), which must be presented with DPoP.
	DPoPNone DPoPMode = iota
	// DPoPAllowed: x-axioms-dpop: allowed; the scheme takes a DPoP-bound token with the
	// DPoP scheme and a proof, or a token that is not DPoP-bound with the Bearer scheme.
	DPoPAllowed
	// DPoPRequired: x-axioms-dpop: required; the scheme takes only a DPoP-bound token
	// with the DPoP scheme and a proof.
	DPoPRequired
)

// String returns "none", "allowed" or "required" (the values of the dpop field in the
// JSON output of "axioms routes"), and "invalid" for any other value.
func (m DPoPMode) String() string {
	switch m {
	case DPoPNone:
		return "none"
	case DPoPAllowed:
		return "allowed"
	case DPoPRequired:
		return "required"
	}
	return "invalid"
}

// Scheme is a security scheme declared in components.securitySchemes. Fields that do
// not apply to the scheme's type are empty.
type Scheme struct {
	// Name is the scheme's key in components.securitySchemes.
	Name string
	// Type is the scheme's type.
	Type SchemeType
	// HTTPScheme is the scheme of an http scheme, lower-cased ("bearer", "basic").
	HTTPScheme string
	// BearerFormat is the bearerFormat of an http scheme ("JWT"), "" if not given.
	BearerFormat string
	// In is where an apiKey is sent ("header", "query" or "cookie"), and ParamName the
	// name of that header, query parameter or cookie.
	In, ParamName string
	// OpenIDConnectURL is the openIdConnectUrl of an openIdConnect scheme.
	OpenIDConnectURL string
	// Scopes are the scopes declared in the flows of an oauth2 scheme (every flow,
	// OpenAPI 3.2's deviceAuthorization included), sorted and distinct; nil for other
	// types.
	Scopes []string
	// DPoP is the scheme's x-axioms-dpop: whether it requires or allows DPoP-bound
	// tokens (RFC 9449). Only bearer schemes ([Scheme.Bearer]) may declare it. Default
	// [DPoPNone].
	DPoP DPoPMode
}

// Bearer reports whether the library enforces the scheme with bearer tokens: oauth2,
// openIdConnect, and http with scheme bearer. Other schemes need an authenticator
// registered with the middleware.
func (s Scheme) Bearer() bool {
	return s.Type == SchemeOAuth2 || s.Type == SchemeOpenIDConnect || s.Type == SchemeHTTP && s.HTTPScheme == "bearer"
}

// SchemeRequirement is one scheme of a security alternative, with the scopes it must
// hold.
type SchemeRequirement struct {
	// Scheme is the scheme's name in components.securitySchemes.
	Scheme string
	// Type is the scheme's type.
	Type SchemeType
	// Bearer is the scheme's [Scheme.Bearer].
	Bearer bool
	// DPoP is the scheme's [Scheme.DPoP]: [DPoPNone] (the zero value) for a scheme
	// without x-axioms-dpop.
	DPoP DPoPMode
	// Scopes must all be held, in document order; empty (never nil) when none is listed.
	// For schemes other than oauth2 and openIdConnect, OpenAPI 3.1 calls them roles:
	// they are required the same way, through [Principal.HasScope].
	Scopes []string
}

// Alternative is one non-empty security requirement object: every scheme in it must
// pass, each with all of its scopes. Its schemes are sorted by name (a requirement
// object is a JSON object, whose keys have no order).
type Alternative []SchemeRequirement

// Condition is an x-axioms-roles or x-axioms-permissions requirement: at least one of
// AnyOf (unless AnyOf is empty) and all of AllOf. The zero value requires nothing.
type Condition struct {
	// AnyOf is satisfied by holding any one of its items; an empty AnyOf is satisfied.
	AnyOf []string
	// AllOf is satisfied by holding every one of its items.
	AllOf []string
}

// Empty reports whether the condition requires nothing.
func (c Condition) Empty() bool { return len(c.AnyOf) == 0 && len(c.AllOf) == 0 }

// Satisfied checks the condition against has, which reports whether an item is held.
// When the condition fails, missing lists the AllOf items not held, preceded by the
// whole AnyOf list when none of it is held; it is nil when ok.
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

// Owner is a compiled x-axioms-owner rule. In the parameter form, Param and Claim are set:
// the path parameter Param must equal the claim. In the loader form, Field, Claim and
// Loader are set: the object the loader named Loader fetches must have Field equal to
// the claim. Claim is a top-level claim name ("sub", "cognito:username") or a JSON
// Pointer into the claims ("/org/id"). Defaults are resolved: Claim "sub", Field
// "user", Loader the operationId. Ownership is checked by the middleware, which has
// the request and the loaders.
type Owner struct {
	// Param is the path parameter holding the owner's identifier (parameter form); ""
	// in the loader form.
	Param string
	// Field is the field of the loaded object holding its owner's identifier (loader
	// form, default "user"); "" in the parameter form.
	Field string
	// Claim names the claim that must equal it: a top-level claim name or a JSON
	// Pointer; default "sub".
	Claim string
	// Loader names the loader that fetches the object (loader form; default the
	// operationId); "" in the parameter form.
	Loader string
}

// Policy is the compiled access policy of one operation. A Policy is immutable and safe
// for concurrent use: its fields (slices included) are read-only after loading and must
// not be modified. The *Policy values [Policies.Lookup] and [Policies.All] return are
// shared by every caller (Lookup must not allocate): modifying one would change the
// policy of every later request. The zero Policy has no valid [AuthMode]: it denies
// every request.
type Policy struct {
	// Method is the HTTP method: upper case for the fixed operations of a path item
	// ("GET"), as written for OpenAPI 3.2's additionalOperations.
	Method string
	// Path is the path template as written in the document ("/articles/{article_id}").
	Path string
	// Route is the operation's base path followed by Path ("/v1/articles/{article_id}"):
	// what the Echo route serving the operation looks like, with {name} parameters.
	Route string
	// OperationID is the operation's operationId; "" if it has none.
	OperationID string
	// Pointer is the JSON Pointer (RFC 6901) of the operation, prefixed by '#' and not
	// percent-encoded ("#/paths/~1articles~1{id}/get"), as in [Problem.Pointer].
	Pointer string
	// Auth says whether credentials are required, optional or not needed.
	Auth AuthMode
	// Alternatives lists every non-empty security alternative, in document order; an
	// empty alternative ({}) is reflected in Auth. Empty for public operations.
	Alternatives []Alternative
	// Roles and Permissions are the effective x-axioms-roles and x-axioms-permissions
	// (the nearest declaration: operation, path item, document root). Always empty
	// unless Auth is AuthRequired.
	Roles, Permissions Condition
	// ACR is the effective x-axioms-acr (RFC 9470 step-up: the token's acr claim must be
	// one of them), in document order; nil when none is required, and always nil unless
	// Auth is AuthRequired. Inherited like Roles.
	ACR []string
	// MaxAge is the effective x-axioms-max-age in seconds (RFC 9470: the token's
	// auth_time must be at most this old); 0 when none is required, and always 0 unless
	// Auth is AuthRequired. Inherited like Roles.
	MaxAge int
	// Owner is the effective x-axioms-owner rule (operation, else path item); nil when
	// there is none, and always nil unless Auth is AuthRequired.
	Owner *Owner
}

// Policies is the immutable policy table of a document. It is safe for concurrent use.
// The zero value and a nil *Policies are empty tables.
type Policies struct {
	byKey    map[string]*Policy
	all      []*Policy // sorted by path, then method
	schemes  []Scheme  // sorted by name
	inUse    []string  // sorted
	warnings []*Problem
	basePath string
}

// All returns every policy, sorted by path then method, in a fresh slice (the policies
// themselves are shared and must not be modified).
func (p *Policies) All() []*Policy {
	if p == nil {
		return nil
	}
	return slices.Clone(p.all)
}

// Warnings returns the lint warnings of the document, in a fresh slice; nil when there
// are none. They never stop loading.
func (p *Policies) Warnings() []*Problem {
	if p == nil {
		return nil
	}
	return slices.Clone(p.warnings)
}

// BasePath returns the base path of the document ("" for none): LoadOptions.BasePath,
// else the path of the first server URL. Operations with servers of their own may have
// another one; [Policy.Route] holds each operation's.
func (p *Policies) BasePath() string {
	if p == nil {
		return ""
	}
	return p.basePath
}

// Schemes returns the declared security schemes the library can describe, sorted by
// name, in a fresh slice. A scheme that cannot be enforced (defined by a $ref that is
// not followed, of an unknown type, or an http scheme without scheme) is left out; if
// an operation relied on it, loading failed.
func (p *Policies) Schemes() []Scheme {
	if p == nil {
		return nil
	}
	out := slices.Clone(p.schemes)
	for i := range out {
		out[i].Scopes = slices.Clone(out[i].Scopes)
	}
	return out
}

// Scheme returns the declared scheme called name, and whether there is one.
func (p *Policies) Scheme(name string) (Scheme, bool) {
	if p == nil {
		return Scheme{}, false
	}
	i, found := slices.BinarySearchFunc(p.schemes, name, func(s Scheme, n string) int { return strings.Compare(s.Name, n) })
	if !found {
		return Scheme{}, false
	}
	s := p.schemes[i]
	s.Scopes = slices.Clone(s.Scopes)
	return s, true
}

// SchemesInUse returns the names of the schemes that some operation's alternatives rely
// on, sorted, in a fresh slice. The middleware needs an authenticator for each of them
// that is not a bearer scheme.
func (p *Policies) SchemesInUse() []string {
	if p == nil {
		return nil
	}
	return slices.Clone(p.inUse)
}

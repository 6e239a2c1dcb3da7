package openapi

// Principal is who a request is authenticated as: what a policy is evaluated against.
// The validator package's claims implement it; so may the principal an authenticator
// returns for another kind of scheme. Evaluation only calls its methods; an
// implementation used by concurrent requests must be safe for concurrent use.
type Principal interface {
	// HasScope reports whether the principal holds scope (exact, case-sensitive match).
	HasScope(scope string) bool
	// HasRole reports whether the principal holds role (exact match).
	HasRole(role string) bool
	// HasPermission reports whether the principal holds permission (exact match).
	HasPermission(permission string) bool
	// Claim returns a claim by top-level name ("sub", "cognito:groups") or by JSON
	// Pointer into nested objects ("/org/id"), and whether it is present.
	Claim(name string) (any, bool)
}

// Failure says which check of a policy failed. The zero value is none of the failures
// (the zero [Decision] allows nothing); an allowed decision says [FailNone].
type Failure int

const (
	// FailNone: the request is allowed.
	FailNone Failure = iota + 1
	// FailUnauthenticated: no alternative had credentials for all of its schemes
	// (the middleware answers 401).
	FailUnauthenticated
	// FailScope: some alternative had credentials, but none whose scopes are all held
	// (403 insufficient_scope).
	FailScope
	// FailRole: an alternative was satisfied, but not the x-axioms-roles requirement.
	FailRole
	// FailPermission: an alternative and the roles were satisfied, but not the
	// x-axioms-permissions requirement.
	FailPermission
	// FailInvalidPolicy: the policy's Auth is not one of the three modes (the zero
	// Policy, or one built by hand): nothing is allowed rather than everything. Policies
	// that Load compiles never fail this way.
	FailInvalidPolicy
)

// String returns "none", "unauthenticated", "scope", "role", "permission" or
// "invalid policy", and "invalid" for any other value (the zero value included).
func (f Failure) String() string {
	switch f {
	case FailNone:
		return "none"
	case FailInvalidPolicy:
		return "invalid policy"
	case FailUnauthenticated:
		return "unauthenticated"
	case FailScope:
		return "scope"
	case FailRole:
		return "role"
	case FailPermission:
		return "permission"
	}
	return "invalid"
}

// Decision is the outcome of evaluating a policy. Ownership is not part of it: it needs
// the request (a path parameter, or a loaded object), so the middleware checks it once
// the decision allows the request.
type Decision struct {
	// Allowed is true when the request may proceed (ownership aside).
	Allowed bool
	// Failure says what failed; FailNone when allowed.
	Failure Failure
	// Alternative is the index in Policy.Alternatives of the satisfied alternative
	// (also when roles or permissions then fail); for FailScope, of the
	// alternative missing the fewest scopes (ties: document order); otherwise -1. An
	// optional operation allowed through its {} alternative has -1.
	Alternative int
	// Principal is the principal of that alternative: the principal of its first bearer
	// scheme (schemes in name order), else of its first scheme. For an optional
	// operation allowed through {}, the principal of the available alternative missing
	// the fewest scopes, if any. Nil when no alternative had credentials, and for
	// public operations.
	Principal Principal
	// Scopes are all the scopes of that alternative, FailScope only: what the
	// WWW-Authenticate scope attribute names (RFC 6750 §3). Nil otherwise.
	Scopes []string
	// Missing lists what is missing: for FailScope, the scopes of that alternative that
	// are not held; for FailRole and FailPermission, the allOf items not held, preceded
	// by the whole anyOf list when none of it is held. Nil when allowed.
	Missing []string
}

// Evaluate evaluates the policy, which must not be nil. principalFor returns the
// authenticated principal of a scheme, or nil when the request has no valid credentials
// for it (absent or invalid: telling them apart is the caller's job, since an invalid
// token must be rejected even where authentication is optional).
//
// Public operations are allowed at once; a policy whose Auth is none of the three modes
// (the zero Policy) is denied at once with [FailInvalidPolicy]. Otherwise an alternative is available when all
// of its schemes have principals, and satisfied when each of them holds all of that
// scheme's scopes. The first satisfied alternative (document order) wins; then the roles
// and then the permissions are checked against the decision's principal. An optional
// operation is allowed even when no alternative is satisfied (its {} alternative is).
// Evaluate calls principalFor at most once per scheme of each alternative on the allowed
// path, and does not allocate when the request is allowed.
func (p *Policy) Evaluate(principalFor func(scheme string) Principal) Decision {
	return p.evaluate(nil, principalFor)
}

// EvaluatePrincipal is [Policy.Evaluate] with pr as the principal of every scheme: the
// common case of one bearer token validated once. A nil pr has no credentials.
func (p *Policy) EvaluatePrincipal(pr Principal) Decision {
	return p.evaluate(pr, nil)
}

func (p *Policy) evaluate(single Principal, principalFor func(string) Principal) Decision {
	switch p.Auth {
	case AuthNone:
		return Decision{Allowed: true, Failure: FailNone, Alternative: -1}
	case AuthOptional, AuthRequired:
	default:
		return Decision{Failure: FailInvalidPolicy, Alternative: -1}
	}
	get := func(scheme string) Principal {
		if principalFor == nil {
			return single
		}
		return principalFor(scheme)
	}
	best, bestMissing := -1, 0
	var bestPrincipal Principal
	for i, alt := range p.Alternatives {
		available, missing := true, 0
		var chosen Principal
		chosenBearer := false
		for _, req := range alt {
			pr := get(req.Scheme)
			if pr == nil {
				available = false
				break
			}
			if chosen == nil || req.Bearer && !chosenBearer {
				chosen, chosenBearer = pr, req.Bearer
			}
			for _, s := range req.Scopes {
				if !pr.HasScope(s) {
					missing++
				}
			}
		}
		if !available {
			continue
		}
		if missing == 0 {
			return p.authorize(i, chosen)
		}
		if best < 0 || missing < bestMissing {
			best, bestMissing, bestPrincipal = i, missing, chosen
		}
	}
	if p.Auth == AuthOptional {
		// The {} alternative: allowed, identified when some credentials were valid.
		return Decision{Allowed: true, Failure: FailNone, Alternative: -1, Principal: bestPrincipal}
	}
	if best < 0 {
		return Decision{Failure: FailUnauthenticated, Alternative: -1}
	}
	d := Decision{Failure: FailScope, Alternative: best, Principal: bestPrincipal}
	for _, req := range p.Alternatives[best] {
		pr := get(req.Scheme)
		for _, s := range req.Scopes {
			d.Scopes = append(d.Scopes, s)
			if !pr.HasScope(s) {
				d.Missing = append(d.Missing, s)
			}
		}
	}
	return d
}

// authorize checks roles and permissions for the satisfied alternative i.
func (p *Policy) authorize(i int, pr Principal) Decision {
	if !p.Roles.holds(Principal.HasRole, pr) {
		missing, _ := p.Roles.Satisfied(pr.HasRole)
		return Decision{Failure: FailRole, Alternative: i, Principal: pr, Missing: missing}
	}
	if !p.Permissions.holds(Principal.HasPermission, pr) {
		missing, _ := p.Permissions.Satisfied(pr.HasPermission)
		return Decision{Failure: FailPermission, Alternative: i, Principal: pr, Missing: missing}
	}
	return Decision{Allowed: true, Failure: FailNone, Alternative: i, Principal: pr}
}

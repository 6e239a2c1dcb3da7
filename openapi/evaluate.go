package openapi

// Principal is who a request is authenticated as: what a policy is evaluated against.
// The validator package's *Claims implements it; so may the principal of an
// authenticator for other schemes. Implementations must be safe for concurrent use.
type Principal interface {
	// HasScope, HasRole and HasPermission report exact membership.
	HasScope(scope string) bool
	HasRole(role string) bool
	HasPermission(permission string) bool
	// Claim returns a claim by name or JSON Pointer ("/org/id").
	Claim(name string) (any, bool)
}

// Failure says which check of a policy failed.
type Failure int

const (
	// FailNone: the request is allowed.
	FailNone Failure = iota
	// FailUnauthenticated: no alternative had credentials for all of its schemes.
	FailUnauthenticated
	// FailScope: credentials were present but no alternative's scopes are all held.
	FailScope
	// FailRole: the x-axioms-roles requirement failed.
	FailRole
	// FailPermission: the x-axioms-permissions requirement failed.
	FailPermission
)

// String returns "none", "unauthenticated", "scope", "role" or "permission".
func (f Failure) String() string {
	switch f {
	case FailUnauthenticated:
		return "unauthenticated"
	case FailScope:
		return "scope"
	case FailRole:
		return "role"
	case FailPermission:
		return "permission"
	}
	return "none"
}

// Decision is the outcome of evaluating a policy. Ownership is not part of it: it needs
// the request (a path parameter, or a loaded object) and is checked by the middleware.
type Decision struct {
	// Allowed is true when the request may proceed (before ownership).
	Allowed bool
	// Failure says what failed when not allowed.
	Failure Failure
	// Alternative is the index of the satisfied alternative; for FailScope, of the
	// alternative missing the fewest scopes (ties: document order); otherwise -1. An
	// optional operation allowed through its {} alternative has -1.
	Alternative int
	// Principal is the principal of that alternative: its first bearer scheme's, else its
	// first scheme's. Nil when no alternative had credentials.
	Principal Principal
	// Scopes are all the scopes of that alternative (FailScope only): what the
	// WWW-Authenticate scope attribute names.
	Scopes []string
	// Missing lists what is missing: the scopes of that alternative not held (FailScope),
	// or the roles or permissions not held (the whole anyOf list when none of it is held).
	Missing []string
}

// Evaluate evaluates the policy. principalFor returns the authenticated principal of a
// scheme, or nil when the request has no valid credentials for it. An alternative is
// available when all of its schemes have principals, and satisfied when every scheme
// holds all of its scopes; the first satisfied alternative wins, then roles, then
// permissions are checked against its principal. An optional operation (AuthOptional)
// is allowed even when no alternative is satisfied. Evaluate does not allocate when the
// request is allowed. Public operations are always allowed.
func (p *Policy) Evaluate(principalFor func(scheme string) Principal) Decision {
	return p.evaluate(nil, principalFor)
}

// EvaluatePrincipal is Evaluate with the same principal for every scheme: the common
// case of one token validated once.
func (p *Policy) EvaluatePrincipal(pr Principal) Decision {
	return p.evaluate(pr, nil)
}

func (p *Policy) evaluate(single Principal, principalFor func(string) Principal) Decision {
	if p.Auth == AuthNone {
		return Decision{Allowed: true, Alternative: -1}
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
		return Decision{Allowed: true, Alternative: -1, Principal: bestPrincipal}
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
	return Decision{Allowed: true, Alternative: i, Principal: pr}
}

package enforce

import (
	"context"
	"slices"

	"github.com/axioms-go/axioms-echo/openapi"
)

// Requirement is a code-level check, for routes without a document or finer checks
// inside one: what an adapter's RequireAuth, RequireScopes, RequireRoles,
// RequirePermissions and RequireOwner helpers decide. It reads the caller from the
// request's context: the principal an [Enforcer] put there, or else the state an
// [AccessToken] recorded. Its decisions are recorded on that AccessToken's AuditHook and
// Logger (with [AuditRecord.Check] naming the helper). A Requirement is immutable and
// safe for concurrent use (when its loader is).
type Requirement struct {
	check string
	items []string
	has   func(openapi.Principal, string) bool
	deny  func(realm string) *Error
	owner *ownerCheck
}

type ownerCheck struct {
	loader       OwnerLoader
	field, claim string
	status       ErrorStatus
}

// RequireAuth requires an authenticated request. Otherwise it answers the recorded
// token state's denial: 401, 400 for a malformed header, 503 when keys are unavailable;
// 401 when nothing recorded a state or authenticated the request.
func RequireAuth() *Requirement {
	return &Requirement{check: "RequireAuth"}
}

// RequireScopes requires an authenticated request holding at least one of scopes
// (chain several for AND). Otherwise it answers 403 insufficient_scope with the listed
// scopes in the challenge. With no scopes it denies every request. scopes is copied.
func RequireScopes(scopes ...string) *Requirement {
	scopes = slices.Clone(scopes)
	return &Requirement{check: "RequireScopes", items: scopes, has: openapi.Principal.HasScope,
		deny: func(realm string) *Error { return insufficientScopeError(realm, slices.Clone(scopes)) }}
}

// RequireRoles requires an authenticated request holding at least one of roles (chain
// for AND). Otherwise it answers 403 insufficient_permission. With no roles it denies
// every request. roles is copied.
func RequireRoles(roles ...string) *Requirement {
	return &Requirement{check: "RequireRoles", items: slices.Clone(roles), has: openapi.Principal.HasRole, deny: roleError}
}

// RequirePermissions requires an authenticated request holding at least one of
// permissions (chain for AND). Otherwise it answers 403 insufficient_permission. With no
// permissions it denies every request. permissions is copied.
func RequirePermissions(permissions ...string) *Requirement {
	return &Requirement{check: "RequirePermissions", items: slices.Clone(permissions), has: openapi.Principal.HasPermission, deny: permissionError}
}

// RequireOwner requires an authenticated request whose claim (a name or JSON Pointer;
// "sub" if empty) equals the field (see [OwnerValuer] for how it is read; "user" if
// empty) of the object loader returns, which must not be nil. The loader runs only after
// authentication succeeded; an error carrying its own status (status classifies it: see
// [ErrorStatus]; nil for none) is answered with it. A mismatch is 403
// insufficient_permission; a loader's other errors and an object without the field are
// a 500, logged at Error. A loader's own answer is recorded with reason owner_loader, a
// 500 with server_error. The object is handed to the handler in the returned context
// ([ObjectFromContext]).
func RequireOwner(loader OwnerLoader, field, claim string, status ErrorStatus) *Requirement {
	if field == "" {
		field = "user"
	}
	if claim == "" {
		claim = "sub"
	}
	if status == nil {
		status = noStatus
	}
	return &Requirement{check: "RequireOwner", owner: &ownerCheck{loader: loader, field: field, claim: claim, status: status}}
}

// Check decides r (Policy is not read) on ctx, the request's context, and records the
// decision. Its denials of a request the [Enforcer] authenticated with the DPoP scheme
// challenge DPoP. The Result's Context holds the loaded object after [RequireOwner].
func (q *Requirement) Check(ctx context.Context, r *Request) Result {
	var rec recorder
	realm := DefaultRealm
	st := stateOf(ctx)
	if st != nil {
		rec = st.rec
		if st.realm != "" {
			realm = st.realm
		}
	}
	p := PrincipalFromContext(ctx)
	if p == nil {
		denial := missingTokenError(DefaultRealm)
		if st != nil && st.Err != nil {
			e := *st.Err // a fresh copy per response
			denial = &e
		}
		return denied(ctx, &rec, r, nil, nil, denial, q.check)
	}
	switch {
	case q.owner != nil:
		return q.owner.check(ctx, &rec, realm, r, p)
	case q.has != nil:
		if !slices.ContainsFunc(q.items, func(item string) bool { return q.has(p, item) }) {
			return denied(ctx, &rec, r, nil, p, challengeDPoP(ctx, q.deny(realm)), q.check)
		}
	}
	rec.allowed(ctx, r, nil, p, q.check)
	return Result{Context: ctx}
}

func (o *ownerCheck) check(ctx context.Context, rec *recorder, realm string, r *Request, p openapi.Principal) Result {
	const check = "RequireOwner"
	want, ok := p.Claim(o.claim)
	if !ok {
		return denied(ctx, rec, r, nil, p, challengeDPoP(ctx, noOwnerClaimError(realm)), check)
	}
	obj, owns, f := loadOwned(ctx, r.Native, o.loader, o.field, claimOwnerKey(p, o.claim, want), o.status)
	switch {
	case f.err != nil:
		return rec.failed(ctx, r, nil, p, f, check)
	case !owns:
		return denied(ctx, rec, r, nil, p, challengeDPoP(ctx, notOwnerError(realm)), check)
	}
	rec.allowed(ctx, r, nil, p, check)
	return Result{Context: withObject(ctx, obj)}
}

package enforce

import (
	"context"
	"net/http"
	"slices"

	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// authenticate establishes who calls and evaluates the security alternatives, roles and
// permissions. It returns a nil principal without denial for an anonymous call to an
// operation whose authentication is optional; with a denial, the principal the decision
// concerned, if any (for the audit record).
//
// dpop reports whether the request presented its token with the DPoP scheme: the
// denials that follow authentication (step-up, ownership) then challenge DPoP too.
func (e *Enforcer) authenticate(ctx context.Context, r *Request, p *openapi.Policy) (_ openapi.Principal, dpop bool, _ *Error) {
	only, allowed := bearerOnly(p)
	if !e.simple || !only {
		schemes, takesDPoP := policySchemes(p)
		return e.authenticateGeneral(ctx, r, p, readBearer(r.Header, false, takesDPoP), schemes)
	}
	// The allocation-free path: bearer schemes sharing one validator, none requiring
	// DPoP. With a scheme that allows DPoP, a request presenting the DPoP scheme takes
	// the general path; Bearer requests stay here, and the answers that concern no
	// presented token (missing, malformed) challenge both schemes.
	b := readBearer(r.Header, e.builtin, allowed)
	if b.dpop {
		schemes, _ := policySchemes(p)
		return e.authenticateGeneral(ctx, r, p, b, schemes)
	}
	var schemes AuthScheme
	if allowed {
		schemes = AuthBearer | AuthDPoP
	}
	if b.state == tokenMalformed {
		return nil, false, e.challenge(invalidRequestError(e.realm, b.problem), schemes)
	}
	if b.state == tokenMissing {
		if p.Auth == openapi.AuthOptional {
			return nil, false, nil
		}
		return nil, false, e.challenge(missingTokenError(e.realm), schemes)
	}
	claims, err := e.validator.Validate(ctx, b.token)
	if err != nil {
		return nil, false, b.refuse(e.realm, err)
	}
	if otherBinding(claims) {
		return claims, false, unsupportedBindingError(e.realm)
	}
	if claims.DPoPThumbprint() != "" {
		return claims, false, boundTokenError(e.realm)
	}
	principal, d := e.decide(p, p.EvaluatePrincipal(claims), 0)
	return principal, false, d
}

// authenticateGeneral authenticates on the general path the credentials b of a request
// to an operation whose challenges are schemes (policySchemes).
func (e *Enforcer) authenticateGeneral(ctx context.Context, r *Request, p *openapi.Policy, b bearer, schemes AuthScheme) (openapi.Principal, bool, *Error) {
	if b.state == tokenMalformed {
		// A malformed DPoP header is answered in its scheme; a malformed Bearer header,
		// or several headers, with the operation's challenges.
		if b.dpop {
			schemes = AuthDPoP
		}
		return nil, b.dpop, e.challenge(invalidRequestError(e.realm, b.problem), schemes)
	}
	principal, d := e.authenticateSchemes(ctx, r, p, b, schemes)
	return principal, b.dpop, d
}

// authenticateSchemes is the general path: each scheme of the policy through its own
// validator or authenticator. schemes are the policy's challenges (policySchemes).
//
// A presented credential is never ignored: when the bearer token is rejected by every
// validator it was checked with, or an authenticator rejects its scheme's credentials,
// the request is denied (401, or 503 when signing keys are unavailable, or the
// authenticator's status), even when another alternative is satisfied by other valid
// credentials or the operation's authentication is optional. A token that one
// validator accepts is valid, even if the validators of other schemes (other
// issuers) reject it.
//
// DPoP: a token presented with the DPoP scheme is credentials for the schemes with
// x-axioms-dpop only (for the others, as any other scheme, none), and is accepted for
// them once its proof passed (checked once per request). A token presented with the
// Bearer scheme is refused when it is DPoP-bound (every scheme), and by a scheme that
// requires DPoP. A token bound by another confirmation method (otherBinding) is
// refused however it is presented.
func (e *Enforcer) authenticateSchemes(ctx context.Context, r *Request, p *openapi.Policy, b bearer, schemes AuthScheme) (openapi.Principal, *Error) {
	type validation struct {
		v      TokenValidator
		claims *validator.Claims
		err    error
	}
	var (
		validations []validation
		principals  = map[string]openapi.Principal{}
		tokenErr    *Error // the bearer token's most relevant failure
		tokenValid  bool   // some validator accepted the bearer token
		credErr     *Error // an authenticator's failure
		anyPresent  bool
		proof       dpopState
	)
	keep := func(dst **Error, err *Error) {
		// 503 outranks 401 invalid_token, which outranks an authenticator's failure.
		if *dst == nil || rank(err) > rank(*dst) {
			*dst = err
		}
	}
	for _, alt := range p.Alternatives {
		for _, req := range alt {
			if _, done := principals[req.Scheme]; done {
				continue
			}
			principals[req.Scheme] = nil
			if req.Bearer {
				if b.state != tokenPresent || b.dpop && req.DPoP == openapi.DPoPNone {
					continue
				}
				anyPresent = true
				v := e.schemeValidators[req.Scheme]
				i := slices.IndexFunc(validations, func(x validation) bool { return x.v == v })
				if i < 0 {
					claims, err := v.Validate(ctx, b.token)
					validations = append(validations, validation{v: v, claims: claims, err: err})
					i = len(validations) - 1
				}
				if validations[i].err != nil {
					d := b.refuse(e.realm, validations[i].err)
					if b.dpop {
						d = e.challenge(d, AuthDPoP)
					}
					keep(&tokenErr, d)
					continue
				}
				claims := validations[i].claims
				if otherBinding(claims) {
					d := unsupportedBindingError(e.realm)
					if b.dpop {
						d = e.challenge(d, AuthDPoP)
					}
					keep(&tokenErr, d)
					continue
				}
				jkt := claims.DPoPThumbprint()
				switch {
				case b.dpop:
					if d := e.checkProof(&proof, r, b.token, jkt); d != nil {
						keep(&tokenErr, d)
						continue
					}
				case jkt != "":
					keep(&tokenErr, boundTokenError(e.realm))
					continue
				case req.DPoP == openapi.DPoPRequired:
					keep(&tokenErr, e.dpopRequiredError())
					continue
				}
				tokenValid = true
				principals[req.Scheme] = claims
				continue
			}
			pr, err := e.authenticators[req.Scheme](ctx, r.Native, e.schemes[req.Scheme])
			switch {
			case err != nil:
				anyPresent = true
				keep(&credErr, credentialsError(e.realm, req.Scheme, err, e.status))
			case pr != nil:
				anyPresent = true
				principals[req.Scheme] = pr
			}
		}
	}
	switch {
	case tokenErr != nil && !tokenValid:
		if credErr != nil && rank(credErr) > rank(tokenErr) {
			return nil, credErr
		}
		return nil, tokenErr
	case credErr != nil:
		return nil, credErr
	}
	if !anyPresent && p.Auth == openapi.AuthOptional {
		return nil, nil
	}
	// Denials after authentication challenge the scheme the token came with; without a
	// token, every scheme of the operation.
	switch {
	case tokenValid && b.dpop:
		schemes = AuthDPoP
	case tokenValid:
		schemes = AuthBearer
	}
	return e.decide(p, p.Evaluate(func(scheme string) openapi.Principal { return principals[scheme] }), schemes)
}

// decide maps an evaluation to the principal or a denial, which challenges schemes
// (0: Bearer).
func (e *Enforcer) decide(p *openapi.Policy, d openapi.Decision, schemes AuthScheme) (openapi.Principal, *Error) {
	if d.Allowed {
		return d.Principal, nil
	}
	if schemes&AuthDPoP != 0 {
		principal, denial := e.decide(p, d, 0)
		return principal, e.challenge(denial, schemes)
	}
	switch d.Failure {
	case openapi.FailScope:
		if p.Auth == openapi.AuthOptional {
			// The {} alternative is satisfied whatever the token holds: the caller is
			// identified, and the handler sees the claims.
			return d.Principal, nil
		}
		return d.Principal, insufficientScopeError(e.realm, d.Scopes)
	case openapi.FailRole:
		return d.Principal, roleError(e.realm)
	case openapi.FailPermission:
		return d.Principal, permissionError(e.realm)
	}
	return nil, missingTokenError(e.realm)
}

// bearerOnly reports whether every scheme of p is a bearer scheme that does not require
// DPoP (only: the allocation-free path), and whether one of them allows it.
func bearerOnly(p *openapi.Policy) (only, allowed bool) {
	for _, alt := range p.Alternatives {
		for _, req := range alt {
			switch {
			case !req.Bearer || req.DPoP == openapi.DPoPRequired:
				return false, false
			case req.DPoP == openapi.DPoPAllowed:
				allowed = true
			}
		}
	}
	return true, allowed
}

func rank(e *Error) int {
	switch {
	case e.Status == http.StatusServiceUnavailable:
		return 4
	case e.Code == CodeInvalidToken || e.Code == CodeInvalidDPoPProof || e.Code == CodeUseDPoPNonce:
		return 3
	case e.Reason == ReasonInvalidCredentials:
		return 2
	}
	return 1
}

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
func (e *Enforcer) authenticate(ctx context.Context, r *Request, p *openapi.Policy) (openapi.Principal, *Error) {
	fast := e.simple && bearerOnly(p)
	b := readBearer(r.Header, fast && e.builtin)
	if b.state == tokenMalformed {
		return nil, invalidRequestError(e.realm, b.problem)
	}
	if !fast {
		return e.authenticateSchemes(ctx, r, p, b)
	}
	if b.state == tokenMissing {
		if p.Auth == openapi.AuthOptional {
			return nil, nil
		}
		return nil, missingTokenError(e.realm)
	}
	claims, err := e.validator.Validate(ctx, b.token)
	if err != nil {
		return nil, b.refuse(e.realm, err)
	}
	return e.decide(p, p.EvaluatePrincipal(claims))
}

// authenticateSchemes is the general path: each scheme of the policy through its own
// validator or authenticator.
//
// A presented credential is never ignored: when the bearer token is rejected by every
// validator it was checked with, or an authenticator rejects its scheme's credentials,
// the request is denied (401, or 503 when signing keys are unavailable, or the
// authenticator's status), even when another alternative is satisfied by other valid
// credentials or the operation's authentication is optional. A token that one
// validator accepts is valid, even if the validators of other schemes (other
// issuers) reject it.
func (e *Enforcer) authenticateSchemes(ctx context.Context, r *Request, p *openapi.Policy, b bearer) (openapi.Principal, *Error) {
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
				if b.state != tokenPresent {
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
					keep(&tokenErr, b.refuse(e.realm, validations[i].err))
					continue
				}
				tokenValid = true
				principals[req.Scheme] = validations[i].claims
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
	return e.decide(p, p.Evaluate(func(scheme string) openapi.Principal { return principals[scheme] }))
}

// decide maps an evaluation to the principal or a denial.
func (e *Enforcer) decide(p *openapi.Policy, d openapi.Decision) (openapi.Principal, *Error) {
	if d.Allowed {
		return d.Principal, nil
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

func bearerOnly(p *openapi.Policy) bool {
	for _, alt := range p.Alternatives {
		for _, req := range alt {
			if !req.Bearer {
				return false
			}
		}
	}
	return true
}

func rank(e *Error) int {
	switch {
	case e.Status == http.StatusServiceUnavailable:
		return 4
	case e.Code == CodeInvalidToken:
		return 3
	case e.Reason == ReasonInvalidCredentials:
		return 2
	}
	return 1
}

package echoaxioms

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// engine is a built, immutable middleware configuration.
type engine struct {
	skipper           middleware.Skipper
	policies          *openapi.Policies
	validator         TokenValidator
	schemeValidators  map[string]TokenValidator // every bearer scheme in use → its validator
	simple            bool                      // all bearer schemes share Validator
	authenticators    map[string]Authenticator
	loaders           map[string]OwnerLoader
	schemes           map[string]openapi.Scheme
	ownerParam        map[*openapi.Policy]ownerParam
	realm             string
	allowUndocumented bool
	errorHandler      func(echo.Context, *Error) error
	successHandler    func(echo.Context)
	obs               *observer // nil when nothing observes decisions
	logger            *slog.Logger
	hosts             map[string]*engine // host router name → the engine of its document
	unbound           *engine            // for host routers without a document: no policies
	methods           []string           // the methods the document describes
	probes            *probes
	bindings          *bindings
	// builtin is set when every bearer scheme uses a *validator.Validator, which accepts
	// only compact JWS in canonical base64url: a subset of token68. The token68 scan of
	// the header then runs only when validation fails, to tell 400 from 401.
	builtin bool
}

// serve is the per-request flow: find the router Echo used and the document bound to it,
// then enforce.
func (m *engine) serve(c echo.Context, next echo.HandlerFunc) error {
	router, host, isHost := routerOf(c.Echo(), c.Request())
	t := m
	if isHost {
		if t = m.hosts[host]; t == nil {
			t = m.unbound // a host router without a document: every route is undocumented
		}
	}
	return t.enforce(c, next, router)
}

// enforce finds the route Echo matched and the operation of its handler, then
// authenticates and authorizes as the operation says.
func (m *engine) enforce(c echo.Context, next echo.HandlerFunc, router *echo.Router) error {
	if m.skipper(c) {
		if m.observed(c, OutcomePassed) {
			m.record(c, nil, nil, OutcomePassed, http.StatusOK, ReasonSkipped)
		}
		return next(c)
	}
	route := c.Path()
	if route == "" {
		// Echo matched no route at all (404), or the middleware was installed with e.Pre,
		// before routing: the two look the same, and in the second case next would run
		// an unchecked handler. Echo's own not-found answer is given instead.
		return echo.NotFoundHandler(c)
	}
	method, b := m.bind(c, router, route, c.Handler())
	switch b {
	case echoAnswer:
		return next(c) // not a decision: Echo answers 404, 405 or its automatic OPTIONS
	case boundNotFound:
		// A not-found route runs its handler inside the group's middleware, which may
		// answer by itself (a proxy, static files): neither runs. Echo's answer is given.
		if m.allowUndocumented {
			return m.pass(c, next, ReasonUndocumentedRoute)
		}
		return echo.NotFoundHandler(c)
	case unbound:
		return m.undocumented(c, next)
	}
	p := m.policies.Lookup(method, route)
	if p == nil {
		return m.undocumented(c, next)
	}
	if p.Auth == openapi.AuthNone {
		if m.observed(c, OutcomePublic) {
			m.record(c, p, nil, OutcomePublic, http.StatusOK, "")
		}
		return next(c)
	}

	principal, claims, denial := m.authenticate(c, p)
	if denial != nil {
		return m.deny(c, p, principal, denial)
	}
	if principal == nil { // optional authentication, no credentials
		if m.observed(c, OutcomeAnonymous) {
			m.record(c, p, nil, OutcomeAnonymous, http.StatusOK, "")
		}
		return next(c)
	}
	req := c.Request()
	ctx := req.Context()
	if claims != nil {
		ctx = validator.NewContext(ctx, claims)
	}
	if _, isClaims := principal.(*validator.Claims); !isClaims {
		ctx = withPrincipal(ctx, principal)
	}
	c.SetRequest(req.WithContext(ctx))

	if p.Owner != nil {
		if err := m.checkOwner(c, p, principal); err != nil {
			var denial *Error
			if errors.As(err, &denial) {
				return m.deny(c, p, principal, denial)
			}
			if m.observed(c, OutcomeDenied) {
				status, reason := http.StatusInternalServerError, ReasonServerError
				var he *echo.HTTPError
				if errors.As(err, &he) && he.Code != http.StatusInternalServerError {
					status, reason = he.Code, ReasonOwnerLoader
				}
				m.record(c, p, principal, OutcomeDenied, status, reason)
			}
			return err // the loader's own answer (e.g. 404), or a server error
		}
	}
	if m.successHandler != nil {
		m.successHandler(c)
	}
	if m.observed(c, OutcomeAllowed) {
		m.record(c, p, principal, OutcomeAllowed, http.StatusOK, "")
	}
	return next(c)
}

// undocumented handles a request whose handler has no operation in the document: a
// route the document does not describe (whether or not Echo's route list shows it), or
// a handler that could not be identified with certainty. It fails closed.
func (m *engine) undocumented(c echo.Context, next echo.HandlerFunc) error {
	if m.allowUndocumented {
		return m.pass(c, next, ReasonUndocumentedRoute)
	}
	return m.deny(c, nil, nil, undocumentedError(m.realm))
}

// pass lets a request through unchecked, recording why.
func (m *engine) pass(c echo.Context, next echo.HandlerFunc, reason Reason) error {
	if m.observed(c, OutcomePassed) {
		m.record(c, nil, nil, OutcomePassed, http.StatusOK, reason)
	}
	return next(c)
}

// authenticate establishes who calls and evaluates the security alternatives, roles and
// permissions. It returns a nil principal without denial for an anonymous call to an
// operation whose authentication is optional.
func (m *engine) authenticate(c echo.Context, p *openapi.Policy) (openapi.Principal, *validator.Claims, *Error) {
	req := c.Request()
	var token, problem string
	var state tokenState
	if m.builtin {
		token, state, problem = bearerCandidate(req.Header)
	} else {
		token, state, problem = bearerToken(req.Header)
	}
	if state == tokenMalformed {
		return nil, nil, invalidRequestError(m.realm, problem)
	}
	if m.simple && bearerOnly(p) {
		if state == tokenMissing {
			if p.Auth == openapi.AuthOptional {
				return nil, nil, nil
			}
			return nil, nil, missingTokenError(m.realm)
		}
		claims, err := m.validator.Validate(req.Context(), token)
		if err != nil {
			if !isToken68(token) {
				return nil, nil, invalidRequestError(m.realm, errNotToken68)
			}
			return nil, nil, tokenError(m.realm, err)
		}
		d := p.EvaluatePrincipal(claims)
		return m.decide(p, d, claims)
	}
	if state == tokenPresent && !isToken68(token) {
		return nil, nil, invalidRequestError(m.realm, errNotToken68)
	}
	return m.authenticateSchemes(c, p, token, state)
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
func (m *engine) authenticateSchemes(c echo.Context, p *openapi.Policy, token string, state tokenState) (openapi.Principal, *validator.Claims, *Error) {
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
	keep := func(dst **Error, e *Error) {
		// 503 outranks 401 invalid_token, which outranks an authenticator's failure.
		if *dst == nil || rank(e) > rank(*dst) {
			*dst = e
		}
	}
	for _, alt := range p.Alternatives {
		for _, req := range alt {
			if _, done := principals[req.Scheme]; done {
				continue
			}
			principals[req.Scheme] = nil
			if req.Bearer {
				if state != tokenPresent {
					continue
				}
				anyPresent = true
				v := m.schemeValidators[req.Scheme]
				i := slices.IndexFunc(validations, func(x validation) bool { return x.v == v })
				if i < 0 {
					claims, err := v.Validate(c.Request().Context(), token)
					validations = append(validations, validation{v: v, claims: claims, err: err})
					i = len(validations) - 1
				}
				if validations[i].err != nil {
					keep(&tokenErr, tokenError(m.realm, validations[i].err))
					continue
				}
				tokenValid = true
				principals[req.Scheme] = validations[i].claims
				continue
			}
			pr, err := m.authenticators[req.Scheme](c, m.schemes[req.Scheme])
			switch {
			case err != nil:
				anyPresent = true
				keep(&credErr, m.credentialsError(req.Scheme, err))
			case pr != nil:
				anyPresent = true
				principals[req.Scheme] = pr
			}
		}
	}
	switch {
	case tokenErr != nil && !tokenValid:
		if credErr != nil && rank(credErr) > rank(tokenErr) {
			return nil, nil, credErr
		}
		return nil, nil, tokenErr
	case credErr != nil:
		return nil, nil, credErr
	}
	if !anyPresent && p.Auth == openapi.AuthOptional {
		return nil, nil, nil
	}
	d := p.Evaluate(func(scheme string) openapi.Principal { return principals[scheme] })
	if !d.Allowed && d.Failure == openapi.FailUnauthenticated {
		return nil, nil, missingTokenError(m.realm)
	}
	claims, _ := d.Principal.(*validator.Claims)
	return m.decide(p, d, claims)
}

// decide maps an evaluation to the principal or a denial.
func (m *engine) decide(p *openapi.Policy, d openapi.Decision, claims *validator.Claims) (openapi.Principal, *validator.Claims, *Error) {
	if d.Allowed {
		if claims == nil {
			claims, _ = d.Principal.(*validator.Claims)
		}
		return d.Principal, claims, nil
	}
	switch d.Failure {
	case openapi.FailScope:
		if p.Auth == openapi.AuthOptional {
			// The {} alternative is satisfied whatever the token holds: the caller is
			// identified, and the handler sees the claims.
			return d.Principal, claims, nil
		}
		return d.Principal, claims, insufficientScopeError(m.realm, d.Scopes)
	case openapi.FailRole:
		return d.Principal, claims, insufficientPermissionError(m.realm, ReasonInsufficientPermission, "the access token lacks a required role")
	case openapi.FailPermission:
		return d.Principal, claims, insufficientPermissionError(m.realm, ReasonInsufficientPermission, "the access token lacks a required permission")
	}
	return nil, nil, missingTokenError(m.realm)
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

// credentialsError maps an Authenticator's error: an *echo.HTTPError is kept as the
// cause and its status used; anything else is a 401.
func (m *engine) credentialsError(scheme string, err error) *Error {
	e := &Error{Status: http.StatusUnauthorized, Description: "the credentials for " + scheme + " are invalid",
		Reason: ReasonInvalidCredentials, Err: err, realm: m.realm}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code >= 400 {
		e.Status = he.Code
	}
	return e
}

// deny answers a denial through the ErrorHandler or as a fresh *echo.HTTPError.
func (m *engine) deny(c echo.Context, p *openapi.Policy, principal openapi.Principal, denial *Error) error {
	if m.observed(c, OutcomeDenied) {
		m.record(c, p, principal, OutcomeDenied, denial.Status, denial.Reason)
	}
	he := denial.httpError(c)
	if m.errorHandler != nil {
		if err := m.errorHandler(c, denial); err != nil {
			return err
		}
		if !c.Response().Committed {
			// The hook returned nil without answering: the request still ends, denied.
			return he
		}
		return nil
	}
	return he
}

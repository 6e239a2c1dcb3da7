package echoaxioms

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// TokenStatus is what [AccessToken] found in a request.
type TokenStatus int

const (
	// TokenMissing: no bearer token (no Authorization header, or another scheme).
	TokenMissing TokenStatus = iota
	// TokenValid: a bearer token that validated; its claims are in the context.
	TokenValid
	// TokenInvalid: a malformed Authorization header, or a token that failed validation
	// (see TokenState.Err).
	TokenInvalid
)

// String returns "missing", "valid" or "invalid".
func (s TokenStatus) String() string {
	switch s {
	case TokenValid:
		return "valid"
	case TokenInvalid:
		return "invalid"
	}
	return "missing"
}

// TokenState is the state [AccessToken] recorded for a request: the equivalent of the
// Python packages' missing_auth_header / invalid_bearer_token. The claims of a valid
// token are read with [Claims], as on any route.
type TokenState struct {
	// Status says whether the request carried no bearer token, a valid one or an
	// invalid one.
	Status TokenStatus
	// Err is the denial a protected route would answer with: 401 without credentials,
	// 400 for a malformed header, 401 for an invalid token, 503 when keys are
	// unavailable; nil for a valid token.
	Err *Error

	realm  string
	obs    *observer // where the Require… helpers' decisions go; nil for none
	logger *slog.Logger
}

type stateKey struct{}

// State returns the token state recorded by [AccessToken], for handlers that decide for
// themselves and must tell a request without a token from one with an invalid token;
// Status is TokenMissing when none was recorded. It returns a copy, safe to keep; its Err
// must not be modified (the Require… helpers answer with copies of it).
func State(c echo.Context) TokenState {
	if s, ok := c.Request().Context().Value(stateKey{}).(*TokenState); ok {
		return *s
	}
	return TokenState{}
}

// AccessTokenConfig configures [AccessToken].
type AccessTokenConfig struct {
	// Skipper skips recording for some requests. Default: never skips.
	Skipper middleware.Skipper
	// Validator validates the bearer token. Required.
	Validator TokenValidator
	// Realm of the challenges that Require… helpers answer with. Default: [DefaultRealm].
	Realm string
	// AuditHook, if set, receives one record per decision of the Require… helpers
	// chained after this middleware (allowed or denied, [AuditRecord.Check] naming the
	// helper, Route the route Echo matched, no OperationID). AccessToken itself decides
	// nothing and records nothing. Records never contain token content. It is called on
	// the request's goroutine, concurrently across requests, so it must be safe for
	// concurrent use and must not block. Default: none.
	AuditHook func(c echo.Context, r AuditRecord)
	// Logger, if set, receives the same records: denials at Info, the rest at Debug.
	// RequireOwner's server-side failures (a loader's error, an object without the
	// owner field) are logged at Error on it, else on slog.Default(). Default: none.
	Logger *slog.Logger
}

// ToMiddleware returns a middleware that reads and validates the bearer token of every
// request and records the outcome (see [State]) without ever rejecting: handlers, or the
// Require… helpers chained after it, decide. Valid claims are put in the request context
// ([Claims], validator.FromContext). It fails if Validator is nil.
func (cfg AccessTokenConfig) ToMiddleware() (echo.MiddlewareFunc, error) {
	if cfg.Validator == nil {
		return nil, errors.New("echoaxioms: AccessTokenConfig.Validator is required")
	}
	skipper := cfg.Skipper
	if skipper == nil {
		skipper = middleware.DefaultSkipper
	}
	realm := cfg.Realm
	if realm == "" {
		realm = DefaultRealm
	}
	var obs *observer
	if cfg.AuditHook != nil || cfg.Logger != nil {
		obs = &observer{hook: cfg.AuditHook, logger: cfg.Logger}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skipper(c) {
				return next(c)
			}
			req := c.Request()
			st := &TokenState{realm: realm, obs: obs, logger: cfg.Logger}
			ctx := req.Context()
			token, state, problem := bearerToken(req.Header)
			switch state {
			case tokenMalformed:
				st.Status, st.Err = TokenInvalid, invalidRequestError(realm, problem)
			case tokenPresent:
				claims, err := cfg.Validator.Validate(ctx, token)
				if err != nil {
					st.Status, st.Err = TokenInvalid, tokenError(realm, err)
				} else {
					st.Status = TokenValid
					ctx = validator.NewContext(ctx, claims)
				}
			default:
				st.Err = missingTokenError(realm)
			}
			c.SetRequest(req.WithContext(context.WithValue(ctx, stateKey{}, st)))
			return next(c)
		}
	}, nil
}

// AccessToken returns the middleware for cfg and panics if cfg is invalid: for main.
func AccessToken(cfg AccessTokenConfig) echo.MiddlewareFunc {
	mw, err := cfg.ToMiddleware()
	if err != nil {
		panic(err)
	}
	return mw
}

// authenticated returns the request's principal, or the denial to answer with: the
// recorded token state's error, or 401 when nothing authenticated the request.
func authenticated(c echo.Context) (openapi.Principal, *Error) {
	if p := Principal(c); p != nil {
		return p, nil
	}
	st := State(c)
	if st.Err != nil {
		e := *st.Err // a fresh copy per response
		return nil, &e
	}
	return nil, missingTokenError(DefaultRealm)
}

// recordedState returns the state AccessToken recorded, or nil.
func recordedState(c echo.Context) *TokenState {
	st, _ := c.Request().Context().Value(stateKey{}).(*TokenState)
	return st
}

// realmOf returns the realm AccessToken was configured with, else DefaultRealm.
func realmOf(c echo.Context) string {
	if st := recordedState(c); st != nil && st.realm != "" {
		return st.realm
	}
	return DefaultRealm
}

// helperRecord sends a helper's decision to the AuditHook and Logger of the
// AccessToken middleware before it, if any.
func helperRecord(c echo.Context, check string, principal openapi.Principal, outcome Outcome, status int, reason Reason) {
	st := recordedState(c)
	if st == nil || !st.obs.wants(c, outcome) {
		return
	}
	st.obs.emit(c, AuditRecord{Method: c.Request().Method, Route: c.Path(), Subject: subjectOf(principal),
		Outcome: outcome, Status: status, Reason: reason, Check: check})
}

// helperDeny records a helper's denial and returns it as a fresh *echo.HTTPError.
func helperDeny(c echo.Context, check string, principal openapi.Principal, denial *Error) error {
	helperRecord(c, check, principal, OutcomeDenied, denial.Status, denial.Reason)
	return denial.httpError(c)
}

// RequireAuth requires an authenticated request: one the spec middleware authenticated,
// or one whose token [AccessToken] found valid. Otherwise it answers 401 (400 for a
// malformed header, 503 when keys are unavailable). Without AccessToken or the spec
// middleware before it, every request is answered 401. Its decisions go to
// AccessTokenConfig's AuditHook and Logger. The returned middleware is safe for
// concurrent use.
func RequireAuth() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, denial := authenticated(c)
			if denial != nil {
				return helperDeny(c, "RequireAuth", nil, denial)
			}
			helperRecord(c, "RequireAuth", p, OutcomeAllowed, http.StatusOK, "")
			return next(c)
		}
	}
}

// RequireScopes requires an authenticated request holding at least one of scopes (chain
// several RequireScopes for AND). Otherwise it answers 403 insufficient_scope with the
// listed scopes in the challenge. It panics if scopes is empty. Its decisions go to
// AccessTokenConfig's AuditHook and Logger. The returned middleware is safe for
// concurrent use; scopes is copied.
func RequireScopes(scopes ...string) echo.MiddlewareFunc {
	return require("RequireScopes", scopes, openapi.Principal.HasScope, func(c echo.Context) *Error {
		return insufficientScopeError(realmOf(c), slices.Clone(scopes))
	})
}

// RequireRoles requires an authenticated request holding at least one of roles (chain
// for AND). Otherwise it answers 403 insufficient_permission. It panics if roles is
// empty. Its decisions go to AccessTokenConfig's AuditHook and Logger. The returned
// middleware is safe for concurrent use; roles is copied.
func RequireRoles(roles ...string) echo.MiddlewareFunc {
	return require("RequireRoles", roles, openapi.Principal.HasRole, func(c echo.Context) *Error {
		return insufficientPermissionError(realmOf(c), ReasonInsufficientPermission, "the access token lacks a required role")
	})
}

// RequirePermissions requires an authenticated request holding at least one of
// permissions (chain for AND). Otherwise it answers 403 insufficient_permission. It
// panics if permissions is empty. Its decisions go to AccessTokenConfig's AuditHook and
// Logger. The returned middleware is safe for concurrent use; permissions is copied.
func RequirePermissions(permissions ...string) echo.MiddlewareFunc {
	return require("RequirePermissions", permissions, openapi.Principal.HasPermission, func(c echo.Context) *Error {
		return insufficientPermissionError(realmOf(c), ReasonInsufficientPermission, "the access token lacks a required permission")
	})
}

func require(name string, items []string, has func(openapi.Principal, string) bool, deny func(echo.Context) *Error) echo.MiddlewareFunc {
	if len(items) == 0 {
		panic("echoaxioms: " + name + " needs at least one value")
	}
	items = slices.Clone(items)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, denial := authenticated(c)
			if denial != nil {
				return helperDeny(c, name, nil, denial)
			}
			for _, item := range items {
				if has(p, item) {
					helperRecord(c, name, p, OutcomeAllowed, http.StatusOK, "")
					return next(c)
				}
			}
			return helperDeny(c, name, p, deny(c))
		}
	}
}

// RequireOwner requires an authenticated request whose claim (a name or JSON Pointer;
// "sub" if empty) equals the field (see [OwnerValuer] for how it is read; "user" if
// empty) of the object loader returns. The loader runs only after authentication
// succeeded; its *echo.HTTPError (e.g. 404) is answered as it is. A mismatch is 403
// insufficient_permission; a loader's other errors and an object without the field are
// a 500, logged at Error on AccessTokenConfig.Logger or else slog.Default(). Its
// decisions go to AccessTokenConfig's AuditHook and Logger (a loader's own answer with
// reason owner_loader, a 500 with server_error). The object is handed to the handler
// through [Object]. It panics if loader is nil. The returned middleware is safe for
// concurrent use when loader is.
func RequireOwner(loader OwnerLoader, field, claim string) echo.MiddlewareFunc {
	if loader == nil {
		panic("echoaxioms: RequireOwner needs a loader")
	}
	if field == "" {
		field = "user"
	}
	if claim == "" {
		claim = "sub"
	}
	const check = "RequireOwner"
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, denial := authenticated(c)
			if denial != nil {
				return helperDeny(c, check, nil, denial)
			}
			want, ok := p.Claim(claim)
			if !ok {
				return helperDeny(c, check, p, insufficientPermissionError(realmOf(c), ReasonNotOwner, "the access token does not identify an owner"))
			}
			obj, err := loadObject(c, loader)
			if err == nil {
				err = ownedBy(obj, field, claimOwnerKey(p, claim, want), realmOf(c))
			}
			var notOwner *Error
			if errors.As(err, &notOwner) {
				return helperDeny(c, check, p, notOwner)
			}
			if err != nil {
				status, reason := http.StatusInternalServerError, ReasonServerError
				var he *echo.HTTPError
				if errors.As(err, &he) && he.Code != http.StatusInternalServerError {
					status, reason = he.Code, ReasonOwnerLoader
				} else {
					var logger *slog.Logger
					if st := recordedState(c); st != nil {
						logger = st.logger
					}
					cause := err
					if he != nil {
						cause = causeOf(he)
					}
					logServerError(c, logger, c.Request().Method, c.Path(), cause)
				}
				helperRecord(c, check, p, OutcomeDenied, status, reason)
				return err
			}
			helperRecord(c, check, p, OutcomeAllowed, http.StatusOK, "")
			c.SetRequest(c.Request().WithContext(withObject(c.Request().Context(), obj)))
			return next(c)
		}
	}
}

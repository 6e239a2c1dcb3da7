package echoaxioms

import (
	"context"
	"errors"
	"log/slog"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

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

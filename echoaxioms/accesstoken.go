package echoaxioms

import (
	"log/slog"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/axioms-go/axioms-echo/enforce"
)

// TokenStatus is what [AccessToken] found in a request. See enforce.TokenStatus.
type TokenStatus = enforce.TokenStatus

// The token statuses: see enforce.TokenStatus.
const (
	TokenMissing = enforce.TokenMissing // no bearer token (no Authorization header, or another scheme)
	TokenValid   = enforce.TokenValid   // a bearer token that validated; its claims are in the context
	TokenInvalid = enforce.TokenInvalid // a malformed Authorization header, or a token that failed validation
)

// TokenState is the state [AccessToken] recorded for a request: the equivalent of the
// Python packages' missing_auth_header / invalid_bearer_token. The claims of a valid
// token are read with [Claims], as on any route. See enforce.TokenState.
type TokenState = enforce.TokenState

// State returns the token state recorded by [AccessToken], for handlers that decide for
// themselves and must tell a request without a token from one with an invalid token;
// Status is TokenMissing when none was recorded. It returns a copy, safe to keep; its Err
// must not be modified (the Require… helpers answer with copies of it).
func State(c echo.Context) TokenState {
	return enforce.StateFromContext(c.Request().Context())
}

// AccessTokenConfig configures [AccessToken].
type AccessTokenConfig struct {
	// Skipper skips recording for some requests. It runs on the request's goroutine,
	// concurrently across requests: it must be safe for concurrent use. Default:
	// middleware.DefaultSkipper (never skips).
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
	at, err := enforce.NewAccessToken(enforce.AccessTokenConfig{Name: "echoaxioms", Validator: cfg.Validator,
		Realm: cfg.Realm, AuditHook: auditHook(cfg.AuditHook), Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	skipper := cfg.Skipper
	if skipper == nil {
		skipper = middleware.DefaultSkipper
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !skipper(c) {
				req := c.Request()
				c.SetRequest(req.WithContext(at.Inspect(req.Context(), req.Header)))
			}
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

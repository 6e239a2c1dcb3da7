package httpaxioms

import (
	"log/slog"
	"net/http"

	"github.com/axioms-go/axioms-echo/enforce"
)

// TokenState is the state [AccessToken] recorded for a request: the equivalent of the
// Python packages' missing_auth_header / invalid_bearer_token. The claims of a valid
// token are read with [Claims], as on any route. See enforce.TokenState.
type TokenState = enforce.TokenState

// State returns the token state recorded by [AccessToken], for handlers that decide for
// themselves and must tell a request without a token from one with an invalid token;
// Status is enforce.TokenMissing when none was recorded. It returns a copy, safe to
// keep; its Err must not be modified (the Require… helpers answer with copies of it).
func State(r *http.Request) TokenState {
	return enforce.StateFromContext(r.Context())
}

// AccessTokenConfig configures [AccessToken].
type AccessTokenConfig struct {
	// Skipper, if it returns true, skips recording for the request. It runs on the
	// request's goroutine, concurrently across requests: it must be safe for concurrent
	// use. Default: nil, never skips.
	Skipper func(r *http.Request) bool
	// Validator validates the bearer token. Required.
	Validator TokenValidator
	// Realm of the challenges that Require… helpers answer with. Default: [DefaultRealm].
	Realm string
	// AuditHook, if set, receives one record per decision of the Require… helpers
	// chained after this middleware (allowed or denied, [AuditRecord.Check] naming the
	// helper, Route the pattern the mux matched, no OperationID). AccessToken itself
	// decides nothing and records nothing. Records never contain token content. It is
	// called on the request's goroutine, concurrently across requests, so it must be
	// safe for concurrent use and must not block. Default: none.
	AuditHook func(r *http.Request, rec AuditRecord)
	// Logger, if set, receives the same records: denials at Info, the rest at Debug.
	// RequireOwner's server-side failures (a loader's error, an object without the
	// owner field) are logged at Error on it, else on slog.Default(). Default: none.
	Logger *slog.Logger
}

// Middleware returns a middleware that reads and validates the bearer token of every
// request and records the outcome (see [State]) without ever rejecting: handlers, or the
// Require… helpers chained after it, decide. Valid claims are put in the request context
// ([Claims], validator.FromContext). It needs no pattern: it may wrap the mux itself. It
// fails if Validator is nil. The middleware is safe for concurrent use.
func (cfg AccessTokenConfig) Middleware() (func(http.Handler) http.Handler, error) {
	at, err := enforce.NewAccessToken(enforce.AccessTokenConfig{Name: "httpaxioms", Validator: cfg.Validator,
		Realm: cfg.Realm, AuditHook: auditHook(cfg.AuditHook), Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	skipper := cfg.Skipper
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if skipper == nil || !skipper(r) {
				r = r.WithContext(at.Inspect(r.Context(), r.Header))
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

// AccessToken returns the middleware for cfg and panics if cfg is invalid: for main.
func AccessToken(cfg AccessTokenConfig) func(http.Handler) http.Handler {
	mw, err := cfg.Middleware()
	if err != nil {
		panic(err)
	}
	return mw
}

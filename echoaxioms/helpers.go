package echoaxioms

import (
	"context"
	"errors"
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
// Python packages' auth_jwt / missing_auth_header / invalid_bearer_token.
type TokenState struct {
	Status TokenStatus
	// Claims of a valid token (nil otherwise).
	Claims *validator.Claims
	// Err is the denial a protected route would answer with: 400 for a malformed header,
	// 401 for an invalid token, 503 when keys are unavailable; nil for a valid token.
	Err *Error

	realm string
}

type stateKey struct{}

// State returns the token state recorded by [AccessToken]; Status is TokenMissing when
// none was recorded.
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
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skipper(c) {
				return next(c)
			}
			req := c.Request()
			st := &TokenState{realm: realm}
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
					st.Status, st.Claims = TokenValid, claims
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

// realmOf returns the realm AccessToken was configured with, else DefaultRealm.
func realmOf(c echo.Context) string {
	if st, ok := c.Request().Context().Value(stateKey{}).(*TokenState); ok && st.realm != "" {
		return st.realm
	}
	return DefaultRealm
}

// RequireAuth requires an authenticated request: one the spec middleware authenticated,
// or one whose token [AccessToken] found valid. Otherwise it answers 401 (400 for a
// malformed header, 503 when keys are unavailable). Without AccessToken or the spec
// middleware before it, every request is answered 401.
func RequireAuth() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if _, denial := authenticated(c); denial != nil {
				return denial.httpError(c)
			}
			return next(c)
		}
	}
}

// RequireScopes requires an authenticated request holding at least one of scopes (chain
// several RequireScopes for AND). Otherwise it answers 403 insufficient_scope with the
// listed scopes in the challenge. It panics if scopes is empty.
func RequireScopes(scopes ...string) echo.MiddlewareFunc {
	return require("RequireScopes", scopes, openapi.Principal.HasScope, func(c echo.Context) *Error {
		return insufficientScopeError(realmOf(c), slices.Clone(scopes))
	})
}

// RequireRoles requires an authenticated request holding at least one of roles (chain
// for AND). Otherwise it answers 403 insufficient_permission. It panics if roles is empty.
func RequireRoles(roles ...string) echo.MiddlewareFunc {
	return require("RequireRoles", roles, openapi.Principal.HasRole, func(c echo.Context) *Error {
		return insufficientPermissionError(realmOf(c), ReasonInsufficientPermission, "the access token lacks a required role")
	})
}

// RequirePermissions requires an authenticated request holding at least one of
// permissions (chain for AND). Otherwise it answers 403 insufficient_permission. It
// panics if permissions is empty.
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
				return denial.httpError(c)
			}
			for _, item := range items {
				if has(p, item) {
					return next(c)
				}
			}
			return deny(c).httpError(c)
		}
	}
}

// RequireOwner requires an authenticated request whose claim (a name or JSON Pointer;
// "sub" if empty) equals the field (a map key, json tag or Go field name; "user" if
// empty) of the object loader returns. The loader runs only after authentication
// succeeded; its *echo.HTTPError (e.g. 404) is answered as it is. A mismatch is 403
// insufficient_permission; an object without the field is a 500. The object is handed to
// the handler through [Object]. It panics if loader is nil.
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
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, denial := authenticated(c)
			if denial != nil {
				return denial.httpError(c)
			}
			want, ok := p.Claim(claim)
			if !ok {
				return insufficientPermissionError(realmOf(c), ReasonNotOwner, "the access token does not identify an owner").httpError(c)
			}
			obj, err := loadObject(c, loader)
			if err == nil {
				err = ownedBy(obj, field, want, realmOf(c))
			}
			var notOwner *Error
			if errors.As(err, &notOwner) {
				return notOwner.httpError(c)
			}
			if err != nil {
				return err
			}
			c.SetRequest(c.Request().WithContext(withObject(c.Request().Context(), obj)))
			return next(c)
		}
	}
}

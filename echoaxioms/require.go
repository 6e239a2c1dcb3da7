package echoaxioms

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/openapi"
)

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

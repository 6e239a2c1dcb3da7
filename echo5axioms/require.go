package echo5axioms

import (
	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/enforce"
)

// RequireAuth requires an authenticated request: one the spec middleware authenticated,
// or one whose token [AccessToken] found valid. Otherwise it answers 401 (400 for a
// malformed header, 503 when keys are unavailable). Without AccessToken or the spec
// middleware before it, every request is answered 401. Its decisions go to
// AccessTokenConfig's AuditHook and Logger. The returned middleware is safe for
// concurrent use.
func RequireAuth() echo.MiddlewareFunc {
	return helper(enforce.RequireAuth())
}

// RequireScopes requires an authenticated request holding at least one of scopes (chain
// several RequireScopes for AND). Otherwise it answers 403 insufficient_scope with the
// listed scopes in the challenge. It panics if scopes is empty. Its decisions go to
// AccessTokenConfig's AuditHook and Logger. The returned middleware is safe for
// concurrent use; scopes is copied.
func RequireScopes(scopes ...string) echo.MiddlewareFunc {
	return helper(enforce.RequireScopes(nonEmpty("RequireScopes", scopes)...))
}

// RequireRoles requires an authenticated request holding at least one of roles (chain
// for AND). Otherwise it answers 403 insufficient_permission. It panics if roles is
// empty. Its decisions go to AccessTokenConfig's AuditHook and Logger. The returned
// middleware is safe for concurrent use; roles is copied.
func RequireRoles(roles ...string) echo.MiddlewareFunc {
	return helper(enforce.RequireRoles(nonEmpty("RequireRoles", roles)...))
}

// RequirePermissions requires an authenticated request holding at least one of
// permissions (chain for AND). Otherwise it answers 403 insufficient_permission. It
// panics if permissions is empty. Its decisions go to AccessTokenConfig's AuditHook and
// Logger. The returned middleware is safe for concurrent use; permissions is copied.
func RequirePermissions(permissions ...string) echo.MiddlewareFunc {
	return helper(enforce.RequirePermissions(nonEmpty("RequirePermissions", permissions)...))
}

// RequireOwner requires an authenticated request whose claim (a name or JSON Pointer;
// "sub" if empty) equals the field (see [OwnerValuer] for how it is read; "user" if
// empty) of the object loader returns. The loader runs only after authentication
// succeeded; an error of it that carries a status (e.g. echo.ErrNotFound) is answered
// as it is. A mismatch is 403 insufficient_permission; a loader's other errors and an
// object without the field are a 500, logged at Error on AccessTokenConfig.Logger or
// else slog.Default(). Its decisions go to AccessTokenConfig's AuditHook and Logger (a
// loader's own answer with reason owner_loader, a 500 with server_error). The object is
// handed to the handler through [Object]. It panics if loader is nil. The returned
// middleware is safe for concurrent use when loader is.
func RequireOwner(loader OwnerLoader, field, claim string) echo.MiddlewareFunc {
	if loader == nil {
		panic("echo5axioms: RequireOwner needs a loader")
	}
	return helper(enforce.RequireOwner(coreLoader(loader), field, claim, errorStatus))
}

func nonEmpty(name string, items []string) []string {
	if len(items) == 0 {
		panic("echo5axioms: " + name + " needs at least one value")
	}
	return items
}

// helper is the middleware of a code-level check: it answers the check's denial as a
// fresh error for Echo's HTTPErrorHandler (never through Config.ErrorHandler), and
// hands the loaded object of RequireOwner to the handler.
func helper(q *enforce.Requirement) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			req := c.Request()
			rq := acquire(c)
			r := enforce.Request{Native: rq, Header: req.Header, Method: req.Method, Route: c.Path()}
			res := q.Check(req.Context(), &r)
			rq.release()
			if res.Denial != nil || res.Err != nil {
				return answer(c, res, nil)
			}
			withContext(c, res.Context)
			return next(c)
		}
	}
}

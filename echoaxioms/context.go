package echoaxioms

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// Claims returns the verified claims of the request's access token, or nil when the
// request is anonymous (public or optional-authentication operations without a token) or
// was authenticated by a non-bearer scheme. The claims are also in the request context:
// validator.FromContext(c.Request().Context()). It is safe to call from the request's
// goroutines; the claims may be shared with concurrent requests presenting the same
// token (the verified-token cache) and are read-only.
func Claims(c echo.Context) *validator.Claims {
	claims, _ := validator.FromContext(c.Request().Context())
	return claims
}

// Principal returns who the request was authenticated as: the token's claims, or the
// principal an [Authenticator] returned; nil when anonymous. The principal may be used
// by concurrent requests (the same token's claims, or whatever the Authenticator shares)
// and must be treated as read-only.
func Principal(c echo.Context) openapi.Principal {
	return enforce.PrincipalFromContext(c.Request().Context())
}

// Object returns the object loaded by the operation's owner loader, if the request went
// through one and it is a T, so handlers do not fetch it twice. The object is the
// loader's: the middleware neither copies nor locks it, so it is as safe for concurrent
// use as the loader made it (a fresh object per request needs no care).
func Object[T any](c echo.Context) (T, bool) {
	return enforce.ObjectFromContext[T](c.Request().Context())
}

// ObjectFrom is [Object] for code that holds only the request's context, such as an
// oapi-codegen strict-server handler: the object the owner loader loaded, if the
// request went through one and it is a T.
func ObjectFrom[T any](ctx context.Context) (T, bool) {
	return enforce.ObjectFromContext[T](ctx)
}

// withContext makes ctx the context of c's request, unless it already is.
func withContext(c echo.Context, ctx context.Context) {
	if req := c.Request(); req.Context() != ctx {
		c.SetRequest(req.WithContext(ctx))
	}
}

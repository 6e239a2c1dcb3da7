package oapiauth

import (
	"context"
	"errors"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/axioms-go/axioms-echo/enforce"
)

// ErrUnauthenticated is returned by [Authenticate] for a request that this module's
// middleware did not authenticate: anonymous, or the middleware did not run before
// the request validator.
var ErrUnauthenticated = errors.New("oapiauth: request not authenticated by the axioms middleware")

// ErrInsufficientScope is returned, wrapped with the missing scope, by [Authenticate]
// when the authenticated principal lacks a scope of the requirement.
var ErrInsufficientScope = errors.New("oapiauth: insufficient scope")

// Authenticate is an openapi3filter.AuthenticationFunc that reports this module's
// decision for the request: nil when the middleware authenticated it and the principal
// holds every scope in input.Scopes, [ErrUnauthenticated] or [ErrInsufficientScope]
// otherwise. The principal is read from the context of input's request, where the
// middleware put it (ctx is used when input carries no request).
func Authenticate(ctx context.Context, input *openapi3filter.AuthenticationInput) error {
	if in := input.RequestValidationInput; in != nil && in.Request != nil {
		ctx = in.Request.Context()
	}
	principal := enforce.PrincipalFromContext(ctx)
	if principal == nil {
		return ErrUnauthenticated
	}
	for _, scope := range input.Scopes {
		if !principal.HasScope(scope) {
			return fmt.Errorf("%w: %q for scheme %q", ErrInsufficientScope, scope, input.SecuritySchemeName)
		}
	}
	return nil
}

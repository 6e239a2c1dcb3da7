package enforce

import (
	"context"

	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

type principalKey struct{}

type objectKey struct{}

type stateKey struct{}

// dpopKey marks a context whose request presented its token with the DPoP scheme; its
// value is the accepted proof algorithms, for the challenges of later denials.
type dpopKey struct{}

// withDPoP returns ctx marked as a DPoP request (see dpopKey).
func withDPoP(ctx context.Context, algs []string) context.Context {
	return context.WithValue(ctx, dpopKey{}, algs)
}

// challengeDPoP makes d, a denial of the request of ctx, challenge DPoP when that request
// presented its token with the DPoP scheme; d is returned.
func challengeDPoP(ctx context.Context, d *Error) *Error {
	if algs, ok := ctx.Value(dpopKey{}).([]string); ok && d != nil {
		d.Schemes, d.Algs = AuthDPoP, algs
	}
	return d
}

// withCaller returns ctx holding the principal: a token's claims where
// validator.FromContext finds them, any other principal under the key of
// [PrincipalFromContext]. One context value either way.
func withCaller(ctx context.Context, principal openapi.Principal) context.Context {
	if claims, ok := principal.(*validator.Claims); ok {
		return validator.NewContext(ctx, claims)
	}
	return context.WithValue(ctx, principalKey{}, principal)
}

// PrincipalFromContext returns who the request was authenticated as: the token's
// claims, or the principal an [Authenticator] returned; nil when anonymous (and when
// nothing authenticated the request). The principal may be used by concurrent requests
// (the same token's claims, or whatever the Authenticator shares) and must be treated
// as read-only. The token's claims alone are validator.FromContext(ctx).
func PrincipalFromContext(ctx context.Context) openapi.Principal {
	if p, ok := ctx.Value(principalKey{}).(openapi.Principal); ok {
		return p
	}
	if claims, ok := validator.FromContext(ctx); ok {
		return claims
	}
	return nil
}

// ObjectFromContext returns the object loaded by the operation's owner loader (or by
// [RequireOwner]'s), if the request went through one and it is a T, so handlers do not
// fetch it twice. The object is the loader's: it is neither copied nor locked, so it is
// as safe for concurrent use as the loader made it (a fresh object per request needs no
// care).
func ObjectFromContext[T any](ctx context.Context) (T, bool) {
	obj, ok := ctx.Value(objectKey{}).(T)
	return obj, ok
}

func withObject(ctx context.Context, obj any) context.Context {
	return context.WithValue(ctx, objectKey{}, obj)
}

// StateFromContext returns the token state that [AccessToken.Inspect] recorded in ctx;
// Status is TokenMissing when none was recorded. It returns a copy, safe to keep; its
// Err must not be modified (the [Requirement] checks answer with copies of it).
func StateFromContext(ctx context.Context) TokenState {
	if s := stateOf(ctx); s != nil {
		return *s
	}
	return TokenState{}
}

// stateOf returns the state recorded in ctx, or nil.
func stateOf(ctx context.Context) *TokenState {
	st, _ := ctx.Value(stateKey{}).(*TokenState)
	return st
}

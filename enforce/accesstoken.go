package enforce

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/axioms-go/axioms-echo/validator"
)

// TokenStatus is what [AccessToken.Inspect] found in a request.
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

// TokenState is the state [AccessToken.Inspect] recorded for a request: the equivalent
// of the Python packages' missing_auth_header / invalid_bearer_token. The claims of a
// valid token are read with validator.FromContext, as on any route.
type TokenState struct {
	// Status says whether the request carried no bearer token, a valid one or an
	// invalid one.
	Status TokenStatus
	// Err is the denial a protected route would answer with: 401 without credentials,
	// 400 for a malformed header, 401 for an invalid token, 503 when keys are
	// unavailable; nil for a valid token.
	Err *Error

	realm string
	rec   recorder // where the Requirement checks' decisions go
}

// AccessTokenConfig configures an [AccessToken].
type AccessTokenConfig struct {
	// Name starts the errors [NewAccessToken] returns: the adapter's package name.
	// Default: "enforce".
	Name string
	// Validator validates the bearer token. Required.
	Validator TokenValidator
	// Realm of the challenges that the [Requirement] checks answer with. Default:
	// [DefaultRealm].
	Realm string
	// AuditHook, if set, receives one record per decision of the [Requirement] checks
	// made on a context that Inspect returned (allowed or denied, [AuditRecord.Check]
	// naming the helper, Route the route the router matched, no OperationID). Inspect
	// itself decides nothing and records nothing. Records never contain token content.
	// It is called on the request's goroutine, concurrently across requests, so it must
	// be safe for concurrent use and must not block. Default: none.
	AuditHook func(ctx context.Context, req any, r AuditRecord)
	// Logger, if set, receives the same records: denials at Info, the rest at Debug.
	// [RequireOwner]'s server-side failures (a loader's error, an object without the
	// owner field) are logged at Error on it, else on slog.Default(). Default: none.
	Logger *slog.Logger
}

// AccessToken reads and validates the bearer token of requests and records the outcome
// without ever rejecting: handlers, or the [Requirement] checks after it, decide. It is
// immutable and safe for concurrent use.
type AccessToken struct {
	validator TokenValidator
	realm     string
	rec       recorder
}

// NewAccessToken returns the AccessToken of cfg. It fails if Validator is nil.
func NewAccessToken(cfg AccessTokenConfig) (*AccessToken, error) {
	if cfg.Validator == nil {
		name := cfg.Name
		if name == "" {
			name = "enforce"
		}
		return nil, errors.New(name + ": AccessTokenConfig.Validator is required")
	}
	realm := cfg.Realm
	if realm == "" {
		realm = DefaultRealm
	}
	return &AccessToken{validator: cfg.Validator, realm: realm, rec: recorder{hook: cfg.AuditHook, logger: cfg.Logger}}, nil
}

// Inspect reads the bearer token of a request's header h and returns ctx (the request's
// context) holding the token's state ([StateFromContext]) and, for a valid token, its
// claims (validator.FromContext). It reads `Authorization: Bearer` only: a DPoP-bound
// token (cnf.jkt) there is invalid (dpop_bound_token), as is one bound by another
// confirmation method (unsupported_binding), and the DPoP scheme is another scheme
// (missing), since no proof is checked here.
func (a *AccessToken) Inspect(ctx context.Context, h http.Header) context.Context {
	st := &TokenState{realm: a.realm, rec: a.rec}
	switch b := readBearer(h, false, false); b.state {
	case tokenMalformed:
		st.Status, st.Err = TokenInvalid, invalidRequestError(a.realm, b.problem)
	case tokenPresent:
		claims, err := a.validator.Validate(ctx, b.token)
		switch {
		case err != nil:
			st.Status, st.Err = TokenInvalid, b.refuse(a.realm, err)
		case otherBinding(claims):
			st.Status, st.Err = TokenInvalid, unsupportedBindingError(a.realm)
		case claims.DPoPThumbprint() != "":
			st.Status, st.Err = TokenInvalid, boundTokenError(a.realm)
		default:
			st.Status = TokenValid
			ctx = validator.NewContext(ctx, claims)
		}
	default:
		st.Err = missingTokenError(a.realm)
	}
	return context.WithValue(ctx, stateKey{}, st)
}

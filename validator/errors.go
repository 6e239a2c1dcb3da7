package validator

import (
	"errors"
)

// Reason is the stable, machine-readable code of a validation failure, for logs, metrics
// and tools. Codes never change meaning; new ones may be added.
type Reason string

// Reason codes. Every error returned by [Validator.Validate] carries exactly one.
const (
	ReasonMalformed       Reason = "malformed"        // not a well-formed compact JWS / JSON / claim type
	ReasonTooLarge        Reason = "too_large"        // longer than Config.MaxTokenSize
	ReasonAlgNotAllowed   Reason = "alg_not_allowed"  // header alg outside the allowlist (none and HS* never allowed)
	ReasonUnknownKey      Reason = "unknown_key"      // no usable key in the JWKS for the token's kid and alg
	ReasonBadSignature    Reason = "bad_signature"    // signature does not verify
	ReasonExpired         Reason = "expired"          // exp (plus leeway) has passed
	ReasonNotYetValid     Reason = "not_yet_valid"    // nbf (minus leeway) is in the future
	ReasonIssuedInFuture  Reason = "issued_in_future" // iat (minus leeway) is in the future
	ReasonWrongIssuer     Reason = "wrong_issuer"     // iss is not the configured issuer
	ReasonWrongAudience   Reason = "wrong_audience"   // aud holds none of the configured audiences
	ReasonWrongType       Reason = "wrong_type"       // typ is not at+jwt while Config.RequireType is set
	ReasonMissingClaim    Reason = "missing_claim"    // a required claim (exp, iss, aud, Config.RequiredClaims) is absent
	ReasonClaimMismatch   Reason = "claim_mismatch"   // a claim of Config.RequiredClaims has another value
	ReasonKeysUnavailable Reason = "keys_unavailable" // signing keys could not be obtained (not the token's fault)
	ReasonIssuerMismatch  Reason = "issuer_mismatch"  // the issuer's discovery document names another issuer (a configuration error)
)

// ErrInvalidToken is the class of every error that means the token must be rejected
// (HTTP 401 invalid_token). Every reason error below except [ErrKeysUnavailable] matches
// it with errors.Is.
var ErrInvalidToken = errors.New("invalid token")

// ErrKeysUnavailable means the issuer's signing keys could not be obtained and nothing
// usable is cached (HTTP 503): the token was not judged, through no fault of the caller.
// It does not match [ErrInvalidToken]. It is the reason sentinel of keys_unavailable (the
// issuer cannot be reached or serves no usable key set) and the class of
// [ErrIssuerMismatch].
var ErrKeysUnavailable error = &reasonError{reason: ReasonKeysUnavailable, msg: "signing keys unavailable"}

// ErrIssuerMismatch means the issuer's OIDC discovery document names an issuer other
// than Config.Issuer (often a trailing slash apart), so its keys are never fetched: a
// configuration error, not an outage. [New] fails with it when the document can be read
// at startup; when the issuer was unreachable then, Validate reports it for every token
// until the configuration is fixed. It matches [ErrKeysUnavailable] (the token was not
// judged: HTTP 503), never [ErrInvalidToken].
var ErrIssuerMismatch error = &reasonError{reason: ReasonIssuerMismatch, msg: "the discovery document names another issuer", class: ErrKeysUnavailable}

// Reason sentinels, each matching [ErrInvalidToken] with errors.Is.
var (
	ErrMalformed      error = tokenReason(ReasonMalformed, "malformed token")
	ErrTooLarge       error = tokenReason(ReasonTooLarge, "token too large")
	ErrAlgNotAllowed  error = tokenReason(ReasonAlgNotAllowed, "signing algorithm not allowed")
	ErrUnknownKey     error = tokenReason(ReasonUnknownKey, "no usable signing key for token")
	ErrBadSignature   error = tokenReason(ReasonBadSignature, "signature verification failed")
	ErrExpired        error = tokenReason(ReasonExpired, "token expired")
	ErrNotYetValid    error = tokenReason(ReasonNotYetValid, "token not yet valid")
	ErrIssuedInFuture error = tokenReason(ReasonIssuedInFuture, "token issued in the future")
	ErrWrongIssuer    error = tokenReason(ReasonWrongIssuer, "untrusted issuer")
	ErrWrongAudience  error = tokenReason(ReasonWrongAudience, "token not intended for this audience")
	ErrWrongType      error = tokenReason(ReasonWrongType, "wrong token type")
	ErrMissingClaim   error = tokenReason(ReasonMissingClaim, "required claim missing")
	ErrClaimMismatch  error = tokenReason(ReasonClaimMismatch, "claim has a value that is not accepted")
)

// reasonError is a sentinel: one per Reason.
type reasonError struct {
	reason Reason
	msg    string
	class  error // ErrInvalidToken or ErrKeysUnavailable; nil for ErrKeysUnavailable itself
}

func tokenReason(r Reason, msg string) *reasonError {
	return &reasonError{reason: r, msg: msg, class: ErrInvalidToken}
}

func (e *reasonError) Error() string { return e.msg }

// Is makes every reason match its class: ErrInvalidToken for the token reasons,
// ErrKeysUnavailable for issuer_mismatch.
func (e *reasonError) Is(target error) bool { return e.class != nil && target == e.class }

// Error is the concrete error returned by [Validator.Validate]. Its text is built from
// fixed descriptions and never contains token content (no kid, alg, claim names or
// values taken from the token).
//
// Match it with errors.Is against [ErrInvalidToken], [ErrKeysUnavailable] or a reason
// sentinel such as [ErrExpired]; use [ReasonOf] for the stable code.
type Error struct {
	// Reason is the stable code of the failure.
	Reason Reason
	// Description is a short fixed text, safe to return to clients
	// (e.g. in an RFC 6750 error_description).
	Description string
	// Err is the underlying cause for logs (a network or configuration error, never token
	// content); it may be nil.
	Err error

	sentinel error
}

func newError(sentinel error, description string, cause error) *Error {
	return &Error{Reason: sentinel.(*reasonError).reason, Description: description, Err: cause, sentinel: sentinel}
}

// Error returns the description, followed by the cause if there is one.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Description + ": " + e.Err.Error()
	}
	return e.Description
}

// Unwrap returns the reason sentinel and the cause, so errors.Is matches both.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.sentinel, e.Err}
	}
	return []error{e.sentinel}
}

// ReasonOf returns the stable reason code of err, or "" if err is nil or did not come
// from this package.
func ReasonOf(err error) Reason {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	var r *reasonError
	if errors.As(err, &r) {
		return r.reason
	}
	return ""
}

// fail returns a fresh copy of a failure template, so callers may keep, wrap or annotate
// the error without affecting other requests.
func fail(template *Error) *Error {
	e := *template
	return &e
}

// Failure templates: fixed descriptions, copied by fail before they are returned.
var (
	errTooLarge        = newError(ErrTooLarge, "token exceeds the size limit", nil)
	errEmpty           = newError(ErrMalformed, "token is empty", nil)
	errNotCompact      = newError(ErrMalformed, "token is not a compact JWS (three base64url segments)", nil)
	errEncoding        = newError(ErrMalformed, "token segment is not canonical base64url", nil)
	errHeaderJSON      = newError(ErrMalformed, "token header is not a valid JSON object (syntax or encoding)", nil)
	errHeaderDup       = newError(ErrMalformed, "token header has duplicate member names", nil)
	errPayloadJSON     = newError(ErrMalformed, "token payload is not a valid JSON object (syntax or encoding)", nil)
	errPayloadDup      = newError(ErrMalformed, "token payload has duplicate member names", nil)
	errAlgMissing      = newError(ErrMalformed, "token header has no alg", nil)
	errKidType         = newError(ErrMalformed, "token header kid is not a string", nil)
	errCrit            = newError(ErrMalformed, "token header lists critical parameters that are not understood", nil)
	errB64             = newError(ErrMalformed, "unencoded payloads are not supported", nil)
	errHeaderType      = newError(ErrMalformed, "token header member has the wrong type", nil)
	errAlg             = newError(ErrAlgNotAllowed, "signing algorithm not allowed", nil)
	errType            = newError(ErrWrongType, "token type is not at+jwt", nil)
	errNoKey           = newError(ErrUnknownKey, "no signing key matches the token", nil)
	errAmbiguousKey    = newError(ErrUnknownKey, "token has no kid and more than one key fits", nil)
	errSignature       = newError(ErrBadSignature, "signature verification failed", nil)
	errExpired         = newError(ErrExpired, "token expired", nil)
	errNotYetValid     = newError(ErrNotYetValid, "token not yet valid", nil)
	errIssuedFuture    = newError(ErrIssuedInFuture, "token issued in the future", nil)
	errIssuer          = newError(ErrWrongIssuer, "untrusted issuer", nil)
	errAudience        = newError(ErrWrongAudience, "token not intended for this audience", nil)
	errNoExp           = newError(ErrMissingClaim, "token has no exp claim", nil)
	errNoIss           = newError(ErrMissingClaim, "token has no iss claim", nil)
	errNoAud           = newError(ErrMissingClaim, "token has no aud claim", nil)
	errClaimType       = newError(ErrMalformed, "a registered claim has the wrong type", nil)
	errRequiredMissing = newError(ErrMissingClaim, "token lacks a required claim", nil)
	errClaimMismatch   = newError(ErrClaimMismatch, "a required claim has another value", nil)
	errListClaimType   = newError(ErrMalformed, "a scope, role or permission claim is neither a string nor an array of strings", nil)
)

// keysUnavailable is the error for a token that cannot be judged because no key set has
// been obtained: issuer_mismatch when the discovery document names another issuer (a
// configuration error), keys_unavailable for any other cause.
func keysUnavailable(cause error) *Error {
	if mismatch := (*issuerMismatchError)(nil); errors.As(cause, &mismatch) {
		return newError(ErrIssuerMismatch, "the configured issuer is not the one its discovery document names", cause)
	}
	return newError(ErrKeysUnavailable, "signing keys unavailable", cause)
}

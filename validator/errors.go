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
	// ReasonInactive: the introspection endpoint answered active false (RFC 7662).
	ReasonInactive Reason = "inactive"
	// ReasonIntrospectionUnavailable: the introspection endpoint could not be asked, or
	// did not answer usably (not the token's fault).
	ReasonIntrospectionUnavailable Reason = "introspection_unavailable"

	// Reasons of [DPoPChecker.Check], all of the [ErrInvalidDPoPProof] class.
	ReasonInvalidDPoPProof Reason = "invalid_dpop_proof" // malformed, typ, alg, jwk, signature, htm, htu, iat, ath or size
	ReasonDPoPReplayed     Reason = "dpop_replayed"      // jti already used within the window, or it cannot be recorded
	ReasonDPoPKeyMismatch  Reason = "dpop_key_mismatch"  // the proof key's thumbprint is not the token's cnf.jkt (or the token is not bound)
	ReasonUseDPoPNonce     Reason = "use_dpop_nonce"     // the server nonce is missing, unknown or stale
)

// ErrInvalidToken is the class of every error that means the token must be rejected
// (HTTP 401 invalid_token): every reason but keys_unavailable, issuer_mismatch and
// introspection_unavailable. Match it with errors.Is.
var ErrInvalidToken = errors.New("invalid token")

// ErrKeysUnavailable is the class of the errors that mean the token was not judged,
// through no fault of the caller (HTTP 503): the issuer's signing keys could not be
// obtained and nothing usable is cached (keys_unavailable), the issuer's discovery
// document names an issuer other than Config.Issuer (issuer_mismatch, a configuration
// error), or the introspection endpoint could not be asked or did not answer usably
// (introspection_unavailable: unreachable, slow, an error status, an answer too large
// or not a valid introspection response). Match it with errors.Is; it never matches
// [ErrInvalidToken].
var ErrKeysUnavailable = errors.New("signing keys unavailable")

// ErrInvalidDPoPProof is the class of every error of [DPoPChecker.Check]: the DPoP
// proof (RFC 9449) must be rejected (HTTP 401 with a DPoP challenge: invalid_dpop_proof,
// or use_dpop_nonce for [ReasonUseDPoPNonce]). Match it with errors.Is; it never matches
// [ErrInvalidToken] nor [ErrKeysUnavailable].
var ErrInvalidDPoPProof = errors.New("invalid DPoP proof")

// ReasonOf returns the reason code of err, an error of [Validator.Validate] or
// [DPoPChecker.Check], or one wrapping it. It returns "" for nil and for an error that
// did not come from either, the bare class sentinels [ErrInvalidToken],
// [ErrKeysUnavailable] and [ErrInvalidDPoPProof] included.
func ReasonOf(err error) Reason {
	var e *validationError
	if errors.As(err, &e) {
		return e.reason
	}
	return ""
}

// validationError is the error of Validate: one reason, a fixed description and, for
// the keys-unavailable class only, the underlying cause. Its text never contains token
// content (no kid, alg, claim names or values taken from the token).
type validationError struct {
	reason Reason
	desc   string // short and fixed, safe to return to clients (RFC 6750 error_description)
	cause  error  // a network or configuration error, for logs; nil for the token's faults
}

// Error returns the description, followed by the cause if there is one.
func (e *validationError) Error() string {
	if e.cause != nil {
		return e.desc + ": " + e.cause.Error()
	}
	return e.desc
}

// Is matches the error's class: ErrKeysUnavailable for keys_unavailable,
// issuer_mismatch and introspection_unavailable, ErrInvalidDPoPProof for the reasons of DPoPChecker.Check,
// ErrInvalidToken for every other reason.
func (e *validationError) Is(target error) bool {
	switch e.reason {
	case ReasonKeysUnavailable, ReasonIssuerMismatch, ReasonIntrospectionUnavailable:
		return target == ErrKeysUnavailable
	case ReasonInvalidDPoPProof, ReasonDPoPReplayed, ReasonDPoPKeyMismatch, ReasonUseDPoPNonce:
		return target == ErrInvalidDPoPProof
	}
	return target == ErrInvalidToken
}

// Unwrap returns the cause, so that errors.Is and errors.As reach it.
func (e *validationError) Unwrap() error { return e.cause }

// fail returns a fresh copy of a failure template, so callers may keep, wrap or annotate
// the error without affecting other requests.
func fail(template *validationError) *validationError {
	e := *template
	return &e
}

func newError(r Reason, desc string) *validationError {
	return &validationError{reason: r, desc: desc}
}

// Failure templates: fixed descriptions, copied by fail before they are returned.
var (
	errTooLarge        = newError(ReasonTooLarge, "token exceeds the size limit")
	errEmpty           = newError(ReasonMalformed, "token is empty")
	errNotCompact      = newError(ReasonMalformed, "token is not a compact JWS (three base64url segments)")
	errEncoding        = newError(ReasonMalformed, "token segment is not canonical base64url")
	errHeaderJSON      = newError(ReasonMalformed, "token header is not a valid JSON object (syntax or encoding)")
	errHeaderDup       = newError(ReasonMalformed, "token header has duplicate member names")
	errPayloadJSON     = newError(ReasonMalformed, "token payload is not a valid JSON object (syntax or encoding)")
	errPayloadDup      = newError(ReasonMalformed, "token payload has duplicate member names")
	errAlgMissing      = newError(ReasonMalformed, "token header has no alg")
	errKidType         = newError(ReasonMalformed, "token header kid is not a string")
	errCrit            = newError(ReasonMalformed, "token header lists critical parameters that are not understood")
	errB64             = newError(ReasonMalformed, "unencoded payloads are not supported")
	errHeaderType      = newError(ReasonMalformed, "token header member has the wrong type")
	errAlg             = newError(ReasonAlgNotAllowed, "signing algorithm not allowed")
	errType            = newError(ReasonWrongType, "token type is not at+jwt")
	errNoKey           = newError(ReasonUnknownKey, "no signing key matches the token")
	errAmbiguousKey    = newError(ReasonUnknownKey, "token has no kid and more than one key fits")
	errSignature       = newError(ReasonBadSignature, "signature verification failed")
	errExpired         = newError(ReasonExpired, "token expired")
	errNotYetValid     = newError(ReasonNotYetValid, "token not yet valid")
	errIssuedFuture    = newError(ReasonIssuedInFuture, "token issued in the future")
	errIssuer          = newError(ReasonWrongIssuer, "untrusted issuer")
	errAudience        = newError(ReasonWrongAudience, "token not intended for this audience")
	errNoExp           = newError(ReasonMissingClaim, "token has no exp claim")
	errNoIss           = newError(ReasonMissingClaim, "token has no iss claim")
	errNoAud           = newError(ReasonMissingClaim, "token has no aud claim")
	errClaimType       = newError(ReasonMalformed, "a registered claim has the wrong type")
	errRequiredMissing = newError(ReasonMissingClaim, "token lacks a required claim")
	errClaimMismatch   = newError(ReasonClaimMismatch, "a required claim has another value")
	errListClaimType   = newError(ReasonMalformed, "a scope, role or permission claim is neither a string nor an array of strings")
	errInactive        = newError(ReasonInactive, "token is not active")
	errNotAccessToken  = newError(ReasonWrongType, "token is not an access token")
	errCnfType         = newError(ReasonMalformed, "the cnf claim is not an object with a non-empty string jkt")
	errNotToken68      = newError(ReasonMalformed, "token is not a single token68 value")
)

// Failure templates of DPoPChecker.Check. Like the others they never quote the proof.
var (
	errDPoPTooLarge      = newError(ReasonInvalidDPoPProof, "DPoP proof exceeds the size limit")
	errDPoPNotCompact    = newError(ReasonInvalidDPoPProof, "DPoP proof is not a compact JWS (three canonical base64url segments)")
	errDPoPHeaderJSON    = newError(ReasonInvalidDPoPProof, "DPoP proof header is not a valid JSON object")
	errDPoPHeaderDup     = newError(ReasonInvalidDPoPProof, "DPoP proof header has duplicate member names")
	errDPoPPayloadJSON   = newError(ReasonInvalidDPoPProof, "DPoP proof payload is not a valid JSON object")
	errDPoPPayloadDup    = newError(ReasonInvalidDPoPProof, "DPoP proof payload has duplicate member names")
	errDPoPType          = newError(ReasonInvalidDPoPProof, "DPoP proof typ is not dpop+jwt")
	errDPoPAlg           = newError(ReasonInvalidDPoPProof, "DPoP proof signing algorithm not allowed")
	errDPoPHeaderMember  = newError(ReasonInvalidDPoPProof, "DPoP proof header member is missing or has the wrong type")
	errDPoPKeyRef        = newError(ReasonInvalidDPoPProof, "DPoP proof header refers to a key other than by its jwk member")
	errDPoPCrit          = newError(ReasonInvalidDPoPProof, "DPoP proof header lists critical parameters that are not understood")
	errDPoPPrivateKey    = newError(ReasonInvalidDPoPProof, "DPoP proof jwk holds private or symmetric key material")
	errDPoPKey           = newError(ReasonInvalidDPoPProof, "DPoP proof jwk is not a usable public key for its alg")
	errDPoPSignature     = newError(ReasonInvalidDPoPProof, "DPoP proof signature verification failed")
	errDPoPClaimMissing  = newError(ReasonInvalidDPoPProof, "DPoP proof lacks a required claim (jti, htm, htu, iat, ath)")
	errDPoPClaimType     = newError(ReasonInvalidDPoPProof, "DPoP proof claim has the wrong type")
	errDPoPJTI           = newError(ReasonInvalidDPoPProof, "DPoP proof jti is empty or too long")
	errDPoPMethod        = newError(ReasonInvalidDPoPProof, "DPoP proof htm does not match the request method")
	errDPoPURL           = newError(ReasonInvalidDPoPProof, "DPoP proof htu does not match the request URL")
	errDPoPTooOld        = newError(ReasonInvalidDPoPProof, "DPoP proof is too old (iat)")
	errDPoPFuture        = newError(ReasonInvalidDPoPProof, "DPoP proof is issued in the future (iat)")
	errDPoPATH           = newError(ReasonInvalidDPoPProof, "DPoP proof ath does not match the access token")
	errDPoPUnbound       = newError(ReasonDPoPKeyMismatch, "access token is not bound to a DPoP key (no cnf.jkt)")
	errDPoPKeyMismatch   = newError(ReasonDPoPKeyMismatch, "DPoP proof key does not match the access token's cnf.jkt")
	errDPoPReplayed      = newError(ReasonDPoPReplayed, "DPoP proof has already been used")
	errDPoPReplayFull    = newError(ReasonDPoPReplayed, "DPoP proof cannot be recorded against replay (replay cache full)")
	errDPoPReplayKeyFull = newError(ReasonDPoPReplayed, "DPoP proof cannot be recorded against replay (this key's share of the replay cache is full)")
	errDPoPNonceMissing  = newError(ReasonUseDPoPNonce, "DPoP proof lacks the server nonce")
	errDPoPNonce         = newError(ReasonUseDPoPNonce, "DPoP proof nonce is unknown or expired")
)

// keysUnavailable is the error for a token that cannot be judged because no key set has
// been obtained: issuer_mismatch when the discovery document names another issuer (a
// configuration error), keys_unavailable for any other cause.
func keysUnavailable(cause error) *validationError {
	if mismatch := (*issuerMismatchError)(nil); errors.As(cause, &mismatch) {
		return &validationError{reason: ReasonIssuerMismatch, desc: "the configured issuer is not the one its discovery document names", cause: cause}
	}
	return &validationError{reason: ReasonKeysUnavailable, desc: "signing keys unavailable", cause: cause}
}

package enforce

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// Code is an RFC 6750 §3.1 error code, the error attribute of a challenge and the
// "error" of a denial's body: one of the Code constants.
type Code string

// RFC 6750 §3.1 error codes, plus insufficient_permission for role, permission and
// ownership denials (same 403 status as insufficient_scope, without a scope attribute),
// RFC 9470's insufficient_user_authentication for step-up denials (401), and RFC 9449
// §7.1's invalid_dpop_proof and use_dpop_nonce for DPoP proofs (401).
const (
	CodeInvalidRequest                 Code = "invalid_request"                  // 400: malformed Authorization header or request
	CodeInvalidToken                   Code = "invalid_token"                    // 401: the access token is refused
	CodeInsufficientScope              Code = "insufficient_scope"               // 403: no security alternative's scopes held
	CodeInsufficientPermission         Code = "insufficient_permission"          // 403: role, permission or ownership denial
	CodeInsufficientUserAuthentication Code = "insufficient_user_authentication" // 401: step-up (acr, auth_time) not met
	CodeInvalidDPoPProof               Code = "invalid_dpop_proof"               // 401: DPoP header missing, repeated or its proof refused
	CodeUseDPoPNonce                   Code = "use_dpop_nonce"                   // 401: the proof must carry the server's nonce
)

// AuthScheme is a set of HTTP authentication schemes: those a denial challenges in its
// WWW-Authenticate header ([Error.Schemes]).
type AuthScheme uint8

// The authentication schemes of challenges.
const (
	// AuthBearer is the Bearer scheme of RFC 6750.
	AuthBearer AuthScheme = 1 << iota
	// AuthDPoP is the DPoP scheme of RFC 9449 §7.1, whose challenge also names the
	// accepted proof algorithms (algs).
	AuthDPoP
)

// Reason is the stable reason code of a decision, in [AuditRecord.Reason] and
// [Error.Reason]: one of the Reason constants, or for a refused token the
// validator.Reason of its error (malformed, expired, wrong_audience, inactive, ...;
// keys_unavailable or introspection_unavailable for a 503), with the same text. Logs
// and alerts may match on it.
type Reason string

// Reason codes of the enforcement, beside the token reasons of package validator.
// ReasonSkipped and ReasonUndocumentedRoute (with InsecureAllowUndocumented) also
// explain records whose outcome is [OutcomePassed]; ReasonOwnerLoader and
// ReasonServerError only appear in audit records, never in an [Error].
const (
	ReasonMissingToken           Reason = "missing_token"           // no bearer credentials
	ReasonInvalidRequest         Reason = "invalid_request"         // malformed Authorization header
	ReasonInvalidCredentials     Reason = "invalid_credentials"     // an Authenticator rejected its scheme's credentials
	ReasonInsufficientScope      Reason = "insufficient_scope"      // no security alternative's scopes are held
	ReasonInsufficientPermission Reason = "insufficient_permission" // a role or permission requirement failed
	ReasonNotOwner               Reason = "not_owner"               // the ownership rule failed
	// ReasonInsufficientUserAuthentication: the token's acr or auth_time does not meet
	// the operation's x-axioms-acr or x-axioms-max-age (RFC 9470 step-up).
	ReasonInsufficientUserAuthentication Reason = "insufficient_user_authentication"
	ReasonUndocumentedRoute              Reason = "undocumented_route" // the route has no operation in the document
	ReasonSkipped                        Reason = "skipped"            // the Skipper let the request through unchecked
	ReasonOwnerLoader                    Reason = "owner_loader"       // the owner loader answered with its own status (e.g. 404)
	ReasonServerError                    Reason = "server_error"       // a server-side failure: an owner loader's error, an object without the owner field
	// ReasonDPoPBoundToken: a DPoP-bound token (one with cnf.jkt) was presented with the
	// Bearer scheme, which would let whoever holds it use it without the key (RFC 9449
	// §7.2).
	ReasonDPoPBoundToken Reason = "dpop_bound_token"
	// ReasonDPoPRequired: a token was presented with the Bearer scheme to an operation
	// whose only accepting scheme requires DPoP (x-axioms-dpop: required).
	ReasonDPoPRequired Reason = "dpop_required"
	// ReasonUnsupportedBinding: the token is bound by a confirmation method (its cnf
	// claim, RFC 7800) other than DPoP's jkt, such as a certificate thumbprint
	// (x5t#S256, RFC 8705 mutual TLS) or a jwk: nothing here checks it, and accepting
	// the token would let whoever holds it use it without the key or certificate.
	ReasonUnsupportedBinding Reason = "unsupported_binding"
)

// tokenReason is the Reason of a token validation error, the one place where a
// validator reason becomes a Reason: introspection_unavailable for an introspection
// endpoint's failure, keys_unavailable for any other error matching
// validator.ErrKeysUnavailable (an outage, or a discovery document naming another
// issuer: the cause stays in [Error.Err]), else the error's validator reason, malformed
// when it carries none.
func tokenReason(err error) Reason {
	r := validator.ReasonOf(err)
	switch {
	case r == validator.ReasonIntrospectionUnavailable:
	case errors.Is(err, validator.ErrKeysUnavailable):
		r = validator.ReasonKeysUnavailable
	case r == "":
		r = validator.ReasonMalformed
	}
	return Reason(r)
}

// retryAfterSeconds is sent with 503 responses when signing keys are unavailable.
const retryAfterSeconds = 30

// Error is a denial: what is answered when a request may not proceed, as data. An
// adapter sets its headers ([Error.SetHeaders]) and answers with Status and [Error.Body]
// (or hands it to the application's error hook). Every denial is a fresh value, owned
// by the request that received it.
type Error struct {
	// Status is the HTTP status: 400, 401, 403 or 503 (an Authenticator's error may
	// carry another status of 400 or above).
	Status int
	// Code is the RFC 6750 error code (invalid_request, invalid_token,
	// insufficient_scope, insufficient_permission, insufficient_user_authentication,
	// invalid_dpop_proof, use_dpop_nonce), or "" for a request without
	// credentials, which RFC 6750 §3.1 answers without an error code.
	Code Code
	// Description is a short fixed text for error_description; never token content.
	Description string
	// Scope lists the scopes that would satisfy the operation (insufficient_scope only):
	// all the scopes of the security alternative missing the fewest (RFC 6750 §3: "the
	// scope necessary to access the requested resource").
	Scope []string
	// ACRValues lists the acr values any of which would satisfy the operation
	// (insufficient_user_authentication only, when it declares x-axioms-acr), in
	// document order: the acr_values attribute of RFC 9470.
	ACRValues []string
	// MaxAge is the largest age in seconds of the authentication the operation accepts
	// (insufficient_user_authentication only, when it declares x-axioms-max-age), 0
	// otherwise: the max_age attribute of RFC 9470.
	MaxAge int
	// Schemes are the authentication schemes the WWW-Authenticate header challenges,
	// one header value each, Bearer first: [AuthBearer] (the zero value stands for it),
	// [AuthDPoP], or both (a missing token on an operation whose scheme allows DPoP).
	// Denials of requests that presented a DPoP token challenge DPoP.
	Schemes AuthScheme
	// Algs lists the DPoP proof algorithms accepted, the algs attribute of the DPoP
	// challenge (RFC 9449 §7.1); nil when Schemes does not include [AuthDPoP].
	Algs []string
	// Nonce is the server nonce a DPoP client must put in its next proof, sent as the
	// DPoP-Nonce response header (RFC 9449 §8): set with use_dpop_nonce, "" otherwise.
	Nonce string
	// Reason is the stable reason code: see [Reason].
	Reason Reason
	// Err is the underlying cause, for logs.
	Err error

	realm string
}

// Error returns a log line: status, code, reason and description.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("axioms: ")
	b.WriteString(strconv.Itoa(e.Status))
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(string(e.Code))
	}
	b.WriteString(" (")
	b.WriteString(string(e.Reason))
	b.WriteString(")")
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Body is the JSON body of a denial: {"error": ..., "error_description": ...}. A fresh
// value per denial.
type Body struct {
	// Error is the RFC 6750 error code (invalid_request, invalid_token,
	// insufficient_scope, insufficient_permission, insufficient_user_authentication,
	// and RFC 9449's invalid_dpop_proof and use_dpop_nonce), or for denials without one
	// "unauthorized" (401 without credentials), "forbidden" (an undocumented route) or
	// "temporarily_unavailable" (503).
	Error string `json:"error"`
	// ErrorDescription is a short fixed text (the [Error]'s Description); never token
	// or request content.
	ErrorDescription string `json:"error_description"`
}

// Body returns the JSON body of the denial. Denials without an RFC 6750 code (no
// credentials, an undocumented route, keys unavailable) say "unauthorized", "forbidden"
// or "temporarily_unavailable"; another status without a code says "error".
func (e *Error) Body() Body {
	code := string(e.Code)
	if code == "" {
		switch e.Status {
		case http.StatusUnauthorized:
			code = "unauthorized"
		case http.StatusForbidden:
			code = "forbidden"
		case http.StatusServiceUnavailable:
			code = "temporarily_unavailable"
		default:
			code = "error"
		}
	}
	return Body{Error: code, ErrorDescription: e.Description}
}

// Challenge returns the WWW-Authenticate header value for e, the first of
// [Error.Challenges]: "" when there is none.
func (e *Error) Challenge() string {
	if !e.challenged() {
		return ""
	}
	if e.Schemes == 0 || e.Schemes&AuthBearer != 0 {
		return e.challenge("Bearer")
	}
	return e.challenge("DPoP")
}

// Challenges returns the WWW-Authenticate header values for e, one per scheme of
// [Error.Schemes], Bearer first: for every 401, for 400 and 403 when they carry an
// error code, never otherwise (503, an undocumented route). Values are quoted and
// escaped; none comes from the token or the request.
func (e *Error) Challenges() []string {
	if !e.challenged() {
		return nil
	}
	var out []string
	if e.Schemes == 0 || e.Schemes&AuthBearer != 0 {
		out = append(out, e.challenge("Bearer"))
	}
	if e.Schemes&AuthDPoP != 0 {
		out = append(out, e.challenge("DPoP"))
	}
	return out
}

// challenged reports whether e is answered with a WWW-Authenticate header.
func (e *Error) challenged() bool {
	switch {
	case e.Status == http.StatusUnauthorized:
	case (e.Status == http.StatusBadRequest || e.Status == http.StatusForbidden) && e.Code != "":
	default:
		return false
	}
	return true
}

// challenge renders the challenge of scheme ("Bearer" or "DPoP"): the realm, the error
// attributes, and for DPoP the accepted algorithms.
func (e *Error) challenge(scheme string) string {
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString(" realm=")
	b.WriteString(quote(e.realm))
	if e.Code != "" {
		b.WriteString(", error=")
		b.WriteString(quote(string(e.Code)))
		if e.Description != "" {
			b.WriteString(", error_description=")
			b.WriteString(quote(e.Description))
		}
		if len(e.Scope) > 0 {
			b.WriteString(", scope=")
			b.WriteString(quote(strings.Join(e.Scope, " ")))
		}
		if len(e.ACRValues) > 0 {
			b.WriteString(", acr_values=")
			b.WriteString(quote(strings.Join(e.ACRValues, " ")))
		}
		if e.MaxAge > 0 {
			b.WriteString(", max_age=")
			b.WriteString(quote(strconv.Itoa(e.MaxAge)))
		}
	}
	if scheme == "DPoP" && len(e.Algs) > 0 {
		b.WriteString(", algs=")
		b.WriteString(quote(strings.Join(e.Algs, " ")))
	}
	return b.String()
}

// SetHeaders sets the response headers of the denial in h: WWW-Authenticate when
// [Error.Challenges] is not empty (one value per challenge), DPoP-Nonce when
// [Error.Nonce] is set, Retry-After (30 seconds) for a 503, and Cache-Control: no-store
// for every status below 500.
func (e *Error) SetHeaders(h http.Header) {
	if e.Schemes&AuthDPoP == 0 {
		if ch := e.Challenge(); ch != "" {
			h.Set("WWW-Authenticate", ch)
		}
	} else {
		h.Del("WWW-Authenticate")
		for _, ch := range e.Challenges() {
			h.Add("WWW-Authenticate", ch)
		}
	}
	if e.Nonce != "" {
		h.Set("DPoP-Nonce", e.Nonce)
	}
	if e.Status == http.StatusServiceUnavailable {
		h.Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	}
	if e.Status < http.StatusInternalServerError {
		h.Set("Cache-Control", "no-store")
	}
}

// quote renders s as an RFC 7230 quoted-string: backslash and double quote are escaped,
// and characters RFC 6750 §3 excludes from attribute values (controls, non-ASCII) are
// dropped.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			// dropped
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// The denials. Each call returns a fresh value.

func missingTokenError(realm string) *Error {
	return &Error{Status: http.StatusUnauthorized, Description: "authentication required", Reason: ReasonMissingToken, realm: realm}
}

func invalidRequestError(realm, desc string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidRequest, Description: desc, Reason: ReasonInvalidRequest, realm: realm}
}

// tokenError maps a validation error: keys or introspection unavailable → 503,
// anything else → 401.
func tokenError(realm string, err error) *Error {
	if errors.Is(err, validator.ErrKeysUnavailable) {
		desc := "signing keys are temporarily unavailable"
		reason := tokenReason(err)
		if reason == Reason(validator.ReasonIntrospectionUnavailable) {
			desc = "the token could not be checked: introspection is unavailable"
		}
		return &Error{Status: http.StatusServiceUnavailable, Description: desc, Reason: reason, Err: err, realm: realm}
	}
	desc := "the access token is invalid"
	// The validator's error ends err's chain (a token's fault has no cause); its text is a
	// fixed description, never token content.
	inner := err
	for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
		inner = u
	}
	if _, joined := inner.(interface{ Unwrap() []error }); !joined && validator.ReasonOf(inner) != "" {
		desc = inner.Error()
	}
	return &Error{Status: http.StatusUnauthorized, Code: CodeInvalidToken, Description: desc, Reason: tokenReason(err), Err: err, realm: realm}
}

// credentialsError maps an Authenticator's error: its own status (see [ErrorStatus])
// when it carries one of 400 or above, else 401; the error is kept as the cause.
func credentialsError(realm, scheme string, err error, status ErrorStatus) *Error {
	e := &Error{Status: http.StatusUnauthorized, Description: "the credentials for " + scheme + " are invalid",
		Reason: ReasonInvalidCredentials, Err: err, realm: realm}
	if code, _ := status(err); code >= 400 {
		e.Status = code
	}
	return e
}

func insufficientScopeError(realm string, scopes []string) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeInsufficientScope, Description: "the access token lacks a required scope",
		Scope: scopes, Reason: ReasonInsufficientScope, realm: realm}
}

func insufficientPermissionError(realm string, reason Reason, desc string) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeInsufficientPermission, Description: desc, Reason: reason, realm: realm}
}

func roleError(realm string) *Error {
	return insufficientPermissionError(realm, ReasonInsufficientPermission, "the access token lacks a required role")
}

func permissionError(realm string) *Error {
	return insufficientPermissionError(realm, ReasonInsufficientPermission, "the access token lacks a required permission")
}

func noOwnerClaimError(realm string) *Error {
	return insufficientPermissionError(realm, ReasonNotOwner, "the access token does not identify an owner")
}

func notOwnerError(realm string) *Error {
	return insufficientPermissionError(realm, ReasonNotOwner, "the caller does not own this resource")
}

// stepUpError is the RFC 9470 denial: 401 insufficient_user_authentication naming every
// step-up requirement of the operation. acrFailed says whether the acr failed (else the
// authentication's age).
func stepUpError(realm string, p *openapi.Policy, acrFailed bool) *Error {
	desc := "the authentication is too old"
	if acrFailed {
		desc = "a stronger authentication is required"
	}
	return &Error{Status: http.StatusUnauthorized, Code: CodeInsufficientUserAuthentication, Description: desc,
		ACRValues: p.ACR, MaxAge: p.MaxAge, Reason: ReasonInsufficientUserAuthentication, realm: realm}
}

func undocumentedError(realm string) *Error {
	return &Error{Status: http.StatusForbidden, Description: "the route is not described by the API document", Reason: ReasonUndocumentedRoute, realm: realm}
}

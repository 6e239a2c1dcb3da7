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
// and RFC 9470's insufficient_user_authentication for step-up denials (401).
const (
	CodeInvalidRequest                 Code = "invalid_request"
	CodeInvalidToken                   Code = "invalid_token"
	CodeInsufficientScope              Code = "insufficient_scope"
	CodeInsufficientPermission         Code = "insufficient_permission"
	CodeInsufficientUserAuthentication Code = "insufficient_user_authentication"
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
	// insufficient_scope, insufficient_permission, insufficient_user_authentication),
	// or "" for a request without
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
	// insufficient_scope, insufficient_permission, insufficient_user_authentication),
	// or for denials without one "unauthorized" (401 without credentials), "forbidden"
	// (an undocumented route) or "temporarily_unavailable" (503).
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

// Challenge returns the WWW-Authenticate header value for e: always for 401, for 400
// and 403 when they carry an RFC 6750 code, never otherwise (503, an undocumented
// route). Values are quoted and escaped; none comes from the token or the request.
func (e *Error) Challenge() string {
	switch {
	case e.Status == http.StatusUnauthorized:
	case (e.Status == http.StatusBadRequest || e.Status == http.StatusForbidden) && e.Code != "":
	default:
		return ""
	}
	var b strings.Builder
	b.WriteString("Bearer realm=")
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
	return b.String()
}

// SetHeaders sets the response headers of the denial in h: WWW-Authenticate when
// [Error.Challenge] is not empty, Retry-After (30 seconds) for a 503, and
// Cache-Control: no-store for every status below 500.
func (e *Error) SetHeaders(h http.Header) {
	if ch := e.Challenge(); ch != "" {
		h.Set("WWW-Authenticate", ch)
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

package echoaxioms

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/enforce"
)

// Code is an RFC 6750 §3.1 error code, the error attribute of a challenge and the
// "error" of a denial's body: one of the Code constants. See enforce.Code.
type Code = enforce.Code

// RFC 6750 §3.1 error codes, plus insufficient_permission for role, permission and
// ownership denials (same 403 status as insufficient_scope, without a scope attribute),
// RFC 9470's insufficient_user_authentication (step-up) and RFC 9449's DPoP codes.
const (
	CodeInvalidRequest         = enforce.CodeInvalidRequest         // 400: malformed Authorization header or request
	CodeInvalidToken           = enforce.CodeInvalidToken           // 401: the access token is refused
	CodeInsufficientScope      = enforce.CodeInsufficientScope      // 403: no security alternative's scopes held
	CodeInsufficientPermission = enforce.CodeInsufficientPermission // 403: role, permission or ownership denial

	CodeInsufficientUserAuthentication = enforce.CodeInsufficientUserAuthentication // 401: step-up (acr, auth_time) not met
	CodeInvalidDPoPProof               = enforce.CodeInvalidDPoPProof               // 401: DPoP header missing, repeated or its proof refused
	CodeUseDPoPNonce                   = enforce.CodeUseDPoPNonce                   // 401: the proof must carry the server's nonce
)

// Reason is the stable reason code of a decision, in [AuditRecord.Reason] and
// [Error.Reason]: one of the Reason constants, or for a refused token the
// validator.Reason of its error, with the same text. See enforce.Reason.
type Reason = enforce.Reason

// Reason codes of the middleware and the helpers, beside the token reasons of package
// validator: see enforce.Reason. ReasonOwnerLoader is the reason of an owner loader's
// own *echo.HTTPError (e.g. 404).
const (
	ReasonMissingToken           = enforce.ReasonMissingToken           // no bearer credentials
	ReasonInvalidRequest         = enforce.ReasonInvalidRequest         // malformed Authorization header
	ReasonInvalidCredentials     = enforce.ReasonInvalidCredentials     // an Authenticator rejected its scheme's credentials
	ReasonInsufficientScope      = enforce.ReasonInsufficientScope      // no security alternative's scopes are held
	ReasonInsufficientPermission = enforce.ReasonInsufficientPermission // a role or permission requirement failed
	ReasonNotOwner               = enforce.ReasonNotOwner               // the ownership rule failed
	ReasonUndocumentedRoute      = enforce.ReasonUndocumentedRoute      // the route has no operation in the document
	ReasonSkipped                = enforce.ReasonSkipped                // the Skipper let the request through unchecked
	ReasonOwnerLoader            = enforce.ReasonOwnerLoader            // the owner loader answered with its own status (e.g. 404)
	ReasonServerError            = enforce.ReasonServerError            // a server-side failure: an owner loader's error, an object without the owner field

	ReasonInsufficientUserAuthentication = enforce.ReasonInsufficientUserAuthentication // the token's acr or auth_time does not meet x-axioms-acr or x-axioms-max-age
	ReasonDPoPBoundToken                 = enforce.ReasonDPoPBoundToken                 // a DPoP-bound token presented with the Bearer scheme
	ReasonDPoPRequired                   = enforce.ReasonDPoPRequired                   // a Bearer token where the scheme requires DPoP
	ReasonUnsupportedBinding             = enforce.ReasonUnsupportedBinding             // a token bound by a confirmation method other than DPoP's
)

// Error is a denial: what the middleware answers when a request may not proceed. It is
// what [Config.ErrorHandler] receives, and what the returned *echo.HTTPError carries in
// its Internal field. Every denial is a fresh value. See enforce.Error.
type Error = enforce.Error

// Body is the JSON body of a denial: {"error": ..., "error_description": ...}; the
// Message of the *echo.HTTPError a denial returns. A fresh value per denial. See
// enforce.Body.
type Body = enforce.Body

// answer ends a request the way Echo ends it: a denial with its headers set, through
// handler (Config.ErrorHandler; nil for none) or as a fresh *echo.HTTPError whose
// Message is the [Body] and Internal the [*Error]; an owner loader's *echo.HTTPError
// (e.g. 404) as it is; any other failure as a fresh 500 carrying it in Internal.
func answer(c echo.Context, res enforce.Result, handler func(echo.Context, *Error) error) error {
	denial := res.Denial
	if denial == nil {
		var he *echo.HTTPError
		if errors.As(res.Err, &he) {
			return res.Err
		}
		return &echo.HTTPError{Code: res.Status, Message: http.StatusText(res.Status), Internal: res.Err}
	}
	denial.SetHeaders(c.Response().Header())
	he := &echo.HTTPError{Code: denial.Status, Message: denial.Body(), Internal: denial}
	if handler == nil {
		return he
	}
	if err := handler(c, denial); err != nil {
		return err
	}
	if !c.Response().Committed {
		// The hook returned nil without answering: the request still ends, denied.
		return he
	}
	return nil
}

// errorStatus is the one classifier of Authenticators' and OwnerLoaders' errors
// (enforce.ErrorStatus): an *echo.HTTPError carries its Code, and a server-side failure
// logs what it carries in Internal, or itself when it carries nothing.
func errorStatus(err error) (int, error) {
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return 0, err
	}
	if he.Internal != nil {
		return he.Code, he.Internal
	}
	return he.Code, he
}

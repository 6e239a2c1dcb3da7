package echo5axioms

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/enforce"
)

// Error is a denial: what the middleware answers when a request may not proceed. It is
// what [Config.ErrorHandler] receives, and what the error returned to Echo's
// HTTPErrorHandler unwraps to (errors.As). Every denial is a fresh value. See
// enforce.Error.
type Error = enforce.Error

// Body is the JSON body of a denial: {"error": ..., "error_description": ...}, what
// Echo's default HTTPErrorHandler writes for the error a denial returns. A fresh value
// per denial. See enforce.Body.
type Body = enforce.Body

// denialError is how a denial reaches Echo's HTTPErrorHandler: an
// echo.HTTPStatusCoder (the denial's status) and a json.Marshaler (its [Body]), which
// echo.DefaultHTTPErrorHandler writes as it is, unwrapping to the [*Error].
type denialError struct{ denial *Error }

func (d *denialError) Error() string   { return d.denial.Error() }
func (d *denialError) Unwrap() error   { return d.denial }
func (d *denialError) StatusCode() int { return d.denial.Status }

func (d *denialError) MarshalJSON() ([]byte, error) { return json.Marshal(d.denial.Body()) }

// answer ends a request the way Echo ends it: a denial with its headers set, through
// handler (Config.ErrorHandler; nil for none) or as a fresh error that Echo's
// HTTPErrorHandler renders as its [Body]; an owner loader's error that carries a status
// (e.g. echo.ErrNotFound) as it is; any other failure as a fresh 500 *echo.HTTPError
// wrapping it.
func answer(c *echo.Context, res enforce.Result, handler func(*echo.Context, *Error) error) error {
	denial := res.Denial
	if denial == nil {
		if echo.StatusCode(res.Err) != 0 {
			return res.Err
		}
		return echo.NewHTTPError(res.Status, http.StatusText(res.Status)).Wrap(res.Err)
	}
	denial.SetHeaders(c.Response().Header())
	err := &denialError{denial}
	if handler == nil {
		return err
	}
	if herr := handler(c, denial); herr != nil {
		return herr
	}
	if resp, _ := echo.UnwrapResponse(c.Response()); resp == nil || !resp.Committed {
		// The hook returned nil without answering: the request still ends, denied.
		return err
	}
	return nil
}

// errorStatus is the one classifier of Authenticators' and OwnerLoaders' errors
// (enforce.ErrorStatus): an error carries the status of the first echo.HTTPStatusCoder
// it holds (an *echo.HTTPError, echo.ErrNotFound...), and a server-side failure logs
// what an *echo.HTTPError wraps, or the error itself when it wraps nothing.
func errorStatus(err error) (int, error) {
	status := echo.StatusCode(err)
	var he *echo.HTTPError
	if status != 0 && errors.As(err, &he) && he.Unwrap() != nil {
		return status, he.Unwrap()
	}
	return status, err
}

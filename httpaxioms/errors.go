package httpaxioms

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/axioms-go/axioms-echo/enforce"
)

// Error is a denial: what the middleware answers when a request may not proceed, and
// what [Config.ErrorHandler] receives. Every denial is a fresh value. See enforce.Error.
type Error = enforce.Error

// Body is the JSON body of a denial: {"error": ..., "error_description": ...}. A fresh
// value per denial. See enforce.Body.
type Body = enforce.Body

// StatusError is an error that answers with its own HTTP status: an [OwnerLoader] (or
// the loader of [RequireOwner]) returns one for an object that does not exist (Status
// 404), an [Authenticator] one for credentials it answers with another status than 401.
// The answer is Status with its http.StatusText as a plain-text body; Err, the cause,
// is for logs and is never sent.
type StatusError struct {
	// Status is the HTTP status: 400 or above.
	Status int
	// Err is the cause; nil for none.
	Err error
}

// Error returns the status and its text, then the cause if there is one.
func (e *StatusError) Error() string {
	s := strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *StatusError) Unwrap() error { return e.Err }

// errorStatus is the one classifier of Authenticators' and OwnerLoaders' errors
// (enforce.ErrorStatus): a *StatusError carries its Status, and a server-side failure
// logs its cause, or itself when it has none.
func errorStatus(err error) (int, error) {
	var se *StatusError
	if !errors.As(err, &se) {
		return 0, err
	}
	if se.Err != nil {
		return se.Status, se.Err
	}
	return se.Status, se
}

// answer ends a request the core refused: a denial with its headers set, through
// handler (Config.ErrorHandler; nil for none) or as its status and JSON [Body]; an owner
// loader's *StatusError (e.g. 404) or a server-side failure (500) as its status and
// text.
func answer(w http.ResponseWriter, r *http.Request, res enforce.Result, handler func(http.ResponseWriter, *http.Request, *Error)) {
	denial := res.Denial
	if denial == nil {
		http.Error(w, http.StatusText(res.Status), res.Status)
		return
	}
	denial.SetHeaders(w.Header())
	if handler != nil {
		tw := &trackingWriter{ResponseWriter: w}
		handler(tw, r, denial)
		if tw.wrote {
			return
		}
		// The hook wrote nothing: the request still ends, denied.
	}
	body, _ := json.Marshal(denial.Body()) // two strings: never fails
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(denial.Status)
	_, _ = w.Write(append(body, '\n'))
}

// trackingWriter records whether an ErrorHandler wrote a response.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(p)
}

// Unwrap returns the response writer, for http.ResponseController.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

package openapi

import (
	"errors"
	"strings"
)

// Problem is one located finding in a document: an error that stops loading, or a lint
// warning. Method and Path are empty for document-level findings.
type Problem struct {
	// Method is the operation's method ("GET"), "" for findings outside an operation.
	Method string
	// Path is the operation's path template as written in the document.
	Path string
	// Pointer is a JSON Pointer into the document, in URI-fragment form
	// ("#/paths/~1articles~1{id}/get/x-axioms-roles").
	Pointer string
	// Message says what is wrong, and how to fix it where that is not obvious.
	Message string
	// Warning is true for lint findings, which never stop loading.
	Warning bool
}

// Error renders the problem with its location:
// "GET /a/{id} (#/paths/~1a~1{id}/get/x-axioms-roles): message".
func (p *Problem) Error() string {
	var b strings.Builder
	if p.Method != "" || p.Path != "" {
		b.WriteString(p.Method)
		if p.Method != "" && p.Path != "" {
			b.WriteByte(' ')
		}
		b.WriteString(p.Path)
		b.WriteByte(' ')
	}
	if p.Pointer != "" {
		b.WriteString("(")
		b.WriteString(p.Pointer)
		b.WriteString("): ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems returns every *Problem inside err (which [Load] builds with errors.Join), in
// order. It returns nil if err holds none.
func Problems(err error) []*Problem {
	var out []*Problem
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if p, ok := e.(*Problem); ok {
			out = append(out, p)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range j.Unwrap() {
				walk(inner)
			}
			return
		}
		walk(errors.Unwrap(e))
	}
	walk(err)
	return out
}

// tokenEscaper escapes a JSON Pointer reference token (RFC 6901 §3).
var tokenEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func escapeToken(t string) string {
	if !strings.ContainsAny(t, "~/") {
		return t
	}
	return tokenEscaper.Replace(t)
}

// pointer builds a JSON Pointer in URI-fragment form from reference tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	b.WriteByte('#')
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

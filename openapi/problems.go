package openapi

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one located finding in a document: an error, which stops loading, or a lint
// warning, which does not. Findings about the document as a whole have no Method or
// Path. kin-openapi's validation findings are located as far as kin-openapi says (the
// section, component, path or operation); a reference that is not followed and is used
// in several places names them in its message.
type Problem struct {
	// Method is the operation's method ("GET"); "" for findings outside an operation.
	Method string
	// Path is the path template as written in the document ("/a/{id}"); "" for findings
	// outside a path item.
	Path string
	// Pointer is a JSON Pointer (RFC 6901) into the document, prefixed by '#'
	// ("#/paths/~1a~1{id}/get/x-axioms-roles"): '~' and '/' are escaped as ~0 and ~1,
	// nothing is percent-encoded (so it is not a URI fragment: "{" stays as written).
	// "" when unknown.
	Pointer string
	// Line and Column locate Pointer in the text of the document loaded, both counted
	// from 1 (Column in bytes), as set by [Load], [LoadData] and [LoadFS]: the position of
	// the member's key, or of the array element. When the text does not hold the whole
	// pointer (a member kin-openapi fills in, a path through a $ref, an object in another
	// file), they locate the deepest part it holds: a $ref is located where it is
	// written. 0 when unknown: no Pointer, or a document that does not parse.
	// [Problem.Error] does not show them.
	Line, Column int
	// Message says what is wrong and, where it is not obvious, how to fix it.
	Message string
	// Warning is true for lint findings, which never stop loading.
	Warning bool
}

// Error renders the problem with its location:
// "GET /a/{id} (#/paths/~1a~1{id}/get/x-axioms-roles): message". Parts that are empty
// are left out.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Method)
	if p.Path != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.Path)
	}
	if p.Pointer != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("(")
		b.WriteString(p.Pointer)
		b.WriteString(")")
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems returns every *Problem inside err, in order: the located errors of a document
// that failed to load ([Load] joins them, so that one run shows them all). It returns
// nil when err holds none, as for an error reading the file.
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

// Warnings returns the lint warnings found in a document that failed to load, when err
// is (or wraps) the error [Load], [LoadData] or [LoadFS] returned; nil otherwise. The
// warnings of a document that loads are [Policies.Warnings].
func Warnings(err error) []*Problem {
	var l *problemList
	if errors.As(err, &l) {
		return append([]*Problem(nil), l.warnings...)
	}
	return nil
}

// problemList is the error of a document that does not compile: its problems joined,
// each on its own line, like errors.Join, and the warnings found on the way.
type problemList struct {
	errs     []error
	warnings []*Problem
}

func newProblemList(problems, warnings []*Problem) *problemList {
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return &problemList{errs: errs, warnings: warnings}
}

func (l *problemList) Error() string {
	var b strings.Builder
	if len(l.errs) == 1 {
		b.WriteString("openapi: 1 problem in the document:")
	} else {
		fmt.Fprintf(&b, "openapi: %d problems in the document:", len(l.errs))
	}
	for _, e := range l.errs {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

func (l *problemList) Unwrap() []error { return l.errs }

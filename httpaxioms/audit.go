package httpaxioms

import (
	"context"
	"net/http"

	"github.com/axioms-go/axioms-echo/enforce"
)

// AuditRecord describes one decision; it never holds token content. Route is the host
// and path of the pattern the mux matched ("/articles/{id}",
// "admin.example.com/users/{id}"), Method the operation's method (a "GET" pattern's
// operation for a HEAD request), or the request's for a request without an operation;
// Check is "" for a decision of the middleware ([Config]) and the helper's name for a
// decision of a Require… helper. See enforce.AuditRecord.
type AuditRecord = enforce.AuditRecord

// auditHook converts an audit hook to the core's form, once; nil stays nil.
func auditHook(hook func(*http.Request, AuditRecord)) func(context.Context, any, AuditRecord) {
	if hook == nil {
		return nil
	}
	return func(_ context.Context, req any, rec AuditRecord) { hook(req.(*http.Request), rec) }
}

package echo5axioms

import (
	"context"

	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/enforce"
)

// AuditRecord describes one decision; it never holds token content. Method and Route
// are the method and the path of the route Echo matched (c.RouteInfo()), even when a
// method override changed the request's method after routing; Check is "" for a
// decision of the spec middleware ([Config]) and the helper's name for a decision of a
// Require… helper. See enforce.AuditRecord.
type AuditRecord = enforce.AuditRecord

// auditHook converts an audit hook to the core's form, once; nil stays nil.
func auditHook(hook func(*echo.Context, AuditRecord)) func(context.Context, any, AuditRecord) {
	if hook == nil {
		return nil
	}
	return func(_ context.Context, req any, r AuditRecord) { hook(contextOf(req), r) }
}

package echoaxioms

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/enforce"
)

// Outcome is what a decision did with a request, in [AuditRecord.Outcome]: one of the
// Outcome constants. Its text is stable: logs and alerts may match on it. See
// enforce.Outcome.
type Outcome = enforce.Outcome

// Outcomes of a decision: see enforce.Outcome.
const (
	OutcomeAllowed   = enforce.OutcomeAllowed   // authenticated and authorized
	OutcomeDenied    = enforce.OutcomeDenied    // answered with an error status
	OutcomePublic    = enforce.OutcomePublic    // public operation: no check
	OutcomeAnonymous = enforce.OutcomeAnonymous // optional authentication, no credentials
	OutcomePassed    = enforce.OutcomePassed    // let through unchecked: Skipper (reason skipped) or InsecureAllowUndocumented (undocumented_route)
)

// AuditRecord describes one decision; it never holds token content. Route is the route
// Echo matched (c.Path()); Check is "" for a decision of the spec middleware ([Config])
// and the helper's name for a decision of a Require… helper. See enforce.AuditRecord.
type AuditRecord = enforce.AuditRecord

// auditHook converts an audit hook to the core's form, once; nil stays nil.
func auditHook(hook func(echo.Context, AuditRecord)) func(context.Context, any, AuditRecord) {
	if hook == nil {
		return nil
	}
	return func(_ context.Context, req any, r AuditRecord) { hook(req.(echo.Context), r) }
}

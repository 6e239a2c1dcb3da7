package echoaxioms

import (
	"log/slog"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/openapi"
)

// Outcomes of a decision, in [AuditRecord.Outcome].
const (
	OutcomeAllowed   = "allowed"   // authenticated and authorized
	OutcomeDenied    = "denied"    // answered with an error status
	OutcomePublic    = "public"    // public operation: no check
	OutcomeAnonymous = "anonymous" // optional authentication, no credentials
	OutcomePassed    = "passed"    // undocumented route let through by InsecureAllowUndocumented
)

// AuditRecord describes one decision. It never holds token content.
type AuditRecord struct {
	// OperationID is the document's operationId ("" if none, or undocumented route).
	OperationID string
	// Method and Route are the request method and the route Echo matched (c.Path()).
	Method, Route string
	// Subject is the authenticated subject (the token's sub), "" when anonymous.
	Subject string
	// Outcome is one of the Outcome constants.
	Outcome string
	// Status is the HTTP status answered for a denial, 200 otherwise (the handler's own
	// status is not known yet).
	Status int
	// Reason is the stable reason code of a denial ("" otherwise): a validator reason
	// (expired, bad_signature, ...) or one of this package's Reason constants.
	Reason string
}

func (m *engine) observed() bool { return m.auditHook != nil || m.logger != nil }

func (m *engine) record(c echo.Context, p *openapi.Policy, principal openapi.Principal, outcome string, status int, reason string) {
	r := AuditRecord{Method: c.Request().Method, Route: c.Path(), Outcome: outcome, Status: status, Reason: reason}
	if p != nil {
		r.OperationID = p.OperationID
	}
	if principal != nil {
		if sub, ok := principal.Claim("sub"); ok {
			r.Subject, _ = sub.(string)
		}
	}
	if m.auditHook != nil {
		m.auditHook(c, r)
	}
	if m.logger != nil {
		level := slog.LevelDebug
		if outcome == OutcomeDenied {
			level = slog.LevelInfo
		}
		m.logger.LogAttrs(c.Request().Context(), level, "axioms: "+outcome,
			slog.String("operation", r.OperationID), slog.String("method", r.Method), slog.String("route", r.Route),
			slog.String("subject", r.Subject), slog.Int("status", r.Status), slog.String("reason", r.Reason))
	}
}

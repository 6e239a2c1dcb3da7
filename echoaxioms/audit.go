package echoaxioms

import (
	"log/slog"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/openapi"
)

// Outcome is what a decision did with a request, in [AuditRecord.Outcome]: one of the
// Outcome constants. Its text is stable: logs and alerts may match on it.
type Outcome string

// Outcomes of a decision.
const (
	OutcomeAllowed   Outcome = "allowed"   // authenticated and authorized
	OutcomeDenied    Outcome = "denied"    // answered with an error status
	OutcomePublic    Outcome = "public"    // public operation: no check
	OutcomeAnonymous Outcome = "anonymous" // optional authentication, no credentials
	OutcomePassed    Outcome = "passed"    // let through unchecked: Skipper (reason skipped) or InsecureAllowUndocumented (undocumented_route)
)

// AuditRecord describes one decision. It never holds token content.
type AuditRecord struct {
	// OperationID is the document's operationId ("" if none, or undocumented route).
	OperationID string
	// Method and Route are the method and the route (c.Path()) Echo matched: the
	// operation's method, even when a method override changed the request's method after
	// routing; the request's method for a request without an operation.
	Method, Route string
	// Subject is the authenticated subject (the token's sub), "" when anonymous.
	Subject string
	// Outcome is what the decision did with the request.
	Outcome Outcome
	// Status is the HTTP status answered for a denial (an owner loader's own status
	// included), 200 otherwise (the handler's own status is not known yet).
	Status int
	// Reason is the stable reason code of a denial or of a request passed unchecked (""
	// otherwise): see [Reason].
	Reason Reason
	// Check is "" for a decision of the spec middleware ([Config]), and the name of the
	// helper for a decision of a code-level helper: "RequireAuth", "RequireScopes",
	// "RequireRoles", "RequirePermissions" or "RequireOwner".
	Check string
}

// observer is where decisions go: an audit hook and/or a logger.
type observer struct {
	hook   func(echo.Context, AuditRecord)
	logger *slog.Logger
}

// wants reports whether a record of outcome would be observed, so that callers build
// none when nobody listens.
func (o *observer) wants(c echo.Context, outcome Outcome) bool {
	if o == nil {
		return false
	}
	if o.hook != nil {
		return true
	}
	return o.logger != nil && o.logger.Enabled(c.Request().Context(), levelOf(outcome))
}

func levelOf(outcome Outcome) slog.Level {
	if outcome == OutcomeDenied {
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

// emit hands r to the hook and the logger.
func (o *observer) emit(c echo.Context, r AuditRecord) {
	if o.hook != nil {
		o.hook(c, r)
	}
	if o.logger != nil {
		attrs := []slog.Attr{slog.String("operation", r.OperationID), slog.String("method", r.Method), slog.String("route", r.Route),
			slog.String("subject", r.Subject), slog.Int("status", r.Status), slog.String("reason", string(r.Reason))}
		if r.Check != "" {
			attrs = append(attrs, slog.String("check", r.Check))
		}
		o.logger.LogAttrs(c.Request().Context(), levelOf(r.Outcome), "axioms: "+string(r.Outcome), attrs...)
	}
}

func subjectOf(principal openapi.Principal) string {
	if principal == nil {
		return ""
	}
	sub, _ := principal.Claim("sub")
	s, _ := sub.(string)
	return s
}

// observed reports whether decisions of outcome are observed at all.
func (m *engine) observed(c echo.Context, outcome Outcome) bool { return m.obs.wants(c, outcome) }

func (m *engine) record(c echo.Context, p *openapi.Policy, principal openapi.Principal, outcome Outcome, status int, reason Reason) {
	r := AuditRecord{Method: c.Request().Method, Route: c.Path(), Outcome: outcome, Status: status, Reason: reason,
		Subject: subjectOf(principal)}
	if p != nil {
		r.OperationID, r.Method = p.OperationID, p.Method
	}
	m.obs.emit(c, r)
}

package enforce

import (
	"context"
	"log/slog"
	"net/http"

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
	// Method and Route are the method and the route pattern the router matched
	// ([Request].Route): the operation's method, even when a method override changed the
	// request's method after routing; the request's method for a request without an
	// operation.
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
	// Check is "" for a decision of the document's enforcement ([Enforcer]), and the
	// name of the helper for a decision of a code-level helper ([Requirement]):
	// "RequireAuth", "RequireScopes", "RequireRoles", "RequirePermissions" or
	// "RequireOwner".
	Check string
}

// recorder is where decisions and server-side failures go: an audit hook and/or a
// logger. The zero recorder observes nothing and logs server-side failures on
// slog.Default().
type recorder struct {
	hook   func(ctx context.Context, req any, r AuditRecord)
	logger *slog.Logger
}

// record hands one decision to the hook and the logger. It builds nothing when nobody
// observes decisions of outcome: callers need not ask first.
func (rc *recorder) record(ctx context.Context, r *Request, p *openapi.Policy, principal openapi.Principal, outcome Outcome, status int, reason Reason, check string) {
	level := slog.LevelDebug
	if outcome == OutcomeDenied {
		level = slog.LevelInfo
	}
	logs := rc.logger != nil && rc.logger.Enabled(ctx, level)
	if rc.hook == nil && !logs {
		return
	}
	rec := AuditRecord{Method: r.Method, Route: r.Route, Outcome: outcome, Status: status, Reason: reason,
		Subject: subjectOf(principal), Check: check}
	if p != nil {
		rec.OperationID, rec.Method = p.OperationID, p.Method
	}
	if rc.hook != nil {
		rc.hook(ctx, r.Native, rec)
	}
	if logs {
		attrs := []slog.Attr{slog.String("operation", rec.OperationID), slog.String("method", rec.Method), slog.String("route", rec.Route),
			slog.String("subject", rec.Subject), slog.Int("status", rec.Status), slog.String("reason", string(rec.Reason))}
		if rec.Check != "" {
			attrs = append(attrs, slog.String("check", rec.Check))
		}
		rc.logger.LogAttrs(ctx, level, "axioms: "+string(rec.Outcome), attrs...)
	}
}

// allowed records an allowed decision.
func (rc *recorder) allowed(ctx context.Context, r *Request, p *openapi.Policy, principal openapi.Principal, check string) {
	rc.record(ctx, r, p, principal, OutcomeAllowed, http.StatusOK, "", check)
}

// serverError logs a server-side failure of an ownership check at Error, on the logger
// or else slog.Default(); method and route say where.
func (rc *recorder) serverError(ctx context.Context, method, route string, err error) {
	logger := rc.logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.LogAttrs(ctx, slog.LevelError, "axioms: ownership check failed",
		slog.String("method", method), slog.String("path", route), slog.String("error", err.Error()))
}

func subjectOf(principal openapi.Principal) string {
	if principal == nil {
		return ""
	}
	sub, _ := principal.Claim("sub")
	s, _ := sub.(string)
	return s
}

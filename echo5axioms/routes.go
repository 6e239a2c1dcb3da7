package echo5axioms

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
)

// RouteReport compares the routes registered in Echo with the document's operations.
type RouteReport struct {
	// Undocumented lists Echo routes ("METHOD /path") with no operation in the document:
	// the middleware denies them (403) unless Config.InsecureAllowUndocumented is set.
	// OPTIONS routes are listed too: Echo's automatic OPTIONS answer passes, an
	// application handler registered for OPTIONS does not. A route of e.Any is listed as
	// "ANY /path": besides the operations the document describes at its path, it serves
	// every other method, which the middleware denies.
	Undocumented []string
	// Unrouted lists operations ("METHOD /template") with no Echo route: requests for
	// them never reach a handler.
	Unrouted []string
	// Conflicts lists routes that use a parameter name of their operation's path at
	// another position ("/users/:follower/follows/:user_id" for
	// "/users/{user_id}/follows/{other_id}"): the document's rules locate parameters by
	// position, the handler reads them by name, so the two would read different values.
	// Different names at the same position are fine.
	Conflicts []string
	// NotFound lists the not-found routes ("/internal/*"): those e.RouteNotFound
	// registers, and those Group.Use registers so that a group's middleware runs for
	// paths no route of the group matches. The middleware answers the requests they
	// match with Echo's 404 itself, running neither their handler nor the group's
	// middleware: a custom not-found handler never runs, and a group middleware that
	// serves requests by itself (middleware.Proxy, middleware.Static) serves nothing
	// there unless Config.InsecureAllowUndocumented is set. To serve a path through such
	// middleware, register a route for it and document the route. Informational:
	// [RouteReport.Err] does not count them.
	NotFound []string
}

// Err returns an error listing the mismatches (undocumented routes, unrouted
// operations, parameter conflicts), or nil when every route is documented and bound
// without conflict and every operation routed: the startup check. NotFound routes are
// not mismatches.
func (r RouteReport) Err() error {
	if len(r.Undocumented) == 0 && len(r.Unrouted) == 0 && len(r.Conflicts) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("echo5axioms: routes and API document disagree")
	if len(r.Undocumented) > 0 {
		fmt.Fprintf(&b, "; routes without an operation: %s", strings.Join(r.Undocumented, ", "))
	}
	if len(r.Unrouted) > 0 {
		fmt.Fprintf(&b, "; operations without a route: %s", strings.Join(r.Unrouted, ", "))
	}
	if len(r.Conflicts) > 0 {
		fmt.Fprintf(&b, "; routes whose parameters are not where the document has them: %s", strings.Join(r.Conflicts, "; "))
	}
	return errors.New(b.String())
}

// CheckRoutes compares the routes registered in e's router (call it after registering
// them; every registration API is listed, e.Router().Add included) with the operations
// of policies, by method and path shape, base path included, and checks the position of
// each route's parameter names. At startup, fail on the report's [RouteReport.Err]:
//
//	if err := echo5axioms.CheckRoutes(e, policies).Err(); err != nil {
//		log.Fatal(err)
//	}
//
// With virtual hosts (echo.NewVirtualHostHandler), check each host's Echo against its
// own document. CheckRoutes only reads e and policies, and may run concurrently with
// requests, but not with route registration (Echo's own rule).
func CheckRoutes(e *echo.Echo, policies *openapi.Policies) RouteReport {
	var report RouteReport
	routed := map[*openapi.Policy]bool{}
	bind := func(method, path string, params []string, p *openapi.Policy) {
		routed[p] = true
		if conflict := enforce.ParamConflict(params, p); conflict != "" {
			report.Conflicts = append(report.Conflicts, method+" "+path+": "+conflict)
		}
	}
	for _, r := range e.Router().Routes() {
		path := r.Path
		if !strings.HasPrefix(path, "/") {
			path = "/" + path // as the router matches it
		}
		switch r.Method {
		case echo.RouteNotFound:
			report.NotFound = append(report.NotFound, path)
		case echo.RouteAny:
			report.Undocumented = append(report.Undocumented, "ANY "+path)
			for _, p := range policies.All() {
				if policies.Lookup(p.Method, path) == p {
					bind("ANY", path, r.Parameters, p)
				}
			}
		default:
			p := policies.Lookup(r.Method, path)
			if p == nil {
				report.Undocumented = append(report.Undocumented, r.Method+" "+path)
				continue
			}
			bind(r.Method, path, r.Parameters, p)
		}
	}
	for _, p := range policies.All() {
		if !routed[p] {
			report.Unrouted = append(report.Unrouted, p.Method+" "+p.Route)
		}
	}
	slices.Sort(report.Undocumented)
	slices.Sort(report.Unrouted)
	slices.Sort(report.Conflicts)
	slices.Sort(report.NotFound)
	return report
}

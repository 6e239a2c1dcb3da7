package echo5axioms

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
)

// RouteReport compares the routes registered in Echo with the document's operations:
// Undocumented lists Echo routes ("METHOD /path") with no operation in the document
// (OPTIONS routes too: Echo's automatic OPTIONS answer passes, an application handler
// registered for OPTIONS does not; a route of e.Any as "ANY /path": besides the
// operations the document describes at its path, it serves every other method, which
// the middleware denies), NotFound the not-found routes. Subtrees is always empty. See
// enforce.RouteReport.
type RouteReport = enforce.RouteReport

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
	var routes []enforce.Route
	var notFound []string
	for _, r := range e.Router().Routes() {
		path := r.Path
		if !strings.HasPrefix(path, "/") {
			path = "/" + path // as the router matches it
		}
		route := enforce.Route{Name: r.Method + " " + path, Params: r.Parameters}
		switch r.Method {
		case echo.RouteNotFound:
			notFound = append(notFound, path)
			continue
		case echo.RouteAny:
			route.Name, route.Undocumented = "ANY "+path, true
			for _, p := range policies.All() {
				if policies.Lookup(p.Method, path) == p {
					route.Ops = append(route.Ops, p)
				}
			}
		default:
			if p := policies.Lookup(r.Method, path); p != nil {
				route.Ops = []*openapi.Policy{p}
			} else {
				route.Undocumented = true
			}
		}
		routes = append(routes, route)
	}
	report := enforce.CompareRoutes("echo5axioms", "", routes, map[string]*openapi.Policies{"": policies})
	slices.Sort(notFound)
	report.NotFound = notFound
	return report
}

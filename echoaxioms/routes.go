package echoaxioms

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
)

// RouteReport compares the routes registered in Echo with the document's operations.
// Routes of host routers (e.Host) are written with their host before the path
// ("GET admin.example.com/users/:id"); the default router's without one.
type RouteReport struct {
	// Undocumented lists Echo routes ("METHOD /path") with no operation in the document:
	// the middleware denies them (403) unless Config.InsecureAllowUndocumented is set.
	// OPTIONS routes are listed too: Echo's automatic OPTIONS answer passes, an
	// application handler registered for OPTIONS does not. Every route of a host router
	// without a document (Config.Hosts) is listed.
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
	b.WriteString("echoaxioms: routes and API document disagree")
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

// CheckRoutes compares the routes registered in e (call it after registering them),
// those of its host routers included, with the operations of policies, by method and
// path shape, base path included, and checks the position of each route's parameter
// names. Host routers have no document here: their routes are undocumented (use
// [Config.CheckRoutes] for Config.Hosts). At startup, fail on the report's [RouteReport.Err]:
//
//	if err := echoaxioms.CheckRoutes(e, policies).Err(); err != nil {
//		log.Fatal(err)
//	}
//
// Routes added with e.Router().Add are invisible to it (Echo does not list them): the
// middleware denies them (403) unless documented, but CheckRoutes cannot report them.
// It only reads e and policies, and may run concurrently with requests, but not with
// route registration (Echo's own rule).
func CheckRoutes(e *echo.Echo, policies *openapi.Policies) RouteReport {
	return checkRoutes(e, policies, false, nil)
}

// CheckRoutes is [CheckRoutes] for cfg: cfg.Policies for Echo's default router, and the
// Policies of cfg.Hosts for their host routers. With cfg.InsecureAllowUndocumented (a
// host's own, for its router), undocumented routes are not listed. Routes added with
// e.Router().Add are invisible to it. It has CheckRoutes' concurrency contract.
func (cfg Config) CheckRoutes(e *echo.Echo) RouteReport {
	return checkRoutes(e, cfg.Policies, cfg.InsecureAllowUndocumented, cfg.Hosts)
}

// checkRoutes reports on every router of e: the default router against main (leaving
// undocumented routes out when insecure), and each host router against its entry in
// hosts.
func checkRoutes(e *echo.Echo, main *openapi.Policies, insecure bool, hosts map[string]Config) RouteReport {
	var report RouteReport
	check := func(prefix string, routes []*echo.Route, policies *openapi.Policies, insecure bool) {
		routed := map[*openapi.Policy]bool{}
		for _, r := range routes {
			if r.Method == echo.RouteNotFound {
				report.NotFound = append(report.NotFound, prefix+r.Path)
				continue
			}
			p := policies.Lookup(r.Method, r.Path)
			if p == nil {
				if !insecure {
					report.Undocumented = append(report.Undocumented, r.Method+" "+prefix+r.Path)
				}
				continue
			}
			routed[p] = true
			if conflict := enforce.ParamConflict(routeParams(r.Path), p); conflict != "" {
				report.Conflicts = append(report.Conflicts, r.Method+" "+prefix+r.Path+": "+conflict)
			}
		}
		if policies == nil {
			return
		}
		for _, p := range policies.All() {
			if !routed[p] {
				report.Unrouted = append(report.Unrouted, p.Method+" "+prefix+p.Route)
			}
		}
	}
	check("", e.Routes(), main, insecure)
	routers := e.Routers()
	for _, host := range slices.Sorted(maps.Keys(routers)) {
		hc, bound := hosts[host]
		var policies *openapi.Policies
		if bound {
			policies = hc.Policies
		}
		check(host, routers[host].Routes(), policies, bound && hc.InsecureAllowUndocumented)
	}
	for host := range hosts {
		if _, routed := routers[host]; !routed && hosts[host].Policies != nil {
			for _, p := range hosts[host].Policies.All() {
				report.Unrouted = append(report.Unrouted, p.Method+" "+host+p.Route)
			}
		}
	}
	slices.Sort(report.Undocumented)
	slices.Sort(report.Unrouted)
	slices.Sort(report.Conflicts)
	slices.Sort(report.NotFound)
	return report
}

// routeParams lists the parameter names of an Echo route in order, "*" for its wildcard,
// as Echo's router numbers them (an escaped colon, "\:", is a literal).
func routeParams(route string) []string {
	var names []string
	for i := 0; i < len(route); i++ {
		switch {
		case route[i] == ':' && (i == 0 || route[i-1] != '\\'):
			j := i + 1
			for j < len(route) && route[j] != '/' {
				j++
			}
			names = append(names, route[i+1:j])
			i = j - 1
		case route[i] == '*':
			names = append(names, "*")
		}
	}
	return names
}

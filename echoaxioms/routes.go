package echoaxioms

import (
	"maps"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
)

// RouteReport compares the routes registered in Echo with the document's operations:
// Undocumented lists Echo routes ("METHOD /path") with no operation in the document
// (OPTIONS routes too: Echo's automatic OPTIONS answer passes, an application handler
// registered for OPTIONS does not; every route of a host router without a document,
// Config.Hosts, is listed), NotFound the not-found routes. Routes of host routers
// (e.Host) are written with their host before the path ("GET
// admin.example.com/users/:id"); the default router's without one. Subtrees is always
// empty. See enforce.RouteReport.
type RouteReport = enforce.RouteReport

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
	var routes []enforce.Route
	var notFound []string
	list := func(host string, rs []*echo.Route, policies *openapi.Policies, insecure bool) {
		for _, r := range rs {
			if r.Method == echo.RouteNotFound {
				notFound = append(notFound, host+r.Path)
				continue
			}
			route := enforce.Route{Name: r.Method + " " + host + r.Path, Doc: host, Params: routeParams(r.Path)}
			if p := policies.Lookup(r.Method, r.Path); p != nil {
				route.Ops = []*openapi.Policy{p}
			} else {
				route.Undocumented = !insecure
			}
			routes = append(routes, route)
		}
	}
	list("", e.Routes(), main, insecure)
	routers := e.Routers()
	for _, host := range slices.Sorted(maps.Keys(routers)) {
		hc, bound := hosts[host]
		list(host, routers[host].Routes(), hc.Policies, bound && hc.InsecureAllowUndocumented)
	}
	docs := map[string]*openapi.Policies{"": main}
	for host, hc := range hosts {
		docs[host] = hc.Policies
	}
	report := enforce.CompareRoutes("echoaxioms", "", routes, docs)
	slices.Sort(notFound)
	report.NotFound = notFound
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

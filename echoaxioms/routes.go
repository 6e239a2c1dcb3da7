package echoaxioms

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/openapi"
)

// routeRebuildInterval bounds how often the index of Echo's routes is rebuilt when a
// request's route is not in it (routes added after the index was built).
const routeRebuildInterval = time.Second

type routeKey struct{ method, path string }

// echoAnswers reports whether the handler Echo chose for the request is Echo's own
// not-found or method-not-allowed handling (405, or the automatic OPTIONS answer), as
// opposed to a registered route's handler. Only called for requests without an
// operation, never on the documented path.
func echoAnswers(c echo.Context) bool {
	if c.Get(echo.ContextKeyHeaderAllow) != nil {
		return true // the path matched but not the method: 405 or automatic OPTIONS
	}
	h := c.Handler()
	if h == nil {
		return false
	}
	ptr := reflect.ValueOf(h).Pointer()
	return ptr == reflect.ValueOf(echo.NotFoundHandler).Pointer() || ptr == reflect.ValueOf(echo.MethodNotAllowedHandler).Pointer()
}

// routeIndex knows the routes registered in Echo, to tell a custom not-found route
// (e.RouteNotFound, and those Group.Use registers) from a route without an operation. It
// is built on first use and rebuilt at most once per routeRebuildInterval when a
// request's route is missing from it. A route missing from it is never let through:
// the index can only make a not-found route answer 403 for up to routeRebuildInterval
// after it was registered, never open a route.
type routeIndex struct {
	cur atomic.Pointer[routeSet]
}

type routeSet struct {
	e      *echo.Echo
	routes map[routeKey]struct{}
	built  time.Time
}

// echoRouteHandler is the code address of the handler Echo's own registration (e.Add,
// and so e.GET, e.RouteNotFound, Group.Add...) stores in its router: a closure that
// applies the route's middleware. A handler stored with e.Router().Add is the caller's
// function itself, never this closure. Found once, on a throwaway Echo.
var echoRouteHandler = sync.OnceValue(func() uintptr {
	e := echo.New()
	e.GET("/probe", func(echo.Context) error { return nil })
	c := e.NewContext(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/probe"}, Header: http.Header{}}, nil)
	e.Router().Find(http.MethodGet, "/probe", c)
	return reflect.ValueOf(c.Handler()).Pointer()
})

// registeredByEcho reports whether the handler Echo chose for c was registered through
// Echo's own route registration (see echoRouteHandler).
func registeredByEcho(c echo.Context) bool {
	h := c.Handler()
	return h != nil && reflect.ValueOf(h).Pointer() == echoRouteHandler()
}

// notFoundRoute reports whether path is a not-found route of e (registered with
// RouteNotFound) and not a route of method as well: then Echo is answering with its
// not-found handler. A route of method added with e.Router().Add on the same path is
// invisible to Echo's route list; its handler is told apart by registeredByEcho, which
// the caller checks.
func (ri *routeIndex) notFoundRoute(e *echo.Echo, method, path string) bool {
	set := ri.cur.Load()
	if set == nil || set.e != e || !set.has(echo.RouteNotFound, path) && time.Since(set.built) >= routeRebuildInterval {
		set = &routeSet{e: e, routes: map[routeKey]struct{}{}, built: time.Now()}
		for _, r := range allRoutes(e, true) {
			set.routes[routeKey{r.Method, r.Path}] = struct{}{}
		}
		ri.cur.Store(set)
	}
	return set.has(echo.RouteNotFound, path) && !set.has(method, path)
}

func (s *routeSet) has(method, path string) bool {
	_, ok := s.routes[routeKey{method, path}]
	return ok
}

// allRoutes lists the routes of every router of e (virtual hosts included); Echo's
// not-found routes only when notFound is set.
func allRoutes(e *echo.Echo, notFound bool) []*echo.Route {
	routes := e.Routes()
	for _, r := range e.Routers() {
		routes = append(routes, r.Routes()...)
	}
	out := routes[:0]
	seen := map[routeKey]bool{}
	for _, r := range routes {
		k := routeKey{r.Method, r.Path}
		if r.Method == echo.RouteNotFound && !notFound || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out
}

// RouteReport compares the routes registered in Echo with the document's operations.
type RouteReport struct {
	// Undocumented lists Echo routes ("METHOD /path") with no operation in the document:
	// the middleware denies them (403) unless Config.InsecureAllowUndocumented is set.
	// Routes of passthrough methods are not listed (OPTIONS for [CheckRoutes], the
	// configured ones for [Config.CheckRoutes]), nor Echo's not-found routes.
	Undocumented []string
	// Unrouted lists operations ("METHOD /template") with no Echo route: requests for
	// them never reach a handler.
	Unrouted []string
}

// OK reports whether every route is documented and every operation routed.
func (r RouteReport) OK() bool { return len(r.Undocumented) == 0 && len(r.Unrouted) == 0 }

// Err returns an error listing the mismatches, or nil when r is OK.
func (r RouteReport) Err() error {
	if r.OK() {
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
	return errors.New(b.String())
}

// CheckRoutes compares the routes registered in e (call it after registering them) with
// the operations of policies, by method and path shape, base path included. Routes of
// the default passthrough method (OPTIONS) are not listed as undocumented; use
// [Config.CheckRoutes] to honour a configured PassthroughMethods.
//
// Routes added with e.Router().Add are invisible to it (Echo does not list them): the
// middleware denies them (403) unless documented, but CheckRoutes cannot report them.
// It only reads e and policies, and may run concurrently with requests, but not with
// route registration (Echo's own rule).
func CheckRoutes(e *echo.Echo, policies *openapi.Policies) RouteReport {
	return checkRoutes(e, policies, []string{http.MethodOptions})
}

// CheckRoutesStrict is [CheckRoutes] for startup: it returns an error when any route lacks
// an operation or any operation lacks a route.
func CheckRoutesStrict(e *echo.Echo, policies *openapi.Policies) error {
	return CheckRoutes(e, policies).Err()
}

// CheckRoutes is [CheckRoutes] for cfg.Policies, leaving out of Undocumented the routes
// whose method cfg passes through: cfg.PassthroughMethods (OPTIONS if nil; nothing if
// empty), or every route when cfg.InsecureAllowUndocumented is set. Routes added with
// e.Router().Add are invisible to it. It has CheckRoutes' concurrency contract.
func (cfg Config) CheckRoutes(e *echo.Echo) RouteReport {
	passthrough := cfg.PassthroughMethods
	if passthrough == nil {
		passthrough = []string{http.MethodOptions}
	}
	report := checkRoutes(e, cfg.Policies, passthrough)
	if cfg.InsecureAllowUndocumented {
		report.Undocumented = nil
	}
	return report
}

// CheckRoutesStrict is [Config.CheckRoutes] for startup: it returns an error when any
// route lacks an operation or any operation lacks a route.
func (cfg Config) CheckRoutesStrict(e *echo.Echo) error {
	return cfg.CheckRoutes(e).Err()
}

func checkRoutes(e *echo.Echo, policies *openapi.Policies, passthrough []string) RouteReport {
	var report RouteReport
	routed := map[*openapi.Policy]bool{}
	for _, r := range allRoutes(e, false) {
		if p := policies.Lookup(r.Method, r.Path); p != nil {
			routed[p] = true
			continue
		}
		if slices.ContainsFunc(passthrough, func(m string) bool { return strings.EqualFold(m, r.Method) }) {
			continue
		}
		report.Undocumented = append(report.Undocumented, r.Method+" "+r.Path)
	}
	for _, p := range policies.All() {
		if !routed[p] {
			report.Unrouted = append(report.Unrouted, p.Method+" "+p.Route)
		}
	}
	sort.Strings(report.Undocumented)
	sort.Strings(report.Unrouted)
	return report
}

package echo5axioms

import (
	"net/http"
	"sync"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
)

// engine is a built, immutable middleware configuration: the core that decides, and
// what Echo needs to find the matched route and answer.
type engine struct {
	skipper           middleware.Skipper
	core              *enforce.Enforcer
	policies          *openapi.Policies
	allowUndocumented bool
	errorHandler      func(*echo.Context, *Error) error
}

// serve is the per-request flow: the route Echo matched, its operation, the core's
// decision, Echo's way of answering it.
//
// Route binding. Echo v5 routes a request once, before the e.Use middleware runs, and
// keeps what it matched in the context: c.RouteInfo() is the route whose handler will
// run, with the method and path it was registered with, and nothing the request says
// afterwards (a method override, a rewrite, a replaced request) changes it. So the
// operation is looked up by that method and path, never by the request's: no second
// routing, no probe of the router, no cache that routes registered later could make
// stale.
func (m *engine) serve(c *echo.Context, next echo.HandlerFunc) error {
	req := c.Request()
	rq := acquire(c)
	r := enforce.Request{Native: rq, Header: req.Header, Method: req.Method,
		Host: req.Host, TLS: req.TLS != nil, RequestURI: req.RequestURI, URL: req.URL}
	if m.skipper(c) {
		r.Route = c.Path()
		m.core.Skip(req.Context(), &r)
		rq.release()
		return next(c)
	}
	ri := c.RouteInfo()
	r.Route = ri.Path
	switch ri.Method {
	case "":
		rq.release()
		if ri.Name == echo.MethodNotAllowedRouteName {
			// Not a decision: a path that has routes, none for the method. Echo's
			// default answer is given directly (Allow, and 405 or for OPTIONS 204),
			// without the middleware that follows, which might answer by itself (a
			// global Proxy or Static) with no rule applied.
			return routerAnswer(c)
		}
		// Echo matched no route (404), or the middleware runs before routing (e.Pre):
		// then next would run a handler that nothing checked. Echo's not-found answer
		// is given either way, without the router's not-found handler.
		return echo.ErrNotFound
	case echo.RouteNotFound:
		// A not-found route (e.RouteNotFound, or one Group.Use registers) runs its
		// handler inside the group's middleware, which may answer by itself (a proxy,
		// static files): neither runs. Echo's answer is given, unless undocumented
		// routes are let through (with no Policy, the core records the pass).
		if !m.allowUndocumented {
			rq.release()
			return echo.ErrNotFound
		}
	case echo.RouteAny:
		// One handler for every method without a route of its own: the operation of the
		// method it serves the request with, the request's.
		r.Policy = m.policies.Lookup(req.Method, ri.Path)
	default:
		if r.Method != ri.Method && (r.Method != http.MethodHead || ri.Method != http.MethodGet) {
			// The request's method changed after routing (a method override in e.Use):
			// a DPoP proof's htm must name the method Echo routed with, that of the
			// operation whose rule applies. (HEAD served by a GET route, AutoHandleHEAD,
			// is the method the client sent.)
			r.Method = ri.Method
		}
		r.Policy = m.policies.Lookup(ri.Method, ri.Path)
	}
	res := m.core.Enforce(req.Context(), &r)
	rq.release()
	if res.Denial != nil || res.Err != nil {
		return answer(c, res, m.errorHandler)
	}
	withContext(c, res.Context)
	return next(c)
}

// request is the adapter's request value in the core's requests ([enforce.Request]
// Native): the Echo context, and room for the matched route's parameters that the owner
// rule reads. Values are pooled, so that a request allocates neither.
type request struct {
	c             *echo.Context
	names, values []string
}

var requests = sync.Pool{New: func() any { return new(request) }}

// acquire returns a pooled request for c; release it once the core has decided.
func acquire(c *echo.Context) *request {
	rq := requests.Get().(*request)
	rq.c = c
	return rq
}

// release forgets the request's context and parameters and returns it to the pool.
func (rq *request) release() {
	clear(rq.names)
	clear(rq.values)
	rq.c, rq.names, rq.values = nil, rq.names[:0], rq.values[:0]
	requests.Put(rq)
}

// contextOf returns the Echo context of a core request's Native value.
func contextOf(req any) *echo.Context { return req.(*request).c }

// params returns the parameters of the route Echo matched, in the route's order
// (enforce.Config.Params), in the request's own buffers.
func params(req any) (names, values []string) {
	rq := req.(*request)
	rq.names, rq.values = rq.names[:0], rq.values[:0]
	for _, pv := range rq.c.PathValues() {
		rq.names = append(rq.names, pv.Name)
		rq.values = append(rq.values, pv.Value)
	}
	return rq.names, rq.values
}

// routerAnswer answers a request whose path has routes but none for its method as Echo's
// default router does: the Allow header, then 204 for OPTIONS and 405 otherwise. A
// router configured with its own MethodNotAllowedHandler or OptionsMethodHandler is not
// consulted: those handlers are application code that no operation covers.
func routerAnswer(c *echo.Context) error {
	if allow, ok := c.Get(echo.ContextKeyHeaderAllow).(string); ok && allow != "" {
		c.Response().Header().Set(echo.HeaderAllow, allow)
	}
	if c.Request().Method == http.MethodOptions {
		return c.NoContent(http.StatusNoContent)
	}
	return echo.ErrMethodNotAllowed
}

package echoaxioms

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

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
	errorHandler      func(echo.Context, *Error) error
	hosts             map[string]*engine // host router name → the engine of its document
	unbound           *engine            // for host routers without a document: no policies
	methods           []string           // the methods the document describes
	probes            *probes
	bindings          *bindings
}

// serve is the per-request flow: find the router Echo used and the document bound to it,
// then enforce.
func (m *engine) serve(c echo.Context, next echo.HandlerFunc) error {
	router, host, isHost := routerOf(c.Echo(), c.Request())
	t := m
	if isHost {
		if t = m.hosts[host]; t == nil {
			t = m.unbound // a host router without a document: every route is undocumented
		}
	}
	return t.enforce(c, next, router)
}

// enforce finds the route Echo matched and the operation of its handler, has the core
// decide, and answers as Echo does.
func (m *engine) enforce(c echo.Context, next echo.HandlerFunc, router *echo.Router) error {
	skip := m.skipper(c)
	req := c.Request()
	r := enforce.Request{Native: c, Header: req.Header, Method: req.Method, Route: c.Path(),
		Host: req.Host, TLS: req.TLS != nil, RequestURI: req.RequestURI, URL: req.URL}
	if skip {
		m.core.Skip(req.Context(), &r)
		return next(c)
	}
	if r.Route == "" {
		// Echo matched no route at all (404), or the middleware was installed with e.Pre,
		// before routing: the two look the same, and in the second case next would run
		// an unchecked handler. Echo's own not-found answer is given instead.
		return echo.NotFoundHandler(c)
	}
	switch method, b := m.bind(c, router, r.Route, c.Handler()); b {
	case echoAnswer:
		// Not a decision: Echo's own answer (404, 405 or its automatic OPTIONS) runs
		// directly, without the middleware that follows, which might answer by itself
		// (a global Proxy or Static) with no rule applied.
		return c.Handler()(c)
	case boundNotFound:
		// A not-found route runs its handler inside the group's middleware, which may
		// answer by itself (a proxy, static files): neither runs. Echo's answer is given,
		// unless undocumented routes are let through (the core records the pass).
		if !m.allowUndocumented {
			return echo.NotFoundHandler(c)
		}
	case boundRoute:
		// The method Echo routed with: the request's method may have been changed since
		// (a method override in e.Use), and a DPoP proof's htm must name the method of
		// the request that was routed, the operation whose rule applies.
		r.Method = method
		r.Policy = m.policies.Lookup(method, r.Route)
	}
	// An unbound handler, or a route without an operation, has no Policy: denied unless
	// undocumented routes are let through.
	res := m.core.Enforce(req.Context(), &r)
	withContext(c, res.Context)
	if res.Denial != nil || res.Err != nil {
		return answer(c, res, m.errorHandler)
	}
	return next(c)
}

package echoaxioms

import (
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/labstack/echo/v4"
)

// Route binding: which route's handler will answer a request, and so whose rule applies.
//
// Echo routes a request once, before the middleware registered with e.Use runs, and
// fixes the chain then: the handler Echo found (c.Handler(), a closure that applies the
// route's group and route middleware) is what runs after the e.Use middleware. What the
// request says later can differ from what Echo routed with: a method override (in e.Use,
// or in e.Pre after a middleware that replaced the request) changes its method, a rewrite
// its URL. So the middleware never trusts the request to name the route. It asks Echo's
// router which handler it holds at the matched route (c.Path()) for a method, and compares
// that handler with c.Handler() by identity: the method whose handler is the one Echo
// chose is the method Echo routed with, and a handler found in the not-found slot is a
// not-found route. Routes registered at any time, by any registration API, are seen as
// they are.
//
// Every registration through Echo (e.Add, e.GET, e.Match, e.Any, e.RouteNotFound,
// Group.Add, Group.Use...) stores a closure made for that registration alone, in one slot
// of one router, for good: a later registration on the same slot stores a new closure.
// What the router answered for such a closure therefore never changes, and is kept
// (bindings), so that a request on a route seen before costs one map access. The closures
// are kept alive with their answers, so that no other closure can ever be allocated at
// the same address. A function stored with e.Router().Add (not a closure of Echo's) may
// sit in several slots and is looked up in the router on every request.

// binding is what a request's matched handler turned out to be.
type binding int

const (
	// boundRoute: the handler is the route of a method at the matched route.
	boundRoute binding = iota + 1
	// boundNotFound: the handler is a not-found route (e.RouteNotFound, or one that
	// Group.Use registers so that the group's middleware runs for unmatched paths).
	boundNotFound
	// echoAnswer: the handler is Echo's own answer (404, 405, automatic OPTIONS).
	echoAnswer
	// unbound: the handler could not be identified with certainty.
	unbound
)

// handlerID identifies a handler value: the address of its function value. Every
// registration through Echo (e.Add, e.GET, e.Match, e.Any, e.RouteNotFound, Group.Add...)
// stores a closure of its own, so two routes never share one; a function registered with
// e.Router().Add for several methods is the same code for all of them. Function values
// cannot be compared in Go, and reflect exposes only their code address, which all of
// Echo's route closures share; the function value's own address is read instead.
func handlerID(h echo.HandlerFunc) uintptr {
	return *(*uintptr)(unsafe.Pointer(&h))
}

// codeOf returns the code address of a handler: the same for every closure made by one
// function literal.
func codeOf(h echo.HandlerFunc) uintptr {
	if h == nil {
		return 0
	}
	return reflect.ValueOf(h).Pointer()
}

var (
	notFoundID         = handlerID(echo.NotFoundHandler)
	methodNotAllowedID = handlerID(echo.MethodNotAllowedHandler)
	// optionsAnswerCode is the code of the handler Echo answers OPTIONS with on a path
	// that has routes but no OPTIONS route (a closure made per request), and
	// routeClosureCode the code of the closures Echo's registration stores. Found once,
	// on a throwaway Echo.
	optionsAnswerCode = sync.OnceValue(func() uintptr { return probeEcho(http.MethodOptions) })
	routeClosureCode  = sync.OnceValue(func() uintptr { return probeEcho(http.MethodGet) })
)

// probeEcho returns the code of the handler a throwaway Echo with one GET route finds for
// method on that route.
func probeEcho(method string) uintptr {
	e := echo.New()
	e.GET("/probe", func(echo.Context) error { return nil })
	c := e.NewContext(&http.Request{Method: method, URL: &url.URL{Path: "/probe"}, Header: http.Header{}}, nil)
	e.Router().Find(method, "/probe", c)
	return codeOf(c.Handler())
}

// echoAnswers reports whether h, the handler Echo chose, is Echo's own answer: its
// not-found handler (a path with no route for any method and no not-found route), its
// method-not-allowed handler (405), or its automatic OPTIONS answer. None of them runs
// application code.
func echoAnswers(c echo.Context, h echo.HandlerFunc) bool {
	switch id := handlerID(h); {
	case id == notFoundID, id == methodNotAllowedID:
		return true
	}
	return c.Get(echo.ContextKeyHeaderAllow) != nil && codeOf(h) == optionsAnswerCode()
}

// routerOf returns the router Echo routes the request with: the host router named by
// the request's Host when e has one (exactly as Echo chooses it), else the default
// router, and the host's name ("" for the default router).
func routerOf(e *echo.Echo, r *http.Request) (*echo.Router, string, bool) {
	if routers := e.Routers(); len(routers) > 0 {
		if router, ok := routers[r.Host]; ok {
			return router, r.Host, true
		}
	}
	return e.Router(), "", false
}

// bind finds which route h, the handler Echo chose for the matched route, is: Echo's own
// answer, the route of the request's method, the not-found route, or else the route of
// another method the document describes at that route (Echo routed with it and the
// request's method was changed since). A handler that is none of them is unbound.
func (m *engine) bind(c echo.Context, router *echo.Router, route string, h echo.HandlerFunc) (string, binding) {
	want := handlerID(h)
	if want == 0 {
		return "", unbound
	}
	if b, ok := m.bindings.lookup(want); ok && b.router == router && b.route == route {
		return b.method, b.kind
	}
	if echoAnswers(c, h) {
		return "", echoAnswer
	}
	e := c.Echo()
	pr := m.probes.get(e)
	method, kind := m.identify(pr, c.Request().Method, router, route, want)
	if pr.broken {
		// The pooled context was too small for routes registered since: once more with
		// a fresh one.
		pr = &probe{c: e.NewContext(nil, nil)}
		method, kind = m.identify(pr, c.Request().Method, router, route, want)
	}
	m.probes.put(pr)
	if pr.broken {
		return "", unbound
	}
	if kind != unbound && codeOf(h) == routeClosureCode() {
		m.bindings.keep(want, bound{h: h, router: router, route: route, method: method, kind: kind})
	}
	return method, kind
}

func (m *engine) identify(pr *probe, method string, router *echo.Router, route string, want uintptr) (string, binding) {
	path := probePath(route)
	own := pr.holds(router, method, path, route, want)
	if pr.holds(router, echo.RouteNotFound, path, route, want) {
		// A not-found route is what Echo finds for a method without a route at its path,
		// so the request's own method may find it too: it is checked either way.
		return "", boundNotFound
	}
	if own {
		return method, boundRoute
	}
	for _, other := range m.methods {
		if other != method && m.policies.Lookup(other, route) != nil && pr.holds(router, other, path, route, want) {
			return other, boundRoute
		}
	}
	return "", unbound
}

// probePath is a request path that Echo's router matches to route itself: the route,
// whose parameters (":id", "*") serve as their own values, with escaped colons ("\:")
// unescaped as the router stores them. A path that another route matches first (a
// literal route spelled like a parameter) fails the comparison in holds and leaves the
// request unbound: denied, never misattributed.
func probePath(route string) string {
	if strings.IndexByte(route, '\\') < 0 {
		return route
	}
	return strings.ReplaceAll(route, `\:`, ":")
}

// probe is a spare Echo context in which the router is asked what it holds.
type probe struct {
	c      echo.Context
	broken bool // a lookup panicked: the context is not reused
}

// holds reports whether the router, asked for method at path, answers with route and the
// handler want. A context Echo made before longer routes were registered is too small for
// the router (it panics): the probe is then marked broken, and the answer is false.
func (p *probe) holds(router *echo.Router, method, path, route string, want uintptr) (ok bool) {
	if p.broken {
		return false
	}
	defer func() {
		if recover() != nil {
			p.broken, ok = true, false
		}
	}()
	p.c.SetPath("")
	p.c.SetHandler(nil)
	router.Find(method, path, p.c)
	return p.c.Path() == route && handlerID(p.c.Handler()) == want
}

// probes pools the probe contexts of one Echo instance (the one that served the last
// request; a middleware shared by several instances starts a new pool when the instance
// changes).
type probes struct {
	cur atomic.Pointer[probePool]
}

type probePool struct {
	e    *echo.Echo
	pool sync.Pool
}

func (ps *probes) get(e *echo.Echo) *probe {
	pp := ps.cur.Load()
	if pp == nil || pp.e != e {
		pp = &probePool{e: e}
		ps.cur.Store(pp)
	}
	if p, ok := pp.pool.Get().(*probe); ok {
		return p
	}
	// A fresh context is sized for every route registered so far.
	return &probe{c: e.NewContext(nil, nil)}
}

func (ps *probes) put(p *probe) {
	if p.broken {
		return
	}
	if pp := ps.cur.Load(); pp != nil && pp.e == p.c.Echo() {
		pp.pool.Put(p)
	}
}

// bound is what the router answered for one of Echo's route closures.
type bound struct {
	h      echo.HandlerFunc // kept alive: its address is never reused
	router *echo.Router
	route  string
	method string // "" for a not-found route
	kind   binding
}

// maxBindings bounds the bindings kept; beyond it, handlers are looked up in the router
// on every request (an application that keeps registering routes while serving).
const maxBindings = 1 << 16

// bindings keeps the answers for Echo's route closures: read without locks, written by
// copying (each closure is written once, on the first request it answers).
type bindings struct {
	cur atomic.Pointer[map[uintptr]bound]
	mu  sync.Mutex
}

func (bs *bindings) lookup(id uintptr) (bound, bool) {
	if cur := bs.cur.Load(); cur != nil {
		b, ok := (*cur)[id]
		return b, ok
	}
	return bound{}, false
}

func (bs *bindings) keep(id uintptr, b bound) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	var next map[uintptr]bound
	if cur := bs.cur.Load(); cur != nil {
		if _, done := (*cur)[id]; done || len(*cur) >= maxBindings {
			return
		}
		next = maps.Clone(*cur)
	} else {
		next = map[uintptr]bound{}
	}
	next[id] = b
	bs.cur.Store(&next)
}

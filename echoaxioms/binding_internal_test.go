package echoaxioms

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	must "github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/openapi"
)

const bindingInternalDoc = `
openapi: 3.1.0
info: {title: binding, version: "1"}
paths:
  /a:
    get: {operationId: getA, responses: {"200": {description: ok}}}
    post: {operationId: postA, responses: {"200": {description: ok}}}
  /deep/{a}/{b}/{c}:
    get: {operationId: deep, responses: {"200": {description: ok}}}
`

func bindingEngine(t *testing.T) *engine {
	t.Helper()
	policies, err := openapi.LoadData([]byte(bindingInternalDoc), openapi.LoadOptions{})
	must.NoError(t, err)
	m, err := Config{Policies: policies}.build()
	must.NoError(t, err)
	return m
}

// routed returns a context as Echo leaves it after routing method and path.
func routed(e *echo.Echo, method, path string) echo.Context {
	c := e.NewContext(httptest.NewRequest(method, path, nil), httptest.NewRecorder())
	e.Router().Find(method, path, c)
	return c
}

// TestBindIdentifiesTheHandler: the request's method, an overridden one, a not-found
// route and Echo's own answers are told apart by the handler's identity.
func TestBindIdentifiesTheHandler(t *testing.T) {
	m := bindingEngine(t)
	e := echo.New()
	ok := func(c echo.Context) error { return nil }
	e.GET("/a", ok)
	e.POST("/a", ok)
	e.RouteNotFound("/a", ok)

	c := routed(e, http.MethodPost, "/a")
	method, b := m.bind(c, e.Router(), c.Path(), c.Handler())
	assert.Equal(t, boundRoute, b)
	assert.Equal(t, http.MethodPost, method)

	c.Request().Method = http.MethodGet // overridden after routing
	method, b = m.bind(c, e.Router(), c.Path(), c.Handler())
	assert.Equal(t, boundRoute, b)
	assert.Equal(t, http.MethodPost, method, "the method Echo routed with")

	c = routed(e, http.MethodDelete, "/a")
	_, b = m.bind(c, e.Router(), c.Path(), c.Handler())
	assert.Equal(t, boundNotFound, b)

	c = routed(e, http.MethodGet, "/nothing")
	_, b = m.bind(c, e.Router(), "/nothing", c.Handler())
	assert.Equal(t, echoAnswer, b, "echo.NotFoundHandler")

	_, b = m.bind(c, e.Router(), "/a", nil)
	assert.Equal(t, unbound, b)
	_, b = m.bind(c, e.Router(), "/a", func(echo.Context) error { return nil })
	assert.Equal(t, unbound, b, "a handler the router does not hold")
}

// TestBindingsAreKeptForEchoClosuresOnly: what the router answered is kept for Echo's own
// route closures, never for a function stored with e.Router().Add, which may sit in
// several slots.
func TestBindingsAreKeptForEchoClosuresOnly(t *testing.T) {
	m := bindingEngine(t)
	e := echo.New()
	raw := func(c echo.Context) error { return nil }
	e.GET("/a", func(c echo.Context) error { return nil })
	e.Router().Add(http.MethodPost, "/a", raw)

	c := routed(e, http.MethodGet, "/a")
	m.bind(c, e.Router(), c.Path(), c.Handler())
	kept, found := m.bindings.lookup(handlerID(c.Handler()))
	must.True(t, found)
	assert.Equal(t, handlerID(c.Handler()), handlerID(kept.h), "the closure is kept alive with its binding")
	kept.h = nil
	assert.Equal(t, bound{router: e.Router(), route: "/a", method: http.MethodGet, kind: boundRoute}, kept)

	c = routed(e, http.MethodPost, "/a")
	method, b := m.bind(c, e.Router(), c.Path(), c.Handler())
	assert.Equal(t, boundRoute, b)
	assert.Equal(t, http.MethodPost, method)
	_, found = m.bindings.lookup(handlerID(raw))
	assert.False(t, found)

	// The same function added for GET too: one handler, whose binding is the request's
	// method whenever the router holds it there.
	e.Router().Add(http.MethodGet, "/a", raw)
	c = routed(e, http.MethodGet, "/a")
	method, b = m.bind(c, e.Router(), c.Path(), c.Handler())
	assert.Equal(t, boundRoute, b)
	assert.Equal(t, http.MethodGet, method)
}

// TestProbeTooSmallForLaterRoutes: a pooled probe context made before routes with more
// parameters were registered is dropped, and the lookup is done again with a fresh one.
func TestProbeTooSmallForLaterRoutes(t *testing.T) {
	m := bindingEngine(t)
	e := echo.New()
	e.GET("/a", func(c echo.Context) error { return nil })
	small := &probe{c: e.NewContext(nil, nil)} // sized for no parameter

	e.GET("/deep/:a/:b/:c", func(c echo.Context) error { return nil })
	assert.False(t, small.holds(e.Router(), http.MethodGet, "/deep/:a/:b/:c", "/deep/:a/:b/:c", 1))
	assert.True(t, small.broken, "the small context made the router panic")
	assert.False(t, small.holds(e.Router(), http.MethodGet, "/a", "/a", 1), "a broken probe answers nothing")

	c := routed(e, http.MethodGet, "/deep/x/y/z")
	method, b := m.bind(c, e.Router(), c.Path(), c.Handler())
	assert.Equal(t, boundRoute, b)
	assert.Equal(t, http.MethodGet, method)
}

func TestProbePath(t *testing.T) {
	assert.Equal(t, "/users/:id", probePath("/users/:id"))
	assert.Equal(t, "/jobs/:id:cancel", probePath(`/jobs/:id\:cancel`))
}

func TestRouteParams(t *testing.T) {
	for route, want := range map[string][]string{
		"/":                       nil,
		"/users/:id":              {"id"},
		"/users/:a/follows/:b":    {"a", "b"},
		"/files/*":                {"*"},
		`/jobs/:id\:cancel`:       {`id\:cancel`},
		`/x/\:literal/:p`:         {"p"},
		"/v1/:tenant/things/:id/": {"tenant", "id"},
	} {
		assert.Equal(t, want, routeParams(route), route)
	}
}

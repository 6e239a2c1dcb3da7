package echoaxioms_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/echoaxioms"
)

// TestUndocumentedRoutesFailClosed: a route Echo matched without an operation is denied
// whether or not Echo's route list shows it.
func TestUndocumentedRoutesFailClosed(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	valid := h.bearer(map[string]any{"scope": "admin"})
	require.Equal(t, http.StatusOK, h.do("GET", "/any", valid).Code, "traffic before the routes are added")

	h.e.Router().Add(http.MethodGet, "/router-add", ok) // never listed by e.Routes()
	h.e.GET("/late", ok)                                // registered after the first request
	h.e.Group("/late-group").GET("/x", ok)
	for _, target := range []string{"/router-add", "/late", "/late-group/x"} {
		rec := h.do("GET", target, valid)
		assert.Equal(t, http.StatusForbidden, rec.Code, target)
		assert.Equal(t, "forbidden", body(t, rec)["error"], target)
		last := h.records()[len(h.records())-1]
		assert.Equal(t, echoaxioms.AuditRecord{Method: "GET", Route: target, Outcome: echoaxioms.OutcomeDenied,
			Status: http.StatusForbidden, Reason: echoaxioms.ReasonUndocumentedRoute}, last)
	}

	open := newHarness(t, harnessOptions{config: func(c *echoaxioms.Config) { c.InsecureAllowUndocumented = true }})
	open.e.Router().Add(http.MethodGet, "/router-add", ok)
	assert.Equal(t, http.StatusOK, open.do("GET", "/router-add", "").Code, "InsecureAllowUndocumented")
}

// TestEchoAnswersWhatItCannotRoute: 404 and 405 are Echo's, answered without the
// middleware that follows (which might answer by itself). A not-found route (a group's,
// or a custom one) is answered with Echo's 404 by the middleware itself: neither its
// handler nor the group's middleware runs.
func TestEchoAnswersWhatItCannotRoute(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("X-Later", "ran")
			return next(c)
		}
	})
	h.e.GET("/any", ok) // re-registered so that the later middleware wraps it too
	groupRan := false
	g := h.e.Group("/grp", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { groupRan = true; return next(c) }
	})
	g.GET("/x", ok)
	h.e.RouteNotFound("/custom/*", func(c echo.Context) error { return c.String(http.StatusTeapot, "custom not found") })

	for _, c := range []struct {
		method, target string
		status         int
		later          bool // the middleware installed after this one ran
	}{
		{"PUT", "/any", http.StatusMethodNotAllowed, false},
		{"GET", "/grp/nothing", http.StatusNotFound, false},    // the group's not-found route
		{"GET", "/custom/nothing", http.StatusNotFound, false}, // a custom not-found route
		{"GET", "/nothing-at-all", http.StatusNotFound, false}, // no route at all: echo.NotFoundHandler
	} {
		rec := h.do(c.method, c.target, "")
		assert.Equal(t, c.status, rec.Code, "%s %s", c.method, c.target)
		assert.Empty(t, rec.Header().Get("WWW-Authenticate"), "%s %s", c.method, c.target)
		assert.Equal(t, c.later, rec.Header().Get("X-Later") == "ran", "%s %s", c.method, c.target)
	}
	assert.False(t, groupRan, "the group's middleware never ran for a path without a route")
	assert.Equal(t, http.StatusForbidden, h.do("GET", "/grp/x", "").Code, "the group's own route is undocumented")
}

// TestRouterAddBesideANotFoundRoute: a route added with e.Router().Add on the path of a
// not-found route is not Echo's not-found answer: it is denied like any undocumented
// route, while the not-found route itself answers Echo's 404 for the other methods.
func TestRouterAddBesideANotFoundRoute(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.e.RouteNotFound("/hidden/*", func(c echo.Context) error { return c.String(http.StatusTeapot, "custom not found") })
	valid := h.bearer(map[string]any{"scope": "admin"})
	require.Equal(t, http.StatusOK, h.do("GET", "/any", valid).Code, "traffic before the routes are added")

	reached := false
	h.e.Router().Add(http.MethodGet, "/hidden/*", func(c echo.Context) error {
		reached = true
		return c.String(http.StatusOK, "SECRET")
	})
	for _, token := range []string{"", valid} {
		rec := h.do("GET", "/hidden/x", token)
		assert.Equal(t, http.StatusForbidden, rec.Code)
		assert.NotContains(t, rec.Body.String(), "SECRET")
	}
	assert.False(t, reached, "the handler added with Router().Add never ran")
	assert.Equal(t, http.StatusNotFound, h.do("POST", "/hidden/x", "").Code, "the not-found route answers Echo's 404 for the other methods")
}

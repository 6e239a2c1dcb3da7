package echoaxioms_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
)

func TestCheckRoutes(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	report := echoaxioms.CheckRoutes(h.e, h.policies)
	assert.Equal(t, []string{"GET /undocumented"}, report.Undocumented)
	assert.Empty(t, report.Unrouted)
	require.Error(t, report.Err())
	assert.Contains(t, report.Err().Error(), "routes without an operation: GET /undocumented")

	e := echo.New()
	e.GET("/public", ok)
	e.OPTIONS("/public", ok)
	e.RouteNotFound("/*", ok)
	report = echoaxioms.CheckRoutes(e, h.policies)
	assert.Equal(t, []string{"OPTIONS /public"}, report.Undocumented, "an application handler for OPTIONS is a route like any other")
	assert.Equal(t, []string{"/*"}, report.NotFound, "not-found routes are not operations")
	assert.Contains(t, report.Unrouted, "GET /articles/{id}")
	assert.Contains(t, report.Err().Error(), "operations without a route")

	e = echo.New()
	for _, p := range h.policies.All() {
		e.Add(p.Method, p.Route, ok)
	}
	assert.NoError(t, echoaxioms.CheckRoutes(e, h.policies).Err())
}

func TestConfigCheckRoutes(t *testing.T) {
	policies, err := openapi.Load("testdata/api.yaml", openapi.LoadOptions{})
	require.NoError(t, err)
	e := echo.New()
	for _, p := range policies.All() {
		e.Add(p.Method, p.Route, ok)
	}
	e.OPTIONS("/public", ok)
	e.HEAD("/public", ok)
	e.Router().Add(http.MethodGet, "/invisible", ok) // Echo does not list it
	for _, c := range []struct {
		name string
		cfg  echoaxioms.Config
		want []string
	}{
		{"default", echoaxioms.Config{Policies: policies}, []string{"HEAD /public", "OPTIONS /public"}},
		{"insecure: everything passes", echoaxioms.Config{Policies: policies, InsecureAllowUndocumented: true}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			report := c.cfg.CheckRoutes(e)
			assert.Equal(t, c.want, report.Undocumented)
			assert.Empty(t, report.Unrouted)
			assert.Equal(t, len(c.want) == 0, report.Err() == nil)
		})
	}
	assert.Equal(t, []string{"HEAD /public", "OPTIONS /public"}, echoaxioms.CheckRoutes(e, policies).Undocumented)
}

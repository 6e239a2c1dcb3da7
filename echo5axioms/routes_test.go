package echo5axioms_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/echo5axioms"
)

func TestCheckRoutes(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	assert.Equal(t, []string{"GET /admin", "GET /articles/{id}", "GET /key-or-token", "GET /optional", "GET /public",
		"GET /read", "GET /users/{user_id}/profile"}, echo5axioms.CheckRoutes(h.e, h.policies).Unrouted)

	h.routes()
	report := echo5axioms.CheckRoutes(h.e, h.policies)
	assert.Empty(t, report.Undocumented)
	assert.Empty(t, report.Unrouted)
	assert.Empty(t, report.Conflicts)
	assert.Empty(t, report.NotFound)
	require.NoError(t, report.Err())

	h.e.GET("/metrics", h.handler("metrics"))
	h.e.RouteNotFound("/*", h.handler("not found"))
	h.e.Group("/static").Use(staticFiles(t, "x"))
	report = echo5axioms.CheckRoutes(h.e, h.policies)
	assert.Equal(t, []string{"GET /metrics"}, report.Undocumented)
	assert.Equal(t, []string{"/*", "/static", "/static/*"}, report.NotFound)
	assert.EqualError(t, report.Err(), "echo5axioms: routes and API document disagree; routes without an operation: GET /metrics")
}

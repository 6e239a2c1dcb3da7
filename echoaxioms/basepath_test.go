package echoaxioms_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
)

const tenantDoc = `openapi: 3.1.0
info: {title: tenants, version: "1"}
%s
security: [{oauth2: []}]
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: https://issuer.example/token, scopes: {}}}
paths:
  /users/{id}/profile:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: profile, x-axioms-owner: {param: id}, responses: {"401": {description: no}, "403": {description: no}}}
`

// TestOwnerParamWithTemplatedBasePath: the owner parameter is located in the full
// route Echo matched (base path and group prefixes included), never in the document's
// template alone, so a base-path parameter cannot stand in for the owner.
func TestOwnerParamWithTemplatedBasePath(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	for _, c := range []struct {
		name     string
		servers  string
		opts     openapi.LoadOptions
		register func(e *echo.Echo)
	}{
		{"servers URL with a variable", "servers: [{url: '/{tenant}', variables: {tenant: {default: acme}}}]", openapi.LoadOptions{BasePath: "/{tenant}"},
			func(e *echo.Echo) { e.GET("/:tenant/users/:uid/profile", ok) }},
		{"LoadOptions.BasePath", "", openapi.LoadOptions{BasePath: "/{tenant}"},
			func(e *echo.Echo) { e.GET("/:tenant/users/:uid/profile", ok) }},
		{"group prefix with a parameter", "", openapi.LoadOptions{BasePath: "/{org}"},
			func(e *echo.Echo) { e.Group("/:org").GET("/users/:uid/profile", ok) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			policies, err := openapi.LoadData(fmt.Appendf(nil, tenantDoc, c.servers), c.opts)
			require.NoError(t, err)
			e := echo.New()
			e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: iss.Validator(t)}))
			c.register(e)
			for _, r := range []struct {
				sub, target string
				status      int
			}{
				{"mallory", "/mallory/users/victim/profile", http.StatusForbidden},
				{"mallory", "/acme/users/mallory/profile", http.StatusOK},
				{"victim", "/mallory/users/victim/profile", http.StatusOK},
				{"victim", "/victim/users/mallory/profile", http.StatusForbidden},
			} {
				rec := serve(e, "GET", r.target, "Bearer "+iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"sub": r.sub}}))
				assert.Equal(t, r.status, rec.Code, "%s %s: %s", r.sub, r.target, rec.Body.String())
			}
		})
	}
}

func TestOwnerParamAmbiguousInFullRouteFailsToBuild(t *testing.T) {
	policies, err := openapi.LoadData(fmt.Appendf(nil, tenantDoc, ""), openapi.LoadOptions{BasePath: "/{id}"})
	require.NoError(t, err)
	_, err = echoaxioms.Config{Policies: policies, Validator: axiomstest.NewIssuer(t, axiomstest.IssuerConfig{}).Validator(t)}.ToMiddleware()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `owner parameter "id" appears 2 times in the route /{id}/users/{id}/profile`)
}

// TestOwnerParamRouteWithOtherParametersFailsClosed: a route whose parameters are not the
// operation's (here an extra wildcard) cannot locate the owner: 500, never a pass.
func TestOwnerParamRouteWithOtherParametersFailsClosed(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	policies, err := openapi.LoadData(fmt.Appendf(nil, tenantDoc, ""), openapi.LoadOptions{})
	require.NoError(t, err)
	e := echo.New()
	e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: iss.Validator(t), Logger: discardLogger()}))
	// "{id}" in an Echo path is read as a template: the route matches the operation's
	// shape but Echo sees no parameter in it.
	e.GET("/users/{id}/profile", ok)
	rec := serve(e, "GET", "/users/{id}/profile", "Bearer "+iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"sub": "{id}"}}))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

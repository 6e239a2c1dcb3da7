package oapiauth_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/oapiauth"
	"github.com/axioms-go/axioms-echo/validator"
)

const doc = `
openapi: 3.0.3
info: {title: pets, version: "1"}
security:
  - oauth2: [pets:read]
paths:
  /health:
    get:
      security: []
      responses: {"200": {description: ok}}
  /pets/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://issuer.example/token
          scopes: {pets:read: read pets}
`

// TestAuthenticate runs openapi3filter's request validation, as oapi-codegen's
// OapiRequestValidator does, with a request context the middleware would have filled.
func TestAuthenticate(t *testing.T) {
	spec, err := openapi3.NewLoader().LoadFromData([]byte(doc))
	require.NoError(t, err)
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	v := iss.Validator(t)
	claims := func(scope string) context.Context {
		c, err := v.Validate(context.Background(), iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": scope}}))
		require.NoError(t, err)
		return validator.NewContext(context.Background(), c)
	}
	for _, c := range []struct {
		name string
		path string // the document's path, and the request's with id 1
		ctx  context.Context
		auth openapi3filter.AuthenticationFunc
		want error // nil: the request passes
	}{
		{"authorised", "/pets/{id}", claims("pets:read"), oapiauth.Authenticate, nil},
		{"public", "/health", context.Background(), oapiauth.Authenticate, nil},
		{"anonymous", "/pets/{id}", context.Background(), oapiauth.Authenticate, oapiauth.ErrUnauthenticated},
		{"scope missing", "/pets/{id}", claims("other"), oapiauth.Authenticate, oapiauth.ErrInsufficientScope},
		{"no AuthenticationFunc", "/pets/{id}", claims("pets:read"), nil, openapi3filter.ErrAuthenticationServiceMissing},
	} {
		t.Run(c.name, func(t *testing.T) {
			item := spec.Paths.Value(c.path)
			route := &routers.Route{Spec: spec, Path: c.path, PathItem: item, Method: "GET", Operation: item.Get}
			req := httptest.NewRequestWithContext(c.ctx, "GET", strings.Replace(c.path, "{id}", "1", 1), nil)
			err := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
				Request: req, PathParams: map[string]string{"id": "1"}, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: c.auth},
			})
			if c.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, c.want)
		})
	}
}

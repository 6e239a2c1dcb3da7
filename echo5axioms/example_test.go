package echo5axioms_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// An Echo v5 API protected by its own OpenAPI document, tested offline with axiomstest.
func Example() {
	// In a test: iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{}), closed when the test ends.
	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{})
	if err != nil {
		panic(err)
	}
	defer iss.Close()
	v, err := validator.New(context.Background(), iss.ValidatorConfig())
	if err != nil {
		panic(err)
	}

	policies, err := openapi.LoadData([]byte(`
openapi: 3.1.0
info: {title: example, version: "1"}
security: [{oauth2: []}]
components:
  securitySchemes:
    oauth2: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://issuer.example/token", scopes: {"read:data": read}}}}
paths:
  /health: {get: {security: [], responses: {"200": {description: ok}}}}
  /data:   {get: {security: [{oauth2: ["read:data"]}], responses: {"401": {description: no}, "403": {description: no}}}}
`), openapi.LoadOptions{})
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.Use(echo5axioms.WithConfig(echo5axioms.Config{Policies: policies, Validator: v}))
	e.GET("/health", func(c *echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/data", func(c *echo.Context) error {
		return c.String(http.StatusOK, "hello "+echo5axioms.Claims(c).Subject())
	})
	if err := echo5axioms.CheckRoutes(e, policies).Err(); err != nil {
		panic(err)
	}

	mint := func(claims map[string]any) string {
		token, err := iss.TokenErr(axiomstest.TokenSpec{Claims: claims})
		if err != nil {
			panic(err)
		}
		return token
	}
	call := func(path, token string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if ch := rec.Header().Get("WWW-Authenticate"); ch != "" {
			fmt.Println(path, rec.Code, ch)
		} else {
			fmt.Println(path, rec.Code)
		}
		fmt.Println("  ", rec.Body.String())
	}
	call("/health", "")
	call("/data", "")
	call("/data", mint(map[string]any{"sub": "alice", "scope": "profile"}))
	call("/data", mint(map[string]any{"sub": "alice", "scope": "read:data"}))
	// Output:
	// /health 200
	//    ok
	// /data 401 Bearer realm="api"
	//    {"error":"unauthorized","error_description":"authentication required"}
	//
	// /data 403 Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read:data"
	//    {"error":"insufficient_scope","error_description":"the access token lacks a required scope"}
	//
	// /data 200
	//    hello alice
}

// The code-level helpers, for routes without a document: AccessToken records the
// token's state, and RequireScopes decides.
func ExampleRequireScopes() {
	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{})
	if err != nil {
		panic(err)
	}
	defer iss.Close()
	v, err := validator.New(context.Background(), iss.ValidatorConfig())
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.Use(echo5axioms.AccessToken(echo5axioms.AccessTokenConfig{Validator: v}))
	e.GET("/reports", func(c *echo.Context) error {
		return c.String(http.StatusOK, "reports for "+echo5axioms.Claims(c).Subject())
	}, echo5axioms.RequireScopes("reports:read"))

	for _, scope := range []string{"openid", "reports:read"} {
		token, err := iss.TokenErr(axiomstest.TokenSpec{Claims: map[string]any{"sub": "bob", "scope": scope}})
		if err != nil {
			panic(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/reports", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		fmt.Println(scope, rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	// Output:
	// openid 403 Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="reports:read"
	// reports:read 200
}

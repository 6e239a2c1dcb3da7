package echoaxioms_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// An Echo API protected by its own OpenAPI document, tested offline with axiomstest.
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
	e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: v}))
	e.GET("/health", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/data", func(c echo.Context) error {
		return c.String(http.StatusOK, "hello "+echoaxioms.Claims(c).Subject())
	})

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
		if rec.Code == http.StatusOK {
			fmt.Println("  ", rec.Body.String())
		}
	}
	call("/health", "")
	call("/data", "")
	call("/data", mint(map[string]any{"sub": "alice", "scope": "profile"}))
	call("/data", mint(map[string]any{"sub": "alice", "scope": "read:data"}))
	// Output:
	// /health 200
	//    ok
	// /data 401 Bearer realm="api"
	// /data 403 Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read:data"
	// /data 200
	//    hello alice
}

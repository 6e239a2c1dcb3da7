package httpaxioms_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// A net/http API protected by its own OpenAPI document, tested offline with axiomstest.
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
  /data/{id}: {get: {security: [{oauth2: ["read:data"]}], parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {"401": {description: no}, "403": {description: no}}}}
`), openapi.LoadOptions{})
	if err != nil {
		panic(err)
	}
	mux, err := httpaxioms.NewMux(httpaxioms.Config{Policies: policies, Validator: v})
	if err != nil {
		panic(err)
	}
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	mux.HandleFunc("GET /data/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "data %s for %s", r.PathValue("id"), httpaxioms.Claims(r).Subject())
	})
	if err := mux.CheckRoutes().Err(); err != nil {
		panic(err)
	}

	mint := func(claims map[string]any) string {
		token, err := iss.TokenErr(axiomstest.TokenSpec{Claims: claims})
		if err != nil {
			panic(err)
		}
		return token
	}
	call := func(method, path, token string) {
		req := httptest.NewRequest(method, path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(strings.TrimSpace(fmt.Sprintln(method, path, rec.Code, rec.Header().Get("WWW-Authenticate"))))
		if rec.Code == http.StatusOK {
			fmt.Println("  ", rec.Body.String())
		}
	}
	call("GET", "/health", "")
	call("GET", "/data/7", "")
	call("GET", "/data/7", mint(map[string]any{"sub": "alice", "scope": "profile"}))
	call("GET", "/data/7", mint(map[string]any{"sub": "alice", "scope": "read:data"}))
	call("DELETE", "/data/7", "")
	// Output:
	// GET /health 200
	//    ok
	// GET /data/7 401 Bearer realm="api"
	// GET /data/7 403 Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read:data"
	// GET /data/7 200
	//    data 7 for alice
	// DELETE /data/7 405
}

// Code-level checks on the handlers of a plain http.ServeMux, for handlers without a
// document: AccessToken records the token's state, the Require… helpers decide.
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
	withToken := httpaxioms.AccessToken(httpaxioms.AccessTokenConfig{Validator: v})
	mux := http.NewServeMux()
	mux.Handle("GET /reports", withToken(httpaxioms.RequireScopes("reports:read")(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "reports for ", httpaxioms.Claims(r).Subject())
		}))))

	for _, scope := range []string{"openid", "reports:read"} {
		token, err := iss.TokenErr(axiomstest.TokenSpec{Claims: map[string]any{"sub": "bob", "scope": scope}})
		if err != nil {
			panic(err)
		}
		req := httptest.NewRequest("GET", "/reports", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(scope, rec.Code, rec.Body.String())
	}
	// Output:
	// openid 403 {"error":"insufficient_scope","error_description":"the access token lacks a required scope"}
	//
	// reports:read 200 reports for bob
}

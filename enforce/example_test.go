package enforce_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// A net/http adapter in miniature: each route's handler is wrapped, so the route the
// mux matched (r.Pattern) is known when the core decides; the core's answer is written
// as net/http writes.
func Example() {
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
	core, err := enforce.New(enforce.Config{Name: "example", Policies: policies, Validator: v})
	if err != nil {
		panic(err)
	}
	protect := func(next http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			method, route, _ := strings.Cut(r.Pattern, " ") // "GET /data"
			req := enforce.Request{Native: r, Header: r.Header, Method: r.Method, Route: route,
				Policy: policies.Lookup(method, route)}
			res := core.Enforce(r.Context(), &req)
			switch {
			case res.Denial != nil:
				res.Denial.SetHeaders(w.Header())
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(res.Status)
				_ = json.NewEncoder(w).Encode(res.Denial.Body())
			case res.Err != nil:
				http.Error(w, http.StatusText(res.Status), res.Status)
			default:
				next(w, r.WithContext(res.Context))
			}
		})
	}
	mux := http.NewServeMux()
	mux.Handle("GET /health", protect(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	mux.Handle("GET /data", protect(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := validator.FromContext(r.Context())
		fmt.Fprint(w, "hello "+claims.Subject())
	}))

	call := func(path string, claims map[string]any) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if claims != nil {
			token, err := iss.TokenErr(axiomstest.TokenSpec{Claims: claims})
			if err != nil {
				panic(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(path, rec.Code, rec.Header().Get("WWW-Authenticate"), strings.TrimSpace(rec.Body.String()))
	}
	call("/health", nil)
	call("/data", nil)
	call("/data", map[string]any{"sub": "alice", "scope": "read:data"})
	// Output:
	// /health 200  ok
	// /data 401 Bearer realm="api" {"error":"unauthorized","error_description":"authentication required"}
	// /data 200  hello alice
}

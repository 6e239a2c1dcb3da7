package echoaxioms_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
)

// dpopRoutesDoc has a base path, so that its routes live in an Echo group.
var dpopRoutesDoc = specgen.Doc{Servers: "[{url: /api}]", Schemes: []string{"dpop: {type: http, scheme: bearer, x-axioms-dpop: required}"}}.YAML(`
  /orders/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: order, security: [{dpop: []}], responses: {"200": {description: ok}}}
`)

// TestDPoPURLThroughEcho: the htu of a proof is the URL the client sent, group prefix
// included, even when Pre middleware (Echo's Rewrite) changes the request's URL before
// routing: Echo keeps the request-target in RequestURI.
func TestDPoPURLThroughEcho(t *testing.T) {
	key := axiomstest.NewDPoPKey(t, "ES256")
	h := newHarness(t, harnessOptions{
		doc: dpopRoutesDoc,
		pre: []echo.MiddlewareFunc{middleware.Rewrite(map[string]string{"/old/orders/*": "/api/orders/$1"})},
		config: func(c *echoaxioms.Config) {
			c.DPoPBaseURL = "https://api.example.com"
		},
	})
	h.e.Group("/api").GET("/orders/:id", ok)
	tok := h.iss.Token(t, axiomstest.TokenSpec{DPoPKey: key})
	send := func(target, htu string) int {
		proof := key.Proof(t, axiomstest.ProofSpec{Method: http.MethodGet, URL: htu, AccessToken: tok})
		return h.do(http.MethodGet, target, "DPoP "+tok, "DPoP", proof).Code
	}
	assert.Equal(t, http.StatusOK, send("/api/orders/7", "https://api.example.com/api/orders/7"), "the group prefix is part of the URL")
	assert.Equal(t, http.StatusUnauthorized, send("/api/orders/7", "https://api.example.com/orders/7"), "a URL without the group prefix")
	assert.Equal(t, http.StatusOK, send("/old/orders/7", "https://api.example.com/old/orders/7"), "rewritten: the URL the client sent")
	assert.Equal(t, http.StatusUnauthorized, send("/old/orders/7", "https://api.example.com/api/orders/7"), "rewritten: not the URL after the rewrite")
	assert.Equal(t, http.StatusOK, send("/api/orders/7?x=1", "https://api.example.com/api/orders/7"), "the query is not part of htu")

	records := h.records()
	require.Len(t, records, 5)
	assert.Equal(t, "invalid_dpop_proof", string(records[1].Reason))
	assert.Equal(t, "invalid_dpop_proof", string(records[3].Reason))
}

// TestDPoPErrorHandler: the denial an ErrorHandler receives carries the DPoP challenge,
// already set in the response headers, and the nonce.
func TestDPoPErrorHandler(t *testing.T) {
	var got *echoaxioms.Error
	h := newHarness(t, harnessOptions{
		doc: dpopRoutesDoc,
		config: func(c *echoaxioms.Config) {
			c.ErrorHandler = func(c echo.Context, d *echoaxioms.Error) error {
				got = d
				return c.JSON(d.Status, d.Body())
			}
		},
	})
	h.e.Group("/api").GET("/orders/:id", ok)
	rec := h.do(http.MethodGet, "/api/orders/7", "")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	require.NotNil(t, got)
	assert.Equal(t, got.Challenges(), rec.Header().Values("WWW-Authenticate"))
	assert.Equal(t, `DPoP realm="api", algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"`, rec.Header().Get("WWW-Authenticate"))
}

// TestDPoPDotSegmentsNeverChangeTheRoute: Echo matches a path with dot segments as it
// is ("/files/../admin" is the /files/:name route), so a proof whose htu names the path
// with the segments removed (/admin) must not pass there, nor any proof: a proof is
// good only for the route its URL names.
func TestDPoPDotSegmentsNeverChangeTheRoute(t *testing.T) {
	doc := specgen.Doc{Schemes: []string{"dpop: {type: http, scheme: bearer, x-axioms-dpop: required}"}}.YAML(`
  /files/{name}:
    parameters: [{name: name, in: path, required: true, schema: {type: string}}]
    get: {operationId: file, security: [{dpop: []}], responses: {"200": {description: ok}}}
  /admin:
    get: {operationId: admin, security: [{dpop: []}], responses: {"200": {description: ok}}}
`)
	key := axiomstest.NewDPoPKey(t, "ES256")
	h := newHarness(t, harnessOptions{doc: doc, config: func(c *echoaxioms.Config) { c.DPoPBaseURL = "https://api.example.com" }})
	h.e.GET("/files/:name", ok)
	h.e.GET("/admin", ok)
	tok := h.iss.Token(t, axiomstest.TokenSpec{DPoPKey: key})
	send := func(target, htu string) int {
		proof := key.Proof(t, axiomstest.ProofSpec{Method: http.MethodGet, URL: htu, AccessToken: tok})
		return h.do(http.MethodGet, target, "DPoP "+tok, "DPoP", proof).Code
	}
	for _, target := range []string{"/files/../admin", "/files/%2E%2E/admin", "/files/%2e%2e/admin"} {
		assert.Equal(t, http.StatusUnauthorized, send(target, "https://api.example.com/admin"), "%s with a proof for /admin", target)
		assert.Equal(t, http.StatusUnauthorized, send(target, "https://api.example.com"+target), "%s with a proof for itself", target)
	}
	assert.Equal(t, http.StatusOK, send("/admin", "https://api.example.com/admin"))
	assert.Equal(t, http.StatusOK, send("/files/a..b", "https://api.example.com/files/a..b"), "dots inside a segment are no dot segment")
	for _, r := range h.records()[:6] {
		assert.Equal(t, "file", r.OperationID)
		assert.Equal(t, "invalid_dpop_proof", string(r.Reason))
	}
}

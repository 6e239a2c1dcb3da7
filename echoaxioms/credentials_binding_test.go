package echoaxioms_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/validator"
)

// The route-binding guarantees (DESIGN §5) with sender-constrained and introspected
// credentials: a DPoP-bound token with a valid proof, and an opaque token the issuer
// introspects. Whatever code answers, its own operation's rule ran first, or the request
// was denied; and a DPoP proof is good only for the method Echo routed the request with.

// credsDoc protects its routes with one oauth2 scheme that takes DPoP-bound tokens and
// Bearer tokens (JWTs and opaque tokens alike).
var credsDoc = specgen.Doc{Schemes: []string{strings.TrimSuffix(specgen.OAuth2("oauth2", "create", "delete", "admin"), "}") + ", x-axioms-dpop: allowed}"}}.YAML(`
  /webhooks/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post: {operationId: createWebhook, security: [{oauth2: [create]}], responses: {"200": {description: ok}}}
    delete: {operationId: deleteWebhook, security: [{oauth2: [delete]}], responses: {"200": {description: ok}}}
    put: {operationId: replaceWebhook, security: [], responses: {"200": {description: ok}}}
  /graphql:
    post: {operationId: graphql, security: [{oauth2: [admin]}], responses: {"200": {description: ok}}}
  /public:
    get: {operationId: public, security: [], responses: {"200": {description: ok}}}
`)

// credsBaseURL is the DPoPBaseURL of credsHarness.
const credsBaseURL = "https://api.example.com"

// credsHarness protects credsDoc; its validator introspects the issuer's opaque tokens.
func credsHarness(t *testing.T, pre, use []echo.MiddlewareFunc) *harness {
	t.Helper()
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{IntrospectionClientID: "api", IntrospectionClientSecret: "s3cret"})
	return newHarness(t, harnessOptions{doc: credsDoc, issuer: iss, pre: pre, use: use,
		validator: func(cfg *validator.Config) {
			cfg.Introspection = &validator.Introspection{ClientID: "api", ClientSecret: "s3cret"}
		},
		config: func(c *echoaxioms.Config) { c.DPoPBaseURL = credsBaseURL },
	})
}

// credential is a way to present a token holding scopes, for a request of method at path.
type credential struct {
	name string
	// header returns the request's Authorization and the header pairs that go with it.
	header func(t *testing.T, h *harness, scopes, method, path string) (string, []string)
}

// dpopFor returns a DPoP credential whose proofs name htm (the request's method when
// empty).
func dpopFor(htm string) credential {
	return credential{name: "DPoP proof for " + htm, header: func(t *testing.T, h *harness, scopes, method, path string) (string, []string) {
		key := axiomstest.NewDPoPKey(t, "ES256")
		tok := h.iss.Token(t, axiomstest.TokenSpec{DPoPKey: key, Claims: map[string]any{"scope": scopes}})
		if htm == "" {
			htm = method
		}
		proof := key.Proof(t, axiomstest.ProofSpec{Method: htm, URL: credsBaseURL + path, AccessToken: tok})
		return "DPoP " + tok, []string{"DPoP", proof}
	}}
}

var (
	dpopCredential   = credential{name: "DPoP", header: dpopFor("").header}
	opaqueCredential = credential{name: "opaque", header: func(t *testing.T, h *harness, scopes, _, _ string) (string, []string) {
		return "Bearer " + h.iss.OpaqueToken(t, map[string]any{"scope": scopes, "sub": "alice"}), nil
	}}
)

// TestDPoPProofMethodUnderMethodOverride: the htm of a proof is compared with the method
// Echo routed the request with, the method of the operation whose rule applies. With
// MethodOverride in Use (after routing) that is the method the client sent (RFC 9449:
// the request's method), not the override; with MethodOverride in Pre, Echo routes with
// the override and the method the client sent is gone from the request: the proof must
// name the operation's method, so that a proof signed for one method never admits
// another method's operation.
func TestDPoPProofMethodUnderMethodOverride(t *testing.T) {
	override := []string{"X-HTTP-Method-Override", "DELETE"}
	for _, c := range []struct {
		setup    string
		pre, use []echo.MiddlewareFunc
		routed   string // the method Echo routes POST + override with
		handler  string // its handler
		scope    string // the scope its operation requires
		other    string // the other method
		otherScp string // the other operation's scope
	}{
		{setup: "MethodOverride in Pre", pre: []echo.MiddlewareFunc{middleware.MethodOverride()},
			routed: "DELETE", handler: "delete", scope: "delete", other: "POST", otherScp: "create"},
		{setup: "MethodOverride in Use", use: []echo.MiddlewareFunc{middleware.MethodOverride()},
			routed: "POST", handler: "create", scope: "create", other: "DELETE", otherScp: "delete"},
		{setup: "ContextTimeout, then MethodOverride, in Pre", pre: []echo.MiddlewareFunc{middleware.ContextTimeout(time.Minute), middleware.MethodOverride()},
			routed: "POST", handler: "create", scope: "create", other: "DELETE", otherScp: "delete"},
		{setup: "WrapMiddleware replacing the request, then MethodOverride, in Pre", pre: []echo.MiddlewareFunc{replaceRequest(), middleware.MethodOverride()},
			routed: "POST", handler: "create", scope: "create", other: "DELETE", otherScp: "delete"},
	} {
		t.Run(c.setup, func(t *testing.T) {
			h := credsHarness(t, c.pre, c.use)
			h.e.POST("/webhooks/:id", h.handler("create"))
			h.e.DELETE("/webhooks/:id", h.handler("delete"))
			send := func(htm, scopes string) int {
				auth, hdr := dpopFor(htm).header(t, h, scopes, "", "/webhooks/1")
				return h.do("POST", "/webhooks/1", auth, append(hdr, override...)...).Code
			}
			assert.Equal(t, http.StatusOK, send(c.routed, c.scope), "a proof for the routed method, the routed operation's scope")
			assert.Equal(t, []string{c.handler}, h.handlers())
			assert.Equal(t, http.StatusUnauthorized, send(c.other, c.scope), "a proof for the other method")
			assert.Equal(t, http.StatusUnauthorized, send(c.other, c.scope+" "+c.otherScp), "a proof for the other method, every scope")
			assert.Equal(t, http.StatusForbidden, send(c.routed, c.otherScp), "the other operation's scope only: the routed operation's rule applies")
			assert.Empty(t, h.handlers())
			records := h.records()
			require.Len(t, records, 4)
			for i, reason := range []string{"", "invalid_dpop_proof", "invalid_dpop_proof", "insufficient_scope"} {
				assert.Equal(t, map[string]string{"POST": "createWebhook", "DELETE": "deleteWebhook"}[c.routed], records[i].OperationID)
				assert.Equal(t, reason, string(records[i].Reason), "record %d", i)
			}
		})
	}
}

package httpaxioms_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/validator"
)

// The route-binding guarantees (DESIGN §5) on http.ServeMux with sender-constrained and
// introspected credentials: whatever code answers, its own operation's rule ran first,
// or the request was denied; and a DPoP proof is good only for the method the mux routed
// the request with.

// credsDoc protects its routes with one oauth2 scheme that takes DPoP-bound tokens and
// Bearer tokens (JWTs and opaque tokens alike).
var credsDoc = specgen.Doc{Schemes: []string{strings.TrimSuffix(specgen.OAuth2("oauth2", "create", "delete", "admin"), "}") + ", x-axioms-dpop: allowed}"}}.YAML(`
  /webhooks/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post: {operationId: createWebhook, security: [{oauth2: [create]}], responses: {"200": {description: ok}}}
    delete: {operationId: deleteWebhook, security: [{oauth2: [delete]}], responses: {"200": {description: ok}}}
  /graphql:
    post: {operationId: graphql, security: [{oauth2: [admin]}], responses: {"200": {description: ok}}}
  /reports:
    get: {operationId: reports, security: [{oauth2: [admin]}], responses: {"200": {description: ok}}}
`)

// credsBaseURL is the DPoPBaseURL of credsHarness.
const credsBaseURL = "https://api.example.com"

// credsHarness protects credsDoc, with front in front of the mux; its validator trusts
// iss, returned, which issues JWTs and opaque tokens it introspects.
func credsHarness(t *testing.T, front func(http.Handler) http.Handler) (*harness, *axiomstest.Issuer) {
	t.Helper()
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{IntrospectionClientID: "api", IntrospectionClientSecret: "s3cret"})
	vcfg := iss.ValidatorConfig()
	vcfg.Introspection = &validator.Introspection{ClientID: "api", ClientSecret: "s3cret"}
	v, err := validator.New(t.Context(), vcfg)
	require.NoError(t, err)
	h := newHarness(t, harnessOptions{doc: credsDoc, front: front, config: func(c *httpaxioms.Config) {
		c.Validator = v
		c.DPoPBaseURL = credsBaseURL
	}})
	return h, iss
}

// dpopHeader returns the Authorization of a DPoP-bound token of iss holding scopes, and
// the DPoP header of a proof for htm and the URL of path.
func dpopHeader(t *testing.T, iss *axiomstest.Issuer, scopes, htm, path string) (string, []string) {
	key := axiomstest.NewDPoPKey(t, "ES256")
	tok := iss.Token(t, axiomstest.TokenSpec{DPoPKey: key, Claims: map[string]any{"scope": scopes}})
	proof := key.Proof(t, axiomstest.ProofSpec{Method: htm, URL: credsBaseURL + path, AccessToken: tok})
	return "DPoP " + tok, []string{"DPoP", proof}
}

// TestDPoPProofMethodUnderMethodOverride: the htm of a proof is compared with the method
// the mux routed the request with, the method of the operation whose rule applies. An
// override in front of the mux routes with the overriding method, and the method the
// client sent is gone from the request, so the proof must name the operation's method; an
// override between the mux and the middleware comes after routing, so the proof names the
// method the client sent (RFC 9449: the request's method), never the override.
func TestDPoPProofMethodUnderMethodOverride(t *testing.T) {
	override := []string{"X-HTTP-Method-Override", "DELETE"}
	for _, c := range []struct {
		setup    string
		behind   bool // the override runs between the mux and the middleware
		routed   string
		handler  string
		scope    string
		other    string
		otherScp string
	}{
		{setup: "in front of the mux", routed: "DELETE", handler: "delete", scope: "delete", other: "POST", otherScp: "create"},
		{setup: "behind the mux", behind: true, routed: "POST", handler: "create", scope: "create", other: "DELETE", otherScp: "delete"},
	} {
		t.Run(c.setup, func(t *testing.T) {
			var front func(http.Handler) http.Handler
			if !c.behind {
				front = methodOverride
			}
			h, iss := credsHarness(t, front)
			handler := h.handler
			if c.behind {
				protect, err := h.cfg.Middleware()
				require.NoError(t, err)
				mux := http.NewServeMux()
				handler = func(name string) http.Handler { return methodOverride(protect(h.handler(name))) }
				h.front = mux
				mux.Handle("POST /webhooks/{id}", handler("create"))
				mux.Handle("DELETE /webhooks/{id}", handler("delete"))
			} else {
				h.handle("POST /webhooks/{id}", "create")
				h.handle("DELETE /webhooks/{id}", "delete")
			}
			send := func(htm, scopes string) int {
				auth, hdr := dpopHeader(t, iss, scopes, htm, "/webhooks/1")
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

// TestDPoPProofMethodOnHeadOfAGetPattern: the mux serves HEAD with a GET pattern, under
// the GET operation's rule; the request's method is HEAD, and the proof names HEAD.
func TestDPoPProofMethodOnHeadOfAGetPattern(t *testing.T) {
	h, iss := credsHarness(t, nil)
	h.handle("GET /reports", "reports")
	send := func(htm string) int {
		auth, hdr := dpopHeader(t, iss, "admin", htm, "/reports")
		return h.do("HEAD", "/reports", auth, hdr...).Code
	}
	assert.Equal(t, http.StatusOK, send("HEAD"))
	assert.Equal(t, []string{"reports"}, h.handlers())
	assert.Equal(t, http.StatusUnauthorized, send("GET"))
	assert.Empty(t, h.handlers())
}

// TestRouteBindingSetupsWithCredentials runs the mux's route-binding setups with a
// DPoP-bound token and a valid proof (for the method and URL the client sends) and with
// an opaque, introspected token, both holding every scope: the handler that runs is the
// one the mux routed to, under its own rule; the mux's own answers stay its own, with no
// handler and no introspection.
func TestRouteBindingSetupsWithCredentials(t *testing.T) {
	type want struct {
		status  int
		handler string // the handler that runs ("" for none)
	}
	stripV1 := func(next http.Handler) http.Handler { return http.StripPrefix("/v1", next) }
	replace := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r.WithContext(r.Context())) })
	}
	for _, c := range []struct {
		setup          string
		front          func(http.Handler) http.Handler
		routes         func(h *harness)
		method, target string
		header         []string
		dpop, opaque   want
	}{
		{setup: "method override in front of the mux", front: methodOverride, method: "POST", target: "/webhooks/1",
			header: []string{"X-HTTP-Method-Override", "DELETE"}, dpop: want{401, ""}, opaque: want{200, "delete"}}, // routed DELETE: the proof must name it
		{setup: "pattern without a method, method override in front", front: methodOverride, routes: func(h *harness) { h.handle("/graphql", "graphql any") },
			method: "POST", target: "/graphql", header: []string{"X-HTTP-Method-Override", "PATCH"}, dpop: want{403, ""}, opaque: want{403, ""}},
		{setup: "request replaced in front of the mux", front: replace, method: "POST", target: "/webhooks/1", dpop: want{200, "create"}, opaque: want{200, "create"}},
		{setup: "StripPrefix in front of the mux", front: stripV1, method: "POST", target: "/v1/webhooks/1", dpop: want{200, "create"}, opaque: want{200, "create"}},
		{setup: "pattern registered after traffic", routes: func(h *harness) {
			h.do("GET", "/late", "")
			h.handle("GET /late", "late")
		}, method: "GET", target: "/late", dpop: want{403, ""}, opaque: want{403, ""}},
		{setup: "subtree pattern below its root", routes: func(h *harness) { h.handle("/", "catch-all") },
			method: "GET", target: "/admin/secrets", dpop: want{403, ""}, opaque: want{403, ""}},
		{setup: "OPTIONS pattern", routes: func(h *harness) { h.handle("OPTIONS /graphql", "graphql options") },
			method: "OPTIONS", target: "/graphql", dpop: want{403, ""}, opaque: want{403, ""}},
		{setup: "host pattern without a document", routes: func(h *harness) { h.handle("POST admin.internal/webhooks/{id}", "admin") },
			method: "POST", target: "http://admin.internal/webhooks/1", dpop: want{403, ""}, opaque: want{403, ""}},
		{setup: "the mux's 405", method: "PATCH", target: "/webhooks/1", dpop: want{405, ""}, opaque: want{405, ""}},
		{setup: "the mux's 405 for OPTIONS", method: "OPTIONS", target: "/webhooks/1", dpop: want{405, ""}, opaque: want{405, ""}},
		{setup: "the mux's 404", method: "GET", target: "/no-route", dpop: want{404, ""}, opaque: want{404, ""}},
	} {
		for _, cred := range []string{"DPoP", "opaque"} {
			t.Run(c.setup+"/"+cred, func(t *testing.T) {
				h, iss := credsHarness(t, c.front)
				h.handle("POST /webhooks/{id}", "create")
				h.handle("DELETE /webhooks/{id}", "delete")
				h.handle("POST /graphql", "graphql")
				if c.routes != nil {
					c.routes(h)
				}
				h.handlers()
				target, err := url.Parse(c.target)
				require.NoError(t, err)
				w, auth, header := c.opaque, "Bearer "+iss.OpaqueToken(t, map[string]any{"scope": "create delete admin", "sub": "alice"}), []string(nil)
				if cred == "DPoP" {
					w = c.dpop
					auth, header = dpopHeader(t, iss, "create delete admin", c.method, target.Path)
				}
				fetches := iss.IntrospectionFetches()
				rec := h.do(c.method, c.target, auth, append(header, c.header...)...)
				assert.Equal(t, w.status, rec.Code, rec.Body.String())
				if w.handler != "" {
					assert.Equal(t, []string{w.handler}, h.handlers())
				} else {
					assert.Empty(t, h.handlers())
				}
				if w.status == http.StatusNotFound || w.status == http.StatusMethodNotAllowed {
					assert.Equal(t, fetches, iss.IntrospectionFetches(), "the mux's own answer: no token is introspected")
					assert.Empty(t, rec.Header().Get("WWW-Authenticate"))
				}
			})
		}
	}
}

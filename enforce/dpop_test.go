package enforce_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

const dpopAlgs = `algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"`

var dpopDoc = specgen.Doc{Schemes: []string{
	specgen.Bearer("plain"),
	"dpop: {type: http, scheme: bearer, x-axioms-dpop: required}",
	"other: {type: http, scheme: bearer, x-axioms-dpop: required}",
	"either: {type: http, scheme: bearer, x-axioms-dpop: allowed}",
}}.YAML(`
  /plain:
    get: {operationId: plain, security: [{plain: []}], responses: {"200": {description: ok}}}
  /dpop:
    get: {operationId: dpop, security: [{dpop: []}], responses: {"200": {description: ok}}}
  /either:
    get: {operationId: either, security: [{either: []}], responses: {"200": {description: ok}}}
  /both:
    get: {operationId: both, security: [{dpop: [], other: []}], responses: {"200": {description: ok}}}
  /mfa:
    get: {operationId: mfa, security: [{dpop: []}], x-axioms-acr: ["urn:example:mfa"], responses: {"200": {description: ok}}}
  /users/{uid}:
    parameters: [{name: uid, in: path, required: true, schema: {type: string}}]
    get: {operationId: user, security: [{dpop: []}], x-axioms-owner: {param: uid}, responses: {"200": {description: ok}}}
`)

// dpopSetup is an Enforcer of dpopDoc, an issuer, and a client's DPoP key.
type dpopSetup struct {
	t        *testing.T
	iss      *axiomstest.Issuer
	key      *axiomstest.DPoPKey
	policies *openapi.Policies
	core     *enforce.Enforcer
	records  []enforce.AuditRecord
}

func newDPoPSetup(t *testing.T, tune func(*dpopSetup, *enforce.Config)) *dpopSetup {
	t.Helper()
	s := &dpopSetup{t: t, iss: axiomstest.NewIssuer(t, axiomstest.IssuerConfig{}), key: axiomstest.NewDPoPKey(t, "ES256")}
	var err error
	s.policies, err = openapi.LoadData(dpopDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	cfg := enforce.Config{Policies: s.policies, Validator: s.iss.Validator(t),
		Params:    func(any) ([]string, []string) { return []string{"uid"}, []string{"someone-else"} },
		AuditHook: func(_ context.Context, _ any, r enforce.AuditRecord) { s.records = append(s.records, r) }}
	if tune != nil {
		tune(s, &cfg)
	}
	s.core, err = enforce.New(cfg)
	require.NoError(t, err)
	return s
}

// boundToken mints a token bound to the setup's DPoP key, with claims.
func (s *dpopSetup) boundToken(claims map[string]any) string {
	return s.iss.Token(s.t, axiomstest.TokenSpec{Claims: claims, DPoPKey: s.key})
}

// proof is a valid proof for GET http://api.example.test<route> presenting token.
func (s *dpopSetup) proof(route, token string) string {
	return s.key.Proof(s.t, axiomstest.ProofSpec{Method: http.MethodGet, URL: "http://api.example.test" + route, AccessToken: token})
}

// do has the core decide a GET of route on host api.example.test with the headers h.
func (s *dpopSetup) do(route string, h http.Header) (enforce.Result, enforce.AuditRecord) {
	s.t.Helper()
	return s.doPath(route, route, h)
}

// doPath is do for a request to path, which the router matched with route.
func (s *dpopSetup) doPath(route, path string, h http.Header) (enforce.Result, enforce.AuditRecord) {
	s.t.Helper()
	req := enforce.Request{Native: nil, Header: h, Method: http.MethodGet, Route: route,
		Host: "api.example.test", RequestURI: path, URL: &url.URL{Path: path},
		Policy: s.policies.Lookup(http.MethodGet, route)}
	before := len(s.records)
	res := s.core.Enforce(context.Background(), &req)
	require.Len(s.t, s.records, before+1)
	return res, s.records[before]
}

func dpopHeaders(token, proof string) http.Header {
	h := http.Header{"Authorization": {"DPoP " + token}}
	if proof != "" {
		h["Dpop"] = []string{proof}
	}
	return h
}

// Several schemes requiring DPoP, each with its own validator, check the one proof once:
// a second check would find its jti spent and call it a replay.
func TestDPoPProofCheckedOncePerRequest(t *testing.T) {
	s := newDPoPSetup(t, func(s *dpopSetup, c *enforce.Config) {
		c.SchemeValidators = map[string]enforce.TokenValidator{"other": s.iss.Validator(t)}
	})
	tok := s.boundToken(nil)
	proof := s.proof("/both", tok)
	res, rec := s.do("/both", dpopHeaders(tok, proof))
	require.Nil(t, res.Denial, "%v", res.Denial)
	assert.Equal(t, enforce.OutcomeAllowed, rec.Outcome)

	res, rec = s.do("/both", dpopHeaders(tok, proof))
	require.NotNil(t, res.Denial, "the same proof again is a replay")
	assert.Equal(t, enforce.Reason(validator.ReasonDPoPReplayed), rec.Reason)
}

// Denials after authentication (step-up, ownership, scopes) answer a DPoP request with
// the DPoP challenge.
func TestDPoPDenialsAfterAuthentication(t *testing.T) {
	s := newDPoPSetup(t, nil)
	tok := s.boundToken(map[string]any{"acr": "urn:example:pwd"})

	res, rec := s.do("/mfa", dpopHeaders(tok, s.proof("/mfa", tok)))
	require.NotNil(t, res.Denial)
	assert.Equal(t, enforce.ReasonInsufficientUserAuthentication, rec.Reason)
	assert.Equal(t, []string{`DPoP realm="api", error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="urn:example:mfa", ` + dpopAlgs},
		res.Denial.Challenges())

	res, rec = s.doPath("/users/{uid}", "/users/someone-else", dpopHeaders(tok, s.proof("/users/someone-else", tok)))
	require.NotNil(t, res.Denial)
	assert.Equal(t, enforce.ReasonNotOwner, rec.Reason)
	assert.Equal(t, `DPoP realm="api", error="insufficient_permission", error_description="the caller does not own this resource", `+dpopAlgs, res.Denial.Challenge())
}

// The answers to Bearer requests on an operation without DPoP schemes are those of a
// document without x-axioms-dpop anywhere, byte for byte: status, every header, body.
func TestBearerAnswersUnchangedByDPoP(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	plainDoc := specgen.Doc{Schemes: []string{specgen.Bearer("plain")}}.YAML(`
  /plain:
    get: {operationId: plain, security: [{plain: []}], responses: {"200": {description: ok}}}
  /optional:
    get: {operationId: optional, security: [{}, {plain: []}], responses: {"200": {description: ok}}}
`)
	withDPoP := specgen.Doc{Schemes: []string{specgen.Bearer("plain"), "dpop: {type: http, scheme: bearer, x-axioms-dpop: required}"}}.YAML(`
  /plain:
    get: {operationId: plain, security: [{plain: []}], responses: {"200": {description: ok}}}
  /optional:
    get: {operationId: optional, security: [{}, {plain: []}], responses: {"200": {description: ok}}}
  /dpop:
    get: {operationId: dpop, security: [{dpop: []}], responses: {"200": {description: ok}}}
`)
	build := func(doc []byte, perScheme bool) (*enforce.Enforcer, *openapi.Policies) {
		p, err := openapi.LoadData(doc, openapi.LoadOptions{})
		require.NoError(t, err)
		cfg := enforce.Config{Policies: p, Validator: iss.Validator(t)}
		if perScheme { // the general path
			cfg.SchemeValidators = map[string]enforce.TokenValidator{"plain": iss.Validator(t)}
		}
		core, err := enforce.New(cfg)
		require.NoError(t, err)
		return core, p
	}
	valid := iss.Token(t, axiomstest.TokenSpec{})
	expired := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"exp": time.Now().Add(-time.Hour)}})
	auths := [][]string{nil, {"Bearer " + valid}, {"Bearer " + expired}, {"Bearer"}, {"Bearer a b"}, {"Bearer a=b"},
		{"Bearer " + valid, "Bearer " + valid}, {"Basic eDp5"}, {"DPoP " + valid}, {"DPoP"}, {"DPoP a b"}, {"Bearer not.a.jwt"}}
	for _, perScheme := range []bool{false, true} {
		before, beforeP := build(plainDoc, perScheme)
		after, afterP := build(withDPoP, perScheme)
		for _, route := range []string{"/plain", "/optional"} {
			for _, auth := range auths {
				answer := func(core *enforce.Enforcer, p *openapi.Policies) (int, http.Header, string) {
					h := http.Header{}
					if auth != nil {
						h["Authorization"] = auth
					}
					h.Set("DPoP", "x.y.z")
					res := core.Enforce(context.Background(), &enforce.Request{Header: h, Method: "GET", Route: route,
						Host: "api.example.test", RequestURI: route, Policy: p.Lookup("GET", route)})
					if res.Denial == nil {
						return 200, nil, ""
					}
					out := http.Header{}
					res.Denial.SetHeaders(out)
					body, err := json.Marshal(res.Denial.Body())
					require.NoError(t, err)
					return res.Status, out, string(body)
				}
				s1, h1, b1 := answer(before, beforeP)
				s2, h2, b2 := answer(after, afterP)
				assert.Equal(t, s1, s2, "%s %q", route, auth)
				assert.Equal(t, h1, h2, "%s %q", route, auth)
				assert.Equal(t, b1, b2, "%s %q", route, auth)
				assert.Empty(t, h2.Values("DPoP-Nonce"))
				assert.LessOrEqual(t, len(h2.Values("WWW-Authenticate")), 1)
			}
		}
	}
}

func TestDPoPNonce(t *testing.T) {
	checker, err := validator.NewDPoPChecker(validator.DPoPConfig{NonceSecret: []byte("a nonce secret of at least 32 bytes!")})
	require.NoError(t, err)
	s := newDPoPSetup(t, func(_ *dpopSetup, c *enforce.Config) { c.DPoP = checker })
	tok := s.boundToken(nil)
	res, rec := s.do("/dpop", dpopHeaders(tok, s.proof("/dpop", tok)))
	require.NotNil(t, res.Denial)
	assert.Equal(t, enforce.Reason(validator.ReasonUseDPoPNonce), rec.Reason)
	assert.Equal(t, enforce.CodeUseDPoPNonce, res.Denial.Code)
	h := http.Header{}
	res.Denial.SetHeaders(h)
	nonce := h.Get("DPoP-Nonce")
	require.NotEmpty(t, nonce)
	assert.Equal(t, checker.Nonce(), nonce)
	assert.Equal(t, []string{`DPoP realm="api", error="use_dpop_nonce", error_description="DPoP proof lacks the server nonce", ` + dpopAlgs}, h.Values("WWW-Authenticate"))

	withNonce := s.key.Proof(t, axiomstest.ProofSpec{Method: "GET", URL: "http://api.example.test/dpop", AccessToken: tok, Nonce: nonce})
	res, _ = s.do("/dpop", dpopHeaders(tok, withNonce))
	assert.Nil(t, res.Denial)
}

func TestDPoPBaseURL(t *testing.T) {
	for _, c := range []struct{ base, want string }{
		{"https://api.example.com", ""},
		{"https://API.example.com:8443/", ""},
		{"http://127.0.0.1:8080/prefix/", ""},
		{"api.example.com", "must be an absolute http or https URL"},
		{"/api", "must be an absolute http or https URL"},
		{"ftp://api.example.com", "must be an absolute http or https URL"},
		{"https://", "has no host"},
		{"https://user:pw@api.example.com", "must not carry user information"},
		{"https://api.example.com/?x=1", "must not carry a query or a fragment"},
		{"https://api.example.com/#f", "must not carry a query or a fragment"},
		{"https://api.example.com/?", "must not carry a query or a fragment"},
		{"https://api example.com", "is not a URL"},
		{"https://api.example.com/svc/../", "must not have dot segments"},
		{"https://api.example.com/./svc", "must not have dot segments"},
		{"https://api.example.com/%2E%2E", "must not have dot segments"},
		{"https://api.example.com/svc..v2", ""},
	} {
		t.Run(c.base, func(t *testing.T) {
			policies, err := openapi.LoadData(dpopDoc, openapi.LoadOptions{})
			require.NoError(t, err)
			iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
			_, err = enforce.New(enforce.Config{Policies: policies, Validator: iss.Validator(t), DPoPBaseURL: c.base,
				Params: func(any) ([]string, []string) { return nil, nil }})
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Config.DPoPBaseURL")
			assert.Contains(t, err.Error(), c.want)
		})
	}

	// Behind a proxy: the service sees http://internal:8080, the client addressed
	// https://api.example.com/svc (the proxy strips /svc).
	s := newDPoPSetup(t, func(_ *dpopSetup, c *enforce.Config) { c.DPoPBaseURL = "https://API.example.com/svc/" })
	tok := s.boundToken(nil)
	external := s.key.Proof(t, axiomstest.ProofSpec{Method: "GET", URL: "https://api.example.com/svc/dpop", AccessToken: tok})
	res, _ := s.do("/dpop", dpopHeaders(tok, external))
	assert.Nil(t, res.Denial, "the external URL")
	internal := s.key.Proof(t, axiomstest.ProofSpec{Method: "GET", URL: "http://api.example.test/dpop", AccessToken: tok})
	res, rec := s.do("/dpop", dpopHeaders(tok, internal))
	require.NotNil(t, res.Denial, "the URL the service sees is not the one clients address")
	assert.Equal(t, enforce.Reason(validator.ReasonInvalidDPoPProof), rec.Reason)
}

// Without DPoPBaseURL, the URL is built from the request: its scheme (TLS), its Host
// and the path of the request-target as received, whatever the URL says since.
func TestDPoPURLFromTheRequest(t *testing.T) {
	s := newDPoPSetup(t, nil)
	tok := s.boundToken(nil)
	for _, c := range []struct {
		name       string
		tls        bool
		requestURI string
		url        string
		htu        string
		ok         bool
	}{
		{"http", false, "/dpop", "/dpop", "http://api.example.test/dpop", true},
		{"https", true, "/dpop", "/dpop", "https://api.example.test/dpop", true},
		{"https, proof for http", true, "/dpop", "/dpop", "http://api.example.test/dpop", false},
		{"query dropped", false, "/dpop?a=1#x", "/dpop", "http://api.example.test/dpop", true},
		{"rewritten URL: the request-target counts", false, "/v1/dpop", "/dpop", "http://api.example.test/v1/dpop", true},
		{"rewritten URL: not the rewritten path", false, "/v1/dpop", "/dpop", "http://api.example.test/dpop", false},
		{"absolute-form request-target", false, "http://api.example.test/dpop?q", "/other", "http://api.example.test/dpop", true},
		{"no request-target: the URL", false, "", "/dpop", "http://api.example.test/dpop", true},
		{"percent-encoding", false, "/d%70op", "/dpop", "http://api.example.test/dpop", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			proof := s.key.Proof(t, axiomstest.ProofSpec{Method: "GET", URL: c.htu, AccessToken: tok})
			req := enforce.Request{Header: dpopHeaders(tok, proof), Method: "GET", Route: "/dpop", Host: "api.example.test",
				TLS: c.tls, RequestURI: c.requestURI, URL: &url.URL{Path: c.url}, Policy: s.policies.Lookup("GET", "/dpop")}
			res := s.core.Enforce(context.Background(), &req)
			if c.ok {
				assert.Nil(t, res.Denial, "%v", res.Denial)
			} else {
				require.NotNil(t, res.Denial)
				assert.Equal(t, "DPoP proof htu does not match the request URL", res.Denial.Description)
			}
		})
	}
}

// Config.DPoP is built when the document uses x-axioms-dpop and none is given; one given
// is used (its algorithms are the challenges').
func TestDPoPChecker(t *testing.T) {
	checker, err := validator.NewDPoPChecker(validator.DPoPConfig{Algorithms: []string{"ES256", "EdDSA"}})
	require.NoError(t, err)
	s := newDPoPSetup(t, func(_ *dpopSetup, c *enforce.Config) { c.DPoP = checker })
	res, _ := s.do("/dpop", http.Header{})
	require.NotNil(t, res.Denial)
	assert.Equal(t, `DPoP realm="api", algs="ES256 EdDSA"`, res.Denial.Challenge())

	s = newDPoPSetup(t, nil)
	res, _ = s.do("/either", http.Header{})
	require.NotNil(t, res.Denial)
	assert.Equal(t, []string{`Bearer realm="api"`, `DPoP realm="api", ` + dpopAlgs}, res.Denial.Challenges())
	assert.Equal(t, `Bearer realm="api"`, res.Denial.Challenge(), "the first challenge")
	tok := s.boundToken(nil)
	res, _ = s.do("/dpop", dpopHeaders(tok, s.proof("/dpop", tok)))
	assert.Nil(t, res.Denial, "the default checker")
}

func TestAccessTokenRefusesBoundTokens(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	at, err := enforce.NewAccessToken(enforce.AccessTokenConfig{Validator: iss.Validator(t)})
	require.NoError(t, err)
	tok := iss.Token(t, axiomstest.TokenSpec{DPoPKey: axiomstest.NewDPoPKey(t, "ES256")})

	st := enforce.StateFromContext(at.Inspect(context.Background(), http.Header{"Authorization": {"Bearer " + tok}}))
	assert.Equal(t, enforce.TokenInvalid, st.Status)
	require.NotNil(t, st.Err)
	assert.Equal(t, enforce.ReasonDPoPBoundToken, st.Err.Reason)
	assert.Equal(t, `Bearer realm="api", error="invalid_token", error_description="the access token is DPoP-bound: present it with the DPoP scheme and a proof"`, st.Err.Challenge())

	st = enforce.StateFromContext(at.Inspect(context.Background(), http.Header{"Authorization": {"DPoP " + tok}}))
	assert.Equal(t, enforce.TokenMissing, st.Status, "no proof is checked here: the DPoP scheme is another scheme")
}

func TestErrorChallenges(t *testing.T) {
	both := &enforce.Error{Status: 401, Code: enforce.CodeInvalidToken, Description: `a "quoted" text`,
		Schemes: enforce.AuthBearer | enforce.AuthDPoP, Algs: []string{"ES256"}, Nonce: "n-1"}
	assert.Equal(t, []string{`Bearer realm="", error="invalid_token", error_description="a \"quoted\" text"`,
		`DPoP realm="", error="invalid_token", error_description="a \"quoted\" text", algs="ES256"`}, both.Challenges())
	h := http.Header{"Www-Authenticate": {"stale"}}
	both.SetHeaders(h)
	assert.Equal(t, both.Challenges(), h.Values("WWW-Authenticate"), "replaced, one value per challenge")
	assert.Equal(t, "n-1", h.Get("DPoP-Nonce"))
	assert.Equal(t, "no-store", h.Get("Cache-Control"))

	bearer := &enforce.Error{Status: 401}
	assert.Equal(t, []string{`Bearer realm=""`}, bearer.Challenges(), "the zero Schemes is Bearer")
	unavailable := &enforce.Error{Status: 503, Schemes: enforce.AuthDPoP, Algs: []string{"ES256"}}
	assert.Empty(t, unavailable.Challenges())
	assert.Empty(t, unavailable.Challenge())
	assert.Equal(t, "invalid_dpop_proof", (&enforce.Error{Status: 401, Code: enforce.CodeInvalidDPoPProof}).Body().Error)
}

// A policy that is not the document's (a hand-built one) may name a DPoP scheme the
// Enforcer has no checker for: refused, never accepted unchecked.
func TestDPoPWithoutChecker(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	plain, err := openapi.LoadData(specgen.Doc{Schemes: []string{specgen.Bearer("b")}}.YAML(`
  /x:
    get: {security: [{b: []}], responses: {"200": {description: ok}}}
`), openapi.LoadOptions{})
	require.NoError(t, err)
	core, err := enforce.New(enforce.Config{Policies: plain, Validator: iss.Validator(t)})
	require.NoError(t, err)
	key := axiomstest.NewDPoPKey(t, "ES256")
	tok := iss.Token(t, axiomstest.TokenSpec{DPoPKey: key})
	p := &openapi.Policy{Method: "GET", Path: "/x", Route: "/x", Auth: openapi.AuthRequired,
		Alternatives: []openapi.Alternative{{{Scheme: "b", Type: openapi.SchemeHTTP, Bearer: true, DPoP: openapi.DPoPRequired, Scopes: []string{}}}}}
	proof := key.Proof(t, axiomstest.ProofSpec{Method: "GET", URL: "http://api.example.test/x", AccessToken: tok})
	res := core.Enforce(context.Background(), &enforce.Request{Header: dpopHeaders(tok, proof), Method: "GET", Route: "/x",
		Host: "api.example.test", RequestURI: "/x", Policy: p})
	require.NotNil(t, res.Denial)
	assert.Equal(t, http.StatusUnauthorized, res.Status)
	assert.Equal(t, enforce.CodeInvalidDPoPProof, res.Denial.Code)
}

// The code-level checks after the Enforcer answer a DPoP request in the DPoP scheme, a
// Bearer request as before.
func TestRequirementAfterDPoP(t *testing.T) {
	s := newDPoPSetup(t, nil)
	tok := s.boundToken(nil)
	res, _ := s.do("/dpop", dpopHeaders(tok, s.proof("/dpop", tok)))
	require.Nil(t, res.Denial)
	req := &enforce.Request{Method: "GET", Route: "/dpop"}
	check := enforce.RequireRoles("admin").Check(res.Context, req)
	require.NotNil(t, check.Denial)
	assert.Equal(t, []string{`DPoP realm="api", error="insufficient_permission", error_description="the access token lacks a required role", ` + dpopAlgs},
		check.Denial.Challenges())
	owner := enforce.RequireOwner(func(context.Context, any) (any, error) { return map[string]any{"user": "someone-else"}, nil }, "", "", nil)
	check = owner.Check(res.Context, req)
	require.NotNil(t, check.Denial)
	assert.Equal(t, enforce.AuthDPoP, check.Denial.Schemes)

	plain := s.iss.Token(t, axiomstest.TokenSpec{})
	res, _ = s.do("/either", http.Header{"Authorization": {"Bearer " + plain}})
	require.Nil(t, res.Denial)
	check = enforce.RequireRoles("admin").Check(res.Context, req)
	require.NotNil(t, check.Denial)
	assert.Equal(t, `Bearer realm="api", error="insufficient_permission", error_description="the access token lacks a required role"`, check.Denial.Challenge())
	assert.Len(t, check.Denial.Challenges(), 1)
}

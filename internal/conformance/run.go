package conformance

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

//go:embed testdata/api.yaml
var document []byte

// epoch is the controlled clock's time: tokens are minted and validated at it.
var epoch = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// arrangements are the two ways Run configures the validators, and their subtests'
// names: one validator for every bearer scheme (the adapters' single-validator path),
// and a validator per scheme.
var arrangements = []struct {
	name string
	arrangement
}{
	{"one validator", oneValidator},
	{"a validator per scheme", perScheme},
	{"DPoP nonces, URL from the request", dpopNonces},
}

// baseURL is the DPoPBaseURL of the arrangements other than dpopNonces: the URL clients
// address, whatever the request's Host says.
const baseURL = "https://api.example.test"

// nonceSecret keys the server nonces of the dpopNonces arrangement.
var nonceSecret = []byte("conformance nonce secret, 32 bytes or more")

// Run sends every request of the table to the application d builds, once per validator
// arrangement, and checks each answer: status, WWW-Authenticate, Retry-After,
// Cache-Control, the body's "error", the audit record, and which handler ran with
// which principal and object. Rows run one at a time, as subtests named after them; the
// issuers and validators run on a clock that never moves.
func Run(t *testing.T, d Driver) {
	env := newEnvironment(t)
	router := d.Router()
	for _, a := range arrangements {
		t.Run(a.name, func(t *testing.T) {
			s := env.setup(t, a.arrangement)
			h := d.Handler(t, s)
			for _, r := range table {
				if r.Only != a.arrangement && (r.Only != everyArrangement || a.arrangement == dpopNonces) {
					continue
				}
				t.Run(r.Name, func(t *testing.T) { env.check(t, h, router, r, s) })
			}
		})
	}
}

// environment holds what every arrangement shares: the clock, the issuers, the policies
// and the audit records of the request in flight.
type environment struct {
	policies         *openapi.Policies
	main, partners   *axiomstest.Issuer
	forgedKey        *axiomstest.Key
	clock            *axiomstest.Clock
	mainV, partnersV *validator.Validator
	tokens           map[token]string
	mu               sync.Mutex
	records          []AuditRecord
	authenticators   map[string]Authenticator
	ownerLoaders     map[string]OwnerLoader
	routes           []Route
	// dpopKey is the DPoP key bound tokens are bound to; otherDPoPKey one no token is.
	dpopKey, otherDPoPKey *axiomstest.DPoPKey
}

func newEnvironment(t *testing.T) *environment {
	t.Helper()
	policies, err := openapi.LoadData(document, openapi.LoadOptions{})
	if err != nil {
		t.Fatalf("testdata/api.yaml: %v", err)
	}
	clock := axiomstest.NewClock(epoch)
	env := &environment{
		policies:     policies,
		clock:        clock,
		main:         axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Now: clock.Now}),
		partners:     axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Now: clock.Now}),
		forgedKey:    axiomstest.NewKey(t, "ES256"),
		dpopKey:      axiomstest.NewDPoPKey(t, "ES256"),
		otherDPoPKey: axiomstest.NewDPoPKey(t, "ES256"),
		tokens:       map[token]string{},
		authenticators: map[string]Authenticator{
			"apiKey": apiKeyAuthenticator,
		},
		ownerLoaders: map[string]OwnerLoader{
			"getArticle": {Param: "article_id", Load: loadArticle},
		},
	}
	// The partners' key set answers 503 from the start: their validator never gets keys,
	// and, the clock standing still, never tries again.
	env.partners.Fail(axiomstest.Fault{Status: http.StatusServiceUnavailable})
	env.mainV = newValidator(t, env.main, clock)
	env.partnersV = newValidator(t, env.partners, clock)
	for _, p := range policies.All() {
		env.routes = append(env.routes, Route{Method: p.Method, Path: p.Route, Name: p.OperationID})
	}
	env.routes = append(env.routes, undocumentedRoutes...)
	return env
}

// newValidator returns a validator trusting iss on clock, introspecting its opaque
// tokens at its introspection endpoint.
func newValidator(t *testing.T, iss *axiomstest.Issuer, clock *axiomstest.Clock) *validator.Validator {
	t.Helper()
	cfg := iss.ValidatorConfig()
	cfg.Now = clock.Now
	cfg.Introspection = &validator.Introspection{Endpoint: iss.IntrospectionURL()}
	v, err := validator.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("validator: %v", err)
	}
	return v
}

// setup returns the Setup of an arrangement, with a DPoP checker of its own on the
// clock: with server nonces and without DPoPBaseURL for dpopNonces.
func (env *environment) setup(t *testing.T, a arrangement) Setup {
	s := Setup{
		Policies:       env.policies,
		Routes:         env.routes,
		Validator:      env.mainV,
		Authenticators: env.authenticators,
		OwnerLoaders:   env.ownerLoaders,
		Audit:          env.record,
		DPoPBaseURL:    baseURL,
	}
	cfg := validator.DPoPConfig{Now: env.clock.Now}
	switch a {
	case perScheme:
		s.SchemeValidators = map[string]*validator.Validator{"partners": env.partnersV}
	case dpopNonces:
		cfg.NonceSecret, s.DPoPBaseURL = nonceSecret, ""
	}
	var err error
	if s.DPoP, err = validator.NewDPoPChecker(cfg); err != nil {
		t.Fatalf("DPoP checker: %v", err)
	}
	return s
}

func (env *environment) record(r AuditRecord) {
	env.mu.Lock()
	env.records = append(env.records, r)
	env.mu.Unlock()
}

// takeRecords returns the audit records since the last call, and forgets them.
func (env *environment) takeRecords() []AuditRecord {
	env.mu.Lock()
	defer env.mu.Unlock()
	r := env.records
	env.records = nil
	return r
}

// token returns the token tok describes, minting it the first time.
func (env *environment) token(t *testing.T, tok token) string {
	if s, ok := env.tokens[tok]; ok {
		return s
	}
	claims := map[string]any{}
	if tok.Subject != "" {
		claims["sub"] = tok.Subject
	}
	if tok.Scope != "" {
		claims["scope"] = tok.Scope
	}
	if tok.Roles != "" {
		claims["roles"] = strings.Fields(tok.Roles)
	}
	if tok.Permissions != "" {
		claims["permissions"] = strings.Fields(tok.Permissions)
	}
	if tok.Expired {
		now := env.clock.Now()
		claims["iat"], claims["nbf"], claims["exp"] = now.Add(-2*time.Hour), now.Add(-2*time.Hour), now.Add(-time.Hour)
	}
	if tok.Audience != "" {
		claims["aud"] = tok.Audience
	}
	if tok.ACR != "" {
		var acr any
		if err := json.Unmarshal([]byte(tok.ACR), &acr); err != nil {
			t.Fatalf("token.ACR %q: %v", tok.ACR, err)
		}
		claims["acr"] = acr
	}
	if tok.AuthAge != 0 {
		at := env.clock.Now().Add(-tok.AuthAge).Unix()
		claims["auth_time"] = at
		if tok.AuthTimeText {
			claims["auth_time"] = strconv.FormatInt(at, 10)
		}
	}
	if tok.Opaque != jwt {
		s := env.opaqueToken(t, tok, claims)
		env.tokens[tok] = s
		return s
	}
	spec := axiomstest.TokenSpec{Claims: claims}
	if tok.Bound {
		spec.DPoPKey = env.dpopKey
	}
	iss := env.main
	switch tok.Issuer {
	case signerPartners:
		iss = env.partners
	case signerForged:
		spec.Key, spec.KeyID = env.forgedKey, env.main.Key("ES256").ID()
	}
	s := iss.Token(t, spec)
	env.tokens[tok] = s
	return s
}

// request returns the request of r, its DPoP proofs carrying nonce unless empty.
func (env *environment) request(t *testing.T, r row, s Setup, nonce string) *http.Request {
	req := httptest.NewRequest(r.Method, r.Path, nil)
	for _, v := range r.Authorization {
		if strings.Contains(v, "$token") {
			v = strings.ReplaceAll(v, "$token", env.token(t, r.Token))
		}
		req.Header.Add("Authorization", v)
	}
	if r.APIKey != "" {
		req.Header.Set("X-API-Key", r.APIKey)
	}
	for name, v := range r.Header {
		req.Header.Set(name, v)
	}
	if p := r.Proof; p != nil {
		req.Header.Add("DPoP", env.proof(t, r, s, req, nonce))
		if p.Twice {
			req.Header.Add("DPoP", env.proof(t, r, s, req, nonce))
		}
	}
	return req
}

// proof returns a DPoP proof for req as r.Proof describes it.
func (env *environment) proof(t *testing.T, r row, s Setup, req *http.Request, nonce string) string {
	p := r.Proof
	path := req.URL.EscapedPath()
	spec := axiomstest.ProofSpec{
		Method:      r.Method,
		URL:         s.DPoPBaseURL + path,
		AccessToken: env.token(t, r.Token),
		IssuedAt:    env.clock.Now().Add(-p.Age),
		Nonce:       p.Nonce,
	}
	if s.DPoPBaseURL == "" {
		spec.URL = "http://" + req.Host + path
	}
	if p.CurrentNonce {
		spec.Nonce = s.DPoP.Nonce()
	}
	if nonce != "" {
		spec.Nonce = nonce
	}
	if p.Method != "" {
		spec.Method = p.Method
	}
	if p.URL != "" {
		spec.URL = p.URL
	}
	if p.Token != nil {
		spec.AccessToken = env.token(t, *p.Token)
	}
	switch p.Alg {
	case "none":
		spec.Unsigned = true
	case "HS256":
		spec.HMACSecret = []byte("a shared secret a client must never use")
	}
	if p.Oversized {
		spec.Claims = map[string]any{"padding": strings.Repeat("p", validator.DefaultDPoPMaxProofSize)}
	}
	key := env.dpopKey
	if p.OtherKey {
		key = env.otherDPoPKey
	}
	return key.Proof(t, spec)
}

// check sends the request of r to h and compares the answer with the row's: for a
// replayed proof, the answer to the second sending (the first must be allowed); for a
// retry with a nonce, the answer to the request sent again with the nonce of the first
// answer (which must ask for it).
func (env *environment) check(t *testing.T, h http.Handler, router Router, r row, s Setup) {
	w := r.Want
	if r.HeadAsGet != nil && router.HeadAsGet {
		w = *r.HeadAsGet
	}
	req := env.request(t, r, s, "")
	defer env.failIntrospection(r)()
	env.takeRecords()
	rec := httptest.NewRecorder()
	switch {
	case r.Proof != nil && r.Proof.Replay:
		first := httptest.NewRecorder()
		h.ServeHTTP(first, req.Clone(req.Context()))
		if first.Code != http.StatusOK {
			t.Fatalf("%s %s: the first sending of the proof answered %d, want 200", r.Method, r.Path, first.Code)
		}
		env.takeRecords()
	case r.Proof != nil && r.Proof.RetryWithNonce:
		first := httptest.NewRecorder()
		h.ServeHTTP(first, req)
		nonce := first.Header().Get("DPoP-Nonce")
		if first.Code != http.StatusUnauthorized || nonce == "" ||
			!strings.Contains(first.Header().Get("WWW-Authenticate"), `error="use_dpop_nonce"`) {
			t.Fatalf("%s %s: the request without a nonce answered %d, WWW-Authenticate %q, DPoP-Nonce %q; want 401 use_dpop_nonce with a nonce",
				r.Method, r.Path, first.Code, first.Header().Get("WWW-Authenticate"), nonce)
		}
		env.takeRecords()
		req = env.request(t, r, s, nonce)
	}
	h.ServeHTTP(rec, req)
	res := rec.Result()
	records := env.takeRecords()

	expect := func(what string, want, got any) {
		t.Helper()
		if want != got {
			t.Errorf("%s %s: %s = %#v, want %#v", r.Method, r.Path, what, got, want)
		}
	}
	expect("status", w.Status, res.StatusCode)
	expect("WWW-Authenticate", w.Challenge, strings.Join(res.Header.Values("WWW-Authenticate"), " | "))
	expect("Retry-After", w.RetryAfter, res.Header.Get("Retry-After"))
	expect("a DPoP-Nonce header", w.Nonce, res.Header.Get("DPoP-Nonce") != "")
	if r.Method != http.MethodHead {
		body, err := denialBody(res.Header.Get("Content-Type"), rec.Body.Bytes())
		if err != nil {
			t.Errorf("%s %s: %v", r.Method, r.Path, err)
		}
		expect(`body "error"`, w.Error, body.Error)
		if w.Error != "" && (body.Description == "" || body.Members != 2) {
			t.Errorf("%s %s: a denial's body has exactly error and a non-empty error_description: %s", r.Method, r.Path, rec.Body.Bytes())
		}
	}
	if w.Error != "" && w.Status < http.StatusInternalServerError {
		expect("Cache-Control", "no-store", res.Header.Get("Cache-Control"))
	}

	handler := res.Header.Get(headerHandler)
	if w.Ran {
		expect("handler", r.Operation, handler)
		expect("handler's subject", w.Subject, res.Header.Get(headerSubject))
		expect("handler's object", w.Object, res.Header.Get(headerObject))
	} else if handler != "" {
		t.Errorf("%s %s: handler %q ran, want none", r.Method, r.Path, handler)
	}

	if w.Outcome == "" {
		if len(records) != 0 {
			t.Errorf("%s %s: audit records %+v, want none (the router's own answer)", r.Method, r.Path, records)
		}
		return
	}
	if len(records) != 1 {
		t.Errorf("%s %s: audit records %+v, want one", r.Method, r.Path, records)
		return
	}
	got := records[0]
	expect("audit operation", r.Operation, got.Operation)
	expect("audit outcome", w.Outcome, got.Outcome)
	expect("audit reason", w.Reason, got.Reason)
	expect("audit status", w.Status, got.Status)
	if w.Ran {
		expect("audit subject", w.Subject, got.Subject)
	}
}

// body is what check reads of a response body.
type body struct {
	Error, Description string
	Members            int
}

// denialBody reads the "error" and "error_description" members of a JSON body; a body
// of another type (a handler's answer, net/http's plain-text errors) has none.
func denialBody(contentType string, b []byte) (body, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "application/json" || len(strings.TrimSpace(string(b))) == 0 {
		return body{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return body{}, fmt.Errorf("JSON body %q: %w", b, err)
	}
	e, _ := m["error"].(string)
	d, _ := m["error_description"].(string)
	return body{Error: e, Description: d, Members: len(m)}, nil
}

// apiKeyAuthenticator authenticates the apiKey scheme: "good-key" is apiKeyClient, no
// key is no credentials, any other key is invalid.
func apiKeyAuthenticator(r *http.Request, s openapi.Scheme) (openapi.Principal, error) {
	switch r.Header.Get(s.ParamName) {
	case "":
		return nil, nil
	case "good-key":
		return apiKeyClient{}, nil
	}
	return nil, errors.New("unknown API key")
}

// apiKeyClient is the principal of a valid API key: a sub, and no scopes, roles or
// permissions.
type apiKeyClient struct{}

func (apiKeyClient) HasScope(string) bool      { return false }
func (apiKeyClient) HasRole(string) bool       { return false }
func (apiKeyClient) HasPermission(string) bool { return false }
func (apiKeyClient) Claim(name string) (any, bool) {
	if name == "sub" {
		return keyClient, true
	}
	return nil, false
}

// articles are the objects of the getArticle loader: "1" is the default subject's, "2"
// someone else's; "broken" makes the loader fail, and any other ID is not found.
var articles = map[string]*Article{
	"1": {ID: "1", User: axiomstest.DefaultSubject},
	"2": {ID: "2", User: "someone-else"},
}

func loadArticle(id string) (any, error) {
	if id == "broken" {
		return nil, errors.New("the article store is unreachable")
	}
	a, ok := articles[id]
	if !ok {
		return nil, ErrNotFound
	}
	return a, nil
}

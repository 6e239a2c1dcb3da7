package enforce_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

var testDoc = specgen.Doc{Schemes: []string{specgen.OAuth2("oauth2", "read", "write"), specgen.APIKey("key", "X-Key")}}.YAML(`
  /public:
    get: {operationId: public, security: [], responses: {"200": {description: ok}}}
  /read:
    get: {operationId: read, security: [{oauth2: [read]}], responses: {"200": {description: ok}}}
  /roles:
    get: {operationId: roles, security: [{oauth2: []}], x-axioms-roles: [admin], responses: {"200": {description: ok}}}
  /perm:
    get: {operationId: perm, security: [{oauth2: []}], x-axioms-permissions: ["items:write"], responses: {"200": {description: ok}}}
  /optional:
    get: {operationId: optional, security: [{}, {oauth2: [read]}], responses: {"200": {description: ok}}}
  /either:
    get: {operationId: either, security: [{key: []}, {oauth2: []}], responses: {"200": {description: ok}}}
  /users/{uid}:
    parameters: [{name: uid, in: path, required: true, schema: {type: string}}]
    get: {operationId: user, security: [{oauth2: []}], x-axioms-owner: {param: uid}, responses: {"200": {description: ok}}}
  /docs/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getDoc, security: [{oauth2: []}], x-axioms-owner: {field: owner}, responses: {"200": {description: ok}}}
`)

// request is the native request of the test adapter: what a framework's request would
// be, reduced to what the callbacks read.
type request struct {
	ctx           context.Context
	header        http.Header
	names, values []string
}

// adapter is a minimal adapter of the core, without a framework: it looks the policy up
// by method and route and records what the core hands its callbacks.
type adapter struct {
	t        *testing.T
	iss      *axiomstest.Issuer
	policies *openapi.Policies
	core     *enforce.Enforcer
	mu       sync.Mutex
	records  []enforce.AuditRecord
	logs     bytes.Buffer
	loaded   []any // the claims each loader call found in its context
}

func newAdapter(t *testing.T, tune func(*enforce.Config)) *adapter {
	t.Helper()
	a := &adapter{t: t, iss: axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})}
	var err error
	a.policies, err = openapi.LoadData(testDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	cfg := enforce.Config{
		Name:      "testadapter",
		Policies:  a.policies,
		Validator: a.iss.Validator(t),
		Authenticators: map[string]enforce.Authenticator{"key": func(_ context.Context, req any, s openapi.Scheme) (openapi.Principal, error) {
			switch req.(*request).header.Get(s.ParamName) {
			case "":
				return nil, nil
			case "good":
				return keyPrincipal{}, nil
			case "teapot":
				return nil, statusError{http.StatusTeapot}
			}
			return nil, errors.New("bad key")
		}},
		OwnerLoaders: map[string]enforce.OwnerLoader{"getDoc": func(ctx context.Context, req any) (any, error) {
			claims, _ := validator.FromContext(ctx)
			a.mu.Lock()
			a.loaded = append(a.loaded, claims)
			a.mu.Unlock()
			switch id := req.(*request).values[0]; id {
			case "missing":
				return nil, statusError{http.StatusNotFound}
			case "down":
				return nil, errors.New("database down")
			case "fieldless":
				return map[string]any{}, nil
			default:
				return map[string]any{"owner": id}, nil
			}
		}},
		Params: func(req any) ([]string, []string) { r := req.(*request); return r.names, r.values },
		ErrorStatus: func(err error) (int, error) {
			var se statusError
			if errors.As(err, &se) {
				return se.code, err
			}
			return 0, err
		},
		AuditHook: func(_ context.Context, _ any, r enforce.AuditRecord) {
			a.mu.Lock()
			a.records = append(a.records, r)
			a.mu.Unlock()
		},
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &a.logs, mu: &a.mu}, &slog.HandlerOptions{Level: slog.LevelError})),
	}
	if tune != nil {
		tune(&cfg)
	}
	a.core, err = enforce.New(cfg)
	require.NoError(t, err)
	return a
}

// do has the core decide a GET of route with the Authorization value auth ("" for
// none), the path parameters params (name, value, ...) and the headers extra.
func (a *adapter) do(route, auth string, params ...string) (enforce.Result, enforce.AuditRecord) {
	a.t.Helper()
	r := &request{ctx: context.Background(), header: http.Header{}}
	if auth != "" {
		r.header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(params); i += 2 {
		if strings.HasPrefix(params[i], "X-") {
			r.header.Set(params[i], params[i+1])
			continue
		}
		r.names, r.values = append(r.names, params[i]), append(r.values, params[i+1])
	}
	req := enforce.Request{Native: r, Header: r.header, Method: http.MethodGet, Route: route,
		Policy: a.policies.Lookup(http.MethodGet, route)}
	before := len(a.records)
	res := a.core.Enforce(r.ctx, &req)
	a.mu.Lock()
	defer a.mu.Unlock()
	require.Len(a.t, a.records, before+1, "one record per decision: %s", route)
	return res, a.records[before]
}

func (a *adapter) bearer(claims map[string]any) string {
	return "Bearer " + a.iss.Token(a.t, axiomstest.TokenSpec{Claims: claims})
}

type statusError struct{ code int }

func (e statusError) Error() string { return http.StatusText(e.code) }

type keyPrincipal struct{}

func (keyPrincipal) HasScope(string) bool      { return false }
func (keyPrincipal) HasRole(string) bool       { return false }
func (keyPrincipal) HasPermission(string) bool { return false }
func (keyPrincipal) Claim(name string) (any, bool) {
	return "key-owner", name == "sub"
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) { return l.w.Write(p) }

func TestEnforceDecides(t *testing.T) {
	a := newAdapter(t, nil)
	reader := a.bearer(map[string]any{"scope": "read"})
	plain := a.bearer(nil)
	for _, c := range []struct {
		name, route, auth string
		extra             []string
		status            int    // 0: proceeds
		challenge         string // of a denial
		outcome           enforce.Outcome
		reason            enforce.Reason
	}{
		{"public", "/public", "", nil, 0, "", enforce.OutcomePublic, ""},
		{"public ignores a bad header", "/public", "Bearer a b", nil, 0, "", enforce.OutcomePublic, ""},
		{"undocumented", "/nowhere", plain, nil, 403, "", enforce.OutcomeDenied, enforce.ReasonUndocumentedRoute},
		{"no token", "/read", "", nil, 401, `Bearer realm="api"`, enforce.OutcomeDenied, enforce.ReasonMissingToken},
		{"another scheme", "/read", "Basic eDp5", nil, 401, `Bearer realm="api"`, enforce.OutcomeDenied, enforce.ReasonMissingToken},
		{"no token68", "/read", "Bearer a=b", nil, 400, `Bearer realm="api", error="invalid_request", error_description="the bearer token is not a single token68 value"`, enforce.OutcomeDenied, enforce.ReasonInvalidRequest},
		{"two tokens", "/read", "Bearer a b", nil, 400, `Bearer realm="api", error="invalid_request", error_description="the bearer token is not a single token68 value"`, enforce.OutcomeDenied, enforce.ReasonInvalidRequest},
		{"invalid token", "/read", plain[:len(plain)-4] + "AAAA", nil, 401, "", enforce.OutcomeDenied, enforce.Reason(validator.ReasonBadSignature)},
		{"missing scope", "/read", plain, nil, 403, `Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read"`, enforce.OutcomeDenied, enforce.ReasonInsufficientScope},
		{"scope", "/read", reader, nil, 0, "", enforce.OutcomeAllowed, ""},
		{"missing role", "/roles", plain, nil, 403, `Bearer realm="api", error="insufficient_permission", error_description="the access token lacks a required role"`, enforce.OutcomeDenied, enforce.ReasonInsufficientPermission},
		{"missing permission", "/perm", plain, nil, 403, `Bearer realm="api", error="insufficient_permission", error_description="the access token lacks a required permission"`, enforce.OutcomeDenied, enforce.ReasonInsufficientPermission},
		{"optional without a token", "/optional", "", nil, 0, "", enforce.OutcomeAnonymous, ""},
		{"optional with a token lacking the scope", "/optional", plain, nil, 0, "", enforce.OutcomeAllowed, ""},
		{"optional with an invalid token", "/optional", plain[:len(plain)-4] + "AAAA", nil, 401, "", enforce.OutcomeDenied, enforce.Reason(validator.ReasonBadSignature)},
		{"api key", "/either", "", []string{"X-Key", "good"}, 0, "", enforce.OutcomeAllowed, ""},
		{"bad api key beside a valid token", "/either", plain, []string{"X-Key", "bad"}, 401, `Bearer realm="api"`, enforce.OutcomeDenied, enforce.ReasonInvalidCredentials},
		{"an authenticator's own status", "/either", "", []string{"X-Key", "teapot"}, http.StatusTeapot, "", enforce.OutcomeDenied, enforce.ReasonInvalidCredentials},
		{"invalid token beside a good api key", "/either", plain[:len(plain)-4] + "AAAA", []string{"X-Key", "good"}, 401, "", enforce.OutcomeDenied, enforce.Reason(validator.ReasonBadSignature)},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, rec := a.do(c.route, c.auth, c.extra...)
			assert.Equal(t, c.outcome, rec.Outcome)
			assert.Equal(t, c.reason, rec.Reason)
			assert.Nil(t, res.Err)
			if c.status == 0 {
				assert.Nil(t, res.Denial)
				assert.Equal(t, http.StatusOK, rec.Status)
				require.NotNil(t, res.Context)
				return
			}
			require.NotNil(t, res.Denial)
			assert.Equal(t, c.status, res.Status)
			assert.Equal(t, c.status, res.Denial.Status)
			_, ok := validator.FromContext(res.Context)
			assert.False(t, ok, "refused before the owner rule: no caller in the context")
			assert.Equal(t, c.status, rec.Status)
			assert.Equal(t, c.reason, res.Denial.Reason)
			if c.challenge != "" {
				assert.Equal(t, c.challenge, res.Denial.Challenge())
			}
		})
	}
}

func TestEnforceCallerInContext(t *testing.T) {
	a := newAdapter(t, nil)
	res, rec := a.do("/read", a.bearer(map[string]any{"scope": "read"}))
	require.Nil(t, res.Denial)
	claims, ok := validator.FromContext(res.Context)
	require.True(t, ok)
	assert.Equal(t, axiomstest.DefaultSubject, claims.Subject())
	assert.Equal(t, enforce.AuditRecord{OperationID: "read", Method: "GET", Route: "/read", Subject: axiomstest.DefaultSubject,
		Outcome: enforce.OutcomeAllowed, Status: 200}, rec)
	assert.Equal(t, openapi.Principal(claims), enforce.PrincipalFromContext(res.Context))

	res, _ = a.do("/either", "", "X-Key", "good")
	require.Nil(t, res.Denial)
	_, ok = validator.FromContext(res.Context)
	assert.False(t, ok, "an authenticator's principal is not claims")
	assert.Equal(t, openapi.Principal(keyPrincipal{}), enforce.PrincipalFromContext(res.Context))

	res, _ = a.do("/public", "")
	assert.Nil(t, enforce.PrincipalFromContext(res.Context))
}

func TestEnforceOwner(t *testing.T) {
	a := newAdapter(t, nil)
	mine := a.bearer(nil)
	for _, c := range []struct {
		name   string
		route  string
		params []string
		status int // 0: proceeds
		reason enforce.Reason
		err    bool // ends with Err rather than a Denial
	}{
		{"the owner's parameter", "/users/:uid", []string{"uid", axiomstest.DefaultSubject}, 0, "", false},
		{"another name at the same position", "/users/:uid", []string{"user", axiomstest.DefaultSubject}, 0, "", false},
		{"someone else's parameter", "/users/:uid", []string{"uid", "user-2"}, 403, enforce.ReasonNotOwner, false},
		{"a route with other parameters", "/users/:uid", []string{"uid", axiomstest.DefaultSubject, "x", "y"}, 500, enforce.ReasonServerError, true},
		{"the loaded object's owner", "/docs/:id", []string{"id", axiomstest.DefaultSubject}, 0, "", false},
		{"someone else's object", "/docs/:id", []string{"id", "user-2"}, 403, enforce.ReasonNotOwner, false},
		{"the loader's own status", "/docs/:id", []string{"id", "missing"}, 404, enforce.ReasonOwnerLoader, true},
		{"the loader fails", "/docs/:id", []string{"id", "down"}, 500, enforce.ReasonServerError, true},
		{"an object without the field", "/docs/:id", []string{"id", "fieldless"}, 500, enforce.ReasonServerError, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, rec := a.do(c.route, mine, c.params...)
			assert.Equal(t, c.reason, rec.Reason)
			assert.Equal(t, axiomstest.DefaultSubject, rec.Subject)
			if c.status == 0 {
				require.Nil(t, res.Denial)
				require.NoError(t, res.Err)
				assert.Equal(t, enforce.OutcomeAllowed, rec.Outcome)
				return
			}
			assert.Equal(t, enforce.OutcomeDenied, rec.Outcome)
			assert.Equal(t, c.status, rec.Status)
			assert.Equal(t, c.status, res.Status)
			_, ok := validator.FromContext(res.Context)
			assert.True(t, ok, "refused after authentication: the caller is in the context")
			if c.err {
				assert.Nil(t, res.Denial)
				assert.Error(t, res.Err)
			} else {
				require.NotNil(t, res.Denial)
				assert.NoError(t, res.Err)
			}
		})
	}

	res, _ := a.do("/docs/:id", mine, "id", axiomstest.DefaultSubject)
	obj, ok := enforce.ObjectFromContext[map[string]any](res.Context)
	require.True(t, ok, "the loaded object is handed on")
	assert.Equal(t, map[string]any{"owner": axiomstest.DefaultSubject}, obj)
	a.mu.Lock()
	for _, claims := range a.loaded {
		assert.NotNil(t, claims, "the loader sees the caller in its context")
	}
	logs := a.logs.String()
	a.mu.Unlock()
	assert.Contains(t, logs, `error="owner loader \"getDoc\": database down"`)
	assert.Contains(t, logs, `error="owner loader \"getDoc\": map[string]interface {} has no field \"owner\""`)
	assert.Contains(t, logs, `error="route /users/:uid has 2 parameters, the operation's route /users/{uid} has 1"`)
	assert.NotContains(t, logs, "Not Found", "a loader's own answer is not a server error")

	// A route that uses the document's parameter name at another position: the rule
	// would compare one value and the handler use another.
	doc := specgen.Doc{Schemes: []string{specgen.Bearer("bearer")}}.YAML(`
  /a/{x}/b/{uid}:
    parameters: [{name: x, in: path, required: true, schema: {type: string}}, {name: uid, in: path, required: true, schema: {type: string}}]
    get: {security: [{bearer: []}], x-axioms-owner: {param: uid}, responses: {"200": {description: ok}}}
`)
	policies, err := openapi.LoadData(doc, openapi.LoadOptions{})
	require.NoError(t, err)
	var records []enforce.AuditRecord
	core, err := enforce.New(enforce.Config{Policies: policies, Validator: a.iss.Validator(t),
		Params:    func(req any) ([]string, []string) { r := req.(*request); return r.names, r.values },
		AuditHook: func(_ context.Context, _ any, r enforce.AuditRecord) { records = append(records, r) },
		Logger:    slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	r := &request{names: []string{"uid", "x"}, values: []string{"b", axiomstest.DefaultSubject}, header: http.Header{"Authorization": {mine}}}
	res = core.Enforce(context.Background(), &enforce.Request{Native: r, Header: r.header, Method: "GET", Route: "/a/:uid/b/:x",
		Policy: policies.Lookup("GET", "/a/:uid/b/:x")})
	assert.Equal(t, http.StatusInternalServerError, res.Status)
	assert.ErrorContains(t, res.Err, `route /a/:uid/b/:x has parameter "uid" at position 1, the operation's route /a/{x}/b/{uid} at 2`)
	require.Len(t, records, 1)
	assert.Equal(t, enforce.ReasonServerError, records[0].Reason)
}

func TestEnforceUndocumentedAndSkipped(t *testing.T) {
	a := newAdapter(t, func(c *enforce.Config) { c.InsecureAllowUndocumented = true })
	res, rec := a.do("/nowhere", "")
	assert.Nil(t, res.Denial)
	assert.Equal(t, enforce.AuditRecord{Method: "GET", Route: "/nowhere", Outcome: enforce.OutcomePassed, Status: 200,
		Reason: enforce.ReasonUndocumentedRoute}, rec)

	a.core.Skip(context.Background(), &enforce.Request{Method: "POST", Route: "/skipped"})
	require.Len(t, a.records, 2)
	assert.Equal(t, enforce.AuditRecord{Method: "POST", Route: "/skipped", Outcome: enforce.OutcomePassed, Status: 200,
		Reason: enforce.ReasonSkipped}, a.records[1])
}

func TestEnforceSuccessHandler(t *testing.T) {
	var order []string
	a := newAdapter(t, func(c *enforce.Config) {
		hook := c.AuditHook
		c.AuditHook = func(ctx context.Context, req any, r enforce.AuditRecord) {
			order = append(order, "record")
			hook(ctx, req, r)
		}
		c.SuccessHandler = func(ctx context.Context, req any) {
			_, ok := validator.FromContext(ctx)
			assert.True(t, ok, "the claims are in the context")
			_, ok = enforce.ObjectFromContext[map[string]any](ctx)
			assert.True(t, ok, "so is the loaded object")
			assert.IsType(t, &request{}, req)
			order = append(order, "success")
		}
	})
	a.do("/docs/:id", a.bearer(nil), "id", axiomstest.DefaultSubject)
	assert.Equal(t, []string{"success", "record"}, order)
	a.do("/read", "")
	assert.Equal(t, []string{"success", "record", "record"}, order, "only after an authorized request")
}

func TestNewRefusesMisconfiguration(t *testing.T) {
	policies, err := openapi.LoadData(testDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	_, err = enforce.New(enforce.Config{})
	assert.EqualError(t, err, "enforce: Config.Policies is required")
	_, err = enforce.New(enforce.Config{Name: "myadapter", Policies: policies})
	require.Error(t, err)
	for _, want := range []string{
		`myadapter: security scheme "oauth2" needs a token validator (set Config.Validator or SchemeValidators["oauth2"])`,
		`myadapter: security scheme "key" (apiKey) is used by operations but has no Authenticator`,
		`myadapter: GET /users/{uid}: the owner rule reads a path parameter, and Config.Params is not set`,
		`myadapter: owner rules need loaders that are not registered in OwnerLoaders: "getDoc" (GET /docs/{id})`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = enforce.New(enforce.Config{Policies: policies, Validator: stubValidator{},
		SchemeValidators: map[string]enforce.TokenValidator{"key": stubValidator{}, "nope": stubValidator{}, "oauth2": nil},
		Authenticators:   map[string]enforce.Authenticator{"oauth2": nil, "key": nil}})
	require.Error(t, err)
	for _, want := range []string{
		`SchemeValidators names "key", a apiKey scheme the library does not enforce with bearer tokens`,
		`SchemeValidators names "nope", which the document does not declare`,
		`SchemeValidators["oauth2"] is nil`,
		`Authenticators names "oauth2", a bearer scheme the library enforces itself`,
		`Authenticators["key"] is nil`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}

// TestNewErrorsInOrder: New lists its problems in the same order every time (map
// entries by scheme name), so that a failing start prints the same message twice.
func TestNewErrorsInOrder(t *testing.T) {
	policies, err := openapi.LoadData(testDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	cfg := enforce.Config{Policies: policies, Validator: stubValidator{},
		SchemeValidators: map[string]enforce.TokenValidator{"z1": nil, "key": nil, "a1": nil, "m1": nil, "oauth2": nil},
		Authenticators:   map[string]enforce.Authenticator{"y2": nil, "b2": nil, "oauth2": nil, "key": nil}}
	_, err = enforce.New(cfg)
	require.Error(t, err)
	want := []string{
		`enforce: SchemeValidators names "a1", which the document does not declare`,
		`enforce: SchemeValidators names "key", a apiKey scheme the library does not enforce with bearer tokens (register an Authenticator)`,
		`enforce: SchemeValidators names "m1", which the document does not declare`,
		`enforce: SchemeValidators["oauth2"] is nil`,
		`enforce: SchemeValidators names "z1", which the document does not declare`,
		`enforce: Authenticators names "b2", which the document does not declare`,
		`enforce: Authenticators["key"] is nil`,
		`enforce: Authenticators names "oauth2", a bearer scheme the library enforces itself (use SchemeValidators)`,
		`enforce: Authenticators names "y2", which the document does not declare`,
	}
	assert.Equal(t, want, strings.Split(err.Error(), "\n")[:len(want)])
	for range 20 {
		_, again := enforce.New(cfg)
		require.EqualError(t, again, err.Error())
	}
}

type stubValidator struct{}

func (stubValidator) Validate(context.Context, string) (*validator.Claims, error) {
	return nil, validator.ErrInvalidToken
}

// TestEnforceAllocations: on a documented route with a token seen before, the decision
// (owner parameter included) allocates once, for the context value holding the claims;
// a public operation not at all.
func TestEnforceAllocations(t *testing.T) {
	a := newAdapter(t, func(c *enforce.Config) { c.AuditHook, c.Logger = nil, nil })
	r := &request{ctx: context.Background(), header: http.Header{"Authorization": {a.bearer(nil)}},
		names: []string{"uid"}, values: []string{axiomstest.DefaultSubject}}
	req := enforce.Request{Native: r, Header: r.header, Method: "GET", Route: "/users/:uid", Policy: a.policies.Lookup("GET", "/users/:uid")}
	require.Nil(t, a.core.Enforce(r.ctx, &req).Denial)
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { a.core.Enforce(r.ctx, &req) }))
	pub := enforce.Request{Native: r, Header: r.header, Method: "GET", Route: "/public", Policy: a.policies.Lookup("GET", "/public")}
	assert.Zero(t, testing.AllocsPerRun(100, func() { a.core.Enforce(r.ctx, &pub) }))
}

package echoaxioms_test

// TestGeneratedApps checks the route-binding guarantee (DESIGN §5, the package doc's
// "Route binding") on generated applications: whatever code answers a request, the
// document's rule for that code was applied first, or the request was denied.
//
// What is generated, per app, from a PCG stream of its own (the test's seed and the
// app's index, so that one app can be replayed alone):
//   - An OpenAPI 3.1 document: a random subset of a pool of path templates (static, one
//     or two parameters, shared prefixes: /api/items, /api/items/{id},
//     /api/items/{id}/parts/{part}, /files/{name}...), random methods on each, and each
//     operation public (security: []), role-protected (x-axioms-roles: [admin]),
//     scope-protected (security: [{oauth2: [write]}]) or optional (security: [{},
//     {oauth2: []}]). Some host names get a document of their own (Config.Hosts).
//   - Middleware: a random subset, in random order, of MethodOverride, ContextTimeout, a
//     request-replacing WrapMiddleware, Rewrite ("/old/*" → "/api/$1"),
//     RemoveTrailingSlash and AddTrailingSlash in e.Pre; of MethodOverride and Rewrite in
//     e.Use before the axioms middleware.
//   - Routes, from the documents' templates (Echo form, random parameter names, the
//     document's names at the same position now and then) and from undocumented paths
//     (wildcards included), registered with e.GET/POST/PUT/DELETE/PATCH, e.Add, e.Match
//     (OPTIONS included now and then), e.Any, e.RouteNotFound, e.Router().Add (one
//     function for one or two methods), on groups (with no middleware, pass-through
//     middleware, or middleware that answers 200 itself without calling next, as
//     middleware.Proxy and Static do; nested in host routers too) and on host routers
//     (bound to a document or not, with and without host middleware). Routes, groups,
//     group middleware and host routers are also added after the app has served
//     requests. A route with the most parameters any route has (/zz/:a/:b/:c) is
//     registered first: Echo sizes its pooled contexts when they are made, and panics
//     on a route with more parameters than the contexts made before it hold.
//   - Requests: a method among GET, POST, PUT, DELETE, PATCH, OPTIONS and HEAD; a path
//     from a registered route or a template with random parameter values, or one that
//     no route matches, with or without a trailing slash, or under the Rewrite prefix; a
//     Host among the main one, the host routers', and an unknown one; now and then an
//     X-HTTP-Method-Override header; no credentials, an admin token (roles [admin],
//     scope write), a user token (roles [user], no scope), an expired token, or an
//     opaque admin or user token that the issuer introspects.
//
// The invariant, per request: whenever an application handler or an answering group
// middleware runs (both answer 200), the last decision the middleware made for the
// request allowed the caller (outcome allowed, public or anonymous, exactly the one the
// operation's rule gives these credentials) under the operation of that handler's own
// registration: its router's document, its route (c.Path()), and the method Echo
// routed with (for a function registered with e.Router().Add, one of its methods). An
// answering group middleware answered at the route of one of its group's
// registrations, under that registration's operation. Requests that reach no
// application code may get any status; no request panics.
//
// The seed is random unless AXIOMS_GEN_SEED sets it; AXIOMS_GEN_APP runs one app only.
// A failure prints both, the app's registrations and the requests it served.

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

const (
	genSeedEnv = "AXIOMS_GEN_SEED"
	genAppEnv  = "AXIOMS_GEN_APP"

	genMainHost    = "api.example"
	genUnknownHost = "unknown.example"

	// genMaxRoute has the most parameters of any generated route; it is registered first.
	genMaxRoute  = "/zz/:a/:b/:c"
	genMaxParams = 3
)

var (
	genTemplates = []string{
		"/health", "/api/items", "/api/items/search", "/api/items/{id}", "/api/items/{id}/parts",
		"/api/items/{id}/parts/{part}", "/files/{name}", "/users/{uid}", "/users/{uid}/orders/{oid}",
		"/admin/stats", "/admin/users/{id}",
	}
	// genPrefixes are the groups' prefixes, as templates.
	genPrefixes = []string{"/api", "/api/items", "/api/items/{id}", "/admin", "/files", "/users/{uid}"}
	// genUndocumented are routes no document describes: at the root, and in a group.
	genUndocumented      = []string{"/undoc", "/api/items/:id/secret", "/api/*", "/files/*", "/*", "/health/", "/admin/:section", "/api/items/:id/parts/:part/:extra"}
	genUndocumentedGroup = []string{"/secret", "/*", "/:q/extra", "/", ""}
	genUnmatched         = []string{"/nope", "/api/nothing/here", "/zz/1/2", "/api/items/1/parts/2/x/y", "/old/nothing", "/admin", "/"}

	genDocMethods     = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch}
	genRequestMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions, http.MethodHead}
	genOverrides      = []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodGet}
	// genAnyMethods are the methods e.Any registers.
	genAnyMethods = []string{http.MethodConnect, http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodOptions,
		http.MethodPatch, http.MethodPost, echo.PROPFIND, http.MethodPut, http.MethodTrace, echo.REPORT}

	genParamNames  = []string{"id", "part", "name", "uid", "x", "y"}
	genParamValues = []string{"1", "42", "abc", "x.y", "search", "parts", "-"}
	genWildValues  = []string{"", "a", "a/b", "x/y/z"}
	genHostNames   = []string{"admin.internal", "partner.internal", "legacy.internal"}
)

// genSecurity is an operation's rule.
type genSecurity int

const (
	genPublic   genSecurity = iota // security: []
	genRole                        // x-axioms-roles: [admin] under the root's oauth2
	genScope                       // security: [{oauth2: [write]}]
	genOptional                    // security: [{}, {oauth2: []}]
)

func (s genSecurity) String() string {
	return [...]string{"public", "role admin", "scope write", "optional"}[s]
}

// genCred is what a request presents.
type genCred int

const (
	genNoCred      genCred = iota
	genAdmin               // roles [admin], scope write
	genUser                // roles [user], no scope
	genExpired             // an expired token
	genOpaqueAdmin         // an opaque token, introspected: roles [admin], scope write
	genOpaqueUser          // an opaque token, introspected: roles [user], no scope
)

func (c genCred) String() string {
	return [...]string{"none", "admin", "user", "expired", "opaque admin", "opaque user"}[c]
}

// genOutcome is the decision the rule s gives the credentials c.
func genOutcome(s genSecurity, c genCred) echoaxioms.Outcome {
	switch {
	case s == genPublic:
		return echoaxioms.OutcomePublic
	case c == genExpired:
		return echoaxioms.OutcomeDenied // an invalid token is never ignored
	case s == genOptional && c == genNoCred:
		return echoaxioms.OutcomeAnonymous
	case s == genOptional, c == genAdmin, c == genOpaqueAdmin:
		return echoaxioms.OutcomeAllowed
	}
	return echoaxioms.OutcomeDenied
}

// genEnv is what every app shares: the validator and the tokens.
type genEnv struct {
	validator echoaxioms.TokenValidator
	tokens    map[genCred]string
}

func TestGeneratedApps(t *testing.T) {
	apps, requests := 150, 60
	if testing.Short() {
		apps = 30
	}
	seed := rand.Uint64()
	if s := os.Getenv(genSeedEnv); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 0, 64)
		require.NoError(t, err, genSeedEnv)
	}
	only := -1
	if s := os.Getenv(genAppEnv); s != "" {
		var err error
		only, err = strconv.Atoi(s)
		require.NoError(t, err, genAppEnv)
	}
	t.Logf("seed %d (%s=%d replays this run)", seed, genSeedEnv, seed)

	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{IntrospectionClientID: "api", IntrospectionClientSecret: "s3cret"})
	vcfg := iss.ValidatorConfig()
	vcfg.Introspection = &validator.Introspection{ClientID: "api", ClientSecret: "s3cret"}
	v, err := validator.New(t.Context(), vcfg)
	require.NoError(t, err)
	env := &genEnv{validator: v, tokens: map[genCred]string{
		genOpaqueAdmin: iss.OpaqueToken(t, map[string]any{"roles": []string{"admin"}, "scope": "write"}),
		genOpaqueUser:  iss.OpaqueToken(t, map[string]any{"roles": []string{"user"}}),
		genAdmin:       iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"roles": []string{"admin"}, "scope": "write"}}),
		genUser:        iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"roles": []string{"user"}}}),
		genExpired:     iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"roles": []string{"admin"}, "scope": "write", "exp": time.Now().Add(-time.Hour)}}),
	}}

	stats := genStats{statuses: map[int]int{}, reached: map[string]int{}}
	failures := 0
	for i := range apps {
		if only >= 0 && i != only {
			continue
		}
		a := &genApp{env: env, rnd: rand.New(rand.NewPCG(seed, uint64(i))), docs: map[string]*genDoc{}, stats: &stats}
		if err := a.run(requests); err != nil {
			failures++
			t.Errorf("seed %d, app %d: %v\nreplay: %s=%d %s=%d go test -race -count=1 -run TestGeneratedApps ./echoaxioms\n%s",
				seed, i, err, genSeedEnv, seed, genAppEnv, i, strings.Join(a.log, "\n"))
			if failures == 3 {
				t.Fatalf("seed %d: stopping after %d failing apps", seed, failures)
			}
		}
	}
	t.Logf("seed %d: %d requests; %d reached a handler, %d an answering group middleware, %d no application code; statuses %v; reached %v",
		seed, stats.requests, stats.handlers, stats.groupAnswers, stats.requests-stats.handlers-stats.groupAnswers, stats.statuses, stats.reached)
	if only < 0 && !t.Failed() {
		// The generator is meaningful only if requests get through, both ways, and get denied.
		assert.NotZero(t, stats.handlers, "no request reached a handler (seed %d)", seed)
		assert.NotZero(t, stats.groupAnswers, "no request reached an answering group middleware (seed %d)", seed)
		assert.NotZero(t, stats.statuses[http.StatusForbidden], "no request was denied with 403 (seed %d)", seed)
		assert.NotZero(t, stats.reached["opaque token"], "no introspected token reached application code (seed %d)", seed)
	}
}

type genStats struct {
	requests, handlers, groupAnswers int
	statuses                         map[int]int
	reached                          map[string]int // handlers reached, by registration API and circumstance
}

// count records that the caller reached reg's code through r.
func (s *genStats) count(reg *genReg, r genRequest) {
	s.reached[reg.api]++
	if reg.host != "" {
		s.reached["host router"]++
	}
	if reg.late {
		s.reached["late route"]++
	}
	if r.override != "" && r.method == http.MethodPost {
		s.reached["POST with an override"]++
	}
	if r.cred == genOpaqueAdmin {
		s.reached["opaque token"]++
	}
}

// genDoc is a generated document.
type genDoc struct {
	tag       string // "main", or the host name
	templates []string
	ops       map[string]*genOp // by method and route shape
	policies  *openapi.Policies
}

type genOp struct {
	id  string
	sec genSecurity
}

// op returns the operation of method at an Echo route, or nil.
func (d *genDoc) op(method, route string) *genOp {
	return d.ops[method+" "+genShape(route)]
}

// genShape is the shape of an Echo route or a template: parameters become {}.
func genShape(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "{") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// genTarget is where routes are registered: the default router (group nil), a host
// router's root group, or a group.
type genTarget struct {
	name       string // in the log: e, host1, g2
	host       string // "" for the default router
	group      *echo.Group
	tmplPrefix string // the prefix as a template
	echoPrefix string
	answering  []int // the answering middleware of the group's chain, by id
}

// genReg is one registration of an application handler.
type genReg struct {
	id      int
	api     string   // the registration API: GET, Add, Match, Any, RouteNotFound, Router().Add
	late    bool     // registered after the app served requests
	host    string   // its router: "" for the default one
	methods []string // echo.RouteNotFound for a not-found route
	path    string   // as Echo stores it
	raw     bool     // e.Router().Add: the function itself, not a closure of Echo's
	chain   []int    // the answering group middleware it runs behind
}

func (r *genReg) notFound() bool { return slices.Contains(r.methods, echo.RouteNotFound) }

func (r *genReg) String() string {
	return fmt.Sprintf("handler h%d (%s %v %s on %s)", r.id, r.api, r.methods, r.path, genRouter(r.host))
}

// genRouter names the router of host.
func genRouter(host string) string {
	if host == "" {
		return "the default router"
	}
	return "host router " + host
}

// genHit is application code that ran: a handler, or an answering group middleware.
type genHit struct {
	reg  *genReg
	mw   int    // the middleware's id when reg is nil
	of   string // the middleware's group
	path string // c.Path() as it saw it
}

func (h genHit) String() string {
	if h.reg != nil {
		return h.reg.String()
	}
	return fmt.Sprintf("group middleware m%d of %s at c.Path() %q", h.mw, h.of, h.path)
}

// genRecord is an audit record and the document whose hook received it.
type genRecord struct {
	doc string // "" for the main document, else the host name
	echoaxioms.AuditRecord
}

type genRequest struct {
	method, host, path, override string
	cred                         genCred
}

func (r genRequest) String() string {
	s := r.method + " " + r.host + r.path
	if r.override != "" {
		s += " (X-HTTP-Method-Override: " + r.override + ")"
	}
	return s + ", credentials " + r.cred.String()
}

// genApp is one generated application.
type genApp struct {
	env     *genEnv
	rnd     *rand.Rand
	stats   *genStats
	e       *echo.Echo
	docs    map[string]*genDoc // by router: "" for the default router, else the host name
	pre     []string           // the e.Pre middleware, in order
	targets []*genTarget
	regs    []*genReg
	mws     int
	served  int
	log     []string

	records []genRecord // of the current request
	hits    []genHit    // of the current request
}

func (a *genApp) logf(format string, args ...any) {
	a.log = append(a.log, fmt.Sprintf(format, args...))
}

func (a *genApp) chance(p float64) bool { return a.rnd.Float64() < p }

func genPick[T any](a *genApp, s []T) T { return s[a.rnd.IntN(len(s))] }

// run builds the app and sends it requests in three rounds, with routes added between
// them. It returns the first violation, or the panic of a request.
func (a *genApp) run(requests int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic while generating the app: %v", p)
		}
	}()
	if err := a.build(); err != nil {
		return err
	}
	for round := range 3 {
		if round > 0 && a.chance(0.7) {
			a.logf("// added after %d requests:", a.served)
			for range 1 + a.rnd.IntN(4) {
				a.late()
			}
		}
		for range requests / 3 {
			if err := a.serve(a.request()); err != nil {
				return err
			}
		}
	}
	return nil
}

// build generates the documents, the middleware and the first routes.
func (a *genApp) build() error {
	main, err := a.newDoc("main")
	if err != nil {
		return err
	}
	a.docs[""] = main
	cfg := echoaxioms.Config{Policies: main.policies, Validator: a.env.validator, AuditHook: a.hook(""), Hosts: map[string]echoaxioms.Config{}}
	for _, host := range genHostNames {
		if !a.chance(0.5) {
			continue
		}
		d, err := a.newDoc(host)
		if err != nil {
			return err
		}
		a.docs[host] = d
		cfg.Hosts[host] = echoaxioms.Config{Policies: d.policies, Validator: a.env.validator, AuditHook: a.hook(host)}
	}

	a.e = echo.New()
	a.e.GET(genMaxRoute, a.handler(a.newReg("GET", "", []string{http.MethodGet}, genMaxRoute, nil)))
	a.logf("e.GET(%q, h%d)", genMaxRoute, len(a.regs))

	pre := map[string]echo.MiddlewareFunc{
		"MethodOverride":      middleware.MethodOverride(),
		"ContextTimeout":      middleware.ContextTimeout(time.Minute),
		"replaceRequest":      replaceRequest(),
		"Rewrite":             middleware.Rewrite(map[string]string{"/old/*": "/api/$1"}),
		"RemoveTrailingSlash": middleware.RemoveTrailingSlash(),
		"AddTrailingSlash":    middleware.AddTrailingSlash(),
	}
	// AddTrailingSlash is rarer: it leaves most routes unreachable.
	preNames := a.subset([]string{"MethodOverride", "ContextTimeout", "replaceRequest", "Rewrite", "RemoveTrailingSlash"}, 0.35)
	if a.chance(0.1) {
		preNames = slices.Insert(preNames, a.rnd.IntN(len(preNames)+1), "AddTrailingSlash")
	}
	for _, name := range preNames {
		a.e.Pre(pre[name])
		a.pre = append(a.pre, name)
	}
	if len(a.pre) > 0 {
		a.logf("e.Pre(%s)", strings.Join(a.pre, ", "))
	}
	use := map[string]echo.MiddlewareFunc{
		"MethodOverride": middleware.MethodOverride(),
		"Rewrite":        middleware.Rewrite(map[string]string{"/old/*": "/api/$1", "/api/items/*": "/files/$1"}),
	}
	var used []string
	for _, name := range a.subset([]string{"MethodOverride", "Rewrite"}, 0.4) {
		a.e.Use(use[name])
		used = append(used, name)
	}
	a.e.Use(echoaxioms.WithConfig(cfg))
	a.logf("e.Use(%s)", strings.Join(append(used, "echoaxioms.WithConfig(Config{main document, Hosts: "+strings.Join(slices.Sorted(maps.Keys(cfg.Hosts)), ", ")+"})"), ", "))

	a.targets = append(a.targets, &genTarget{name: "e"})
	for _, host := range genHostNames {
		if a.chance(0.4) {
			a.newHost(host)
		}
	}
	for range a.rnd.IntN(4) {
		a.newGroup()
	}
	for range 4 + a.rnd.IntN(8) {
		a.route()
	}
	return nil
}

// subset returns some of names, each with probability p, shuffled.
func (a *genApp) subset(names []string, p float64) []string {
	var s []string
	for _, n := range names {
		if a.chance(p) {
			s = append(s, n)
		}
	}
	a.rnd.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

// late changes the app after it served requests.
func (a *genApp) late() {
	switch n := a.rnd.IntN(10); {
	case n < 5:
		a.route()
	case n < 7:
		var groups []*genTarget
		for _, t := range a.targets {
			if t.group != nil {
				groups = append(groups, t)
			}
		}
		if len(groups) == 0 {
			a.route()
			return
		}
		t := genPick(a, groups)
		mw, what := a.groupMiddleware(t, true)
		t.group.Use(mw)
		a.logf("%s.Use(%s)", t.name, what)
	case n < 8:
		a.newGroup()
	case n < 9:
		a.newHost(genPick(a, genHostNames))
	default:
		path := genPick(a, []string{"/*", "/api/*", "/files/*", "/admin/stats"})
		r := a.newReg("RouteNotFound", "", []string{echo.RouteNotFound}, path, nil)
		a.e.RouteNotFound(path, a.handler(r))
		a.logf("e.RouteNotFound(%q, h%d)", path, r.id)
	}
}

// newDoc generates a document and loads it.
func (a *genApp) newDoc(tag string) (*genDoc, error) {
	d := &genDoc{tag: tag, ops: map[string]*genOp{}}
	paths := map[string]any{}
	var summary []string
	for _, tmpl := range genTemplates {
		if a.chance(0.3) {
			continue
		}
		methods := a.subset(genDocMethods, 0.45)
		if len(methods) == 0 {
			methods = []string{genPick(a, genDocMethods)}
		}
		if a.chance(0.05) {
			methods = append(methods, http.MethodOptions)
		}
		item := map[string]any{}
		var params []any
		for _, s := range strings.Split(tmpl, "/") {
			if strings.HasPrefix(s, "{") {
				params = append(params, map[string]any{"name": strings.Trim(s, "{}"), "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
		}
		if params != nil {
			item["parameters"] = params
		}
		for _, m := range methods {
			op := &genOp{id: fmt.Sprintf("%s-%d", tag, len(d.ops)+1), sec: genSecurity(a.rnd.IntN(4))}
			o := map[string]any{"operationId": op.id, "responses": map[string]any{"200": map[string]any{"description": "ok"}}}
			switch op.sec {
			case genPublic:
				o["security"] = []any{}
			case genRole:
				o["x-axioms-roles"] = []any{"admin"}
			case genScope:
				o["security"] = []any{map[string]any{"oauth2": []any{"write"}}}
			case genOptional:
				o["security"] = []any{map[string]any{}, map[string]any{"oauth2": []any{}}}
			}
			item[strings.ToLower(m)] = o
			d.ops[m+" "+genShape(tmpl)] = op
			summary = append(summary, fmt.Sprintf("%s %s %s (%s)", m, tmpl, op.id, op.sec))
		}
		paths[tmpl] = item
		d.templates = append(d.templates, tmpl)
	}
	doc, err := json.Marshal(map[string]any{
		"openapi":  "3.1.0",
		"info":     map[string]any{"title": "generated " + tag, "version": "1"},
		"security": []any{map[string]any{"oauth2": []any{}}},
		"components": map[string]any{"securitySchemes": map[string]any{"oauth2": map[string]any{
			"type":  "oauth2",
			"flows": map[string]any{"clientCredentials": map[string]any{"tokenUrl": "https://issuer.example/token", "scopes": map[string]any{"write": "write"}}},
		}}},
		"paths": paths,
	})
	if err != nil {
		return nil, err
	}
	if d.policies, err = openapi.LoadData(doc, openapi.LoadOptions{}); err != nil {
		return nil, fmt.Errorf("document %s: %w\n%s", tag, err, doc)
	}
	a.logf("// document %s: %s", tag, strings.Join(summary, "; "))
	return d, nil
}

// hook returns the audit hook of the document of router host.
func (a *genApp) hook(host string) func(echo.Context, echoaxioms.AuditRecord) {
	return func(_ echo.Context, r echoaxioms.AuditRecord) {
		a.records = append(a.records, genRecord{doc: host, AuditRecord: r})
	}
}

func (a *genApp) newReg(api, host string, methods []string, path string, chain []int) *genReg {
	if path == "" {
		path = "/" // as Echo stores it
	}
	if n := strings.Count(path, ":") + strings.Count(path, "*"); n > genMaxParams {
		panic(fmt.Sprintf("generator: %s has %d parameters, more than %s", path, n, genMaxRoute))
	}
	r := &genReg{id: len(a.regs) + 1, api: api, host: host, methods: methods, path: path, raw: api == "Router().Add",
		chain: slices.Clone(chain), late: a.served > 0}
	a.regs = append(a.regs, r)
	return r
}

// handler returns the application handler of r: it records that it ran and answers 200.
func (a *genApp) handler(r *genReg) echo.HandlerFunc {
	return func(c echo.Context) error {
		a.hits = append(a.hits, genHit{reg: r, path: c.Path()})
		return c.String(http.StatusOK, fmt.Sprintf("handler h%d", r.id))
	}
}

// groupMiddleware returns middleware for group t: pass-through, or answering (it
// answers 200 itself, as a proxy would). An answering one joins t's chain.
func (a *genApp) groupMiddleware(t *genTarget, mustExist bool) (echo.MiddlewareFunc, string) {
	if !mustExist && a.chance(0.3) {
		return nil, ""
	}
	if a.chance(0.4) {
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error { return next(c) }
		}, "pass"
	}
	a.mws++
	id := a.mws
	t.answering = append(t.answering, id)
	return func(echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			a.hits = append(a.hits, genHit{mw: id, of: t.name, path: c.Path()})
			return c.String(http.StatusOK, fmt.Sprintf("group middleware m%d", id))
		}
	}, fmt.Sprintf("m%d (answering)", id)
}

// newHost creates the host router name (again: Echo then replaces it).
func (a *genApp) newHost(name string) {
	t := &genTarget{name: fmt.Sprintf("host%d", len(a.targets)), host: name}
	mw, what := a.groupMiddleware(t, false)
	if mw == nil {
		t.group = a.e.Host(name)
		a.logf("%s := e.Host(%q)", t.name, name)
	} else {
		t.group = a.e.Host(name, mw)
		a.logf("%s := e.Host(%q, %s)", t.name, name, what)
	}
	a.targets = append(a.targets, t)
}

// newGroup creates a group on the default router or in a host router.
func (a *genApp) newGroup() {
	parent := a.targets[0]
	var hosts []*genTarget
	for _, t := range a.targets {
		if t.group != nil && t.tmplPrefix == "" {
			hosts = append(hosts, t)
		}
	}
	if len(hosts) > 0 && a.chance(0.3) {
		parent = genPick(a, hosts)
	}
	tmpl := genPick(a, genPrefixes)
	t := &genTarget{name: fmt.Sprintf("g%d", len(a.targets)), host: parent.host, tmplPrefix: tmpl,
		echoPrefix: a.echoPath(tmpl), answering: slices.Clone(parent.answering)}
	mw, what := a.groupMiddleware(t, false)
	var mws []echo.MiddlewareFunc
	if mw != nil {
		mws = append(mws, mw)
		what = ", " + what
	}
	if parent.group == nil {
		t.group = a.e.Group(t.echoPrefix, mws...)
		a.logf("%s := e.Group(%q%s)", t.name, t.echoPrefix, what)
	} else {
		t.group = parent.group.Group(t.echoPrefix, mws...)
		a.logf("%s := %s.Group(%q%s)", t.name, parent.name, t.echoPrefix, what)
	}
	a.targets = append(a.targets, t)
}

// echoPath turns a template into an Echo route with parameter names of its own, or the
// template's now and then.
func (a *genApp) echoPath(tmpl string) string {
	segs := strings.Split(tmpl, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			name := strings.Trim(s, "{}")
			if a.chance(0.6) {
				name = genPick(a, genParamNames)
			}
			segs[i] = ":" + name
		}
	}
	return strings.Join(segs, "/")
}

// routePath returns a route for target t, relative to its prefix, and the template it
// comes from ("" for an undocumented one).
func (a *genApp) routePath(t *genTarget) (sub, tmpl string) {
	if a.chance(0.75) {
		templates := genTemplates
		if d := a.docs[t.host]; d != nil && a.chance(0.8) {
			templates = d.templates
		}
		var fit []string
		for _, tm := range templates {
			if tm == t.tmplPrefix || strings.HasPrefix(tm, t.tmplPrefix+"/") {
				fit = append(fit, tm)
			}
		}
		if len(fit) > 0 {
			tmpl = genPick(a, fit)
			return a.echoPath(tmpl[len(t.tmplPrefix):]), tmpl
		}
	}
	if t.tmplPrefix == "" {
		return genPick(a, genUndocumented), ""
	}
	return genPick(a, genUndocumentedGroup), ""
}

// methodsFor returns n methods for a route from template tmpl: mostly those the document
// describes there.
func (a *genApp) methodsFor(host, tmpl string, n int) []string {
	var documented []string
	if d := a.docs[host]; d != nil && tmpl != "" {
		for _, m := range append(slices.Clone(genDocMethods), http.MethodOptions) {
			if d.ops[m+" "+genShape(tmpl)] != nil {
				documented = append(documented, m)
			}
		}
	}
	var methods []string
	for len(methods) < n {
		m := genPick(a, genDocMethods)
		if len(documented) > 0 && a.chance(0.7) {
			m = genPick(a, documented)
		}
		if !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	return methods
}

// genRoutes is what *echo.Echo and *echo.Group share.
type genRoutes interface {
	Add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	Match(methods []string, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) []*echo.Route
	Any(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) []*echo.Route
	RouteNotFound(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	PUT(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	DELETE(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	PATCH(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// route registers one application handler, by one of Echo's registration APIs.
func (a *genApp) route() {
	t := a.targets[0]
	if len(a.targets) > 1 && a.chance(0.5) {
		t = genPick(a, a.targets[1:])
	}
	var routes genRoutes = a.e
	if t.group != nil {
		routes = t.group
	}
	sub, tmpl := a.routePath(t)
	path := t.echoPrefix + sub
	id := len(a.regs) + 1
	switch n := a.rnd.IntN(20); {
	case n < 6: // e.GET, e.POST...
		m := a.methodsFor(t.host, tmpl, 1)[0]
		add := map[string]func(string, echo.HandlerFunc, ...echo.MiddlewareFunc) *echo.Route{
			http.MethodGet: routes.GET, http.MethodPost: routes.POST, http.MethodPut: routes.PUT,
			http.MethodDelete: routes.DELETE, http.MethodPatch: routes.PATCH, http.MethodOptions: func(p string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
				return routes.Add(http.MethodOptions, p, h, m...)
			},
		}[m]
		add(sub, a.handler(a.newReg(m, t.host, []string{m}, path, t.answering)))
		a.logf("%s.%s(%q, h%d)", t.name, m, sub, id)
	case n < 9:
		m := a.methodsFor(t.host, tmpl, 1)[0]
		routes.Add(m, sub, a.handler(a.newReg("Add", t.host, []string{m}, path, t.answering)))
		a.logf("%s.Add(%q, %q, h%d)", t.name, m, sub, id)
	case n < 12:
		methods := a.methodsFor(t.host, tmpl, 2+a.rnd.IntN(2))
		if a.chance(0.3) && !slices.Contains(methods, http.MethodOptions) {
			methods = append(methods, http.MethodOptions)
		}
		routes.Match(methods, sub, a.handler(a.newReg("Match", t.host, methods, path, t.answering)))
		a.logf("%s.Match(%q, %q, h%d)", t.name, methods, sub, id)
	case n < 13:
		routes.Any(sub, a.handler(a.newReg("Any", t.host, genAnyMethods, path, t.answering)))
		a.logf("%s.Any(%q, h%d)", t.name, sub, id)
	case n < 15:
		routes.RouteNotFound(sub, a.handler(a.newReg("RouteNotFound", t.host, []string{echo.RouteNotFound}, path, t.answering)))
		a.logf("%s.RouteNotFound(%q, h%d)", t.name, sub, id)
	default: // the router itself: no closure of Echo's, no group middleware
		router := a.e.Router()
		name := "e.Router()"
		if t.host != "" {
			router, name = a.e.Routers()[t.host], fmt.Sprintf("e.Routers()[%q]", t.host)
		}
		methods := a.methodsFor(t.host, tmpl, 1+a.rnd.IntN(2))
		h := a.handler(a.newReg("Router().Add", t.host, methods, path, nil))
		for _, m := range methods {
			router.Add(m, path, h)
			a.logf("%s.Add(%q, %q, f%d)", name, m, path, id)
		}
	}
}

// request generates a request: mostly for a registered route.
func (a *genApp) request() genRequest {
	r := genRequest{method: genPick(a, genRequestMethods), host: genPick(a, append([]string{genMainHost, genUnknownHost}, genHostNames...))}
	switch n := a.rnd.IntN(20); {
	case n < 15:
		reg := genPick(a, a.regs)
		r.path = genInstantiate(a, reg.path)
		switch {
		case reg.host != "" && a.chance(0.85):
			r.host = reg.host
		case reg.host == "":
			r.host = genPick(a, []string{genMainHost, genMainHost, genMainHost, genUnknownHost})
		}
		var methods []string
		for _, m := range reg.methods {
			if slices.Contains(genRequestMethods, m) {
				methods = append(methods, m)
			}
		}
		if len(methods) > 0 && a.chance(0.8) {
			r.method = genPick(a, methods)
		}
	case n < 18:
		r.path = genInstantiate(a, genPick(a, genTemplates))
	default:
		r.path = genPick(a, genUnmatched)
	}
	if a.chance(0.12) && r.path != "/" {
		if strings.HasSuffix(r.path, "/") {
			r.path = strings.TrimSuffix(r.path, "/")
		} else {
			r.path += "/"
		}
	}
	if rest, ok := strings.CutPrefix(r.path, "/api/"); ok && a.chance(0.12) {
		r.path = "/old/" + rest
	}
	if a.chance(0.2) {
		r.override = genPick(a, genOverrides)
		if a.chance(0.5) {
			r.method = http.MethodPost
		}
	}
	switch n := a.rnd.IntN(20); {
	case n < 5:
		r.cred = genNoCred
	case n < 10:
		r.cred = genAdmin
	case n < 13:
		r.cred = genOpaqueAdmin
	case n < 15:
		r.cred = genUser
	case n < 17:
		r.cred = genOpaqueUser
	default:
		r.cred = genExpired
	}
	return r
}

// genInstantiate gives an Echo route's or a template's parameters values.
func genInstantiate(a *genApp, route string) string {
	segs := strings.Split(route, "/")
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, ":"), strings.HasPrefix(s, "{"):
			segs[i] = genPick(a, genParamValues)
		case s == "*":
			segs[i] = genPick(a, genWildValues)
		}
	}
	if p := strings.Join(segs, "/"); p != "" {
		return p
	}
	return "/"
}

// routedMethod is the method Echo routes r with: the request's own, unless
// MethodOverride runs in e.Pre on the request Echo routes, i.e. before any middleware
// that replaces it (ContextTimeout, replaceRequest). MethodOverride changes only POST,
// and never to GET (nor HEAD, OPTIONS, TRACE, CONNECT).
func (a *genApp) routedMethod(r genRequest) string {
	if r.method != http.MethodPost || r.override == "" || r.override == http.MethodGet {
		return r.method
	}
	for _, name := range a.pre {
		switch name {
		case "ContextTimeout", "replaceRequest":
			return r.method
		case "MethodOverride":
			return r.override
		}
	}
	return r.method
}

// serve sends r and checks the invariant.
func (a *genApp) serve(r genRequest) (err error) {
	a.records, a.hits = nil, nil
	req := httptest.NewRequest(r.method, r.path, nil)
	req.Host = r.host
	if r.override != "" {
		req.Header.Set("X-HTTP-Method-Override", r.override)
	}
	if tok := a.env.tokens[r.cred]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	a.stats.requests++
	a.served++
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("request %s panicked: %v", r, p)
		}
	}()
	a.e.ServeHTTP(rec, req)
	a.stats.statuses[rec.Code]++
	a.logf("// %s → %d %q", r, rec.Code, strings.TrimSpace(rec.Body.String()))
	if err := a.check(r); err != nil {
		return fmt.Errorf("request %s answered %d %q: %w\naudit records: %+v", r, rec.Code, strings.TrimSpace(rec.Body.String()), err, a.records)
	}
	return nil
}

// check verifies the invariant for the request just served.
func (a *genApp) check(r genRequest) error {
	switch len(a.hits) {
	case 0:
		return nil // no application code ran: any answer will do
	case 1:
	default:
		return fmt.Errorf("%d pieces of application code ran: %v", len(a.hits), a.hits)
	}
	hit := a.hits[0]
	if len(a.records) == 0 {
		return fmt.Errorf("%v ran without a decision", hit)
	}
	last := a.records[len(a.records)-1]
	routed := a.routedMethod(r)
	if hit.reg != nil {
		a.stats.handlers++
		a.stats.count(hit.reg, r)
		if why := a.fits(hit.reg, last, routed, r.cred); why != "" {
			return fmt.Errorf("%v ran: %s", hit.reg, why)
		}
		return nil
	}
	a.stats.groupAnswers++
	var whys []string
	for _, reg := range a.regs {
		if reg.raw || reg.path != hit.path || !slices.Contains(reg.chain, hit.mw) {
			continue
		}
		why := a.fits(reg, last, routed, r.cred)
		if why == "" {
			a.stats.count(reg, r)
			return nil
		}
		whys = append(whys, fmt.Sprintf("not as %v: %s", reg, why))
	}
	if whys == nil {
		return fmt.Errorf("%v answered, where its group has no route", hit)
	}
	return fmt.Errorf("%v answered: %s", hit, strings.Join(whys, "; "))
}

// fits returns why the decision last is not the one that lets the caller reach reg's
// code, or "" if it is.
func (a *genApp) fits(reg *genReg, last genRecord, routed string, cred genCred) string {
	doc := a.docs[reg.host]
	switch {
	case !slices.Contains([]echoaxioms.Outcome{echoaxioms.OutcomeAllowed, echoaxioms.OutcomePublic, echoaxioms.OutcomeAnonymous}, last.Outcome):
		return fmt.Sprintf("the last decision was %q (%s)", last.Outcome, last.Reason)
	case reg.notFound():
		return "it is a not-found route"
	case doc == nil:
		return "its router has no document"
	case last.doc != reg.host:
		return "the decision was made under the document of " + genRouter(last.doc)
	case last.Route != reg.path:
		return fmt.Sprintf("the decision was for route %q", last.Route)
	case reg.raw && !slices.Contains(reg.methods, last.Method):
		return fmt.Sprintf("the decision was for method %s, not one of the function's", last.Method)
	case !reg.raw && last.Method != routed:
		return fmt.Sprintf("the decision was for method %s, Echo routed %s", last.Method, routed)
	case !reg.raw && !slices.Contains(reg.methods, routed):
		return fmt.Sprintf("Echo routed %s, which the route is not registered for", routed)
	}
	op := doc.op(last.Method, reg.path)
	switch {
	case op == nil:
		return fmt.Sprintf("the document has no operation %s %s", last.Method, reg.path)
	case last.OperationID != op.id:
		return fmt.Sprintf("the decision was under operation %q, the route's is %q", last.OperationID, op.id)
	case last.Outcome != genOutcome(op.sec, cred):
		return fmt.Sprintf("the decision was %q, but %s (%s) with credentials %s gives %q", last.Outcome, op.id, op.sec, cred, genOutcome(op.sec, cred))
	}
	return ""
}

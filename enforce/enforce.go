package enforce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// DefaultRealm is the realm of WWW-Authenticate challenges when no realm is configured.
const DefaultRealm = "api"

// TokenValidator validates a raw bearer token (without "Bearer "). *validator.Validator
// implements it; so may a wrapper that adds checks. Implementations must be safe for
// concurrent use and return errors that match validator.ErrInvalidToken (answered 401)
// or validator.ErrKeysUnavailable (answered 503); any other error is answered 401.
type TokenValidator interface {
	// Validate returns the claims of rawToken, or an error saying why it is refused;
	// it is called concurrently, and must honour ctx.
	Validate(ctx context.Context, rawToken string) (*validator.Claims, error)
}

// Authenticator authenticates a request for a security scheme the library does not
// enforce itself: apiKey, http other than bearer (e.g. basic), mutualTLS. req is the
// adapter's own request value ([Request].Native), ctx the request's context. It returns
// (nil, nil) when the request carries no credentials for the scheme, a principal when
// they are valid, and an error when they are present but invalid (answered 401, or with
// the error's own status: see [ErrorStatus]). It must be safe for concurrent use and
// must not write the response. Adapters convert their framework's authenticators to
// this form once, when they are built.
type Authenticator func(ctx context.Context, req any, scheme openapi.Scheme) (openapi.Principal, error)

// OwnerLoader loads the object an operation acts on, for an x-axioms-owner rule with a
// loader (or for [RequireOwner]). req is the adapter's own request value
// ([Request].Native); ctx is the context the request continues with, the caller's claims
// or principal in it (an adapter whose loaders read the request's context from req
// installs ctx in it first). It is called only after authentication, scopes, roles and
// permissions passed, so anonymous callers cannot probe which objects exist. An error
// that carries its own status (see [ErrorStatus], e.g. a 404) is answered with it; any
// other error is a 500. It must be safe for concurrent use and must not write the
// response.
type OwnerLoader func(ctx context.Context, req any) (any, error)

// ErrorStatus classifies an error of an [Authenticator] or an [OwnerLoader], once for
// all of them: status is the HTTP status the error carries (the adapter's framework
// error type, e.g. *echo.HTTPError), 0 when it carries none; cause is what a server-side
// failure (a 500) logs: the error the framework error wraps, or err itself. If nil, no
// error carries a status and the cause is err itself. It is called on the request's
// goroutine, concurrently across requests: it must be safe for concurrent use.
type ErrorStatus func(err error) (status int, cause error)

func noStatus(err error) (int, error) { return 0, err }

// Config configures an [Enforcer]. Policies and a validator for the bearer schemes the
// document relies on are required; every other field has a safe default. No zero value
// opens a route: only the field named Insecure… weakens enforcement. Field names match
// the adapters' Config fields of the same job, which errors of [New] name.
type Config struct {
	// Name starts every error [New] returns: the adapter's package name
	// ("echoaxioms"). Default: "enforce".
	Name string

	// Policies is the policy table compiled from the API document (openapi.Load...).
	// Required.
	Policies *openapi.Policies

	// Validator validates bearer tokens for every oauth2, openIdConnect and http-bearer
	// scheme without an entry in SchemeValidators. Required unless SchemeValidators covers
	// all of them.
	Validator TokenValidator

	// SchemeValidators binds security schemes (by name in the document) to their own
	// validators, e.g. one issuer per scheme. Default: none.
	SchemeValidators map[string]TokenValidator

	// Authenticators authenticate the schemes the library does not enforce (apiKey,
	// http basic, mutualTLS), by scheme name. [New] fails if an operation relies on such
	// a scheme without an authenticator. Default: none.
	Authenticators map[string]Authenticator

	// OwnerLoaders load objects for x-axioms-owner rules with a loader, by loader name
	// (the rule's loader, defaulting to the operationId). [New] fails if a rule's loader
	// is missing. Default: none.
	OwnerLoaders map[string]OwnerLoader

	// Params returns the path parameters of the route the router matched for req
	// ([Request].Native): their names in the route's order ("*" for a wildcard) and
	// their values in the same order. The owner rule's parameter is located by its
	// position in the document's route, and a route using one of the document's
	// parameter names at another position is a server error (500), never a pass. It is
	// called once per request of an operation whose owner rule names a parameter, on the
	// request's goroutine and concurrently across requests: it must be safe for
	// concurrent use, and must not allocate on the hot path. Required when an owner rule
	// names a parameter.
	Params func(req any) (names, values []string)

	// ErrorStatus classifies the errors of Authenticators and OwnerLoaders. Default: no
	// error carries a status of its own.
	ErrorStatus ErrorStatus

	// Realm is the realm of WWW-Authenticate challenges. Default: [DefaultRealm].
	Realm string

	// DPoP checks the DPoP proofs (RFC 9449) of requests to operations whose schemes
	// declare x-axioms-dpop: its replay cache, algorithms, clock and server nonces
	// (validator.DPoPConfig.NonceSecret) apply. If nil and a scheme in use declares
	// x-axioms-dpop, [New] builds one with validator.NewDPoPChecker's defaults (no
	// nonces). Share one checker between the Enforcers of one service only when they
	// answer the same URLs: the replay cache then spans them. Default: nil.
	DPoP *validator.DPoPChecker

	// DPoPBaseURL is the service's external base URL as DPoP clients address it, e.g.
	// "https://api.example.com" (a path prefix that a proxy strips, as in
	// "https://example.com/api", is kept): the htu a proof must name is DPoPBaseURL
	// followed by the path of the request-target. It must be an absolute http or https
	// URL without user information, query, fragment or dot segments, else [New] fails. If empty, the
	// URL is built from each request: https when it came over TLS, else http, and its
	// Host header (net/http's Request.Host: the authority of an absolute-form
	// request-target when there is one, as RFC 9112 §3.2.2 asks; X-Forwarded-* and
	// Forwarded headers are never read). Set it behind a TLS-terminating proxy or load balancer (the service
	// then sees http and perhaps an internal host, and refuses every proof), and in
	// production generally: the Host header is the client's word, so without it a proof
	// made for another service that accepts the same tokens could be replayed here with
	// that service's Host. Default: "".
	DPoPBaseURL string

	// InsecureAllowUndocumented lets requests without an operation ([Request].Policy
	// nil) through, unchecked (recorded as passed, reason undocumented_route). Default
	// false: they are denied with 403 undocumented_route.
	InsecureAllowUndocumented bool

	// SuccessHandler, if set, is called after a request was authorized, with the context
	// the request continues with (claims, principal and loaded object in it; an adapter
	// whose handler reads the request's context from req installs ctx in it first),
	// before the decision is recorded and before the handler runs. It runs on the
	// request's goroutine, concurrently across requests: it must be safe for concurrent
	// use, and must not modify the claims (shared between requests presenting the same
	// token). Default: none.
	SuccessHandler func(ctx context.Context, req any)

	// AuditHook, if set, receives one record per decision (allowed, denied, public,
	// anonymous, passed: see the Outcome and Reason constants), with the request's
	// context and req ([Request].Native). Records never contain token content. It runs
	// on the request's goroutine, concurrently across requests: it must be safe for
	// concurrent use and must not block. Default: none.
	AuditHook func(ctx context.Context, req any, r AuditRecord)

	// Logger, if set, receives one record per decision: denials at Info, the rest at
	// Debug, and server-side failures (owner loaders, unreadable owner fields) at Error.
	// Records at a level the logger does not enable are not built. Default: none
	// (server-side failures then go to slog.Default()).
	Logger *slog.Logger
}

// Enforcer decides requests for one API document: built by [New], immutable, safe for
// concurrent use.
type Enforcer struct {
	validator         TokenValidator
	schemeValidators  map[string]TokenValidator // every bearer scheme in use → its validator
	simple            bool                      // all bearer schemes share validator
	authenticators    map[string]Authenticator
	loaders           map[string]OwnerLoader
	schemes           map[string]openapi.Scheme
	ownerParams       map[*openapi.Policy]ownerParam
	params            func(any) ([]string, []string)
	status            ErrorStatus
	realm             string
	now               func() time.Time // the clock of time claims beyond the validator's (auth_time)
	leeway            time.Duration    // their clock skew
	allowUndocumented bool
	success           func(context.Context, any)
	rec               recorder
	dpop              *validator.DPoPChecker // nil when no scheme in use declares x-axioms-dpop
	dpopAlgs          []string               // dpop.Algorithms(), for the algs of DPoP challenges
	dpopBase          string                 // Config.DPoPBaseURL without its trailing slash
	// builtin is set when every bearer scheme uses a *validator.Validator, which accepts
	// only compact JWS in canonical base64url, and with introspection only token68
	// values: never a token outside token68. The token68 check of
	// the token then runs only when validation fails, to tell 400 from 401.
	builtin bool
}

// Request is what the enforcement needs to know of a request. An adapter fills one per
// request (on its stack: [Enforcer.Enforce] keeps no reference to it).
type Request struct {
	// Native is the adapter's own request value (an echo.Context, an *http.Request),
	// handed as it is to the callbacks of [Config] and [Requirement]: Authenticators,
	// OwnerLoaders, Params, SuccessHandler, AuditHook.
	Native any
	// Header holds the request's headers; the bearer token is read from its
	// Authorization values.
	Header http.Header
	// Method is the request's method: the method of audit records of requests without
	// an operation (a policy's own method otherwise), and the method a DPoP proof's htm
	// must name. An adapter whose router routed the request before middleware changed
	// its method (a method override) sets the method the router routed with, never the
	// changed one.
	Method string
	// Route is the pattern of the route the router matched ("/articles/:id"), for audit
	// records and the owner rule's checks.
	Route string
	// Host is the request's Host (http.Request.Host): the host of the URL a DPoP proof
	// must name, unless Config.DPoPBaseURL is set. Read for DPoP requests only.
	Host string
	// TLS reports whether the request came over TLS (http.Request.TLS != nil): that URL's
	// scheme is then https, else http, unless Config.DPoPBaseURL is set. Read for DPoP
	// requests only.
	TLS bool
	// RequestURI is the request-target as the client sent it (http.Request.RequestURI):
	// its path is the path of that URL, whatever middleware did to the request's URL
	// since (a rewrite before routing). Read for DPoP requests only.
	RequestURI string
	// URL is the request's URL (http.Request.URL): its path stands in for RequestURI's
	// when that is empty (a request built in a test, not read by a server). Read for
	// DPoP requests only.
	URL *url.URL
	// Policy is the operation of the matched route: the policy of the route's method and
	// pattern (openapi.Policies.Lookup), found by the adapter from what its router
	// matched, never by routing the URL a second time. Nil when the route has no
	// operation, or when the adapter cannot tell with certainty which route's handler
	// will answer: the request is then denied (403 undocumented_route) unless
	// InsecureAllowUndocumented is set.
	Policy *openapi.Policy
}

// Result is the decision on one request: it proceeds (Denial and Err nil), or it ends
// with a denial (Denial) or with an owner loader's answer or a server-side failure
// (Err). The decision has already been recorded (AuditHook, Logger).
type Result struct {
	// Context is the context the request proceeds with: the request's own, with the
	// caller's claims (validator.FromContext) or principal ([PrincipalFromContext]) and
	// the loaded object ([ObjectFromContext]) added when there are. A request that ends
	// at the owner rule, after authentication, ends with the caller in it too, so that an
	// error hook can read who was refused. The adapter installs it in the request when it
	// differs from the request's context, before proceeding or answering.
	Context context.Context
	// Denial is the RFC 6750 denial to answer with: see [Error.SetHeaders] and
	// [Error.Body].
	Denial *Error
	// Err is an owner loader's error or a server-side failure of the owner rule: the
	// adapter answers an error carrying its own status (see [ErrorStatus]) as it is,
	// anything else as a 500 carrying Err as its cause.
	Err error
	// Status is the HTTP status of the answer when the request ends (Denial or Err set),
	// as recorded: the denial's, the loader's own, or 500.
	Status int
}

// New checks cfg and returns its Enforcer. It fails, listing every problem, when the
// policies are missing, a bearer scheme has no validator, a non-bearer scheme an
// operation relies on has no authenticator, an owner rule's loader is not registered, an
// owner parameter is not in its operation's route or is there more than once (base path
// included), Params is missing while an owner rule needs it, DPoPBaseURL is not an
// absolute http or https URL, or SchemeValidators /
// Authenticators name schemes the document does not declare or map them to nil. The
// problems are listed in the same order every time: SchemeValidators and Authenticators
// entries by scheme name, then the schemes in use, then the operations.
func New(cfg Config) (*Enforcer, error) {
	prefix := cfg.Name
	if prefix == "" {
		prefix = "enforce"
	}
	if cfg.Policies == nil {
		return nil, fmt.Errorf("%s: Config.Policies is required", prefix)
	}
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(prefix+": "+format, args...))
	}
	e := &Enforcer{
		validator:         cfg.Validator,
		authenticators:    cfg.Authenticators,
		loaders:           cfg.OwnerLoaders,
		params:            cfg.Params,
		status:            cfg.ErrorStatus,
		realm:             cfg.Realm,
		allowUndocumented: cfg.InsecureAllowUndocumented,
		success:           cfg.SuccessHandler,
		rec:               recorder{hook: cfg.AuditHook, logger: cfg.Logger},
		schemes:           map[string]openapi.Scheme{},
		schemeValidators:  map[string]TokenValidator{},
		ownerParams:       map[*openapi.Policy]ownerParam{},
	}
	// Step-up's auth_time check uses the default validator's clock and leeway when it
	// has them (a *validator.Validator does), so a configured Config.Now or Leeway holds
	// there as for exp, nbf and iat; otherwise the wall clock and validator.DefaultLeeway.
	e.now, e.leeway = time.Now, validator.DefaultLeeway
	if c, ok := cfg.Validator.(interface {
		Now() time.Time
		Leeway() time.Duration
	}); ok {
		e.now, e.leeway = c.Now, c.Leeway()
	}
	if e.status == nil {
		e.status = noStatus
	}
	if e.realm == "" {
		e.realm = DefaultRealm
	}

	for _, s := range cfg.Policies.Schemes() {
		e.schemes[s.Name] = s
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.SchemeValidators)) {
		s, ok := e.schemes[name]
		switch {
		case !ok:
			fail("SchemeValidators names %q, which the document does not declare", name)
		case !s.Bearer():
			fail("SchemeValidators names %q, a %s scheme the library does not enforce with bearer tokens (register an Authenticator)", name, s.Type)
		case cfg.SchemeValidators[name] == nil:
			fail("SchemeValidators[%q] is nil", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Authenticators)) {
		s, ok := e.schemes[name]
		switch {
		case !ok:
			fail("Authenticators names %q, which the document does not declare", name)
		case s.Bearer():
			fail("Authenticators names %q, a bearer scheme the library enforces itself (use SchemeValidators)", name)
		case cfg.Authenticators[name] == nil:
			fail("Authenticators[%q] is nil", name)
		}
	}
	for _, name := range cfg.Policies.SchemesInUse() {
		s := e.schemes[name]
		if s.Bearer() {
			v := cfg.SchemeValidators[name]
			if v == nil {
				v = cfg.Validator
			}
			if v == nil {
				fail("security scheme %q needs a token validator (set Config.Validator or SchemeValidators[%q])", name, name)
				continue
			}
			e.schemeValidators[name] = v
		} else if cfg.Authenticators[name] == nil {
			fail("security scheme %q (%s) is used by operations but has no Authenticator", name, describeScheme(s))
		}
	}
	e.dpop = cfg.DPoP
	if cfg.DPoPBaseURL != "" {
		base, err := parseBaseURL(cfg.DPoPBaseURL)
		if err != nil {
			fail("%v", err)
		}
		e.dpopBase = base
	}
	if e.dpop == nil && usesDPoP(cfg.Policies, e.schemes) {
		// The defaults never fail.
		c, err := validator.NewDPoPChecker(validator.DPoPConfig{})
		if err != nil {
			fail("building the DPoP checker: %v", err)
		}
		e.dpop = c
	}
	if e.dpop != nil {
		e.dpopAlgs = e.dpop.Algorithms()
	}
	e.simple = len(cfg.SchemeValidators) == 0
	e.builtin = true
	for _, v := range e.schemeValidators {
		if _, ok := v.(*validator.Validator); !ok {
			e.builtin = false
		}
	}
	if _, ok := e.validator.(*validator.Validator); e.validator != nil && !ok {
		e.builtin = false
	}

	var missingLoaders []string
	for _, p := range cfg.Policies.All() {
		if p.Owner == nil {
			continue
		}
		if p.Owner.Param != "" {
			// The route the router matches is the full route (base path and group
			// prefixes included), so the parameter is located in p.Route, never in p.Path.
			idx, count, n := paramIndex(p.Route, p.Owner.Param)
			switch {
			case n == 0:
				fail("%s %s: owner parameter %q is not in the route %s", p.Method, p.Path, p.Owner.Param, p.Route)
				continue
			case n > 1:
				fail("%s %s: owner parameter %q appears %d times in the route %s (base path included): the owner is ambiguous", p.Method, p.Path, p.Owner.Param, n, p.Route)
				continue
			case cfg.Params == nil:
				fail("%s %s: the owner rule reads a path parameter, and Config.Params is not set", p.Method, p.Path)
				continue
			}
			e.ownerParams[p] = ownerParam{index: idx, count: count, names: templateParams(p.Route)}
			continue
		}
		if cfg.OwnerLoaders[p.Owner.Loader] == nil {
			missingLoaders = append(missingLoaders, fmt.Sprintf("%q (%s %s)", p.Owner.Loader, p.Method, p.Path))
		}
	}
	if len(missingLoaders) > 0 {
		slices.Sort(missingLoaders)
		fail("owner rules need loaders that are not registered in OwnerLoaders: %s", strings.Join(missingLoaders, ", "))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return e, nil
}

func describeScheme(s openapi.Scheme) string {
	if s.Type == openapi.SchemeHTTP && s.HTTPScheme != "" {
		return "http " + s.HTTPScheme
	}
	return string(s.Type)
}

// Enforce decides r as its operation (r.Policy) says: a request without an operation is
// denied (403) unless InsecureAllowUndocumented is set; a public operation proceeds with
// no token work; otherwise the bearer token (or each scheme's credentials) is
// authenticated, the security alternatives, roles and permissions evaluated, then the
// step-up requirements (x-axioms-acr, x-axioms-max-age), and the owner rule checked last, so that a loader runs only for callers who passed everything
// else. Every decision is recorded before Enforce returns. ctx is the request's context.
//
// On a documented route with a token seen before (a verified-token cache hit), Enforce
// allocates once: the context value holding the claims.
func (e *Enforcer) Enforce(ctx context.Context, r *Request) Result {
	p := r.Policy
	switch {
	case p == nil && e.allowUndocumented:
		e.rec.record(ctx, r, nil, nil, OutcomePassed, http.StatusOK, ReasonUndocumentedRoute, "")
		return Result{Context: ctx}
	case p == nil:
		return e.deny(ctx, r, nil, nil, undocumentedError(e.realm))
	case p.Auth == openapi.AuthNone:
		e.rec.record(ctx, r, p, nil, OutcomePublic, http.StatusOK, "", "")
		return Result{Context: ctx}
	}
	principal, dpop, denial := e.authenticate(ctx, r, p)
	if denial != nil {
		return e.deny(ctx, r, p, principal, denial)
	}
	if principal == nil { // optional authentication, no credentials
		e.rec.record(ctx, r, p, nil, OutcomeAnonymous, http.StatusOK, "", "")
		return Result{Context: ctx}
	}
	if p.ACR != nil || p.MaxAge != 0 {
		if denial := stepUp(e.realm, p, principal, e.now(), e.leeway); denial != nil {
			if dpop {
				e.challenge(denial, AuthDPoP)
			}
			return e.deny(ctx, r, p, principal, denial)
		}
	}
	ctx = withCaller(ctx, principal)
	if dpop {
		// The code-level checks after this one answer in the DPoP scheme too.
		ctx = withDPoP(ctx, e.dpopAlgs)
	}
	if p.Owner != nil {
		var end Result
		var ok bool
		if ctx, end, ok = e.checkOwner(ctx, r, p, principal); !ok {
			if dpop {
				e.challenge(end.Denial, AuthDPoP)
			}
			return end
		}
	}
	if e.success != nil {
		e.success(ctx, r.Native)
	}
	e.rec.allowed(ctx, r, p, principal, "")
	return Result{Context: ctx}
}

// Skip records that the adapter let r through unchecked, by its own Skipper (outcome
// passed, reason skipped). ctx is the request's context.
func (e *Enforcer) Skip(ctx context.Context, r *Request) {
	e.rec.record(ctx, r, nil, nil, OutcomePassed, http.StatusOK, ReasonSkipped, "")
}

// deny records a denial and returns it.
func (e *Enforcer) deny(ctx context.Context, r *Request, p *openapi.Policy, principal openapi.Principal, denial *Error) Result {
	return denied(ctx, &e.rec, r, p, principal, denial, "")
}

// denied records a denial on rec and returns it: the one way a decision ends with a
// denial.
func denied(ctx context.Context, rec *recorder, r *Request, p *openapi.Policy, principal openapi.Principal, denial *Error, check string) Result {
	rec.record(ctx, r, p, principal, OutcomeDenied, denial.Status, denial.Reason, check)
	return Result{Context: ctx, Denial: denial, Status: denial.Status}
}

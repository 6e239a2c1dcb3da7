package httpaxioms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// DefaultRealm is the realm of WWW-Authenticate challenges when Config.Realm is empty.
const DefaultRealm = enforce.DefaultRealm

// TokenValidator validates a raw bearer token (without "Bearer "). *validator.Validator
// implements it; so may a wrapper that adds checks. Implementations must be safe for
// concurrent use and return errors that match validator.ErrInvalidToken (answered 401)
// or validator.ErrKeysUnavailable (answered 503); any other error is answered 401. See
// enforce.TokenValidator.
type TokenValidator = enforce.TokenValidator

// Authenticator authenticates a request for a security scheme the library does not
// enforce itself: apiKey, http other than bearer (e.g. basic), mutualTLS. It returns
// (nil, nil) when the request carries no credentials for the scheme, a principal when
// they are valid, and an error when they are present but invalid (answered 401, or with
// the status of a returned [*StatusError]). It must be safe for concurrent use and must
// not write the response.
type Authenticator func(r *http.Request, scheme openapi.Scheme) (openapi.Principal, error)

// OwnerLoader loads the object an operation acts on, for an x-axioms-owner rule with a
// loader; path parameters are r.PathValue(name). It is called only after
// authentication, scopes, roles and permissions passed, so anonymous callers cannot
// probe which objects exist; r's context holds the caller ([Claims], [Principal]).
// Returning a [*StatusError] (e.g. &StatusError{Status: http.StatusNotFound}) answers
// with its status; any other error is a 500. The object is handed to the handler
// through [Object]. It must be safe for concurrent use and must not write the response.
type OwnerLoader func(r *http.Request) (any, error)

// Config configures the middleware. Policies and a validator for the bearer schemes the
// document relies on are required; every other field has a safe default. No zero value
// opens a route: only the field named Insecure… weakens enforcement.
//
// The base path is part of the policies, not of Config: each operation's route
// ([openapi.Policy.Route]) is openapi.LoadOptions.BasePath, else the path of the
// document's (or the operation's) first server URL, followed by its path template. The
// pattern serving an operation must have that path, base path included (a document
// with servers: [{url: /v1}] is served by "GET /v1/articles/{id}"); a mux mounted below
// a prefix with http.StripPrefix sees the paths without it, so its document is loaded
// with LoadOptions.BasePath "/". A Config may be used for several Middleware or
// [NewMux] calls; it must not be modified while one runs.
type Config struct {
	// Skipper, if it returns true, lets the request through without any check (recorded
	// as passed, reason skipped). Default: nil, never skips. Use it only for routes
	// outside the document's responsibility (e.g. metrics). It runs on the request's
	// goroutine, concurrently across requests: it must be safe for concurrent use.
	Skipper func(r *http.Request) bool

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
	// http basic, mutualTLS), by scheme name. Building fails if an operation relies on
	// such a scheme without an authenticator. Default: none.
	Authenticators map[string]Authenticator

	// OwnerLoaders load objects for x-axioms-owner rules with a loader, by loader name
	// (the rule's loader, defaulting to the operationId). Building fails if a rule's
	// loader is missing. Default: none.
	OwnerLoaders map[string]OwnerLoader

	// Realm is the realm of WWW-Authenticate challenges. Default: [DefaultRealm].
	Realm string

	// DPoP checks the DPoP proofs (RFC 9449) of requests to operations whose security
	// schemes declare x-axioms-dpop (its replay cache, algorithms, clock and server
	// nonces apply). If nil and a scheme in use declares x-axioms-dpop, one is built
	// with validator.NewDPoPChecker's defaults (no nonces). See enforce.Config.DPoP.
	// Default: nil.
	DPoP *validator.DPoPChecker

	// DPoPBaseURL is the service's external base URL as DPoP clients address it
	// ("https://api.example.com"): a proof's htu must be it followed by the path of the
	// request-target. If empty, the URL is built from each request (https over TLS,
	// else http, and the Host header): set it behind a TLS-terminating proxy, and in
	// production generally (the Host header is the client's word). Building fails
	// unless it is an absolute http or https URL without user information, query,
	// fragment or dot segments. See enforce.Config.DPoPBaseURL. Default: "".
	DPoPBaseURL string

	// Hosts binds API documents to host patterns ("admin.example.com/users/{id}"), by
	// the host as the patterns write it. A request whose pattern names a host is
	// enforced by that host's Config alone: its Policies, validators, authenticators,
	// loaders, realm, hooks and Skipper; a host's Config may not have Hosts of its own.
	// Every pattern of a host without an entry is undocumented (403
	// undocumented_route), as is every host pattern when Hosts is nil (the default).
	// Patterns without a host are enforced by this Config, whatever the request's host.
	Hosts map[string]Config

	// InsecureAllowUndocumented lets requests through, unchecked, to handlers that have
	// no operation in the document: patterns the document does not describe, methods it
	// does not describe on a pattern without a method, paths below the root of a subtree
	// pattern. Default false: they are denied with 403 undocumented_route. It never
	// lets through a request without a pattern (see [Config.Middleware]).
	InsecureAllowUndocumented bool

	// ErrorHandler, if set, is called with every denial instead of the default answer (the
	// denial's status and its [Body] as JSON). The WWW-Authenticate, Retry-After and
	// Cache-Control headers are already set in w. It must write the response: if it
	// writes nothing, the default answer is written, and the handler never runs either
	// way. It runs on the request's goroutine, concurrently across requests: it must be
	// safe for concurrent use, and the *Error is its own (a fresh value per denial).
	// Default: none.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, denial *Error)

	// SuccessHandler, if set, is called after a request was authorized, before the
	// handler runs, with the request the handler will see (the claims in its context).
	// It runs on the request's goroutine, concurrently across requests: it must be safe
	// for concurrent use, and must not modify the claims (shared between requests
	// presenting the same token). Default: none.
	SuccessHandler func(r *http.Request)

	// AuditHook, if set, receives one record per decision (allowed, denied, public,
	// anonymous, passed: see the Outcome and Reason constants), with the request as the
	// middleware received it. Records never contain token content. It runs on the
	// request's goroutine, concurrently across requests: it must be safe for concurrent
	// use and must not block. Default: none.
	AuditHook func(r *http.Request, rec AuditRecord)

	// Logger, if set, receives one record per decision: denials at Info, the rest at
	// Debug, and server-side failures (owner loaders, unreadable owner fields) at Error.
	// Records at a level the logger does not enable are not built. Default: none
	// (server-side failures then go to slog.Default()).
	Logger *slog.Logger
}

// Middleware checks cfg and returns the middleware, which wraps the handlers the mux
// serves: install it around the handler of each pattern (or use [NewMux], which does),
// never around the mux itself:
//
//	mux.Handle("GET /articles/{id}", protect(http.HandlerFunc(getArticle)))
//
// It applies the operation of the pattern the mux matched (r.Pattern): its method and
// path, its host's document. A request without a pattern, as every request is in front
// of the mux, is answered 404 and never reaches the handler, whatever
// InsecureAllowUndocumented says. Any router that sets r.Pattern in ServeMux syntax can
// use it the same way.
//
// It fails, listing every problem, when the policies are missing, a bearer scheme has
// no validator, a non-bearer scheme an operation relies on has no authenticator, an
// owner rule's loader is not registered, SchemeValidators / Authenticators name schemes
// the document does not declare, or a host's Config (Hosts) has any of these problems
// or Hosts of its own. The middleware is safe for concurrent use.
func (cfg Config) Middleware() (func(http.Handler) http.Handler, error) {
	m, err := cfg.build()
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.serve(w, r, next) })
	}, nil
}

// build builds the middleware of cfg and of its hosts.
func (cfg Config) build() (*middleware, error) {
	m := &middleware{hosts: map[string]*engine{}}
	var errs []error
	main, err := cfg.buildOne(m)
	if err != nil {
		errs = append(errs, err)
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Hosts)) {
		hc := cfg.Hosts[name]
		if hc.Hosts != nil {
			errs = append(errs, fmt.Errorf("httpaxioms: Hosts[%q] has Hosts of its own", name))
			continue
		}
		h, err := hc.buildOne(m)
		if err != nil {
			errs = append(errs, fmt.Errorf("httpaxioms: Hosts[%q]: %w", name, err))
			continue
		}
		m.hosts[name] = h
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	m.main = main
	return m, nil
}

// buildOne builds the engine of one document, without Hosts: the core, with the
// callbacks converted to its form once.
func (cfg Config) buildOne(m *middleware) (*engine, error) {
	ccfg := enforce.Config{
		Name:                      "httpaxioms",
		Policies:                  cfg.Policies,
		Validator:                 cfg.Validator,
		SchemeValidators:          cfg.SchemeValidators,
		Params:                    m.params,
		ErrorStatus:               errorStatus,
		Realm:                     cfg.Realm,
		DPoP:                      cfg.DPoP,
		DPoPBaseURL:               cfg.DPoPBaseURL,
		InsecureAllowUndocumented: cfg.InsecureAllowUndocumented,
		AuditHook:                 auditHook(cfg.AuditHook),
		Logger:                    cfg.Logger,
	}
	if cfg.Authenticators != nil {
		ccfg.Authenticators = make(map[string]enforce.Authenticator, len(cfg.Authenticators))
		for name, a := range cfg.Authenticators {
			ccfg.Authenticators[name] = coreAuthenticator(a)
		}
	}
	if cfg.OwnerLoaders != nil {
		ccfg.OwnerLoaders = make(map[string]enforce.OwnerLoader, len(cfg.OwnerLoaders))
		for name, l := range cfg.OwnerLoaders {
			ccfg.OwnerLoaders[name] = coreLoader(l)
		}
	}
	if h := cfg.SuccessHandler; h != nil {
		ccfg.SuccessHandler = func(ctx context.Context, req any) { h(withContext(req.(*http.Request), ctx)) }
	}
	core, err := enforce.New(ccfg)
	if err != nil {
		return nil, err
	}
	e := &engine{core: core, policies: cfg.Policies, skipper: cfg.Skipper, errorHandler: cfg.ErrorHandler}
	if e.skipper == nil {
		e.skipper = func(*http.Request) bool { return false }
	}
	return e, nil
}

// coreAuthenticator converts an authenticator to the core's form, once; nil stays nil.
func coreAuthenticator(a Authenticator) enforce.Authenticator {
	if a == nil {
		return nil
	}
	return func(_ context.Context, req any, scheme openapi.Scheme) (openapi.Principal, error) {
		return a(req.(*http.Request), scheme)
	}
}

// withContext returns r with ctx as its context: r itself when it already is.
func withContext(r *http.Request, ctx context.Context) *http.Request {
	if r.Context() == ctx {
		return r
	}
	return r.WithContext(ctx)
}

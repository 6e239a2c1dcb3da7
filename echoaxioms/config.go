package echoaxioms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

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
// the status of a returned *echo.HTTPError). It must be safe for concurrent use and must
// not write the response.
type Authenticator func(c echo.Context, scheme openapi.Scheme) (openapi.Principal, error)

// OwnerLoader loads the object an operation acts on, for an x-axioms-owner rule with a
// loader. It is called only after authentication, scopes, roles and permissions passed,
// so anonymous callers cannot probe which objects exist. Returning an *echo.HTTPError
// (e.g. echo.NewHTTPError(http.StatusNotFound)) answers with it; any other error is a
// 500. The object is handed to the handler through [Object]. It must be safe for
// concurrent use and must not write the response.
type OwnerLoader func(c echo.Context) (any, error)

// Config configures the middleware. Policies and a validator for the bearer schemes the
// document relies on are required; every other field has a safe default. No zero value
// opens a route: only the field named Insecure… weakens enforcement.
//
// The base path is part of the policies, not of Config: each operation's route
// ([openapi.Policy.Route]) is openapi.LoadOptions.BasePath, else the path of the
// document's (or the operation's) first server URL, followed by its path template. The
// Echo route serving an operation must have that shape, group prefixes included
// (a document with servers: [{url: /v1}] is served by e.Group("/v1")). A Config may be
// used for several ToMiddleware calls; it must not be modified while one runs.
type Config struct {
	// Skipper, if it returns true, lets the request through without any check. It runs
	// on the request's goroutine, concurrently across requests: it must be safe for
	// concurrent use. Default: middleware.DefaultSkipper (never skips). Use it only for
	// routes outside the document's responsibility (e.g. metrics on another port's
	// group).
	Skipper middleware.Skipper

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

	// Hosts binds API documents to Echo's host routers (e.Host(name)), by the name given
	// to e.Host (a port included if it was). A request Echo routes with a host router is
	// enforced by that host's Config alone: its Policies, validators, authenticators,
	// loaders, realm, hooks and Skipper; a host's Config may not have Hosts of its own.
	// Every route of a host router without an entry is denied (403 undocumented_route),
	// as is every route of every host router when Hosts is nil (the default). Requests
	// for other hosts go to Echo's default router, and are enforced by this Config.
	Hosts map[string]Config

	// InsecureAllowUndocumented lets requests through, unchecked, to handlers that have no
	// operation in the document: Echo routes the document does not describe, handlers
	// that cannot be identified with certainty, and not-found routes (whose group
	// middleware then runs). Default false: they are denied with 403, and not-found
	// routes are answered with Echo's 404 without running their handler or the group's
	// middleware.
	InsecureAllowUndocumented bool

	// ErrorHandler, if set, is called with every denial instead of returning it as an
	// *echo.HTTPError. It may write a custom response and return nil (the request then
	// ends: a nil return never lets the request through), or return an error for Echo's
	// HTTPErrorHandler. The WWW-Authenticate and Retry-After headers are already set.
	// It runs on the request's goroutine, concurrently across requests: it must be safe
	// for concurrent use, and the *Error is its own (a fresh value per denial). Default:
	// none (the denial is returned as a fresh *echo.HTTPError).
	ErrorHandler func(c echo.Context, denial *Error) error

	// SuccessHandler, if set, is called after a request was authorized, before the
	// handler runs; the claims are already in the request context. It runs on the
	// request's goroutine, concurrently across requests: it must be safe for concurrent
	// use, and must not modify the claims (shared between requests presenting the same
	// token). Default: none.
	SuccessHandler func(c echo.Context)

	// AuditHook, if set, receives one record per decision (allowed, denied, public,
	// anonymous, passed: see the Outcome and Reason constants). Records never contain
	// token content. It runs on the request's goroutine, concurrently across requests:
	// it must be safe for concurrent use and must not block. Default: none.
	AuditHook func(c echo.Context, r AuditRecord)

	// Logger, if set, receives one record per decision: denials at Info, the rest at
	// Debug, and server-side failures (owner loaders, unreadable owner fields) at Error.
	// Records at a level the logger does not enable are not built. Default: none
	// (server-side failures then go to slog.Default()).
	Logger *slog.Logger
}

// WithConfig returns the middleware for cfg and panics if cfg is invalid: for main.
func WithConfig(cfg Config) echo.MiddlewareFunc {
	mw, err := cfg.ToMiddleware()
	if err != nil {
		panic(err)
	}
	return mw
}

// ToMiddleware checks cfg and returns the middleware. It fails, listing every problem,
// when the policies are missing, a bearer scheme has no validator, a non-bearer scheme
// an operation relies on has no authenticator, an owner rule's loader is not registered,
// SchemeValidators / Authenticators name schemes the document does not declare, or a
// host's Config (Hosts) has any of these problems or Hosts of its own.
func (cfg Config) ToMiddleware() (echo.MiddlewareFunc, error) {
	m, err := cfg.build()
	if err != nil {
		return nil, err
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return m.serve(c, next) }
	}, nil
}

func (cfg Config) build() (*engine, error) {
	m, err := cfg.buildOne()
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	hosts := map[string]*engine{}
	for _, name := range slices.Sorted(maps.Keys(cfg.Hosts)) {
		hc := cfg.Hosts[name]
		if hc.Hosts != nil {
			errs = append(errs, fmt.Errorf("echoaxioms: Hosts[%q] has Hosts of its own", name))
			continue
		}
		h, err := hc.buildOne()
		if err != nil {
			errs = append(errs, fmt.Errorf("echoaxioms: Hosts[%q]: %w", name, err))
			continue
		}
		hosts[name] = h
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	m.hosts = hosts
	unbound := *m
	unbound.policies, unbound.methods, unbound.hosts = nil, nil, nil
	unbound.probes, unbound.bindings = &probes{}, &bindings{}
	m.unbound = &unbound
	return m, nil
}

// buildOne builds the engine of one document, without Hosts: the core, with the
// callbacks converted to its form once.
func (cfg Config) buildOne() (*engine, error) {
	ccfg := enforce.Config{
		Name:                      "echoaxioms",
		Policies:                  cfg.Policies,
		Validator:                 cfg.Validator,
		SchemeValidators:          cfg.SchemeValidators,
		Params:                    params,
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
		ccfg.SuccessHandler = func(ctx context.Context, req any) {
			c := req.(echo.Context)
			withContext(c, ctx)
			h(c)
		}
	}
	core, err := enforce.New(ccfg)
	if err != nil {
		return nil, err
	}
	m := &engine{
		skipper:           cfg.Skipper,
		core:              core,
		policies:          cfg.Policies,
		allowUndocumented: cfg.InsecureAllowUndocumented,
		errorHandler:      cfg.ErrorHandler,
		probes:            &probes{},
		bindings:          &bindings{},
	}
	if m.skipper == nil {
		m.skipper = middleware.DefaultSkipper
	}
	for _, p := range cfg.Policies.All() {
		if !slices.Contains(m.methods, p.Method) {
			m.methods = append(m.methods, p.Method)
		}
	}
	return m, nil
}

// params returns the parameters of the route Echo matched, in the route's order.
func params(req any) (names, values []string) {
	c := req.(echo.Context)
	return c.ParamNames(), c.ParamValues()
}

// coreAuthenticator converts an authenticator to the core's form, once; nil stays nil.
func coreAuthenticator(a Authenticator) enforce.Authenticator {
	if a == nil {
		return nil
	}
	return func(_ context.Context, req any, scheme openapi.Scheme) (openapi.Principal, error) {
		return a(req.(echo.Context), scheme)
	}
}

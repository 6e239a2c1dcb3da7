// Package echo5axioms is the Echo v5 middleware that enforces an API's OpenAPI document:
// for every request it finds the operation of the route Echo matched and applies that
// operation's security requirements, roles, permissions and ownership rule. It is the
// Echo v5 adapter of the framework-neutral core (package enforce), with the features and
// the behaviour of echoaxioms, the Echo v4 adapter; a program using one of them does not
// compile the other's Echo.
//
//	policies, err := openapi.Load("openapi.yaml", openapi.LoadOptions{})
//	v, err := validator.New(ctx, validator.Config{Issuer: iss, Audiences: []string{aud}})
//	e := echo.New()
//	e.Use(middleware.Recover(), middleware.RequestID())
//	e.Use(echo5axioms.WithConfig(echo5axioms.Config{Policies: policies, Validator: v}))
//	// register routes, then:
//	if err := echo5axioms.CheckRoutes(e, policies).Err(); err != nil { log.Fatal(err) }
//
// Or, from AXIOMS_* variables, a .env file and AXIOMS_SPEC: [ConfigFromEnv].
//
// # Request flow
//
// Install the middleware with e.Use (or on a group), never e.Pre: it reads the route
// Echo matched (c.RouteInfo()), so the policy applied is always the one of the handler
// Echo will run — the URL is never routed a second time. Per request:
//
//  1. The Skipper (recorded as passed, reason skipped).
//  2. Route binding (see below): the operation of the route Echo matched, by the method
//     and path it was registered with. A request for a path that has routes, none
//     for its method, gets the default router's answer directly, without the middleware
//     that follows (a middleware installed later that answers by itself, a global Proxy
//     or Static, would otherwise answer it with no rule applied): the Allow header, and
//     405 (echo.ErrMethodNotAllowed) or for OPTIONS 204. A router configured with its
//     own MethodNotAllowedHandler or OptionsMethodHandler is not consulted: those
//     handlers are code no operation covers. A request Echo matched to no route at all
//     is answered with Echo's 404
//     (echo.ErrNotFound) directly, without the middleware that follows or the router's
//     not-found handler: installed with e.Pre, the middleware sees every request that
//     way, and must not let one reach a handler. A request matched to a not-found route
//     (e.RouteNotFound, and those Group.Use registers) is answered with echo.ErrNotFound
//     too, without running that route's handler or the group's middleware, either of
//     which could answer it (a proxy, static files). A route with no operation is
//     denied with 403 undocumented_route: a route the document does not describe,
//     OPTIONS included, whenever and however it was registered. Then the policy: one map
//     access.
//  3. Public operation (security: []): next, with no token work at all.
//  4. The bearer token, strictly from `Authorization: Bearer <token68>` (never the query
//     string), validated by the scheme's validator; other schemes through their
//     Authenticator. Optional operations ({} alternative) let requests without
//     credentials through anonymously, but a presented token must be valid. A presented
//     credential is never ignored: a bearer token that no validator of the operation's
//     schemes accepts, or credentials an Authenticator rejects, deny the request (401,
//     503 when signing keys are unavailable) even when another alternative is satisfied.
//     A scheme with x-axioms-dpop takes `Authorization: DPoP <token>` with one DPoP proof
//     (RFC 9449), checked against the URL the client sent (Config.DPoPBaseURL and the
//     request-target's path: a rewrite in e.Pre does not change it); a DPoP-bound token
//     presented as Bearer is refused on every scheme. See package enforce,
//     "Sender-constrained tokens".
//  5. Security alternatives (OR of ANDs of scopes), then x-axioms-roles, then
//     x-axioms-permissions, then x-axioms-owner — ownership last, so a loader runs only
//     for callers who passed everything else.
//  6. Claims into the request context ([Claims], validator.FromContext), the loaded
//     object too ([Object]); SuccessHandler; next.
//
// # Responses
//
// Denials follow RFC 6750; the status, WWW-Authenticate header and JSON body of each
// situation are listed in the README's "Responses (RFC 6750)" table
// (https://github.com/axioms-go/axioms-echo#responses-rfc-6750), their audit reasons in
// package enforce's "Audit records".
//
// The reason, outcome, code and token status constants are package enforce's
// (enforce.ReasonNotOwner, enforce.OutcomeDenied, enforce.CodeInvalidToken,
// enforce.TokenMissing): this package aliases only the types its own API carries
// (Error, Body, AuditRecord, TokenState, TokenValidator, ...), as the enforce package
// doc says.
//
// Echo v5's *echo.HTTPError carries a string message, so a denial is returned to Echo's
// HTTPErrorHandler as a fresh error of this package: an echo.HTTPStatusCoder (the
// denial's status, echo.StatusCode(err)) and a json.Marshaler, which
// echo.DefaultHTTPErrorHandler writes as the [Body] {"error": ..., "error_description":
// ...}; it unwraps to the [*Error] (with the cause), so a custom HTTPErrorHandler reads
// it with errors.As. The WWW-Authenticate, Retry-After and Cache-Control headers are set
// before it is returned. Config.ErrorHandler receives the *Error instead. The scope
// attribute lists the scopes of the security alternative that comes closest (fewest
// missing; ties in document order): what a token must hold to pass. An owner loader's
// error that carries a status (echo.ErrNotFound, an *echo.HTTPError) is returned as it
// is; a server-side failure as a fresh 500 *echo.HTTPError wrapping its cause.
//
// # Reading the caller
//
// Who the request was authenticated as is in the request context; read it with the
// accessor that fits the code reading it:
//
//   - An Echo handler of an operation that requires a bearer token: [Claims](c), the
//     token's verified claims (never nil there).
//   - Code that has only a context.Context (a service called by the handler):
//     validator.FromContext(ctx), the same claims.
//   - A handler of an operation that an [Authenticator] may satisfy (apiKey, http basic,
//     mutualTLS, beside or instead of a token): [Principal](c), the token's claims or the
//     Authenticator's principal, which only Principal returns.
//   - A handler that decides for itself behind [AccessToken] and must tell a request
//     without a token from one with an invalid token: [State](c). The claims of a valid
//     token are Claims(c) there too.
//
// Claims and Principal are nil for an anonymous request (a public operation, or an
// optional one called without credentials); Claims is nil too for a request that a
// non-bearer scheme authenticated.
//
// # Code-level helpers
//
// For routes without a document, or finer checks inside one: [AccessToken] records the
// token's state without rejecting ([State]); [RequireAuth], [RequireScopes],
// [RequireRoles], [RequirePermissions] (any of the listed; chain for AND) and
// [RequireOwner] enforce after it, like the Python packages' require_auth,
// require_scopes, require_roles, require_permissions and check_object_ownership.
//
// # Route binding
//
// Whatever code answers a request, the document's rule for that code was applied first,
// or the request was denied. Echo v5 routes a request once, after the e.Pre middleware
// and before the e.Use middleware, with the request as the e.Pre middleware left it, and
// keeps in the context what it matched: c.RouteInfo() is the route whose handler will
// run, with the method and path it was registered with. The request may say something
// else by the time this middleware runs (a method override in e.Use changes its method,
// a rewrite in e.Use its URL, even on a request that an earlier middleware replaced);
// the operation is looked up by the route's own method and path, never by the
// request's, so an admin-only POST handler keeps its rule under
// "X-HTTP-Method-Override: PUT" in e.Use. (An override in e.Pre comes before routing:
// Echo routes with the overriding method, and that route's handler and rule go
// together. Echo v4 routes with the request as it arrived, so there an override in e.Pre
// after a middleware that replaced the request acts after routing; echoaxioms binds that
// case too.) Nothing is cached: routes registered at any time, by
// any registration API (e.Add, Group, Match, Any, RouteNotFound, e.AddRoute,
// e.Router().Add), are seen as they are.
//
// echoaxioms needs a mechanism of its own for this: Echo v4's context says only the
// route's path, so echoaxioms asks Echo's router which handler it holds for each method
// there and compares it, by identity, with the one Echo chose. Echo v5 names the matched
// route's method itself, so this package needs no such probe, and no handler is ever
// "unidentified".
//
// What this means for an application:
//   - Middleware that answers requests no route matches (middleware.Static,
//     middleware.Proxy, an SPA fallback) goes before this one in e.Use, or serves
//     documented routes: installed with Group.Use, it runs only inside a route of the
//     group, never for a path no route matches (such paths answer 404).
//   - A custom not-found handler (e.RouteNotFound, RouterConfig.NotFoundHandler) never
//     runs: customise the 404 in Echo's HTTPErrorHandler instead.
//   - CORS middleware goes before this one: an OPTIONS request reaches an application
//     handler only when the document describes that OPTIONS operation. The router's own
//     answers for a path without a route for the request's method (405, and OPTIONS:
//     RouterConfig.MethodNotAllowedHandler and OptionsMethodHandler) run unchecked; they
//     must answer, never serve a resource.
//   - A route of e.Any serves every method without a route of its own with one handler:
//     the operation that applies is the one of the method the handler serves the request
//     with (the request's, after any override), and methods the document does not
//     describe at that path are denied.
//   - With RouterConfig.AutoHandleHEAD, a HEAD request served by a GET route is matched
//     to that GET route, so the GET operation's rule applies to it.
//   - Virtual hosts: Echo v5 has no host routers inside one Echo (v4's e.Host); a
//     virtual-host handler (echo.NewVirtualHostHandler) hands each request to the Echo
//     of its host, before any middleware of its own. Install this middleware in every
//     host's Echo, each with the document of that host (its routes are denied unless
//     that document describes them), and check each with [CheckRoutes]; a host's Echo
//     without the middleware is not protected.
//   - The owner rule's path parameter is located by position: a route using one of the
//     document's parameter names at another position answers 500 (and is a conflict
//     of [CheckRoutes]' report), because its handler would read another value.
//
// [CheckRoutes] reports what it can see of this at startup: undocumented routes (OPTIONS
// and e.Any included), parameter-name conflicts, and not-found routes, whose group
// middleware no longer serves unmatched paths.
//
// # Moving from echoaxioms (Echo v4)
//
// The configuration, the helpers, the accessors and the answers are the same; what
// changes is Echo's:
//   - Imports: github.com/labstack/echo/v5 (and its middleware) and
//     github.com/axioms-go/axioms-echo/echo5axioms instead of echo/v4 and echoaxioms.
//   - Callbacks and accessors take *echo.Context instead of echo.Context: Authenticator,
//     OwnerLoader, ErrorHandler, SuccessHandler, AuditHook, Skipper, and Claims,
//     Principal, Object and State.
//   - Owner loaders and authenticators answer with an error that carries a status: in v5
//     echo.NewHTTPError(http.StatusNotFound, "") or the sentinel echo.ErrNotFound (no
//     longer an *echo.HTTPError; any echo.HTTPStatusCoder counts).
//   - A denial reaches the HTTPErrorHandler (its arguments are (c, err) in v5) as an
//     error of this package, not an *echo.HTTPError whose Message is the Body: read it
//     with errors.As(err, &denial) (denial *echo5axioms.Error) and echo.StatusCode(err).
//     echo.DefaultHTTPErrorHandler writes the same JSON body as before.
//   - Config has no Hosts, and there is no Config.CheckRoutes: v5 serves virtual hosts
//     with one Echo per host (see "Route binding"), each with its own middleware.
//   - CheckRoutes lists every route, those added with e.Router().Add included (v4's
//     route list does not have them), and a route of e.Any as one "ANY /path" entry
//     (v4's e.Any registers a route per method).
//   - Types the two adapters share are the core's: Error, Body, AuditRecord, TokenState,
//     TokenValidator, OwnerValuer and RouteReport are aliases of package enforce's,
//     identical in both. The Reason, Outcome, Code and TokenStatus constants are
//     enforce's only (enforce.ReasonNotOwner where v4 has echoaxioms.ReasonNotOwner).
//
// # Security
//
// Deny by default: a route with no operation is refused, however it was registered;
// building the middleware fails when a scheme the document relies on has no validator
// or authenticator, an owner rule has no loader, or an owner parameter is ambiguous in
// the full route; installing it before routing (e.Pre) makes every request 404 rather
// than unprotected, as does a custom echo.Router that does not record the route it
// matched (Context.InitializeRoute, which the Router contract requires). Header values are quoted and escaped and never carry token or
// request content. Ownership compares values exactly: strings with strings, integers by
// their decimal text (never through floating point), and nothing else matches; a string
// never equals a number, nil never equals anything. Anonymous callers never reach an
// owner loader, so they get 401, never 404, on owned resources.
//
// # Concurrency
//
// The middleware is immutable once built and safe for concurrent use, as are the
// Require… helpers and [AccessToken]. Hooks (Skipper, ErrorHandler, SuccessHandler,
// AuditHook), loaders, authenticators and validators are called on the request's
// goroutine, concurrently across requests; they must be safe for that. [Claims] are
// shared between requests presenting the same token and must not be modified.
// [CheckRoutes] reads Echo's route list: run it after registering routes, not
// concurrently with registration (Echo v5's DefaultRouter is not safe for registration
// while serving; echo.NewConcurrentRouter is).
//
// # Performance
//
// On a documented route with a token seen before, the middleware does one map lookup, a
// cache hit in the validator, an allocation-free policy evaluation (scopes, roles,
// permissions, and an owner path parameter), and three allocations: the copy of the
// matched route's parameter names that c.RouteInfo() returns (none for a route without
// parameters), and the two that put the claims in the request context (the context
// value and the request copy). Echo v5 builds its middleware chain once, so the
// middleware costs no closure per request. An owner loader adds two more (the loaded
// object in the context), and audit records are built only when an AuditHook is set or
// the Logger's level enables them. BenchmarkMiddleware measures it beside bare Echo v5.
package echo5axioms

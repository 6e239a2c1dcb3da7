// Package echoaxioms is the Echo v4 middleware that enforces an API's OpenAPI document:
// for every request it finds the operation of the route Echo matched and applies that
// operation's security requirements, roles, permissions and ownership rule.
//
// It is the Echo v4 adapter of package enforce, the framework-neutral core that makes
// every decision (credentials, security alternative, roles, permissions, owner, the RFC
// 6750 answer, the audit record). This package finds the route Echo matched (route
// binding, host routers, not-found routes, Echo's own answers), converts its
// Echo-typed callbacks to the core's form once, when the middleware is built, and
// writes the core's answer as Echo does. Its Code, Reason, Outcome, AuditRecord, Error,
// Body, TokenValidator, TokenStatus, TokenState and OwnerValuer are the core's types.
//
//	policies, err := openapi.Load("openapi.yaml", openapi.LoadOptions{})
//	v, err := validator.New(ctx, validator.Config{Issuer: iss, Audiences: []string{aud}})
//	e := echo.New()
//	e.Use(middleware.Recover(), middleware.RequestID())
//	e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: v}))
//	// register routes, then:
//	if err := echoaxioms.CheckRoutes(e, policies).Err(); err != nil { log.Fatal(err) }
//
// Or, from AXIOMS_* variables, a .env file and AXIOMS_SPEC: [ConfigFromEnv].
//
// # Request flow
//
// Install the middleware with e.Use (or on a group), never e.Pre: it reads c.Path(), the
// route Echo matched, so the policy applied is always the one of the handler Echo will
// run — the URL is never routed a second time. Per request:
//
//  1. The router Echo used: a host router (e.Host) is enforced by the Config bound to it
//     in Config.Hosts, and every route of a host router without one is denied. Then the
//     Skipper (recorded as passed, reason skipped).
//  2. Route binding (see below): the operation of the handler Echo chose. Requests Echo
//     answers itself are answered by Echo's own handler directly, without the middleware
//     that follows: 405, the automatic OPTIONS answer, and Echo's not-found handler (a
//     middleware installed later that answers by itself, a global Proxy or Static, would
//     otherwise answer them with no rule applied). A request Echo matched
//     to no route at all (c.Path() empty) is answered with echo.NotFoundHandler directly,
//     without the middleware that follows: installed with e.Pre, the middleware sees
//     every request that way, and must not let one reach a handler. A request matched to
//     a not-found route (e.RouteNotFound, and those Group.Use registers) is answered with
//     echo.NotFoundHandler too, without running that route's handler or the group's
//     middleware, either of which could answer it (a proxy, static files). A handler with
//     no operation is denied with 403 undocumented_route: a route the document does not
//     describe, OPTIONS included, whether or not Echo's route list shows it (routes
//     added with e.Router().Add, or after the first request, are checked like the
//     others), and a handler that cannot be identified with certainty. Then the policy:
//     one map access.
//  3. Public operation (security: []): next, with no token work at all.
//  4. The bearer token, strictly from `Authorization: Bearer <token68>` (never the query
//     string), validated by the scheme's validator; other schemes through their
//     Authenticator. Optional operations ({} alternative) let requests without
//     credentials through anonymously, but a presented token must be valid. A presented
//     credential is never ignored: a bearer token that no validator of the operation's
//     schemes accepts, or credentials an Authenticator rejects, deny the request (401,
//     503 when signing keys are unavailable) even when another alternative is satisfied
//     (a valid API key beside an invalid token is 401). A token that one scheme's
//     validator accepts is valid, even when the validator of another scheme (another
//     issuer) rejects it. A scheme with x-axioms-dpop takes `Authorization: DPoP <token>`
//     with one DPoP proof (RFC 9449), checked against the URL the client sent
//     (Config.DPoPBaseURL and the request-target's path: a rewrite in e.Pre does not
//     change it); a DPoP-bound token presented as Bearer is refused on every scheme. See
//     package enforce, "Sender-constrained tokens".
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
// Denials are returned as a fresh *echo.HTTPError whose Message is a [Body] and whose
// Internal is the [*Error] (with the cause), so the application's HTTPErrorHandler renders
// them; or handed to Config.ErrorHandler. The scope attribute lists the scopes of the
// security alternative that comes closest (fewest missing; ties in document order): what
// a token must hold to pass.
//
// # Reading the caller
//
// Who the request was authenticated as is in the request context; read it with the
// accessor that fits the code reading it:
//
//   - An Echo handler of an operation that requires a bearer token: [Claims](c), the
//     token's verified claims (never nil there).
//   - Code that has only a context.Context (a service called by the handler, an
//     oapi-codegen strict handler): validator.FromContext(ctx), the same claims.
//   - A handler of an operation that an [Authenticator] may satisfy (apiKey, http basic,
//     mutualTLS, beside or instead of a token): [Principal](c), the token's claims or the
//     Authenticator's principal, which only Principal returns.
//   - A handler that decides for itself behind [AccessToken] and must tell a request
//     without a token from one with an invalid token: [State](c). The claims of a valid
//     token are Claims(c) there too.
//
// Claims and Principal are nil for an anonymous request (a public operation, or an
// optional one called without credentials); Claims is nil too for a request that a
// non-bearer scheme authenticated. On an optional operation of the document an invalid
// token is refused (401) before any handler runs, so Claims(c) != nil is all such a
// handler needs to know.
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
// or the request was denied. Echo routes a request once, before the e.Use middleware
// run, and fixes then the handler that will answer; the request may say something else
// by the time this middleware runs (a method override in e.Use, or in e.Pre after a
// middleware that replaced the request, changes its method; a rewrite, its URL). So the
// request is never asked which route it is: Echo's router is asked which handler it holds
// at the matched route (c.Path()) for the request's method, and that handler is compared,
// by identity, with the one Echo chose. When they differ, the methods the document
// describes at that route are tried: the one whose handler Echo chose is the method
// Echo routed with, and its operation applies (an admin-only POST handler keeps its
// rule under "X-HTTP-Method-Override: PUT"). A handler that is none of them is denied.
// Nothing is cached: routes registered at any time, by any registration API (e.Add,
// Group, Match, Any, RouteNotFound, e.Router().Add), are seen as they are.
//
// What this means for an application:
//   - Middleware that answers requests no route matches (middleware.Static,
//     middleware.Proxy, an SPA fallback) goes before this one in e.Use, or serves
//     documented routes: installed with Group.Use, it runs only inside a route of the
//     group, never for a path no route matches (such paths answer 404).
//   - A custom not-found handler (e.RouteNotFound) never runs: customise the 404 in
//     Echo's HTTPErrorHandler instead.
//   - CORS middleware goes before this one: an OPTIONS request reaches an application
//     handler only when the document describes that OPTIONS operation.
//   - A function registered with e.Router().Add for several methods of one path is one
//     handler: a request whose method was overridden between two of them gets the
//     operation of its final method, which is the code that runs either way.
//   - The owner rule's path parameter is located by position: a route using one of the
//     document's parameter names at another position answers 500 (and is a conflict
//     of [CheckRoutes]' report), because its handler would read another value.
//
// [CheckRoutes] reports what it can see of this at startup: undocumented routes (OPTIONS
// and host routers' included), parameter-name conflicts, and not-found routes, whose
// group middleware no longer serves unmatched paths.
//
// # Security
//
// Deny by default: an Echo handler with no operation is refused, whether or not Echo's
// route list shows it; building the middleware fails when a scheme the document relies
// on has no validator or authenticator, an owner rule has no loader, or an owner
// parameter is ambiguous in the full route; installing it before routing (e.Pre) makes
// every request 404 rather than unprotected. Header values are quoted and escaped and
// never carry token or request content. Ownership compares values exactly: strings with
// strings, integers by their decimal text (never through floating point), and nothing
// else matches; a string never equals a number, nil never equals anything. Anonymous
// callers never reach an owner loader, so they get 401, never 404, on owned resources.
//
// # Concurrency
//
// The middleware is immutable once built and safe for concurrent use, as are the
// Require… helpers and [AccessToken]. Hooks (ErrorHandler, SuccessHandler, AuditHook),
// loaders, authenticators and validators are called on the request's goroutine,
// concurrently across requests; they must be safe for that. [Claims] are shared between
// requests presenting the same token and must not be modified. [CheckRoutes] reads Echo's
// route list: run it after registering routes, not concurrently with registration.
//
// # Performance
//
// On a documented route with a token seen before, the middleware does one map lookup, a
// cache hit in the validator, an allocation-free policy evaluation (scopes, roles,
// permissions, and an owner path parameter), and two allocations to put the claims in
// the request context (the context value and the request copy). BenchmarkMiddleware
// measures three allocations over bare Echo on that path: those two, and the closure
// Echo allocates per request for every e.Use middleware. An owner loader adds two more
// (the loaded object in the context), and audit records are built only when an
// AuditHook is set or the Logger's level enables them.
package echoaxioms

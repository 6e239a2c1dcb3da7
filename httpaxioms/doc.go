// Package httpaxioms is the net/http middleware that enforces an API's OpenAPI document,
// for Go 1.22+ http.ServeMux patterns: for every request it finds the operation of the
// pattern the mux matched and applies that operation's security requirements, roles,
// permissions and ownership rule. It is an adapter of package enforce, as echoaxioms is
// for Echo v4, with the same features and answers; it compiles no web framework.
//
//	policies, err := openapi.Load("openapi.yaml", openapi.LoadOptions{})
//	v, err := validator.New(ctx, validator.Config{Issuer: iss, Audiences: []string{aud}})
//	mux, err := httpaxioms.NewMux(httpaxioms.Config{Policies: policies, Validator: v})
//	mux.HandleFunc("GET /articles/{article_id}", getArticle)
//	// register the other patterns, then:
//	if err := mux.CheckRoutes().Err(); err != nil { log.Fatal(err) }
//	http.ListenAndServe(addr, mux)
//
// Or, from AXIOMS_* variables, a .env file and AXIOMS_SPEC: [ConfigFromEnv].
//
// # Installing it
//
// The policy applied is the one of the pattern the mux matched (r.Pattern), so the
// middleware runs where the pattern is known: around the handler registered for it,
// never around the mux. Two ways:
//
//   - [NewMux] returns a [Mux]: an http.ServeMux whose Handle and HandleFunc wrap every
//     handler in the middleware and record the pattern for [Mux.CheckRoutes]. No
//     pattern can be registered unprotected. This is the recommended way.
//   - [Config.Middleware] returns the middleware, func(http.Handler) http.Handler, to
//     wrap the handlers of an http.ServeMux one by one (mux.Handle(pattern,
//     protect(h))), or of any router that sets r.Pattern in ServeMux syntax; check the
//     patterns with [CheckPatterns]. A handler registered without it is not protected.
//
// Installed in front of the mux (protect(mux)), the middleware sees requests that have
// no pattern yet: it answers every one of them 404 and never calls the mux, whatever
// Config.InsecureAllowUndocumented says, so the misuse fails closed. So does
// GODEBUG=httpmuxgo121=1, under which the mux sets no pattern.
//
// Middleware that must see every request (CORS, method overriding, request IDs,
// logging, recovery) wraps the mux: it runs before the mux routes. Nothing between the
// middleware and the handler may change the request's method (see Route binding).
//
// # Request flow
//
// Per request, in the handler the mux chose:
//
//  1. The pattern's host: a host pattern ("admin.example.com/users/{id}") is enforced by
//     the Config bound to that host in Config.Hosts, and every request of a host pattern
//     without one is undocumented. Then the Skipper (recorded as passed, reason
//     skipped).
//  2. Route binding (see below): the operation of the matched pattern, one map access
//     for a pattern seen before. A request without a pattern is answered 404. A pattern
//     with no operation for the request is denied with 403 undocumented_route.
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
//     request-target's path: a rewrite in front of the mux does not change it); a DPoP-bound token
//     presented as Bearer is refused on every scheme. See package enforce,
//     "Sender-constrained tokens".
//  5. Security alternatives (OR of ANDs of scopes), then x-axioms-roles, then
//     x-axioms-permissions, then x-axioms-owner — ownership last, so a loader runs only
//     for callers who passed everything else.
//  6. Claims into the request context ([Claims], validator.FromContext), the loaded
//     object too ([Object]); SuccessHandler; next, with the request carrying them.
//
// # Responses
//
// Denials follow RFC 6750; the status, WWW-Authenticate header and JSON body of each
// situation are listed in the README's "Responses (RFC 6750)" table
// (https://github.com/axioms-go/axioms-echo#responses-rfc-6750), their audit reasons in
// package enforce's "Audit records". A denial is answered with its status, its headers
// (WWW-Authenticate, Cache-Control: no-store below 500, Retry-After with a 503) and its
// [Body] as application/json, or handed to Config.ErrorHandler. An owner loader's
// [*StatusError] (e.g. 404) and a server-side failure (500) are answered with their
// status and its text, as http.Error does.
//
// The reason, outcome, code and token status constants are package enforce's
// (enforce.ReasonNotOwner, enforce.OutcomeDenied, enforce.CodeInvalidToken,
// enforce.TokenMissing): this package aliases only the types its own API carries
// (Error, Body, AuditRecord, TokenState, TokenValidator, ...), as the enforce package
// doc says.
//
// # Reading the caller
//
//   - A handler of an operation that requires a bearer token: [Claims](r), the token's
//     verified claims (never nil there).
//   - Code that has only a context.Context: validator.FromContext(ctx), the same claims.
//   - A handler of an operation that an [Authenticator] may satisfy: [Principal](r),
//     the token's claims or the Authenticator's principal.
//   - A handler that decides for itself behind [AccessToken]: [State](r).
//
// Claims and Principal are nil for an anonymous request (a public operation, or an
// optional one called without credentials); Claims is nil too for a request that a
// non-bearer scheme authenticated.
//
// # Code-level helpers
//
// For handlers without a document, or finer checks inside one: [AccessToken] records
// the token's state without rejecting ([State]); [RequireAuth], [RequireScopes],
// [RequireRoles], [RequirePermissions] (any of the listed; chain for AND) and
// [RequireOwner] enforce after it, like the Python packages' require_auth,
// require_scopes, require_roles, require_permissions and check_object_ownership. Each is
// a func(http.Handler) http.Handler:
//
//	h := httpaxioms.AccessToken(httpaxioms.AccessTokenConfig{Validator: v})(
//		httpaxioms.RequireScopes("read:data")(http.HandlerFunc(read)))
//
// # Route binding
//
// Whatever code answers a request, the document's rule for that code was applied first,
// or the request was denied. The mux routes a request once and calls the handler of the
// pattern it matched, after setting r.Pattern; the middleware, which wraps that handler,
// reads the pattern and never routes the URL a second time. A pattern maps onto the
// document's operations as follows:
//
//   - Method: a pattern with a method ("POST /webhooks/{id}") serves that method's
//     operation, whatever the request's method says by the time the middleware runs;
//     a "GET" pattern serves HEAD requests with the GET operation, as the mux routes
//     them there. A pattern without a method ("/webhooks/{id}") serves the operation of
//     the request's method, and denies methods the document does not describe there
//     (HEAD and OPTIONS included, unless documented). Method overriding therefore goes
//     in front of the mux, where the mux routes with the overridden method.
//   - Path: the pattern's path, base path included, compared with the operations'
//     routes by shape ("/articles/{id}" serves "/articles/{article_id}"); "{$}" ends a
//     path ("/{$}" is the operation at "/").
//   - Subtree patterns ("/files/", "/", "/files/{path...}") serve paths no template
//     describes: the operation of the pattern's path applies to the requests that are
//     instances of it (the root itself; one non-empty segment for "{path...}"), and
//     every other request is undocumented.
//   - Host: see Config.Hosts.
//
// What this means for an application:
//   - The mux's own answers are untouched: 404 for a path no pattern matches, 405 with
//     Allow for a method no pattern matches, redirects to a cleaned path or to a
//     subtree's root. None of them runs a handler or the middleware.
//   - An application handler registered for OPTIONS answers only when the document
//     describes that OPTIONS operation: CORS middleware goes in front of the mux.
//   - Patterns registered at any time (after traffic, from any goroutine) are bound on
//     their first request; nothing is listed in advance, so nothing goes stale.
//   - The owner rule's path parameter is located by position: a pattern using one of the
//     document's parameter names at another position answers 500 (and is a conflict of
//     the route check), because its handler would read another value.
//   - A mux mounted below a prefix (http.StripPrefix) sees paths without it: load its
//     document with openapi.LoadOptions.BasePath "/".
//
// [Mux.CheckRoutes] and [CheckPatterns] report what they can see of this at startup:
// undocumented patterns (host patterns included), unrouted operations, parameter-name
// conflicts, and subtree patterns.
//
// # Security
//
// Deny by default: a pattern with no operation is refused; building the middleware
// fails when a scheme the document relies on has no validator or authenticator, an
// owner rule has no loader, or an owner parameter is ambiguous in the full route;
// installing it in front of the mux makes every request 404 rather than unprotected.
// Header values are quoted and escaped and never carry token or request content.
// Ownership compares values exactly: strings with strings, integers by their decimal
// text (never through floating point), and nothing else matches. Anonymous callers never
// reach an owner loader, so they get 401, never 404, on owned resources. An
// ErrorHandler that writes nothing does not let the request through: the default denial
// is written.
//
// # Concurrency
//
// The middleware, a [Mux] and the helpers are safe for concurrent use once built;
// patterns may be registered on a Mux while it serves. Hooks (Skipper, ErrorHandler,
// SuccessHandler, AuditHook), loaders, authenticators and validators are called on the
// request's goroutine, concurrently across requests; they must be safe for that.
// [Claims] are shared between requests presenting the same token and must not be
// modified.
//
// # Performance
//
// On a documented pattern with a token seen before, the middleware does one map lookup
// for the pattern's binding, a cache hit in the validator, an allocation-free policy
// evaluation, and two allocations: the context value holding the claims and the request
// copy carrying it. An owner rule on a path parameter adds one (the parameters' values),
// an owner loader two more (the loaded object in the context, and the request copy the
// loader is handed). BenchmarkMiddleware measures the allocations over a bare
// http.ServeMux. Audit records are built only when an AuditHook is set or the Logger's
// level enables them.
package httpaxioms

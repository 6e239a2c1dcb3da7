// Package enforce is the framework-neutral enforcement of an API's OpenAPI document:
// everything decided per request, for the web-framework adapters (package echoaxioms
// for Echo v4) to apply. It imports the openapi and validator packages and no web
// framework.
//
// # What it decides
//
// Given the policy of the route the router matched ([Request].Policy), an [Enforcer]
// decides:
//
//   - the bearer token, strictly from `Authorization: Bearer <token68>` (never the query
//     string): a malformed header or a token that is not token68 is a 400. A
//     DPoP-bound token (cnf.jkt) is refused there, on every scheme;
//   - for schemes declaring x-axioms-dpop (RFC 9449), the token from
//     `Authorization: DPoP <token68>` with its one DPoP proof header, checked by
//     Config.DPoP against the method, the URL the client addressed (Config.DPoPBaseURL),
//     the token and its cnf.jkt: see "Sender-constrained tokens" below;
//   - which security alternative the caller satisfies: the token through its scheme's
//     validator, other schemes through their [Authenticator]. A presented credential is
//     never ignored: a bearer token that no validator of the operation's schemes accepts,
//     or credentials an Authenticator rejects, deny the request even when another
//     alternative is satisfied or authentication is optional;
//   - the roles and permissions (x-axioms-roles, x-axioms-permissions), then the owner
//     rule (x-axioms-owner), last, so an [OwnerLoader] runs only for callers who passed
//     everything else;
//   - the answer: proceed with a context holding the caller and the loaded object, or a
//     denial as data ([Error]: status, WWW-Authenticate value, [Body], Cache-Control,
//     Retry-After, reason, cause), or an owner loader's own answer;
//   - the audit record of the decision ([AuditRecord]), on an AuditHook and/or a Logger.
//
// The code-level helpers decide the same way from what the request's context holds:
// [AccessToken] records the token's state without rejecting ([StateFromContext]), and a
// [Requirement] ([RequireAuth], [RequireScopes], [RequireRoles], [RequirePermissions],
// [RequireOwner]) checks the caller.
//
// The status, WWW-Authenticate header and body of each denial are listed in the
// README's "Responses (RFC 6750)" table
// (https://github.com/axioms-go/axioms-echo#responses-rfc-6750), the reasons under
// Audit records below.
//
// # What an adapter does
//
// An adapter finds the route its router matched (method and pattern; never a second
// routing of the URL) and its policy, hands the core a [Request], and writes the
// [Result] its framework's way. Framework-typed callbacks are converted to the core's
// neutral form once, when the adapter is built; the adapter's native request travels in
// [Request].Native, so no closure is made per request. A net/http adapter, in outline
// (the package's Example runs it), wraps each route's handler, so that the pattern the
// mux matched is known:
//
//	core, err := enforce.New(enforce.Config{Name: "httpaxioms", Policies: policies, Validator: v,
//		Params: pathParams}) // func(req any) (names, values []string), from r.Pattern and r.PathValue
//	protect := func(next http.HandlerFunc) http.Handler {
//		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			method, route, _ := strings.Cut(r.Pattern, " ") // "GET /articles/{id}"
//			req := enforce.Request{Native: r, Header: r.Header, Method: r.Method, Route: route,
//				Policy: policies.Lookup(method, route)}
//			switch res := core.Enforce(r.Context(), &req); {
//			case res.Denial != nil:
//				res.Denial.SetHeaders(w.Header())
//				w.Header().Set("Content-Type", "application/json")
//				w.WriteHeader(res.Status)
//				json.NewEncoder(w).Encode(res.Denial.Body())
//			case res.Err != nil: // an owner loader's own answer, or a 500
//				http.Error(w, http.StatusText(res.Status), res.Status)
//			default:
//				next(w, r.WithContext(res.Context))
//			}
//		})
//	}
//	mux.Handle("GET /articles/{id}", protect(getArticle))
//
// The adapter also keeps its framework's own answers (404, 405, automatic OPTIONS)
// away from the core, records its Skipper's skips with [Enforcer.Skip], offers typed
// accessors over [PrincipalFromContext], [ObjectFromContext] and [StateFromContext]
// (the claims are validator.FromContext), and checks its routes against the document at
// startup: it lists its router's routes and their operations, and [CompareRoutes]
// returns the [RouteReport] (undocumented routes, unrouted operations, parameter
// conflicts).
//
// What an adapter exports of this package follows one rule: it aliases the types its own
// API carries (Error, Body, AuditRecord, TokenState, TokenValidator, RouteReport, ...),
// so that its users can name them through it, and leaves the closed sets of values —
// [Reason], [Outcome], [Code], [TokenStatus] and their constants — here, where they are
// matched as enforce.ReasonNotOwner. echoaxioms, released before this package, keeps its
// own aliases of those types and constants (the same values) for compatibility; newer
// adapters have none.
//
// # Audit records
//
// AuditHook and Logger (denials at Info, the rest at Debug, server-side failures at Error)
// receive one [AuditRecord] per decision: OperationID, Method, Route, Subject, Outcome,
// Status, Reason, Check; never token content. Records are built only when a hook is set
// or the logger's level enables them. Outcomes: allowed, denied, public, anonymous,
// passed. The reasons, stable for logs and alerts (this list is their one home; a test
// keeps it equal to the [Reason] constants):
//
//	missing_token            no bearer credentials (401)
//	invalid_request          malformed Authorization header (400)
//	invalid_credentials      an Authenticator rejected its scheme's credentials (401, or the status its error carries)
//	insufficient_scope       no security alternative's scopes are held (403)
//	insufficient_permission  a role or permission requirement failed (403)
//	not_owner                the ownership rule failed (403)
//	insufficient_user_authentication  the token's acr or auth_time does not meet x-axioms-acr or x-axioms-max-age (401, RFC 9470 step-up)
//	undocumented_route       the route has no operation (403; passed with InsecureAllowUndocumented)
//	skipped                  the Skipper let the request through unchecked (passed)
//	owner_loader             the owner loader answered with its own status (e.g. 404)
//	server_error             a server-side failure of the ownership check (500): a loader's other error, an object without the field, route parameters that do not match the operation's
//	dpop_bound_token         a DPoP-bound token (cnf.jkt) presented with the Bearer scheme (401 Bearer invalid_token)
//	dpop_required            a token presented with the Bearer scheme where the scheme requires DPoP (401 DPoP invalid_token)
//	unsupported_binding      a token bound by a confirmation method other than DPoP's jkt (cnf x5t#S256, jwk, ...), however presented (401 invalid_token)
//
// and, for a refused token, the validator's reason (validator.ReasonOf; listed in the
// validator package's "Errors"): inactive (401) for a token the introspection endpoint
// says is not active; keys_unavailable for any 503 of the signing keys (issuer_mismatch
// included, its cause kept in [Error.Err]); introspection_unavailable (503, with
// Retry-After, described "the token could not be checked: introspection is
// unavailable") when the introspection endpoint failed;
// for a refused DPoP proof, the validator's proof reason: invalid_dpop_proof (a missing,
// repeated or invalid proof), dpop_replayed, dpop_key_mismatch (401 DPoP
// invalid_dpop_proof) or use_dpop_nonce (401 DPoP use_dpop_nonce, with a DPoP-Nonce
// header).
// owner_loader and server_error appear only in audit records, never in an [Error]. Check
// is empty for the spec middleware and names the helper (RequireAuth, RequireScopes, ...)
// for the code-level helpers.
//
// # Sender-constrained tokens
//
// A scheme with x-axioms-dpop: required takes only `Authorization: DPoP <token>` with
// exactly one DPoP header; x-axioms-dpop: allowed takes that or `Authorization: Bearer`
// with a token that is not DPoP-bound; a scheme without the extension takes Bearer
// only, and `Authorization: DPoP` is another scheme to it (no credentials: 401
// missing_token on an operation it alone protects). The token is validated first,
// then the proof, once per request whatever the number of schemes (the proof's jti is
// spent only when everything else passed). Refusals (401, RFC 9449 §7.1):
//
//	DPoP header missing, repeated or invalid   DPoP realm="…", error="invalid_dpop_proof", error_description="…", algs="…"
//	proof replayed, key != cnf.jkt             DPoP … error="invalid_dpop_proof" (dpop_replayed, dpop_key_mismatch)
//	token without cnf.jkt with the DPoP scheme DPoP … error="invalid_dpop_proof" (dpop_key_mismatch: RFC 9449 §4.3 step 12)
//	nonce missing or stale (nonces on)         DPoP … error="use_dpop_nonce", and a DPoP-Nonce header
//	token invalid (with the DPoP scheme)       DPoP … error="invalid_token"
//	Bearer token on a required scheme          DPoP … error="invalid_token" (dpop_required)
//	DPoP-bound token with the Bearer scheme    Bearer … error="invalid_token" (dpop_bound_token, RFC 9449 §7.2)
//	token bound otherwise (cnf x5t#S256, jwk)  … error="invalid_token" (unsupported_binding), in the scheme it came with
//	no credentials, required scheme            DPoP realm="…", algs="…"
//	no credentials, allowed scheme             Bearer realm="…" and DPoP realm="…", algs="…" (two header values)
//
// Scope, role, permission, step-up and ownership denials of a DPoP request challenge
// DPoP with the same attributes as Bearer, and so do the [Requirement] checks on the
// context such a request proceeds with. A malformed `Authorization: DPoP` header is
// a 400 invalid_request in the DPoP scheme. Operations without DPoP schemes answer
// exactly as before, Bearer only; Bearer requests to them, and to schemes that allow
// DPoP, cost what they did (one allocation on a cache hit), while a DPoP request pays
// for its proof: a signature verification and the replay cache.
//
// The proof's htu must be the URL the client addressed: Config.DPoPBaseURL followed by
// the path of the request-target as received ([Request].RequestURI, so a rewrite of
// the URL before routing does not change it), or without DPoPBaseURL, https (over TLS)
// or http and the request's Host. Behind a TLS-terminating proxy, set DPoPBaseURL.
//
// # Security
//
// Deny by default: a request without an operation is refused unless
// InsecureAllowUndocumented says otherwise, and [New] fails when a scheme the document
// relies on has no validator or authenticator, an owner rule has no loader, or an owner
// parameter is ambiguous in the full route. Header values are quoted and escaped and
// never carry token or request content; records never hold token content. Ownership
// compares values exactly: strings with strings, integers by their decimal text (never
// through floating point), and nothing else matches; a string never equals a number,
// nil never equals anything. Anonymous callers never reach an owner loader, so they get
// 401, never 404, on owned resources.
//
// # Concurrency
//
// An [Enforcer], an [AccessToken] and a [Requirement] are immutable once built and safe
// for concurrent use. Callbacks (Authenticators, OwnerLoaders, Params, ErrorStatus,
// SuccessHandler, AuditHook) and validators are called on the request's goroutine,
// concurrently across requests; they must be safe for that. Claims are shared between
// requests presenting the same token and must not be modified.
//
// # Performance
//
// On a documented route with a token seen before, [Enforcer.Enforce] does a cache hit in
// the validator, an allocation-free policy evaluation (scopes, roles, permissions, and
// an owner path parameter) and one allocation: the context value holding the claims.
// Audit records are built only when an AuditHook is set or the Logger's level enables
// them.
package enforce

// Package openapi compiles an OpenAPI 3.0/3.1 document into an immutable policy table:
// for every operation (method and path template), who may call it. The document stays
// the single source of truth for access control; this package never routes requests and
// knows nothing about HTTP frameworks or token formats (package echoaxioms enforces the
// table, package validator produces the [Principal]).
//
//	policies, err := openapi.Load("openapi.yaml", openapi.LoadOptions{})
//	if err != nil {
//		log.Fatal(err) // every problem, located: for _, p := range openapi.Problems(err) {...}
//	}
//	p := policies.Lookup("GET", "/v1/articles/:id") // the route Echo matched
//	d := p.EvaluatePrincipal(claims)
//
// # Security requirements
//
// OpenAPI semantics, exactly: an operation's security if present, else the document's.
// The requirements are alternatives (OR); inside one, every scheme must pass with all of
// its scopes (AND). security: [] — or no security anywhere — makes an operation public
// ([AuthNone]). An empty requirement {} among the alternatives makes authentication
// optional ([AuthOptional]): a request without credentials passes; one with credentials
// must present valid ones.
//
// oauth2, openIdConnect and http bearer schemes are bearer schemes ([Scheme.Bearer]).
// apiKey, http basic and mutualTLS compile as what they are; the middleware refuses to
// build unless an authenticator is registered for every such scheme an operation
// relies on. Scopes listed for non-oauth2 schemes (OpenAPI 3.1 allows roles there) are
// required like scopes.
//
// # Extensions
//
// x-axioms-roles and x-axioms-permissions may appear on the document root, a path item
// or an operation; the nearest declaration wins, and an empty list removes an inherited
// one:
//
//	x-axioms-roles: [admin, superuser]          # any of
//	x-axioms-roles:
//	  anyOf: [editor, admin]                    # at least one of these
//	  allOf: [verified]                         # and all of these
//	x-axioms-permissions: []                    # nothing (removes an inherited requirement)
//
// x-axioms-owner may appear on a path item (inherited by its operations) or an
// operation:
//
//	x-axioms-owner: {param: user_id, claim: sub}           # a path parameter equals a claim
//	x-axioms-owner: {field: user, claim: sub, loader: get}  # a loaded object's field equals a claim
//
// Defaults: claim "sub"; field "user"; loader the operationId. A claim may be a JSON
// Pointer ("/org/id"). Roles, permissions and owners inherited from the root or a path
// item do not apply to public or optional operations; declared on such an operation
// itself, they are an error (anonymous callers would bypass them).
//
// # Errors and warnings
//
// Loading fails, listing every problem at once with method, path and JSON Pointer
// ([Problem], [Problems]), on: an unknown x-axioms-* key (a typo such as x-axioms-role),
// a malformed value (wrong type, empty string, unknown key, duplicate item), owner
// rules at the root, a requirement naming an undefined scheme, an owner param that is
// not a path parameter, a loader rule without loader or operationId, roles /
// permissions / owner declared on a public or optional operation, and two templates of
// one method with the same shape (/a/{x} and /a/{y}).
//
// Lint warnings ([Policies.Warnings]) never stop loading: scopes not declared in an
// oauth2 scheme's flows; protected operations documenting neither 401 nor 403; a
// document where nothing is protected; openIdConnect schemes without URL; an explicit
// loader on an operation without operationId; servers with different base paths; and
// kin-openapi's own validation findings.
//
// # Routes and base path
//
// Templates are compared with Echo routes by shape ("/articles/{article_id}" matches
// "/articles/:id"); parameter names need not agree. The base path is the path of the
// first server URL (server variables take their defaults; relative URLs are allowed),
// unless LoadOptions.BasePath overrides it. [Policies.Lookup] is one map access and does
// not allocate.
//
// # Security
//
// Loading never touches the network. External references to local files are followed
// only when LoadOptions.AllowExternalRefs is set; network references never. References
// that are not followed (and JSON Schema $id and anchor references, which kin-openapi
// does not resolve) are replaced by empty objects and reported as warnings, so real
// documents load; an empty object can never satisfy a security rule, and a security
// scheme defined by such a reference makes loading fail if an operation relies on it.
//
// # Concurrency
//
// A [Policies] value and its [Policy] values are immutable after loading and safe for
// concurrent use; their exported fields must not be modified. Evaluate and Lookup do not
// allocate on the allowed path.
package openapi

// Package openapi compiles an OpenAPI 3.0, 3.1 or 3.2 document into an immutable policy
// table: for every operation (method and path template), who may call it. The document
// stays the single source of truth for access control. This package never routes
// requests and knows nothing of HTTP frameworks or token formats: package echoaxioms
// enforces the table on the route Echo matched, and package validator produces the
// [Principal] a policy is evaluated against.
//
//	policies, err := openapi.Load("openapi.yaml", openapi.LoadOptions{})
//	if err != nil {
//		for _, p := range openapi.Problems(err) { // every problem, located
//			log.Print(p)
//		}
//		os.Exit(1)
//	}
//	p := policies.Lookup(c.Request().Method, c.Path()) // "GET", "/v1/articles/:id"
//	d := p.EvaluatePrincipal(claims)                  // d.Allowed, d.Failure, d.Missing
//
// Documents are parsed by kin-openapi; no kin-openapi type appears in this package's
// API, so that dependency can change major version without breaking callers.
//
// # Security requirements
//
// OpenAPI's semantics, exactly. An operation's security is its own security field if it
// has one, else the document's. The requirement objects in it are alternatives (OR);
// inside one, every scheme must pass with all of the scopes it lists (AND).
//
//   - security: [] on the operation, or no security anywhere: the operation is public
//     ([AuthNone]). So is security: [{}], which names no scheme whose credentials could
//     be checked.
//   - an empty requirement {} among other alternatives: authentication is optional
//     ([AuthOptional]). A request without credentials passes; a request with
//     credentials must present valid ones (the middleware never silently downgrades an
//     invalid token to an anonymous call).
//   - otherwise credentials are required ([AuthRequired]).
//
// oauth2, openIdConnect and http bearer schemes are bearer schemes ([Scheme.Bearer]),
// which the library enforces with JWT access tokens. apiKey, http basic (and any other
// http scheme) and mutualTLS compile into the table as what they are, so that the table
// describes any real document; the middleware refuses to start unless an authenticator
// is registered for every such scheme an operation relies on. Scopes listed for
// schemes other than oauth2 and openIdConnect (OpenAPI 3.1 calls them roles) are
// required like scopes, through [Principal.HasScope].
//
// # Extensions
//
// x-axioms-roles and x-axioms-permissions may be declared on the document root, on a path
// item or on an operation. The nearest declaration wins (operation, then path item, then
// root), and an empty list, or an object whose lists are empty, removes an inherited
// requirement:
//
//	x-axioms-roles: [admin, superuser]   # any of these roles
//	x-axioms-roles:
//	  anyOf: [editor, admin]             # at least one of these
//	  allOf: [verified]                  # and all of these (either key may be absent)
//	x-axioms-permissions: []             # nothing: removes an inherited requirement
//
// Items are non-empty strings without surrounding spaces, each listed once; any other
// value (a string, a number, null, nested lists, unknown keys) is an error.
//
// x-axioms-owner declares row-level ownership, on a path item (each of its operations
// inherits it) or on an operation, in one of two forms:
//
//	x-axioms-owner: {param: user_id, claim: sub}        # path parameter user_id == claim sub
//	x-axioms-owner: {field: user, claim: sub, loader: getArticle}
//	                                                    # loaded object's field user == claim sub
//
// In the parameter form, param must be a path parameter of every operation the rule
// applies to (declared on the operation or its path item, in: path, and in the
// template); claim defaults to "sub". The loader form is any object without param:
// field defaults to "user", claim to "sub", loader to the operation's operationId (an
// operation without operationId must then name its loader). A claim may be a JSON
// Pointer ("/org/id"). x-axioms-owner on the document root is an error: ownership
// depends on each path. The middleware enforces ownership: it reads the parameter, or
// runs the loader and hands the loaded object to the handler.
//
// x-axioms-acr and x-axioms-max-age declare the authentication strength an operation
// needs (step-up authentication, RFC 9470), on the document root, a path item or an
// operation, inherited like x-axioms-roles (each on its own):
//
//	x-axioms-acr: ["urn:example:mfa", "urn:example:hwk"]   # the acr claim is any of these
//	x-axioms-max-age: 300                                   # auth_time at most 300 seconds ago
//
// x-axioms-acr is a non-empty list of distinct, non-empty strings (compiled into
// [Policy.ACR] in document order); x-axioms-max-age a positive whole number of seconds
// ([Policy.MaxAge]). Anything else (an empty list, a string, 0, 1.5) is an error. The
// middleware answers a token that does not satisfy them with 401
// insufficient_user_authentication, naming acr_values and max_age.
//
// x-axioms-dpop is declared on a security scheme (oauth2, openIdConnect or http bearer)
// in components.securitySchemes, and says whether the scheme takes sender-constrained
// tokens (RFC 9449 DPoP), compiled into [Scheme.DPoP] and [SchemeRequirement.DPoP]:
//
//	components:
//	  securitySchemes:
//	    oauth2:
//	      type: oauth2
//	      x-axioms-dpop: required   # only `Authorization: DPoP <token>` with a DPoP proof
//	      flows: ...
//	    partner:
//	      type: http
//	      scheme: bearer
//	      x-axioms-dpop: allowed    # DPoP as above, or Bearer with a token that is not DPoP-bound
//
// Without it the scheme takes Bearer tokens only ([DPoPNone]). Any other value
// ("Required", true, a list) is an error, as is the key on an apiKey, http basic or
// mutualTLS scheme, or on the document root, a path item or an operation.
//
// Requirements only make sense where callers are authenticated. Declared on a public or
// optional operation, roles, permissions, step-up requirements or an owner rule are an error: anonymous
// callers would bypass them. Inherited from the root or a path item, they apply to the
// operations that require authentication and not to the others; a root or path-item
// declaration that applies to no operation requiring authentication at all is an error
// (usually a forgotten security requirement).
//
// These keys are read on the document root, on the path items of paths (a path item
// there may be a $ref to components.pathItems: the entry is then read) and on their
// operations, nowhere else (x-axioms-dpop: on security schemes only). Any key that
// looks like one of them must be exactly one of the six, allowed where it appears; anywhere else in the document (under responses,
// a request body, a parameter, a schema, info, tags, servers, a security scheme, the
// paths or components object, webhooks, callbacks, a components.pathItems entry no path
// references) it is an error, located by its JSON Pointer: a misplaced, misspelt or
// mistyped rule fails loading rather than being silently lost. A key looks like one of
// them when its fold starts with x-axiom or is within two edits of a known key
// (x-axiom-roles, x_axioms-permissions, X-Axioms-Roles, x-axiomsroles). The fold of a
// key written in printable ASCII without spaces is its lower-cased form with '_' read
// as '-'. Any other key is folded as it reads: Unicode compatibility normalisation (NFKC: a
// fullwidth ｘ or a mathematical 𝐱 is x, a no-break space a space), then every dash
// (category Pd: U+2010 hyphen, U+2011, U+2013 en dash, U+2014 em dash, U+FE58...),
// connector ('_', Pc) and minus sign (U+2212, U+FE63, U+FF0D) read as '-', white space,
// control and format characters (zero-width spaces, U+FEFF, the soft hyphen) and other
// default-ignorable characters removed, letters lower-cased; a character left outside
// ASCII counts as one edit. So x‐axioms‐roles (U+2010), x–axioms–roles (U+2013),
// ｘ-axioms-roles, a key with a leading no-break space or a trailing space, or with one
// Cyrillic letter, are errors; the message escapes the key ("x\u2010axioms\u2010roles")
// and says what it looks like. What is data rather than an OpenAPI object is not read
// for keys: the values of example, examples, default, const, enum and of other
// extensions, and the property and definition names in properties, patternProperties,
// $defs and dependentSchemas (a property may be called x-axioms-roles, or
// x–axioms–roles; the schema it maps to is read).
//
// Keys that other tools or a guess use for access rules, x-roles, x-permissions,
// x-scopes, x-owner and their singulars (folded the same way), are not enforced: on the
// root, a path item or an operation each is a warning naming the x-axioms-* key meant.
// Elsewhere they are left alone.
//
// # Errors and warnings
//
// Loading fails on any of the following, with every problem of the document listed at
// once ([Problems]), each located by method, path and JSON Pointer ([Problem]; pointers
// are RFC 6901 JSON Pointers prefixed by '#', not percent-encoded):
//
//   - an unknown, misspelt or look-alike x-axioms-* key (see Extensions), or one where
//     it is not allowed;
//   - a malformed x-axioms-* value;
//   - a security requirement naming a scheme that is not declared, or that cannot be
//     enforced (defined by a $ref that is not followed, of an unknown type, an http
//     scheme without scheme); OpenAPI 3.2 lets a requirement name a scheme by URI
//     reference ("#/components/securitySchemes/b"): such names are not resolved and
//     are rejected as undeclared, so the document fails to load rather than open the
//     operation;
//   - roles, permissions or an owner rule on a public or optional operation, and root or
//     path-item declarations that protect no operation;
//   - an owner param that is not a path parameter of the operation, and a loader-form
//     owner rule on an operation with neither operationId nor loader;
//   - two operations of one method whose routes have the same shape ("/a/{x}" and
//     "/a/{y}"): they cannot be told apart;
//   - an OpenAPI 3.2 additionalOperations entry for a method that has a field of its
//     own, in any letter case ("GET" or "get" beside or instead of get): one of the two
//     operations, or the entry's security, would be ignored;
//   - a path item or operation defined by a $ref that is not followed;
//   - a document kin-openapi cannot parse, or that is not OpenAPI 3.x.
//
// Lint warnings never stop loading ([Policies.Warnings], and [Warnings] for a document
// that failed): keys meant as access rules that are not enforced (x-roles,
// x-permissions, x-scopes, x-owner; see Extensions); scopes not declared in the flows
// of their oauth2 scheme; operations
// requiring authentication that document neither 401, 403 nor 4XX; operations whose
// authentication is optional that document neither 401 nor 4XX (an invalid token is
// answered 401); a document where no
// operation requires authentication; openIdConnect schemes without openIdConnectUrl;
// an owner rule with an explicit loader on an operation without operationId; a servers
// list whose URLs have different paths (the first wins) or use a variable without a
// default; security schemes that cannot be enforced and that nothing uses; references
// that are not followed (see Security below); and each finding of kin-openapi's own
// validation (examples and schema defaults are not validated). Real documents carry
// schema slips that have nothing to do with access control: they must still load.
//
// # Routes and base path
//
// [Policies.Lookup] takes the route Echo matched (c.Path(), with group prefixes and base
// path) and finds the operation by shape: "/v1/articles/:id" finds the template
// "/articles/{article_id}" under base path "/v1", whatever the parameter names. A
// template segment may mix literals and parameters ("/files/{name}.{ext}"); ":" in a
// template is a literal (in an Echo route, write it "\:"). The method is compared
// exactly. Lookup is one map access and does not allocate.
//
// The base path of an operation is the path of the first URL of its servers: the
// operation's own, else its path item's, else the document's. Server variables take
// their default values; a relative URL ("/api/v3", "v1") is taken relative to "/". A
// server URL without path means no base path. LoadOptions.BasePath overrides the base
// path of every operation ("/" for none).
//
// # Evaluation
//
// [Policy.Evaluate] checks the security alternatives against the principals the caller
// authenticated, scheme by scheme, then the roles, then the permissions; the
// [Decision] says what failed and what was missing. When scopes are missing it reports
// the alternative missing the fewest (ties: document order), whose scopes become the
// scope attribute of the 403 response. Ownership is left to the middleware.
//
// An optional operation whose token lacks the scopes is allowed: its {} alternative is
// satisfied.
//
// How package echoaxioms answers each [Failure] and what the axioms command prints are
// described once, in the README: [Responses (RFC 6750)] and [Command line].
//
// # Security
//
// Loading never touches the network. A $ref to another document is followed only if it
// is a relative reference to a local file and LoadOptions.AllowExternalRefs is set: with
// [Load], inside the document's directory (the file system is opened with [os.Root],
// so neither ".." nor symbolic links lead out of it); with [LoadFS], inside the fs.FS.
// Network URLs, absolute paths, JSON Schema $id-relative and anchor references are never
// resolved. Such a reference is a load error where it would define something access
// control depends on: a path item, an operation, or a security scheme an operation
// relies on. Anywhere else it is read as an empty object (an empty object can never
// satisfy a security rule) and reported as a warning, so that real documents whose
// schemas use them still load.
//
// Everything that cannot be enforced as written fails loading, and so stops the service
// from starting, rather than opening an operation: undeclared or unenforceable schemes,
// requirements that anonymous callers would bypass, ambiguous routes, misspelt
// extensions. A route that has no operation in the table (Lookup returns nil) is the
// middleware's to deny.
//
// # Concurrency
//
// Load, LoadData and LoadFS may be called concurrently. A [Policies] value and the
// [Policy] values it holds are immutable after loading and safe for concurrent use by
// any number of goroutines. Lookup and All hand out the shared *Policy values (Lookup
// cannot copy without allocating): their exported fields and slices must not be
// modified, or every later request would see the change.
// Lookup and Evaluate take no locks, and do not allocate on the allowed path.
//
// [Responses (RFC 6750)]: https://github.com/axioms-go/axioms-echo#responses-rfc-6750
// [Command line]: https://github.com/axioms-go/axioms-echo#command-line
package openapi

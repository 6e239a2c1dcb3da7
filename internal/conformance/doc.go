// Package conformance is one table of requests and the answers every adapter of the
// enforcement core must give them, whatever its web framework: Run sends each request
// to an application a Driver builds around the adapter, and checks the answer against
// the README's "Responses (RFC 6750)" and "Reason codes" tables and DESIGN §5.
//
// The application serves testdata/api.yaml, the example document's rules
// (spec.example.yaml) plus an API key scheme, a second issuer, an owner loader that
// can fail, and routes without an operation (OPTIONS included). A row of the table is
// a request (method, path, Authorization header values with a described token, an API
// key) and the answer: status, exact WWW-Authenticate, Retry-After, the body's
// "error", the audit record's outcome and reason, and whether the operation's handler
// ran, with which principal and owner-loaded object. The rows cover public, required
// and optional authentication; malformed headers (Bearer alone, two tokens,
// characters outside token68, two Authorization headers); invalid tokens (expired,
// wrong audience, bad signature, another issuer); scopes, roles and permissions; both
// forms of the owner rule, the loader's not-found and failure included; step-up
// (RFC 9470: x-axioms-acr and x-axioms-max-age on an operation and on a path item,
// the acr of the wrong type or value, auth_time too old, missing, a string or ahead of
// the clock beyond the leeway, and a scope or role failure decided before step-up); an API key
// beside a token (OR and AND); a scheme whose signing keys cannot be fetched (503,
// Retry-After: 30); opaque tokens the main validator introspects (RFC 7662: the same
// scope, role and owner rules, revoked, expired and unknown tokens inactive, an
// endpoint answering 503 unjudged: 503, Retry-After: 30, no challenge; opaque.go);
// DPoP (RFC 9449) on a required and an allowed scheme — proofs
// missing, repeated, replayed, for another method, URL or token, signed by another key,
// unsigned, HMAC-signed, oversized or stale, tokens without cnf.jkt, DPoP-bound tokens
// presented as Bearer on every kind of scheme, the external URL behind a proxy, server
// nonces; routes without an operation (403); and the answers the router gives by itself
// (404, 405, HEAD on a GET route). Run runs the table three times: with one validator
// for every bearer scheme, with a validator per scheme (both with DPoPBaseURL set), and,
// for the rows restricted to it, with DPoP server nonces and the URL of proofs built
// from each request.
//
// Run uses only the adapters' public API, through their driver, and the package
// imports no web framework (a test keeps it so). Tokens are minted and validated on
// an axiomstest.Clock that never moves, so the table is deterministic; the issuers run
// in process, over loopback.
//
// # Adding a driver
//
// A driver is one test file of this package, named after its framework
// (echo4_test.go is the Echo v4 one), of about 60 lines:
//
//  1. A type implementing Driver. Handler builds the framework's application: the
//     adapter's configuration from Setup (policies, validators; Authenticators and
//     OwnerLoaders wrapped into the framework's callback types: pass the
//     *http.Request, read the route parameter OwnerLoader.Param, answer ErrNotFound
//     with the framework's 404 error; DPoP and DPoPBaseURL as they are); the adapter's audit hook calling Setup.Audit
//     with the record converted to AuditRecord; every route of Setup.Routes registered
//     the framework's way (ColonPath for ":name" routers, the template itself for
//     net/http's ServeMux) with a handler that calls Respond with the route's Name,
//     the principal and the object the adapter hands it. Router says whether the
//     framework's router serves HEAD with a GET route.
//
//  2. A test calling Run with it:
//
//     func TestEcho5(t *testing.T) { conformance.Run(t, echo5Driver{}) }
//
// When a row fails for a new adapter, the adapter is wrong, or the row encodes
// something the README and DESIGN §5 do not say: fix the adapter, or the documents
// and every adapter together; never give one adapter a row of its own. Only the
// routers' own answers differ between frameworks, and Router describes them.
//
// # Concurrency
//
// Run sends the requests one at a time, from the test's goroutine, and reads the audit
// records of each request after its answer; a driver's adapter must record on the
// request's goroutine (as the adapters' hooks are documented to).
package conformance

// Package validator validates OAuth 2.0 JWT access tokens (RFC 7519, RFC 9068) issued by
// one trusted issuer, against the issuer's JSON Web Key Set, and, when configured, opaque
// access tokens through the issuer's introspection endpoint (RFC 7662; see
// Introspection below).
//
// It knows nothing about HTTP routing or OpenAPI: give it the raw token, get back
// verified [Claims] or an error carrying a stable [Reason]. Package echoaxioms builds the
// Echo middleware on top of it; package openapi evaluates policies against the Claims,
// which satisfy its Principal interface.
//
//	v, err := validator.New(ctx, validator.Config{
//		Issuer:    "https://tenant.example.com/",
//		Audiences: []string{"https://api.example.com"},
//	})
//	if err != nil {
//		log.Fatal(err) // invalid configuration
//	}
//	claims, err := v.Validate(ctx, rawToken)
//	switch {
//	case errors.Is(err, validator.ErrKeysUnavailable): // 503: the issuer cannot be reached
//	case errors.Is(err, validator.ErrInvalidToken):    // 401: reject; validator.ReasonOf(err) says why
//	}
//
// # Validation
//
// A token is accepted only when all of these hold, checked in this order:
//
//   - its size is at most Config.MaxTokenSize (8 KiB), checked before any decoding;
//   - it is a compact JWS: three segments of canonical base64url (no padding, no line
//     breaks, no non-zero trailing bits). JWE (five segments) and the JSON serialization
//     are rejected;
//   - the header is a JSON object without duplicate names and in valid UTF-8; its alg is
//     in the allowlist (none and HS* can never be allowed), checked before any key is
//     looked up; typ is at+jwt when Config.RequireType is set; it has no crit (no header
//     extension is understood) and no b64 other than true;
//   - the payload is a JSON object without duplicate names in valid UTF-8, and its iss
//     is a string equal to Config.Issuer. This is checked before any key is looked up,
//     on the payload not yet verified: it can only refuse a token, and a token of
//     another issuer costs no key lookup and never makes the validator fetch its key
//     set (see Several issuers below). The payload is decoded once, and trusted for
//     nothing else until the signature verifies;
//   - a key of the issuer's key set verifies the signature. With a kid, the keys carrying
//     that kid and fitting the alg are tried; without one, the token is accepted only if
//     exactly one key of the set fits the alg. A key fits when its type and curve match
//     the alg and its own alg member, if any, equals it. The jku, x5u, jwk and x5c
//     header members are never followed;
//   - aud (a string or an array of strings) holds one of Config.Audiences; exp is
//     present and not passed; nbf, if present, is reached; iat, if present, is not in
//     the future — all with Config.Leeway (30s);
//   - sub and jti, when present, are strings; cnf, when present, is an object whose
//     jkt, if any, is a non-empty string ([Claims.DPoPThumbprint]); the scope, role and
//     permission claims are a space-separated string or an array of strings.
//
// Claims are read by exact key. Names of scope, role and permission claims are
// configurable ordered lists, each a top-level key or a JSON Pointer (see
// Config.ScopeClaims).
//
// # Several issuers
//
// A Validator trusts one issuer; an API accepting tokens of several issuers uses one
// Validator per issuer (package echoaxioms binds each to its security schemes) and every
// token may reach each of them. A token whose iss names another issuer is refused as
// wrong_issuer before any key lookup (one without iss as missing_claim, one with a
// non-string iss as malformed), so it never waits for, or causes, a fetch of this
// issuer's key set: an issuer that hangs or is down
// does not slow down the tokens of the others, nor does a healthy one pay a fetch for
// them. Config.InsecureSkipIssuerCheck turns this shortcut off with the issuer check.
//
// # Keys
//
// The key set comes from Config.JWKS, Config.JWKSURL, the issuer's OIDC discovery
// document, or {issuer}/.well-known/jwks.json when the issuer has no discovery document.
// URLs must be https except on loopback hosts. Responses are bounded in time (5s) and
// size (1 MiB).
//
// The discovery document's issuer must equal Config.Issuer exactly, as the tokens' iss
// will: when it differs (typically by a trailing slash), nothing is fetched from the
// document. That is a configuration error, not an outage: [New] fails when it reads
// such a document at startup, with a message showing both spellings. When the issuer
// could not be reached at startup and names another issuer later, every fetch logs it at
// Error and Validate answers issuer_mismatch (of the [ErrKeysUnavailable] class, so still
// HTTP 503) until the configuration is fixed.
//
// Only usable signing keys are kept: RSA of at least 2048 bits with an odd exponent of at
// least 3 and without the ROCA fingerprint (CVE-2017-15361), EC P-256/P-384/P-521 points
// on their curve, Ed25519. Members with use other
// than "sig", key_ops without "verify", private or symmetric material, or that fail to
// parse are skipped one by one and logged. A response with no usable key counts as a
// failed fetch.
//
// The set is refreshed in the background when it is due (Cache-Control max-age within
// [MinRefreshInterval, 24h], else Config.RefreshInterval, 15m), while requests keep
// using the current keys. When a fetch fails, the last good keys keep serving; keys that
// disappear from a fetched set stop verifying at once, cached verifications included.
// While no key set has ever been obtained, Validate answers [ErrKeysUnavailable] and
// retries with backoff (1s doubling up to MinRefreshInterval).
//
// A token with an unknown kid, typically signed with a key the issuer has just created,
// triggers a refetch unless one started less than Config.MinRefreshInterval (5s) ago, so
// a key rotation costs at most 5s of refusals. Fetches that bring nothing back off: each
// refetch for an unknown kid that brings no new key doubles the interval before the next
// one (5s, 10s, 20s, ... up to Config.MaxRefreshBackoff, 5m), and each failed fetch
// doubles the interval before any fetch. A fetch that brings a new key, or 5 minutes
// without an unknown kid, resets the first; a successful fetch resets the second. A
// flood of random kids therefore costs the issuer 6 fetches per process in its first 10
// minutes (5s, 15s, 35s, 75s, 155s and 315s after the last fetch), then one every 5
// minutes, and it never delays the scheduled refreshes. Fetches are single-flight: one
// runs at a time, shared by every caller needing it.
//
// # Introspection
//
// Issuers that issue opaque access tokens (Ory Hydra and node oidc-provider by default)
// are served with Config.Introspection (see [Introspection]): a token that is not shaped
// as a compact JWS (anything but exactly two dots), or every token with
// Introspection.All, is sent to the issuer's introspection endpoint (RFC 7662), named
// by Introspection.Endpoint or by the introspection_endpoint of the discovery document.
// Only a token68 value (RFC 7235 §2.1, the syntax of bearer and DPoP tokens) is sent:
// any other is malformed, as it would be on the JWT path, so that Validate accepts no
// token the Authorization header cannot carry.
// The request is a POST of token and token_type_hint=access_token, the client
// authenticated with client_secret_basic (the default) or client_secret_post;
// redirects are not followed. An answer is accepted only when all of these hold:
//
//   - the status is 200 and the body, at most Introspection.MaxResponseSize (64 KiB),
//     arrives within Introspection.Timeout (Config.FetchTimeout, 5s);
//   - the body is a JSON object without duplicate names in valid UTF-8, whose active
//     member is a JSON boolean and whose registered members have their RFC 7662 types
//     (scope, client_id, username, token_type, sub, iss, jti, token_use strings; exp,
//     iat, nbf numbers; aud a string or an array of strings), as have the configured
//     scope, role, permission and audience claims;
//   - active is true, and neither token_use (other than access_token) nor token_type
//     (refresh_token) says it is another kind of token (wrong_type);
//   - an answer with token_type DPoP carries cnf.jkt (RFC 9449 §6.2): otherwise it is
//     the endpoint's fault (introspection_unavailable), never an unbound token;
//   - iss, aud, exp, nbf, iat and Config.RequiredClaims pass the checks a JWT's claims
//     pass, with the same reasons and Config.Leeway.
//
// An endpoint that fails the first two (unreachable, slow, an error status, a body too
// large or not a valid introspection response) leaves the token unjudged:
// introspection_unavailable, of the [ErrKeysUnavailable] class (HTTP 503), never a
// token accepted nor one refused as invalid. active false is inactive (HTTP 401).
// The answer's members are the token's claims: [Claims] reads them as it reads a JWT's
// (Scopes from scope, Claim("client_id"), ...).
//
// Answers are cached, keyed by the token's SHA-256 (the token itself is not kept): an
// active one until its exp or Introspection.TTL (5m) after it was received, whichever
// comes first, so a token revoked at the issuer may be accepted for up to TTL; a
// refusal (inactive, or a failed check) for Introspection.NegativeTTL (10s); a failure
// of the endpoint is not cached. The cache has the bounds of the verified-token cache
// (Config.CacheSize entries, Config.CacheMaxBytes bytes), a budget of its own, and is
// off with it. Concurrent requests presenting the same token share one introspection
// request (single-flight), which runs detached from their cancellation.
//
// At most Introspection.MaxConcurrent (32) introspection requests are in flight at once
// per Validator, however many distinct unknown tokens arrive: a token that finds them all
// in flight waits for one to end, for at most Introspection.Timeout and never past its
// ctx, and is otherwise introspection_unavailable (HTTP 503), never accepted. A flood of
// random opaque tokens thus costs the endpoint at most MaxConcurrent requests at a time
// and this process at most MaxConcurrent goroutines waiting on them; cached answers are
// served throughout. There is no backoff after a failure: each token not cached is
// introspected when a slot is free, so the first request after the endpoint recovers
// is answered. A backoff would refuse every new token for its duration after one failed
// request, and which requests fail is partly in the caller's hands (a token the endpoint
// chokes on), which would let one client shut out every new token; the bound already
// caps what an outage costs.
//
// # Readiness and metrics
//
// [Validator.Status] tells whether a validator has usable keys, when its key set was
// fetched, when it last tried and what the last error was, and counts its fetches,
// failed fetches and verified-token cache hits and misses; with Config.Introspection,
// also its introspection requests, failures, inactive answers, validations refused for
// want of a slot (Introspection.MaxConcurrent) and introspection-cache hits and misses.
// [ReadyHandler] answers a readiness probe (/readyz) from it: 200 when every validator
// has usable keys, 503 otherwise, saying which issuer is not ready and why. Package
// axiomsotel exports the same figures, with the middleware's decisions, as
// OpenTelemetry metrics; this package does not depend on OpenTelemetry.
//
// # DPoP proofs
//
// A [DPoPChecker] checks the DPoP proofs (RFC 9449) that come with DPoP-bound access
// tokens: the token is validated by a Validator as any other, and its
// [Claims.DPoPThumbprint] (the cnf.jkt claim) is given to [DPoPChecker.Check] with the
// proof, the request's method and URL and the token itself. A cnf claim that is not an
// object, or a jkt that is not a non-empty string, makes Validate refuse the token as
// malformed. A proof is accepted only when all of these hold, checked in this order:
//
//   - the token is DPoP-bound (its jkt is not empty), else dpop_key_mismatch;
//   - the proof is at most DPoPConfig.MaxProofSize (8 KiB) and a compact JWS of three
//     canonical base64url segments, as for tokens;
//   - its header, a JSON object without duplicate names, has typ exactly "dpop+jwt"
//     (not compared as a media type: RFC 9449 names this one value); an alg of
//     DPoPConfig.Algorithms (by default every asymmetric algorithm of the package; none
//     and HS* can never be allowed); a jwk member holding a public key that fits the
//     alg (type and curve, and its own alg member, if any), with the same rules as an
//     issuer's keys (RSA of 2048 to 8192 bits, EC points on P-256/P-384/P-521,
//     Ed25519) and without private or symmetric members (d, p, q, dp, dq, qi, oth, k;
//     kty oct), every member in its one canonical encoding; no jku, x5u or x5c (the
//     proof's key is its jwk alone; a kid is ignored) and no crit;
//   - the jwk's RFC 7638 thumbprint equals the token's jkt (dpop_key_mismatch
//     otherwise), compared in constant time;
//   - the signature verifies with the jwk;
//   - the payload, a JSON object without duplicate names, has jti (a non-empty string
//     of at most 256 bytes), htm equal to the request method (case-sensitive), htu
//     equal to the request URL, iat (a number) no earlier than now minus
//     DPoPConfig.MaxAge (60s) and DPoPConfig.Leeway (5s) and no later than now plus
//     Leeway, and ath equal to the base64url SHA-256 of the access token (constant
//     time; a proof without ath, as one made for a token request, fails here);
//   - with server nonces (DPoPConfig.NonceSecret), its nonce is one the checker issued
//     in the current or the previous slot (use_dpop_nonce otherwise);
//   - its jti, with the key's thumbprint, is not in the replay cache, and can be
//     recorded there (dpop_replayed otherwise).
//
// htu is compared as RFC 9449 §4.3 asks, after normalisation (RFC 3986 §6.2.2 and
// §6.2.3): scheme and host in any case, the default port written or not (and without
// leading zeros), an empty path as "/", an IPv6 host in any of its spellings,
// percent-encodings of unreserved characters as the characters and hex digits in any
// case, dot segments removed from the proof's htu. A request URL whose path has dot
// segments ("/files/../admin", "/files/%2E%2E/admin") matches no proof: routers such
// as Echo's match that path as it is, so the URL with the segments removed would name
// another route than the one that answers. A trailing slash, the case of the path,
// another port and an encoded slash ("%2F") all make another URL. A character RFC 3986 does not allow
// in a path (non-ASCII, a space, "|", "[", which some clients send as they are) equals
// its percent-encoding; Unicode is not normalised. A proof whose htu has a query or a
// fragment (even an empty one), user information, a scheme other than http and https,
// a control character, or a host that is neither a name of letters, digits, "-", ".",
// "_" and "~" nor a bracketed IPv6 address, is refused. The URL given to Check is
// the one clients address: behind a proxy, the external scheme, host and port, not the
// ones the server listens on; its query and fragment, if any, are ignored.
//
// The replay cache holds DPoPConfig.ReplayCacheSize (65536; about 5 MiB when full)
// proofs, each until its iat leaves the window (MaxAge + Leeway after iat), keyed by a
// hash of the key's thumbprint and the jti. One cache serves one process: behind a
// load balancer, a proof replayed to another instance is caught only by the iat window
// (and by nonces, if on). A proof is recorded only when every other check passed, so a
// refused proof can be repaired and sent again. When the cache is full of live
// entries, a new proof is refused (dpop_replayed) rather than accepted unrecorded: the
// cache fails closed. So that one client cannot fill it and lock the others out, the
// proofs of one key hold at most DPoPConfig.MaxProofsPerKey (8192) live entries; a key
// over its share has its own new proofs refused the same way. Of concurrent Checks of
// the same proof, exactly one succeeds.
//
// Server nonces (RFC 9449 §8) are off by default. With DPoPConfig.NonceSecret (at
// least 32 bytes) every proof must carry a nonce: [DPoPChecker.Nonce] returns the
// current one, for a DPoP-Nonce response header; it is an HMAC-SHA256 of the number of
// the current time slot (DPoPConfig.NonceLifetime, 5m), so it needs no storage and is
// accepted by every process sharing the secret, for one to two slots.
//
// # Errors
//
// An error of [Validator.Validate] is asked whose fault it is one way, and why one way:
//
//	errors.Is(err, ErrInvalidToken)     the token's: reject it (HTTP 401 invalid_token)
//	errors.Is(err, ErrKeysUnavailable)  the keys': the token was not judged (HTTP 503)
//	ReasonOf(err)                       why: the stable reason code (malformed, expired, ...)
//
// Every error of Validate carries exactly one reason, one of the [Reason] constants, and
// matches exactly one class. This list is the one home of the codes (the README, the
// middleware's audit records and `axioms verify` refer to it); a test keeps it equal to
// the constants:
//
//	reason                     class               the token ...
//	malformed                  ErrInvalidToken     is not a well-formed compact JWS, JSON document or claim type
//	too_large                  ErrInvalidToken     is longer than Config.MaxTokenSize
//	alg_not_allowed            ErrInvalidToken     has an alg outside the allowlist (none and HS* never allowed)
//	unknown_key                ErrInvalidToken     names no usable key of the key set for its kid and alg
//	bad_signature              ErrInvalidToken     has a signature that does not verify
//	expired                    ErrInvalidToken     fails exp (with leeway)
//	not_yet_valid              ErrInvalidToken     fails nbf (with leeway)
//	issued_in_future           ErrInvalidToken     fails iat (with leeway)
//	wrong_issuer               ErrInvalidToken     has another iss
//	wrong_audience             ErrInvalidToken     has none of the accepted audiences
//	wrong_type                 ErrInvalidToken     has a typ other than at+jwt while Config.RequireType is set
//	missing_claim              ErrInvalidToken     lacks exp, iss, aud or one of Config.RequiredClaims
//	claim_mismatch             ErrInvalidToken     has another value for one of Config.RequiredClaims
//	keys_unavailable           ErrKeysUnavailable  was not judged: no key set could be obtained (HTTP 503)
//	issuer_mismatch            ErrKeysUnavailable  was not judged: the discovery document names another issuer (HTTP 503)
//	inactive                   ErrInvalidToken     is not active, says the introspection endpoint (active false)
//	introspection_unavailable  ErrKeysUnavailable  was not judged: the introspection endpoint failed (HTTP 503)
//
// An error of [DPoPChecker.Check] matches [ErrInvalidDPoPProof] (HTTP 401 with a DPoP
// challenge), never ErrInvalidToken, and carries one of these reasons:
//
//	reason              class                the DPoP proof ...
//	invalid_dpop_proof  ErrInvalidDPoPProof  is malformed, too large, or fails typ, alg, jwk, signature, htm, htu, iat or ath
//	dpop_replayed       ErrInvalidDPoPProof  has a jti already used within the window, or one the full replay cache cannot record
//	dpop_key_mismatch   ErrInvalidDPoPProof  has a key whose thumbprint is not the token's cnf.jkt, or the token is not DPoP-bound
//	use_dpop_nonce      ErrInvalidDPoPProof  lacks the server nonce, or has an unknown or stale one (with DPoPConfig.NonceSecret)
//
// ReasonOf returns "" for an error that did not come from Validate or Check.
//
// wrong_type occurs only with Config.RequireType, or for an introspected token the
// endpoint describes as a refresh token; claim_mismatch only with Config.RequiredClaims;
// inactive and introspection_unavailable only with Config.Introspection.
// keys_unavailable means no key set has been obtained yet (or the caller's ctx ended
// while waiting for a fetch): the token was not judged, so it must not be answered as
// an invalid token. An unknown kid while the issuer is unreachable is unknown_key,
// since the last good keys are still in force. issuer_mismatch is the same situation
// with a cause no retry repairs: the issuer's discovery document names another issuer
// than Config.Issuer (see Keys). introspection_unavailable is the same situation for
// an introspected token (see Introspection), the endpoint's failure kept as the cause.
//
// The text of an error is a short fixed description, for a token's fault safe to return
// to the client (package echoaxioms sends it as the error_description), followed for the
// keys-unavailable class by the underlying cause, for logs. It never contains token
// content.
//
// # Security
//
// Secure defaults cannot be switched off by a zero value: only fields named
// InsecureSkip… weaken a check (DPoPConfig has none: replay protection and every proof
// check are always on). The algorithm is chosen by the allowlist and the key,
// never by the token alone, which closes alg=none and RSA/HMAC confusion. Parsing is
// strict (duplicate names, invalid UTF-8 and non-canonical encodings rejected) so that
// this package and any other reader of the same token agree on its content.
//
// # Implementation
//
// JSON (headers, payloads, discovery documents) is decoded with
// github.com/go-json-experiment/json, the implementation of the proposed encoding/json/v2.
// It rejects duplicate member names and invalid UTF-8 by default, matches names exactly
// (encoding/json would fill a field tagged "scope" from "Scope" or "ſcope", and keep the
// last of two "scope" members), and is faster than encoding/json. It will be replaced by
// encoding/json/v2 once that package no longer needs GOEXPERIMENT=jsonv2; the behaviour
// relied on here is that package's default.
//
// The compact JWS step (segments, header, key selection, signature) is written here on
// the standard library's crypto/rsa, crypto/ecdsa and crypto/ed25519, so the algorithm
// is always the allowlist's and the key's, never chosen by a library from the token.
// github.com/lestrrat-go/jwx/v3 parses and checks JWK set members (RSA sizes, EC points
// on their curve) and is not used on the request path: the jwk of a DPoP proof, read on
// every request, is parsed with the standard library alone. The hand-written JWS step is
// tested against the Project Wycheproof JWS and JWK vectors, which include the RFC 7520
// examples (testdata/wycheproof), and tokens signed by jwx in the other tests.
//
// # Concurrency
//
// A [DPoPChecker] is safe for concurrent use; its replay cache takes one lock per
// accepted proof, after the signature is verified.
//
// A [Validator] is safe for concurrent use. Keys are swapped atomically; at most one
// fetch runs at a time and callers needing it wait for it (bounded by their own ctx)
// while it runs detached from their cancellation. Validate does not start goroutines
// except for that one fetch and, with Config.Introspection, one introspection request per
// token not cached, shared by the callers presenting that token, bounded by
// Introspection.Timeout, and at most Introspection.MaxConcurrent of them at a time. [Claims] are immutable and may be shared between requests.
//
// # Performance
//
// A token seen before is answered from a bounded cache of verified tokens (on by
// default, Config.CacheSize) without allocation. On a miss the cost is dominated by the
// signature verification itself; see the benchmarks in this package. An introspected
// token seen before is answered from its own cache without allocation, after hashing the
// token (SHA-256); on a miss the cost is the endpoint's round trip. A DPoP proof is
// never cached (each is new): [DPoPChecker.Check] costs about what a miss does, again
// mostly its signature verification (BenchmarkDPoPCheck reports the ratio).
package validator

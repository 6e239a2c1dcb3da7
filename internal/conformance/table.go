package conformance

import (
	"time"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

// row is one row of the table: a request and the answer every adapter gives it.
type row struct {
	// Name names the row's subtest.
	Name string
	// Method and Path are the request's method and target.
	Method, Path string
	// Authorization lists the request's Authorization header values (none if empty), in
	// which "$token" stands for the token Token describes.
	Authorization []string
	// Token describes the token written for "$token"; unused when no header names it.
	Token token
	// APIKey is the X-API-Key header ("" for none): "good-key" is valid, any other value
	// invalid.
	APIKey string
	// Header holds more request headers, by name. Default: none.
	Header map[string]string
	// Operation is the operationId of the operation the request's route is bound to, ""
	// for none: the audit record's, and the handler expected to answer when Want.Ran.
	Operation string
	// Only restricts the row to one validator arrangement; by default it runs in both.
	Only arrangement
	// IntrospectionDown makes the main issuer's introspection endpoint answer 503 while
	// the request is served. Default: it answers normally.
	IntrospectionDown bool
	// Want is the answer.
	Want want
	// Proof, if set, describes the request's DPoP header.
	Proof *proof
	// HeadAsGet, for a HEAD request on a path with only a GET route, is the answer of a
	// router that serves HEAD with the GET route (Router.HeadAsGet) instead of Want.
	HeadAsGet *want
}

// arrangement is how the validators are configured: Run runs the table once with
// oneValidator, once with perScheme.
type arrangement int

const (
	// everyArrangement, in row.Only, runs the row in both arrangements.
	everyArrangement arrangement = iota
	// oneValidator: Setup.Validator validates every bearer scheme's tokens (the
	// partners scheme trusts the main issuer).
	oneValidator
	// perScheme: the partners scheme has a validator of its own, for an issuer whose
	// key set cannot be fetched.
	perScheme
	// dpopNonces: the DPoP checker requires server nonces, and DPoPBaseURL is empty: the
	// URL of proofs is built from the request. Only the rows restricted to it run.
	dpopNonces
)

// signer names who signs a token.
type signer int

const (
	// signerMain is the issuer the default validator trusts.
	signerMain signer = iota
	// signerPartners is the partners scheme's issuer, whose key set cannot be fetched.
	signerPartners
	// signerForged signs with a key the main issuer never published, under the kid of
	// the main issuer's ES256 key: a signature that does not verify.
	signerForged
)

// token describes a token. The zero value is a valid token of signerMain for the
// default subject, without scopes, roles or permissions.
type token struct {
	// Issuer signs the token. Default: signerMain.
	Issuer signer
	// Subject is the sub claim. Default: axiomstest.DefaultSubject ("user-1").
	Subject string
	// Scope is the scope claim (space-separated), Roles and Permissions the roles and
	// permissions claims (space-separated here, written as arrays). Default: absent.
	Scope, Roles, Permissions string
	// Expired mints the token with an exp an hour before the clock (beyond any leeway).
	Expired bool
	// Audience is the aud claim. Default: the issuer's audience.
	Audience string
	// ACR is the acr claim as JSON text (`"urn:example:mfa"`, `["urn:example:mfa"]`,
	// `2`, `null`). Default: absent.
	ACR string
	// AuthAge, when not zero, writes the auth_time claim: the clock's time minus AuthAge,
	// in seconds since the epoch (a negative AuthAge is a time ahead of the clock).
	// Default: absent.
	AuthAge time.Duration
	// AuthTimeText writes auth_time as a JSON string of those seconds instead of a
	// number. Default: false.
	AuthTimeText bool
	// Opaque mints, with the same claims, an opaque token the main validator
	// introspects instead of a JWT (see opaque.go). Default: a JWT.
	Opaque opacity
	// Bound binds the token to the DPoP key of the proofs (cnf.jkt). Default: not bound.
	Bound bool
}

// proof describes the DPoP header of a request. The zero value is one valid proof: signed
// (ES256) by the key bound tokens are bound to, htm the row's method, htu the URL the
// client addresses (the setup's DPoPBaseURL, else http:// and the request's host,
// followed by the path without query), ath the hash of the row's token, iat the clock's
// time, a fresh jti.
type proof struct {
	// Method and URL replace htm and htu.
	Method, URL string
	// Token, if set, is the token whose hash is ath, instead of the row's.
	Token *token
	// OtherKey signs with a DPoP key no token is bound to.
	OtherKey bool
	// Alg "none" leaves the proof unsigned; "HS256" signs it with HMAC.
	Alg string
	// Age sets iat this long before the clock's time.
	Age time.Duration
	// Oversized pads the proof beyond the checker's default size limit.
	Oversized bool
	// Twice sends two DPoP headers, each a valid proof.
	Twice bool
	// Nonce is the nonce claim.
	Nonce string
	// CurrentNonce sets the nonce claim to the nonce the checker issues now.
	CurrentNonce bool
	// Replay sends the request twice with the same proof: the first must be allowed,
	// and Want is the answer to the second.
	Replay bool
	// RetryWithNonce sends the request first without a nonce, which must be answered
	// 401 use_dpop_nonce with a DPoP-Nonce header; Want is the answer to the request
	// sent again with a fresh proof carrying that nonce.
	RetryWithNonce bool
}

// want is the answer to a request.
type want struct {
	// Status is the response status.
	Status int
	// Challenge is the exact WWW-Authenticate header, "" for none.
	Challenge string
	// RetryAfter is the exact Retry-After header, "" for none.
	RetryAfter string
	// Error is the "error" member of the JSON body, "" when the body has none (a
	// handler's answer, an owner loader's, the router's). A denial's body has exactly
	// "error" and a non-empty "error_description", and a 4xx denial carries
	// Cache-Control: no-store. The body of a HEAD response is not read.
	Error string
	// Outcome and Reason are the audit record's ("allowed", "denied", ...); Outcome is ""
	// when the adapter records no decision (the router answered by itself).
	Outcome, Reason string
	// Ran says that the handler of the row's Operation answered.
	Ran bool
	// Subject is the sub of the principal the handler saw, and of the audit record of a
	// request let through; "" when anonymous.
	Subject string
	// Object is the ID of the object the owner loader handed the handler, "" for none.
	Object string
	// Nonce says that the answer carries a DPoP-Nonce header.
	Nonce bool
}

// Authorization header values.
var (
	bearer      = []string{"Bearer $token"}
	twoHeaders  = []string{"Bearer $token", "Bearer $token"}
	bearerAlone = []string{"Bearer"}
	twoTokens   = []string{"Bearer a.b.c d.e.f"}
	notToken68  = []string{`Bearer a.b.c"`}
	notAJWT     = []string{"Bearer not.a.token"}
	basic       = []string{"Basic dXNlcjpwYXNz"}
)

// Subjects the handlers see.
const (
	defaultUser = axiomstest.DefaultSubject
	keyClient   = "api-key-client" // a valid API key's
)

// challengeNone is the challenge without an error code: no credentials, or invalid
// ones of a scheme that is not a bearer scheme.
const challengeNone = `Bearer realm="api"`

// denied is the RFC 6750 answer with the error code code (the challenge's and the
// body's), the error_description desc and the audit reason reason.
func denied(status int, code, desc, reason string) want {
	return want{Status: status, Challenge: challengeNone + `, error="` + code + `", error_description="` + desc + `"`,
		Error: code, Outcome: "denied", Reason: reason}
}

// invalidToken is the answer to a token refused with the validator reason reason,
// whose error says desc.
func invalidToken(desc, reason string) want { return denied(401, "invalid_token", desc, reason) }

// missingScope is the answer to a token without the scopes of any alternative; scope
// lists those of the closest one.
func missingScope(scope string) want {
	w := denied(403, "insufficient_scope", "the access token lacks a required scope", "insufficient_scope")
	w.Challenge += `, scope="` + scope + `"`
	return w
}

// DPoP (RFC 9449) Authorization values, and the algs attribute of DPoP challenges.
var (
	dpopScheme = []string{"DPoP $token"}
	dpopAlgs   = `algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"`
)

// dpopDenied is the RFC 9449 §7.1 answer: denied as by denied, in the DPoP scheme.
func dpopDenied(status int, code, desc, reason string) want {
	w := denied(status, code, desc, reason)
	w.Challenge = `DPoP realm="api", error="` + code + `", error_description="` + desc + `", ` + dpopAlgs
	return w
}

// badProof is the answer to a refused DPoP proof.
func badProof(desc, reason string) want { return dpopDenied(401, "invalid_dpop_proof", desc, reason) }

// DPoP answers shared by several rows.
var (
	dpopMissingToken = want{Status: 401, Challenge: `DPoP realm="api", ` + dpopAlgs, Error: "unauthorized", Outcome: "denied", Reason: "missing_token"}
	boundAsBearer    = denied(401, "invalid_token", "the access token is DPoP-bound: present it with the DPoP scheme and a proof", "dpop_bound_token")
	dpopRequired     = dpopDenied(401, "invalid_token", "the operation requires a DPoP-bound access token with the DPoP scheme and a proof", "dpop_required")
	proofMissing     = badProof("the DPoP proof is missing", "invalid_dpop_proof")
	wrongURL         = badProof("DPoP proof htu does not match the request URL", "invalid_dpop_proof")
	bound            = token{Bound: true}
)

// stepUp is the RFC 9470 answer to a token whose acr (acrFailed) or else auth_time falls
// short of what the operation declares: acrValues its x-axioms-acr (space-separated, ""
// for none) and maxAge its x-axioms-max-age ("" for none).
func stepUp(acrFailed bool, acrValues, maxAge string) want {
	desc := "the authentication is too old"
	if acrFailed {
		desc = "a stronger authentication is required"
	}
	w := denied(401, "insufficient_user_authentication", desc, "insufficient_user_authentication")
	if acrValues != "" {
		w.Challenge += `, acr_values="` + acrValues + `"`
	}
	if maxAge != "" {
		w.Challenge += `, max_age="` + maxAge + `"`
	}
	return w
}

// acr claims, as token.ACR writes them.
const (
	acrMFA = `"urn:example:mfa"`
	acrHWK = `"urn:example:hwk"`
	acrPwd = `"urn:example:pwd"`
)

// Answers shared by several rows.
var (
	missingToken   = want{Status: 401, Challenge: challengeNone, Error: "unauthorized", Outcome: "denied", Reason: "missing_token"}
	invalidKey     = want{Status: 401, Challenge: challengeNone, Error: "unauthorized", Outcome: "denied", Reason: "invalid_credentials"}
	bearerNoToken  = denied(400, "invalid_request", "the Bearer scheme carries no token", "invalid_request")
	notSingleToken = denied(400, "invalid_request", "the bearer token is not a single token68 value", "invalid_request")
	expired        = invalidToken("token expired", "expired")
	wrongIssuer    = invalidToken("untrusted issuer", "wrong_issuer")
	missingRole    = denied(403, "insufficient_permission", "the access token lacks a required role", "insufficient_permission")
	missingPerm    = denied(403, "insufficient_permission", "the access token lacks a required permission", "insufficient_permission")
	notOwner       = denied(403, "insufficient_permission", "the caller does not own this resource", "not_owner")
	undocumented   = want{Status: 403, Error: "forbidden", Outcome: "denied", Reason: "undocumented_route"}
	keysDown       = want{Status: 503, RetryAfter: "30", Error: "temporarily_unavailable", Outcome: "denied", Reason: "keys_unavailable"}
	public         = want{Status: 200, Outcome: "public", Ran: true}
	anonymous      = want{Status: 200, Outcome: "anonymous", Ran: true}
	allowed        = want{Status: 200, Outcome: "allowed", Ran: true, Subject: defaultUser}
	allowedKey     = want{Status: 200, Outcome: "allowed", Ran: true, Subject: keyClient}
	weakAuth       = stepUp(true, "urn:example:mfa urn:example:hwk", "") // GET /account/security
	oldAuth        = stepUp(false, "", "300")                            // GET /account/sessions
	notAllowed     = want{Status: 405}                                   // the router's own answer: no decision, no handler
	notFound       = want{Status: 404}
)

// table is the table: every request Run sends, with the answer every adapter must give.
var table = []row{
	// A public operation: no check at all, whatever the request carries.
	{Name: "public/no credentials", Method: "GET", Path: "/health", Operation: "health", Want: public},
	{Name: "public/valid token", Method: "GET", Path: "/health", Authorization: bearer, Operation: "health", Want: public},
	{Name: "public/expired token", Method: "GET", Path: "/health", Authorization: bearer, Token: token{Expired: true}, Operation: "health", Want: public},
	{Name: "public/Bearer alone", Method: "GET", Path: "/health", Authorization: bearerAlone, Operation: "health", Want: public},

	// A required token: no credentials (401), a malformed header (400), an invalid token (401).
	{Name: "required/no credentials", Method: "GET", Path: "/protected", Operation: "protected", Want: missingToken},
	{Name: "required/another scheme", Method: "GET", Path: "/protected", Authorization: basic, Operation: "protected", Want: missingToken},
	{Name: "required/scheme without its space", Method: "GET", Path: "/protected", Authorization: []string{"Bearerx"}, Operation: "protected", Want: missingToken},
	{Name: "required/token in the query string", Method: "GET", Path: "/protected?access_token=a.b.c", Operation: "protected", Want: missingToken},
	{Name: "required/valid token", Method: "GET", Path: "/protected", Authorization: bearer, Operation: "protected", Want: allowed},
	{Name: "required/scheme in lower case", Method: "GET", Path: "/protected", Authorization: []string{"bearer $token"}, Operation: "protected", Want: allowed},
	{Name: "required/Bearer alone", Method: "GET", Path: "/protected", Authorization: bearerAlone, Operation: "protected", Want: bearerNoToken},
	{Name: "required/Bearer and spaces", Method: "GET", Path: "/protected", Authorization: []string{"Bearer   "}, Operation: "protected", Want: bearerNoToken},
	{Name: "required/two tokens", Method: "GET", Path: "/protected", Authorization: twoTokens, Operation: "protected", Want: notSingleToken},
	{Name: "required/characters outside token68", Method: "GET", Path: "/protected", Authorization: notToken68, Operation: "protected", Want: notSingleToken},
	{Name: "required/two Authorization headers", Method: "GET", Path: "/protected", Authorization: twoHeaders, Operation: "protected",
		Want: denied(400, "invalid_request", "more than one Authorization header", "invalid_request")},
	{Name: "required/not a JWT", Method: "GET", Path: "/protected", Authorization: notAJWT, Operation: "protected",
		Want: invalidToken("token segment is not canonical base64url", "malformed")},
	{Name: "required/expired token", Method: "GET", Path: "/protected", Authorization: bearer, Token: token{Expired: true}, Operation: "protected", Want: expired},
	{Name: "required/wrong audience", Method: "GET", Path: "/protected", Authorization: bearer, Token: token{Audience: "https://other.example.test"}, Operation: "protected",
		Want: invalidToken("token not intended for this audience", "wrong_audience")},
	{Name: "required/bad signature", Method: "GET", Path: "/protected", Authorization: bearer, Token: token{Issuer: signerForged}, Operation: "protected",
		Want: invalidToken("signature verification failed", "bad_signature")},
	{Name: "required/another issuer's token", Method: "GET", Path: "/protected", Authorization: bearer, Token: token{Issuer: signerPartners}, Operation: "protected", Want: wrongIssuer},

	// Optional authentication: anonymous without credentials, but presented ones must be valid.
	{Name: "optional/no credentials", Method: "GET", Path: "/public-data", Operation: "publicData", Want: anonymous},
	{Name: "optional/valid token", Method: "GET", Path: "/public-data", Authorization: bearer, Operation: "publicData", Want: allowed},
	{Name: "optional/expired token", Method: "GET", Path: "/public-data", Authorization: bearer, Token: token{Expired: true}, Operation: "publicData", Want: expired},
	{Name: "optional/Bearer alone", Method: "GET", Path: "/public-data", Authorization: bearerAlone, Operation: "publicData", Want: bearerNoToken},
	{Name: "optional/another issuer's token", Method: "GET", Path: "/public-data", Authorization: bearer, Token: token{Issuer: signerPartners}, Operation: "publicData", Want: wrongIssuer},
	{Name: "optional/another scheme", Method: "GET", Path: "/public-data", Authorization: basic, Operation: "publicData", Want: anonymous},

	// Scopes: alternatives (OR) of scope sets (AND).
	{Name: "scopes/first alternative", Method: "GET", Path: "/api/read", Authorization: bearer, Token: token{Scope: "read:data"}, Operation: "readData", Want: allowed},
	{Name: "scopes/second alternative", Method: "GET", Path: "/api/read", Authorization: bearer, Token: token{Scope: "admin"}, Operation: "readData", Want: allowed},
	{Name: "scopes/neither alternative", Method: "GET", Path: "/api/read", Authorization: bearer, Token: token{Scope: "openid"}, Operation: "readData", Want: missingScope("read:data")},
	{Name: "scopes/compared exactly", Method: "GET", Path: "/api/read", Authorization: bearer, Token: token{Scope: "READ:DATA read:data-admin"}, Operation: "readData", Want: missingScope("read:data")},
	{Name: "scopes/all of a set", Method: "GET", Path: "/api/write", Authorization: bearer, Token: token{Scope: "write:data openid"}, Operation: "writeData", Want: allowed},
	{Name: "scopes/part of a set", Method: "GET", Path: "/api/write", Authorization: bearer, Token: token{Scope: "write:data"}, Operation: "writeData", Want: missingScope("write:data openid")},
	{Name: "scopes/none", Method: "GET", Path: "/api/write", Authorization: bearer, Operation: "writeData", Want: missingScope("write:data openid")},

	// Roles and permissions.
	{Name: "roles/any of, none held", Method: "GET", Path: "/admin/users", Authorization: bearer, Operation: "listUsers", Want: missingRole},
	{Name: "roles/any of, one held", Method: "GET", Path: "/admin/users", Authorization: bearer, Token: token{Roles: "superuser"}, Operation: "listUsers", Want: allowed},
	{Name: "roles/all of, one held", Method: "DELETE", Path: "/admin/users/user-9", Authorization: bearer, Token: token{Roles: "admin"}, Operation: "deleteUser", Want: missingRole},
	{Name: "roles/all of, all held", Method: "DELETE", Path: "/admin/users/user-9", Authorization: bearer, Token: token{Roles: "admin superuser"}, Operation: "deleteUser", Want: allowed},
	{Name: "permissions/missing", Method: "POST", Path: "/api/resource", Authorization: bearer, Token: token{Permissions: "resource:read"}, Operation: "createResource", Want: missingPerm},
	{Name: "permissions/held", Method: "POST", Path: "/api/resource", Authorization: bearer, Token: token{Permissions: "resource:create"}, Operation: "createResource", Want: allowed},
	{Name: "strict/everything held", Method: "GET", Path: "/api/strict", Authorization: bearer, Token: token{Scope: "profile", Roles: "editor", Permissions: "resource:write"}, Operation: "strict", Want: allowed},
	{Name: "strict/scope missing", Method: "GET", Path: "/api/strict", Authorization: bearer, Token: token{Roles: "editor", Permissions: "resource:write"}, Operation: "strict", Want: missingScope("openid")},
	{Name: "strict/role missing", Method: "GET", Path: "/api/strict", Authorization: bearer, Token: token{Scope: "openid", Permissions: "resource:write"}, Operation: "strict", Want: missingRole},
	{Name: "strict/permission missing", Method: "GET", Path: "/api/strict", Authorization: bearer, Token: token{Scope: "openid", Roles: "editor"}, Operation: "strict", Want: missingPerm},

	// Ownership, parameter form.
	{Name: "owner param/the owner", Method: "GET", Path: "/users/user-1/profile", Authorization: bearer, Operation: "getProfile", Want: allowed},
	{Name: "owner param/someone else", Method: "GET", Path: "/users/user-2/profile", Authorization: bearer, Operation: "getProfile", Want: notOwner},
	{Name: "owner param/compared exactly", Method: "GET", Path: "/users/USER-1/profile", Authorization: bearer, Operation: "getProfile", Want: notOwner},
	{Name: "owner param/no credentials", Method: "GET", Path: "/users/user-1/profile", Operation: "getProfile", Want: missingToken},

	// Ownership, loader form: the loader runs only for authenticated callers.
	{Name: "owner loader/the owner", Method: "GET", Path: "/articles/1", Authorization: bearer, Operation: "getArticle",
		Want: want{Status: 200, Outcome: "allowed", Ran: true, Subject: defaultUser, Object: "1"}},
	{Name: "owner loader/someone else's", Method: "GET", Path: "/articles/2", Authorization: bearer, Operation: "getArticle", Want: notOwner},
	{Name: "owner loader/not found", Method: "GET", Path: "/articles/404", Authorization: bearer, Operation: "getArticle",
		Want: want{Status: 404, Outcome: "denied", Reason: "owner_loader"}},
	{Name: "owner loader/loader failure", Method: "GET", Path: "/articles/broken", Authorization: bearer, Operation: "getArticle",
		Want: want{Status: 500, Outcome: "denied", Reason: "server_error"}},
	{Name: "owner loader/not found, no credentials", Method: "GET", Path: "/articles/404", Operation: "getArticle", Want: missingToken},
	{Name: "owner loader/not found, expired token", Method: "GET", Path: "/articles/404", Authorization: bearer, Token: token{Expired: true}, Operation: "getArticle", Want: expired},

	// Several schemes: an API key OR a token with a scope; an API key AND a token; an
	// optional API key.
	{Name: "multi-scheme/API key alone", Method: "GET", Path: "/reports", APIKey: "good-key", Operation: "listReports", Want: allowedKey},
	{Name: "multi-scheme/bearer alone", Method: "GET", Path: "/reports", Authorization: bearer, Token: token{Scope: "reports:read"}, Operation: "listReports", Want: allowed},
	{Name: "multi-scheme/both", Method: "GET", Path: "/reports", Authorization: bearer, Token: token{Scope: "reports:read"}, APIKey: "good-key", Operation: "listReports", Want: allowedKey},
	{Name: "multi-scheme/invalid bearer, valid key", Method: "GET", Path: "/reports", Authorization: bearer, Token: token{Expired: true}, APIKey: "good-key", Operation: "listReports", Want: expired},
	{Name: "multi-scheme/valid bearer, invalid key", Method: "GET", Path: "/reports", Authorization: bearer, Token: token{Scope: "reports:read"}, APIKey: "bad-key", Operation: "listReports", Want: invalidKey},
	{Name: "multi-scheme/invalid key alone", Method: "GET", Path: "/reports", APIKey: "bad-key", Operation: "listReports", Want: invalidKey},
	{Name: "multi-scheme/no credentials", Method: "GET", Path: "/reports", Operation: "listReports", Want: missingToken},
	{Name: "multi-scheme/bearer without the scope", Method: "GET", Path: "/reports", Authorization: bearer, Operation: "listReports", Want: missingScope("reports:read")},
	{Name: "multi-scheme/key and token", Method: "GET", Path: "/reports/export", Authorization: bearer, APIKey: "good-key", Operation: "exportReports", Want: allowed},
	{Name: "multi-scheme/key without token", Method: "GET", Path: "/reports/export", APIKey: "good-key", Operation: "exportReports", Want: missingToken},
	{Name: "multi-scheme/token without key", Method: "GET", Path: "/reports/export", Authorization: bearer, Operation: "exportReports", Want: missingToken},

	{Name: "multi-scheme/optional key, none", Method: "GET", Path: "/reports/summary", Operation: "reportSummary", Want: anonymous},
	{Name: "multi-scheme/optional key, valid", Method: "GET", Path: "/reports/summary", APIKey: "good-key", Operation: "reportSummary", Want: allowedKey},
	{Name: "multi-scheme/optional key, invalid", Method: "GET", Path: "/reports/summary", APIKey: "bad-key", Operation: "reportSummary", Want: invalidKey},

	// Step-up (RFC 9470), declared on the operation: the acr claim must be a string equal
	// to one of x-axioms-acr's values; scopes are decided first.
	{Name: "step-up acr/first value", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{Scope: "read:data", ACR: acrMFA}, Operation: "accountSecurity", Want: allowed},
	{Name: "step-up acr/second value", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{Scope: "read:data", ACR: acrHWK}, Operation: "accountSecurity", Want: allowed},
	{Name: "step-up acr/missing", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{Scope: "read:data"}, Operation: "accountSecurity", Want: weakAuth},
	{Name: "step-up acr/another value", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{Scope: "read:data", ACR: acrPwd}, Operation: "accountSecurity", Want: weakAuth},
	{Name: "step-up acr/compared exactly", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{Scope: "read:data", ACR: `"URN:EXAMPLE:MFA"`}, Operation: "accountSecurity", Want: weakAuth},
	{Name: "step-up acr/an array", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{Scope: "read:data", ACR: `["urn:example:mfa"]`}, Operation: "accountSecurity", Want: weakAuth},
	{Name: "step-up acr/a number", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{Scope: "read:data", ACR: `2`}, Operation: "accountSecurity", Want: weakAuth},
	{Name: "step-up acr/null", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{Scope: "read:data", ACR: `null`}, Operation: "accountSecurity", Want: weakAuth},
	{Name: "step-up acr/scope missing too", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{ACR: acrPwd}, Operation: "accountSecurity", Want: missingScope("read:data")},
	{Name: "step-up acr/scope missing, acr held", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{ACR: acrMFA}, Operation: "accountSecurity", Want: missingScope("read:data")},
	{Name: "step-up acr/no credentials", Method: "GET", Path: "/account/security", Operation: "accountSecurity", Want: missingToken},
	{Name: "step-up acr/expired token with the acr", Method: "GET", Path: "/account/security", Authorization: bearer, Token: token{Scope: "read:data", ACR: acrMFA, Expired: true}, Operation: "accountSecurity", Want: expired},

	// Step-up on the operation: auth_time must be a number at most x-axioms-max-age
	// seconds before the validator's clock, and not ahead of it by more than the leeway (30 s).
	{Name: "step-up max-age/a minute old", Method: "GET", Path: "/account/sessions", Authorization: bearer, Token: token{AuthAge: time.Minute}, Operation: "listSessions", Want: allowed},
	{Name: "step-up max-age/exactly max-age old", Method: "GET", Path: "/account/sessions", Authorization: bearer, Token: token{AuthAge: 300 * time.Second}, Operation: "listSessions", Want: allowed},
	{Name: "step-up max-age/a second too old", Method: "GET", Path: "/account/sessions", Authorization: bearer, Token: token{AuthAge: 301 * time.Second}, Operation: "listSessions", Want: oldAuth},
	{Name: "step-up max-age/hours old", Method: "GET", Path: "/account/sessions", Authorization: bearer, Token: token{AuthAge: 2 * time.Hour}, Operation: "listSessions", Want: oldAuth},
	{Name: "step-up max-age/missing", Method: "GET", Path: "/account/sessions", Authorization: bearer, Operation: "listSessions", Want: oldAuth},
	{Name: "step-up max-age/a string", Method: "GET", Path: "/account/sessions", Authorization: bearer, Token: token{AuthAge: time.Minute, AuthTimeText: true}, Operation: "listSessions", Want: oldAuth},
	{Name: "step-up max-age/ahead within the leeway", Method: "GET", Path: "/account/sessions", Authorization: bearer, Token: token{AuthAge: -30 * time.Second}, Operation: "listSessions", Want: allowed},
	{Name: "step-up max-age/ahead beyond the leeway", Method: "GET", Path: "/account/sessions", Authorization: bearer, Token: token{AuthAge: -31 * time.Second}, Operation: "listSessions", Want: oldAuth},
	{Name: "step-up max-age/an acr does not replace it", Method: "GET", Path: "/account/sessions", Authorization: bearer, Token: token{ACR: acrMFA}, Operation: "listSessions", Want: oldAuth},
	{Name: "step-up max-age/no credentials", Method: "GET", Path: "/account/sessions", Operation: "listSessions", Want: missingToken},

	// Step-up declared on the path item (acr urn:example:hwk, max-age 60): the challenge
	// names both; the acr is judged first. DELETE declares its own acr and a role; roles
	// are decided before step-up.
	{Name: "step-up path item/both met", Method: "GET", Path: "/account/keys", Authorization: bearer, Token: token{ACR: acrHWK, AuthAge: 10 * time.Second}, Operation: "listKeys", Want: allowed},
	{Name: "step-up path item/acr fails", Method: "GET", Path: "/account/keys", Authorization: bearer, Token: token{ACR: acrMFA, AuthAge: 10 * time.Second}, Operation: "listKeys",
		Want: stepUp(true, "urn:example:hwk", "60")},
	{Name: "step-up path item/too old", Method: "GET", Path: "/account/keys", Authorization: bearer, Token: token{ACR: acrHWK, AuthAge: 61 * time.Second}, Operation: "listKeys",
		Want: stepUp(false, "urn:example:hwk", "60")},
	{Name: "step-up path item/both fail", Method: "GET", Path: "/account/keys", Authorization: bearer, Token: token{AuthAge: time.Hour}, Operation: "listKeys",
		Want: stepUp(true, "urn:example:hwk", "60")},
	{Name: "step-up path item/operation's own acr met", Method: "DELETE", Path: "/account/keys", Authorization: bearer, Token: token{Roles: "admin", ACR: acrMFA, AuthAge: 10 * time.Second}, Operation: "deleteKeys", Want: allowed},
	{Name: "step-up path item/the path item's acr no longer suffices", Method: "DELETE", Path: "/account/keys", Authorization: bearer, Token: token{Roles: "admin", ACR: acrHWK, AuthAge: 10 * time.Second}, Operation: "deleteKeys",
		Want: stepUp(true, "urn:example:mfa", "60")},
	{Name: "step-up path item/inherited max-age", Method: "DELETE", Path: "/account/keys", Authorization: bearer, Token: token{Roles: "admin", ACR: acrMFA, AuthAge: 61 * time.Second}, Operation: "deleteKeys",
		Want: stepUp(false, "urn:example:mfa", "60")},
	{Name: "step-up path item/role missing too", Method: "DELETE", Path: "/account/keys", Authorization: bearer, Token: token{ACR: acrPwd}, Operation: "deleteKeys", Want: missingRole},

	// A second bearer scheme: with a validator of its own, its issuer's key set cannot be fetched.
	{Name: "partners/main issuer's token, one validator", Method: "GET", Path: "/partners/orders", Authorization: bearer, Operation: "partnerOrders", Only: oneValidator, Want: allowed},
	{Name: "partners/keys unavailable", Method: "GET", Path: "/partners/orders", Authorization: bearer, Token: token{Issuer: signerPartners}, Operation: "partnerOrders", Only: perScheme, Want: keysDown},
	{Name: "partners/no credentials", Method: "GET", Path: "/partners/orders", Operation: "partnerOrders", Want: missingToken},
	{Name: "partners/main issuer's token, own validator", Method: "GET", Path: "/partners/orders", Authorization: bearer, Operation: "partnerOrders", Only: perScheme, Want: wrongIssuer},

	// DPoP (RFC 9449), required: a DPoP-bound token with the DPoP scheme and exactly one valid proof.
	{Name: "dpop/valid proof", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{}, Operation: "dpopOrders", Want: allowed},
	{Name: "dpop/scheme in lower case", Method: "GET", Path: "/dpop/orders", Authorization: []string{"dpop $token"}, Token: bound, Proof: &proof{}, Operation: "dpopOrders", Want: allowed},
	{Name: "dpop/query not in htu", Method: "GET", Path: "/dpop/orders?page=2", Authorization: dpopScheme, Token: bound, Proof: &proof{}, Operation: "dpopOrders", Want: allowed},
	{Name: "dpop/behind a proxy, proof for the external URL", Method: "GET", Path: "http://internal:8080/dpop/orders", Authorization: dpopScheme, Token: bound,
		Proof: &proof{URL: baseURL + "/dpop/orders"}, Operation: "dpopOrders", Want: allowed},
	{Name: "dpop/behind a proxy, proof for the internal URL", Method: "GET", Path: "http://internal:8080/dpop/orders", Authorization: dpopScheme, Token: bound,
		Proof: &proof{URL: "http://internal:8080/dpop/orders"}, Operation: "dpopOrders", Want: wrongURL},
	{Name: "dpop/no credentials", Method: "GET", Path: "/dpop/orders", Operation: "dpopOrders", Want: dpopMissingToken},
	{Name: "dpop/another scheme", Method: "GET", Path: "/dpop/orders", Authorization: basic, Operation: "dpopOrders", Want: dpopMissingToken},
	{Name: "dpop/proof missing", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Operation: "dpopOrders", Want: proofMissing},
	{Name: "dpop/two proofs", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{Twice: true}, Operation: "dpopOrders",
		Want: badProof("more than one DPoP proof", "invalid_dpop_proof")},
	{Name: "dpop/replayed proof", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{Replay: true}, Operation: "dpopOrders",
		Want: badProof("DPoP proof has already been used", "dpop_replayed")},
	{Name: "dpop/proof for another method", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{Method: "POST"}, Operation: "dpopOrders",
		Want: badProof("DPoP proof htm does not match the request method", "invalid_dpop_proof")},
	{Name: "dpop/proof for another path", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{URL: baseURL + "/dpop/either"}, Operation: "dpopOrders", Want: wrongURL},
	{Name: "dpop/proof for another host", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{URL: "https://other.example.test/dpop/orders"}, Operation: "dpopOrders", Want: wrongURL},
	{Name: "dpop/proof for another token", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{Token: &token{Bound: true, Subject: "user-2"}}, Operation: "dpopOrders",
		Want: badProof("DPoP proof ath does not match the access token", "invalid_dpop_proof")},
	{Name: "dpop/proof key is not cnf.jkt", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{OtherKey: true}, Operation: "dpopOrders",
		Want: badProof("DPoP proof key does not match the access token's cnf.jkt", "dpop_key_mismatch")},
	{Name: "dpop/unsigned proof", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{Alg: "none"}, Operation: "dpopOrders",
		Want: badProof("DPoP proof signing algorithm not allowed", "invalid_dpop_proof")},
	{Name: "dpop/HMAC proof", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{Alg: "HS256"}, Operation: "dpopOrders",
		Want: badProof("DPoP proof signing algorithm not allowed", "invalid_dpop_proof")},
	{Name: "dpop/oversized proof", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{Oversized: true}, Operation: "dpopOrders",
		Want: badProof("DPoP proof exceeds the size limit", "invalid_dpop_proof")},
	{Name: "dpop/stale proof", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{Age: 10 * time.Minute}, Operation: "dpopOrders",
		Want: badProof("DPoP proof is too old (iat)", "invalid_dpop_proof")},
	{Name: "dpop/token without cnf", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Proof: &proof{}, Operation: "dpopOrders",
		Want: badProof("access token is not bound to a DPoP key (no cnf.jkt)", "dpop_key_mismatch")},
	{Name: "dpop/expired token", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: token{Bound: true, Expired: true}, Proof: &proof{}, Operation: "dpopOrders",
		Want: dpopDenied(401, "invalid_token", "token expired", "expired")},
	{Name: "dpop/bound token as Bearer", Method: "GET", Path: "/dpop/orders", Authorization: bearer, Token: bound, Proof: &proof{}, Operation: "dpopOrders", Want: boundAsBearer},
	{Name: "dpop/token as Bearer", Method: "GET", Path: "/dpop/orders", Authorization: bearer, Operation: "dpopOrders", Want: dpopRequired},
	{Name: "dpop/DPoP alone", Method: "GET", Path: "/dpop/orders", Authorization: []string{"DPoP"}, Operation: "dpopOrders",
		Want: dpopDenied(400, "invalid_request", "the DPoP scheme carries no token", "invalid_request")},
	{Name: "dpop/two tokens", Method: "GET", Path: "/dpop/orders", Authorization: []string{"DPoP a.b.c d.e.f"}, Operation: "dpopOrders",
		Want: dpopDenied(400, "invalid_request", "the DPoP access token is not a single token68 value", "invalid_request")},
	{Name: "dpop/scope held", Method: "POST", Path: "/dpop/orders", Authorization: dpopScheme, Token: token{Bound: true, Scope: "orders:write"}, Proof: &proof{}, Operation: "createDpopOrder", Want: allowed},
	{Name: "dpop/scope missing", Method: "POST", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{}, Operation: "createDpopOrder",
		Want: want{Status: 403, Challenge: `DPoP realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="orders:write", ` + dpopAlgs,
			Error: "insufficient_scope", Outcome: "denied", Reason: "insufficient_scope"}},

	// DPoP allowed: DPoP as above, or Bearer with a token that is not DPoP-bound.
	{Name: "dpop allowed/valid proof", Method: "GET", Path: "/dpop/either", Authorization: dpopScheme, Token: bound, Proof: &proof{}, Operation: "dpopEither", Want: allowed},
	{Name: "dpop allowed/token as Bearer", Method: "GET", Path: "/dpop/either", Authorization: bearer, Operation: "dpopEither", Want: allowed},
	{Name: "dpop allowed/bound token as Bearer", Method: "GET", Path: "/dpop/either", Authorization: bearer, Token: bound, Operation: "dpopEither", Want: boundAsBearer},
	{Name: "dpop allowed/proof missing", Method: "GET", Path: "/dpop/either", Authorization: dpopScheme, Token: bound, Operation: "dpopEither", Want: proofMissing},
	{Name: "dpop allowed/no credentials", Method: "GET", Path: "/dpop/either", Operation: "dpopEither",
		Want: want{Status: 401, Challenge: `Bearer realm="api" | DPoP realm="api", ` + dpopAlgs, Error: "unauthorized", Outcome: "denied", Reason: "missing_token"}},

	// Schemes without x-axioms-dpop: a DPoP-bound token as Bearer is refused; the DPoP
	// scheme is another scheme.
	{Name: "dpop elsewhere/bound token as Bearer", Method: "GET", Path: "/protected", Authorization: bearer, Token: bound, Operation: "protected", Want: boundAsBearer},
	{Name: "dpop elsewhere/bound token as Bearer, optional", Method: "GET", Path: "/public-data", Authorization: bearer, Token: bound, Operation: "publicData", Want: boundAsBearer},
	{Name: "dpop elsewhere/DPoP scheme", Method: "GET", Path: "/protected", Authorization: dpopScheme, Token: bound, Proof: &proof{}, Operation: "protected", Want: missingToken},

	// Server nonces (RFC 9449 §8), and the URL built from the request without DPoPBaseURL.
	{Name: "dpop nonce/retry with the nonce", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{RetryWithNonce: true}, Operation: "dpopOrders", Only: dpopNonces, Want: allowed},
	{Name: "dpop nonce/no nonce", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{}, Operation: "dpopOrders", Only: dpopNonces,
		Want: want{Status: 401, Challenge: `DPoP realm="api", error="use_dpop_nonce", error_description="DPoP proof lacks the server nonce", ` + dpopAlgs,
			Error: "use_dpop_nonce", Outcome: "denied", Reason: "use_dpop_nonce", Nonce: true}},
	{Name: "dpop nonce/unknown nonce", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Proof: &proof{Nonce: "made-up"}, Operation: "dpopOrders", Only: dpopNonces,
		Want: want{Status: 401, Challenge: `DPoP realm="api", error="use_dpop_nonce", error_description="DPoP proof nonce is unknown or expired", ` + dpopAlgs,
			Error: "use_dpop_nonce", Outcome: "denied", Reason: "use_dpop_nonce", Nonce: true}},
	{Name: "dpop nonce/proof for the external URL, without DPoPBaseURL", Method: "GET", Path: "http://internal:8080/dpop/orders", Authorization: dpopScheme, Token: bound,
		Proof: &proof{URL: baseURL + "/dpop/orders", CurrentNonce: true}, Operation: "dpopOrders", Only: dpopNonces, Want: wrongURL},
	{Name: "dpop nonce/forwarding headers ignored, proof for the forwarded URL", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Header: forwarded,
		Proof: &proof{URL: baseURL + "/dpop/orders", CurrentNonce: true}, Operation: "dpopOrders", Only: dpopNonces, Want: wrongURL},
	{Name: "dpop nonce/forwarding headers ignored, proof for the request's URL", Method: "GET", Path: "/dpop/orders", Authorization: dpopScheme, Token: bound, Header: forwarded,
		Proof: &proof{CurrentNonce: true}, Operation: "dpopOrders", Only: dpopNonces, Want: allowed},
	{Name: "dpop nonce/Bearer answers unchanged", Method: "GET", Path: "/protected", Authorization: bearer, Operation: "protected", Only: dpopNonces, Want: allowed},

	// Routes without an operation, and requests the router answers by itself.
	{Name: "undocumented/route", Method: "GET", Path: "/undocumented", Want: undocumented},
	{Name: "undocumented/route, valid token", Method: "GET", Path: "/undocumented", Authorization: bearer, Want: undocumented},
	{Name: "undocumented/method of a documented path", Method: "PUT", Path: "/protected", Authorization: bearer, Want: undocumented},
	{Name: "undocumented/OPTIONS handler", Method: "OPTIONS", Path: "/articles/1", Want: undocumented},
	{Name: "unrouted/method without a route", Method: "DELETE", Path: "/protected", Authorization: bearer, Want: notAllowed},
	{Name: "unrouted/path without a route", Method: "GET", Path: "/nowhere", Authorization: bearer, Want: notFound},
	{Name: "HEAD on a GET route/valid token", Method: "HEAD", Path: "/protected", Authorization: bearer, Operation: "protected", Want: notAllowed, HeadAsGet: &allowed},
	{Name: "HEAD on a GET route/no credentials", Method: "HEAD", Path: "/protected", Operation: "protected", Want: notAllowed, HeadAsGet: &missingToken},
}

// forwarded are the headers a proxy may set about the URL the client addressed: the
// client's word too when no proxy sets them, so the URL of proofs never comes from them
// (Config.DPoPBaseURL is the external URL).
var forwarded = map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example.test", "X-Forwarded-Port": "443",
	"X-Forwarded-Prefix": "/", "X-Forwarded-Ssl": "on", "X-Url-Scheme": "https", "Forwarded": "proto=https;host=api.example.test"}

// undocumentedRoutes lists the routes the application registers without an operation.
var undocumentedRoutes = []Route{
	{Method: "GET", Path: "/undocumented", Name: "GET /undocumented"},
	{Method: "PUT", Path: "/protected", Name: "PUT /protected"},
	{Method: "OPTIONS", Path: "/articles/{article_id}", Name: "OPTIONS /articles/{article_id}"},
}

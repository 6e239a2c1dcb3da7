package conformance

import (
	"net/http"
	"testing"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

// opacity says whether a token is a JWT or an opaque token the main validator
// introspects (RFC 7662), in token.Opaque.
type opacity int

const (
	// jwt: a signed JWT, validated locally. The default.
	jwt opacity = iota
	// opaqueActive: an opaque token of the main issuer (axiomstest's
	// Issuer.OpaqueToken), whose introspection endpoint answers it with its claims.
	opaqueActive
	// opaqueRevoked: an opaque token the main issuer revoked (Issuer.Revoke): the
	// endpoint answers {"active": false}.
	opaqueRevoked
)

// introspectionDown is the answer to an opaque token while the introspection endpoint
// fails: unjudged, 503 with Retry-After and no challenge, never a 200 nor a 401.
var introspectionDown = want{Status: 503, RetryAfter: "30", Error: "temporarily_unavailable", Outcome: "denied", Reason: "introspection_unavailable"}

// opaqueRows are the rows of opaque tokens, introspected by the main validator: the
// same rules as JWTs (scopes, roles, owner), inactive tokens refused as invalid, and an
// endpoint that fails answered 503. Each token description is used by one row only
// where its answer is not the same in every arrangement (the validators are shared by
// both, and cache introspection answers).
var opaqueRows = []row{
	{Name: "opaque/active", Method: "GET", Path: "/protected", Authorization: bearer, Token: token{Opaque: opaqueActive}, Operation: "protected", Want: allowed},
	{Name: "opaque/active with the scope", Method: "GET", Path: "/api/read", Authorization: bearer, Token: token{Opaque: opaqueActive, Scope: "read:data"}, Operation: "readData", Want: allowed},
	{Name: "opaque/without the scope", Method: "GET", Path: "/api/read", Authorization: bearer, Token: token{Opaque: opaqueActive, Scope: "openid"}, Operation: "readData", Want: missingScope("read:data")},
	{Name: "opaque/part of a scope set", Method: "GET", Path: "/api/write", Authorization: bearer, Token: token{Opaque: opaqueActive, Scope: "write:data"}, Operation: "writeData", Want: missingScope("write:data openid")},
	{Name: "opaque/role held", Method: "GET", Path: "/admin/users", Authorization: bearer, Token: token{Opaque: opaqueActive, Roles: "superuser"}, Operation: "listUsers", Want: allowed},
	{Name: "opaque/role missing", Method: "GET", Path: "/admin/users", Authorization: bearer, Token: token{Opaque: opaqueActive, Roles: "editor"}, Operation: "listUsers", Want: missingRole},
	{Name: "opaque/the owner", Method: "GET", Path: "/users/user-1/profile", Authorization: bearer, Token: token{Opaque: opaqueActive}, Operation: "getProfile", Want: allowed},
	{Name: "opaque/not the owner", Method: "GET", Path: "/users/user-2/profile", Authorization: bearer, Token: token{Opaque: opaqueActive}, Operation: "getProfile", Want: notOwner},
	{Name: "opaque/revoked", Method: "GET", Path: "/api/read", Authorization: bearer, Token: token{Opaque: opaqueRevoked, Scope: "read:data"}, Operation: "readData", Want: inactive},
	{Name: "opaque/expired at the issuer", Method: "GET", Path: "/protected", Authorization: bearer, Token: token{Opaque: opaqueActive, Expired: true}, Operation: "protected", Want: inactive},
	{Name: "opaque/revoked, optional authentication", Method: "GET", Path: "/public-data", Authorization: bearer, Token: token{Opaque: opaqueRevoked}, Operation: "publicData", Want: inactive},
	{Name: "opaque/unknown to the issuer", Method: "GET", Path: "/protected", Authorization: []string{"Bearer " + axiomstest.OpaqueTokenPrefix + "never-issued"}, Operation: "protected", Want: inactive},
	{Name: "opaque/endpoint failing", Method: "GET", Path: "/api/read", Authorization: bearer, Token: token{Opaque: opaqueActive, Scope: "read:data", Subject: "user-unjudged"},
		Operation: "readData", IntrospectionDown: true, Want: introspectionDown},
	{Name: "opaque/endpoint failing, optional authentication", Method: "GET", Path: "/public-data", Authorization: bearer, Token: token{Opaque: opaqueActive, Subject: "user-unjudged"},
		Operation: "publicData", IntrospectionDown: true, Want: introspectionDown},
}

// inactive is the answer to an opaque token the introspection endpoint says is not
// active (revoked, expired, or never issued).
var inactive = invalidToken("token is not active", "inactive")

func init() { table = append(table, opaqueRows...) }

// opaqueToken mints the opaque token tok describes, with claims, at the main issuer.
func (env *environment) opaqueToken(t *testing.T, tok token, claims map[string]any) string {
	if tok.Issuer != signerMain {
		t.Fatalf("an opaque token is the main issuer's: %+v", tok)
	}
	s := env.main.OpaqueToken(t, claims)
	if tok.Opaque == opaqueRevoked {
		env.main.Revoke(s)
	}
	return s
}

// failIntrospection makes the main issuer's introspection endpoint fail (503) when r
// says so, and returns the function ending the fault.
func (env *environment) failIntrospection(r row) func() {
	if !r.IntrospectionDown {
		return func() {}
	}
	env.main.FailIntrospection(axiomstest.Fault{Status: http.StatusServiceUnavailable})
	return env.main.ClearFaults
}

// Package axiomstest runs an in-process OpenID Connect issuer for tests: it serves a
// discovery document and a JWKS over loopback HTTP (httptest), mints signed access tokens
// with any claims and header, rotates keys, and injects faults into the JWKS endpoint
// while counting fetches.
//
//	func TestProtected(t *testing.T) {
//		iss := axiomstest.NewIssuer(t)
//		v, err := validator.New(t.Context(), iss.ValidatorConfig())
//		...
//		token := iss.Token(t, map[string]any{"scope": "read:data"})
//		req.Header.Set("Authorization", "Bearer "+token)
//	}
//
// Tokens default to iss = [Issuer.URL], aud = [Issuer.Audience], sub = "user-1",
// iat = nbf = now, exp = now + TokenTTL, a random jti, header {alg, kid, typ: "JWT"}.
// Any default can be overridden, or removed with [Omit].
//
// # Security
//
// For tests only: keys are generated in memory, the server is plain HTTP on loopback,
// and tokens can be minted with any content, including deliberately broken ones. To let
// test suites start many issuers quickly, the default RSA key may be shared between the
// issuers of one test binary (RSA generation is slow); key IDs, issuer URLs and every
// other key are unique per issuer.
//
// # Concurrency
//
// Every method of [Issuer] is safe for concurrent use, including while the server answers
// requests. The server is closed by the test's cleanup.
package axiomstest

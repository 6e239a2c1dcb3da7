// Package axiomstest runs an in-process OpenID Connect issuer for tests: it serves a
// discovery document and a JWK set over loopback HTTP (net/http/httptest), mints
// signed access tokens with any claims and header, rotates and withdraws keys, and
// injects faults into the JWK set endpoint while counting fetches.
//
//	func TestProtected(t *testing.T) {
//		iss := axiomstest.NewIssuer(t)          // closed when the test ends
//		v := iss.Validator(t)                   // trusts iss, by OIDC discovery
//		token := iss.Token(t, map[string]any{"scope": "read:data"})
//		req.Header.Set("Authorization", "Bearer "+token)
//		...
//	}
//
// Outside a test (an Example, a development server), [Start] starts the same issuer and
// returns errors instead of failing a test; [Issuer.Mint], [Issuer.NewValidator],
// [Issuer.RotateKey] and [GenerateKey] are the error-returning forms of TokenWith,
// Validator, Rotate and NewKey, and the caller calls [Issuer.Close]:
//
//	iss, err := axiomstest.Start(axiomstest.IssuerConfig{})
//	if err != nil { ... }
//	defer iss.Close()
//	token, err := iss.Mint(axiomstest.TokenSpec{Claims: map[string]any{"sub": "alice"}})
//
// # Request flow
//
// What a validator trusting the issuer does, and what the issuer answers:
//
//  1. Discovery: the validator fetches {URL}/.well-known/openid-configuration once and
//     reads jwks_uri ([Issuer.JWKSURL]); with DisableDiscovery it gets 404 and falls
//     back to {URL}/.well-known/jwks.json, the same URL. [Issuer.DiscoveryFetches]
//     counts these requests.
//  2. JWKS: the validator fetches the JWK set: the public JWK of every published key,
//     in publication order, with the Cache-Control of IssuerConfig.CacheControl, or the
//     answer of the [Fault] in effect. [Issuer.JWKSFetches] counts these requests.
//     [Issuer.Rotate], [Issuer.Publish] and [Issuer.RemoveKey] change what the next
//     fetch returns; validators see it when they refetch (on an unknown kid, or their
//     refresh interval).
//  3. Minting: [Issuer.Token] / [Issuer.TokenWith] sign tokens in process with the
//     current key of the algorithm (no HTTP involved), with the default claims below;
//     the validator verifies them with the keys of step 2.
//
// # Endpoints
//
//	GET {URL}/.well-known/openid-configuration   discovery: issuer, jwks_uri, ... (404 with DisableDiscovery)
//	GET {URL}/.well-known/jwks.json              the JWK set ([Issuer.JWKSURL]), subject to [Fault]s
//
// Anything else answers 404.
//
// # Tokens
//
// [Issuer.Token] and [Issuer.TokenWith] mint compact JWS tokens. Unless told otherwise
// the header is {"alg": <key alg>, "kid": <key ID>, "typ": "JWT"} and the claims are
//
//	iss  Issuer.URL()          aud  Issuer.Audience()     sub  DefaultSubject ("user-1")
//	iat  now                   nbf  now                   exp  now + TokenTTL (1h)
//	jti  random
//
// where now comes from IssuerConfig.Now. Any default can be replaced, or removed with
// [Omit]. [TokenSpec] also crafts tokens a validator must reject: foreign keys, a kid
// or alg that lies, embedded keys, verbatim header and payload bytes (duplicate
// members, invalid UTF-8), non-canonical base64url segments, HMAC signatures keyed with
// a public key, and unsigned ("alg":"none") tokens.
//
// # Security
//
// For tests only: keys live in memory, the server is plain HTTP on loopback, and
// tokens can be minted with any content. RSA key generation is slow, so the RSA private
// key behind the RS* and PS* keys an issuer starts with is generated once per test
// binary and shared by every issuer (each publishes it under its own random kid). Keys
// from [Issuer.Rotate] and [NewKey] are always fresh, as are all ECDSA and Ed25519
// keys. A test that needs two issuers with distinct RSA key material rotates one of
// them.
//
// # Concurrency
//
// Every method of [Issuer] and [Key] is safe for concurrent use, including while the
// server answers requests: tests may mint, rotate, publish and inject faults from many
// goroutines while validators fetch. Methods that take a testing.TB report failures
// with tb.Fatalf, so, as with testing.TB itself, a failure must happen on the test's
// own goroutine to stop the test cleanly. The server is closed by the cleanup of the
// test that created the issuer, or by [Issuer.Close] for an issuer from [Start]; a fetch
// held back by [Fault.Delay] is released at that point, so closing never hangs.
package axiomstest

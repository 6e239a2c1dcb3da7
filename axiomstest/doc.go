// Package axiomstest runs an in-process OpenID Connect issuer for tests: it serves a
// discovery document and a JWK set over loopback HTTP (net/http/httptest), mints
// signed access tokens with any claims and header, rotates and withdraws keys, mints
// opaque tokens its introspection endpoint (RFC 7662) describes, and injects faults
// into the JWK set and introspection endpoints while counting requests. The same issuer,
// with a key file and a token endpoint, is the development issuer of the axioms
// command and of the example service.
//
//	func TestProtected(t *testing.T) {
//		iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{}) // closed when the test ends
//		v := iss.Validator(t)                                      // trusts iss, by OIDC discovery
//		token := iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "read:data"}})
//		req.Header.Set("Authorization", "Bearer "+token)
//		...
//	}
//
// # Naming
//
// One rule names everything that can fail:
//
//   - The test form has the plain name and takes a testing.TB first: [NewIssuer],
//     [Issuer.Token], [Issuer.Validator], [Issuer.Rotate], [NewKey]. It fails the test
//     with tb.Fatal on error and registers what it starts with tb.Cleanup. An
//     operation that has options takes them as one struct whose zero value means the
//     defaults ([IssuerConfig], [TokenSpec]).
//   - A program that is not a test (a development server, an Example) uses the
//     error-returning form: the same name with the suffix Err, the same arguments
//     without the testing.TB, and the error last. Only the operations such a program
//     needs have one: [NewIssuerErr] (the caller then calls [Issuer.Close]),
//     [Issuer.TokenErr], and for a DPoP client [NewDPoPKeyErr] and
//     [DPoPKey.ProofErr]. Outside a test, build a validator with
//     validator.New(ctx, iss.ValidatorConfig()).
//   - Methods that cannot fail take no testing.TB; those that can fail only through
//     misuse ([Issuer.Publish] of nil, an invalid [Fault]) panic.
//
// An Example, or any program:
//
//	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{})
//	if err != nil { ... }
//	defer iss.Close()
//	token, err := iss.TokenErr(axiomstest.TokenSpec{Claims: map[string]any{"sub": "alice"}})
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
//  3. Minting: [Issuer.Token] signs tokens in process with the current key of the
//     algorithm (no HTTP involved), with the default claims below; the validator
//     verifies them with the keys of step 2.
//  4. Introspection: [Issuer.OpaqueToken] mints an opaque token (no dot) in process; a
//     validator with validator.Config.Introspection set (to &validator.Introspection{}
//     for the endpoint of discovery) posts it to {URL}/introspect
//     ([Issuer.IntrospectionURL]), which answers its claims with "active": true until
//     exp or [Issuer.Revoke], {"active": false} for any other token, or the answer of
//     the introspection [Fault] in effect ([Issuer.FailIntrospection]).
//     [Issuer.IntrospectionFetches] counts these requests. With
//     IssuerConfig.IntrospectionClientID and IntrospectionClientSecret the endpoint
//     requires them (client_secret_basic or client_secret_post), else 401.
//
// # Endpoints
//
//	GET  {URL}/.well-known/openid-configuration   discovery: issuer, jwks_uri, ... (404 with DisableDiscovery)
//	GET  {URL}/.well-known/jwks.json              the JWK set ([Issuer.JWKSURL]), subject to [Fault]s
//	POST {URL}/introspect                         token introspection ([Issuer.IntrospectionURL]), subject to its own [Fault]s
//	POST {URL}/token                              with TokenEndpoint only: mints a token, see below
//	GET  {URL}/                                   with TokenEndpoint only: how to get a token
//
// Anything else answers 404.
//
// # Tokens
//
// [Issuer.Token] mints compact JWS tokens. Unless told otherwise the header is
// {"alg": <key alg>, "kid": <key ID>, "typ": "JWT"} and the claims are
//
//	iss  Issuer.URL()          aud  Issuer.Audience()     sub  DefaultSubject ("user-1")
//	iat  now                   nbf  now                   exp  now + TokenTTL (1h)
//	jti  random
//
// where now comes from IssuerConfig.Now (a [Clock] makes it settable). Any default can
// be replaced, or removed with [Omit], for every token (IssuerConfig.Header and
// Claims) or for one (TokenSpec.Header and Claims). [TokenSpec] also crafts tokens a
// validator must reject: foreign keys, a kid or alg that lies, embedded keys, verbatim
// header and payload bytes (duplicate members, invalid UTF-8), non-canonical base64url
// segments, HMAC signatures keyed with a public key, and unsigned ("alg":"none")
// tokens.
//
// # DPoP
//
// A [DPoPKey] is a client's DPoP key (RFC 9449): TokenSpec.DPoPKey binds a token to it
// (the claim "cnf": {"jkt": <its RFC 7638 thumbprint>}) and [DPoPKey.Proof] signs the
// proof a request carries in its DPoP header, sent with "Authorization: DPoP <token>":
//
//	k := axiomstest.NewDPoPKey(t, "ES256")
//	token := iss.Token(t, axiomstest.TokenSpec{DPoPKey: k})
//	proof := k.Proof(t, axiomstest.ProofSpec{Method: "GET", URL: "https://api.example.com/orders", AccessToken: token})
//	req.Header.Set("Authorization", "DPoP "+token)
//	req.Header.Set("DPoP", proof)
//
// [ProofSpec] also crafts the proofs a server must refuse: any header member or claim
// replaced or removed (typ, alg, jwk, htm, htu, iat, jti, ath, nonce), verbatim header
// and payload bytes, HMAC-signed and unsigned proofs.
//
// # Development issuer
//
// IssuerConfig.Addr, KeyFile and TokenEndpoint make the issuer a development issuer
// for a program started with [NewIssuerErr]: it listens on a fixed address, keeps its
// one signing key in a file (a private JWK, mode 0600) so that restarts keep tokens
// valid, and answers POST /token, which takes a JSON object of claims, mints a token
// with them as [Issuer.Token] does, and answers
//
//	{"access_token": "<token>", "token_type": "Bearer", "expires_in": <seconds>}
//
// with Cache-Control: no-store. The lifetime is TokenTTL, or "expires_in" (a positive
// number of seconds, removed from the claims) in the request, or the expiry itself as
// an "exp" claim (a number, not together with expires_in): an exp in the past mints an
// already expired token, answered with "expires_in": 0, for testing refusals. A
// lifetime over 30 days, a body over 64 KiB or anything but a JSON object of claims
// is answered 400 {"error":"invalid_request","error_description":"..."}.
//
// It authenticates nobody: whoever reaches it gets tokens with any claims. Programs
// that start one print [DevelopmentWarning]; never expose it beyond loopback and never
// trust it in a deployment.
//
// # Security
//
// For tests and development only: keys live in memory (or in a plain key file), the
// server is plain HTTP, and tokens can be minted with any content. RSA key generation
// is slow, so the RSA private key behind the RS* and PS* keys an issuer starts with is
// generated once per binary and shared by every issuer (each publishes it under its
// own random kid). Keys from [Issuer.Rotate] and [NewKey] are always fresh, as are all
// ECDSA and Ed25519 keys and a new KeyFile's key. A test that needs two issuers with
// distinct RSA key material rotates one of them.
//
// # Concurrency
//
// Every method of [Issuer], [Key] and [Clock] is safe for concurrent use, including
// while the server answers requests: tests may mint, rotate, publish and inject faults
// from many goroutines while validators fetch. Methods that take a testing.TB report
// failures with tb.Fatal, so, as with testing.TB itself, a failure must happen on the
// test's own goroutine to stop the test cleanly. The server is closed by the cleanup
// of the test that created the issuer, or by [Issuer.Close] for an issuer from
// [NewIssuerErr]; a fetch held back by [Fault.Delay] is released at that point, so
// closing never hangs.
package axiomstest

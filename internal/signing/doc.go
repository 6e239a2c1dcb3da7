// Package signing generates JWS signing keys, encodes them as JWKs and JWK sets, and
// signs compact JWS tokens with the standard library.
//
// It serves the test issuer (package axiomstest, which the CLI's development issuer and
// token commands run on). The flow is:
//
//	k, _ := signing.Generate("ES256", "")                  // kid = RFC 7638 thumbprint
//	set, _ := signing.JWKS(k)                                // {"keys":[{public JWK}]}
//	tok, _ := k.Sign(map[string]any{"typ": "JWT"}, claims) // header {alg, kid, typ}
//
// Signatures follow RFC 7518 §3 and RFC 8037:
//
//	alg                    key         signature
//	RS256, RS384, RS512    RSA         RSASSA-PKCS1-v1_5 with SHA-2
//	PS256, PS384, PS512    RSA         RSASSA-PSS with SHA-2, MGF1 with the same hash, salt as long as the hash
//	ES256, ES384, ES512    P-256/384/521  fixed-width big-endian R||S (32, 48 or 66 bytes each)
//	EdDSA                  Ed25519     Ed25519 (RFC 8032)
//	HS256, HS384, HS512    []byte      HMAC with SHA-2 (SignHMAC only; never a Key)
//
// The lower-level functions ([SignRaw], [SignSegments], [Signature], [SignHMAC]) sign
// whatever bytes they are given, verbatim: duplicate JSON members, invalid UTF-8,
// non-canonical base64url, an alg header that names another algorithm. That is what
// makes them useful to build crafted tokens for tests.
//
// # Security
//
// This package only produces signatures; it never verifies one and must never be used
// to. Private keys exist in memory only, except where a caller writes [Key.PrivateJWK]
// to a file of its choosing. [Key.PublicJWK] and [JWKS] are built from the public half
// of a key and so can never carry private members. Keys are generated with
// crypto/rand: RSA keys have [RSABits] bits.
//
// # Concurrency
//
// Every function is safe for concurrent use. A [Key] is a plain value: once its fields
// are set and it is shared, its methods are safe for concurrent use as long as nobody
// modifies the fields.
package signing

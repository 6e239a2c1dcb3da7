package axiomstest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// An issuer that validates the tokens it mints. In a test, axiomstest.NewIssuer(t, cfg)
// and iss.Token(t, spec) do the same and close the issuer when the test ends; outside a
// test, as here, NewIssuerErr and TokenErr return errors and Close is the caller's.
func Example() {
	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{})
	if err != nil {
		panic(err)
	}
	defer iss.Close()

	v, err := validator.New(context.Background(), iss.ValidatorConfig())
	if err != nil {
		panic(err)
	}
	token, err := iss.TokenErr(axiomstest.TokenSpec{Claims: map[string]any{
		"sub":   "alice",
		"scope": "read:data write:data",
	}})
	if err != nil {
		panic(err)
	}
	claims, err := v.Validate(context.Background(), token)
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.Subject(), claims.Scopes())

	foreign, err := iss.TokenErr(axiomstest.TokenSpec{Claims: map[string]any{"aud": "https://other.example"}})
	if err != nil {
		panic(err)
	}
	_, err = v.Validate(context.Background(), foreign)
	fmt.Println(validator.ReasonOf(err))
	// Output:
	// alice [read:data write:data]
	// wrong_audience
}

// The JWK set an issuer serves, over loopback HTTP, after publishing another issuer's
// key (in a test, iss.Rotate(t, "ES256") would add a fresh key of its own).
func ExampleIssuer_JWKSURL() {
	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{Algorithms: []string{"ES256", "EdDSA"}})
	if err != nil {
		panic(err)
	}
	defer iss.Close()
	other, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	if err != nil {
		panic(err)
	}
	defer other.Close()
	iss.Publish(other.Key("ES256"))

	resp, err := http.Get(iss.JWKSURL())
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		panic(err)
	}
	var set struct {
		Keys []struct{ Kty, Alg, Use string }
	}
	if err := json.Unmarshal(body, &set); err != nil {
		panic(err)
	}
	fmt.Println(resp.Header.Get("Content-Type"), len(set.Keys), "keys")
	for _, k := range set.Keys {
		fmt.Println(k.Kty, k.Alg, k.Use)
	}
	fmt.Println("fetches:", iss.JWKSFetches())
	// Output:
	// application/jwk-set+json 3 keys
	// EC ES256 sig
	// OKP EdDSA sig
	// EC ES256 sig
	// fetches: 1
}

// A crafted token (Token in a test, TokenErr elsewhere): an attacker's key (here
// another issuer's; in a test, axiomstest.NewKey(t, "ES256")), claiming the issuer's
// kid, with an embedded key and no exp.
func ExampleIssuer_TokenErr() {
	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	if err != nil {
		panic(err)
	}
	defer iss.Close()
	other, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	if err != nil {
		panic(err)
	}
	defer other.Close()
	attacker := other.Key("ES256")

	token, err := iss.TokenErr(axiomstest.TokenSpec{
		Key:    attacker,
		KeyID:  iss.Key("ES256").ID(),
		Header: map[string]any{"typ": axiomstest.Omit, "jwk": json.RawMessage(attacker.PublicJWK())},
		Claims: map[string]any{"exp": axiomstest.Omit, "scope": "admin"},
	})
	if err != nil {
		panic(err)
	}

	parts := strings.Split(token, ".")
	var header, claims map[string]any
	for n, v := range []*map[string]any{&header, &claims} {
		b, _ := base64.RawURLEncoding.DecodeString(parts[n])
		json.Unmarshal(b, v)
	}
	fmt.Println("kid is the issuer's:", header["kid"] == iss.Key("ES256").ID())
	fmt.Println("typ:", header["typ"], "embedded jwk:", header["jwk"] != nil)
	fmt.Println("exp:", claims["exp"], "scope:", claims["scope"])
	// Output:
	// kid is the issuer's: true
	// typ: <nil> embedded jwk: true
	// exp: <nil> scope: admin
}

// A DPoP-bound token and the proofs a client sends with it (RFC 9449): the token's
// cnf.jkt names the client's key, and each request carries a proof signed by that key
// for its method and URL. A proof sent twice, or for another request, is refused.
func ExampleDPoPKey() {
	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{})
	if err != nil {
		panic(err)
	}
	defer iss.Close()
	v, err := validator.New(context.Background(), iss.ValidatorConfig())
	if err != nil {
		panic(err)
	}
	checker, err := validator.NewDPoPChecker(validator.DPoPConfig{})
	if err != nil {
		panic(err)
	}

	key, err := axiomstest.NewDPoPKeyErr("ES256")
	if err != nil {
		panic(err)
	}
	token, err := iss.TokenErr(axiomstest.TokenSpec{DPoPKey: key})
	if err != nil {
		panic(err)
	}
	// Sent as "Authorization: DPoP <token>" and "DPoP: <proof>".
	proof, err := key.ProofErr(axiomstest.ProofSpec{Method: "GET", URL: "https://api.example.com/orders", AccessToken: token})
	if err != nil {
		panic(err)
	}

	claims, err := v.Validate(context.Background(), token)
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.DPoPThumbprint() == key.Thumbprint())
	fmt.Println(checker.Check(proof, "GET", "https://api.example.com/orders", token, claims.DPoPThumbprint()))
	err = checker.Check(proof, "GET", "https://api.example.com/orders", token, claims.DPoPThumbprint())
	fmt.Println(validator.ReasonOf(err))
	// Output:
	// true
	// <nil>
	// dpop_replayed
}

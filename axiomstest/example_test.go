package axiomstest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// An issuer for a test: validate the tokens it mints.
func Example() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	iss := axiomstest.NewIssuer(t)

	v, err := validator.New(context.Background(), iss.ValidatorConfig())
	if err != nil {
		panic(err)
	}
	claims, err := v.Validate(context.Background(), iss.Token(t, map[string]any{
		"sub":   "alice",
		"scope": "read:data write:data",
	}))
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.Subject(), claims.Scopes())

	_, err = v.Validate(context.Background(), iss.Token(t, map[string]any{"aud": "https://other.example"}))
	fmt.Println(validator.ReasonOf(err))
	// Output:
	// alice [read:data write:data]
	// wrong_audience
}

// The JWK set an issuer serves, over loopback HTTP, after a key rotation.
func ExampleIssuer_JWKSURL() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	iss := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256", "EdDSA"}})
	iss.Rotate(t, "ES256")

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

// A crafted token: an attacker's key, claiming the issuer's kid, with an embedded key
// and no exp.
func ExampleIssuer_TokenWith() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	iss := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	attacker := axiomstest.NewKey(t, "ES256")

	token := iss.TokenWith(t, axiomstest.TokenSpec{
		Key:    attacker,
		KeyID:  iss.Key("ES256").ID(),
		Header: map[string]any{"typ": axiomstest.Omit, "jwk": json.RawMessage(attacker.PublicJWK())},
		Claims: map[string]any{"exp": axiomstest.Omit, "scope": "admin"},
	})

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

package axiomstest_test

import (
	"context"
	"fmt"
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
	fmt.Println(claims.Subject, claims.Scopes())

	_, err = v.Validate(context.Background(), iss.Token(t, map[string]any{"aud": "https://other.example"}))
	fmt.Println(validator.ReasonOf(err))
	// Output:
	// alice [read:data write:data]
	// wrong_audience
}

package echoaxioms_test

import (
	"testing"

	"github.com/axioms-go/axioms-echo/validator"
)

func newValidator(t *testing.T, cfg validator.Config) (*validator.Validator, error) {
	t.Helper()
	return validator.New(t.Context(), cfg)
}

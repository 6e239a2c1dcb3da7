package axiomstest

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/axioms-go/axioms-echo/validator"
)

// ValidatorConfig returns a validator.Config that trusts this issuer (found by OIDC
// discovery from [Issuer.URL]) for its audience, with every other field at its
// default, and a logger that discards the key-set warnings tests provoke on purpose.
func (i *Issuer) ValidatorConfig() validator.Config {
	return validator.Config{
		Issuer:    i.URL(),
		Audiences: []string{i.cfg.Audience},
		Logger:    slog.New(slog.DiscardHandler),
	}
}

// Validator returns a validator built from [Issuer.ValidatorConfig], failing the test
// if it cannot be built. It is [Issuer.NewValidator] for tests.
func (i *Issuer) Validator(tb testing.TB) *validator.Validator {
	tb.Helper()
	v, err := i.NewValidator(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// NewValidator returns a validator built from [Issuer.ValidatorConfig], or the error
// validator.New returned: [Issuer.Validator] without a test. ctx bounds the initial
// discovery, as for validator.New.
func (i *Issuer) NewValidator(ctx context.Context) (*validator.Validator, error) {
	v, err := validator.New(ctx, i.ValidatorConfig())
	if err != nil {
		return nil, fmt.Errorf("axiomstest: %w", err)
	}
	return v, nil
}

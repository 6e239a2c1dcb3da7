package axiomstest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/axioms-go/axioms-echo/validator"
)

// ValidatorConfig returns a validator.Config that trusts this issuer (found by OIDC
// discovery from [Issuer.URL]) for its audience, with every other field at its
// default, and a logger that discards the key-set warnings tests provoke on purpose.
// Outside a test, validator.New(ctx, iss.ValidatorConfig()) builds the validator.
func (i *Issuer) ValidatorConfig() validator.Config {
	return validator.Config{
		Issuer:    i.URL(),
		Audiences: []string{i.cfg.Audience},
		Logger:    slog.New(slog.DiscardHandler),
	}
}

// Validator returns a validator built from [Issuer.ValidatorConfig], failing the test
// if it cannot be built.
func (i *Issuer) Validator(tb testing.TB) *validator.Validator {
	tb.Helper()
	v, err := validator.New(context.Background(), i.ValidatorConfig())
	if err != nil {
		tb.Fatalf("axiomstest: %v", err)
	}
	return v
}

package echoaxioms

import (
	"context"
	"errors"
	"fmt"

	"github.com/axioms-go/axioms-echo/envconfig"
)

// EnvOptions tunes [ConfigFromEnv]: the document used when AXIOMS_SPEC is unset, how
// it is loaded, and where unknown AXIOMS_* names are logged. See envconfig.SetupOptions.
type EnvOptions = envconfig.SetupOptions

// ConfigFromEnv is the one-call setup for the common case: the validator is configured
// from the AXIOMS_* variables and the .env file (package envconfig), and the
// policies from the document at AXIOMS_SPEC (a file path; opts.DefaultSpec when unset).
// Complete the returned Config (owner loaders, hooks) and pass it to [WithConfig].
//
// It fails on a malformed .env file, a variable set but empty (AXIOMS_SPEC included: it
// never falls back to DefaultSpec), an invalid validator configuration (no issuer or
// audience, ...; the errors name the variables), or a document that does not load. An
// unknown AXIOMS_* name is logged to opts.Logger. The issuer being unreachable is not a
// failure: requests get 503 until its keys arrive. See envconfig.Setup.
func ConfigFromEnv(ctx context.Context, opts EnvOptions) (Config, error) {
	policies, v, err := envconfig.Setup(ctx, opts)
	if errors.Is(err, envconfig.ErrNoSpec) {
		return Config{}, fmt.Errorf("echoaxioms: %w", err)
	}
	if err != nil {
		return Config{}, err
	}
	return Config{Policies: policies, Validator: v}, nil
}

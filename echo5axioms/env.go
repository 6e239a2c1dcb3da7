package echo5axioms

import (
	"context"
	"errors"
	"fmt"

	"github.com/axioms-go/axioms-echo/envconfig"
)

// EnvOptions tunes [ConfigFromEnv]; see envconfig.SetupOptions.
type EnvOptions = envconfig.SetupOptions

// ConfigFromEnv is the one-call setup for the common case: a Config holding the
// policies of the document at AXIOMS_SPEC (opts.DefaultSpec when unset), a validator
// configured from the AXIOMS_* variables and the .env file, and the DPoP settings of
// AXIOMS_DPOP_BASE_URL and AXIOMS_DPOP_NONCE_SECRET, as envconfig.SetupSettings loads
// them, failing as it fails. Complete the Config (owner loaders, hooks) and pass it to
// [WithConfig]. The issuer being unreachable is not a failure: requests get 503 until
// its keys arrive.
func ConfigFromEnv(ctx context.Context, opts EnvOptions) (Config, error) {
	s, err := envconfig.SetupSettings(ctx, opts)
	if errors.Is(err, envconfig.ErrNoSpec) {
		return Config{}, fmt.Errorf("echo5axioms: %w", err)
	}
	if err != nil {
		return Config{}, err
	}
	return Config{Policies: s.Policies, Validator: s.Validator, DPoP: s.DPoP.Checker, DPoPBaseURL: s.DPoP.BaseURL}, nil
}

package httpaxioms

import (
	"context"
	"errors"
	"fmt"

	"github.com/axioms-go/axioms-echo/envconfig"
)

// EnvOptions tunes [ConfigFromEnv]; see envconfig.SetupOptions.
type EnvOptions = envconfig.SetupOptions

// ConfigFromEnv is the one-call setup for the common case: a Config holding the
// policies of the document at AXIOMS_SPEC (opts.DefaultSpec when unset) and a validator
// configured from the AXIOMS_* variables and the .env file, as envconfig.Setup loads
// them, failing as it fails. Complete the Config (owner loaders, hooks) and pass it to
// [NewMux] or [Config.Middleware]. The issuer being unreachable is not a failure:
// requests get 503 until its keys arrive.
func ConfigFromEnv(ctx context.Context, opts EnvOptions) (Config, error) {
	policies, v, err := envconfig.Setup(ctx, opts)
	if errors.Is(err, envconfig.ErrNoSpec) {
		return Config{}, fmt.Errorf("httpaxioms: %w", err)
	}
	if err != nil {
		return Config{}, err
	}
	return Config{Policies: policies, Validator: v}, nil
}

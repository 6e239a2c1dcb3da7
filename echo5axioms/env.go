package echo5axioms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/axioms-go/axioms-echo/envconfig"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// EnvOptions tunes [ConfigFromEnv].
type EnvOptions struct {
	// DefaultSpec is the OpenAPI document (YAML or JSON) used when AXIOMS_SPEC is unset,
	// e.g. a spec embedded with //go:embed. If nil, AXIOMS_SPEC is required.
	DefaultSpec []byte
	// Load tunes how the document is loaded (base path, external references).
	Load openapi.LoadOptions
	// Logger receives, at Warn, one record for each AXIOMS_* name set in the environment
	// or the .env file that is not a known variable (a misspelling, which would otherwise
	// be ignored), naming the closest known one. If nil, slog.Default().
	Logger *slog.Logger
}

// ConfigFromEnv is the one-call setup for the common case: the validator is configured
// from the AXIOMS_* variables and the .env file (package envconfig), and the
// policies from the document at AXIOMS_SPEC (a file path; opts.DefaultSpec when unset).
// Complete the returned Config (owner loaders, hooks) and pass it to [WithConfig].
//
// It fails on a malformed .env file, a variable set but empty (AXIOMS_SPEC included: it
// never falls back to DefaultSpec), an invalid validator configuration (no issuer or
// audience, ...; the errors name the variables), or a document that does not load. An
// unknown AXIOMS_* name is logged to opts.Logger. The issuer being unreachable is not a
// failure: requests get 503 until its keys arrive.
func ConfigFromEnv(ctx context.Context, opts EnvOptions) (Config, error) {
	env, err := envconfig.Load("")
	if err != nil {
		return Config{}, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	for _, w := range env.Unknown() {
		logger.Warn("axioms: " + w)
	}
	vcfg, err := env.ValidatorConfig()
	if err != nil {
		return Config{}, err
	}
	var policies *openapi.Policies
	path, ok, err := env.Get("AXIOMS_SPEC")
	if err != nil {
		return Config{}, err
	}
	if ok {
		policies, err = openapi.Load(path, opts.Load)
		if err != nil {
			return Config{}, fmt.Errorf("AXIOMS_SPEC %s: %w", path, err)
		}
	} else if opts.DefaultSpec != nil {
		policies, err = openapi.LoadData(opts.DefaultSpec, opts.Load)
		if err != nil {
			return Config{}, fmt.Errorf("default API document: %w", err)
		}
	} else {
		return Config{}, errors.New("echo5axioms: AXIOMS_SPEC is not set: name the OpenAPI document to enforce")
	}
	v, err := validator.New(ctx, vcfg)
	if err != nil {
		return Config{}, envconfig.Explain(err)
	}
	return Config{Policies: policies, Validator: v}, nil
}

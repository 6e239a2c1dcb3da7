package echoaxioms

import (
	"context"
	"errors"
	"fmt"

	"github.com/axioms-go/axioms-echo/internal/envconfig"
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
}

// ConfigFromEnv is the one-call setup for the common case: the validator is configured
// from the AXIOMS_* variables and the .env file (see validator.ConfigFromEnv), and the
// policies from the document at AXIOMS_SPEC (a file path; opts.DefaultSpec when unset).
// Complete the returned Config (owner loaders, hooks) and pass it to [WithConfig].
//
// It fails on a malformed .env file, an invalid validator configuration (no issuer or
// audience, ...), or a document that does not load. The issuer being unreachable is not a
// failure: requests get 503 until its keys arrive.
func ConfigFromEnv(ctx context.Context, opts EnvOptions) (Config, error) {
	src, err := envconfig.Load("")
	if err != nil {
		return Config{}, err
	}
	vcfg, err := validator.ConfigFromLookup(src.Lookup)
	if err != nil {
		return Config{}, err
	}
	var policies *openapi.Policies
	if path, ok := src.Lookup("AXIOMS_SPEC"); ok {
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
		return Config{}, errors.New("echoaxioms: AXIOMS_SPEC is not set: name the OpenAPI document to enforce")
	}
	v, err := validator.New(ctx, vcfg)
	if err != nil {
		return Config{}, err
	}
	return Config{Policies: policies, Validator: v}, nil
}

package envconfig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// ErrNoSpec is the error of [Setup] when AXIOMS_SPEC is unset and
// [SetupOptions].DefaultSpec is nil: there is no document to enforce.
var ErrNoSpec = errors.New("AXIOMS_SPEC is not set: name the OpenAPI document to enforce")

// SetupOptions tunes [Setup]. The zero value reads the document at AXIOMS_SPEC and logs
// to slog.Default().
type SetupOptions struct {
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

// Setup is the one-call setup of the adapters' ConfigFromEnv: the validator is
// configured from the AXIOMS_* variables and the .env file ([Load] with
// [DefaultFile]), and the policies from the document at AXIOMS_SPEC (a file path;
// opts.DefaultSpec when unset).
//
// It fails on a malformed .env file, a variable set but empty (AXIOMS_SPEC included: it
// never falls back to DefaultSpec), an invalid validator configuration (no issuer or
// audience, ...; the errors name the variables, see [Explain]), a document that does
// not load, or no document at all ([ErrNoSpec]). An unknown AXIOMS_* name is logged to
// opts.Logger. The issuer being unreachable is not a failure: the validator reports its
// keys unavailable until they arrive.
func Setup(ctx context.Context, opts SetupOptions) (*openapi.Policies, *validator.Validator, error) {
	env, err := Load("")
	if err != nil {
		return nil, nil, err
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
		return nil, nil, err
	}
	var policies *openapi.Policies
	path, ok, err := env.Get("AXIOMS_SPEC")
	if err != nil {
		return nil, nil, err
	}
	switch {
	case ok:
		if policies, err = openapi.Load(path, opts.Load); err != nil {
			return nil, nil, fmt.Errorf("AXIOMS_SPEC %s: %w", path, err)
		}
	case opts.DefaultSpec != nil:
		if policies, err = openapi.LoadData(opts.DefaultSpec, opts.Load); err != nil {
			return nil, nil, fmt.Errorf("default API document: %w", err)
		}
	default:
		return nil, nil, ErrNoSpec
	}
	v, err := validator.New(ctx, vcfg)
	if err != nil {
		return nil, nil, Explain(err)
	}
	return policies, v, nil
}

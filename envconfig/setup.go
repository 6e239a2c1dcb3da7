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
	s, err := SetupSettings(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	return s.Policies, s.Validator, nil
}

// Settings is what the AXIOMS_* variables and the document configure: what [Setup]
// returns, and the DPoP settings.
type Settings struct {
	// Policies are the policies of the document at AXIOMS_SPEC (or the default one).
	Policies *openapi.Policies
	// Validator is the validator the AXIOMS_* variables configure.
	Validator *validator.Validator
	// DPoP holds the AXIOMS_DPOP_* settings.
	DPoP DPoPSettings
}

// DPoPSettings are the DPoP (RFC 9449) settings of the AXIOMS_DPOP_* variables, for the
// adapters' Config.DPoPBaseURL and Config.DPoP.
type DPoPSettings struct {
	// BaseURL is AXIOMS_DPOP_BASE_URL, "" when unset (the middleware then builds each
	// request's URL from its scheme and Host header). The middleware checks it.
	BaseURL string
	// Checker is the proof checker with server nonces keyed by AXIOMS_DPOP_NONCE_SECRET,
	// and validator.NewDPoPChecker's defaults otherwise; nil when the variable is unset
	// (the middleware then builds a checker without nonces if the document uses DPoP).
	Checker *validator.DPoPChecker
}

// DPoP returns the settings of the AXIOMS_DPOP_* variables. It fails on a variable set
// but empty, and on a nonce secret shorter than validator.NewDPoPChecker accepts; the
// errors name the variable, never the secret.
func (e *Env) DPoP() (DPoPSettings, error) {
	var s DPoPSettings
	var errs []error
	base, ok, err := e.Get("AXIOMS_DPOP_BASE_URL")
	switch {
	case err != nil:
		errs = append(errs, err)
	case ok:
		s.BaseURL = base
	}
	secret, ok, err := e.Get("AXIOMS_DPOP_NONCE_SECRET")
	switch {
	case err != nil:
		errs = append(errs, err)
	case ok:
		c, err := validator.NewDPoPChecker(validator.DPoPConfig{NonceSecret: []byte(secret)})
		if err != nil {
			errs = append(errs, fmt.Errorf("AXIOMS_DPOP_NONCE_SECRET: %w", err))
		}
		s.Checker = c
	}
	if len(errs) > 0 {
		return DPoPSettings{}, errors.Join(errs...)
	}
	return s, nil
}

// SetupSettings is [Setup], also reading the AXIOMS_DPOP_* variables ([Env.DPoP]): the
// adapters' ConfigFromEnv call it. It fails as Setup fails, and on a malformed DPoP
// setting.
func SetupSettings(ctx context.Context, opts SetupOptions) (Settings, error) {
	env, err := Load("")
	if err != nil {
		return Settings{}, err
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
		return Settings{}, err
	}
	dpop, err := env.DPoP()
	if err != nil {
		return Settings{}, err
	}
	var policies *openapi.Policies
	path, ok, err := env.Get("AXIOMS_SPEC")
	if err != nil {
		return Settings{}, err
	}
	switch {
	case ok:
		if policies, err = openapi.Load(path, opts.Load); err != nil {
			return Settings{}, fmt.Errorf("AXIOMS_SPEC %s: %w", path, err)
		}
	case opts.DefaultSpec != nil:
		if policies, err = openapi.LoadData(opts.DefaultSpec, opts.Load); err != nil {
			return Settings{}, fmt.Errorf("default API document: %w", err)
		}
	default:
		return Settings{}, ErrNoSpec
	}
	v, err := validator.New(ctx, vcfg)
	if err != nil {
		return Settings{}, Explain(err)
	}
	return Settings{Policies: policies, Validator: v, DPoP: dpop}, nil
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/axioms-go/axioms-echo/envconfig"
	"github.com/axioms-go/axioms-echo/validator"
)

func init() {
	register(command{
		name:    "verify",
		summary: "validate one token exactly as the library does and explain the result",
		run:     runVerify,
	})
}

const verifySynopsis = `verify [flags] TOKEN|-

Validates TOKEN (or, with "-", the token read from standard input; a leading "Bearer "
is ignored) exactly as the library does, and prints one JSON object:
  valid:            {"valid":true,"claims":{...},"scopes":[...],"roles":[...],"permissions":[...]}
  invalid token:    {"valid":false,"error":"invalid_token","reason":"<code>","description":"..."}
  keys unavailable: {"valid":false,"error":"temporarily_unavailable","reason":"keys_unavailable","description":"..."}
A rejected token that decodes also gets an "unverified" member: what the token claims to be,
read without any check, so that "which issuer signed this, and for whom" needs no other tool:
  "unverified":{"note":"decoded from the token without verification: ...",
                "header":{"alg":"RS256","kid":"...","typ":"JWT"},
                "claims":{"iss":"...","aud":"...","exp":1767225600,"iat":1767222000}}
Only those members are shown, as the token wrote them; never trust them.
The reason codes and what each means: "Errors" in the validator package's documentation
(go doc github.com/axioms-go/axioms-echo/validator, or
https://pkg.go.dev/github.com/axioms-go/axioms-echo/validator#hdr-Errors).
keys_unavailable means the issuer's signing keys could not be fetched: the token was not
judged (an issuer outage is not an invalid token; the middleware answers 503), so the
error is "temporarily_unavailable" and the exit status 3, never 1. With --introspection
(opaque tokens, RFC 7662), introspection_unavailable is the same for the introspection
endpoint, and inactive an invalid token. The client secret is read from
AXIOMS_INTROSPECTION_CLIENT_SECRET only, never from a flag (which other users can see).
issuer_mismatch means the issuer's discovery document names another issuer than the
configured one (often a trailing slash apart): a configuration error, exit status 2, with
both spellings on stderr. It is usually found before the token is checked, and then no
JSON is printed; found while checking it, the output is that of keys unavailable with
reason "issuer_mismatch" (the middleware answers 503).
Flags fall back to the AXIOMS_* variables (and a .env file).
Exit status: 0 valid, 1 invalid token, 2 usage or configuration error (issuer_mismatch
included), 3 keys unavailable.`

// maxStdinToken bounds what verify reads from standard input.
const maxStdinToken = 1 << 20

// runVerify implements "axioms verify": it builds a validator from the flags, the
// AXIOMS_* variables and .env (with the verified-token cache off), validates one token
// and prints the outcome as JSON on stdout. An invalid token prints error
// "invalid_token" with its reason code and exits 1. When the signing keys cannot be
// obtained (reason keys_unavailable) the token was not judged: it prints error
// "temporarily_unavailable" and exits 3, so scripts can tell an issuer outage from a bad
// token. Usage and configuration errors go to stderr with exit status 2, and so does an
// issuer whose discovery document names another issuer (reason issuer_mismatch), which
// no retry repairs. A rejected token that decodes is also shown as it claims to be,
// marked unverified (peekUnverified).
func runVerify(e env, args []string) int {
	fs := newFlagSet("verify", verifySynopsis, e.stderr)
	var (
		jwksFile    = fs.String("jwks-file", "", "read the key set from this file instead of fetching it")
		requireType = fs.String("require-type", "", `require the header typ; the only value is "at+jwt"`)
		audiences   listFlag
		algorithms  listFlag
		scopeNames  listFlag
		roleNames   listFlag
		permNames   listFlag
	)
	// These flags are read through verifyConfig, as the variables they stand for.
	fs.String("issuer", "", "expected `iss` (default $AXIOMS_ISS_URL)")
	fs.String("jwks-url", "", "JWKS URL (default $AXIOMS_JWKS_URL, else OIDC discovery)")
	fs.String("leeway", "", "clock skew tolerated: seconds or a duration, at most 5m (default $AXIOMS_LEEWAY, else 30s)")
	fs.Var(&audiences, "audience", "accepted `aud` (repeatable or comma-separated; default $AXIOMS_AUDIENCE)")
	fs.Var(&algorithms, "algorithms", "allowed algorithms, comma-separated (default $AXIOMS_ALGORITHMS, else all asymmetric)")
	fs.Var(&scopeNames, "scope-claims", "scope claim names (default $AXIOMS_SCOPE_CLAIMS, else scope,scp)")
	fs.Var(&roleNames, "roles-claims", "role claim names (default $AXIOMS_ROLES_CLAIMS, else roles)")
	fs.Var(&permNames, "permissions-claims", "permission claim names (default $AXIOMS_PERMISSIONS_CLAIMS, else permissions)")
	fs.String("introspection", "", "introspect opaque tokens: off, opaque or all (default $AXIOMS_INTROSPECTION, else off)")
	fs.String("introspection-url", "", "introspection endpoint (default $AXIOMS_INTROSPECTION_URL, else OIDC discovery)")
	fs.String("introspection-client-id", "", "client id for the introspection endpoint; the secret comes from $AXIOMS_INTROSPECTION_CLIENT_SECRET only (default $AXIOMS_INTROSPECTION_CLIENT_ID)")
	fs.String("introspection-auth-method", "", "client_secret_basic or client_secret_post (default $AXIOMS_INTROSPECTION_AUTH_METHOD, else client_secret_basic)")
	positional, code, ok := parseArgs(e, fs, args, 1, "exactly one TOKEN (or -) is required")
	if !ok {
		return code
	}

	if err := emptyFlags(fs); err != nil {
		fmt.Fprintf(e.stderr, "axioms verify: %v\n", err)
		return exitUsage
	}
	cfg, err := verifyConfig(e, fs)
	if err != nil {
		fmt.Fprintf(e.stderr, "axioms verify: %v\n", err)
		return exitUsage
	}
	switch strings.ToLower(*requireType) {
	case "":
	case "at+jwt", "application/at+jwt":
		cfg.RequireType = true
	default:
		fmt.Fprintf(e.stderr, "axioms verify: --require-type: only at+jwt is supported, got %q\n", *requireType)
		return exitUsage
	}
	if *jwksFile != "" {
		if cfg.JWKS, err = os.ReadFile(*jwksFile); err != nil {
			fmt.Fprintf(e.stderr, "axioms verify: %v\n", err)
			return exitUsage
		}
		if len(bytes.TrimSpace(cfg.JWKS)) == 0 {
			// An empty key set would otherwise mean "fetch it": never what --jwks-file asks.
			fmt.Fprintf(e.stderr, "axioms verify: --jwks-file %s is empty\n", *jwksFile)
			return exitUsage
		}
	}
	cfg.CacheSize = -1
	cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	token := positional[0]
	if token == "-" {
		raw, err := io.ReadAll(io.LimitReader(e.stdin, maxStdinToken))
		if err != nil {
			fmt.Fprintf(e.stderr, "axioms verify: reading standard input: %v\n", err)
			return exitUsage
		}
		token = string(raw)
	}
	token = strings.TrimSpace(token)
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:]) // pasted with its scheme
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := validator.New(ctx, cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "axioms verify: %s\n", flagNames(fs, verifyFlagVars, envconfig.Explain(err)))
		return exitUsage
	}
	claims, err := v.Validate(ctx, token)
	if err != nil {
		out := verifyFailure{Valid: false, Error: "invalid_token", Reason: string(validator.ReasonOf(err)), Description: err.Error(),
			Unverified: peekUnverified(token)}
		code := exitFailed
		if errors.Is(err, validator.ErrKeysUnavailable) {
			out.Error = "temporarily_unavailable"
			code = exitUnavailable
		}
		if validator.ReasonOf(err) == validator.ReasonIssuerMismatch {
			// A configuration error found after startup (the issuer was unreachable then).
			fmt.Fprintf(e.stderr, "axioms verify: %v\n", err)
			code = exitUsage
		}
		writeJSON(e.stdout, out)
		return code
	}
	writeJSON(e.stdout, verifySuccess{
		Valid:       true,
		Claims:      claims.Map(),
		Scopes:      nonNil(claims.Scopes()),
		Roles:       nonNil(claims.Roles()),
		Permissions: nonNil(claims.Permissions()),
	})
	return exitOK
}

type verifySuccess struct {
	Valid       bool           `json:"valid"`
	Claims      map[string]any `json:"claims"`
	Scopes      []string       `json:"scopes"`
	Roles       []string       `json:"roles"`
	Permissions []string       `json:"permissions"`
}

type verifyFailure struct {
	Valid       bool   `json:"valid"`
	Error       string `json:"error"`
	Reason      string `json:"reason"`
	Description string `json:"description"`
	// Unverified is what the token claims to be (header alg, kid, typ; iss, aud, exp,
	// iat), decoded without verification; absent when the token does not decode.
	Unverified *unverifiedView `json:"unverified,omitempty"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// verifyConfig reads the validator's configuration from the AXIOMS_* variables and the
// .env file, each variable overridden by its flag when the flag is given (a flag's value
// is read exactly as its variable's: same parsing, same bounds), and warns on stderr of
// unknown AXIOMS_* names. Its errors name the flag of a value given by a flag, and the
// variable otherwise (a variable set but empty is an error even under its flag).
func verifyConfig(e env, fs *flag.FlagSet) (validator.Config, error) {
	vars, err := envconfig.Load("")
	if err != nil {
		return validator.Config{}, err
	}
	for _, w := range vars.Unknown() {
		fmt.Fprintf(e.stderr, "axioms verify: warning: %s\n", w)
	}
	given := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		// --require-type takes a typ value, not AXIOMS_REQUIRE_TYPE's boolean: runVerify
		// reads it.
		if name := verifyFlagVars[f.Name]; strings.HasPrefix(name, "AXIOMS_") && f.Name != "require-type" {
			given[name] = f.Value.String()
		}
	})
	var errs []error
	cfg, err := envconfig.FromLookup(func(name string) (string, bool) {
		v, ok, err := vars.Get(name)
		if err != nil {
			// Set but empty: an error even under a flag, reported with where it is set.
			errs = append(errs, err)
			ok = false
		}
		if f, given := given[name]; given {
			return f, true
		}
		return v, ok
	}).ValidatorConfig()
	if err != nil {
		errs = append(errs, errors.New(flagNames(fs, verifyFlagVars, err)))
	}
	return cfg, errors.Join(errs...)
}

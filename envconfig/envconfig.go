// Package envconfig reads this module's configuration from AXIOMS_* environment
// variables and a .env file, for services configured the twelve-factor way (containers,
// compose files, the Python siblings' settings).
//
// It is the one place that knows the variables: their names, the [validator.Config]
// field each one sets, how its value is parsed (listed under Variables below); [Names]
// returns them.
//
//	env, err := envconfig.Load("")           // the environment, then ./.env
//	for _, w := range env.Unknown() { log.Print(w) }
//	cfg, err := env.ValidatorConfig()        // AXIOMS_ISS_URL, AXIOMS_AUDIENCE, ...
//	v, err := validator.New(ctx, cfg)
//	if err != nil { return envconfig.Explain(err) } // names AXIOMS_ISS_URL, not Issuer
//
// [Setup] does all of that and loads the document at AXIOMS_SPEC: it is what the
// adapters' ConfigFromEnv call.
//
// # Variables
//
// Each variable sets one field of [validator.Config] (its documentation has the details),
// except AXIOMS_SPEC and AXIOMS_DPOP_*, which the adapters' ConfigFromEnv (through
// [SetupSettings]) read. A test
// keeps this list equal to [Names]. Defaults are those of validator.New unless stated.
//
//	AXIOMS_ISS_URL
//		field Issuer; exact iss tokens must carry; base of OIDC discovery; default: required
//		(or AXIOMS_DOMAIN)
//	AXIOMS_DOMAIN
//		field Issuer = https://{domain}; deprecated alias, used when AXIOMS_ISS_URL is unset
//	AXIOMS_AUDIENCE
//		field Audiences; accepted audiences, comma-separated; default: required
//	AXIOMS_JWKS_URL
//		field JWKSURL; key set URL; https except on loopback hosts; default: discovery, else
//		{issuer}/.well-known/jwks.json
//	AXIOMS_ALGORITHMS
//		field Algorithms; allowed algorithms, comma-separated; default: RS256 RS384 RS512 PS256
//		PS384 PS512 ES256 ES384 ES512 EdDSA
//	AXIOMS_LEEWAY
//		field Leeway; clock skew: seconds (30) or a duration (1m); 0 for none; at most 5m
//		(validator.MaxLeeway); default: 30s
//	AXIOMS_SCOPE_CLAIMS
//		field ScopeClaims; scope claim names, first present wins; default: scope,scp
//	AXIOMS_ROLES_CLAIMS
//		field RoleClaims; role claim names; default: roles
//	AXIOMS_PERMISSIONS_CLAIMS
//		field PermissionClaims; permission claim names; default: permissions
//	AXIOMS_AUDIENCE_CLAIM
//		field AudienceClaim; the claim holding the audience; default: aud
//	AXIOMS_REQUIRED_CLAIMS
//		field RequiredClaims; name=value pairs tokens must carry, comma-separated; default:
//		none
//	AXIOMS_REQUIRE_TYPE
//		field RequireType; header typ must be at+jwt (RFC 9068); default: false
//	AXIOMS_MAX_TOKEN_SIZE
//		field MaxTokenSize; longest token accepted, checked before decoding (a size); default:
//		8 KiB
//	AXIOMS_FETCH_TIMEOUT
//		field FetchTimeout; bound of each discovery or key-set request; default: 5s
//	AXIOMS_MIN_REFRESH_INTERVAL
//		field MinRefreshInterval; shortest time between two key-set fetches: a token signed
//		with a new key waits at most this long; default: 5s
//	AXIOMS_MAX_REFRESH_BACKOFF
//		field MaxRefreshBackoff; ceiling of the interval while fetches bring nothing (failures,
//		floods of unknown kids); default: 5m
//	AXIOMS_REFRESH_INTERVAL
//		field RefreshInterval; background refresh of the key set when the response has no
//		Cache-Control max-age; default: 15m
//	AXIOMS_REQUIRE_KEYS_AT_STARTUP
//		field RequireKeysAtStartup; startup fails if the key set cannot be fetched; default:
//		false: requests get 503 until keys arrive
//	AXIOMS_INSECURE_SKIP_HTTPS_CHECK
//		field InsecureSkipHTTPSCheck; allow plain-http discovery and key-set URLs on
//		non-loopback hosts (a private container network); default: false
//	AXIOMS_CACHE_SIZE
//		field CacheSize; verified-token cache entries; 0 turns the cache off; default: 4096
//	AXIOMS_CACHE_MAX_BYTES
//		field CacheMaxBytes; verified-token cache memory (a size); tokens counting more than 64
//		KiB are not cached; default: 32 MiB
//	AXIOMS_INTROSPECTION
//		field Introspection; introspect opaque tokens (RFC 7662): off, opaque (tokens not
//		shaped as a JWS) or all (every token); default: off
//	AXIOMS_INTROSPECTION_URL
//		field Introspection.Endpoint; the introspection endpoint; https except on loopback
//		hosts; default: introspection_endpoint of discovery (required with AXIOMS_JWKS_URL)
//	AXIOMS_INTROSPECTION_CLIENT_ID
//		field Introspection.ClientID; client id for the endpoint, with the secret; default:
//		none (no client authentication)
//	AXIOMS_INTROSPECTION_CLIENT_SECRET
//		field Introspection.ClientSecret; client secret for the endpoint, with the id;
//		never logged; default: none
//	AXIOMS_INTROSPECTION_AUTH_METHOD
//		field Introspection.AuthMethod; client_secret_basic or client_secret_post; default:
//		client_secret_basic
//	AXIOMS_SPEC
//		no field: read by [Setup]; path of the OpenAPI document; default:
//		SetupOptions.DefaultSpec, else required
//	AXIOMS_DPOP_BASE_URL
//		no field: read by [SetupSettings] into [DPoPSettings].BaseURL, the adapters'
//		Config.DPoPBaseURL; the service's external base URL as DPoP clients address it
//		(https://api.example.com); default: built from each request (scheme, Host)
//	AXIOMS_DPOP_NONCE_SECRET
//		no field: read by [SetupSettings] into [DPoPSettings].Checker, the adapters'
//		Config.DPoP; turns DPoP server nonces on (validator.DPoPConfig.NonceSecret): at
//		least 32 bytes, e.g. from openssl rand -base64 48, the same on every instance;
//		default: no nonces
//
// The AXIOMS_INTROSPECTION_* variables apply only with AXIOMS_INTROSPECTION set to
// opaque or all: set while it is unset or off, they are an error naming them, as is a
// client id without a secret or the reverse.
//
// # Precedence and empty values
//
// A variable set in the process environment wins over the same name in the .env file,
// whatever its value. A variable set to nothing (or only white space), in either place,
// is never taken as unset: [Env.Get] and [Env.ValidatorConfig] report it as an error
// naming the variable and where it is set, so `AXIOMS_ISS_URL=` in a shell or a compose
// file stops startup instead of silently meaning "no issuer" or falling back to the
// file's value. The .env file is parsed by github.com/joho/godotenv and never written
// into the process environment, so loading configuration has no side effects.
//
// # Values
//
// Lists are comma-separated, items trimmed, empty items dropped. Booleans are what
// strconv.ParseBool accepts (true, false, 1, 0, ...). Durations are whole seconds ("30")
// or a Go duration ("1m30s"). Sizes are bytes ("16384") or KiB, MiB, GiB ("16KiB").
//
// # Concurrency
//
// An [Env] is immutable after [Load] or [FromLookup] and safe for concurrent use.
package envconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/joho/godotenv"

	"github.com/axioms-go/axioms-echo/internal/editdist"
)

// DefaultFile is the .env file [Load] reads when given no path: ".env" in the working
// directory.
const DefaultFile = ".env"

// prefix starts the name of every variable of this module.
const prefix = "AXIOMS_"

// Env looks configuration values up in the process environment and a .env file (or, from
// [FromLookup], in any source).
type Env struct {
	file     map[string]string
	fileName string                      // where file came from, for messages
	env      func(string) (string, bool) // the environment's lookup
	environ  func() []string             // the environment's "name=value" pairs; nil: not listable
	origin   string                      // where env's values come from, for messages; "" if unknown
}

// Load returns an Env over the process environment and the .env file at path (if path
// is empty, [DefaultFile]). A missing file is not an error; an unreadable or malformed
// one is, and its error names the file.
func Load(path string) (*Env, error) {
	if path == "" {
		path = DefaultFile
	}
	vals, err := godotenv.Read(path)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		vals = nil
	default:
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return &Env{file: vals, fileName: path, env: os.LookupEnv, environ: os.Environ, origin: "the environment"}, nil
}

// FromLookup returns an Env over lookup, which returns a variable's value and whether it
// is set: for configuration held elsewhere (a secret store, flags, a test's map). Its
// names cannot be listed, so [Env.Unknown] returns nil.
func FromLookup(lookup func(name string) (string, bool)) *Env {
	return &Env{env: lookup}
}

// Get returns the value of the variable name (any name, not only AXIOMS_* ones), trimmed
// of surrounding white space, and whether it is set. A variable set to nothing or only
// white space is an error naming it and where it is set: it is never taken as unset.
func (e *Env) Get(name string) (string, bool, error) {
	v, ok, where := e.lookup(name)
	if ok && v == "" {
		if where != "" {
			where = " in " + where
		}
		return "", true, fmt.Errorf("%s is set but empty%s: give it a value or unset it", name, where)
	}
	return v, ok, nil
}

// lookup returns the trimmed value of name, whether it is set, and where ("" if not
// known).
func (e *Env) lookup(name string) (string, bool, string) {
	if v, ok := e.env(name); ok {
		return strings.TrimSpace(v), true, e.origin
	}
	if v, ok := e.file[name]; ok {
		return strings.TrimSpace(v), true, e.fileName
	}
	return "", false, ""
}

// names returns the names starting with AXIOMS_ that are set, in the environment or the
// file, sorted and without repeats.
func (e *Env) names() []string {
	var names []string
	if e.environ != nil {
		for _, kv := range e.environ() {
			if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, prefix) {
				names = append(names, name)
			}
		}
	}
	for name := range e.file {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Unknown returns one warning for each AXIOMS_* name set in the environment or the .env
// file that is not one of [Names] — a misspelt variable, which would otherwise be
// ignored without a word — naming where it is set and the closest known name:
//
//	AXIOMS_ISSUER (in the environment) is not a known variable; did you mean AXIOMS_ISS_URL?
//
// It returns nil for an Env made by [FromLookup].
func (e *Env) Unknown() []string {
	known := Names()
	var out []string
	for _, name := range e.names() {
		if slices.Contains(known, name) {
			continue
		}
		_, _, where := e.lookup(name)
		msg := name
		if where != "" {
			msg += " (in " + where + ")"
		}
		msg += " is not a known variable; did you mean " + closest(name, known) + "?"
		out = append(out, msg)
	}
	return out
}

// closest returns the name of known nearest to name by edit distance (insertions,
// deletions and substitutions each count one), the first one listed on a tie; known must
// not be empty.
func closest(name string, known []string) string {
	best, bestDist := "", -1
	for _, k := range known {
		if d := editdist.Distance(name, k); bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// SplitList splits a comma-separated list as the AXIOMS_* list variables are read: items
// trimmed, empty items dropped; nil for an empty list.
func SplitList(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

package validator

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/axioms-go/axioms-echo/internal/envconfig"
)

// envVar is one AXIOMS_* variable: the Config field it sets and how its value is read.
type envVar struct {
	name string
	// field is the Config field the variable sets, which New's errors name unless the
	// Config came from the environment; "" for a variable another package reads.
	field string
	// set stores a non-empty value in c, or returns why it cannot; nil for a variable
	// another package reads.
	set func(c *Config, v string) error
}

// envVars is the one list of the AXIOMS_* variables this module reads, in the order of
// the README's table (a test keeps the two equal). To read a new Config field from the
// environment, add its row here (the name AXIOMS_ + the field in upper snake case, a
// parser below) and its row to the README table.
var envVars = []envVar{
	// The issuer and its keys.
	{"AXIOMS_ISS_URL", "Issuer", func(c *Config, v string) error { c.Issuer = v; return nil }},
	{"AXIOMS_DOMAIN", "Issuer", func(c *Config, v string) error {
		if c.Issuer == "" { // AXIOMS_ISS_URL, read first, wins
			c.Issuer = IssuerFromDomain(v)
		}
		return nil
	}},
	{"AXIOMS_AUDIENCE", "Audiences", func(c *Config, v string) error { c.Audiences = envconfig.SplitList(v); return nil }},
	{"AXIOMS_JWKS_URL", "JWKSURL", func(c *Config, v string) error { c.JWKSURL = v; return nil }},
	{"AXIOMS_ALGORITHMS", "Algorithms", func(c *Config, v string) error { c.Algorithms = envconfig.SplitList(v); return nil }},
	{"AXIOMS_LEEWAY", "Leeway", func(c *Config, v string) (err error) { c.Leeway, err = ParseLeeway(v); return err }},

	// Claims.
	{"AXIOMS_SCOPE_CLAIMS", "ScopeClaims", func(c *Config, v string) error { c.ScopeClaims = envconfig.SplitList(v); return nil }},
	{"AXIOMS_ROLES_CLAIMS", "RoleClaims", func(c *Config, v string) error { c.RoleClaims = envconfig.SplitList(v); return nil }},
	{"AXIOMS_PERMISSIONS_CLAIMS", "PermissionClaims", func(c *Config, v string) error {
		c.PermissionClaims = envconfig.SplitList(v)
		return nil
	}},
	{"AXIOMS_AUDIENCE_CLAIM", "AudienceClaim", func(c *Config, v string) error { c.AudienceClaim = v; return nil }},
	{"AXIOMS_REQUIRED_CLAIMS", "RequiredClaims", func(c *Config, v string) (err error) {
		c.RequiredClaims, err = parseRequiredClaims(v)
		return err
	}},
	{"AXIOMS_REQUIRE_TYPE", "RequireType", func(c *Config, v string) (err error) { c.RequireType, err = parseBool(v); return err }},
	{"AXIOMS_MAX_TOKEN_SIZE", "MaxTokenSize", func(c *Config, v string) error {
		n, err := parseSize(v)
		c.MaxTokenSize = int(n)
		return err
	}},

	// Fetching and refreshing the key set.
	{"AXIOMS_FETCH_TIMEOUT", "FetchTimeout", func(c *Config, v string) (err error) { c.FetchTimeout, err = parseInterval(v); return err }},
	{"AXIOMS_MIN_REFRESH_INTERVAL", "MinRefreshInterval", func(c *Config, v string) (err error) {
		c.MinRefreshInterval, err = parseInterval(v)
		return err
	}},
	{"AXIOMS_MAX_REFRESH_BACKOFF", "MaxRefreshBackoff", func(c *Config, v string) (err error) {
		c.MaxRefreshBackoff, err = parseInterval(v)
		return err
	}},
	{"AXIOMS_REFRESH_INTERVAL", "RefreshInterval", func(c *Config, v string) (err error) {
		c.RefreshInterval, err = parseInterval(v)
		return err
	}},
	{"AXIOMS_REQUIRE_KEYS_AT_STARTUP", "RequireKeysAtStartup", func(c *Config, v string) (err error) {
		c.RequireKeysAtStartup, err = parseBool(v)
		return err
	}},
	{"AXIOMS_INSECURE_SKIP_HTTPS_CHECK", "InsecureSkipHTTPSCheck", func(c *Config, v string) (err error) {
		c.InsecureSkipHTTPSCheck, err = parseBool(v)
		return err
	}},

	// The verified-token cache.
	{"AXIOMS_CACHE_SIZE", "CacheSize", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return fmt.Errorf("%q is not a whole number of entries", v)
		case n < 0:
			return fmt.Errorf("%q must not be negative (0 turns the cache off)", v)
		case n == 0:
			c.CacheSize = -1
		default:
			c.CacheSize = n
		}
		return nil
	}},
	{"AXIOMS_CACHE_MAX_BYTES", "CacheMaxBytes", func(c *Config, v string) (err error) { c.CacheMaxBytes, err = parseSize(v); return err }},

	// The OpenAPI document, read by echoaxioms.ConfigFromEnv.
	{"AXIOMS_SPEC", "", nil},
}

// EnvNames returns the name of every AXIOMS_* variable read by this module, AXIOMS_SPEC
// (read by echoaxioms) included, as a fresh slice. A name set in the environment or the
// .env file that is not among them is reported by [ConfigFromEnv] as probably misspelt.
func EnvNames() []string {
	names := make([]string, len(envVars))
	for i, v := range envVars {
		names[i] = v.name
	}
	return names
}

// ConfigFromEnv returns a Config read from the AXIOMS_* environment variables and a
// .env file in the working directory; a variable set in the real environment wins over
// the file. The variables, the Config field each one sets and their defaults are listed
// in the README's Configuration section
// (https://github.com/axioms-go/axioms-echo#configuration); [EnvNames] lists them.
//
// A variable set to nothing (or only white space), in the environment or the file, is an
// error naming it: it never counts as unset. A name starting with AXIOMS_ that is not a
// known variable is logged once with slog.Default() at Warn, with the closest known
// name ("did you mean AXIOMS_ISS_URL?").
//
// It fails on a malformed .env file or value, and reports every bad variable at once; it
// does not check that required values are present — [New] does, and because the Config
// came from the environment, New's errors then name the variables (AXIOMS_ISS_URL), not
// the fields (Issuer).
func ConfigFromEnv() (Config, error) {
	src, err := envconfig.Load("")
	if err != nil {
		return Config{}, err
	}
	for _, w := range src.Unknown(EnvNames()) {
		slog.Warn("axioms: " + w)
	}
	return configFromSource(src)
}

// ConfigFromLookup is [ConfigFromEnv] over an arbitrary source: lookup returns a
// variable's value and whether it is set. A variable set to nothing is an error, as for
// ConfigFromEnv. Unknown names cannot be reported: lookup cannot list them.
func ConfigFromLookup(lookup func(name string) (string, bool)) (Config, error) {
	return configFromSource(envconfig.FromLookup(lookup))
}

func configFromSource(src *envconfig.Source) (Config, error) {
	var c Config
	var errs []error
	for _, v := range envVars {
		val, ok, err := src.Get(v.name)
		switch {
		case err != nil:
			errs = append(errs, err)
		case ok && v.set != nil:
			if err := v.set(&c, val); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", v.name, err))
			}
		}
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	c.fromEnv = true
	return c, nil
}

// IssuerFromDomain turns the deprecated AXIOMS_DOMAIN form ("tenant.auth0.com") into an
// issuer URL ("https://tenant.auth0.com"). A scheme or trailing slash given with the
// domain is kept as given.
func IssuerFromDomain(domain string) string {
	domain = strings.TrimSpace(domain)
	if strings.Contains(domain, "://") {
		return domain
	}
	return "https://" + domain
}

// ParseLeeway parses a leeway given as whole seconds ("30") or a Go duration ("1m30s")
// into a Config.Leeway value: "0" (or "0s") yields a negative duration, which Config
// reads as "no leeway". Negative inputs are rejected, and so is a leeway above
// [MaxLeeway], with the message New gives for such a Config.Leeway.
func ParseLeeway(v string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > int64(MaxLeeway/time.Second) {
			return 0, leewayTooLarge(strconv.Quote(v))
		}
		d = time.Duration(n) * time.Second
	} else {
		d, err = time.ParseDuration(v)
		if err != nil {
			return 0, fmt.Errorf("%q is neither whole seconds nor a duration", v)
		}
	}
	switch {
	case d < 0:
		return 0, fmt.Errorf("%q must not be negative", v)
	case d == 0:
		return -1, nil
	case d > MaxLeeway:
		return 0, leewayTooLarge(strconv.Quote(v))
	}
	return d, nil
}

// leewayTooLarge is the one message for a leeway above MaxLeeway, whichever way it was
// given (v as the user wrote it).
func leewayTooLarge(v string) error {
	return fmt.Errorf("%s exceeds the maximum leeway of %v", v, MaxLeeway)
}

// parseInterval parses a positive duration given as whole seconds ("30") or a Go
// duration ("1m30s").
func parseInterval(v string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > int64(math.MaxInt64/time.Second) {
			return 0, fmt.Errorf("%q is too large", v)
		}
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(v); err != nil {
		return 0, fmt.Errorf("%q is neither whole seconds nor a duration", v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", v)
	}
	return d, nil
}

// parseBool accepts what strconv.ParseBool does: 1, t, T, TRUE, true, True, 0, f, F,
// FALSE, false, False.
func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%q is not a boolean (true, false, 1 or 0)", v)
	}
	return b, nil
}

// parseSize parses a positive number of bytes, optionally with a binary unit: "8192",
// "8KiB", "32MiB", "1GiB".
func parseSize(v string) (int64, error) {
	num, shift := v, 0
	for _, u := range []struct {
		suffix string
		shift  int
	}{{"KiB", 10}, {"MiB", 20}, {"GiB", 30}} {
		if s, ok := strings.CutSuffix(v, u.suffix); ok {
			num, shift = strings.TrimSpace(s), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a number of bytes (e.g. 8192, 8KiB, 32MiB)", v)
	case n <= 0:
		return 0, fmt.Errorf("%q must be positive", v)
	case n > (1<<40)>>shift:
		return 0, fmt.Errorf("%q is too large", v)
	}
	return n << shift, nil
}

// parseRequiredClaims parses comma-separated name=value pairs.
func parseRequiredClaims(v string) (map[string]string, error) {
	m := map[string]string{}
	for _, pair := range envconfig.SplitList(v) {
		name, value, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("want name=value, got %q", pair)
		}
		m[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	return m, nil
}

// envError rewrites the errors err joins (those of Config.settings) for a Config read
// from the environment: each Config field a message names becomes its variable
// (Issuer → AXIOMS_ISS_URL), and a parenthesised hint naming a field no variable sets
// ("set InsecureSkipIssuerCheck to accept any issuer") is dropped, since it cannot be
// followed there. errors.Is and errors.As still see the original errors.
func envError(err error) error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	vars, fields := envFieldNames()
	name := func(w string) (string, bool) { v, ok := vars[w]; return v, ok }
	drop := func(w string) bool { _, hasVar := vars[w]; return fields[w] && !hasVar }
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = &renamedError{msg: envconfig.Rename(e.Error(), name, drop), err: e}
	}
	return errors.Join(out...)
}

// envFieldNames returns the variable of each Config field one sets (the first listed)
// and the set of every exported Config field.
var envFieldNames = sync.OnceValues(func() (map[string]string, map[string]bool) {
	vars := map[string]string{}
	for _, v := range envVars {
		if _, dup := vars[v.field]; v.field != "" && !dup {
			vars[v.field] = v.name
		}
	}
	fields := map[string]bool{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Config]()) {
		if f.IsExported() {
			fields[f.Name] = true
		}
	}
	return vars, fields
})

// renamedError is an error with another message.
type renamedError struct {
	msg string
	err error
}

func (e *renamedError) Error() string { return e.msg }
func (e *renamedError) Unwrap() error { return e.err }

package envconfig

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/axioms-go/axioms-echo/validator"
)

// variable is one AXIOMS_* variable: the validator.Config field it sets and how its value
// is read.
type variable struct {
	name string
	// field is the Config field the variable sets, which Explain puts in place of the
	// field's name; "" for a variable an adapter reads (AXIOMS_SPEC).
	field string
	// set stores a non-empty value in c, or returns why it cannot; nil for a variable an
	// adapter reads.
	set func(c *validator.Config, v string) error
}

// variables is the one list of the AXIOMS_* variables, in the order of the package
// doc's "Variables" list (a test keeps the two equal). To read a new Config field from
// the environment, add its row here (AXIOMS_ + the field in upper snake case, a parser
// below) and its entry to that list.
var variables = []variable{
	// The issuer and its keys.
	{"AXIOMS_ISS_URL", "Issuer", func(c *validator.Config, v string) error { c.Issuer = v; return nil }},
	{"AXIOMS_DOMAIN", "Issuer", func(c *validator.Config, v string) error {
		if c.Issuer == "" { // AXIOMS_ISS_URL, read first, wins
			c.Issuer = issuerFromDomain(v)
		}
		return nil
	}},
	{"AXIOMS_AUDIENCE", "Audiences", func(c *validator.Config, v string) error { c.Audiences = SplitList(v); return nil }},
	{"AXIOMS_JWKS_URL", "JWKSURL", func(c *validator.Config, v string) error { c.JWKSURL = v; return nil }},
	{"AXIOMS_ALGORITHMS", "Algorithms", func(c *validator.Config, v string) error { c.Algorithms = SplitList(v); return nil }},
	{"AXIOMS_LEEWAY", "Leeway", func(c *validator.Config, v string) (err error) { c.Leeway, err = parseLeeway(v); return err }},

	// Claims.
	{"AXIOMS_SCOPE_CLAIMS", "ScopeClaims", func(c *validator.Config, v string) error { c.ScopeClaims = SplitList(v); return nil }},
	{"AXIOMS_ROLES_CLAIMS", "RoleClaims", func(c *validator.Config, v string) error { c.RoleClaims = SplitList(v); return nil }},
	{"AXIOMS_PERMISSIONS_CLAIMS", "PermissionClaims", func(c *validator.Config, v string) error {
		c.PermissionClaims = SplitList(v)
		return nil
	}},
	{"AXIOMS_AUDIENCE_CLAIM", "AudienceClaim", func(c *validator.Config, v string) error { c.AudienceClaim = v; return nil }},
	{"AXIOMS_REQUIRED_CLAIMS", "RequiredClaims", func(c *validator.Config, v string) (err error) {
		c.RequiredClaims, err = parseRequiredClaims(v)
		return err
	}},
	{"AXIOMS_REQUIRE_TYPE", "RequireType", func(c *validator.Config, v string) (err error) {
		c.RequireType, err = parseBool(v)
		return err
	}},
	{"AXIOMS_MAX_TOKEN_SIZE", "MaxTokenSize", func(c *validator.Config, v string) error {
		n, err := parseSize(v)
		c.MaxTokenSize = int(n)
		return err
	}},

	// Fetching and refreshing the key set.
	{"AXIOMS_FETCH_TIMEOUT", "FetchTimeout", func(c *validator.Config, v string) (err error) {
		c.FetchTimeout, err = parseInterval(v)
		return err
	}},
	{"AXIOMS_MIN_REFRESH_INTERVAL", "MinRefreshInterval", func(c *validator.Config, v string) (err error) {
		c.MinRefreshInterval, err = parseInterval(v)
		return err
	}},
	{"AXIOMS_MAX_REFRESH_BACKOFF", "MaxRefreshBackoff", func(c *validator.Config, v string) (err error) {
		c.MaxRefreshBackoff, err = parseInterval(v)
		return err
	}},
	{"AXIOMS_REFRESH_INTERVAL", "RefreshInterval", func(c *validator.Config, v string) (err error) {
		c.RefreshInterval, err = parseInterval(v)
		return err
	}},
	{"AXIOMS_REQUIRE_KEYS_AT_STARTUP", "RequireKeysAtStartup", func(c *validator.Config, v string) (err error) {
		c.RequireKeysAtStartup, err = parseBool(v)
		return err
	}},
	{"AXIOMS_INSECURE_SKIP_HTTPS_CHECK", "InsecureSkipHTTPSCheck", func(c *validator.Config, v string) (err error) {
		c.InsecureSkipHTTPSCheck, err = parseBool(v)
		return err
	}},

	// The verified-token cache.
	{"AXIOMS_CACHE_SIZE", "CacheSize", func(c *validator.Config, v string) error {
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
	{"AXIOMS_CACHE_MAX_BYTES", "CacheMaxBytes", func(c *validator.Config, v string) (err error) {
		c.CacheMaxBytes, err = parseSize(v)
		return err
	}},

	// Introspection of opaque tokens (RFC 7662).
	{"AXIOMS_INTROSPECTION", "Introspection", func(c *validator.Config, v string) error {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "off":
		case "opaque":
			introspection(c).All = false
		case "all":
			introspection(c).All = true
		default:
			return fmt.Errorf("%q is not one of off, opaque, all", v)
		}
		return nil
	}},
	{"AXIOMS_INTROSPECTION_URL", "Introspection", func(c *validator.Config, v string) error {
		introspection(c).Endpoint = v
		return nil
	}},
	{"AXIOMS_INTROSPECTION_CLIENT_ID", "Introspection", func(c *validator.Config, v string) error {
		introspection(c).ClientID = v
		return nil
	}},
	{"AXIOMS_INTROSPECTION_CLIENT_SECRET", "Introspection", func(c *validator.Config, v string) error {
		introspection(c).ClientSecret = v
		return nil
	}},
	{"AXIOMS_INTROSPECTION_AUTH_METHOD", "Introspection", func(c *validator.Config, v string) error {
		switch v {
		case validator.AuthClientSecretBasic, validator.AuthClientSecretPost:
			introspection(c).AuthMethod = v
			return nil
		}
		return fmt.Errorf("%q is not one of %s, %s", v, validator.AuthClientSecretBasic, validator.AuthClientSecretPost)
	}},

	// The OpenAPI document, read by the middleware's ConfigFromEnv.
	{"AXIOMS_SPEC", "", nil},

	// DPoP (RFC 9449), read by SetupSettings for the middleware's ConfigFromEnv.
	{"AXIOMS_DPOP_BASE_URL", "", nil},
	{"AXIOMS_DPOP_NONCE_SECRET", "", nil},
}

// Names returns the name of every AXIOMS_* variable this module reads, AXIOMS_SPEC and
// AXIOMS_DPOP_* (read by the adapters' ConfigFromEnv) included, in the order of the
// package doc's "Variables" list, as a fresh slice.
func Names() []string {
	names := make([]string, len(variables))
	for i, v := range variables {
		names[i] = v.name
	}
	return names
}

// ValidatorConfig returns the [validator.Config] the AXIOMS_* variables describe; fields
// whose variable is unset keep their zero value, which [validator.New] replaces by its
// default. It fails on a malformed value or a variable set but empty, reporting every
// bad variable at once, each error naming its variable. It does not check that required
// values are present: validator.New does (pass its error to [Explain]).
func (e *Env) ValidatorConfig() (validator.Config, error) {
	var c validator.Config
	var errs []error
	for _, v := range variables {
		val, ok, err := e.Get(v.name)
		switch {
		case err != nil:
			errs = append(errs, err)
		case ok && v.set != nil:
			if err := v.set(&c, val); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", v.name, err))
			}
		}
	}
	if err := e.checkIntrospection(&c); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return validator.Config{}, errors.Join(errs...)
	}
	return c, nil
}

// introspection returns c.Introspection, created if nil.
func introspection(c *validator.Config) *validator.Introspection {
	if c.Introspection == nil {
		c.Introspection = &validator.Introspection{}
	}
	return c.Introspection
}

// introspectionVariables are the variables that configure introspection once
// AXIOMS_INTROSPECTION turns it on.
var introspectionVariables = []string{"AXIOMS_INTROSPECTION_URL", "AXIOMS_INTROSPECTION_CLIENT_ID",
	"AXIOMS_INTROSPECTION_CLIENT_SECRET", "AXIOMS_INTROSPECTION_AUTH_METHOD"}

// checkIntrospection refuses introspection settings while AXIOMS_INTROSPECTION is
// unset or off (a client secret configured for nothing is a mistake, not a default),
// and a client id without a secret or the reverse.
func (e *Env) checkIntrospection(c *validator.Config) error {
	var set []string
	for _, name := range introspectionVariables {
		if _, ok, _ := e.Get(name); ok {
			set = append(set, name)
		}
	}
	mode, on, _ := e.Get("AXIOMS_INTROSPECTION")
	on = on && !strings.EqualFold(strings.TrimSpace(mode), "off")
	if !on {
		c.Introspection = nil
		if len(set) > 0 {
			return fmt.Errorf("%s set while AXIOMS_INTROSPECTION is unset or off: set AXIOMS_INTROSPECTION to opaque or all, or unset them",
				strings.Join(set, ", "))
		}
		return nil
	}
	if in := c.Introspection; in != nil && (in.ClientID == "") != (in.ClientSecret == "") {
		return errors.New("AXIOMS_INTROSPECTION_CLIENT_ID and AXIOMS_INTROSPECTION_CLIENT_SECRET must be set together")
	}
	return nil
}

// issuerFromDomain turns the deprecated AXIOMS_DOMAIN form ("tenant.auth0.com") into an
// issuer URL ("https://tenant.auth0.com"). A scheme or trailing slash given with the
// domain is kept as given.
func issuerFromDomain(domain string) string {
	domain = strings.TrimSpace(domain)
	if strings.Contains(domain, "://") {
		return domain
	}
	return "https://" + domain
}

// parseLeeway parses a leeway given as whole seconds ("30") or a Go duration ("1m30s")
// into a Config.Leeway value: "0" (or "0s") yields a negative duration, which Config
// reads as "no leeway". Negative inputs are rejected, and so is a leeway above
// validator.MaxLeeway, with the message New gives for such a Config.Leeway.
func parseLeeway(v string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > int64(validator.MaxLeeway/time.Second) {
			return 0, leewayTooLarge(v)
		}
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(v); err != nil {
		return 0, fmt.Errorf("%q is neither whole seconds nor a duration", v)
	}
	switch {
	case d < 0:
		return 0, fmt.Errorf("%q must not be negative", v)
	case d == 0:
		return -1, nil
	case d > validator.MaxLeeway:
		return 0, leewayTooLarge(v)
	}
	return d, nil
}

// leewayTooLarge words a leeway above validator.MaxLeeway as New does.
func leewayTooLarge(v string) error {
	return fmt.Errorf("%q exceeds the maximum leeway of %v", v, validator.MaxLeeway)
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
	for _, pair := range SplitList(v) {
		name, value, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("want name=value, got %q", pair)
		}
		m[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	return m, nil
}

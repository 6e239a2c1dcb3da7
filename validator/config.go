package validator

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/axioms-go/axioms-echo/internal/envconfig"
)

// Defaults applied by [New] to zero-valued [Config] fields.
const (
	DefaultLeeway             = 30 * time.Second
	DefaultMaxTokenSize       = 8 << 10 // 8 KiB
	DefaultFetchTimeout       = 5 * time.Second
	DefaultMaxJWKSSize        = 1 << 20 // 1 MiB
	DefaultMinRefreshInterval = 30 * time.Second
	DefaultRefreshInterval    = 15 * time.Minute
	DefaultCacheSize          = 4096
	maxRefreshInterval        = 24 * time.Hour
)

// DefaultAlgorithms is the signing-algorithm allowlist used when Config.Algorithms is
// empty: every asymmetric JWS algorithm of RFC 7518 and RFC 8037.
//
// It is read-only: treat it as a constant. [New] copies the list it uses (this one or
// Config.Algorithms) into the Validator, so a change made to either slice after New
// returns has no effect on that Validator; a change made to this variable would silently
// change every Validator built afterwards, and races with concurrent calls to New.
var DefaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// Default claim names, in lookup order (the first claim present wins), used when the
// corresponding Config field is empty.
//
// They are read-only, like [DefaultAlgorithms]: [New] copies the names it uses (these or
// the configured ones) into the Validator, so later changes to either slice do not affect
// it, while a change to these variables would affect every Validator built afterwards and
// races with concurrent calls to New.
var (
	// DefaultScopeClaims is the default of Config.ScopeClaims: "scope" (RFC 9068, most
	// providers), then "scp" (Okta, Microsoft Entra ID). Read-only.
	DefaultScopeClaims = []string{"scope", "scp"}
	// DefaultRoleClaims is the default of Config.RoleClaims: "roles". Read-only.
	DefaultRoleClaims = []string{"roles"}
	// DefaultPermissionClaims is the default of Config.PermissionClaims: "permissions".
	// Read-only.
	DefaultPermissionClaims = []string{"permissions"}
)

// Config configures a [Validator]. Issuer and Audiences are required; every other field
// has a safe default. A zero value never disables a check: only fields named
// InsecureSkip… weaken validation.
type Config struct {
	// Issuer is the exact `iss` value tokens must carry (e.g. "https://tenant.auth0.com/",
	// trailing slash included when the issuer uses one). Required unless
	// InsecureSkipIssuerCheck is set. It is also the base of OIDC discovery when JWKSURL
	// is empty.
	Issuer string

	// Audiences lists the accepted `aud` values; a token must carry at least one of them.
	// Required unless InsecureSkipAudienceCheck is set.
	Audiences []string

	// JWKSURL is where the issuer publishes its JSON Web Key Set. If empty, it is taken
	// from OIDC discovery ({Issuer}/.well-known/openid-configuration → jwks_uri), or
	// {Issuer}/.well-known/jwks.json when the issuer has no discovery document. It must
	// be https, except for loopback hosts (localhost, 127.0.0.0/8, ::1).
	JWKSURL string

	// JWKS, if set, is the key set itself (JSON) and nothing is fetched: for offline
	// deployments and tests. JWKSURL and discovery are then ignored.
	JWKS []byte

	// Algorithms is the allowlist of JWS algorithms. If empty, [DefaultAlgorithms]. New
	// copies it: changing the slice afterwards does not affect the Validator.
	// "none" (in any case) and the HMAC algorithms HS256/HS384/HS512 can never be enabled:
	// New fails if they are listed.
	Algorithms []string

	// Leeway is the clock skew tolerated on exp, nbf and iat. If zero, [DefaultLeeway]
	// (30s); a negative value means no leeway at all.
	Leeway time.Duration

	// ScopeClaims, RoleClaims and PermissionClaims name the claims holding scopes, roles
	// and permissions, in lookup order: the first claim present in the token wins. A name
	// is a top-level key (which may contain '.', ':' or '/', e.g. "cognito:groups",
	// "https://example.com/roles") or, when it starts with '/', a JSON Pointer (RFC 6901)
	// into nested objects (e.g. "/realm_access/roles"). Values may be a space-separated
	// string or an array of strings. Defaults: [DefaultScopeClaims],
	// [DefaultRoleClaims], [DefaultPermissionClaims]. New copies the names: changing
	// these slices afterwards does not affect the Validator.
	ScopeClaims      []string
	RoleClaims       []string
	PermissionClaims []string

	// AudienceClaim names the claim holding the audience (a name or JSON Pointer), for
	// issuers that do not use aud in access tokens: Amazon Cognito puts the app client in
	// client_id. If empty, "aud". The claim must be a string or an array of strings and
	// hold one of Audiences.
	AudienceClaim string

	// RequiredClaims lists claims (names or JSON Pointers) that must be present as strings
	// equal to the given values, e.g. {"token_use": "access"} so that Cognito ID tokens,
	// signed by the same keys, are refused. Default: none.
	RequiredClaims map[string]string

	// RequireType, if true, requires the header `typ` to be "at+jwt" or
	// "application/at+jwt" (any case), as RFC 9068 access tokens carry. Default false:
	// many issuers send "JWT".
	RequireType bool

	// MaxTokenSize is the longest token accepted, in bytes, checked before any decoding.
	// If zero, [DefaultMaxTokenSize] (8 KiB).
	MaxTokenSize int

	// HTTPClient fetches discovery documents and key sets. If nil, a client with
	// FetchTimeout is used. The client is never modified; redirects that leave https
	// (outside loopback) are refused either way.
	HTTPClient *http.Client

	// Now returns the current time, for tests. If nil, time.Now.
	//
	// It is called concurrently: by every Validate call (from as many goroutines as serve
	// requests) and by the background key-set fetch, which stamps the fetched set. It
	// must be safe for concurrent use, e.g. a clock read through sync/atomic, and must
	// not block.
	Now func() time.Time

	// FetchTimeout bounds each discovery or key-set request. If zero,
	// [DefaultFetchTimeout] (5s).
	FetchTimeout time.Duration

	// MaxJWKSSize is the largest discovery or key-set response body accepted, in bytes.
	// If zero, [DefaultMaxJWKSSize] (1 MiB).
	MaxJWKSSize int64

	// MinRefreshInterval is the shortest time between two fetches of the key set triggered
	// by tokens (an unknown kid): a flood of random kids costs the issuer at most one
	// request per interval. If zero, [DefaultMinRefreshInterval] (30s).
	MinRefreshInterval time.Duration

	// RefreshInterval is how long a fetched key set is used before it is refreshed in the
	// background, when the response has no Cache-Control max-age (a max-age is honoured
	// within [MinRefreshInterval, 24h]). If zero, [DefaultRefreshInterval] (15m).
	RefreshInterval time.Duration

	// CacheSize bounds the cache of verified tokens (keyed by the exact token; an entry
	// never outlives the token's exp nor its signing key's presence in the JWKS). If
	// zero, [DefaultCacheSize]; a negative value disables the cache.
	CacheSize int

	// RequireKeysAtStartup makes [New] fail when the key set cannot be fetched. Default
	// false: New succeeds, requests get [ErrKeysUnavailable] until keys arrive.
	RequireKeysAtStartup bool

	// Logger receives key-set events (fetch failures, keys skipped as unusable). It never
	// receives token content. If nil, slog.Default().
	Logger *slog.Logger

	// InsecureSkipIssuerCheck accepts tokens from any issuer. Only for tests and for
	// deployments where another layer checks the issuer.
	InsecureSkipIssuerCheck bool

	// InsecureSkipAudienceCheck accepts tokens for any audience, which lets a token meant
	// for another API in the same tenant in. Only for tests.
	InsecureSkipAudienceCheck bool

	// InsecureSkipHTTPSCheck allows plain-http discovery and key-set URLs on
	// non-loopback hosts (e.g. an issuer container on a private network in development).
	InsecureSkipHTTPSCheck bool
}

// settings is a validated Config with defaults applied.
type settings struct {
	issuer           string
	audiences        []string
	jwksURL          string
	jwks             []byte
	algs             map[string]bool
	leeway           time.Duration
	scopeClaims      []claimPath
	roleClaims       []claimPath
	permissionClaims []claimPath
	requireType      bool
	audienceClaim    claimPath
	requiredClaims   []requiredClaim
	maxTokenSize     int
	client           *http.Client
	now              func() time.Time
	fetchTimeout     time.Duration
	maxJWKSSize      int64
	minRefresh       time.Duration
	refresh          time.Duration
	cacheSize        int
	requireKeys      bool
	logger           *slog.Logger
	skipIssuer       bool
	skipAudience     bool
	allowHTTP        bool
}

// supportedAlgs are the algorithms this package can verify.
var supportedAlgs = map[string]bool{
	"RS256": true, "RS384": true, "RS512": true,
	"PS256": true, "PS384": true, "PS512": true,
	"ES256": true, "ES384": true, "ES512": true,
	"EdDSA": true,
}

// forbiddenAlg reports whether alg may never be enabled: none (any case) and HMAC.
func forbiddenAlg(alg string) bool {
	u := strings.ToUpper(alg)
	return u == "NONE" || strings.HasPrefix(u, "HS")
}

func (c Config) settings() (*settings, error) {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	s := &settings{
		issuer:       c.Issuer,
		jwksURL:      strings.TrimSpace(c.JWKSURL),
		jwks:         c.JWKS,
		requireType:  c.RequireType,
		requireKeys:  c.RequireKeysAtStartup,
		skipIssuer:   c.InsecureSkipIssuerCheck,
		skipAudience: c.InsecureSkipAudienceCheck,
		allowHTTP:    c.InsecureSkipHTTPSCheck,
		logger:       c.Logger,
		now:          c.Now,
		client:       c.HTTPClient,
	}

	if c.Issuer == "" && !c.InsecureSkipIssuerCheck {
		bad("validator: Issuer is required (set InsecureSkipIssuerCheck to accept any issuer)")
	}
	if strings.TrimSpace(c.Issuer) != c.Issuer {
		bad("validator: Issuer has surrounding white space")
	}
	for _, a := range c.Audiences {
		if strings.TrimSpace(a) == "" {
			bad("validator: Audiences contains an empty value")
			continue
		}
		s.audiences = append(s.audiences, a)
	}
	if len(c.Audiences) == 0 && !c.InsecureSkipAudienceCheck {
		bad("validator: at least one audience is required (set InsecureSkipAudienceCheck to accept any audience)")
	}

	algs := c.Algorithms
	if len(algs) == 0 {
		algs = DefaultAlgorithms
	}
	s.algs = make(map[string]bool, len(algs))
	for _, a := range algs {
		switch {
		case forbiddenAlg(a):
			bad("validator: algorithm %q can never be enabled", a)
		case !supportedAlgs[a]:
			hint := ""
			for known := range supportedAlgs {
				if strings.EqualFold(known, a) {
					hint = fmt.Sprintf(" (algorithm names are case-sensitive: %q)", known)
				}
			}
			bad("validator: unsupported algorithm %q%s", a, hint)
		default:
			s.algs[a] = true
		}
	}

	switch {
	case c.Leeway == 0:
		s.leeway = DefaultLeeway
	case c.Leeway < 0:
		s.leeway = 0
	default:
		s.leeway = c.Leeway
	}

	var err error
	if s.scopeClaims, err = claimPaths("ScopeClaims", c.ScopeClaims, DefaultScopeClaims); err != nil {
		errs = append(errs, err)
	}
	if s.roleClaims, err = claimPaths("RoleClaims", c.RoleClaims, DefaultRoleClaims); err != nil {
		errs = append(errs, err)
	}
	if s.permissionClaims, err = claimPaths("PermissionClaims", c.PermissionClaims, DefaultPermissionClaims); err != nil {
		errs = append(errs, err)
	}

	audClaim := c.AudienceClaim
	if audClaim == "" {
		audClaim = "aud"
	}
	if s.audienceClaim, err = parseClaimPath(audClaim); err != nil {
		errs = append(errs, fmt.Errorf("validator: AudienceClaim: %w", err))
	}
	for _, name := range slices.Sorted(maps.Keys(c.RequiredClaims)) {
		p, err := parseClaimPath(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("validator: RequiredClaims: %w", err))
			continue
		}
		s.requiredClaims = append(s.requiredClaims, requiredClaim{path: p, value: c.RequiredClaims[name]})
	}

	s.maxTokenSize = positiveOr(c.MaxTokenSize, DefaultMaxTokenSize, "MaxTokenSize", bad)
	s.fetchTimeout = positiveOr(c.FetchTimeout, DefaultFetchTimeout, "FetchTimeout", bad)
	s.maxJWKSSize = positiveOr(c.MaxJWKSSize, DefaultMaxJWKSSize, "MaxJWKSSize", bad)
	s.minRefresh = positiveOr(c.MinRefreshInterval, DefaultMinRefreshInterval, "MinRefreshInterval", bad)
	s.refresh = positiveOr(c.RefreshInterval, DefaultRefreshInterval, "RefreshInterval", bad)
	switch {
	case c.CacheSize == 0:
		s.cacheSize = DefaultCacheSize
	case c.CacheSize < 0:
		s.cacheSize = 0
	default:
		s.cacheSize = c.CacheSize
	}

	if len(c.JWKS) == 0 {
		if s.jwksURL != "" {
			if err := checkFetchURL(s.jwksURL, s.allowHTTP); err != nil {
				bad("validator: JWKSURL: %w", err)
			}
		} else if c.Issuer == "" {
			bad("validator: JWKSURL or JWKS is required when Issuer is empty")
		} else if err := checkFetchURL(c.Issuer, s.allowHTTP); err != nil {
			bad("validator: Issuer cannot be used for discovery (set JWKSURL): %w", err)
		}
	}

	if s.now == nil {
		s.now = time.Now
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: s.fetchTimeout}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

func positiveOr[T int | int64 | time.Duration](v, def T, name string, bad func(string, ...any)) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		bad("validator: %s must not be negative", name)
		return def
	}
	return v
}

// checkFetchURL accepts absolute https URLs, and http URLs on loopback hosts (or anywhere
// when allowHTTP is set).
func checkFetchURL(raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a valid URL: %w", err)
	}
	if u.Host == "" || !u.IsAbs() {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q carries credentials", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if allowHTTP || isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q must use https (plain http is allowed only for loopback hosts)", raw)
	default:
		return fmt.Errorf("%q: unsupported scheme %q", raw, u.Scheme)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ConfigFromEnv returns a Config read from the AXIOMS_* environment variables and a
// .env file in the working directory (a variable set in the real environment wins over
// the file; an empty value counts as unset):
//
//	AXIOMS_ISS_URL             Issuer
//	AXIOMS_DOMAIN              deprecated: Issuer "https://{domain}" when AXIOMS_ISS_URL is unset
//	AXIOMS_AUDIENCE            Audiences (comma-separated)
//	AXIOMS_JWKS_URL            JWKSURL
//	AXIOMS_ALGORITHMS          Algorithms (comma-separated)
//	AXIOMS_LEEWAY              Leeway: seconds ("30") or a Go duration ("30s"); "0" means none
//	AXIOMS_SCOPE_CLAIMS        ScopeClaims (comma-separated)
//	AXIOMS_ROLES_CLAIMS        RoleClaims (comma-separated)
//	AXIOMS_PERMISSIONS_CLAIMS  PermissionClaims (comma-separated)
//	AXIOMS_AUDIENCE_CLAIM      AudienceClaim
//	AXIOMS_REQUIRED_CLAIMS     RequiredClaims (comma-separated name=value pairs)
//
// It fails on a malformed .env file or value; it does not check that required values are
// present — [New] does.
func ConfigFromEnv() (Config, error) {
	src, err := envconfig.Load("")
	if err != nil {
		return Config{}, err
	}
	return configFromSource(src)
}

// ConfigFromLookup is [ConfigFromEnv] over an arbitrary source: lookup returns a
// variable's value and whether it is set. Empty values count as unset.
func ConfigFromLookup(lookup func(name string) (string, bool)) (Config, error) {
	vals := map[string]string{}
	for _, name := range envNames {
		if v, ok := lookup(name); ok {
			vals[name] = v
		}
	}
	return configFromSource(envconfig.FromMap(vals))
}

var envNames = []string{
	"AXIOMS_ISS_URL", "AXIOMS_DOMAIN", "AXIOMS_AUDIENCE", "AXIOMS_JWKS_URL", "AXIOMS_ALGORITHMS",
	"AXIOMS_LEEWAY", "AXIOMS_SCOPE_CLAIMS", "AXIOMS_ROLES_CLAIMS", "AXIOMS_PERMISSIONS_CLAIMS",
	"AXIOMS_AUDIENCE_CLAIM", "AXIOMS_REQUIRED_CLAIMS",
}

func configFromSource(src *envconfig.Source) (Config, error) {
	var c Config
	if iss, ok := src.Lookup("AXIOMS_ISS_URL"); ok {
		c.Issuer = iss
	} else if domain, ok := src.Lookup("AXIOMS_DOMAIN"); ok {
		c.Issuer = IssuerFromDomain(domain)
	}
	c.Audiences = src.List("AXIOMS_AUDIENCE")
	c.JWKSURL, _ = src.Lookup("AXIOMS_JWKS_URL")
	c.Algorithms = src.List("AXIOMS_ALGORITHMS")
	c.ScopeClaims = src.List("AXIOMS_SCOPE_CLAIMS")
	c.RoleClaims = src.List("AXIOMS_ROLES_CLAIMS")
	c.PermissionClaims = src.List("AXIOMS_PERMISSIONS_CLAIMS")
	c.AudienceClaim, _ = src.Lookup("AXIOMS_AUDIENCE_CLAIM")
	for _, pair := range src.List("AXIOMS_REQUIRED_CLAIMS") {
		name, value, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return Config{}, fmt.Errorf("AXIOMS_REQUIRED_CLAIMS: want name=value, got %q", pair)
		}
		if c.RequiredClaims == nil {
			c.RequiredClaims = map[string]string{}
		}
		c.RequiredClaims[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	if v, ok := src.Lookup("AXIOMS_LEEWAY"); ok {
		d, err := ParseLeeway(v)
		if err != nil {
			return Config{}, fmt.Errorf("AXIOMS_LEEWAY: %w", err)
		}
		c.Leeway = d
	}
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
// reads as "no leeway". Negative inputs are rejected.
func ParseLeeway(v string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > int64(maxRefreshInterval/time.Second) {
			return 0, fmt.Errorf("%q is too large", v)
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
	}
	return d, nil
}

// requiredClaim is one entry of Config.RequiredClaims.
type requiredClaim struct {
	path  claimPath
	value string
}

func claimPaths(field string, names, def []string) ([]claimPath, error) {
	if len(names) == 0 {
		names = def
	}
	out := make([]claimPath, 0, len(names))
	for _, n := range names {
		p, err := parseClaimPath(n)
		if err != nil {
			return nil, fmt.Errorf("validator: %s: %w", field, err)
		}
		if slices.ContainsFunc(out, func(q claimPath) bool { return q.name == p.name }) {
			return nil, fmt.Errorf("validator: %s lists %q twice", field, n)
		}
		out = append(out, p)
	}
	return out, nil
}

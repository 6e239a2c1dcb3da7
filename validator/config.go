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
	"strings"
	"time"
)

// Defaults applied by [New] to zero-valued [Config] fields.
const (
	DefaultLeeway             = 30 * time.Second // Config.Leeway
	DefaultMaxTokenSize       = 8 << 10          // Config.MaxTokenSize: 8 KiB
	DefaultFetchTimeout       = 5 * time.Second  // Config.FetchTimeout
	DefaultMaxJWKSSize        = 1 << 20          // Config.MaxJWKSSize: 1 MiB
	DefaultMinRefreshInterval = 5 * time.Second  // Config.MinRefreshInterval
	DefaultMaxRefreshBackoff  = 5 * time.Minute  // Config.MaxRefreshBackoff
	DefaultRefreshInterval    = 15 * time.Minute // Config.RefreshInterval
	DefaultCacheSize          = 4096             // Config.CacheSize: entries of the verified-token cache
	DefaultCacheMaxBytes      = 32 << 20         // Config.CacheMaxBytes: 32 MiB
	maxRefreshInterval        = 24 * time.Hour
)

// MaxLeeway is the largest Config.Leeway [New] accepts, and the largest leeway
// AXIOMS_LEEWAY and `axioms verify --leeway` accept: 5 minutes. Clocks
// kept by NTP agree within a second, and five minutes is the skew Kerberos tolerates by
// default, enough for a host whose clock has drifted for days. Every second of leeway
// extends each token's life by a second (exp) and lets tokens in early (nbf, iat), so a
// larger value is refused rather than honoured: 100000h would accept a token expired a
// year ago.
const MaxLeeway = 5 * time.Minute

// DefaultScopeClaims returns the default of Config.ScopeClaims, in lookup order (the
// first claim present wins): "scope" (RFC 9068, most providers), then "scp" (Okta,
// Microsoft Entra ID). It returns a fresh slice on every call.
func DefaultScopeClaims() []string { return []string{"scope", "scp"} }

// DefaultRoleClaims returns the default of Config.RoleClaims: "roles". It returns a
// fresh slice on every call.
func DefaultRoleClaims() []string { return []string{"roles"} }

// DefaultPermissionClaims returns the default of Config.PermissionClaims: "permissions".
// It returns a fresh slice on every call.
func DefaultPermissionClaims() []string { return []string{"permissions"} }

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
	// (30s); a negative value means no leeway at all. At most [MaxLeeway] (5m): New fails
	// above it.
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
	RoleClaims       []string // see ScopeClaims; default [DefaultRoleClaims]
	PermissionClaims []string // see ScopeClaims; default [DefaultPermissionClaims]

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

	// HTTPClient fetches discovery documents and key sets, and sends introspection
	// requests (Introspection). If nil, a client with FetchTimeout is used. The client is
	// never modified, and is used concurrently; redirects that leave https (outside
	// loopback) are refused either way, and introspection requests follow no redirect.
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

	// MinRefreshInterval is the shortest time between two fetches of the key set. A token
	// with an unknown kid (a key the issuer has just started signing with) triggers a
	// fetch unless one started less than this long ago, so a key rotation costs at most
	// this long of refusals; fetches that bring nothing back off from it (see
	// MaxRefreshBackoff). It is also the least time a Cache-Control max-age is honoured
	// for. If zero, [DefaultMinRefreshInterval] (5s).
	MinRefreshInterval time.Duration

	// MaxRefreshBackoff bounds the interval between fetches while they bring nothing:
	// each failed fetch, and each fetch asked for by an unknown kid that brings no new
	// key (a flood of random kids), doubles it from MinRefreshInterval up to this
	// ceiling. A successful fetch undoes the doublings due to failures; a fetch that
	// brings a new key, or this long without any unknown kid, undoes the others.
	// Scheduled refreshes (RefreshInterval, max-age) are delayed by failures only. If
	// zero, [DefaultMaxRefreshBackoff] (5m), or MinRefreshInterval when that is longer;
	// negative, or below MinRefreshInterval, is an error.
	MaxRefreshBackoff time.Duration

	// RefreshInterval is how long a fetched key set is used before it is refreshed in the
	// background, when the response has no Cache-Control max-age (a max-age is honoured
	// within [MinRefreshInterval, 24h]). If zero, [DefaultRefreshInterval] (15m).
	RefreshInterval time.Duration

	// CacheSize bounds the cache of verified tokens (keyed by the exact token; an entry
	// never outlives the token's exp nor its signing key's presence in the JWKS). If
	// zero, [DefaultCacheSize]; a negative value disables the cache. With Introspection,
	// the cache of introspection results has the same bounds (CacheSize and
	// CacheMaxBytes), a budget of its own, and is disabled with it.
	CacheSize int

	// CacheMaxBytes bounds the memory the verified-token cache holds, in bytes; entries
	// are evicted when either this bound or CacheSize is reached. An entry counts the
	// token, its decoded payload and an estimate of its decoded claims (the maps, slices
	// and strings the JSON decoder allocates); an entry counting more than 64 KiB, or more
	// than a sixteenth of CacheMaxBytes, is not cached: such a token is verified each time
	// it is presented. Ordinary claims count six to seven times their JSON size, so an
	// 8 KiB token (the default MaxTokenSize) counts about 40 KiB. If zero,
	// [DefaultCacheMaxBytes] (32 MiB); negative is an error (set CacheSize negative to
	// turn the cache off).
	CacheMaxBytes int64

	// RequireKeysAtStartup makes [New] fail when the key set cannot be fetched. Default
	// false: New succeeds, requests get [ErrKeysUnavailable] until keys arrive.
	RequireKeysAtStartup bool

	// Logger receives key-set events (fetch failures, keys skipped as unusable) and
	// failed introspections (at most one line per 10s). It never receives token content.
	// If nil, slog.Default().
	Logger *slog.Logger

	// InsecureSkipIssuerCheck accepts tokens from any issuer. Only for tests and for
	// deployments where another layer checks the issuer.
	InsecureSkipIssuerCheck bool

	// InsecureSkipAudienceCheck accepts tokens for any audience, which lets a token meant
	// for another API in the same tenant in. Only for tests.
	InsecureSkipAudienceCheck bool

	// InsecureSkipHTTPSCheck allows plain-http discovery, key-set and introspection URLs
	// on non-loopback hosts (e.g. an issuer container on a private network in
	// development).
	InsecureSkipHTTPSCheck bool

	// Introspection, if set, sends opaque tokens (or all tokens, with
	// Introspection.All) to the issuer's introspection endpoint (RFC 7662) instead of
	// verifying them as JWTs; see [Introspection] and the package doc. If nil, every
	// token must be a JWT and nothing is introspected.
	Introspection *Introspection
}

// settings is a validated Config with defaults applied.
type settings struct {
	issuer           string
	audiences        []string
	jwksURL          string
	jwks             []byte
	algs             map[string]*algorithm // the allowlist
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
	maxBackoff       time.Duration
	refresh          time.Duration
	cacheSize        int
	cacheMaxBytes    int64
	requireKeys      bool
	logger           *slog.Logger
	skipIssuer       bool
	skipAudience     bool
	allowHTTP        bool
	userClient       bool           // HTTPClient was set
	introspection    *introSettings // nil: off
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
		userClient:   c.HTTPClient != nil,
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
		bad("validator: Audiences: at least one audience is required (set InsecureSkipAudienceCheck to accept any audience)")
	}

	algs := c.Algorithms
	if len(algs) == 0 {
		algs = DefaultAlgorithms()
	}
	s.algs = make(map[string]*algorithm, len(algs))
	for _, a := range algs {
		alg := algorithmNamed(a)
		switch {
		case forbiddenAlg(a):
			bad("validator: Algorithms: algorithm %q can never be enabled", a)
		case alg == nil:
			hint := ""
			for _, known := range algorithms {
				if strings.EqualFold(known.name, a) {
					hint = fmt.Sprintf(" (algorithm names are case-sensitive: %q)", known.name)
				}
			}
			bad("validator: Algorithms: unsupported algorithm %q%s", a, hint)
		default:
			s.algs[a] = alg
		}
	}

	switch {
	case c.Leeway == 0:
		s.leeway = DefaultLeeway
	case c.Leeway < 0:
		s.leeway = 0
	case c.Leeway > MaxLeeway:
		bad("validator: Leeway: %v exceeds the maximum leeway of %v", c.Leeway, MaxLeeway)
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
	s.maxBackoff = positiveOr(c.MaxRefreshBackoff, max(DefaultMaxRefreshBackoff, s.minRefresh), "MaxRefreshBackoff", bad)
	if s.maxBackoff < s.minRefresh {
		bad("validator: MaxRefreshBackoff (%v) is below MinRefreshInterval (%v)", s.maxBackoff, s.minRefresh)
	}
	s.refresh = positiveOr(c.RefreshInterval, DefaultRefreshInterval, "RefreshInterval", bad)
	switch {
	case c.CacheSize == 0:
		s.cacheSize = DefaultCacheSize
	case c.CacheSize < 0:
		s.cacheSize = 0
	default:
		s.cacheSize = c.CacheSize
	}
	s.cacheMaxBytes = positiveOr(c.CacheMaxBytes, DefaultCacheMaxBytes, "CacheMaxBytes", bad)

	if len(c.JWKS) == 0 {
		if s.jwksURL != "" {
			if err := checkFetchURL(s.jwksURL, s.allowHTTP); err != nil {
				bad("validator: JWKSURL: %w", err)
			}
		} else if c.Issuer == "" {
			if c.InsecureSkipIssuerCheck { // otherwise "Issuer is required" says it
				bad("validator: JWKSURL or JWKS is required when Issuer is empty")
			}
		} else if err := checkFetchURL(c.Issuer, s.allowHTTP); err != nil {
			bad("validator: Issuer cannot be used for discovery (set JWKSURL): %w", err)
		}
	}

	if c.Introspection != nil {
		s.introspection = c.Introspection.settings(&c, s, bad)
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
		return fmt.Errorf("%q must use https (plain http is allowed only for loopback hosts, or with InsecureSkipHTTPSCheck)", raw)
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

// requiredClaim is one entry of Config.RequiredClaims.
type requiredClaim struct {
	path  claimPath
	value string
}

func claimPaths(field string, names []string, def func() []string) ([]claimPath, error) {
	if len(names) == 0 {
		names = def()
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

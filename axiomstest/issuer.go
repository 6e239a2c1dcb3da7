package axiomstest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/axioms-go/axioms-echo/internal/signing"
)

// DefaultAudience is the audience of an [Issuer] whose IssuerConfig.Audience is empty.
const DefaultAudience = "https://api.example.test"

// DefaultSubject is the sub of minted tokens whose claims do not set one.
const DefaultSubject = "user-1"

// DefaultTokenTTL is the lifetime of minted tokens when IssuerConfig.TokenTTL is zero.
const DefaultTokenTTL = time.Hour

// DefaultAlgorithms returns the algorithms of the keys an [Issuer] starts with when
// IssuerConfig.Algorithms is empty: RS256, ES256 and EdDSA; the first, RS256, signs
// tokens by default. It returns a fresh slice on every call.
func DefaultAlgorithms() []string { return []string{"RS256", "ES256", "EdDSA"} }

// DevelopmentWarning is what every program that serves an [Issuer] outside a test (with
// IssuerConfig.TokenEndpoint) tells its user; the token endpoint's index page shows it.
const DevelopmentWarning = "DEVELOPMENT ONLY: this issuer signs any claims for anyone who asks. Never expose it beyond loopback, never trust it in production."

// IssuerConfig configures an [Issuer]. The zero value is the default configuration: a
// test issuer on a free loopback port with in-memory keys.
//
// Addr, KeyFile and TokenEndpoint turn it into a development issuer for a program
// (see the package documentation): they are for development only, never for a
// deployment.
type IssuerConfig struct {
	// Algorithms lists the keys generated at start, one per algorithm, from RS256,
	// RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 and EdDSA; the first signs
	// tokens by default. An unknown or repeated algorithm is a configuration error. If
	// empty, [DefaultAlgorithms] (with KeyFile, the key file's algorithm, or RS256 for a
	// new key file).
	Algorithms []string

	// Audience is the aud of minted tokens. If empty, [DefaultAudience].
	Audience string

	// TokenTTL is the lifetime of minted tokens: exp = now + TokenTTL. If zero,
	// [DefaultTokenTTL]; negative is a configuration error (set exp to mint expired
	// tokens).
	TokenTTL time.Duration

	// Now is the clock for the iat, nbf and exp of minted tokens; a [Clock]'s Now
	// method is one. It may be called from several goroutines at once. If nil,
	// time.Now.
	Now func() time.Time

	// Header members are merged over the default header of every minted token, before
	// TokenSpec.Header, as that field describes: {"typ": "at+jwt"} mints RFC 9068
	// access tokens. If nil, the default header.
	Header map[string]any

	// Claims are merged over the default claims of every minted token, before the
	// token's own claims, as TokenSpec.Claims describes: {"sub": [Omit]} mints tokens
	// without a subject unless the token names one. If nil, the default claims.
	Claims map[string]any

	// DisableDiscovery makes /.well-known/openid-configuration answer 404, so that a
	// validator falls back to /.well-known/jwks.json. If false, discovery is served.
	DisableDiscovery bool

	// CacheControl is the Cache-Control header of JWK set responses. If empty, no
	// Cache-Control header is sent.
	CacheControl string

	// Addr is the TCP address the server listens on, "host:port"; the issuer
	// identifier is then "http://" and the address listened on. A development server
	// sets it to a fixed port. If empty, a free port on the loopback interface.
	Addr string

	// KeyFile, if set, names the file that keeps the issuer's signing key, so that a
	// development issuer that restarts keeps its tokens valid: the issuer has that one
	// key, read from the file (a private JWK), or generated and written to it (mode
	// 0600, creating its directory with mode 0700) if the file does not exist.
	// Algorithms may then name one algorithm at most, which the key must have. If
	// empty, keys live in memory only.
	KeyFile string

	// IntrospectionClientID and IntrospectionClientSecret, if set, are the client
	// credentials the introspection endpoint requires (client_secret_basic or
	// client_secret_post); a request without them is answered 401
	// {"error":"invalid_client"}. If empty, the endpoint asks no client
	// authentication.
	IntrospectionClientID, IntrospectionClientSecret string

	// TokenEndpoint serves POST /token, which mints a token from a JSON object of
	// claims for anyone who asks, and names it as token_endpoint in discovery; GET /
	// then describes it (see the package documentation). If false, both answer 404.
	TokenEndpoint bool
}

// Issuer is an in-process OpenID Connect issuer serving discovery and a JWK set over
// HTTP, and minting tokens. Create it with [NewIssuer] in tests, or with
// [NewIssuerErr] (and [Issuer.Close]) elsewhere. All its methods are safe for
// concurrent use.
type Issuer struct {
	srv       *httptest.Server
	cfg       IssuerConfig // normalised by NewIssuerErr, then read-only
	closing   chan struct{}
	closeOnce sync.Once

	mu        sync.Mutex
	members   []member        // the served JWK set, in publication order
	current   map[string]*Key // alg → the key that signs that alg's tokens
	algs      []string        // algorithms with a current key, in order of first appearance
	body      []byte          // served instead of members when non-nil
	fault     *Fault          // in effect, or nil
	remaining int             // fetches left for fault; 0 = until ClearFaults

	opaque         map[string]opaqueEntry // tokens minted by OpaqueToken
	introFault     *Fault                 // of the introspection endpoint, or nil
	introRemaining int                    // requests left for introFault; 0 = until ClearFaults
	introFetches   atomic.Int64

	jwksFetches      atomic.Int64
	discoveryFetches atomic.Int64
}

// member is one entry of the served JWK set: a key, or raw bytes from PublishRaw.
type member struct {
	kid string
	key *Key   // nil for a raw member
	jwk []byte // the encoded member, served verbatim
}

// NewIssuer starts an issuer configured by cfg (the zero IssuerConfig for the
// defaults), with one key per configured algorithm. It fails the test on an invalid
// configuration. The server is closed by tb's cleanup.
func NewIssuer(tb testing.TB, cfg IssuerConfig) *Issuer {
	tb.Helper()
	i, err := NewIssuerErr(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(i.Close)
	return i
}

// NewIssuerErr is [NewIssuer] for a program that is not a test (a development server,
// an Example): it returns an error on an invalid configuration (an unknown or repeated
// algorithm, a negative TokenTTL, an unreadable or mismatched KeyFile, an Addr it
// cannot listen on). The caller must call [Issuer.Close] when done, or the server keeps
// running.
func NewIssuerErr(cfg IssuerConfig) (*Issuer, error) {
	cfg, err := cfg.normalise()
	if err != nil {
		return nil, err
	}
	i := &Issuer{cfg: cfg, current: map[string]*Key{}, closing: make(chan struct{})}
	if cfg.KeyFile != "" {
		k, err := loadOrCreateKey(cfg.KeyFile, cfg.Algorithms)
		if err != nil {
			return nil, err
		}
		i.cfg.Algorithms = []string{k.Alg()}
		i.addKey(k)
	} else {
		for _, alg := range cfg.Algorithms {
			k, err := generateKey(alg, true)
			if err != nil {
				return nil, err
			}
			i.addKey(k)
		}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", i.serveDiscovery)
	mux.HandleFunc("GET /.well-known/jwks.json", i.serveJWKS)
	mux.HandleFunc("POST /introspect", i.serveIntrospection)
	if cfg.TokenEndpoint {
		mux.HandleFunc("POST /token", i.serveToken)
		mux.HandleFunc("GET /{$}", i.serveIndex)
	}
	if cfg.Addr == "" {
		i.srv = httptest.NewUnstartedServer(mux)
	} else {
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return nil, fmt.Errorf("axiomstest: IssuerConfig.Addr: %w", err)
		}
		i.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	}
	i.srv.Config.ReadHeaderTimeout = 5 * time.Second
	i.srv.Start()
	return i, nil
}

// normalise checks cfg and fills in its defaults; the slices and maps it keeps are
// copies.
func (cfg IssuerConfig) normalise() (IssuerConfig, error) {
	switch {
	case len(cfg.Algorithms) == 0 && cfg.KeyFile == "":
		cfg.Algorithms = DefaultAlgorithms()
	case len(cfg.Algorithms) > 1 && cfg.KeyFile != "":
		return cfg, fmt.Errorf("axiomstest: IssuerConfig.Algorithms: a KeyFile holds one key, not %d", len(cfg.Algorithms))
	}
	cfg.Algorithms = slices.Clone(cfg.Algorithms)
	for n, alg := range cfg.Algorithms {
		if !slices.Contains(signing.Algorithms(), alg) {
			return cfg, fmt.Errorf("axiomstest: IssuerConfig.Algorithms: unsupported algorithm %q (want one of %v)", alg, signing.Algorithms())
		}
		if slices.Contains(cfg.Algorithms[:n], alg) {
			return cfg, fmt.Errorf("axiomstest: IssuerConfig.Algorithms: %s is listed twice", alg)
		}
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	switch {
	case cfg.TokenTTL == 0:
		cfg.TokenTTL = DefaultTokenTTL
	case cfg.TokenTTL < 0:
		return cfg, fmt.Errorf("axiomstest: IssuerConfig.TokenTTL is negative (%v)", cfg.TokenTTL)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Header, cfg.Claims = maps.Clone(cfg.Header), maps.Clone(cfg.Claims)
	return cfg, nil
}

// addKey publishes k and makes it the current key of its algorithm.
func (i *Issuer) addKey(k *Key) {
	i.members = append(i.members, member{kid: k.ID(), key: k, jwk: k.jwk})
	if _, ok := i.current[k.Alg()]; !ok {
		i.algs = append(i.algs, k.Alg())
	}
	i.current[k.Alg()] = k
}

// Close shuts the issuer's server down: fetches held back by a [Fault]'s Delay are
// released, then the server closes, waiting for the requests in progress. Later
// fetches fail to connect; minting still works. Close is idempotent and safe for
// concurrent use. An issuer from [NewIssuer] is closed by the test's cleanup.
func (i *Issuer) Close() {
	i.closeOnce.Do(func() {
		close(i.closing)
		i.srv.Close()
	})
}

// URL returns the issuer identifier: the iss of its tokens and the base of its
// endpoints, "http://127.0.0.1:<port>" (or "http://" and IssuerConfig.Addr) without a
// trailing slash.
func (i *Issuer) URL() string { return i.srv.URL }

// JWKSURL returns the URL of the JWK set, URL() + "/.well-known/jwks.json": the
// jwks_uri of the discovery document and the fallback location validators try.
func (i *Issuer) JWKSURL() string { return i.srv.URL + "/.well-known/jwks.json" }

// Audience returns the aud of minted tokens: IssuerConfig.Audience or
// [DefaultAudience].
func (i *Issuer) Audience() string { return i.cfg.Audience }

// JWKSFetches returns how many requests have reached the JWK set endpoint, faulted
// ones included.
func (i *Issuer) JWKSFetches() int { return int(i.jwksFetches.Load()) }

// DiscoveryFetches returns how many requests have reached the discovery endpoint,
// including those answered 404 because of DisableDiscovery.
func (i *Issuer) DiscoveryFetches() int { return int(i.discoveryFetches.Load()) }

// serveDiscovery answers the OpenID Provider Metadata (OpenID Connect Discovery 1.0
// §3) a resource server needs: issuer and jwks_uri, plus the members the
// specification requires that make sense for an issuer without an authorization
// endpoint, and the token endpoint if there is one.
func (i *Issuer) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	i.discoveryFetches.Add(1)
	if i.cfg.DisableDiscovery {
		http.NotFound(w, r)
		return
	}
	i.mu.Lock()
	algs := slices.Clone(i.algs)
	i.mu.Unlock()
	var tokenEndpoint string
	if i.cfg.TokenEndpoint {
		tokenEndpoint = i.URL() + "/token"
	}
	body, err := json.Marshal(struct {
		Issuer            string   `json:"issuer"`
		JWKSURI           string   `json:"jwks_uri"`
		TokenEndpoint     string   `json:"token_endpoint,omitempty"`
		Introspection     string   `json:"introspection_endpoint"`
		IntrospectionAuth []string `json:"introspection_endpoint_auth_methods_supported"`
		ResponseTypes     []string `json:"response_types_supported"`
		SubjectTypes      []string `json:"subject_types_supported"`
		SigningAlgorithms []string `json:"id_token_signing_alg_values_supported"`
	}{i.URL(), i.JWKSURL(), tokenEndpoint, i.IntrospectionURL(), []string{"client_secret_basic", "client_secret_post"},
		[]string{"token"}, []string{"public"}, algs})
	if err != nil { // strings only: cannot happen
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

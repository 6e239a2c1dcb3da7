package axiomstest

import (
	"encoding/json"
	"fmt"
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

// DefaultAlgorithms are the keys an [Issuer] starts with when IssuerConfig.Algorithms
// is empty; the first, RS256, signs tokens by default. [NewIssuerWith] copies it; do not
// modify it.
var DefaultAlgorithms = []string{"RS256", "ES256", "EdDSA"}

// IssuerConfig configures an [Issuer]. The zero value is the default configuration.
type IssuerConfig struct {
	// Algorithms lists the keys generated at start, one per algorithm, from RS256,
	// RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 and EdDSA; the first signs
	// tokens by default. An unknown or repeated algorithm fails the test. If empty,
	// [DefaultAlgorithms].
	Algorithms []string

	// Audience is the aud of minted tokens. If empty, [DefaultAudience].
	Audience string

	// TokenTTL is the lifetime of minted tokens: exp = now + TokenTTL. If zero,
	// [DefaultTokenTTL]; negative fails the test (set exp to mint expired tokens).
	TokenTTL time.Duration

	// Now is the clock for the iat, nbf and exp of minted tokens. It may be called
	// from several goroutines at once. If nil, time.Now.
	Now func() time.Time

	// DisableDiscovery makes /.well-known/openid-configuration answer 404, so that a
	// validator falls back to /.well-known/jwks.json. If false, discovery is served.
	DisableDiscovery bool

	// CacheControl is the Cache-Control header of JWK set responses. If empty, no
	// Cache-Control header is sent.
	CacheControl string
}

// Issuer is an in-process OpenID Connect issuer serving discovery and a JWK set over
// loopback HTTP, and minting tokens. Create it with [NewIssuer] or [NewIssuerWith] in
// tests, or with [Start] (and [Issuer.Close]) elsewhere.
// All its methods are safe for concurrent use.
type Issuer struct {
	srv       *httptest.Server
	cfg       IssuerConfig // normalised by NewIssuerWith, then read-only
	closing   chan struct{}
	closeOnce sync.Once

	mu        sync.Mutex
	members   []member        // the served JWK set, in publication order
	current   map[string]*Key // alg → the key that signs that alg's tokens
	algs      []string        // algorithms with a current key, in order of first appearance
	body      []byte          // served instead of members when non-nil
	fault     *Fault          // in effect, or nil
	remaining int             // fetches left for fault; 0 = until ClearFaults

	jwksFetches      atomic.Int64
	discoveryFetches atomic.Int64
}

// member is one entry of the served JWK set: a key, or raw bytes from PublishRaw.
type member struct {
	kid string
	key *Key   // nil for a raw member
	jwk []byte // the encoded member, served verbatim
}

// NewIssuer starts an issuer with the default configuration: NewIssuerWith(tb,
// IssuerConfig{}).
func NewIssuer(tb testing.TB) *Issuer {
	tb.Helper()
	return NewIssuerWith(tb, IssuerConfig{})
}

// NewIssuerWith starts an issuer configured by cfg on a loopback httptest server
// (plain HTTP), with one key per configured algorithm. It fails the test on an invalid
// configuration. The server is closed by tb's cleanup. It is [Start] for tests.
func NewIssuerWith(tb testing.TB, cfg IssuerConfig) *Issuer {
	tb.Helper()
	i, err := Start(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(i.Close)
	return i
}

// Start starts an issuer configured by cfg, as [NewIssuerWith] does, without a test: for
// Examples, development servers and programs. It returns an error on an invalid
// configuration (an unknown or repeated algorithm, a negative TokenTTL). The caller
// must call [Issuer.Close] when done, or the loopback server keeps running.
func Start(cfg IssuerConfig) (*Issuer, error) {
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = DefaultAlgorithms
	}
	cfg.Algorithms = slices.Clone(cfg.Algorithms)
	for n, alg := range cfg.Algorithms {
		if !slices.Contains(signing.Algorithms(), alg) {
			return nil, fmt.Errorf("axiomstest: IssuerConfig.Algorithms: unsupported algorithm %q (want one of %v)", alg, signing.Algorithms())
		}
		if slices.Contains(cfg.Algorithms[:n], alg) {
			return nil, fmt.Errorf("axiomstest: IssuerConfig.Algorithms: %s is listed twice", alg)
		}
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	switch {
	case cfg.TokenTTL == 0:
		cfg.TokenTTL = DefaultTokenTTL
	case cfg.TokenTTL < 0:
		return nil, fmt.Errorf("axiomstest: IssuerConfig.TokenTTL is negative (%v)", cfg.TokenTTL)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	i := &Issuer{cfg: cfg, current: map[string]*Key{}, closing: make(chan struct{})}
	for _, alg := range cfg.Algorithms {
		k, err := generateKey(alg, true)
		if err != nil {
			return nil, err
		}
		i.members = append(i.members, member{kid: k.ID(), key: k, jwk: k.jwk})
		i.current[alg] = k
		i.algs = append(i.algs, alg)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", i.serveDiscovery)
	mux.HandleFunc("GET /.well-known/jwks.json", i.serveJWKS)
	i.srv = httptest.NewServer(mux)
	return i, nil
}

// Close shuts the issuer's server down: fetches held back by a [Fault]'s Delay are
// released, then the server closes, waiting for the requests in progress. Later
// fetches fail to connect; minting still works. Close is idempotent and safe for
// concurrent use. An issuer from [NewIssuer] or [NewIssuerWith] is closed by the
// test's cleanup.
func (i *Issuer) Close() {
	i.closeOnce.Do(func() {
		close(i.closing)
		i.srv.Close()
	})
}

// URL returns the issuer identifier: the iss of its tokens and the base of its
// endpoints, "http://127.0.0.1:<port>" without a trailing slash.
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
// endpoint.
func (i *Issuer) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	i.discoveryFetches.Add(1)
	if i.cfg.DisableDiscovery {
		http.NotFound(w, r)
		return
	}
	i.mu.Lock()
	algs := slices.Clone(i.algs)
	i.mu.Unlock()
	body, err := json.Marshal(struct {
		Issuer            string   `json:"issuer"`
		JWKSURI           string   `json:"jwks_uri"`
		ResponseTypes     []string `json:"response_types_supported"`
		SubjectTypes      []string `json:"subject_types_supported"`
		SigningAlgorithms []string `json:"id_token_signing_alg_values_supported"`
	}{i.URL(), i.JWKSURL(), []string{"token"}, []string{"public"}, algs})
	if err != nil { // strings only: cannot happen
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

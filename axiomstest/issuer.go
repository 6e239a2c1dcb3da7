package axiomstest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/axioms-go/axioms-echo/internal/signing"
	"github.com/axioms-go/axioms-echo/validator"
)

// DefaultAudience is the audience of an [Issuer] whose IssuerConfig.Audience is empty.
const DefaultAudience = "https://api.example.test"

// DefaultAlgorithms are the keys an [Issuer] starts with when IssuerConfig.Algorithms is
// empty; the first signs tokens by default.
var DefaultAlgorithms = []string{"RS256", "ES256", "EdDSA"}

// DefaultSubject is the sub of minted tokens unless the claims set one.
const DefaultSubject = "user-1"

// Omit, as the value of a claim or header member, removes it from a minted token
// (e.g. {"exp": axiomstest.Omit}).
var Omit any = omitted{}

type omitted struct{}

// IssuerConfig configures an [Issuer]. Every field has a default.
type IssuerConfig struct {
	// Algorithms lists the keys generated at start, one per algorithm; the first signs
	// tokens by default. Default: [DefaultAlgorithms].
	Algorithms []string
	// Audience is the aud of minted tokens. Default: [DefaultAudience].
	Audience string
	// TokenTTL is the lifetime of minted tokens. Default: one hour.
	TokenTTL time.Duration
	// Now is the clock for iat, nbf and exp. Default: time.Now.
	Now func() time.Time
	// DisableDiscovery makes /.well-known/openid-configuration answer 404, to exercise
	// the /.well-known/jwks.json fallback.
	DisableDiscovery bool
	// CacheControl is sent on JWKS responses. Default: none.
	CacheControl string
}

// Fault makes the JWKS endpoint misbehave.
type Fault struct {
	// Status, if non-zero, is the response status.
	Status int
	// Delay holds the response back (until the client gives up, if sooner).
	Delay time.Duration
	// Body, if non-nil, is the response body instead of the key set.
	Body []byte
	// CloseConnection drops the connection without answering.
	CloseConnection bool
	// Times is how many fetches the fault applies to; 0 means until ClearFaults.
	Times int
}

// Issuer is an in-process issuer. Create it with [NewIssuer] or [NewIssuerWith].
type Issuer struct {
	srv     *httptest.Server
	cfg     IssuerConfig
	closing chan struct{}

	mu        sync.Mutex
	published []*signing.Key
	current   map[string]*signing.Key // alg → key minting by default
	raw       []json.RawMessage
	body      []byte
	fault     *Fault
	remaining int

	jwksFetches      atomic.Int64
	discoveryFetches atomic.Int64
}

// NewIssuer starts an issuer with the default configuration.
func NewIssuer(tb testing.TB) *Issuer { return NewIssuerWith(tb, IssuerConfig{}) }

// NewIssuerWith starts an issuer configured by cfg. Its server is closed when the test
// ends.
func NewIssuerWith(tb testing.TB, cfg IssuerConfig) *Issuer {
	tb.Helper()
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = DefaultAlgorithms
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	i := &Issuer{cfg: cfg, current: map[string]*signing.Key{}, closing: make(chan struct{})}
	for _, alg := range cfg.Algorithms {
		k := newKey(tb, alg, true)
		i.published = append(i.published, k)
		i.current[alg] = k
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", i.serveDiscovery)
	mux.HandleFunc("GET /.well-known/jwks.json", i.serveJWKS)
	i.srv = httptest.NewServer(mux)
	tb.Cleanup(func() {
		close(i.closing)
		i.srv.Close()
	})
	return i
}

// sharedRSA is the RSA key the issuers of one test binary start with.
var sharedRSA = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, signing.RSABits) })

// newKey generates a key for alg with a unique kid; RSA keys are the shared one when
// shared is true.
func newKey(tb testing.TB, alg string, shared bool) *signing.Key {
	tb.Helper()
	kid := randomID(alg)
	if shared && (alg[0] == 'R' || alg[0] == 'P') {
		priv, err := sharedRSA()
		if err != nil {
			tb.Fatalf("axiomstest: generating an RSA key: %v", err)
		}
		k, err := signing.New(priv, alg, kid)
		if err != nil {
			tb.Fatalf("axiomstest: %v", err)
		}
		return k
	}
	k, err := signing.Generate(alg, kid)
	if err != nil {
		tb.Fatalf("axiomstest: %v", err)
	}
	return k
}

func randomID(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return fmt.Sprintf("%s-%s", prefix, hex.EncodeToString(b))
}

// URL returns the issuer identifier: the `iss` of its tokens, without trailing slash.
func (i *Issuer) URL() string { return i.srv.URL }

// JWKSURL returns where the key set is served (the discovery document's jwks_uri).
func (i *Issuer) JWKSURL() string { return i.srv.URL + "/.well-known/jwks.json" }

// Audience returns the aud of minted tokens.
func (i *Issuer) Audience() string { return i.cfg.Audience }

// ValidatorConfig returns a validator.Config that trusts this issuer (by discovery) for
// its audience, with a logger that discards the key-set warnings tests provoke.
func (i *Issuer) ValidatorConfig() validator.Config {
	return validator.Config{
		Issuer:    i.URL(),
		Audiences: []string{i.cfg.Audience},
		Logger:    slog.New(slog.DiscardHandler),
	}
}

// Validator returns a validator for ValidatorConfig, failing the test on error.
func (i *Issuer) Validator(tb testing.TB) *validator.Validator {
	tb.Helper()
	v, err := validator.New(context.Background(), i.ValidatorConfig())
	if err != nil {
		tb.Fatalf("axiomstest: %v", err)
	}
	return v
}

// JWKSFetches returns how many requests reached the JWKS endpoint, faulted ones included.
func (i *Issuer) JWKSFetches() int { return int(i.jwksFetches.Load()) }

// DiscoveryFetches returns how many requests reached the discovery endpoint.
func (i *Issuer) DiscoveryFetches() int { return int(i.discoveryFetches.Load()) }

// Key is a signing key: one of an issuer's, or an extra (attacker) key from [NewKey].
type Key struct{ k *signing.Key }

// NewKey generates a fresh key for alg that no issuer publishes until [Issuer.Publish].
func NewKey(tb testing.TB, alg string) *Key {
	tb.Helper()
	return &Key{newKey(tb, alg, false)}
}

// ID returns the key's kid.
func (k *Key) ID() string { return k.k.ID }

// Alg returns the key's algorithm.
func (k *Key) Alg() string { return k.k.Alg }

// Public returns the public key.
func (k *Key) Public() crypto.PublicKey { return k.k.Public() }

// Signer returns the private key, to sign crafted tokens by other means.
func (k *Key) Signer() crypto.Signer { return k.k.Signer }

// PublicJWK returns the public JWK (kid, alg, use "sig").
func (k *Key) PublicJWK() []byte {
	b, err := k.k.PublicJWK()
	if err != nil {
		panic(err) // the key was generated here: its JWK always encodes
	}
	return b
}

// Key returns the issuer's current key for alg, or nil.
func (i *Issuer) Key(alg string) *Key {
	i.mu.Lock()
	defer i.mu.Unlock()
	if k := i.current[alg]; k != nil {
		return &Key{k}
	}
	return nil
}

// Rotate publishes a new key for alg and makes it sign that algorithm's tokens; the
// previous key stays published until [Issuer.RemoveKey].
func (i *Issuer) Rotate(tb testing.TB, alg string) *Key {
	tb.Helper()
	k := newKey(tb, alg, false)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.published = append(i.published, k)
	i.current[alg] = k
	return &Key{k}
}

// Publish adds k to the served key set.
func (i *Issuer) Publish(k *Key) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !slices.Contains(i.published, k.k) {
		i.published = append(i.published, k.k)
	}
}

// RemoveKey withdraws every published key with kid. Tokens keep naming it; validators
// stop trusting it once they refetch the set.
func (i *Issuer) RemoveKey(kid string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.published = slices.DeleteFunc(i.published, func(k *signing.Key) bool { return k.ID == kid })
}

// PublishRaw adds an arbitrary member to the served key set (for example a key with use
// "enc", a 1024-bit RSA key, or private or symmetric material).
func (i *Issuer) PublishRaw(member []byte) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.raw = append(i.raw, json.RawMessage(slices.Clone(member)))
}

// SetJWKSBody serves exactly body as the key set until called with nil.
func (i *Issuer) SetJWKSBody(body []byte) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.body = slices.Clone(body)
}

// Fail injects f into the JWKS endpoint, replacing any fault in effect.
func (i *Issuer) Fail(f Fault) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.fault = &f
	i.remaining = f.Times
}

// ClearFaults ends every fault.
func (i *Issuer) ClearFaults() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.fault = nil
}

func (i *Issuer) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	i.discoveryFetches.Add(1)
	if i.cfg.DisableDiscovery {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, map[string]any{
		"issuer":                                i.URL(),
		"jwks_uri":                              i.JWKSURL(),
		"response_types_supported":              []string{"token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": i.cfg.Algorithms,
	})
}

func (i *Issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	i.jwksFetches.Add(1)
	i.mu.Lock()
	var fault *Fault
	if i.fault != nil {
		f := *i.fault
		fault = &f
		if i.remaining > 0 {
			if i.remaining--; i.remaining == 0 {
				i.fault = nil
			}
		}
	}
	body := i.body
	if body == nil {
		body = i.jwksLocked()
	}
	i.mu.Unlock()

	if fault != nil {
		if fault.Delay > 0 {
			select {
			case <-time.After(fault.Delay):
			case <-r.Context().Done():
				return
			case <-i.closing:
				return
			}
		}
		if fault.CloseConnection {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if fault.Body != nil {
			body = fault.Body
		}
		if fault.Status != 0 {
			w.WriteHeader(fault.Status)
			w.Write(body)
			return
		}
	}
	if i.cfg.CacheControl != "" {
		w.Header().Set("Cache-Control", i.cfg.CacheControl)
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Write(body)
}

func (i *Issuer) jwksLocked() []byte {
	members := make([]json.RawMessage, 0, len(i.published)+len(i.raw))
	for _, k := range i.published {
		b, err := k.PublicJWK()
		if err != nil {
			panic(err)
		}
		members = append(members, b)
	}
	members = append(members, i.raw...)
	b, _ := json.Marshal(map[string]any{"keys": members})
	return b
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

package axiomstest_test

import (
	"crypto/ecdsa"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

func TestDefaults(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})

	u, err := url.Parse(iss.URL())
	require.NoError(t, err)
	assert.Equal(t, "http", u.Scheme)
	assert.Equal(t, "127.0.0.1", u.Hostname(), "loopback")
	assert.False(t, strings.HasSuffix(iss.URL(), "/"))
	assert.Empty(t, u.Path)
	assert.Equal(t, iss.URL()+"/.well-known/jwks.json", iss.JWKSURL())
	assert.Equal(t, axiomstest.DefaultAudience, iss.Audience())

	set := servedSet(t, iss.JWKSURL())
	assert.Equal(t, 3, set.Len())
	for n, alg := range axiomstest.DefaultAlgorithms() {
		k := iss.Key(alg)
		require.NotNil(t, k, alg)
		assert.Equal(t, alg, k.Alg())
		assert.True(t, strings.HasPrefix(k.ID(), alg+"-"))
		member, ok := set.Key(n)
		require.True(t, ok)
		kid, _ := member.KeyID()
		assert.Equal(t, k.ID(), kid, "published in configuration order")
	}
	assert.Nil(t, iss.Key("ES384"))
	assert.Same(t, iss.Key("RS256"), iss.Key(""), "the default key")
	assert.Equal(t, "RS256", header(t, iss.Token(t, axiomstest.TokenSpec{}))["alg"], "RS256 signs by default")

	other := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	assert.NotEqual(t, iss.URL(), other.URL())
	assert.NotEqual(t, iss.Key("RS256").ID(), other.Key("RS256").ID(), "kids are unique per issuer")
	assert.False(t, iss.Key("ES256").Public().(*ecdsa.PublicKey).Equal(other.Key("ES256").Public()), "EC keys are unique per issuer")
}

func TestConfigurationIsCopied(t *testing.T) {
	algs := []string{"ES256", "EdDSA"}
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: algs, Audience: "urn:aud"})
	algs[0] = "ES512"
	assert.Equal(t, "ES256", header(t, iss.Token(t, axiomstest.TokenSpec{}))["alg"], "later changes to the caller's slice do not matter")
	assert.Equal(t, "urn:aud", iss.Audience())
	assert.Equal(t, []string{"RS256", "ES256", "EdDSA"}, axiomstest.DefaultAlgorithms())
	axiomstest.DefaultAlgorithms()[0] = "ES512"
	assert.Equal(t, "RS256", axiomstest.DefaultAlgorithms()[0], "a fresh slice on every call")
}

func TestInvalidConfiguration(t *testing.T) {
	for name, cfg := range map[string]axiomstest.IssuerConfig{
		"unknown algorithm": {Algorithms: []string{"ES256", "ES256K"}},
		"HMAC":              {Algorithms: []string{"HS256"}},
		"none":              {Algorithms: []string{"none"}},
		"lowercase":         {Algorithms: []string{"es256"}},
		"repeated":          {Algorithms: []string{"ES256", "EdDSA", "ES256"}},
		"negative TTL":      {Algorithms: []string{"ES256"}, TokenTTL: -time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			msg := fatal(t, func(tb testing.TB) { axiomstest.NewIssuer(tb, cfg) })
			assert.Contains(t, msg, "axiomstest: IssuerConfig.")
		})
	}
}

func TestDiscovery(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256", "PS384"}})
	r := fetch(t, iss.URL()+"/.well-known/openid-configuration")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.JSONEq(t, `{
		"issuer": "`+iss.URL()+`",
		"jwks_uri": "`+iss.JWKSURL()+`",
		"introspection_endpoint": "`+iss.IntrospectionURL()+`",
		"introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
		"response_types_supported": ["token"],
		"subject_types_supported": ["public"],
		"id_token_signing_alg_values_supported": ["ES256", "PS384"]
	}`, string(r.body))
	assert.Equal(t, 1, iss.DiscoveryFetches())
	assert.Equal(t, 0, iss.JWKSFetches())

	// The jwks_uri it names serves the keys.
	disc := object(t, r.body)
	assert.Equal(t, 2, servedSet(t, disc["jwks_uri"].(string)).Len())

	iss.Rotate(t, "EdDSA")
	iss.Rotate(t, "ES256")
	assert.Equal(t, []any{"ES256", "PS384", "EdDSA"},
		object(t, fetch(t, iss.URL()+"/.well-known/openid-configuration").body)["id_token_signing_alg_values_supported"],
		"an algorithm added by rotation is listed once")
	assert.Equal(t, 2, iss.DiscoveryFetches())
}

func TestDisableDiscovery(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"EdDSA"}, DisableDiscovery: true})
	assert.Equal(t, http.StatusNotFound, fetch(t, iss.URL()+"/.well-known/openid-configuration").status)
	assert.Equal(t, 1, iss.DiscoveryFetches(), "a 404 is still a fetch")
	assert.Equal(t, 1, servedSet(t, iss.JWKSURL()).Len(), "the fallback location serves the keys")
}

func TestRoutes(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"EdDSA"}})
	for _, path := range []string{"/", "/jwks.json", "/.well-known/jwks", "/.well-known/jwks.json/x", "/token"} {
		assert.Equal(t, http.StatusNotFound, fetch(t, iss.URL()+path).status, path)
	}
	resp, err := http.Post(iss.JWKSURL(), "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, 0, iss.JWKSFetches(), "only GET (and HEAD) reach the key set")
}

func TestJWKSResponse(t *testing.T) {
	plain := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	r := fetch(t, plain.JWKSURL())
	assert.Equal(t, "application/jwk-set+json", r.header.Get("Content-Type"))
	assert.Empty(t, r.header.Values("Cache-Control"), "no Cache-Control by default")
	assert.Equal(t, []string{plain.Key("ES256").ID()}, kids(t, r.body))
	assert.JSONEq(t, `{"keys":[`+string(plain.Key("ES256").PublicJWK())+`]}`, string(r.body))

	cached := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, CacheControl: "public, max-age=600"})
	assert.Equal(t, "public, max-age=600", fetch(t, cached.JWKSURL()).header.Get("Cache-Control"))
}

// TestServedKeysHoldNoPrivateMaterial parses every served member with jwx.
func TestServedKeysHoldNoPrivateMaterial(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"RS256", "PS512", "ES256", "ES384", "ES512", "EdDSA"}})
	set := servedSet(t, iss.JWKSURL())
	require.Equal(t, 6, set.Len())
	for n := range set.Len() {
		k, _ := set.Key(n)
		private, err := jwk.IsPrivateKey(k)
		require.NoError(t, err)
		assert.False(t, private)
		use, _ := k.KeyUsage()
		assert.Equal(t, "sig", use)
	}
}

// TestConcurrentUse fetches both endpoints from many goroutines while others mint,
// rotate, publish, withdraw and inject faults; run with -race. Every fetch is counted.
func TestConcurrentUse(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256", "EdDSA"}})
	extra := axiomstest.NewKey(t, "ES256")
	const fetchers = 40
	var wg sync.WaitGroup
	for n := range fetchers {
		wg.Go(func() {
			for _, u := range []string{iss.JWKSURL(), iss.URL() + "/.well-known/openid-configuration"} {
				resp, err := http.Get(u)
				if assert.NoError(t, err) {
					resp.Body.Close()
				}
			}
			switch n % 5 {
			case 0:
				iss.Rotate(t, "EdDSA")
			case 1:
				iss.Publish(extra)
				iss.RemoveKey(extra.ID())
			case 2:
				iss.Fail(axiomstest.Fault{Status: http.StatusBadGateway, Times: 1})
			case 3:
				iss.ClearFaults()
				iss.PublishRaw([]byte(`{"kty":"oct","k":"AA"}`))
			case 4:
				iss.SetJWKSBody(nil)
			}
			_ = iss.Token(t, axiomstest.TokenSpec{Alg: "EdDSA"})
			_ = iss.Key("ES256").PublicJWK()
			_, _ = iss.JWKSFetches(), iss.DiscoveryFetches()
		})
	}
	wg.Wait()
	assert.Equal(t, fetchers, iss.JWKSFetches())
	assert.Equal(t, fetchers, iss.DiscoveryFetches())
}

func TestNewIssuerErrAndCloseOutsideATest(t *testing.T) {
	for _, cfg := range []axiomstest.IssuerConfig{
		{Algorithms: []string{"HS256"}},
		{Algorithms: []string{"ES256", "ES256"}},
		{TokenTTL: -time.Second},
		{KeyFile: filepath.Join(t.TempDir(), "k.json"), Algorithms: []string{"ES256", "EdDSA"}},
		{Addr: "127.0.0.1:notaport"},
	} {
		iss, err := axiomstest.NewIssuerErr(cfg)
		assert.ErrorContains(t, err, "axiomstest: IssuerConfig.", "%+v", cfg)
		assert.Nil(t, iss)
	}

	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	require.NoError(t, err)
	v, err := validator.New(t.Context(), iss.ValidatorConfig())
	require.NoError(t, err)
	token, err := iss.TokenErr(axiomstest.TokenSpec{Claims: map[string]any{"sub": "alice"}})
	require.NoError(t, err)
	claims, err := v.Validate(t.Context(), token)
	require.NoError(t, err)
	assert.Equal(t, "alice", claims.Subject())

	_, err = iss.TokenErr(axiomstest.TokenSpec{Alg: "RS256"})
	assert.ErrorContains(t, err, "the issuer has no RS256 key")
	_, err = iss.TokenErr(axiomstest.TokenSpec{Key: iss.Key("ES256"), Alg: "ES256"})
	assert.ErrorContains(t, err, "both Key and Alg")

	iss.Close()
	iss.Close() // idempotent
	resp, err := http.Get(iss.JWKSURL())
	if err == nil {
		resp.Body.Close()
	}
	assert.Error(t, err, "the server is closed")
	_, err = v.Validate(t.Context(), token)
	assert.NoError(t, err, "keys already fetched keep serving")
}

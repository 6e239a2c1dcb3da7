package validator_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// opaqueToken is shaped as Ory Hydra's access tokens: one dot, so not a compact JWS.
const opaqueToken = "ory_at_k3Vx9Qw2.Zp4Lr8Tn"

// introServer is an introspection endpoint for tests: it answers every request with
// its current status and body, records what it received, and counts requests.
type introServer struct {
	srv  *httptest.Server
	hits atomic.Int64

	mu     sync.Mutex
	status int    // 0: 200
	body   string // the answer
	gate   chan struct{}
	reqs   []introRequest
}

// introRequest is what the endpoint received.
type introRequest struct {
	header http.Header
	form   url.Values
}

func newIntroServer(t *testing.T, body string) *introServer {
	t.Helper()
	is := &introServer{body: body}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.hits.Add(1)
		raw, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(raw))
		is.mu.Lock()
		is.reqs = append(is.reqs, introRequest{header: r.Header.Clone(), form: form})
		status, body, gate := is.status, is.body, is.gate
		is.mu.Unlock()
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if status != 0 {
			w.WriteHeader(status)
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *introServer) set(status int, body string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.status, is.body = status, body
}

func (is *introServer) last(t *testing.T) introRequest {
	t.Helper()
	is.mu.Lock()
	defer is.mu.Unlock()
	require.NotEmpty(t, is.reqs)
	return is.reqs[len(is.reqs)-1]
}

// activeBody is an active introspection answer for the test issuer and audience at
// testNow, with overrides (nil deletes).
func activeBody(t testing.TB, over map[string]any) string {
	t.Helper()
	c := claims(map[string]any{"active": true, "scope": "read:data write:data", "client_id": "client-1", "token_type": "Bearer"})
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	return string(b)
}

// introValidator is a Validator with static keys and introspection at is, on the
// fixed clock unless cfg says otherwise.
func introValidator(t testing.TB, is *introServer, cfg validator.Config, in validator.Introspection) *validator.Validator {
	t.Helper()
	if in.Endpoint == "" {
		in.Endpoint = is.srv.URL + "/introspect"
	}
	cfg.Introspection = &in
	return staticValidator(t, cfg, jwksJSON(t, newSigner(t, "ES256", "k1").jwk(t, nil)))
}

// TestIntrospectionRefusals: every answer that is not an active, valid access token is
// refused, with the reason and class it must have. An endpoint's fault (an error status,
// a malformed answer) is never a 200 nor a 401: the token was not judged.
func TestIntrospectionRefusals(t *testing.T) {
	huge := activeBody(t, map[string]any{"pad": strings.Repeat("x", validator.DefaultMaxIntrospectionResponseSize)})
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   validator.Reason
	}{
		{"active false", 0, `{"active":false}`, validator.ReasonInactive},
		{"active false with claims", 0, activeBody(t, map[string]any{"active": false}), validator.ReasonInactive},
		{"active string", 0, activeBody(t, map[string]any{"active": "true"}), validator.ReasonIntrospectionUnavailable},
		{"active number", 0, activeBody(t, map[string]any{"active": 1}), validator.ReasonIntrospectionUnavailable},
		{"active missing", 0, activeBody(t, map[string]any{"active": nil}), validator.ReasonIntrospectionUnavailable},
		{"active null", 0, `{"active":null}`, validator.ReasonIntrospectionUnavailable},
		{"active Active", 0, `{"Active":true}`, validator.ReasonIntrospectionUnavailable},
		{"duplicate active", 0, `{"active":false,"active":true}`, validator.ReasonIntrospectionUnavailable},
		{"duplicate scope", 0, strings.TrimSuffix(activeBody(t, nil), "}") + `,"scope":"admin"}`, validator.ReasonIntrospectionUnavailable},
		{"not JSON", 0, `<html>ok</html>`, validator.ReasonIntrospectionUnavailable},
		{"empty body", 0, ``, validator.ReasonIntrospectionUnavailable},
		{"JSON null", 0, `null`, validator.ReasonIntrospectionUnavailable},
		{"JSON array", 0, `[{"active":true}]`, validator.ReasonIntrospectionUnavailable},
		{"trailing data", 0, activeBody(t, nil) + `{}`, validator.ReasonIntrospectionUnavailable},
		{"invalid UTF-8", 0, `{"active":true,"sub":"` + "\xff" + `"}`, validator.ReasonIntrospectionUnavailable},
		{"too large", 0, huge, validator.ReasonIntrospectionUnavailable},
		{"HTTP 500", http.StatusInternalServerError, activeBody(t, nil), validator.ReasonIntrospectionUnavailable},
		{"HTTP 401", http.StatusUnauthorized, `{"error":"invalid_client"}`, validator.ReasonIntrospectionUnavailable},
		{"HTTP 302", http.StatusFound, activeBody(t, nil), validator.ReasonIntrospectionUnavailable},
		{"HTTP 204", http.StatusNoContent, ``, validator.ReasonIntrospectionUnavailable},
		{"scope array", 0, activeBody(t, map[string]any{"scope": []string{"read:data"}}), validator.ReasonIntrospectionUnavailable},
		{"scope number", 0, activeBody(t, map[string]any{"scope": 7}), validator.ReasonIntrospectionUnavailable},
		{"exp string", 0, activeBody(t, map[string]any{"exp": "2099-01-01"}), validator.ReasonIntrospectionUnavailable},
		{"aud number array", 0, activeBody(t, map[string]any{"aud": []any{1}}), validator.ReasonIntrospectionUnavailable},
		{"client_id object", 0, activeBody(t, map[string]any{"client_id": map[string]any{}}), validator.ReasonIntrospectionUnavailable},
		{"roles number", 0, activeBody(t, map[string]any{"roles": 3}), validator.ReasonIntrospectionUnavailable},
		{"exp passed", 0, activeBody(t, map[string]any{"exp": testNow.Add(-time.Hour).Unix()}), validator.ReasonExpired},
		{"exp missing", 0, activeBody(t, map[string]any{"exp": nil}), validator.ReasonMissingClaim},
		{"nbf future", 0, activeBody(t, map[string]any{"nbf": testNow.Add(time.Hour).Unix()}), validator.ReasonNotYetValid},
		{"iat future", 0, activeBody(t, map[string]any{"iat": testNow.Add(time.Hour).Unix()}), validator.ReasonIssuedInFuture},
		{"wrong iss", 0, activeBody(t, map[string]any{"iss": "https://other.example/"}), validator.ReasonWrongIssuer},
		{"iss missing", 0, activeBody(t, map[string]any{"iss": nil}), validator.ReasonMissingClaim},
		{"wrong aud", 0, activeBody(t, map[string]any{"aud": []string{"https://other.example"}}), validator.ReasonWrongAudience},
		{"empty aud", 0, activeBody(t, map[string]any{"aud": []string{}}), validator.ReasonWrongAudience},
		{"aud missing", 0, activeBody(t, map[string]any{"aud": nil}), validator.ReasonMissingClaim},
		{"refresh token (token_use)", 0, activeBody(t, map[string]any{"token_use": "refresh_token"}), validator.ReasonWrongType},
		{"refresh token (token_type)", 0, activeBody(t, map[string]any{"token_type": "refresh_token"}), validator.ReasonWrongType},
		{"token_type DPoP without cnf", 0, activeBody(t, map[string]any{"token_type": "DPoP"}), validator.ReasonIntrospectionUnavailable},
		{"token_type dpop, cnf without jkt", 0, activeBody(t, map[string]any{"token_type": "dpop", "cnf": map[string]any{"x5t#S256": "a"}}), validator.ReasonIntrospectionUnavailable},
		{"cnf a string", 0, activeBody(t, map[string]any{"cnf": "jkt"}), validator.ReasonIntrospectionUnavailable},
		{"cnf.jkt a number", 0, activeBody(t, map[string]any{"cnf": map[string]any{"jkt": 1}}), validator.ReasonIntrospectionUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := newIntroServer(t, tc.body)
			is.set(tc.status, tc.body)
			v := introValidator(t, is, validator.Config{}, validator.Introspection{})
			c, err := v.Validate(t.Context(), opaqueToken)
			require.Nil(t, c)
			requireReason(t, err, tc.want)
			assert.NotContains(t, err.Error(), opaqueToken, "errors never echo the token")
			if tc.want != validator.ReasonIntrospectionUnavailable {
				assert.Nil(t, errorsUnwrap(err), "a token's fault has no cause")
			} else {
				assert.NotNil(t, errorsUnwrap(err), "the endpoint's failure is kept as the cause, for logs")
			}
		})
	}
}

func errorsUnwrap(err error) error {
	u, ok := err.(interface{ Unwrap() error })
	if !ok {
		return nil
	}
	return u.Unwrap()
}

// TestIntrospectionTimeout: an endpoint that does not answer within Timeout leaves the
// token unjudged (503 class), and the caller is not held past it.
func TestIntrospectionTimeout(t *testing.T) {
	is := newIntroServer(t, activeBody(t, nil))
	gate := make(chan struct{})
	t.Cleanup(func() { close(gate) })
	is.mu.Lock()
	is.gate = gate
	is.mu.Unlock()
	v := introValidator(t, is, validator.Config{}, validator.Introspection{Timeout: 20 * time.Millisecond})
	_, err := v.Validate(t.Context(), opaqueToken)
	requireReason(t, err, validator.ReasonIntrospectionUnavailable)
	assert.ErrorContains(t, err, "deadline exceeded")
}

// TestIntrospectionUnreachable: an endpoint nobody listens on is unavailable, not invalid.
func TestIntrospectionUnreachable(t *testing.T) {
	is := newIntroServer(t, "")
	endpoint := is.srv.URL
	is.srv.Close()
	v := introValidator(t, is, validator.Config{}, validator.Introspection{Endpoint: endpoint})
	_, err := v.Validate(t.Context(), opaqueToken)
	requireReason(t, err, validator.ReasonIntrospectionUnavailable)
}

// TestIntrospectionActiveToken: an active answer gives Claims read through the same
// accessors and configured claim names as a JWT's.
func TestIntrospectionActiveToken(t *testing.T) {
	body := activeBody(t, map[string]any{
		"sub": "user-7", "roles": []string{"admin"}, "permissions": "articles:write", "account": 9007199254740993,
		"realm_access": map[string]any{"roles": []string{"auditor"}}, "username": "ada",
	})
	is := newIntroServer(t, body)
	v := introValidator(t, is, validator.Config{}, validator.Introspection{})
	c, err := v.Validate(t.Context(), opaqueToken)
	require.NoError(t, err)
	assert.Equal(t, "user-7", c.Subject())
	assert.Equal(t, testIssuer, c.Issuer())
	assert.Equal(t, []string{testAudience}, c.Audience())
	assert.Equal(t, []string{"read:data", "write:data"}, c.Scopes())
	assert.True(t, c.HasScope("read:data"))
	assert.Equal(t, []string{"admin"}, c.Roles())
	assert.Equal(t, []string{"articles:write"}, c.Permissions())
	assert.Equal(t, testNow.Add(time.Hour).UTC(), c.ExpiresAt())
	assert.Equal(t, "token-1", c.ID())
	id, ok := c.Claim("client_id")
	assert.True(t, ok)
	assert.Equal(t, "client-1", id)
	n, ok := c.IntegerClaim("account")
	assert.True(t, ok)
	assert.Equal(t, "9007199254740993", n, "integers read exactly from the answer")

	// Configured claim names apply as to JWTs.
	is2 := newIntroServer(t, body)
	v2 := introValidator(t, is2, validator.Config{RoleClaims: []string{"/realm_access/roles"}, AudienceClaim: "client_id", Audiences: []string{"client-1"},
		RequiredClaims: map[string]string{"username": "ada"}}, validator.Introspection{})
	c2, err := v2.Validate(t.Context(), opaqueToken)
	require.NoError(t, err)
	assert.Equal(t, []string{"auditor"}, c2.Roles())
	is2.set(0, activeBody(t, map[string]any{"username": "eve"}))
	_, err = v2.Validate(t.Context(), "another-opaque-token")
	requireReason(t, err, validator.ReasonClaimMismatch)
}

// TestIntrospectionRequest: the endpoint receives an RFC 7662 request, with the client
// authenticated by the configured method.
func TestIntrospectionRequest(t *testing.T) {
	const id, secret = "api:server 1", "s3cr%t+/="
	t.Run("client_secret_basic", func(t *testing.T) {
		is := newIntroServer(t, activeBody(t, nil))
		v := introValidator(t, is, validator.Config{}, validator.Introspection{ClientID: id, ClientSecret: secret})
		_, err := v.Validate(t.Context(), opaqueToken)
		require.NoError(t, err)
		r := is.last(t)
		assert.Equal(t, url.Values{"token": {opaqueToken}, "token_type_hint": {"access_token"}}, r.form)
		assert.Equal(t, "application/x-www-form-urlencoded", r.header.Get("Content-Type"))
		assert.Equal(t, "application/json", r.header.Get("Accept"))
		// RFC 6749 §2.3.1: each of id and secret form-urlencoded, then Basic.
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
		assert.Equal(t, want, r.header.Get("Authorization"))
		assert.Equal(t, "Basic YXBpJTNBc2VydmVyKzE6czNjciUyNXQlMkIlMkYlM0Q=", r.header.Get("Authorization"))
	})
	t.Run("client_secret_post", func(t *testing.T) {
		is := newIntroServer(t, activeBody(t, nil))
		v := introValidator(t, is, validator.Config{}, validator.Introspection{ClientID: id, ClientSecret: secret, AuthMethod: validator.AuthClientSecretPost})
		_, err := v.Validate(t.Context(), opaqueToken)
		require.NoError(t, err)
		r := is.last(t)
		assert.Equal(t, url.Values{"token": {opaqueToken}, "token_type_hint": {"access_token"}, "client_id": {id}, "client_secret": {secret}}, r.form)
		assert.Empty(t, r.header.Get("Authorization"))
	})
	t.Run("no client authentication", func(t *testing.T) {
		is := newIntroServer(t, activeBody(t, nil))
		v := introValidator(t, is, validator.Config{}, validator.Introspection{})
		_, err := v.Validate(t.Context(), opaqueToken)
		require.NoError(t, err)
		r := is.last(t)
		assert.Equal(t, url.Values{"token": {opaqueToken}, "token_type_hint": {"access_token"}}, r.form)
		assert.Empty(t, r.header.Get("Authorization"))
	})
	t.Run("the secret never reaches errors", func(t *testing.T) {
		is := newIntroServer(t, "")
		is.set(http.StatusUnauthorized, `{"error":"invalid_client","error_description":"bad secret s3cr%t+/="}`)
		v := introValidator(t, is, validator.Config{}, validator.Introspection{ClientID: id, ClientSecret: secret})
		_, err := v.Validate(t.Context(), opaqueToken)
		requireReason(t, err, validator.ReasonIntrospectionUnavailable)
		assert.NotContains(t, err.Error(), "s3cr")
		assert.NotContains(t, err.Error(), opaqueToken)
		assert.Contains(t, err.Error(), "HTTP 401")
	})
}

// TestIntrospectionWhichTokens: with All false, a token shaped as a compact JWS takes
// the JWT path (signature checked, never introspected), anything else is introspected;
// with All true every token is introspected.
func TestIntrospectionWhichTokens(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	keys := jwksJSON(t, s.jwk(t, nil))
	jwt := s.token(t, claims(nil), nil)
	forged := newSigner(t, "ES256", "k1").token(t, claims(nil), nil)
	is := newIntroServer(t, activeBody(t, nil))
	in := &validator.Introspection{Endpoint: is.srv.URL}
	v := staticValidator(t, validator.Config{Introspection: in}, keys)

	_, err := v.Validate(t.Context(), jwt)
	require.NoError(t, err)
	_, err = v.Validate(t.Context(), forged)
	requireReason(t, err, validator.ReasonBadSignature, "a JWS-shaped token keeps the JWT checks")
	_, err = v.Validate(t.Context(), "a.b.c")
	requireReason(t, err, validator.ReasonMalformed, "and the JWT errors")
	assert.Zero(t, is.hits.Load(), "JWS-shaped tokens are never introspected unless All")

	for _, tok := range []string{"opaque", "ory_at_abc.def", "a.b.c.d.e", "a..b...c"} {
		_, err := v.Validate(t.Context(), tok)
		require.NoError(t, err, tok)
	}
	assert.EqualValues(t, 4, is.hits.Load())

	all := staticValidator(t, validator.Config{Introspection: &validator.Introspection{Endpoint: is.srv.URL, All: true}}, keys)
	is.set(0, `{"active":false}`)
	_, err = all.Validate(t.Context(), jwt)
	requireReason(t, err, validator.ReasonInactive, "All: a JWT is introspected too, and the endpoint's word wins")
	assert.Equal(t, jwt, is.last(t).form.Get("token"))
	is.set(0, activeBody(t, map[string]any{"sub": "from-introspection"}))
	c, err := all.Validate(t.Context(), forged)
	require.NoError(t, err, "All: the signature is the endpoint's business")
	assert.Equal(t, "from-introspection", c.Subject())
}

// TestIntrospectionCache: active answers are reused until exp or TTL, whichever comes
// first; refusals for NegativeTTL; endpoint failures are not cached.
func TestIntrospectionCache(t *testing.T) {
	clock := axiomstest.NewClock(testNow)
	t.Run("TTL caps", func(t *testing.T) {
		is := newIntroServer(t, activeBody(t, nil)) // exp in an hour
		v := introValidator(t, is, validator.Config{Now: clock.Now}, validator.Introspection{TTL: time.Minute})
		clock.Set(testNow)
		for range 3 {
			_, err := v.Validate(t.Context(), opaqueToken)
			require.NoError(t, err)
		}
		assert.EqualValues(t, 1, is.hits.Load(), "answered from the cache")
		clock.Advance(time.Minute - time.Second)
		_, err := v.Validate(t.Context(), opaqueToken)
		require.NoError(t, err)
		assert.EqualValues(t, 1, is.hits.Load())
		clock.Advance(time.Second)
		is.set(0, `{"active":false}`) // revoked meanwhile
		_, err = v.Validate(t.Context(), opaqueToken)
		requireReason(t, err, validator.ReasonInactive, "after TTL the endpoint is asked again")
		assert.EqualValues(t, 2, is.hits.Load())
	})
	t.Run("exp caps", func(t *testing.T) {
		clock.Set(testNow)
		is := newIntroServer(t, activeBody(t, map[string]any{"exp": testNow.Add(10 * time.Second).Unix()}))
		v := introValidator(t, is, validator.Config{Now: clock.Now, Leeway: -1}, validator.Introspection{})
		_, err := v.Validate(t.Context(), opaqueToken)
		require.NoError(t, err)
		clock.Advance(9 * time.Second)
		_, err = v.Validate(t.Context(), opaqueToken)
		require.NoError(t, err)
		assert.EqualValues(t, 1, is.hits.Load())
		clock.Advance(time.Second)
		_, err = v.Validate(t.Context(), opaqueToken)
		requireReason(t, err, validator.ReasonExpired, "never served past exp")
		assert.EqualValues(t, 2, is.hits.Load())
	})
	t.Run("negative", func(t *testing.T) {
		clock.Set(testNow)
		is := newIntroServer(t, `{"active":false}`)
		v := introValidator(t, is, validator.Config{Now: clock.Now}, validator.Introspection{NegativeTTL: 5 * time.Second})
		for range 3 {
			_, err := v.Validate(t.Context(), opaqueToken)
			requireReason(t, err, validator.ReasonInactive)
		}
		assert.EqualValues(t, 1, is.hits.Load())
		is.set(0, activeBody(t, map[string]any{"aud": "https://other.example"}))
		clock.Advance(5 * time.Second)
		for range 2 {
			_, err := v.Validate(t.Context(), opaqueToken)
			requireReason(t, err, validator.ReasonWrongAudience, "a failed check is a refusal, cached as such")
		}
		assert.EqualValues(t, 2, is.hits.Load())
	})
	t.Run("failures are not cached", func(t *testing.T) {
		clock.Set(testNow)
		is := newIntroServer(t, "")
		is.set(http.StatusBadGateway, "")
		v := introValidator(t, is, validator.Config{Now: clock.Now}, validator.Introspection{})
		_, err := v.Validate(t.Context(), opaqueToken)
		requireReason(t, err, validator.ReasonIntrospectionUnavailable)
		is.set(0, activeBody(t, nil))
		_, err = v.Validate(t.Context(), opaqueToken)
		require.NoError(t, err, "the endpoint recovered: the next request is answered")
		assert.EqualValues(t, 2, is.hits.Load())
	})
	t.Run("cache off", func(t *testing.T) {
		is := newIntroServer(t, activeBody(t, nil))
		v := introValidator(t, is, validator.Config{CacheSize: -1}, validator.Introspection{})
		for range 3 {
			_, err := v.Validate(t.Context(), opaqueToken)
			require.NoError(t, err)
		}
		assert.EqualValues(t, 3, is.hits.Load())
	})
	t.Run("distinct tokens", func(t *testing.T) {
		is := newIntroServer(t, activeBody(t, nil))
		v := introValidator(t, is, validator.Config{}, validator.Introspection{})
		for i := range 5 {
			_, err := v.Validate(t.Context(), fmt.Sprintf("token-%d", i))
			require.NoError(t, err)
		}
		assert.EqualValues(t, 5, is.hits.Load(), "one request per distinct token")
	})
}

// TestIntrospectionConfig: invalid settings fail New, each named.
func TestIntrospectionConfig(t *testing.T) {
	keys := jwksJSON(t, newSigner(t, "ES256", "k1").jwk(t, nil))
	for _, tc := range []struct {
		name string
		cfg  validator.Config
		want string
	}{
		{"no endpoint with static keys", validator.Config{JWKS: keys, Introspection: &validator.Introspection{}},
			"Introspection.Endpoint is required when JWKS or JWKSURL is set"},
		{"no endpoint with a key-set URL", validator.Config{JWKSURL: "https://issuer.example/keys", Introspection: &validator.Introspection{}},
			"Introspection.Endpoint is required when JWKS or JWKSURL is set"},
		{"plain http", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "http://issuer.example/introspect"}},
			"Introspection.Endpoint: \"http://issuer.example/introspect\" must use https"},
		{"credentials in URL", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "https://id:pw@issuer.example/introspect"}},
			"carries credentials"},
		{"relative", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "/introspect"}},
			"is not an absolute URL"},
		{"unknown auth method", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "https://issuer.example/i", AuthMethod: "private_key_jwt"}},
			`Introspection.AuthMethod: "private_key_jwt" is not supported`},
		{"id without secret", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "https://issuer.example/i", ClientID: "api"}},
			"ClientID and ClientSecret must be set together"},
		{"secret without id", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "https://issuer.example/i", ClientSecret: "hunter2"}},
			"ClientID and ClientSecret must be set together"},
		{"negative TTL", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "https://issuer.example/i", TTL: -1}},
			"Introspection.TTL must not be negative"},
		{"negative NegativeTTL", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "https://issuer.example/i", NegativeTTL: -1}},
			"Introspection.NegativeTTL must not be negative"},
		{"negative Timeout", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "https://issuer.example/i", Timeout: -1}},
			"Introspection.Timeout must not be negative"},
		{"negative MaxResponseSize", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "https://issuer.example/i", MaxResponseSize: -1}},
			"Introspection.MaxResponseSize must not be negative"},
		{"negative MaxConcurrent", validator.Config{JWKS: keys, Introspection: &validator.Introspection{Endpoint: "https://issuer.example/i", MaxConcurrent: -1}},
			"Introspection.MaxConcurrent must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Issuer, tc.cfg.Audiences, tc.cfg.Logger = testIssuer, []string{testAudience}, quietLogger
			_, err := validator.New(t.Context(), tc.cfg)
			require.ErrorContains(t, err, tc.want)
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
	_, err := validator.New(t.Context(), validator.Config{Issuer: testIssuer, Audiences: []string{testAudience}, JWKS: keys, InsecureSkipHTTPSCheck: true,
		Introspection: &validator.Introspection{Endpoint: "http://issuer.internal/introspect"}})
	require.NoError(t, err, "InsecureSkipHTTPSCheck allows plain http, as for key sets")
}

// TestIntrospectionDiscoveredEndpoint: without Endpoint, the discovery document's
// introspection_endpoint is used; a document without a usable one fails New.
func TestIntrospectionDiscoveredEndpoint(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	is := newIntroServer(t, "")
	ks := newKeyServer(t, jwksJSON(t, s.jwk(t, nil)))
	discovery := func(introspection string) string {
		return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q,"introspection_endpoint":%q}`, ks.srv.URL, ks.srv.URL+"/keys", introspection)
	}
	ks.set(func(k *keyServer) { k.discovery = discovery(is.srv.URL + "/oauth2/introspect") })
	is.set(0, activeBody(t, map[string]any{"iss": ks.srv.URL}))
	v := remoteValidator(t, ks, axiomstest.NewClock(testNow), validator.Config{Introspection: &validator.Introspection{}})
	_, err := v.Validate(t.Context(), opaqueToken)
	require.NoError(t, err)
	assert.EqualValues(t, 1, is.hits.Load())
	assert.EqualValues(t, 1, ks.discHits.Load(), "discovery is read once, for keys and endpoint")

	for name, tc := range map[string]struct{ doc, want string }{
		"none named":  {fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, ks.srv.URL, ks.srv.URL+"/keys"), "names no introspection_endpoint"},
		"plain http":  {discovery("http://issuer.example/introspect"), "introspection_endpoint: \"http://issuer.example/introspect\" must use https"},
		"no document": {"404", "has no discovery document"},
		"not a string": {fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q,"introspection_endpoint":42}`, ks.srv.URL, ks.srv.URL+"/keys"),
			"names an introspection_endpoint that is not a string"},
	} {
		t.Run(name, func(t *testing.T) {
			ks.set(func(k *keyServer) { k.discovery = tc.doc })
			_, err := validator.New(t.Context(), validator.Config{Issuer: ks.srv.URL, Audiences: []string{testAudience}, Logger: quietLogger,
				Introspection: &validator.Introspection{}})
			require.ErrorContains(t, err, tc.want)
			assert.ErrorContains(t, err, "set Introspection.Endpoint")
		})
	}

	t.Run("JWT validation ignores the member", func(t *testing.T) {
		ks.set(func(k *keyServer) {
			k.discovery = fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q,"introspection_endpoint":{"odd":true}}`, ks.srv.URL, ks.srv.URL+"/keys")
		})
		v := remoteValidator(t, ks, axiomstest.NewClock(testNow), validator.Config{})
		_, err := v.Validate(t.Context(), s.token(t, issuedBy(ks, nil), nil))
		require.NoError(t, err, "without Introspection, discovery reads what it always read")
	})

	t.Run("issuer down at startup", func(t *testing.T) {
		clock := axiomstest.NewClock(testNow)
		ks.set(func(k *keyServer) { k.discState = http.StatusServiceUnavailable })
		v := remoteValidator(t, ks, clock, validator.Config{Introspection: &validator.Introspection{}})
		_, err := v.Validate(t.Context(), opaqueToken)
		requireReason(t, err, validator.ReasonIntrospectionUnavailable, "the endpoint is not known yet")
		assert.ErrorContains(t, err, "introspection endpoint unknown")

		ks.set(func(k *keyServer) { k.discState, k.discovery = 0, discovery(is.srv.URL+"/oauth2/introspect") })
		clock.Advance(time.Minute) // past the retry backoff
		_, err = v.Validate(t.Context(), opaqueToken)
		require.NoError(t, err, "discovered with the keys once the issuer is back")
	})
}

// TestIntrospectionFailureLog: endpoint failures are logged at most once per 10 seconds
// (with how many were not), never with the token or the client secret.
func TestIntrospectionFailureLog(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
	clock := axiomstest.NewClock(testNow)
	is := newIntroServer(t, "")
	is.set(http.StatusInternalServerError, `{"error":"server_error","token":"`+opaqueToken+`"}`)
	v := introValidator(t, is, validator.Config{Now: clock.Now, Logger: logger},
		validator.Introspection{ClientID: "api", ClientSecret: "hunter2"})
	for i := range 3 {
		_, err := v.Validate(t.Context(), fmt.Sprint(opaqueToken, i))
		requireReason(t, err, validator.ReasonIntrospectionUnavailable)
	}
	clock.Advance(10 * time.Second)
	_, err := v.Validate(t.Context(), opaqueToken)
	requireReason(t, err, validator.ReasonIntrospectionUnavailable)

	mu.Lock()
	out := buf.String()
	mu.Unlock()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	assert.Contains(t, lines[0], "token introspection failed")
	assert.Contains(t, lines[0], "HTTP 500")
	assert.Contains(t, lines[0], "failures_not_logged=0")
	assert.Contains(t, lines[1], "failures_not_logged=2")
	assert.NotContains(t, out, opaqueToken)
	assert.NotContains(t, out, "hunter2")
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestIntrospectionStatus: Status counts the requests sent, the failures, the inactive
// answers and the introspection cache's hits and misses; all stay 0 without
// introspection.
func TestIntrospectionStatus(t *testing.T) {
	is := newIntroServer(t, activeBody(t, nil))
	v := introValidator(t, is, validator.Config{}, validator.Introspection{})
	for range 3 {
		_, err := v.Validate(t.Context(), opaqueToken)
		require.NoError(t, err)
	}
	is.set(0, `{"active":false}`)
	for range 2 {
		_, err := v.Validate(t.Context(), "revoked-token")
		requireReason(t, err, validator.ReasonInactive)
	}
	is.set(http.StatusInternalServerError, "")
	for range 2 {
		_, err := v.Validate(t.Context(), "unjudged-token")
		requireReason(t, err, validator.ReasonIntrospectionUnavailable)
	}
	st := v.Status()
	assert.Equal(t, uint64(4), st.IntrospectionRequests, "one per token answered, two for the failing one (failures are not cached)")
	assert.Equal(t, uint64(2), st.IntrospectionFailures)
	assert.Equal(t, uint64(1), st.IntrospectionInactive)
	assert.Equal(t, uint64(0), st.IntrospectionThrottled)
	assert.Equal(t, uint64(3), st.IntrospectionCacheHits)
	assert.Equal(t, uint64(4), st.IntrospectionCacheMisses)
	assert.Zero(t, st.CacheHits+st.CacheMisses, "introspected tokens do not touch the verified-token cache")

	off := introValidator(t, is, validator.Config{CacheSize: -1}, validator.Introspection{})
	is.set(0, activeBody(t, nil))
	_, err := off.Validate(t.Context(), opaqueToken)
	require.NoError(t, err)
	st = off.Status()
	assert.Equal(t, uint64(1), st.IntrospectionRequests)
	assert.Zero(t, st.IntrospectionCacheHits+st.IntrospectionCacheMisses, "cache off")

	jwtOnly := staticValidator(t, validator.Config{}, jwksJSON(t, newSigner(t, "ES256", "k1").jwk(t, nil)))
	_, err = jwtOnly.Validate(t.Context(), opaqueToken)
	require.Error(t, err)
	st = jwtOnly.Status()
	assert.Zero(t, st.IntrospectionRequests+st.IntrospectionFailures+st.IntrospectionInactive+st.IntrospectionThrottled+
		st.IntrospectionCacheHits+st.IntrospectionCacheMisses)
}

// TestIntrospectionRefusesNonToken68: a token with characters a bearer token cannot
// hold is malformed, and never reaches the endpoint, even one that would call it
// active: callers that read tokens from the Authorization header (the enforce
// package's allocation-free path) rely on Validate accepting only token68.
func TestIntrospectionRefusesNonToken68(t *testing.T) {
	is := newIntroServer(t, activeBody(t, nil))
	for _, all := range []bool{false, true} {
		v := introValidator(t, is, validator.Config{}, validator.Introspection{All: all})
		for _, tok := range []string{`ory_at_a"b`, "ory_at_a:b", "ory_at_tökén", "ory_at_a b", "ory_at_a,b", "a=b", "=ab", "ory_at_\x00"} {
			_, err := v.Validate(t.Context(), tok)
			requireReason(t, err, validator.ReasonMalformed, "%q (All %v)", tok, all)
			assert.Equal(t, "token is not a single token68 value", err.Error())
		}
		for _, tok := range []string{"ory_at_k3Vx9Qw2.Zp4Lr8Tn", "a-b_c~d+e/f==", "a..b...c"} {
			_, err := v.Validate(t.Context(), tok)
			require.NoError(t, err, "%q (All %v)", tok, all)
		}
	}
	assert.EqualValues(t, 6, is.hits.Load(), "only token68 values are introspected")
}

// TestIntrospectionDPoPBoundToken: an answer about a DPoP-bound token (token_type DPoP,
// RFC 9449 §6.2) gives the key's thumbprint; one with cnf.jkt binds whatever its
// token_type says.
func TestIntrospectionDPoPBoundToken(t *testing.T) {
	const jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
	for _, typ := range []any{"DPoP", "Bearer", nil} {
		is := newIntroServer(t, activeBody(t, map[string]any{"token_type": typ, "cnf": map[string]any{"jkt": jkt}}))
		c, err := introValidator(t, is, validator.Config{}, validator.Introspection{}).Validate(t.Context(), opaqueToken)
		require.NoError(t, err, "token_type %v", typ)
		assert.Equal(t, jkt, c.DPoPThumbprint(), "token_type %v", typ)
	}
}

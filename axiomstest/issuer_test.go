package axiomstest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func payload(t *testing.T, tok string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	require.NoError(t, err)
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func header(t *testing.T, tok string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	require.NoError(t, err)
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestDiscoveryAndJWKS(t *testing.T) {
	iss := axiomstest.NewIssuer(t)
	code, body := get(t, iss.URL()+"/.well-known/openid-configuration")
	require.Equal(t, http.StatusOK, code)
	var disc map[string]any
	require.NoError(t, json.Unmarshal(body, &disc))
	assert.Equal(t, iss.URL(), disc["issuer"])
	assert.Equal(t, iss.JWKSURL(), disc["jwks_uri"])
	assert.Equal(t, 1, iss.DiscoveryFetches())

	code, body = get(t, iss.JWKSURL())
	require.Equal(t, http.StatusOK, code)
	set, err := jwk.Parse(body)
	require.NoError(t, err)
	assert.Equal(t, 3, set.Len())
	assert.NotContains(t, string(body), `"d"`, "no private material")
	assert.Equal(t, 1, iss.JWKSFetches())

	off := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{DisableDiscovery: true, Algorithms: []string{"ES256"}})
	code, _ = get(t, off.URL()+"/.well-known/openid-configuration")
	assert.Equal(t, http.StatusNotFound, code)
}

// TestTokensVerifyWithJWX checks minted tokens against the served JWKS with an
// independent implementation, for every algorithm.
func TestTokensVerifyWithJWX(t *testing.T) {
	iss := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{Algorithms: []string{"RS256", "PS384", "ES256", "ES384", "ES512", "EdDSA"}})
	_, body := get(t, iss.JWKSURL())
	set, err := jwk.Parse(body)
	require.NoError(t, err)
	for _, alg := range []string{"RS256", "PS384", "ES256", "ES384", "ES512", "EdDSA"} {
		tok := iss.TokenWith(t, axiomstest.TokenSpec{Alg: alg, Claims: map[string]any{"scope": "a b"}})
		_, err := jws.Verify([]byte(tok), jws.WithKeySet(set))
		require.NoError(t, err, alg)
		assert.Equal(t, alg, header(t, tok)["alg"])
		assert.Equal(t, iss.Key(alg).ID(), header(t, tok)["kid"])
	}
}

func TestTokenDefaultsAndOmit(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	iss := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{Now: func() time.Time { return now }, TokenTTL: time.Minute, Audience: "aud-x"})
	p := payload(t, iss.Token(t, nil))
	assert.Equal(t, iss.URL(), p["iss"])
	assert.Equal(t, "aud-x", p["aud"])
	assert.Equal(t, axiomstest.DefaultSubject, p["sub"])
	assert.EqualValues(t, now.Unix(), p["iat"])
	assert.EqualValues(t, now.Unix(), p["nbf"])
	assert.EqualValues(t, now.Add(time.Minute).Unix(), p["exp"])
	assert.NotEmpty(t, p["jti"])
	assert.Equal(t, "JWT", header(t, iss.Token(t, nil))["typ"])

	p = payload(t, iss.Token(t, map[string]any{"exp": axiomstest.Omit, "sub": "alice", "roles": []string{"admin"}}))
	assert.NotContains(t, p, "exp")
	assert.Equal(t, "alice", p["sub"])
	assert.Equal(t, []any{"admin"}, p["roles"])

	tok := iss.TokenWith(t, axiomstest.TokenSpec{OmitKeyID: true, Header: map[string]any{"typ": axiomstest.Omit, "x5u": "https://evil"}})
	h := header(t, tok)
	assert.NotContains(t, h, "kid")
	assert.NotContains(t, h, "typ")
	assert.Equal(t, "https://evil", h["x5u"])

	tok = iss.TokenWith(t, axiomstest.TokenSpec{KeyID: "other", Header: map[string]any{"alg": "none"}})
	assert.Equal(t, "other", header(t, tok)["kid"])
	assert.Equal(t, "none", header(t, tok)["alg"], "a crafted alg is written as given")
}

func TestRawTokens(t *testing.T) {
	iss := axiomstest.NewIssuer(t)
	tok := iss.TokenWith(t, axiomstest.TokenSpec{Alg: "ES256", RawHeader: []byte(`{"alg":"ES256","alg":"none"}`), RawPayload: []byte("{\"x\":\"\xff\"}")})
	parts := strings.Split(tok, ".")
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	p, _ := base64.RawURLEncoding.DecodeString(parts[1])
	assert.Equal(t, `{"alg":"ES256","alg":"none"}`, string(h))
	assert.Equal(t, "{\"x\":\"\xff\"}", string(p))
	pub, err := jwk.Import(iss.Key("ES256").Public())
	require.NoError(t, err)
	_, err = jws.Verify([]byte(tok), jws.WithKey(jwa.ES256(), pub))
	require.NoError(t, err, "crafted bytes are still genuinely signed")
}

func TestRotationAndRemoval(t *testing.T) {
	iss := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	old := iss.Key("ES256")
	fresh := iss.Rotate(t, "ES256")
	assert.NotEqual(t, old.ID(), fresh.ID())
	assert.Equal(t, fresh.ID(), header(t, iss.Token(t, nil))["kid"])
	_, body := get(t, iss.JWKSURL())
	assert.Contains(t, string(body), old.ID())
	assert.Contains(t, string(body), fresh.ID())

	iss.RemoveKey(old.ID())
	_, body = get(t, iss.JWKSURL())
	assert.NotContains(t, string(body), old.ID())

	extra := axiomstest.NewKey(t, "EdDSA")
	iss.Publish(extra)
	iss.Publish(extra)
	iss.PublishRaw([]byte(`{"kty":"oct","kid":"sym","k":"c2VjcmV0"}`))
	_, body = get(t, iss.JWKSURL())
	set, err := jwk.Parse(body)
	require.NoError(t, err)
	assert.Equal(t, 3, set.Len(), "fresh, the extra key once, and the raw member")
	assert.JSONEq(t, string(extra.PublicJWK()), mustMember(t, body, extra.ID()))

	iss.SetJWKSBody([]byte(`{"keys":[]}`))
	_, body = get(t, iss.JWKSURL())
	assert.Equal(t, `{"keys":[]}`, string(body))
	iss.SetJWKSBody(nil)
	_, body = get(t, iss.JWKSURL())
	assert.Contains(t, string(body), fresh.ID())
}

func mustMember(t *testing.T, set []byte, kid string) string {
	var s struct{ Keys []json.RawMessage }
	require.NoError(t, json.Unmarshal(set, &s))
	for _, k := range s.Keys {
		if strings.Contains(string(k), `"`+kid+`"`) {
			return string(k)
		}
	}
	t.Fatalf("no member %s", kid)
	return ""
}

func TestFaults(t *testing.T) {
	iss := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, CacheControl: "max-age=60"})

	iss.Fail(axiomstest.Fault{Status: http.StatusInternalServerError, Times: 2})
	code, _ := get(t, iss.JWKSURL())
	assert.Equal(t, 500, code)
	code, _ = get(t, iss.JWKSURL())
	assert.Equal(t, 500, code)
	resp, err := http.Get(iss.JWKSURL())
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode, "the fault ends after Times fetches")
	assert.Equal(t, "max-age=60", resp.Header.Get("Cache-Control"))

	iss.Fail(axiomstest.Fault{Body: []byte("garbage")})
	for range 3 {
		_, body := get(t, iss.JWKSURL())
		assert.Equal(t, "garbage", string(body), "Times 0: until cleared")
	}
	iss.ClearFaults()
	_, body := get(t, iss.JWKSURL())
	assert.Contains(t, string(body), "keys")

	// A fresh connection: the transport retries requests that fail on reused ones.
	iss.Fail(axiomstest.Fault{CloseConnection: true, Times: 1})
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	_, err = fresh.Get(iss.JWKSURL())
	assert.Error(t, err, "the connection is dropped")

	iss.Fail(axiomstest.Fault{Delay: 200 * time.Millisecond, Times: 1})
	start := time.Now()
	code, _ = get(t, iss.JWKSURL())
	assert.Equal(t, 200, code)
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)

	// A client that gives up does not leave the handler waiting.
	iss.Fail(axiomstest.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, iss.JWKSURL(), nil)
	_, err = http.DefaultClient.Do(req)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
	assert.Equal(t, 10, iss.JWKSFetches(), "every request is counted, faulted or not")
}

func TestConcurrentFetchesAreCounted(t *testing.T) {
	iss := axiomstest.NewIssuerWith(t, axiomstest.IssuerConfig{Algorithms: []string{"EdDSA"}})
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			resp, err := http.Get(iss.JWKSURL())
			if err == nil {
				resp.Body.Close()
			}
			iss.Token(t, nil)
		})
	}
	for range 5 {
		wg.Go(func() { iss.Rotate(t, "EdDSA") })
	}
	wg.Wait()
	assert.Equal(t, 50, iss.JWKSFetches())
}

func TestValidatorAcceptsIssuerTokens(t *testing.T) {
	iss := axiomstest.NewIssuer(t)
	v := iss.Validator(t)
	for _, alg := range axiomstest.DefaultAlgorithms {
		c, err := v.Validate(t.Context(), iss.TokenWith(t, axiomstest.TokenSpec{Alg: alg, Claims: map[string]any{"scope": "read"}}))
		require.NoError(t, err, alg)
		assert.True(t, c.HasScope("read"))
	}
	attacker := axiomstest.NewKey(t, "ES256")
	_, err := v.Validate(t.Context(), iss.TokenWith(t, axiomstest.TokenSpec{Key: attacker, KeyID: iss.Key("ES256").ID()}))
	assert.ErrorIs(t, err, validator.ErrBadSignature)
}

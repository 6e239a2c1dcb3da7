package axiomstest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// introspect posts form to the issuer's introspection endpoint.
func introspect(t *testing.T, iss *axiomstest.Issuer, form url.Values, setup func(*http.Request)) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, iss.IntrospectionURL(), strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if setup != nil {
		setup(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp.StatusCode, resp.Header, b}
}

func TestOpaqueTokenIntrospection(t *testing.T) {
	clock := axiomstest.NewClock(time.Unix(1_800_000_000, 0))
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Now: clock.Now, Algorithms: []string{"ES256"}})
	tok := iss.OpaqueToken(t, map[string]any{"scope": "read:data", "client_id": "app", "sub": axiomstest.Omit})
	assert.True(t, strings.HasPrefix(tok, axiomstest.OpaqueTokenPrefix))
	assert.NotContains(t, tok, ".", "opaque: never shaped as a JWS")
	assert.NotEqual(t, tok, iss.OpaqueToken(t, nil), "every token is fresh")

	r := introspect(t, iss, url.Values{"token": {tok}, "token_type_hint": {"access_token"}}, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	got := object(t, r.body)
	assert.Equal(t, true, got["active"])
	assert.Equal(t, "Bearer", got["token_type"])
	assert.Equal(t, iss.URL(), got["iss"])
	assert.Equal(t, iss.Audience(), got["aud"])
	assert.Equal(t, "read:data", got["scope"])
	assert.Equal(t, "app", got["client_id"])
	assert.NotContains(t, got, "sub", "Omit removes a default")
	assert.EqualValues(t, clock.Now().Add(axiomstest.DefaultTokenTTL).Unix(), got["exp"])
	assert.Equal(t, 1, iss.IntrospectionFetches())

	for name, form := range map[string]url.Values{
		"unknown token": {"token": {"axiomstest_at_unknown"}},
		"a JWT":         {"token": {iss.Token(t, axiomstest.TokenSpec{})}},
	} {
		r := introspect(t, iss, form, nil)
		require.Equal(t, http.StatusOK, r.status, name)
		assert.JSONEq(t, `{"active":false}`, string(r.body), name)
	}
	r = introspect(t, iss, url.Values{}, nil)
	assert.Equal(t, http.StatusBadRequest, r.status, "no token")

	clock.Advance(axiomstest.DefaultTokenTTL)
	assert.JSONEq(t, `{"active":false}`, string(introspect(t, iss, url.Values{"token": {tok}}, nil).body), "inactive once expired")

	other := iss.OpaqueToken(t, nil)
	iss.Revoke(other)
	assert.JSONEq(t, `{"active":false}`, string(introspect(t, iss, url.Values{"token": {other}}, nil).body), "inactive once revoked")
}

func TestIntrospectionClientAuthentication(t *testing.T) {
	const id, secret = "api server", "s3cr%t"
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, IntrospectionClientID: id, IntrospectionClientSecret: secret})
	tok := iss.OpaqueToken(t, nil)
	for name, tc := range map[string]struct {
		form  url.Values
		setup func(*http.Request)
		want  int
	}{
		"none":         {url.Values{"token": {tok}}, nil, http.StatusUnauthorized},
		"basic":        {url.Values{"token": {tok}}, func(r *http.Request) { r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret)) }, http.StatusOK},
		"basic wrong":  {url.Values{"token": {tok}}, func(r *http.Request) { r.SetBasicAuth(url.QueryEscape(id), "nope") }, http.StatusUnauthorized},
		"post":         {url.Values{"token": {tok}, "client_id": {id}, "client_secret": {secret}}, nil, http.StatusOK},
		"post wrong":   {url.Values{"token": {tok}, "client_id": {id}, "client_secret": {"nope"}}, nil, http.StatusUnauthorized},
		"post no id":   {url.Values{"token": {tok}, "client_secret": {secret}}, nil, http.StatusUnauthorized},
		"basic raw id": {url.Values{"token": {tok}}, func(r *http.Request) { r.SetBasicAuth("api%", secret) }, http.StatusUnauthorized},
	} {
		r := introspect(t, iss, tc.form, tc.setup)
		assert.Equal(t, tc.want, r.status, name)
		if tc.want == http.StatusUnauthorized {
			assert.JSONEq(t, `{"error":"invalid_client"}`, string(r.body), name)
		}
	}
}

func TestIntrospectionFaults(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	tok := iss.OpaqueToken(t, nil)
	iss.FailIntrospection(axiomstest.Fault{Status: http.StatusBadGateway, Times: 1})
	assert.Equal(t, http.StatusBadGateway, introspect(t, iss, url.Values{"token": {tok}}, nil).status)
	assert.Equal(t, http.StatusOK, introspect(t, iss, url.Values{"token": {tok}}, nil).status, "Times: 1")

	iss.FailIntrospection(axiomstest.Fault{Body: []byte(`{"active":"yes"}`)})
	assert.Equal(t, `{"active":"yes"}`, string(introspect(t, iss, url.Values{"token": {tok}}, nil).body))
	assert.Equal(t, http.StatusOK, fetch(t, iss.JWKSURL()).status, "the JWK set endpoint is not faulted")
	iss.ClearFaults()
	assert.Equal(t, true, object(t, introspect(t, iss, url.Values{"token": {tok}}, nil).body)["active"])

	iss.Fail(axiomstest.Fault{Status: http.StatusInternalServerError})
	assert.Equal(t, http.StatusOK, introspect(t, iss, url.Values{"token": {tok}}, nil).status, "JWK set faults leave introspection alone")
	iss.ClearFaults()
	assert.Equal(t, 5, iss.IntrospectionFetches())

	assert.Panics(t, func() { iss.FailIntrospection(axiomstest.Fault{Status: 99}) })
}

// TestValidatorIntrospectsOpaqueTokens: a validator trusting the issuer, with
// introspection on, finds the endpoint by discovery and accepts its opaque tokens.
func TestValidatorIntrospectsOpaqueTokens(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, IntrospectionClientID: "api", IntrospectionClientSecret: "secret"})
	cfg := iss.ValidatorConfig()
	cfg.Introspection = &validator.Introspection{ClientID: "api", ClientSecret: "secret"}
	v, err := validator.New(t.Context(), cfg)
	require.NoError(t, err)
	c, err := v.Validate(t.Context(), iss.OpaqueToken(t, map[string]any{"scope": "read:data", "sub": "alice"}))
	require.NoError(t, err)
	assert.Equal(t, "alice", c.Subject())
	assert.Equal(t, []string{"read:data"}, c.Scopes())

	revoked := iss.OpaqueToken(t, nil)
	iss.Revoke(revoked)
	_, err = v.Validate(t.Context(), revoked)
	assert.Equal(t, validator.ReasonInactive, validator.ReasonOf(err))

	iss.FailIntrospection(axiomstest.Fault{Status: http.StatusServiceUnavailable})
	_, err = v.Validate(t.Context(), iss.OpaqueToken(t, nil))
	assert.ErrorIs(t, err, validator.ErrKeysUnavailable)
	assert.Equal(t, validator.ReasonIntrospectionUnavailable, validator.ReasonOf(err))

	_, err = v.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{}))
	require.NoError(t, err, "JWTs keep their path")
}

package validator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// readyBody is the body of ReadyHandler's answer.
type readyBody struct {
	Ready   bool `json:"ready"`
	Issuers []struct {
		Issuer      string     `json:"issuer"`
		Ready       bool       `json:"ready"`
		Source      string     `json:"source"`
		Keys        int        `json:"keys"`
		LastSuccess *time.Time `json:"last_success"`
		LastAttempt *time.Time `json:"last_attempt"`
		Error       string     `json:"error"`
	} `json:"issuers"`
}

func probe(t *testing.T, h http.Handler) (int, readyBody) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var body readyBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	return rec.Code, body
}

func TestReadyHandlerStaticKeys(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	v, err := validator.New(context.Background(), validator.Config{Issuer: "https://issuer.example/",
		Audiences: []string{"api"}, JWKS: jwksJSON(t, s.jwk(t, nil))})
	require.NoError(t, err)

	st := v.Status()
	assert.Equal(t, validator.Status{Issuer: "https://issuer.example/", Source: validator.KeySourceStatic, Keys: 1}, st)
	assert.True(t, st.Ready())

	code, body := probe(t, validator.ReadyHandler(v))
	assert.Equal(t, http.StatusOK, code)
	assert.True(t, body.Ready)
	require.Len(t, body.Issuers, 1)
	assert.Equal(t, "https://issuer.example/", body.Issuers[0].Issuer)
	assert.Equal(t, "static", body.Issuers[0].Source)
	assert.Equal(t, 1, body.Issuers[0].Keys)
	assert.Nil(t, body.Issuers[0].LastSuccess)
	assert.Nil(t, body.Issuers[0].LastAttempt)
	assert.Empty(t, body.Issuers[0].Error)

	code, body = probe(t, validator.ReadyHandler())
	assert.Equal(t, http.StatusOK, code, "no validator: ready")
	assert.True(t, body.Ready)
	assert.Empty(t, body.Issuers)
}

// An issuer down at startup: the probe answers 503 and says why, then 200 once a fetch
// brought keys; the counters follow the fetches and the cache lookups.
func TestReadyHandlerIssuerRecovers(t *testing.T) {
	start := time.Now().Truncate(time.Second)
	clk := axiomstest.NewClock(start)
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Now: clk.Now})
	static, err := validator.New(context.Background(), validator.Config{Issuer: "https://static.example/",
		Audiences: []string{"api"}, JWKS: jwksJSON(t, newSigner(t, "ES256", "k1").jwk(t, nil))})
	require.NoError(t, err)
	iss.Fail(axiomstest.Fault{Status: http.StatusInternalServerError})
	cfg := iss.ValidatorConfig()
	cfg.Now = clk.Now
	v, err := validator.New(context.Background(), cfg)
	require.NoError(t, err, "an unreachable issuer does not fail New")
	h := validator.ReadyHandler(static, v)

	st := v.Status()
	assert.False(t, st.Ready())
	assert.Equal(t, validator.KeySourceRemote, st.Source)
	assert.Equal(t, 0, st.Keys)
	assert.True(t, st.LastSuccess.IsZero())
	assert.Equal(t, start, st.LastAttempt)
	assert.Contains(t, st.LastError, "HTTP 500")
	assert.Equal(t, uint64(1), st.Fetches)
	assert.Equal(t, uint64(1), st.FetchFailures)

	code, body := probe(t, h)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.False(t, body.Ready)
	require.Len(t, body.Issuers, 2)
	assert.True(t, body.Issuers[0].Ready, "the static validator")
	assert.Equal(t, iss.URL(), body.Issuers[1].Issuer)
	assert.False(t, body.Issuers[1].Ready)
	assert.Contains(t, body.Issuers[1].Error, "HTTP 500")
	assert.Nil(t, body.Issuers[1].LastSuccess)
	require.NotNil(t, body.Issuers[1].LastAttempt)
	assert.True(t, start.Equal(*body.Issuers[1].LastAttempt))

	iss.ClearFaults()
	clk.Advance(time.Second)
	token := iss.Token(t, axiomstest.TokenSpec{})
	_, err = v.Validate(context.Background(), token)
	require.NoError(t, err)
	_, err = v.Validate(context.Background(), token)
	require.NoError(t, err)

	st = v.Status()
	assert.True(t, st.Ready())
	assert.Positive(t, st.Keys)
	assert.Equal(t, start.Add(time.Second), st.LastSuccess)
	assert.Equal(t, start.Add(time.Second), st.LastAttempt)
	assert.Empty(t, st.LastError)
	assert.Equal(t, uint64(2), st.Fetches)
	assert.Equal(t, uint64(1), st.FetchFailures)
	assert.Equal(t, uint64(1), st.CacheMisses)
	assert.Equal(t, uint64(1), st.CacheHits)

	code, body = probe(t, h)
	assert.Equal(t, http.StatusOK, code)
	assert.True(t, body.Ready)
	assert.True(t, body.Issuers[1].Ready)
	assert.Empty(t, body.Issuers[1].Error)
	require.NotNil(t, body.Issuers[1].LastSuccess)
	assert.True(t, start.Add(time.Second).Equal(*body.Issuers[1].LastSuccess))
}

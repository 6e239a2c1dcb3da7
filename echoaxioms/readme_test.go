package echoaxioms_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// readmeBlock returns the fenced block of the README that follows the marker
// "<!-- name -->".
func readmeBlock(t *testing.T, name, lang string) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(readme), "<!-- "+name+" -->\n```"+lang+"\n")
	require.True(t, ok, "the README has a %s block", name)
	block, _, ok := strings.Cut(after, "```")
	require.True(t, ok)
	return block
}

// newServer is the app of the README's DPoP section: its document, a validator
// configured by vcfg, and the configuration the section shows. Having no test to fail, it
// panics on an error, which fails the test that called it.
func newServer(vcfg validator.Config) *echo.Echo {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		panic(err)
	}
	_, after, _ := strings.Cut(string(readme), "<!-- dpop:document -->\n```yaml\n")
	doc, _, _ := strings.Cut(after, "```")
	policies, err := openapi.LoadData([]byte(doc), openapi.LoadOptions{})
	if err != nil {
		panic(err)
	}
	v, err := validator.New(context.Background(), vcfg)
	if err != nil {
		panic(err)
	}
	nonceSecret := []byte(nil) // no server nonces here
	checker, err := validator.NewDPoPChecker(validator.DPoPConfig{
		NonceSecret: nonceSecret,
	})
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.Use(echoaxioms.WithConfig(echoaxioms.Config{
		Policies:    policies,
		Validator:   v,
		DPoP:        checker,
		DPoPBaseURL: "https://api.example.com",
	}))
	e.GET("/orders", func(c echo.Context) error { return c.JSON(http.StatusOK, []string{}) })
	return e
}

// readme:dpop begin
func TestOrdersWithDPoP(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	// Your app: the document above, with DPoPBaseURL https://api.example.com.
	e := newServer(iss.ValidatorConfig())

	// The client's key, a token bound to it (cnf.jkt: its thumbprint), a proof.
	key := axiomstest.NewDPoPKey(t, "ES256")
	token := iss.Token(t, axiomstest.TokenSpec{DPoPKey: key,
		Claims: map[string]any{"scope": "orders:read"}})
	proof := key.Proof(t, axiomstest.ProofSpec{Method: http.MethodGet,
		URL: "https://api.example.com/orders", AccessToken: token})
	req := httptest.NewRequest(http.MethodGet, "/orders", nil)
	req.Header.Set("Authorization", "DPoP "+token)
	req.Header.Set("DPoP", proof)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req) // 200; the same proof again: 401 invalid_dpop_proof (dpop_replayed)
	// readme:dpop end
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, `DPoP realm="api", error="invalid_dpop_proof", error_description="DPoP proof has already been used", algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"`,
		rec.Header().Get("WWW-Authenticate"))

	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Del("DPoP")
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, `Bearer realm="api", error="invalid_token", error_description="the access token is DPoP-bound: present it with the DPoP scheme and a proof"`,
		rec.Header().Get("WWW-Authenticate"), "a bound token is no bearer token")
}

// TestREADMEDPoP keeps the README's DPoP section runnable: its document loads and is the
// one TestOrdersWithDPoP serves, and its test is TestOrdersWithDPoP, word for word.
func TestREADMEDPoP(t *testing.T) {
	doc := readmeBlock(t, "dpop:document", "yaml")
	policies, err := openapi.LoadData([]byte(doc), openapi.LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, openapi.DPoPRequired, policies.Lookup(http.MethodGet, "/orders").Alternatives[0][0].DPoP)

	src, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	_, body, ok := strings.Cut(string(src), "// readme:dpop begin\n")
	require.True(t, ok)
	body, _, ok = strings.Cut(body, "\t// readme:dpop end\n")
	require.True(t, ok)
	assert.Equal(t, body+"}\n", readmeBlock(t, "dpop:test", "go"))
}

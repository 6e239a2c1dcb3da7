package echoaxioms_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
)

// twoIssuersDoc binds two bearer schemes to two issuers, beside an API key, so that the
// middleware takes its general path (per-scheme validators and authenticators).
var twoIssuersDoc = specgen.Doc{Schemes: []string{specgen.OAuth2("staff", "r"), specgen.OAuth2("partners", "r"), specgen.APIKey("key", "X-API-Key")}}.YAML(`
  /either:
    get: {operationId: either, security: [{staff: [r]}, {partners: [r]}], responses: {"401": {description: no}}}
  /optional:
    get: {operationId: optional, security: [{}, {staff: [r]}], responses: {"401": {description: no}}}
  /optional-key:
    get: {operationId: optionalKey, security: [{}, {key: []}], responses: {"401": {description: no}}}
  /key-or-token:
    get: {operationId: keyOrToken, security: [{key: []}, {staff: [r]}], responses: {"401": {description: no}}}
`)

// twoIssuers protects the routes of twoIssuersDoc: the harness's issuer is the staff
// scheme's, partners the partners scheme's. unavailable makes the staff issuer's JWK
// set unreachable. It returns a token of each issuer too, with the scope r.
func twoIssuers(t *testing.T, unavailable bool) (h *harness, staffTok, partnersTok string) {
	t.Helper()
	staff, partners := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{}), axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	if unavailable {
		staff.Fail(axiomstest.Fault{Status: http.StatusServiceUnavailable})
	}
	h = newHarness(t, harnessOptions{doc: twoIssuersDoc, issuer: staff, config: func(c *echoaxioms.Config) {
		c.SchemeValidators = map[string]echoaxioms.TokenValidator{"staff": c.Validator, "partners": partners.Validator(t)}
		c.Validator = nil
		c.Authenticators = map[string]echoaxioms.Authenticator{"key": keyAuthenticator}
	}})
	for _, p := range []string{"/either", "/optional", "/optional-key", "/key-or-token"} {
		h.e.GET(p, ok)
	}
	return h, h.bearer(map[string]any{"scope": "r", "sub": "staff-1"}),
		"Bearer " + partners.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "r", "sub": "partner-1"}})
}

// get sends GET target with the Authorization header auth and the API key key ("" for
// none).
func get(h *harness, target, auth, key string) *httptest.ResponseRecorder {
	h.t.Helper()
	if key == "" {
		return h.do(http.MethodGet, target, auth)
	}
	return h.do(http.MethodGet, target, auth, "X-API-Key", key)
}

func TestGeneralPath(t *testing.T) {
	h, staffTok, partTok := twoIssuers(t, false)
	foreign := "Bearer " + axiomstest.NewIssuer(t, axiomstest.IssuerConfig{}).Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "r"}})
	for _, c := range []struct {
		name, target, auth, key string
		status                  int
		sub                     string // the caller the handler sees
		challenge               string // exact WWW-Authenticate for denials
	}{
		{"first issuer", "/either", staffTok, "", 200, "staff-1", ""},
		{"second issuer", "/either", partTok, "", 200, "partner-1", ""},
		{"unknown issuer", "/either", foreign, "", 401, "", `invalid_token`},
		{"no token", "/either", "", "", 401, "", `Bearer realm="api"`},
		{"optional, anonymous", "/optional", "", "", 200, "", ""},
		{"optional, valid token", "/optional", staffTok, "", 200, "staff-1", ""},
		{"optional, invalid token is never anonymous", "/optional", "Bearer garbage.token.value", "", 401, "", `invalid_token`},
		{"optional, token of another issuer", "/optional", partTok, "", 401, "", `invalid_token`},
		{"optional key, anonymous", "/optional-key", "", "", 200, "", ""},
		{"optional key, valid key", "/optional-key", "", "good-key", 200, "", ""},
		{"optional key, invalid key is never anonymous", "/optional-key", "", "bad-key", 401, "", `Bearer realm="api"`},
		{"OR: key alone", "/key-or-token", "", "good-key", 200, "", ""},
		{"OR: token alone", "/key-or-token", staffTok, "", 200, "staff-1", ""},
		{"OR: valid key, invalid token", "/key-or-token", "Bearer garbage.token.value", "good-key", 401, "", `invalid_token`},
		{"OR: valid token, invalid key", "/key-or-token", staffTok, "bad-key", 401, "", `Bearer realm="api"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := get(h, c.target, c.auth, c.key)
			require.Equal(t, c.status, rec.Code, rec.Body.String())
			b := body(t, rec)
			if c.status == 200 {
				assert.Equal(t, c.target, b["route"])
				if c.sub != "" {
					assert.Equal(t, c.sub, b["sub"])
				} else {
					assert.NotContains(t, b, "sub")
				}
				return
			}
			assert.NotContains(t, b, "route", "the handler never ran")
			assert.Contains(t, rec.Header().Get("WWW-Authenticate"), c.challenge)
		})
	}
}

func TestGeneralPathKeysUnavailable(t *testing.T) {
	h, staffTok, partTok := twoIssuers(t, true)
	for _, c := range []struct {
		name, target, auth, key string
		status                  int
	}{
		{"required", "/either", staffTok, "", 503},
		{"optional: no silent downgrade", "/optional", staffTok, "", 503},
		{"OR: valid key, token not verifiable", "/key-or-token", staffTok, "good-key", 503},
		{"the other issuer still works", "/either", partTok, "", 200},
		{"optional, anonymous", "/optional", "", "", 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := get(h, c.target, c.auth, c.key)
			require.Equal(t, c.status, rec.Code, rec.Body.String())
			if c.status == 503 {
				assert.Equal(t, "30", rec.Header().Get("Retry-After"))
				assert.Equal(t, "temporarily_unavailable", body(t, rec)["error"])
			}
		})
	}
}

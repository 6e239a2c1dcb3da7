package echoaxioms_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
)

// twoIssuersDoc binds two bearer schemes to two issuers, beside an API key, so that the
// middleware takes its general path (per-scheme validators and authenticators).
const twoIssuersDoc = `openapi: 3.1.0
info: {title: two issuers, version: "1"}
components:
  securitySchemes:
    staff:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: https://staff.example/token, scopes: {r: read}}}
    partners:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: https://partners.example/token, scopes: {r: read}}}
    key: {type: apiKey, in: header, name: X-API-Key}
paths:
  /either:
    get: {operationId: either, security: [{staff: [r]}, {partners: [r]}], responses: {"401": {description: no}}}
  /optional:
    get: {operationId: optional, security: [{}, {staff: [r]}], responses: {"401": {description: no}}}
  /optional-key:
    get: {operationId: optionalKey, security: [{}, {key: []}], responses: {"401": {description: no}}}
  /key-or-token:
    get: {operationId: keyOrToken, security: [{key: []}, {staff: [r]}], responses: {"401": {description: no}}}
`

type generalApp struct {
	e                 *echo.Echo
	staff, partners   *axiomstest.Issuer
	staffTok, partTok string
}

// newGeneralApp protects the routes of twoIssuersDoc; unavailable makes the staff
// issuer's JWK set unreachable.
func newGeneralApp(t *testing.T, unavailable bool) *generalApp {
	t.Helper()
	a := &generalApp{staff: axiomstest.NewIssuer(t, axiomstest.IssuerConfig{}), partners: axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})}
	a.staffTok = "Bearer " + a.staff.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "r", "sub": "staff-1"}})
	a.partTok = "Bearer " + a.partners.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "r", "sub": "partner-1"}})
	if unavailable {
		a.staff.Fail(axiomstest.Fault{Status: http.StatusServiceUnavailable})
	}
	policies, err := openapi.LoadData([]byte(twoIssuersDoc), openapi.LoadOptions{})
	require.NoError(t, err)
	staffV, err := newValidator(t, a.staff.ValidatorConfig())
	require.NoError(t, err)
	a.e = echo.New()
	a.e.Use(echoaxioms.WithConfig(echoaxioms.Config{
		Policies: policies,
		SchemeValidators: map[string]echoaxioms.TokenValidator{
			"staff":    staffV,
			"partners": a.partners.Validator(t),
		},
		Authenticators: map[string]echoaxioms.Authenticator{"key": func(c echo.Context, s openapi.Scheme) (openapi.Principal, error) {
			switch c.Request().Header.Get(s.ParamName) {
			case "":
				return nil, nil
			case "good-key":
				return keyPrincipal{}, nil
			}
			return nil, errors.New("unknown api key")
		}},
	}))
	for _, p := range []string{"/either", "/optional", "/optional-key", "/key-or-token"} {
		a.e.GET(p, ok)
	}
	return a
}

func (a *generalApp) do(target, auth, key string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

func TestGeneralPath(t *testing.T) {
	a := newGeneralApp(t, false)
	foreign := "Bearer " + axiomstest.NewIssuer(t, axiomstest.IssuerConfig{}).Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "r"}})
	for _, c := range []struct {
		name, target, auth, key string
		status                  int
		sub                     string // the caller the handler sees
		challenge               string // exact WWW-Authenticate for denials
	}{
		{"first issuer", "/either", a.staffTok, "", 200, "staff-1", ""},
		{"second issuer", "/either", a.partTok, "", 200, "partner-1", ""},
		{"unknown issuer", "/either", foreign, "", 401, "", `invalid_token`},
		{"no token", "/either", "", "", 401, "", `Bearer realm="api"`},
		{"optional, anonymous", "/optional", "", "", 200, "", ""},
		{"optional, valid token", "/optional", a.staffTok, "", 200, "staff-1", ""},
		{"optional, invalid token is never anonymous", "/optional", "Bearer garbage.token.value", "", 401, "", `invalid_token`},
		{"optional, token of another issuer", "/optional", a.partTok, "", 401, "", `invalid_token`},
		{"optional key, anonymous", "/optional-key", "", "", 200, "", ""},
		{"optional key, valid key", "/optional-key", "", "good-key", 200, "", ""},
		{"optional key, invalid key is never anonymous", "/optional-key", "", "bad-key", 401, "", `Bearer realm="api"`},
		{"OR: key alone", "/key-or-token", "", "good-key", 200, "", ""},
		{"OR: token alone", "/key-or-token", a.staffTok, "", 200, "staff-1", ""},
		{"OR: valid key, invalid token", "/key-or-token", "Bearer garbage.token.value", "good-key", 401, "", `invalid_token`},
		{"OR: valid token, invalid key", "/key-or-token", a.staffTok, "bad-key", 401, "", `Bearer realm="api"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := a.do(c.target, c.auth, c.key)
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
	a := newGeneralApp(t, true)
	for _, c := range []struct {
		name, target, auth, key string
		status                  int
	}{
		{"required", "/either", a.staffTok, "", 503},
		{"optional: no silent downgrade", "/optional", a.staffTok, "", 503},
		{"OR: valid key, token not verifiable", "/key-or-token", a.staffTok, "good-key", 503},
		{"the other issuer still works", "/either", a.partTok, "", 200},
		{"optional, anonymous", "/optional", "", "", 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := a.do(c.target, c.auth, c.key)
			require.Equal(t, c.status, rec.Code, rec.Body.String())
			if c.status == 503 {
				assert.Equal(t, "30", rec.Header().Get("Retry-After"))
				assert.Equal(t, "temporarily_unavailable", body(t, rec)["error"])
			}
		})
	}
}

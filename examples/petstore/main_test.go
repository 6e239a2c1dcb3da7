package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"
	echo5 "github.com/labstack/echo/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/examples/petstore/api"
	"github.com/axioms-go/axioms-echo/examples/petstore/api5"
	"github.com/axioms-go/axioms-echo/oapiauth"
	"github.com/axioms-go/axioms-echo/openapi"
)

type tokens struct{ alice, bob, noScope string }

func setup(t *testing.T) (echoaxioms.TokenValidator, tokens) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	mint := func(sub, scope string) string {
		return iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"sub": sub, "scope": scope}})
	}
	return iss.Validator(t), tokens{alice: mint("alice", "pets:read"), bob: mint("bob", "pets:read"), noScope: mint("alice", "")}
}

func get(h http.Handler, target, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestGeneratedServers runs the generated servers behind the middleware, the Echo v4
// ones alone and followed by the request validator with oapiauth.Authenticate: the
// answers are the middleware's, and the validator never refuses what it allowed.
func TestGeneratedServers(t *testing.T) {
	v, tok := setup(t)
	v4 := func(opts options) func() (http.Handler, error) {
		return func() (http.Handler, error) { return newServer(v, opts) }
	}
	for _, variant := range []struct {
		name   string
		server func() (http.Handler, error)
	}{
		{"echo-server", v4(options{})},
		{"strict-server", v4(options{strict: true})},
		{"echo-server+validator", v4(options{validate: true, auth: oapiauth.Authenticate})},
		{"strict-server+validator", v4(options{strict: true, validate: true, auth: oapiauth.Authenticate})},
		{"echo5-server", func() (http.Handler, error) { return newServer5(v) }},
	} {
		t.Run(variant.name, func(t *testing.T) {
			e, err := variant.server()
			require.NoError(t, err)
			for _, c := range []struct {
				name, target, token string
				status              int
				body                string // a part of the body; "" for any
			}{
				{"public", "/api/v1/health", "", http.StatusOK, `"ok"`},
				{"no token", "/api/v1/pets/1", "", http.StatusUnauthorized, ""},
				{"owner", "/api/v1/pets/1", tok.alice, http.StatusOK, `"owner":"alice"`},
				{"other user", "/api/v1/pets/1", tok.bob, http.StatusForbidden, ""},
				{"scope missing", "/api/v1/pets/1", tok.noScope, http.StatusForbidden, "insufficient_scope"},
				{"unparsable id", "/api/v1/pets/rex", tok.alice, http.StatusBadRequest, "invalid petId"},
				{"unknown pet", "/api/v1/pets/9", tok.alice, http.StatusNotFound, ""},
				{"without base path", "/pets/1", tok.alice, http.StatusNotFound, ""},
			} {
				t.Run(c.name, func(t *testing.T) {
					rec := get(e, c.target, c.token)
					assert.Equal(t, c.status, rec.Code, rec.Body.String())
					assert.Contains(t, rec.Body.String(), c.body)
					assert.NotContains(t, rec.Body.String(), "AuthenticationFunc")
					if c.status == http.StatusUnauthorized {
						assert.Contains(t, rec.Header().Get("WWW-Authenticate"), "Bearer")
					}
				})
			}
		})
	}
}

// TestValidatorWithoutAuthenticationFunc shows why oapiauth.Authenticate is needed:
// without an AuthenticationFunc the validator refuses every request the middleware
// authorised for an operation with security.
func TestValidatorWithoutAuthenticationFunc(t *testing.T) {
	v, tok := setup(t)
	e, err := newServer(v, options{validate: true})
	require.NoError(t, err)
	rec := get(e, "/api/v1/pets/1", tok.alice)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Contains(t, rec.Body.String(), openapi3filter.ErrAuthenticationServiceMissing.Error())
	assert.Equal(t, http.StatusOK, get(e, "/api/v1/health", "").Code, "public operations need no AuthenticationFunc")
}

// TestRegisterWithoutBasePath: the generated RegisterHandlers, without the document's
// base path, leaves every route undocumented and every operation unrouted, and the
// startup check says the base path is what differs.
func TestRegisterWithoutBasePath(t *testing.T) {
	policies, err := openapi.LoadData(specYAML, openapi.LoadOptions{})
	require.NoError(t, err)
	e := echo.New()
	api.RegisterHandlers(e, server{})
	e5 := echo5.New()
	api5.RegisterHandlers(e5, server5{})
	for _, err := range []error{echoaxioms.CheckRoutes(e, policies).Err(), echo5axioms.CheckRoutes(e5, policies).Err()} {
		require.Error(t, err)
		assert.Contains(t, err.Error(), `base path "/api/v1"`)
	}
}

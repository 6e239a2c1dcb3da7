package validator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

// Self-hosted authorization servers. Their access-token shapes are the ones each server
// writes, as its source and documentation describe them (not captured tokens):
//
//   - Ory Hydra v2 with the JWT access-token strategy (strategies.access_token: jwt):
//     header typ "JWT" and a kid; payload aud (an array: the audiences the client
//     requested with audience=), client_id, exp, iat, nbf, iss, jti, sub, scp (an array
//     of the granted scopes, by default) and ext, which holds the claims a token hook or
//     the consent session added, unless the server is configured to mirror them at the
//     top level.
//   - node oidc-provider with resource indicators and accessTokenFormat "jwt": header typ
//     "at+jwt" (RFC 9068); payload jti, sub, iat, exp, client_id, iss, aud (the resource
//     identifier) and scope (a space-separated string).

// serverToken signs claims as a server of the kind above would, and validates them with cfg.
func serverToken(t *testing.T, cfg validator.Config, claims, hdr map[string]any) (*validator.Claims, error) {
	t.Helper()
	s := newSigner(t, "RS256", "public:hydra-key")
	v := staticValidator(t, cfg, jwksJSON(t, s.jwk(t, nil)))
	return v.Validate(t.Context(), s.token(t, claims, hdr))
}

func TestProviderOryHydra(t *testing.T) {
	cfg := validator.Config{
		Issuer:     "http://127.0.0.1:4444", // as Hydra's discovery document spells it
		Audiences:  []string{"https://api.example.test"},
		RoleClaims: []string{"/ext/roles"}, // hook claims land under ext
	}
	payload := func() map[string]any {
		return map[string]any{
			"aud":       []any{"https://api.example.test"},
			"client_id": "billing-service",
			"exp":       testNow.Add(time.Hour).Unix(),
			"ext":       map[string]any{"roles": []any{"admin", "auditor"}},
			"iat":       testNow.Add(-time.Minute).Unix(),
			"iss":       "http://127.0.0.1:4444",
			"jti":       "6d5c4b3a-0000-4000-8000-000000000001",
			"nbf":       testNow.Add(-time.Minute).Unix(),
			"scp":       []any{"invoices.read", "invoices.write"},
			"sub":       "billing-service",
		}
	}
	jwtType := map[string]any{"typ": "JWT"}

	got, err := serverToken(t, cfg, payload(), jwtType)
	require.NoError(t, err)
	assert.Equal(t, []string{"invoices.read", "invoices.write"}, got.Scopes(), "the scp array, read by default")
	assert.Equal(t, []string{"admin", "auditor"}, got.Roles(), "roles from /ext/roles")
	assert.Equal(t, "billing-service", got.Subject())

	// Without audience= in the token request, Hydra issues an empty aud: refused.
	noAud := payload()
	noAud["aud"] = []any{}
	_, err = serverToken(t, cfg, noAud, jwtType)
	assert.Equal(t, validator.ReasonWrongAudience, validator.ReasonOf(err))

	// Hydra's typ is JWT: requiring RFC 9068's at+jwt refuses its tokens.
	strict := cfg
	strict.RequireType = true
	_, err = serverToken(t, strict, payload(), jwtType)
	assert.Equal(t, validator.ReasonWrongType, validator.ReasonOf(err))

	// Roles mirrored at the top level are not read from /ext/roles.
	top := payload()
	top["roles"] = top["ext"].(map[string]any)["roles"]
	delete(top, "ext")
	got, err = serverToken(t, cfg, top, jwtType)
	require.NoError(t, err)
	assert.Empty(t, got.Roles(), "RoleClaims names where the roles are")
}

func TestProviderNodeOIDCProvider(t *testing.T) {
	cfg := validator.Config{
		Issuer:      "http://localhost:3000",
		Audiences:   []string{"urn:example:resource-server"}, // the resource indicator
		RequireType: true,                                    // oidc-provider sends at+jwt
	}
	payload := map[string]any{
		"jti":       "Cq9sfqBTgPv7Zh5hF0Zt4",
		"sub":       "248289761001",
		"iat":       testNow.Add(-time.Minute).Unix(),
		"exp":       testNow.Add(time.Hour).Unix(),
		"client_id": "s6BhdRkqt3",
		"iss":       "http://localhost:3000",
		"aud":       "urn:example:resource-server",
		"scope":     "openid api:read",
	}
	got, err := serverToken(t, cfg, payload, map[string]any{"typ": "at+jwt"})
	require.NoError(t, err)
	assert.Equal(t, []string{"openid", "api:read"}, got.Scopes(), "the scope string")
	assert.Equal(t, []string{"urn:example:resource-server"}, got.Audience())

	// A resource server configured for HS256 (a shared secret) cannot be: HMAC
	// algorithms can never be enabled.
	_, err = validator.New(t.Context(), validator.Config{Issuer: cfg.Issuer, Audiences: cfg.Audiences,
		Algorithms: []string{"HS256"}, JWKS: []byte(`{"keys":[]}`)})
	require.Error(t, err)
}

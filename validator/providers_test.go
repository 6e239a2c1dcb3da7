package validator_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

// The provider suite signs the access-token payloads documented by each identity
// provider (testdata/providers, sources in testdata/SOURCES.md) with a test key and
// validates them with the Config a user of that provider would write. Payloads are used
// as documented, every claim untouched, except that exp, iat, nbf and auth_time are moved
// next to the fixed test clock, and the documents' "_note" annotations (not claims) are
// dropped. Headers follow the documented ones (typ present or not, at+jwt, x5t); kid is
// the documented one where the document gives a real value.
//
// The expected values in the tables are read from the documents by hand, not computed
// from the payloads.
//
// Payloads not covered, on purpose: Okta's introspection_response_sample (an RFC 7662
// response, not a token); Keycloak's client_credentials_extra_claims (a fragment of
// claims added to a service-account token, not a payload); the JWKS samples (the key
// tests use them).

// loadProvider loads one provider document.
func loadProvider(t *testing.T, name string) map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile("testdata/providers/" + name + ".json")
	require.NoError(t, err)
	doc := map[string]json.RawMessage{}
	require.NoError(t, json.Unmarshal(data, &doc))
	return doc
}

// providerPayload returns the payload at path in doc (a top-level member, then nested
// members), re-timed: iat, nbf and auth_time, where present, one minute before testNow;
// exp one hour after it. Nothing else is changed, except that "_note" is removed.
func providerPayload(t *testing.T, doc map[string]json.RawMessage, path ...string) map[string]any {
	t.Helper()
	raw := doc[path[0]]
	require.NotEmpty(t, raw, path[0])
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(raw, &m))
	for _, p := range path[1:] {
		next, ok := m[p].(map[string]any)
		require.True(t, ok, "%v", path)
		m = next
	}
	delete(m, "_note")
	for _, k := range []string{"iat", "nbf", "auth_time"} {
		if _, ok := m[k]; ok {
			m[k] = testNow.Add(-time.Minute).Unix()
		}
	}
	require.Contains(t, m, "exp", "every documented access token has exp")
	m["exp"] = testNow.Add(time.Hour).Unix()
	return m
}

type providerCase struct {
	name    string
	payload []string         // path of the payload in the document
	kid     string           // "" for a test kid
	header  map[string]any   // extra protected-header members; a nil value omits typ
	cfg     validator.Config // Issuer, Audiences and claim names as a user writes them

	// expected, read from the document
	sub, iss, jti        string
	aud                  []string
	scopes, roles, perms []string
	issuedAt, notBefore  bool // the payload carries iat / nbf
}

// runProviderCases validates each case's documented payload and checks every typed field.
func runProviderCases(t *testing.T, doc map[string]json.RawMessage, cases []providerCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kid := c.kid
			if kid == "" {
				kid = "provider-key"
			}
			s := newSigner(t, "RS256", kid) // every provider documented here signs with RS256
			v := staticValidator(t, c.cfg, jwksJSON(t, s.jwk(t, nil)))
			got, err := v.Validate(t.Context(), s.token(t, providerPayload(t, doc, c.payload...), c.header))
			require.NoError(t, err)

			assert.Equal(t, c.sub, got.Subject(), "sub")
			assert.Equal(t, c.iss, got.Issuer(), "iss")
			assert.Equal(t, c.aud, got.Audience(), "aud")
			assert.Equal(t, c.jti, got.ID(), "jti")
			assert.Equal(t, c.scopes, got.Scopes(), "scopes")
			assert.Equal(t, c.roles, got.Roles(), "roles")
			assert.Equal(t, c.perms, got.Permissions(), "permissions")
			assert.Equal(t, testNow.Add(time.Hour).UTC(), got.ExpiresAt(), "exp")
			if c.issuedAt {
				assert.Equal(t, testNow.Add(-time.Minute).UTC(), got.IssuedAt(), "iat")
			} else {
				assert.True(t, got.IssuedAt().IsZero(), "iat")
			}
			if c.notBefore {
				assert.Equal(t, testNow.Add(-time.Minute).UTC(), got.NotBefore(), "nbf")
			} else {
				assert.True(t, got.NotBefore().IsZero(), "nbf")
			}
		})
	}
}

// providerReject signs claims with hdr and returns the reason cfg rejects them with.
func providerReject(t *testing.T, cfg validator.Config, claims map[string]any, hdr map[string]any) validator.Reason {
	t.Helper()
	s := newSigner(t, "RS256", "provider-key")
	v := staticValidator(t, cfg, jwksJSON(t, s.jwk(t, nil)))
	got, err := v.Validate(t.Context(), s.token(t, claims, hdr))
	require.Error(t, err)
	require.Nil(t, got)
	require.ErrorIs(t, err, validator.ErrInvalidToken)
	return validator.ReasonOf(err)
}

var noTyp = map[string]any{"typ": nil} // Cognito and Okta headers carry only kid and alg

func TestProviderAuth0(t *testing.T) {
	doc := loadProvider(t, "auth0")
	// iss ends with "/"; custom claims must be namespaced URLs, so the role claim is
	// the whole key "https://example.com/roles" (never split on '/', ':' or '.').
	cfg := validator.Config{
		Issuer:           "https://my-domain.auth0.com/",
		Audiences:        []string{"https://example.com/health-api"},
		ScopeClaims:      []string{"scope"},
		RoleClaims:       []string{"https://example.com/roles"},
		PermissionClaims: []string{"permissions"},
	}
	rfc9068 := cfg
	rfc9068.RequireType = true
	m2m := cfg
	m2m.Issuer, m2m.Audiences = "https://my-domain.us.auth0.com/", []string{"https://api.example.com"}

	runProviderCases(t, doc, []providerCase{
		{name: "Auth0 token profile, aud array with userinfo", payload: []string{"access_token_payload_auth0_profile"}, cfg: cfg,
			sub: "auth0|123456", iss: "https://my-domain.auth0.com/", issuedAt: true,
			aud:    []string{"https://example.com/health-api", "https://my-domain.auth0.com/userinfo"},
			scopes: []string{"openid", "profile", "read:patients", "read:admin"}},
		{name: "RFC 9068 profile, typ at+jwt required", payload: []string{"access_token_payload_rfc9068_profile"},
			header: map[string]any{"typ": "at+jwt"}, cfg: rfc9068,
			sub: "auth0|123456", iss: "https://my-domain.auth0.com/", jti: "73WakrfVbNJBaAmhQtEeDv", issuedAt: true,
			aud:    []string{"https://example.com/health-api", "https://my-domain.auth0.com/userinfo"},
			scopes: []string{"openid", "profile", "read:patients", "read:admin"}},
		{name: "RBAC permissions and namespaced roles", payload: []string{"access_token_payload_with_rbac_permissions"}, cfg: cfg,
			sub: "auth0|123456", iss: "https://my-domain.auth0.com/", issuedAt: true,
			aud:    []string{"https://example.com/health-api"},
			scopes: []string{"read:patients"}, roles: []string{"admin"}, perms: []string{"read:patients", "read:admin"}},
		{name: "machine to machine", payload: []string{"access_token_payload_m2m"}, cfg: m2m,
			sub: "mK3brgMY0GIMox40xKWcUZBbv2Xs0YdG@clients", iss: "https://my-domain.us.auth0.com/", issuedAt: true,
			aud:    []string{"https://api.example.com"},
			scopes: []string{"read:clients", "read:actions"}, perms: []string{"read:clients", "read:actions"}},
	})

	// The issuer without its trailing slash rejects every Auth0 token; RequireType
	// rejects the default profile, whose typ is JWT.
	noSlash := cfg
	noSlash.Issuer = "https://my-domain.auth0.com"
	claims := providerPayload(t, doc, "access_token_payload_auth0_profile")
	assert.Equal(t, validator.ReasonWrongIssuer, providerReject(t, noSlash, claims, nil))
	assert.Equal(t, validator.ReasonWrongType, providerReject(t, rfc9068, claims, nil))
}

// Cognito access tokens have no aud claim: the app client id is in client_id, and ID
// tokens, signed by keys of the same JWKS, carry aud instead and token_use "id". A user
// sets AudienceClaim "client_id" and requires token_use "access"; with the default
// audience claim every Cognito access token is rejected (missing_claim: "token has no
// aud claim").
func TestProviderCognito(t *testing.T) {
	doc := loadProvider(t, "aws-cognito")
	cfg := validator.Config{
		Issuer:         "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_example", // no trailing slash
		Audiences:      []string{"57cbishk4j24pabc1234567890"},
		AudienceClaim:  "client_id",
		RequiredClaims: map[string]string{"token_use": "access"},
		ScopeClaims:    []string{"scope"},
		RoleClaims:     []string{"cognito:groups"}, // one key: the ':' is part of the name
	}
	m2m := cfg
	m2m.Issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"

	runProviderCases(t, doc, []providerCase{
		{name: "user access token", payload: []string{"access_token_payload_doc_sample"}, kid: "1234example=", header: noTyp, cfg: cfg,
			sub: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", iss: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_example",
			jti: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", issuedAt: true,
			aud:    []string{"57cbishk4j24pabc1234567890"}, // read from client_id
			scopes: []string{"aws.cognito.signin.user.admin"}, roles: []string{"admin"}},
		{name: "client credentials, resource-server scopes", payload: []string{"access_token_payload_m2m_client_credentials_shape"}, kid: "1234example=", header: noTyp, cfg: m2m,
			sub: "57cbishk4j24pabc1234567890", iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
			jti: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", issuedAt: true,
			aud:    []string{"57cbishk4j24pabc1234567890"},
			scopes: []string{"https://api.example.com/pets.read", "https://api.example.com/pets.write"}},
	})

	access := providerPayload(t, doc, "access_token_payload_doc_sample")
	t.Run("default audience claim: every access token rejected", func(t *testing.T) {
		plain := cfg
		plain.AudienceClaim = ""
		assert.Equal(t, validator.ReasonMissingClaim, providerReject(t, plain, access, noTyp))
	})
	t.Run("client_id of another app client", func(t *testing.T) {
		other := cfg
		other.Audiences = []string{"another-app-client"}
		assert.Equal(t, validator.ReasonWrongAudience, providerReject(t, other, access, noTyp))
	})
	t.Run("ID token refused by token_use", func(t *testing.T) {
		// The same claims with the ID token's token_use and aud; not a documented
		// payload, a derived one.
		id := providerPayload(t, doc, "access_token_payload_doc_sample")
		id["token_use"], id["aud"] = "id", "57cbishk4j24pabc1234567890"
		assert.Equal(t, validator.ReasonClaimMismatch, providerReject(t, cfg, id, noTyp))
		delete(id, "token_use")
		assert.Equal(t, validator.ReasonMissingClaim, providerReject(t, cfg, id, noTyp))
	})
	t.Run("RequireType rejects Cognito tokens (no typ header)", func(t *testing.T) {
		typed := cfg
		typed.RequireType = true
		assert.Equal(t, validator.ReasonWrongType, providerReject(t, typed, access, noTyp))
	})
}

func TestProviderEntraID(t *testing.T) {
	doc := loadProvider(t, "microsoft-entra-id")
	const v2Issuer = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
	// scp is a space-separated string (delegated tokens), roles an array (app roles).
	v1 := validator.Config{
		// v1 issuers end with "/". The documented sample's iss tenant
		// (fa15d692-...-29f29522229, 35 characters) differs from its tid: the issuer is
		// configured exactly as the token carries it.
		Issuer:      "https://sts.windows.net/fa15d692-e9c7-4460-a743-29f29522229/",
		Audiences:   []string{"ef1da9d4-ff77-4c3e-a005-840c3f830745"},
		ScopeClaims: []string{"scp"},
		RoleClaims:  []string{"roles"},
	}
	v2 := validator.Config{Issuer: v2Issuer, Audiences: []string{"6e74172b-be56-4843-9ff4-e66a39bb12e3"}, ScopeClaims: []string{"scp"}, RoleClaims: []string{"roles"}}
	app := validator.Config{Issuer: v2Issuer, Audiences: []string{"api://contoso-api"}, ScopeClaims: []string{"scp"}, RoleClaims: []string{"roles"}}

	runProviderCases(t, doc, []providerCase{
		{name: "v1 delegated token, x5t header", payload: []string{"v1_access_token", "payload"}, kid: "i6lGk3FZzxRcUb2C3nEQ7syHJlY",
			header: map[string]any{"x5t": "i6lGk3FZzxRcUb2C3nEQ7syHJlY"}, cfg: v1,
			sub: "l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA", iss: "https://sts.windows.net/fa15d692-e9c7-4460-a743-29f29522229/",
			aud: []string{"ef1da9d4-ff77-4c3e-a005-840c3f830745"}, issuedAt: true, notBefore: true,
			scopes: []string{"user_impersonation"}},
		{name: "v2 delegated token", payload: []string{"v2_access_token", "payload"}, kid: "i6lGk3FZzxRcUb2C3nEQ7syHJlY", cfg: v2,
			sub: "HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ", iss: v2Issuer,
			aud: []string{"6e74172b-be56-4843-9ff4-e66a39bb12e3"}, issuedAt: true, notBefore: true,
			scopes: []string{"access_as_user"}},
		{name: "v2 app-only token, roles and no scp", payload: []string{"app_only_token_shape"}, cfg: app,
			sub: "a1b2c3d4-0000-0000-0000-000000000001", iss: v2Issuer,
			aud: []string{"api://contoso-api"}, issuedAt: true, notBefore: true,
			roles: []string{"Pets.Read.All", "Pets.Write.All"}},
	})

	// The API manifest decides the token version: a v2 issuer configured for an API that
	// receives v1 tokens rejects them all.
	v1Token := providerPayload(t, doc, "v1_access_token", "payload")
	wrongVersion := v1
	wrongVersion.Issuer = "https://login.microsoftonline.com/fa15d692-e9c7-4460-a743-29f2956fd429/v2.0"
	assert.Equal(t, validator.ReasonWrongIssuer, providerReject(t, wrongVersion, v1Token, nil))

	// The decoded payloads above are the documents' example tokens: check that, and that
	// the example tokens themselves (whose signatures were cut short in the docs) are
	// rejected.
	for _, name := range []string{"v1_access_token", "v2_access_token"} {
		t.Run(name+" compact form", func(t *testing.T) {
			var tok struct {
				Header  map[string]any `json:"header"`
				Payload map[string]any `json:"payload"`
				Compact string         `json:"compact_from_docs"`
			}
			require.NoError(t, json.Unmarshal(doc[name], &tok))
			parts := strings.Split(tok.Compact, ".")
			require.Len(t, parts, 3)
			for i, want := range []map[string]any{tok.Header, tok.Payload} {
				raw, err := base64.RawURLEncoding.DecodeString(parts[i])
				require.NoError(t, err)
				got := map[string]any{}
				require.NoError(t, json.Unmarshal(raw, &got))
				assert.Equal(t, want, got)
			}
			s := newSigner(t, "RS256", "i6lGk3FZzxRcUb2C3nEQ7syHJlY")
			cfg := v1
			if name == "v2_access_token" {
				cfg = v2
			}
			v := staticValidator(t, cfg, jwksJSON(t, s.jwk(t, nil)))
			_, err := v.Validate(t.Context(), tok.Compact)
			// The docs cut the signature at 19 characters, whose last one has non-zero
			// trailing bits: not canonical base64url, so malformed before any
			// verification.
			assert.ErrorIs(t, err, validator.ErrInvalidToken)
			assert.Equal(t, validator.ReasonMalformed, validator.ReasonOf(err))
		})
	}
}

func TestProviderOkta(t *testing.T) {
	doc := loadProvider(t, "okta")
	// The documents keep Okta's URL placeholders in iss; they are configured verbatim
	// (a user writes their own domain and authorization server id). Scopes are in scp as
	// an array; there is no scope claim in Okta access tokens.
	user := validator.Config{
		Issuer:      "https://{yourOktaDomain}/oauth2/{authorizationServerId}",
		Audiences:   []string{"https://api.example.com"},
		ScopeClaims: []string{"scp"},
	}
	service := validator.Config{
		Issuer:    "https://{yourOktaDomain}/oauth2/default",
		Audiences: []string{"api://default"}, // the default authorization server's audience
		// ScopeClaims left at the default (scope, then scp): finds scp as well.
	}
	runProviderCases(t, doc, []providerCase{
		{name: "user token, scp array", payload: []string{"access_token_payload"}, kid: "45js03w0djwedsw", header: noTyp, cfg: user,
			sub: "00ujmkLgagxeRrAg20g3", iss: "https://{yourOktaDomain}/oauth2/{authorizationServerId}",
			jti: "AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE", aud: []string{"https://api.example.com"}, issuedAt: true,
			scopes: []string{"openid", "email", "flights", "custom"}},
		{name: "client credentials, default scope claims", payload: []string{"access_token_payload_client_credentials_shape"}, kid: "45js03w0djwedsw", header: noTyp, cfg: service,
			sub: "0oa3ragb1n1ZikpPy5d7", iss: "https://{yourOktaDomain}/oauth2/default",
			jti: "AT.1N0hpj1KFzioSm4Tk9WmzfNPFC5yrkF17nodcQXrui4", aud: []string{"api://default"}, issuedAt: true,
			scopes: []string{"fakebookapi.read", "fakebookapi.admin"}},
	})
}

func TestProviderKeycloak(t *testing.T) {
	doc := loadProvider(t, "keycloak")
	// Roles are nested: realm roles in realm_access.roles, client roles in
	// resource_access.<client>.roles. Role and permission claims take one list each
	// (the first claim present wins), so realm roles go to roles and one client's roles
	// can go to permissions. The payload claim typ "Bearer" tells access tokens from ID
	// and refresh tokens.
	cfg := validator.Config{
		Issuer:           "https://keycloak.example.test/realms/something",
		Audiences:        []string{"account"}, // Keycloak's default aud without an audience mapper
		ScopeClaims:      []string{"scope"},
		RoleClaims:       []string{"/realm_access/roles"},
		PermissionClaims: []string{"/resource_access/account/roles"},
		RequiredClaims:   map[string]string{"typ": "Bearer"},
	}
	// Client roles first, realm roles when the token has none for that client.
	pas := validator.Config{
		Issuer:         "https://vagrantguest/pas/keycloak/realms/PAS",
		Audiences:      []string{"realm-management"},
		RoleClaims:     []string{"/resource_access/realm-management/roles", "/realm_access/roles"},
		RequiredClaims: map[string]string{"typ": "Bearer"},
	}
	fallback := cfg
	fallback.RoleClaims = pas.RoleClaims
	fallback.PermissionClaims = nil

	runProviderCases(t, doc, []providerCase{
		{name: "realm roles and client roles", payload: []string{"access_token_payload"}, cfg: cfg,
			sub: "36fa0f91-f94d-4a0c-afed-6b7d952e47da", iss: "https://keycloak.example.test/realms/something",
			jti: "d58f5dc8-fd8f-462b-8a19-716f8f83985b", aud: []string{"account"}, issuedAt: true,
			scopes: []string{"email", "profile"},
			roles:  []string{"offline_access", "default-roles-something", "uma_authorization"},
			perms:  []string{"manage-account", "manage-account-links", "view-profile"}},
		{name: "client roles absent, realm roles used", payload: []string{"access_token_payload"}, cfg: fallback,
			sub: "36fa0f91-f94d-4a0c-afed-6b7d952e47da", iss: "https://keycloak.example.test/realms/something",
			jti: "d58f5dc8-fd8f-462b-8a19-716f8f83985b", aud: []string{"account"}, issuedAt: true,
			scopes: []string{"email", "profile"},
			roles:  []string{"offline_access", "default-roles-something", "uma_authorization"}},
		{name: "aud array, client roles first", payload: []string{"access_token_payload_aud_array"}, cfg: pas,
			sub: "71f150d0-41f6-11e7-a49f-4943fdcbc832", iss: "https://vagrantguest/pas/keycloak/realms/PAS",
			jti: "003599cf-f23c-482a-a21f-6e0b11efa9df", aud: []string{"realm-management", "account"}, issuedAt: true,
			scopes: []string{"pas_user", "profile", "email"},
			roles:  []string{"view-users", "query-groups", "query-users"}},
	})

	// A refresh or ID token of the same realm (payload typ other than Bearer) is refused;
	// a derived payload, not a documented one.
	refresh := providerPayload(t, doc, "access_token_payload")
	refresh["typ"] = "Refresh"
	assert.Equal(t, validator.ReasonClaimMismatch, providerReject(t, cfg, refresh, nil))
}

func TestProviderEVEOnline(t *testing.T) {
	doc := loadProvider(t, "eve-online-sso")
	// iss has no scheme. EVE's documentation tells validators to accept both
	// "login.eveonline.com" and "https://login.eveonline.com"; a Validator matches one
	// issuer exactly, so accepting both takes two validators.
	cfg := validator.Config{
		Issuer:      "login.eveonline.com",
		Audiences:   []string{"EVE Online"},
		ScopeClaims: []string{"scp"},
	}
	runProviderCases(t, doc, []providerCase{
		{name: "character token, scp array, issuer without scheme", payload: []string{"access_token_payload_doc_sample"}, kid: "JWT-Signature-Key", cfg: cfg,
			sub: "CHARACTER:EVE:123123", iss: "login.eveonline.com", jti: "998e12c7-3241-43c5-8355-2c48822e0a1b",
			aud: []string{"my3rdpartyclientid", "EVE Online"}, issuedAt: true,
			scopes: []string{"esi-skills.read_skills.v1", "esi-skills.read_skillqueue.v1"}},
	})
	https := cfg
	https.Issuer = "https://login.eveonline.com"
	assert.Equal(t, validator.ReasonWrongIssuer,
		providerReject(t, https, providerPayload(t, doc, "access_token_payload_doc_sample"), nil))
}

// Google's OAuth access tokens are opaque (not JWTs) and cannot be validated here. What
// reaches an API as a JWT bearer token is a Google-signed ID token (between services,
// e.g. Cloud Run) or a Firebase ID token; neither has scopes, roles or permissions, so
// authorization relies on other claims (email, hd, sub) through Claims.Claim.
func TestProviderGoogle(t *testing.T) {
	doc := loadProvider(t, "google")
	const google = "https://accounts.google.com"
	runProviderCases(t, doc, []providerCase{
		{name: "ID token", payload: []string{"id_token_payload_doc_sample"},
			cfg: validator.Config{Issuer: google, Audiences: []string{"1234987819200.apps.googleusercontent.com"}},
			sub: "10769150350006150715113082367", iss: google, aud: []string{"1234987819200.apps.googleusercontent.com"}, issuedAt: true},
		{name: "service-to-service ID token, aud is the service URL", payload: []string{"service_to_service_id_token_shape"},
			cfg: validator.Config{Issuer: google, Audiences: []string{"https://my-service-abc123-uc.a.run.app"}},
			sub: "111111111111111111111", iss: google, aud: []string{"https://my-service-abc123-uc.a.run.app"}, issuedAt: true},
		{name: "Firebase ID token", payload: []string{"firebase_id_token_shape"},
			cfg: validator.Config{Issuer: "https://securetoken.google.com/my-project", Audiences: []string{"my-project"}},
			sub: "abc", iss: "https://securetoken.google.com/my-project", aud: []string{"my-project"}, issuedAt: true},
	})
}

func TestAudienceClaimMustBeAValidName(t *testing.T) {
	_, err := validator.New(t.Context(), validator.Config{Issuer: testIssuer, Audiences: []string{"a"}, JWKS: []byte("{}"), AudienceClaim: "/~9"})
	assert.ErrorContains(t, err, "AudienceClaim")
}

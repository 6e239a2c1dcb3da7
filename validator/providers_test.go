package validator_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

// provider loads one provider document (testdata/providers, see testdata/SOURCES.md).
func provider(t *testing.T, name string) map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile("testdata/providers/" + name + ".json")
	require.NoError(t, err)
	doc := map[string]json.RawMessage{}
	require.NoError(t, json.Unmarshal(data, &doc))
	return doc
}

// payload returns a documented payload with its time claims moved to testNow (all other
// claims untouched) and any "_note" removed.
func payload(t *testing.T, doc map[string]json.RawMessage, path ...string) map[string]any {
	t.Helper()
	raw := doc[path[0]]
	require.NotEmpty(t, raw, path[0])
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(raw, &m))
	for _, p := range path[1:] {
		m = m[p].(map[string]any)
	}
	delete(m, "_note")
	for _, k := range []string{"iat", "nbf", "auth_time"} {
		if _, ok := m[k]; ok {
			m[k] = testNow.Add(-time.Minute).Unix()
		}
	}
	m["exp"] = testNow.Add(time.Hour).Unix()
	return m
}

type providerCase struct {
	name     string
	claims   map[string]any
	cfg      validator.Config // Issuer and Audiences as a user of that provider writes them
	sub      string
	scopes   []string // read from the document
	roles    []string
	perms    []string
	audience []string
}

func runProviders(t *testing.T, cases []providerCase) {
	t.Helper()
	s := newSigner(t, "RS256", "provider-key")
	keys := jwksJSON(t, s.jwk(t, nil))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.JWKS = keys
			cfg.Now = func() time.Time { return testNow }
			cfg.Logger = quietLogger
			v, err := validator.New(t.Context(), cfg)
			require.NoError(t, err)
			got, err := v.Validate(t.Context(), s.token(t, c.claims, nil))
			require.NoError(t, err)
			assert.Equal(t, c.sub, got.Subject)
			assert.Equal(t, c.scopes, got.Scopes())
			assert.Equal(t, c.roles, got.Roles())
			assert.Equal(t, c.perms, got.Permissions())
			if c.audience != nil {
				assert.Equal(t, c.audience, got.Audience)
			}
		})
	}
}

func TestAuth0(t *testing.T) {
	doc := provider(t, "auth0")
	cfg := validator.Config{
		Issuer:           "https://my-domain.auth0.com/", // the trailing slash is part of iss
		Audiences:        []string{"https://example.com/health-api"},
		RoleClaims:       []string{"https://example.com/roles"}, // a namespaced custom claim
		PermissionClaims: []string{"permissions"},
	}
	m2m := cfg
	m2m.Issuer, m2m.Audiences = "https://my-domain.us.auth0.com/", []string{"https://api.example.com"}
	runProviders(t, []providerCase{
		{name: "auth0 profile", claims: payload(t, doc, "access_token_payload_auth0_profile"), cfg: cfg, sub: "auth0|123456",
			scopes: []string{"openid", "profile", "read:patients", "read:admin"}, audience: []string{"https://example.com/health-api", "https://my-domain.auth0.com/userinfo"}},
		{name: "RFC 9068 profile", claims: payload(t, doc, "access_token_payload_rfc9068_profile"), cfg: cfg, sub: "auth0|123456",
			scopes: []string{"openid", "profile", "read:patients", "read:admin"}},
		{name: "RBAC permissions and namespaced roles", claims: payload(t, doc, "access_token_payload_with_rbac_permissions"), cfg: cfg, sub: "auth0|123456",
			scopes: []string{"read:patients"}, roles: []string{"admin"}, perms: []string{"read:patients", "read:admin"}},
		{name: "machine to machine", claims: payload(t, doc, "access_token_payload_m2m"), cfg: m2m, sub: "mK3brgMY0GIMox40xKWcUZBbv2Xs0YdG@clients",
			scopes: []string{"read:clients", "read:actions"}, perms: []string{"read:clients", "read:actions"}},
	})
}

func TestCognito(t *testing.T) {
	doc := provider(t, "aws-cognito")
	// Cognito access tokens carry no aud: the app client is in client_id, and ID tokens
	// signed by the same keys are told apart by token_use.
	cfg := validator.Config{
		Issuer:         "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_example",
		Audiences:      []string{"57cbishk4j24pabc1234567890"},
		AudienceClaim:  "client_id",
		RequiredClaims: map[string]string{"token_use": "access"},
		RoleClaims:     []string{"cognito:groups"},
	}
	m2m := cfg
	m2m.Issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"
	runProviders(t, []providerCase{
		{name: "user access token", claims: payload(t, doc, "access_token_payload_doc_sample"), cfg: cfg, sub: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
			scopes: []string{"aws.cognito.signin.user.admin"}, roles: []string{"admin"}, audience: []string{"57cbishk4j24pabc1234567890"}},
		{name: "client credentials", claims: payload(t, doc, "access_token_payload_m2m_client_credentials_shape"), cfg: m2m, sub: "57cbishk4j24pabc1234567890",
			scopes: []string{"https://api.example.com/pets.read", "https://api.example.com/pets.write"}},
	})

	// Without the audience claim setting every Cognito access token is refused (no aud),
	// and an ID token is refused by token_use.
	s := newSigner(t, "RS256", "k")
	strict := cfg
	strict.AudienceClaim = ""
	v := staticValidator(t, strict, jwksJSON(t, s.jwk(t, nil)))
	_, err := v.Validate(t.Context(), s.token(t, payload(t, doc, "access_token_payload_doc_sample"), nil))
	assert.Equal(t, validator.ReasonMissingClaim, validator.ReasonOf(err))
	idToken := payload(t, doc, "access_token_payload_doc_sample")
	idToken["token_use"], idToken["aud"] = "id", "57cbishk4j24pabc1234567890"
	v = staticValidator(t, cfg, jwksJSON(t, s.jwk(t, nil)))
	_, err = v.Validate(t.Context(), s.token(t, idToken, nil))
	assert.Equal(t, validator.ReasonClaimMismatch, validator.ReasonOf(err))
	delete(idToken, "token_use")
	_, err = v.Validate(t.Context(), s.token(t, idToken, nil))
	assert.Equal(t, validator.ReasonMissingClaim, validator.ReasonOf(err))
}

func TestEntraID(t *testing.T) {
	doc := provider(t, "microsoft-entra-id")
	v1 := payload(t, doc, "v1_access_token", "payload")
	v2 := payload(t, doc, "v2_access_token", "payload")
	app := payload(t, doc, "app_only_token_shape")
	runProviders(t, []providerCase{
		{name: "v1 token", claims: v1, sub: v1["sub"].(string), scopes: []string{"user_impersonation"},
			cfg: validator.Config{Issuer: v1["iss"].(string), Audiences: []string{"ef1da9d4-ff77-4c3e-a005-840c3f830745"}, ScopeClaims: []string{"scp"}, RoleClaims: []string{"roles"}}},
		{name: "v2 token", claims: v2, sub: "HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ", scopes: []string{"access_as_user"},
			cfg: validator.Config{Issuer: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", Audiences: []string{"6e74172b-be56-4843-9ff4-e66a39bb12e3"}, ScopeClaims: []string{"scp"}}},
		{name: "app-only token", claims: app, sub: "a1b2c3d4-0000-0000-0000-000000000001", roles: []string{"Pets.Read.All", "Pets.Write.All"},
			cfg: validator.Config{Issuer: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", Audiences: []string{"api://contoso-api"}, ScopeClaims: []string{"scp"}, RoleClaims: []string{"roles"}}},
	})
}

func TestOkta(t *testing.T) {
	doc := provider(t, "okta")
	user := payload(t, doc, "access_token_payload")
	user["iss"] = "https://dev-123.okta.com/oauth2/default" // the document's {yourOktaDomain} placeholder, filled in
	svc := payload(t, doc, "access_token_payload_client_credentials_shape")
	svc["iss"] = "https://dev-123.okta.com/oauth2/default"
	cfg := validator.Config{Issuer: "https://dev-123.okta.com/oauth2/default", Audiences: []string{"https://api.example.com", "api://default"}}
	runProviders(t, []providerCase{
		{name: "user token, scp array (default scope claims)", claims: user, cfg: cfg, sub: "00ujmkLgagxeRrAg20g3",
			scopes: []string{"openid", "email", "flights", "custom"}},
		{name: "client credentials", claims: svc, cfg: cfg, sub: "0oa3ragb1n1ZikpPy5d7", scopes: []string{"fakebookapi.read", "fakebookapi.admin"}},
	})
}

func TestKeycloak(t *testing.T) {
	doc := provider(t, "keycloak")
	runProviders(t, []providerCase{
		{name: "realm roles through a JSON Pointer", claims: payload(t, doc, "access_token_payload"), sub: "36fa0f91-f94d-4a0c-afed-6b7d952e47da",
			scopes: []string{"email", "profile"}, roles: []string{"offline_access", "default-roles-something", "uma_authorization"},
			cfg: validator.Config{Issuer: "https://keycloak.example.test/realms/something", Audiences: []string{"account"}, RoleClaims: []string{"/realm_access/roles"}}},
		{name: "client roles of one client", claims: payload(t, doc, "access_token_payload"), sub: "36fa0f91-f94d-4a0c-afed-6b7d952e47da",
			scopes: []string{"email", "profile"}, roles: []string{"manage-account", "manage-account-links", "view-profile"},
			cfg: validator.Config{Issuer: "https://keycloak.example.test/realms/something", Audiences: []string{"account"}, RoleClaims: []string{"/resource_access/account/roles"}}},
		{name: "aud array", claims: payload(t, doc, "access_token_payload_aud_array"), sub: "71f150d0-41f6-11e7-a49f-4943fdcbc832",
			scopes: []string{"pas_user", "profile", "email"}, roles: []string{"view-users", "query-groups", "query-users"},
			cfg: validator.Config{Issuer: "https://vagrantguest/pas/keycloak/realms/PAS", Audiences: []string{"realm-management"}, RoleClaims: []string{"/resource_access/realm-management/roles", "/realm_access/roles"}}},
	})
}

func TestEVEOnline(t *testing.T) {
	doc := provider(t, "eve-online-sso")
	// The issuer is not a URL; the key set URL is configured directly.
	runProviders(t, []providerCase{
		{name: "scp array, issuer without scheme", claims: payload(t, doc, "access_token_payload_doc_sample"), sub: "CHARACTER:EVE:123123",
			scopes: []string{"esi-skills.read_skills.v1", "esi-skills.read_skillqueue.v1"},
			cfg:    validator.Config{Issuer: "login.eveonline.com", Audiences: []string{"EVE Online"}, ScopeClaims: []string{"scp"}}},
	})
}

// Google's OAuth access tokens are opaque (not JWTs); what can be validated is an ID
// token used between services, which carries no scopes: authorization then uses claims
// such as email or hd.
func TestGoogleIDToken(t *testing.T) {
	doc := provider(t, "google")
	claims := payload(t, doc, "id_token_payload_doc_sample")
	runProviders(t, []providerCase{
		{name: "ID token between services", claims: claims, sub: "10769150350006150715113082367",
			cfg: validator.Config{Issuer: "https://accounts.google.com", Audiences: []string{"1234987819200.apps.googleusercontent.com"}}},
	})
}

func TestAudienceClaimAndRequiredClaimsFromEnv(t *testing.T) {
	env := map[string]string{"AXIOMS_AUDIENCE_CLAIM": "client_id", "AXIOMS_REQUIRED_CLAIMS": "token_use=access, /ext/tier = gold"}
	c, err := validator.ConfigFromLookup(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	assert.Equal(t, "client_id", c.AudienceClaim)
	assert.Equal(t, map[string]string{"token_use": "access", "/ext/tier": "gold"}, c.RequiredClaims)
	env["AXIOMS_REQUIRED_CLAIMS"] = "novalue"
	_, err = validator.ConfigFromLookup(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	assert.Error(t, err)
	_, err = validator.New(t.Context(), validator.Config{Issuer: testIssuer, Audiences: []string{"a"}, JWKS: []byte("{}"), AudienceClaim: "/~9"})
	assert.ErrorContains(t, err, "AudienceClaim")
}

package axiomstest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

func TestValidatorConfig(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	cfg := iss.ValidatorConfig()
	assert.Equal(t, iss.URL(), cfg.Issuer)
	assert.Equal(t, []string{iss.Audience()}, cfg.Audiences)
	assert.Empty(t, cfg.JWKSURL, "the keys are found by discovery")
}

// TestValidatorAcceptsIssuerTokens runs minted tokens through the validator: the
// issuer's tokens pass, crafted ones fail for the reason they were crafted for.
func TestValidatorAcceptsIssuerTokens(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	v := iss.Validator(t)
	for _, alg := range axiomstest.DefaultAlgorithms() {
		c, err := v.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{Alg: alg, Claims: map[string]any{"scope": "read"}}))
		require.NoError(t, err, alg)
		assert.Equal(t, axiomstest.DefaultSubject, c.Subject())
		assert.True(t, c.HasScope("read"))
	}
	assert.GreaterOrEqual(t, iss.DiscoveryFetches(), 1)
	assert.GreaterOrEqual(t, iss.JWKSFetches(), 1)

	attacker := axiomstest.NewKey(t, "ES256")
	_, err := v.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{Key: attacker, KeyID: iss.Key("ES256").ID()}))
	assert.Equal(t, validator.ReasonBadSignature, validator.ReasonOf(err))

	_, err = v.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"exp": axiomstest.Omit}}))
	assert.Equal(t, validator.ReasonMissingClaim, validator.ReasonOf(err))

	_, err = v.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{Unsigned: true}))
	assert.Equal(t, validator.ReasonAlgNotAllowed, validator.ReasonOf(err))
}

func TestValidatorFallsBackWithoutDiscovery(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, DisableDiscovery: true})
	v := iss.Validator(t)
	_, err := v.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{}))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, iss.DiscoveryFetches(), 1)
	assert.GreaterOrEqual(t, iss.JWKSFetches(), 1)
}

func TestValidatorSeesKeysUnavailable(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	iss.Fail(axiomstest.Fault{Status: http.StatusServiceUnavailable})
	v := iss.Validator(t)
	_, err := v.Validate(t.Context(), iss.Token(t, axiomstest.TokenSpec{}))
	assert.ErrorIs(t, err, validator.ErrKeysUnavailable)
}

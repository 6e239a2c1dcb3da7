package validator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/validator"
)

func TestValidateAcceptsEveryDefaultAlgorithm(t *testing.T) {
	for _, alg := range validator.DefaultAlgorithms() {
		t.Run(alg, func(t *testing.T) {
			s := newSigner(t, alg, "k-"+alg)
			v := staticValidator(t, validator.Config{}, jwksJSON(t, s.jwk(t, nil)))
			tok := s.token(t, claims(map[string]any{"scope": "read:data write:data", "roles": []string{"admin"}}), nil)

			c, err := v.Validate(t.Context(), tok)
			require.NoError(t, err)
			assert.Equal(t, "user-1", c.Subject())
			assert.Equal(t, testIssuer, c.Issuer())
			assert.Equal(t, []string{testAudience}, c.Audience())
			assert.Equal(t, "token-1", c.ID())
			assert.True(t, c.ExpiresAt().Equal(testNow.Add(time.Hour)))
			assert.True(t, c.NotBefore().Equal(testNow))
			assert.True(t, c.IssuedAt().Equal(testNow))
			assert.Equal(t, []string{"read:data", "write:data"}, c.Scopes())
			assert.Equal(t, []string{"admin"}, c.Roles())
			assert.Nil(t, c.Permissions())
		})
	}
}

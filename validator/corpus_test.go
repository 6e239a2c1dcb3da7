package validator_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/internal/attacks"
	"github.com/axioms-go/axioms-echo/validator"
)

// TestAttackCorpus runs the shared corpus of crafted tokens (internal/attacks) against a
// validator that discovers the in-process issuer's keys: every row's reason, exactly. It
// logs the number of rows run and of false accepts (rows expected to be rejected that
// validated), which must be zero.
func TestAttackCorpus(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	corpus := attacks.Corpus(t, iss)
	v := iss.Validator(t)
	falseAccepts, cases := 0, 0
	for _, c := range corpus {
		if c.Token == "" {
			continue // header-only rows: the middleware's
		}
		cases++
		t.Run(c.Category+"/"+c.Name, func(t *testing.T) {
			claims, err := v.Validate(t.Context(), c.Token)
			if c.Reason == "" {
				require.NoError(t, err)
				return
			}
			if err == nil {
				falseAccepts++
			}
			require.Error(t, err)
			assert.Nil(t, claims)
			assert.ErrorIs(t, err, validator.ErrInvalidToken)
			assert.Equal(t, c.Reason, validator.ReasonOf(err), "%v", err)
		})
	}
	t.Logf("FIGURE corpus-validator: %d cases, %d false accepts", cases, falseAccepts)
	assert.Zero(t, falseAccepts)
	assert.Greater(t, cases, 140)
}

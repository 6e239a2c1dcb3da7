package validator

import (
	"crypto/rand"
	"crypto/rsa"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestROCAFingerprint(t *testing.T) {
	// A modulus built the vulnerable way: 65537^a mod M plus a multiple of M, M the
	// product of the fingerprint's primes.
	m := big.NewInt(1)
	for _, p := range rocaPrimes {
		m.Mul(m, big.NewInt(p))
	}
	for _, a := range []int64{1, 2, 12345, 999999} {
		n := new(big.Int).Exp(big.NewInt(65537), big.NewInt(a), m)
		n.Add(n, new(big.Int).Mul(m, big.NewInt(a*7919+3)))
		assert.True(t, hasROCAFingerprint(n), "a=%d", a)
	}
	// Keys from crypto/rsa never match.
	for range 5 {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		assert.False(t, hasROCAFingerprint(k.N))
	}
	assert.False(t, hasROCAFingerprint(big.NewInt(2)))
}

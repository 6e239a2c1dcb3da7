package axiomstest_test

import (
	"crypto/rsa"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/internal/signing"
)

func TestKeyFileKeepsTokensValidAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "dev.key.json")
	first := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{KeyFile: path})
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "private key file is private")
	dir, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), dir.Mode().Perm())

	k := first.Key("")
	require.NotNil(t, k)
	assert.Equal(t, "RS256", k.Alg(), "a new key file holds an RS256 key")
	thumbprint, err := signing.Thumbprint(k.Public())
	require.NoError(t, err)
	assert.Equal(t, thumbprint, k.ID(), "its kid is its thumbprint")
	assert.Equal(t, []string{k.ID()}, kids(t, fetch(t, first.JWKSURL()).body), "the file's key is the only one")
	assert.Equal(t, []any{"RS256"}, object(t, fetch(t, first.URL()+"/.well-known/openid-configuration").body)["id_token_signing_alg_values_supported"])
	token := first.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"iss": "http://127.0.0.1:9000"}})

	second := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{KeyFile: path, Algorithms: []string{"RS256"}})
	assert.Equal(t, k.ID(), second.Key("RS256").ID())
	assert.True(t, second.Key("RS256").Public().(*rsa.PublicKey).Equal(k.Public()))
	verifyStd(t, second.Key("RS256").Public(), "RS256", token)

	require.NoError(t, os.WriteFile(path, []byte("{oops"), 0o600))
	_, err = axiomstest.NewIssuerErr(axiomstest.IssuerConfig{KeyFile: path})
	assert.ErrorContains(t, err, path)
}

// TestKeyFileFormat: a key file is a private JWK as signing.Key.PrivateJWK writes it,
// of any algorithm; one the issuer did not create keeps its kid.
func TestKeyFileFormat(t *testing.T) {
	sk, err := signing.Generate("ES256", "my-dev-key")
	require.NoError(t, err)
	data, err := sk.PrivateJWK()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "es.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))

	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{KeyFile: path})
	assert.Equal(t, "my-dev-key", iss.Key("").ID())
	assert.Equal(t, "ES256", iss.Key("").Alg())
	tok := iss.Token(t, axiomstest.TokenSpec{})
	assert.Equal(t, "my-dev-key", header(t, tok)["kid"])
	verifyStd(t, sk.Public(), "ES256", tok)

	_, err = axiomstest.NewIssuerErr(axiomstest.IssuerConfig{KeyFile: path, Algorithms: []string{"EdDSA"}})
	assert.ErrorContains(t, err, "holds a ES256 key")

	created := filepath.Join(t.TempDir(), "ed.json")
	ed := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{KeyFile: created, Algorithms: []string{"EdDSA"}})
	data, err = os.ReadFile(created)
	require.NoError(t, err)
	back, err := signing.ParsePrivateJWK(data)
	require.NoError(t, err)
	assert.Equal(t, ed.Key("EdDSA").ID(), back.ID)
	assert.Equal(t, "EdDSA", back.Alg)

	_, err = axiomstest.NewIssuerErr(axiomstest.IssuerConfig{KeyFile: t.TempDir()})
	assert.ErrorContains(t, err, "key file", "a directory is not a key file")
}

func TestAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Addr: addr, Algorithms: []string{"ES256"}})
	assert.Equal(t, "http://"+addr, iss.URL())
	assert.Equal(t, 1, servedSet(t, iss.JWKSURL()).Len())

	_, err = axiomstest.NewIssuerErr(axiomstest.IssuerConfig{Addr: addr, Algorithms: []string{"ES256"}})
	require.Error(t, err, "the address is taken")
	assert.True(t, strings.HasPrefix(err.Error(), "axiomstest: IssuerConfig.Addr: "), err.Error())
}

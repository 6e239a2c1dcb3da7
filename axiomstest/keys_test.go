package axiomstest_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

func TestNewKey(t *testing.T) {
	for _, alg := range []string{"ES256", "ES384", "ES512", "EdDSA", "PS256"} {
		k := axiomstest.NewKey(t, alg)
		assert.Equal(t, alg, k.Alg())
		assert.True(t, strings.HasPrefix(k.ID(), alg+"-"))
		assert.Equal(t, k.Public(), k.Signer().Public())
		switch k.Public().(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		default:
			t.Fatalf("unexpected public key %T", k.Public())
		}

		pub, err := jwk.ParseKey(k.PublicJWK())
		require.NoError(t, err)
		kid, _ := pub.KeyID()
		assert.Equal(t, k.ID(), kid)
		private, err := jwk.IsPrivateKey(pub)
		require.NoError(t, err)
		assert.False(t, private)

		b := k.PublicJWK()
		b[0] = 'X'
		assert.Equal(t, byte('{'), k.PublicJWK()[0], "PublicJWK returns a copy")
	}
	assert.NotEqual(t, axiomstest.NewKey(t, "EdDSA").ID(), axiomstest.NewKey(t, "EdDSA").ID())
	assert.Contains(t, fatal(t, func(tb testing.TB) { axiomstest.NewKey(tb, "HS256") }), "HS256")
}

func TestExtraKeysAreNotPublished(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	attacker := axiomstest.NewKey(t, "ES256")
	assert.Equal(t, []string{iss.Key("ES256").ID()}, kids(t, fetch(t, iss.JWKSURL()).body))
	assert.NotEqual(t, iss.Key("ES256").ID(), attacker.ID())
}

func TestRotate(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256", "EdDSA"}})
	old := iss.Key("ES256")
	assert.Same(t, old, iss.Key("ES256"), "the same *Key until rotation")
	oldToken := iss.Token(t, axiomstest.TokenSpec{})

	fresh := iss.Rotate(t, "ES256")
	assert.Same(t, fresh, iss.Key("ES256"))
	assert.NotEqual(t, old.ID(), fresh.ID())
	assert.False(t, old.Public().(*ecdsa.PublicKey).Equal(fresh.Public()), "new key material")
	assert.Equal(t, fresh.ID(), header(t, iss.Token(t, axiomstest.TokenSpec{}))["kid"], "the new key signs the default tokens")
	assert.Equal(t, []string{old.ID(), iss.Key("EdDSA").ID(), fresh.ID()}, kids(t, fetch(t, iss.JWKSURL()).body),
		"the old key stays published")

	// Both the old and the new token verify against the served set.
	set := servedSet(t, iss.JWKSURL())
	for _, tok := range []string{oldToken, iss.Token(t, axiomstest.TokenSpec{})} {
		kid := header(t, tok)["kid"].(string)
		k, ok := set.LookupKeyID(kid)
		require.True(t, ok)
		var pub ecdsa.PublicKey
		require.NoError(t, jwk.Export(k, &pub))
		verifyStd(t, &pub, "ES256", tok)
	}

	// A new algorithm.
	es384 := iss.Rotate(t, "ES384")
	assert.Same(t, es384, iss.Key("ES384"))
	tok := iss.Token(t, axiomstest.TokenSpec{Alg: "ES384"})
	assert.Equal(t, es384.ID(), header(t, tok)["kid"])
	verifyStd(t, es384.Public(), "ES384", tok)
	assert.Len(t, kids(t, fetch(t, iss.JWKSURL()).body), 4)

	// Rotating the default RSA key gives it fresh material, unlike the shared start key.
	rsaIss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	other := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	rotated := rsaIss.Rotate(t, "RS256")
	assert.False(t, rotated.Public().(*rsa.PublicKey).Equal(other.Key("RS256").Public()))

	assert.Contains(t, fatal(t, func(tb testing.TB) { iss.Rotate(tb, "none") }), "none")
}

func TestRemoveKey(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256", "EdDSA"}})
	old := iss.Key("ES256")
	fresh := iss.Rotate(t, "ES256")
	iss.RemoveKey(old.ID())
	assert.Equal(t, []string{iss.Key("EdDSA").ID(), fresh.ID()}, kids(t, fetch(t, iss.JWKSURL()).body))

	// Removing the current key withdraws it, but it still signs: tokens a validator
	// must now reject.
	iss.RemoveKey(fresh.ID())
	assert.Equal(t, []string{iss.Key("EdDSA").ID()}, kids(t, fetch(t, iss.JWKSURL()).body))
	assert.Same(t, fresh, iss.Key("ES256"))
	assert.Equal(t, fresh.ID(), header(t, iss.Token(t, axiomstest.TokenSpec{}))["kid"])

	iss.RemoveKey("no-such-kid")
	iss.RemoveKey("")
	assert.Len(t, kids(t, fetch(t, iss.JWKSURL()).body), 1, "unknown kids are ignored; keyless raw members are not matched by \"\"")

	// Raw members are withdrawn by their kid too.
	iss.PublishRaw([]byte(`{"kty":"oct","kid":"sym","k":"c2VjcmV0"}`))
	iss.PublishRaw([]byte(`{"kty":"oct","KID":"upper","k":"c2VjcmV0"}`))
	iss.RemoveKey("sym")
	iss.RemoveKey("upper")
	body := fetch(t, iss.JWKSURL()).body
	assert.NotContains(t, string(body), `"sym"`)
	assert.Contains(t, string(body), `"upper"`, "only the exact kid member counts")
}

func TestPublish(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	extra := axiomstest.NewKey(t, "EdDSA")
	iss.Publish(extra)
	iss.Publish(extra)
	body := fetch(t, iss.JWKSURL()).body
	assert.Equal(t, []string{iss.Key("ES256").ID(), extra.ID()}, kids(t, body), "published once, after the others")
	assert.Equal(t, "ES256", header(t, iss.Token(t, axiomstest.TokenSpec{}))["alg"], "a published key does not sign by default")

	// The same key of another issuer can be published here too.
	other := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"EdDSA"}})
	iss.Publish(other.Key("EdDSA"))
	assert.Contains(t, kids(t, fetch(t, iss.JWKSURL()).body), other.Key("EdDSA").ID())

	assert.Panics(t, func() { iss.Publish(nil) })
}

func TestPublishRaw(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	enc := `{"kty":"EC","use":"enc","kid":"enc-key","crv":"P-256","x":"AAAA","y":"AAAA"}`
	member := []byte(enc)
	iss.PublishRaw(member)
	member[0] = 'X' // PublishRaw keeps its own copy
	iss.PublishRaw([]byte(`{"kty":"oct","kid":"sym","k":"c2VjcmV0"}`))
	body := fetch(t, iss.JWKSURL()).body
	assert.Equal(t, `{"keys":[`+string(iss.Key("ES256").PublicJWK())+`,`+enc+`,{"kty":"oct","kid":"sym","k":"c2VjcmV0"}]}`, string(body),
		"raw members are served verbatim, in order")

	broken := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	broken.PublishRaw([]byte(`{"kty":`))
	body = fetch(t, broken.JWKSURL()).body
	assert.False(t, json.Valid(body), "a malformed member makes the set malformed")
	assert.True(t, bytes.HasSuffix(body, []byte(`,{"kty":]}`)))
}

func TestSetJWKSBody(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})

	// A set of 5,000 keys, more than 1 MiB.
	var b bytes.Buffer
	b.WriteString(`{"keys":[`)
	for n := range 5000 {
		if n > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"kty":"RSA","kid":"k%d","n":"%s","e":"AQAB"}`, n, strings.Repeat("A", 200))
	}
	b.WriteString("]}")
	big := b.Bytes()
	require.Greater(t, len(big), 1<<20)
	iss.SetJWKSBody(big)
	big[0] = 'X' // SetJWKSBody keeps its own copy
	r := fetch(t, iss.JWKSURL())
	assert.Equal(t, "{", string(r.body[:1]))
	assert.Len(t, r.body, len(big))
	assert.Equal(t, fmt.Sprint(len(big)), r.header.Get("Content-Length"))
	assert.Len(t, kids(t, r.body), 5000)

	iss.SetJWKSBody([]byte{})
	assert.Empty(t, fetch(t, iss.JWKSURL()).body, "a non-nil empty body is served as is")

	iss.SetJWKSBody(nil)
	assert.Equal(t, []string{iss.Key("ES256").ID()}, kids(t, fetch(t, iss.JWKSURL()).body), "nil restores the key set")
}

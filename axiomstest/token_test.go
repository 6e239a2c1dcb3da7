package axiomstest_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

var allAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// TestTokensVerifyWithJWX checks a token of every algorithm against the served JWK set
// with jwx, an independent implementation.
func TestTokensVerifyWithJWX(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: allAlgorithms})
	set := servedSet(t, iss.JWKSURL())
	for _, alg := range allAlgorithms {
		t.Run(alg, func(t *testing.T) {
			tok := iss.Token(t, axiomstest.TokenSpec{Alg: alg, Claims: map[string]any{"scope": "a b"}})
			assert.Equal(t, map[string]any{"alg": alg, "kid": iss.Key(alg).ID(), "typ": "JWT"}, header(t, tok))
			got, err := jws.Verify([]byte(tok), jws.WithKeySet(set, jws.WithRequireKid(true)))
			require.NoError(t, err)
			assert.Equal(t, "a b", object(t, got)["scope"])
			verifyStd(t, iss.Key(alg).Public(), alg, tok)

			// Signed by that key only: another key of the set does not verify it.
			other := iss.Key(map[bool]string{true: "ES256", false: "EdDSA"}[alg == "EdDSA"])
			otherPub, err := jwk.ParseKey(other.PublicJWK())
			require.NoError(t, err)
			jalg, _ := jwa.LookupSignatureAlgorithm(other.Alg())
			_, err = jws.Verify([]byte(tok), jws.WithKey(jalg, otherPub))
			assert.Error(t, err)
		})
	}
}

func TestTokenDefaults(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	var calls atomic.Int64
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{
		Algorithms: []string{"EdDSA"},
		Now:        func() time.Time { calls.Add(1); return now },
		TokenTTL:   time.Minute,
		Audience:   "aud-x",
	})
	tok := iss.Token(t, axiomstest.TokenSpec{})
	p := payload(t, tok)
	assert.Equal(t, []string{"aud", "exp", "iat", "iss", "jti", "nbf", "sub"}, sortedKeys(p))
	assert.Equal(t, iss.URL(), p["iss"])
	assert.Equal(t, "aud-x", p["aud"])
	assert.Equal(t, axiomstest.DefaultSubject, p["sub"])
	assert.Equal(t, "user-1", p["sub"])
	assert.EqualValues(t, now.Unix(), p["iat"])
	assert.EqualValues(t, now.Unix(), p["nbf"])
	assert.EqualValues(t, now.Add(time.Minute).Unix(), p["exp"])
	assert.Regexp(t, "^[0-9a-f]{32}$", p["jti"])
	assert.NotEqual(t, p["jti"], payload(t, iss.Token(t, axiomstest.TokenSpec{}))["jti"], "a fresh jti per token")
	assert.EqualValues(t, 2, calls.Load(), "the injected clock is used")
	assert.Equal(t, map[string]any{"alg": "EdDSA", "kid": iss.Key("EdDSA").ID(), "typ": "JWT"}, header(t, tok))

	ttl := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"EdDSA"}, Now: func() time.Time { return now }})
	assert.EqualValues(t, now.Add(axiomstest.DefaultTokenTTL).Unix(), payload(t, ttl.Token(t, axiomstest.TokenSpec{}))["exp"])
}

func TestTokenClaims(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, Now: func() time.Time { return now }})
	p := payload(t, iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{
		"sub":          "alice",
		"aud":          []string{"a", "b"},
		"roles":        []string{"admin"},
		"realm_access": map[string]any{"roles": []string{"r"}},
		"exp":          now.Add(-time.Hour),            // time.Time → NumericDate
		"auth_time":    now.Add(-2 * time.Hour),        // any top-level time.Time
		"nested":       map[string]any{"t": now.UTC()}, // nested values are plain JSON
		"nbf":          nil,                            // JSON null, not removed
	}}))
	assert.Equal(t, "alice", p["sub"])
	assert.Equal(t, []any{"a", "b"}, p["aud"])
	assert.Equal(t, []any{"admin"}, p["roles"])
	assert.Equal(t, map[string]any{"roles": []any{"r"}}, p["realm_access"])
	assert.EqualValues(t, now.Add(-time.Hour).Unix(), p["exp"])
	assert.EqualValues(t, now.Add(-2*time.Hour).Unix(), p["auth_time"])
	assert.Equal(t, map[string]any{"t": "2030-03-17T17:46:40Z"}, p["nested"])
	assert.Contains(t, p, "nbf")
	assert.Nil(t, p["nbf"])
}

func TestOmit(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	for _, name := range []string{"iss", "aud", "sub", "iat", "nbf", "exp", "jti"} {
		p := payload(t, iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{name: axiomstest.Omit}}))
		assert.NotContains(t, p, name)
		assert.Len(t, p, 6, "only %s is removed", name)
	}
	p := payload(t, iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"exp": axiomstest.Omit, "iat": axiomstest.Omit, "custom": axiomstest.Omit}}))
	assert.Equal(t, []string{"aud", "iss", "jti", "nbf", "sub"}, sortedKeys(p), "omitting an absent claim is harmless")

	for _, name := range []string{"alg", "kid", "typ"} {
		h := header(t, iss.Token(t, axiomstest.TokenSpec{Header: map[string]any{name: axiomstest.Omit}}))
		assert.NotContains(t, h, name)
		assert.Len(t, h, 2)
	}
	tok := iss.Token(t, axiomstest.TokenSpec{Header: map[string]any{"alg": axiomstest.Omit, "kid": axiomstest.Omit, "typ": axiomstest.Omit}})
	assert.Equal(t, "{}", string(segment(t, tok, 0)))
	verifyStd(t, iss.Key("ES256").Public(), "ES256", tok) // still signed with the key's alg

	msg := fatal(t, func(tb testing.TB) {
		iss.Token(tb, axiomstest.TokenSpec{Claims: map[string]any{"realm_access": map[string]any{"roles": axiomstest.Omit}}})
	})
	assert.Contains(t, msg, "top-level")
	msg = fatal(t, func(tb testing.TB) {
		iss.Token(tb, axiomstest.TokenSpec{Header: map[string]any{"crit": []any{axiomstest.Omit}}})
	})
	assert.Contains(t, msg, "top-level")
}

func TestTokenKeySelection(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256", "EdDSA"}})

	tok := iss.Token(t, axiomstest.TokenSpec{Alg: "EdDSA"})
	assert.Equal(t, iss.Key("EdDSA").ID(), header(t, tok)["kid"])
	verifyStd(t, iss.Key("EdDSA").Public(), "EdDSA", tok)

	attacker := axiomstest.NewKey(t, "ES256")
	tok = iss.Token(t, axiomstest.TokenSpec{Key: attacker})
	assert.Equal(t, map[string]any{"alg": "ES256", "kid": attacker.ID(), "typ": "JWT"}, header(t, tok))
	assert.Equal(t, iss.URL(), payload(t, tok)["iss"], "the issuer's default claims")
	verifyStd(t, attacker.Public(), "ES256", tok)

	// The attacker's key, claiming to be the issuer's.
	tok = iss.Token(t, axiomstest.TokenSpec{Key: attacker, KeyID: iss.Key("ES256").ID()})
	assert.Equal(t, iss.Key("ES256").ID(), header(t, tok)["kid"])
	verifyStd(t, attacker.Public(), "ES256", tok)

	tok = iss.Token(t, axiomstest.TokenSpec{OmitKeyID: true})
	assert.NotContains(t, header(t, tok), "kid")

	tok = iss.Token(t, axiomstest.TokenSpec{KeyID: "from-KeyID", Header: map[string]any{"kid": "from-Header"}})
	assert.Equal(t, "from-Header", header(t, tok)["kid"], "Header is merged last")

	assert.Contains(t, fatal(t, func(tb testing.TB) { iss.Token(tb, axiomstest.TokenSpec{Alg: "RS256"}) }), "no RS256 key")
}

func TestCraftedHeaders(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	rs := iss.Key("RS256")

	// Another algorithm the key can produce: signed with it.
	tok := iss.Token(t, axiomstest.TokenSpec{Header: map[string]any{"alg": "PS256"}})
	assert.Equal(t, "PS256", header(t, tok)["alg"])
	verifyStd(t, rs.Public(), "PS256", tok)
	pub, err := jwk.Import(rs.Public())
	require.NoError(t, err)
	_, err = jws.Verify([]byte(tok), jws.WithKey(jwa.PS256(), pub))
	require.NoError(t, err)

	// An algorithm the key cannot produce: written as given, signed with the key's own.
	for _, alg := range []string{"none", "nOnE", "HS256", "ES256", "EdDSA", "RS1"} {
		tok := iss.Token(t, axiomstest.TokenSpec{Header: map[string]any{"alg": alg}})
		assert.Equal(t, alg, header(t, tok)["alg"])
		verifyStd(t, rs.Public(), "RS256", tok)
	}

	// Members validators must never follow, unknown crit, odd kid values.
	attacker := axiomstest.NewKey(t, "ES256")
	tok = iss.Token(t, axiomstest.TokenSpec{Key: attacker, Header: map[string]any{
		"jwk":  json.RawMessage(attacker.PublicJWK()),
		"jku":  "https://attacker.example/jwks.json",
		"x5u":  "https://attacker.example/cert.pem",
		"crit": []string{"urn:example:unknown"},
		"typ":  "at+jwt",
	}})
	h := header(t, tok)
	assert.Equal(t, "at+jwt", h["typ"])
	assert.Equal(t, []any{"urn:example:unknown"}, h["crit"])
	assert.Equal(t, object(t, attacker.PublicJWK()), h["jwk"], "an embedded key")
	assert.Equal(t, "https://attacker.example/jwks.json", h["jku"])

	for _, kid := range []any{nil, 42, "../../etc/passwd", "", []string{"a"}} {
		h := header(t, iss.Token(t, axiomstest.TokenSpec{Header: map[string]any{"kid": kid}}))
		require.Contains(t, h, "kid")
		want, _ := json.Marshal(kid)
		got, _ := json.Marshal(h["kid"])
		assert.JSONEq(t, string(want), string(got))
	}
}

func TestRawHeaderAndPayload(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	for name, c := range map[string]struct{ header, payload string }{
		"duplicate header members":  {`{"alg":"ES256","alg":"none"}`, `{"sub":"a"}`},
		"duplicate payload members": {`{"alg":"ES256"}`, `{"sub":"a","sub":"b"}`},
		"invalid UTF-8":             {`{"alg":"ES256"}`, "{\"sub\":\"\xff\"}"},
		"not JSON":                  {`{"alg":`, `[`},
		"empty":                     {``, ``},
	} {
		t.Run(name, func(t *testing.T) {
			tok := iss.Token(t, axiomstest.TokenSpec{Alg: "ES256", RawHeader: []byte(c.header), RawPayload: []byte(c.payload)})
			assert.Equal(t, c.header, string(segment(t, tok, 0)))
			assert.Equal(t, c.payload, string(segment(t, tok, 1)))
			verifyStd(t, iss.Key("ES256").Public(), "ES256", tok) // genuinely signed
		})
	}

	// Raw header, default claims; and the other way round.
	tok := iss.Token(t, axiomstest.TokenSpec{RawHeader: []byte(`{"alg":"PS256"}`)})
	assert.Equal(t, iss.URL(), payload(t, tok)["iss"])
	verifyStd(t, iss.Key("RS256").Public(), "RS256", tok) // a raw header never picks the algorithm
	tok = iss.Token(t, axiomstest.TokenSpec{RawPayload: []byte(`{}`), Header: map[string]any{"typ": "at+jwt"}})
	assert.Equal(t, "at+jwt", header(t, tok)["typ"])
	assert.Equal(t, "{}", string(segment(t, tok, 1)))
}

func TestSegments(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"EdDSA"}})
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA"}`))
	for _, c := range []struct{ header, payload string }{
		{h + "=", "e30"},    // padded
		{h, "e31"},          // non-canonical: trailing bits set
		{h, "e30+/"},        // standard alphabet
		{"%%%", "not b64!"}, // not base64 at all
	} {
		tok := iss.Token(t, axiomstest.TokenSpec{HeaderSegment: c.header, PayloadSegment: c.payload})
		assert.True(t, strings.HasPrefix(tok, c.header+"."+c.payload+"."))
		verifyStd(t, iss.Key("EdDSA").Public(), "EdDSA", tok)
	}
	tok := iss.Token(t, axiomstest.TokenSpec{PayloadSegment: "e30="})
	assert.Equal(t, "EdDSA", header(t, tok)["alg"], "only the payload segment is given")
	assert.Equal(t, "e30=", strings.Split(tok, ".")[1])
}

func TestHMACSecret(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	der, err := x509.MarshalPKIXPublicKey(iss.Key("RS256").Public())
	require.NoError(t, err)
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})

	tok := iss.Token(t, axiomstest.TokenSpec{HMACSecret: secret})
	assert.Equal(t, map[string]any{"alg": "HS256", "kid": iss.Key("RS256").ID(), "typ": "JWT"}, header(t, tok))
	got, err := jws.Verify([]byte(tok), jws.WithKey(jwa.HS256(), secret))
	require.NoError(t, err, "an HMAC keyed with the public key's bytes")
	assert.Equal(t, iss.URL(), object(t, got)["iss"])

	for _, alg := range []string{"HS384", "HS512"} {
		tok := iss.Token(t, axiomstest.TokenSpec{HMACSecret: secret, Header: map[string]any{"alg": alg}})
		jalg, _ := jwa.LookupSignatureAlgorithm(alg)
		_, err := jws.Verify([]byte(tok), jws.WithKey(jalg, secret))
		require.NoError(t, err, alg)
	}
	// A non-HMAC header alg is written as given, the MAC is HS256.
	tok = iss.Token(t, axiomstest.TokenSpec{HMACSecret: secret, Header: map[string]any{"alg": "RS256"}})
	assert.Equal(t, "RS256", header(t, tok)["alg"])
	parts := strings.Split(tok, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + parts[1] + "." + parts[2]
	_, err = jws.Verify([]byte(forged), jws.WithKey(jwa.HS256(), secret))
	assert.Error(t, err, "the MAC covers the header as written")
}

func TestUnsigned(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	tok := iss.Token(t, axiomstest.TokenSpec{Unsigned: true, OmitKeyID: true})
	assert.True(t, strings.HasSuffix(tok, "."), "an empty signature")
	assert.Equal(t, map[string]any{"alg": "none", "typ": "JWT"}, header(t, tok))
	assert.Equal(t, iss.URL(), payload(t, tok)["iss"])

	for _, alg := range []string{"None", "NONE", "RS256"} {
		tok := iss.Token(t, axiomstest.TokenSpec{Unsigned: true, Header: map[string]any{"alg": alg}})
		assert.Equal(t, alg, header(t, tok)["alg"])
		assert.True(t, strings.HasSuffix(tok, "."))
	}
}

func TestContradictorySpecs(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}})
	k := axiomstest.NewKey(t, "ES256")
	for name, spec := range map[string]axiomstest.TokenSpec{
		"Key and Alg":                    {Key: k, Alg: "ES256"},
		"KeyID and OmitKeyID":            {KeyID: "a", OmitKeyID: true},
		"Unsigned and HMACSecret":        {Unsigned: true, HMACSecret: []byte("s")},
		"RawHeader and HeaderSegment":    {RawHeader: []byte("{}"), HeaderSegment: "e30"},
		"RawPayload and PayloadSegment":  {RawPayload: []byte("{}"), PayloadSegment: "e30"},
		"RawHeader and Header":           {RawHeader: []byte("{}"), Header: map[string]any{"typ": "x"}},
		"RawHeader and KeyID":            {RawHeader: []byte("{}"), KeyID: "a"},
		"HeaderSegment and OmitKeyID":    {HeaderSegment: "e30", OmitKeyID: true},
		"RawPayload and Claims":          {RawPayload: []byte("{}"), Claims: map[string]any{}},
		"PayloadSegment and Claims":      {PayloadSegment: "e30", Claims: map[string]any{"a": 1}},
		"a header value JSON can't hold": {Header: map[string]any{"x": make(chan int)}},
		"a claim JSON can't hold":        {Claims: map[string]any{"x": func() {}}},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Contains(t, fatal(t, func(tb testing.TB) { iss.Token(tb, spec) }), "axiomstest: ")
		})
	}
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// TestIssuerHeaderAndClaims: IssuerConfig.Header and Claims change the defaults of
// every token, and each token's own Header and Claims still win.
func TestIssuerHeaderAndClaims(t *testing.T) {
	header0 := map[string]any{"typ": "at+jwt", "x-env": "dev"}
	claims0 := map[string]any{"sub": axiomstest.Omit, "tenant": "acme", "auth_time": time.Unix(1_800_000_000, 0)}
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, Header: header0, Claims: claims0})
	header0["typ"], claims0["tenant"] = "changed", "changed"

	tok := iss.Token(t, axiomstest.TokenSpec{})
	assert.Equal(t, map[string]any{"alg": "ES256", "kid": iss.Key("").ID(), "typ": "at+jwt", "x-env": "dev"}, header(t, tok),
		"later changes to the caller's maps do not matter")
	p := payload(t, tok)
	assert.NotContains(t, p, "sub")
	assert.Equal(t, "acme", p["tenant"])
	assert.EqualValues(t, 1_800_000_000, p["auth_time"])

	tok = iss.Token(t, axiomstest.TokenSpec{
		Header: map[string]any{"typ": "JWT", "x-env": axiomstest.Omit},
		Claims: map[string]any{"sub": "alice", "tenant": axiomstest.Omit},
	})
	assert.Equal(t, map[string]any{"alg": "ES256", "kid": iss.Key("ES256").ID(), "typ": "JWT"}, header(t, tok))
	p = payload(t, tok)
	assert.Equal(t, "alice", p["sub"])
	assert.NotContains(t, p, "tenant")

	tok = iss.Token(t, axiomstest.TokenSpec{Unsigned: true})
	assert.Equal(t, "none", header(t, tok)["alg"], "the spec's own options apply over the issuer's header")
}

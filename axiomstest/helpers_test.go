package axiomstest_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// response is one answer of the issuer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func fetch(t *testing.T, url string) response {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp.StatusCode, resp.Header, b}
}

// servedSet fetches and parses the issuer's JWK set with jwx.
func servedSet(t *testing.T, url string) jwk.Set {
	t.Helper()
	r := fetch(t, url)
	require.Equal(t, http.StatusOK, r.status)
	set, err := jwk.Parse(r.body)
	require.NoError(t, err)
	return set
}

// kids lists the kid of every member of a served JWK set body, in order.
func kids(t *testing.T, body []byte) []string {
	t.Helper()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(body, &set))
	out := []string{}
	for _, k := range set.Keys {
		kid, _ := k["kid"].(string)
		out = append(out, kid)
	}
	return out
}

func segment(t *testing.T, token string, n int) []byte {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[n])
	require.NoError(t, err)
	return b
}

func object(t *testing.T, b []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func header(t *testing.T, token string) map[string]any  { return object(t, segment(t, token, 0)) }
func payload(t *testing.T, token string) map[string]any { return object(t, segment(t, token, 1)) }

// verifyStd checks a token's signature with the standard library alone.
func verifyStd(t *testing.T, pub crypto.PublicKey, alg, token string) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	input := []byte(parts[0] + "." + parts[1])
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	if alg == "EdDSA" {
		assert.True(t, ed25519.Verify(pub.(ed25519.PublicKey), input, sig), "EdDSA signature")
		return
	}
	hash := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}[alg[2:]]
	h := hash.New()
	h.Write(input)
	d := h.Sum(nil)
	switch alg[:2] {
	case "RS":
		assert.NoError(t, rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), hash, d, sig))
	case "PS":
		assert.NoError(t, rsa.VerifyPSS(pub.(*rsa.PublicKey), hash, d, sig, &rsa.PSSOptions{SaltLength: hash.Size()}))
	case "ES":
		size := len(sig) / 2
		assert.True(t, ecdsa.Verify(pub.(*ecdsa.PublicKey), d, new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])), "ECDSA signature")
	default:
		t.Fatalf("cannot verify %s", alg)
	}
}

// fatalTB records the first Fatal/Fatalf and stops the goroutine that called it, as
// testing.TB does; everything else goes to the real test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fatalTB) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

// fatal runs fn on its own goroutine and returns the message it failed the test with,
// or "" if it did not.
func fatal(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.msg
}

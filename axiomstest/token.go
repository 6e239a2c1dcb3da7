package axiomstest

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/axioms-go/axioms-echo/internal/signing"
)

// TokenSpec describes a token for [Issuer.TokenWith]. The zero value mints the same
// token as Token with no claims.
type TokenSpec struct {
	// Alg picks which of the issuer's current keys signs; "" is the default key.
	Alg string
	// Key, if set, signs instead of the issuer's keys (e.g. an attacker key from
	// NewKey); its kid is used unless KeyID or Header say otherwise.
	Key *Key
	// KeyID overrides the header kid; OmitKeyID removes it.
	KeyID     string
	OmitKeyID bool
	// Header members are merged over {alg, kid, typ: "JWT"}; a value of Omit removes one.
	// A header alg other than the key's is written as given, and the token is signed with
	// that algorithm when the key can produce it, else with the key's own.
	Header map[string]any
	// Claims are merged over the defaults, as in Token.
	Claims map[string]any
	// RawHeader and RawPayload, when set, are used verbatim (still signed): for crafted
	// tokens with duplicate members, invalid UTF-8 or other malformed JSON.
	RawHeader, RawPayload []byte
}

// Token mints a token signed by the default key, with claims merged over the defaults
// (iss, aud, sub, iat, nbf, exp, jti); a claim set to Omit removes a default.
func (i *Issuer) Token(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	return i.TokenWith(tb, TokenSpec{Claims: claims})
}

// TokenWith mints the token described by spec, failing the test if it cannot be signed.
func (i *Issuer) TokenWith(tb testing.TB, spec TokenSpec) string {
	tb.Helper()
	var k *signing.Key
	if spec.Key != nil {
		k = spec.Key.k
	} else {
		i.mu.Lock()
		alg := spec.Alg
		if alg == "" {
			alg = i.cfg.Algorithms[0]
		}
		k = i.current[alg]
		i.mu.Unlock()
		if k == nil {
			tb.Fatalf("axiomstest: the issuer has no %s key", alg)
		}
	}

	header := map[string]any{"alg": k.Alg, "kid": k.ID, "typ": "JWT"}
	if spec.KeyID != "" {
		header["kid"] = spec.KeyID
	}
	if spec.OmitKeyID {
		delete(header, "kid")
	}
	merge(header, spec.Header)

	now := i.cfg.Now()
	claims := map[string]any{
		"iss": i.URL(),
		"aud": i.cfg.Audience,
		"sub": DefaultSubject,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(i.cfg.TokenTTL).Unix(),
		"jti": randomID("jti"),
	}
	merge(claims, spec.Claims)

	hb, pb := spec.RawHeader, spec.RawPayload
	var err error
	if hb == nil {
		if hb, err = json.Marshal(header); err != nil {
			tb.Fatalf("axiomstest: encoding the header: %v", err)
		}
	}
	if pb == nil {
		if pb, err = json.Marshal(claims); err != nil {
			tb.Fatalf("axiomstest: encoding the claims: %v", err)
		}
	}
	alg := k.Alg
	if a, ok := header["alg"].(string); ok && spec.RawHeader == nil && signing.CanSign(k.Signer, a) {
		alg = a
	}
	tok, err := signing.SignRaw(k.Signer, alg, hb, pb)
	if err != nil {
		tb.Fatalf("axiomstest: signing: %v", err)
	}
	return tok
}

func merge(dst, src map[string]any) {
	for name, v := range maps.All(src) {
		if _, omit := v.(omitted); omit {
			delete(dst, name)
		} else {
			dst[name] = v
		}
	}
}

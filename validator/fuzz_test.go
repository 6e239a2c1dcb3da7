package validator_test

import (
	"bytes"
	"encoding/base64"
	stdjson "encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// FuzzValidate feeds arbitrary strings to Validate: it must never panic, never accept a
// token the key did not sign, and always classify its error.
func FuzzValidate(f *testing.F) {
	s := newSigner(f, "ES256", "k1")
	v := staticValidator(f, validator.Config{}, jwksJSON(f, s.jwk(f, nil)))
	valid := s.token(f, claims(nil), nil)
	parts := strings.Split(valid, ".")
	for _, seed := range []string{
		valid, "", ".", "..", "...", "a.b.c", valid + ".x", parts[0] + "." + parts[1] + ".",
		b64(`{"alg":"none"}`) + "." + parts[1] + ".",
		b64(`{"alg":"ES256","kid":"k1","crit":["x"]}`) + "." + parts[1] + "." + parts[2],
		`{"payload":"x","signatures":[]}`, strings.Repeat("A", 9000),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Validate(t.Context(), token)
		if err == nil {
			// Only the one genuinely signed token can pass.
			if token != valid {
				t.Fatalf("accepted a token that was never signed: %q", token)
			}
			if c == nil {
				t.Fatal("nil claims without error")
			}
			return
		}
		if c != nil {
			t.Fatal("claims returned with an error")
		}
		if validator.ReasonOf(err) == "" || validator.ReasonOf(err) == validator.ReasonKeysUnavailable {
			t.Fatalf("unclassified error %v", err)
		}
	})
}

// FuzzClaims signs arbitrary payload bytes and validates them: claim decoding must never
// panic, and accepted tokens must carry well-typed registered claims.
func FuzzClaims(f *testing.F) {
	s := newSigner(f, "EdDSA", "k1")
	v := staticValidator(f, validator.Config{
		RoleClaims:       []string{"/realm_access/roles", "roles"},
		PermissionClaims: []string{"https://example.com/permissions", "permissions"},
	}, jwksJSON(f, s.jwk(f, nil)))
	base := mustJSON(f, claims(nil))
	for _, seed := range []string{
		base,
		strings.TrimSuffix(base, "}") + `,"scope":"a b","roles":["x"],"permissions":"p q"}`,
		strings.TrimSuffix(base, "}") + `,"realm_access":{"roles":["r"]},"https://example.com/permissions":["p"]}`,
		strings.TrimSuffix(base, "}") + `,"scope":1}`,
		strings.TrimSuffix(base, "}") + `,"scope":"a","scope":"b"}`,
		`{}`, `[]`, `null`, `{"exp":"1"}`, "{\"x\":\"\xff\"}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		tok := s.signSegments(t, b64(`{"alg":"EdDSA","kid":"k1"}`), b64(payload))
		c, err := v.Validate(t.Context(), tok)
		if err != nil {
			if validator.ReasonOf(err) == "" {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if c.Issuer() != testIssuer || c.ExpiresAt().IsZero() {
			t.Fatalf("accepted claims without issuer or expiry: %+v", c)
		}
		for _, list := range [][]string{c.Scopes(), c.Roles(), c.Permissions()} {
			for _, item := range list {
				if item == "" {
					t.Fatalf("empty item in %q", list)
				}
			}
		}
		m := c.Map()
		if _, ok := m["exp"]; !ok {
			t.Fatal("exp missing from the claim map")
		}
	})
}

// claimNameValid is RFC 6901 read independently of the package: a name is a top-level
// key unless it starts with '/'; a pointer's '~' must be followed by '0' or '1'.
func claimNameValid(name string) bool {
	if name == "" {
		return false
	}
	if name[0] != '/' {
		return true
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '~' {
			if i+1 == len(name) || (name[i+1] != '0' && name[i+1] != '1') {
				return false
			}
			i++
		}
	}
	return true
}

// registered are the claims a test token needs for itself.
var registered = map[string]bool{"iss": true, "aud": true, "sub": true, "iat": true, "nbf": true, "exp": true, "jti": true}

// FuzzClaimNames configures an arbitrary role claim name: New must fail exactly when the
// name is empty or an invalid JSON Pointer, and, when it succeeds, a token carrying roles
// under that name (nested along the pointer's tokens) must resolve them.
func FuzzClaimNames(f *testing.F) {
	s := newSigner(f, "ES256", "k1")
	keys := jwksJSON(f, s.jwk(f, nil))
	for _, seed := range []string{
		"roles", "cognito:groups", "https://example.com/roles", "a.b", "~", "~2", "",
		"/realm_access/roles", "/a~1b/c~0d", "/~01", "/", "//", "/~", "/~2", "/a~", "/a~/b", "/0", "/-",
		"/resource_access/my-client/roles", "\u00e9", "/\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v, err := validator.New(t.Context(), validator.Config{Issuer: testIssuer, Audiences: []string{testAudience},
			JWKS: keys, RoleClaims: []string{name}, MaxTokenSize: 1 << 20, Logger: quietLogger,
			Now: func() time.Time { return testNow }})
		if !claimNameValid(name) {
			if err == nil {
				t.Fatalf("New accepted the invalid claim name %q", name)
			}
			return
		}
		if err != nil {
			t.Fatalf("New refused the valid claim name %q: %v", name, err)
		}
		if !utf8.ValidString(name) {
			return // such a claim cannot appear in a token: token JSON must be valid UTF-8
		}

		// The claim set: roles at the top-level key, or nested along the pointer.
		path := []string{name}
		if name[0] == '/' {
			path = strings.Split(name[1:], "/")
			for i, tok := range path {
				path[i] = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			}
		}
		if registered[path[0]] || len(path) > 100 {
			return
		}
		var value any = []string{"fuzz-role", "other"}
		for i := len(path) - 1; i >= 0; i-- {
			value = map[string]any{path[i]: value}
		}
		got, err := v.Validate(t.Context(), s.token(t, claims(value.(map[string]any)), nil))
		if err != nil {
			t.Fatalf("token with roles under %q rejected: %v", name, err)
		}
		if roles := got.Roles(); !slices.Equal(roles, []string{"fuzz-role", "other"}) {
			t.Fatalf("roles under %q resolved to %q", name, roles)
		}
		if _, ok := got.Claim(name); !ok {
			t.Fatalf("Claim(%q) does not find the roles", name)
		}
	})
}

// duplicateNames reports whether a JSON text has two equal member names in one object
// (at any depth), read with encoding/json's tokenizer, independently of the package.
func duplicateNames(data []byte) bool {
	type frame struct {
		object  bool
		wantKey bool
		names   map[string]bool
	}
	dec := stdjson.NewDecoder(bytes.NewReader(data))
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if d, ok := tok.(stdjson.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].wantKey = true
				}
				continue
			}
			name := tok.(string)
			if top.names[name] {
				return true
			}
			top.names[name] = true
			top.wantKey = false
			continue
		}
		switch tok {
		case stdjson.Delim('{'):
			stack = append(stack, &frame{object: true, wantKey: true, names: map[string]bool{}})
		case stdjson.Delim('['):
			stack = append(stack, &frame{})
		case stdjson.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].wantKey = true
			}
		default: // a scalar value
			if top != nil && top.object {
				top.wantKey = true
			}
		}
	}
}

// FuzzHeader signs an arbitrary protected header, with a valid claim set, by the issuer's
// key, so that only the header decides. Validate must never panic, and accept only what
// the design promises: a JSON object in valid UTF-8 without duplicate names, alg exactly
// ES256 (the key's), kid absent or the key's, no crit, b64 absent or true, typ a string
// when present. The same header signed by another key is never accepted, whatever it
// embeds (jwk, x5c) or points to (jku, x5u), and nothing it names is ever fetched.
func FuzzHeader(f *testing.F) {
	s := newSigner(f, "ES256", "k1")
	attacker := newSigner(f, "ES256", "k1")
	var fetched atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		w.Write(jwksJSON(f, attacker.jwk(f, nil)))
	}))
	f.Cleanup(srv.Close)
	v := staticValidator(f, validator.Config{}, jwksJSON(f, s.jwk(f, nil)))
	payload := b64(mustJSON(f, claims(nil)))
	attackerJWK := mustJSON(f, attacker.jwk(f, nil))

	for _, seed := range []string{
		`{"alg":"ES256","kid":"k1"}`,
		`{"alg":"ES256"}`,
		`{"alg":"ES256","kid":"k1","typ":"at+jwt"}`,
		`{"alg":"ES256","kid":"k1","typ":7}`,
		`{"alg":"ES256","kid":"k2"}`,
		`{"alg":"ES256","kid":"k1","alg":"ES256"}`,
		`{"alg":"none","kid":"k1","alg":"ES256"}`,
		`{"alg":"ES256","kid":"k1","x":{"a":1,"a":2}}`,
		`{"alg":"ES256","kid":"k1","\u0061lg":"ES256"}`,
		`{"Alg":"ES256","kid":"k1"}`,
		`{"alg":"es256","kid":"k1"}`,
		`{"alg":"ES384","kid":"k1"}`,
		`{"alg":"RS256","kid":"k1"}`,
		`{"alg":"none","kid":"k1"}`,
		`{"alg":"HS256","kid":"k1"}`,
		`{"alg":"ES256","kid":"k1","crit":["exp"],"exp":1}`,
		`{"alg":"ES256","kid":"k1","crit":[]}`,
		`{"alg":"ES256","kid":"k1","b64":false,"crit":["b64"]}`,
		`{"alg":"ES256","kid":"k1","b64":true}`,
		`{"alg":"ES256","kid":"k1","b64":"true"}`,
		`{"alg":"ES256","kid":"k1","jwk":` + attackerJWK + `}`,
		`{"alg":"ES256","kid":"k1","jku":"` + srv.URL + `"}`,
		`{"alg":"ES256","kid":"k1","x5u":"` + srv.URL + `"}`,
		`{"alg":"ES256","kid":"k1","x5c":["MIIB"]}`,
		`{"alg":"ES256","kid":["k1"]}`,
		`{"alg":"ES256","kid":null}`,
		`{"alg":"ES256","kid":"k1"} `,
		`{"alg":"ES256","kid":"k1"}{}`,
		"\ufeff{\"alg\":\"ES256\",\"kid\":\"k1\"}",
		"{\"alg\":\"ES256\",\"kid\":\"k1\",\"x\":\"\xff\"}",
		`["alg","ES256"]`, `null`, `"ES256"`, ``, `{}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, signer := range []*signer{s, attacker} {
			input := b64(header) + "." + payload
			tok := input + "." + base64.RawURLEncoding.EncodeToString(signStd(t, "ES256", signer.priv, input))
			c, err := v.Validate(t.Context(), tok)
			if fetched.Load() != 0 {
				t.Fatal("a URL named in the header was fetched")
			}
			if err != nil {
				if c != nil {
					t.Fatal("claims returned with an error")
				}
				if r := validator.ReasonOf(err); r == "" || r == validator.ReasonKeysUnavailable {
					t.Fatalf("unclassified error %v", err)
				}
				continue
			}
			if signer == attacker {
				t.Fatalf("accepted a token signed by a key outside the key set, header %q", header)
			}
			if !utf8.ValidString(header) {
				t.Fatalf("accepted a header in invalid UTF-8: %q", header)
			}
			var m map[string]any
			if err := stdjson.Unmarshal([]byte(header), &m); err != nil || m == nil {
				t.Fatalf("accepted a header that is not a JSON object: %q", header)
			}
			if duplicateNames([]byte(header)) {
				t.Fatalf("accepted a header with duplicate names: %q", header)
			}
			if m["alg"] != "ES256" {
				t.Fatalf("accepted alg %v with an ES256 key", m["alg"])
			}
			if kid, ok := m["kid"]; ok && kid != "k1" {
				t.Fatalf("accepted kid %v for the key k1", kid)
			}
			if _, ok := m["crit"]; ok {
				t.Fatalf("accepted a crit header: %q", header)
			}
			if b, ok := m["b64"]; ok && b != true {
				t.Fatalf("accepted b64 %v", b)
			}
			if typ, ok := m["typ"]; ok {
				if _, isString := typ.(string); !isString {
					t.Fatalf("accepted typ %v", typ)
				}
			}
		}
	})
}

func TestDuplicateNamesOracle(t *testing.T) {
	for doc, want := range map[string]bool{
		`{"a":1,"b":2}`:                   false,
		`{"a":1,"a":2}`:                   true,
		`{"a":{"b":1},"b":{"b":2}}`:       false,
		`{"a":{"b":1,"b":2}}`:             true,
		`{"a":[{"b":1},{"b":2}],"c":1}`:   false,
		`{"a":[{"b":1,"b":2}]}`:           true,
		`{"a":[1,{}],"a":0}`:              true,
		`[{"x":[]},{"x":{}}]`:             false,
		`{"a":{},"b":[],"c":null,"a":""}`: true,
	} {
		assert.Equal(t, want, duplicateNames([]byte(doc)), doc)
	}
}

// FuzzDPoPProof fuzzes DPoPChecker.Check with proofs whose header and payload are any
// bytes, signed with the key the fuzzed header may carry (so the checks past the
// signature are reached), and with any request URL. Every refusal carries a DPoP reason;
// an accepted proof is one the checks allow, and is refused when presented again.
func FuzzDPoPProof(f *testing.F) {
	k := axiomstest.NewDPoPKey(f, "ES256")
	jwk := mustJSON(f, k.PublicJWK())
	header := `{"typ":"dpop+jwt","alg":"ES256","jwk":` + jwk + `}`
	payload := func(extra string) string {
		return `{"jti":"j-1","htm":"GET","htu":"` + dpopURL + `","iat":1800000000,"ath":"` + athOf(dpopToken) + `"` + extra + `}`
	}
	for _, seed := range [][2]string{
		{header, payload("")},
		{header, payload(`,"nonce":"n"`)},
		{`{"typ":"dpop+jwt","alg":"none","jwk":` + jwk + `}`, payload("")},
		{`{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"oct","k":"AAAA"}}`, payload("")},
		{`{"typ":"dpop+jwt","alg":"ES256","alg":"ES256","jwk":` + jwk + `}`, payload("")},
		{header, `{"jti":"j","htm":"GET","htu":"HTTPS://API.EXAMPLE.TEST:443/orders/./42","iat":1800000000.5,"ath":"x"}`},
		{header, `{"jti":1,"htm":null,"htu":[],"iat":"1"}`},
		{`{}`, `{}`}, {`[]`, `null`}, {"{\"typ\":\"\xff\"}", `{"jti":"\ud800"}`},
	} {
		f.Add(seed[0], seed[1], dpopURL)
	}
	f.Add(header, payload(""), "https://api.example.test/orders/42?x#y")
	f.Add(header, payload(""), "HTTPS://api.example.test/%6Frders/42")
	f.Fuzz(func(t *testing.T, header, payload, htu string) {
		proof, err := k.ProofErr(axiomstest.ProofSpec{RawHeader: []byte(header), RawPayload: []byte(payload)})
		if err != nil {
			t.Fatal(err)
		}
		d, err := validator.NewDPoPChecker(validator.DPoPConfig{Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		err = d.Check(proof, dpopMethod, htu, dpopToken, k.Thumbprint())
		if err != nil {
			switch validator.ReasonOf(err) {
			case validator.ReasonInvalidDPoPProof, validator.ReasonDPoPKeyMismatch, validator.ReasonDPoPReplayed:
			default:
				t.Fatalf("refusal without a DPoP reason: %v", err)
			}
			if !errors.Is(err, validator.ErrInvalidDPoPProof) || errors.Is(err, validator.ErrInvalidToken) {
				t.Fatalf("refusal of the wrong class: %v", err)
			}
			return
		}
		var h map[string]any
		var c map[string]any
		if stdjson.Unmarshal([]byte(header), &h) != nil || stdjson.Unmarshal([]byte(payload), &c) != nil {
			t.Fatalf("accepted a proof that is not JSON: %q %q", header, payload)
		}
		if h["typ"] != "dpop+jwt" || h["alg"] != "ES256" || c["htm"] != dpopMethod || c["ath"] != athOf(dpopToken) {
			t.Fatalf("accepted a proof the checks refuse: %q %q", header, payload)
		}
		if err := d.Check(proof, dpopMethod, htu, dpopToken, k.Thumbprint()); validator.ReasonOf(err) != validator.ReasonDPoPReplayed {
			t.Fatalf("an accepted proof was not recorded: %v", err)
		}
	})
}

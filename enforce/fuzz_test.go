package enforce

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// seedHeaders adds seeds: each of first alone, and two Authorization headers.
func seedHeaders(f *testing.F, first ...string) {
	for _, seed := range first {
		f.Add(seed, "")
	}
	f.Add("Bearer a", "Bearer b")
}

// authorization returns the headers of a request with the Authorization header first,
// and second too unless it is empty.
func authorization(first, second string) http.Header {
	h := http.Header{"Authorization": {first}}
	if second != "" {
		h["Authorization"] = append(h["Authorization"], second)
	}
	return h
}

// FuzzAuthorizationHeader checks that the header parser never panics, never accepts a
// token that is not token68, and that only well-formed headers yield a token.
func FuzzAuthorizationHeader(f *testing.F) {
	seedHeaders(f, "Bearer abc", "bearer  a.b.c", "Bearer", "Bearer ", "Basic x", "Bearer a b", "Bearer a==", "Bearer ==", "Bearer \x00", "Bearer ü")
	f.Fuzz(func(t *testing.T, first, second string) {
		b := readBearer(authorization(first, second), false, false)
		switch b.state {
		case tokenPresent:
			if second != "" || !isToken68(b.token) || !strings.HasSuffix(first, b.token) || !strings.EqualFold(first[:6], "bearer") || b.deferred {
				t.Fatalf("accepted %q from %q", b.token, first)
			}
		case tokenMalformed:
			if b.problem == "" || b.token != "" {
				t.Fatal("malformed without a reason, or with a token")
			}
		case tokenMissing:
			if b.token != "" {
				t.Fatal("token returned while missing")
			}
		}
	})
}

// FuzzDeferredToken68 checks the hot-path reading, which defers the token68 check of the
// token's characters until a validator refused the token: it never panics, and it
// agrees with the strict reading everywhere except on tokens that are not token68, which
// the strict reading reports as malformed and refuse then answers 400, exactly as the
// strict reading would.
func FuzzDeferredToken68(f *testing.F) {
	seedHeaders(f, "Bearer abc", "bearer  a.b.c", "Bearer", "Bearer ", "Basic x", "Bearer a b", "Bearer a==", "Bearer ==", "Bearer \x00", "Bearer ü", "BEARER\tx", "Bearerx", "Bearer a=b")
	f.Fuzz(func(t *testing.T, first, second string) {
		h := authorization(first, second)
		lazy, strict := readBearer(h, true, false), readBearer(h, false, false)
		if lazy.state == tokenPresent && !isToken68(lazy.token) {
			if strict.state != tokenMalformed || strict.problem != errNotToken68 || strict.token != "" {
				t.Fatalf("candidate %q is not token68, yet the strict reading said %v %q", lazy.token, strict.state, strict.problem)
			}
			if lazy.token == "" || strings.IndexByte(lazy.token, ' ') >= 0 || !strings.HasSuffix(first, lazy.token) {
				t.Fatalf("candidate %q from %q", lazy.token, first)
			}
			if d := lazy.refuse("api", errors.New("refused")); d.Status != http.StatusBadRequest || d.Description != errNotToken68 {
				t.Fatalf("refusing %q answers %d %q", lazy.token, d.Status, d.Description)
			}
			return
		}
		if lazy.token != strict.token || lazy.state != strict.state || lazy.problem != strict.problem {
			t.Fatalf("deferred (%q, %v, %q) and strict (%q, %v, %q) readings disagree on %q", lazy.token, lazy.state, lazy.problem, strict.token, strict.state, strict.problem, first)
		}
	})
}

// FuzzDPoPAuthorizationHeader checks the reading of the DPoP scheme: it never panics,
// accepts only a token68 token after "DPoP " or "Bearer ", marks which, and agrees with
// the Bearer-only reading on everything but the DPoP scheme.
func FuzzDPoPAuthorizationHeader(f *testing.F) {
	seedHeaders(f, "DPoP abc", "dpop  a.b.c", "DPoP", "DPoP ", "DPoPx", "DPoP a b", "DPoP a==", "DPoP ==", "DPoP \x00", "DPoP ü", "Bearer abc")
	f.Fuzz(func(t *testing.T, first, second string) {
		h := authorization(first, second)
		b, plain := readBearer(h, false, true), readBearer(h, false, false)
		switch {
		case b.state == tokenPresent && b.dpop:
			if second != "" || !isToken68(b.token) || !strings.HasSuffix(first, b.token) || !strings.EqualFold(first[:4], "dpop") || b.deferred {
				t.Fatalf("accepted %q from %q", b.token, first)
			}
		case b.state == tokenMalformed && b.dpop:
			if b.problem == "" || b.token != "" || !strings.EqualFold(first[:4], "dpop") {
				t.Fatalf("malformed %q: %q", first, b.problem)
			}
		default:
			if b.token != plain.token || b.state != plain.state || b.problem != plain.problem {
				t.Fatalf("on %q the DPoP-aware reading (%q, %v, %q) differs from the Bearer one (%q, %v, %q)", first, b.token, b.state, b.problem, plain.token, plain.state, plain.problem)
			}
		}
	})
}

package echoaxioms

import (
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
		tok, state, problem := bearerToken(authorization(first, second))
		switch state {
		case tokenPresent:
			if second != "" || !isToken68(tok) || !strings.HasSuffix(first, tok) || !strings.EqualFold(first[:6], "bearer") {
				t.Fatalf("accepted %q from %q", tok, first)
			}
		case tokenMalformed:
			if problem == "" || tok != "" {
				t.Fatal("malformed without a reason, or with a token")
			}
		case tokenMissing:
			if tok != "" {
				t.Fatal("token returned while missing")
			}
		}
	})
}

// FuzzBearerCandidate checks the hot-path parser, which leaves the token68 check of the
// token's characters to the caller: it never panics, and it agrees with bearerToken
// everywhere except on candidates that are not token68 (which bearerToken reports as
// malformed and the middleware then answers 400, exactly as bearerToken would).
func FuzzBearerCandidate(f *testing.F) {
	seedHeaders(f, "Bearer abc", "bearer  a.b.c", "Bearer", "Bearer ", "Basic x", "Bearer a b", "Bearer a==", "Bearer ==", "Bearer \x00", "Bearer ü", "BEARER\tx", "Bearerx", "Bearer a=b")
	f.Fuzz(func(t *testing.T, first, second string) {
		h := authorization(first, second)
		cand, cState, cProblem := bearerCandidate(h)
		tok, state, problem := bearerToken(h)
		if cState == tokenPresent && !isToken68(cand) {
			if state != tokenMalformed || problem != errNotToken68 || tok != "" {
				t.Fatalf("candidate %q is not token68, yet bearerToken said %v %q", cand, state, problem)
			}
			if cand == "" || strings.IndexByte(cand, ' ') >= 0 || !strings.HasSuffix(first, cand) {
				t.Fatalf("candidate %q from %q", cand, first)
			}
			return
		}
		if cand != tok || cState != state || cProblem != problem {
			t.Fatalf("bearerCandidate (%q, %v, %q) and bearerToken (%q, %v, %q) disagree on %q", cand, cState, cProblem, tok, state, problem, first)
		}
	})
}

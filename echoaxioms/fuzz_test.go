package echoaxioms

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzAuthorizationHeader checks that the header parser never panics, never accepts a
// token that is not token68, and that only well-formed headers yield a token.
func FuzzAuthorizationHeader(f *testing.F) {
	for _, seed := range []string{"Bearer abc", "bearer  a.b.c", "Bearer", "Bearer ", "Basic x", "Bearer a b", "Bearer a==", "Bearer ==", "Bearer \x00", "Bearer ü"} {
		f.Add(seed, "")
	}
	f.Add("Bearer a", "Bearer b")
	f.Fuzz(func(t *testing.T, first, second string) {
		h := http.Header{"Authorization": {first}}
		if second != "" {
			h["Authorization"] = append(h["Authorization"], second)
		}
		tok, state, problem := bearerToken(h)
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

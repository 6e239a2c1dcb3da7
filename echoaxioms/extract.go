package echoaxioms

import (
	"net/http"
	"strings"
)

// tokenState is the outcome of reading bearer credentials from a request.
type tokenState uint8

const (
	tokenMissing   tokenState = iota // no Authorization header, or another scheme
	tokenPresent                     // exactly one well-formed bearer token
	tokenMalformed                   // "Bearer" with no token, several tokens, bad characters, repeated header
)

// bearerToken extracts the token from `Authorization: Bearer <token68>` (RFC 6750 §2.1):
// the scheme is case-insensitive and followed by one or more spaces; the token must be
// token68 (RFC 7235 §2.1). Tokens in the query string or body are never read. Several
// Authorization headers are malformed. It allocates nothing.
func bearerToken(h http.Header) (string, tokenState, string) {
	tok, state, problem := bearerCandidate(h)
	if state == tokenPresent && !isToken68(tok) {
		return "", tokenMalformed, errNotToken68
	}
	return tok, state, problem
}

const errNotToken68 = "the bearer token is not a single token68 value"

// bearerCandidate is bearerToken without the token68 check of the token's characters
// (spaces are still rejected): for callers that check them only when validation fails.
func bearerCandidate(h http.Header) (string, tokenState, string) {
	values := h["Authorization"]
	switch len(values) {
	case 0:
		return "", tokenMissing, ""
	case 1:
	default:
		return "", tokenMalformed, "more than one Authorization header"
	}
	v := values[0]
	const scheme = "bearer"
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", tokenMissing, "" // another scheme (Basic, DPoP, ...): no bearer credentials
	}
	rest := v[len(scheme):]
	if rest == "" {
		return "", tokenMalformed, "the Bearer scheme carries no token"
	}
	if rest[0] != ' ' {
		return "", tokenMissing, "" // e.g. "Bearerx": not this scheme
	}
	rest = strings.TrimLeft(rest, " ")
	if rest == "" {
		return "", tokenMalformed, "the Bearer scheme carries no token"
	}
	if strings.IndexByte(rest, ' ') >= 0 {
		return "", tokenMalformed, errNotToken68
	}
	return rest, tokenPresent, ""
}

// isToken68 reports whether s matches token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" /
// "~" / "+" / "/" ) *"=".
func isToken68(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if !token68Char[s[i]] {
			break
		}
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

var token68Char = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~+/" {
		t[c] = true
	}
	return t
}()

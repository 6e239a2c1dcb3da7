package enforce

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

// bearer is the bearer credentials of a request, as readBearer found them.
type bearer struct {
	token   string
	state   tokenState
	problem string // why the header is malformed
	// dpop: the token came with the DPoP scheme (RFC 9449 §7.1), not Bearer; only when
	// readBearer was asked to read it.
	dpop bool
	// deferred: the token's characters have not been checked against token68 yet; refuse
	// checks them once a validator has refused the token.
	deferred bool
}

const (
	errNotToken68     = "the bearer token is not a single token68 value"
	errDPoPNotToken68 = "the DPoP access token is not a single token68 value"
)

// readBearer extracts the token from `Authorization: Bearer <token68>` (RFC 6750 §2.1),
// and with dpop set also from `Authorization: DPoP <token68>` (RFC 9449 §7.1): the
// scheme is case-insensitive and followed by one or more spaces; the token must be
// token68 (RFC 7235 §2.1). Tokens in the query string or body are never read. Several
// Authorization headers are malformed. Without dpop, the DPoP scheme is another scheme:
// no bearer credentials. It allocates nothing.
//
// The token68 rule is decided here and in refuse, nowhere else: a token that is not
// token68 is a malformed request (400), never a 401. With defer set, the token's
// characters are left unchecked (spaces still make it malformed) until a validator has
// refused it: for the library's validator, which accepts only compact JWS in canonical
// base64url (a subset of token68), the check then costs nothing on the requests that
// pass, and the answers are the same.
func readBearer(h http.Header, deferToken68, dpop bool) bearer {
	values := h["Authorization"]
	switch len(values) {
	case 0:
		return bearer{}
	case 1:
	default:
		return bearer{state: tokenMalformed, problem: "more than one Authorization header"}
	}
	v := values[0]
	const scheme = "bearer"
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		if dpop {
			return readDPoP(v)
		}
		return bearer{} // another scheme (Basic, DPoP, ...): no bearer credentials
	}
	rest := v[len(scheme):]
	if rest == "" {
		return bearer{state: tokenMalformed, problem: "the Bearer scheme carries no token"}
	}
	if rest[0] != ' ' {
		return bearer{} // e.g. "Bearerx": not this scheme
	}
	rest = strings.TrimLeft(rest, " ")
	if rest == "" {
		return bearer{state: tokenMalformed, problem: "the Bearer scheme carries no token"}
	}
	if strings.IndexByte(rest, ' ') >= 0 || !deferToken68 && !isToken68(rest) {
		return bearer{state: tokenMalformed, problem: errNotToken68}
	}
	return bearer{token: rest, state: tokenPresent, deferred: deferToken68}
}

// readDPoP reads `DPoP <token68>` from the Authorization value v by the same rules as
// Bearer; any other scheme is no bearer credentials. The token is always checked as
// token68 here: DPoP requests are never on the allocation-free path.
func readDPoP(v string) bearer {
	const scheme = "dpop"
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return bearer{}
	}
	rest := v[len(scheme):]
	if rest != "" && rest[0] != ' ' {
		return bearer{} // e.g. "DPoPx": not this scheme
	}
	rest = strings.TrimLeft(rest, " ")
	switch {
	case rest == "":
		return bearer{state: tokenMalformed, problem: "the DPoP scheme carries no token", dpop: true}
	case strings.IndexByte(rest, ' ') >= 0 || !isToken68(rest):
		return bearer{state: tokenMalformed, problem: errDPoPNotToken68, dpop: true}
	}
	return bearer{token: rest, state: tokenPresent, dpop: true}
}

// refuse returns the denial for the token a validator refused with err: 400 when the
// token68 check that readBearer deferred fails, else the validator's verdict (401, or
// 503 when signing keys are unavailable).
func (b *bearer) refuse(realm string, err error) *Error {
	if b.deferred && !isToken68(b.token) {
		return invalidRequestError(realm, errNotToken68)
	}
	return tokenError(realm, err)
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

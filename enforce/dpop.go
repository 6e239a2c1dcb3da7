package enforce

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// DPoP (RFC 9449): sender-constrained tokens.
//
// A scheme with x-axioms-dpop (openapi.Scheme.DPoP) takes `Authorization: DPoP <token>`
// with one DPoP proof header; "required" takes nothing else, "allowed" also takes
// Bearer tokens that are not DPoP-bound. Every scheme, with or without the extension,
// refuses a DPoP-bound token (cnf.jkt) presented as Bearer (RFC 9449 §7.2): whoever
// captured it could otherwise use it without the key. The proof is checked once per
// request, after the token validated (so a proof's jti is only spent on a request
// whose token is good), against the method, the URL the client addressed (htu), the
// token (ath) and the token's cnf.jkt; a token without cnf.jkt presented with the DPoP
// scheme fails that last check (RFC 9449 §4.3 step 12) and is answered
// invalid_dpop_proof, like a proof signed by another key.

// dpopState is the DPoP side of one request on the general path: the proof is checked
// at most once, whatever the number of schemes the token is validated for (a second
// check would find its own jti and call it a replay).
type dpopState struct {
	checked bool
	err     *Error
}

// checkProof checks the request's DPoP proof for token, bound to jkt, once per request.
func (e *Enforcer) checkProof(st *dpopState, r *Request, token, jkt string) *Error {
	if st.checked {
		return st.err
	}
	st.checked = true
	if e.dpop == nil {
		// New builds a checker whenever a scheme in use declares x-axioms-dpop; a policy
		// that is not the document's may still name one: refuse, never accept unchecked.
		st.err = e.proofError(errors.New("no DPoP checker for this policy's schemes"), "the DPoP proof cannot be checked")
		return st.err
	}
	switch proofs := r.Header["Dpop"]; len(proofs) {
	case 0:
		st.err = e.proofError(errors.New("no DPoP proof header"), "the DPoP proof is missing")
	case 1:
		if err := e.dpop.Check(proofs[0], r.Method, e.htu(r), token, jkt); err != nil {
			st.err = e.proofError(err, "")
		}
	default:
		// RFC 9449 §4.3, step 1: not more than one DPoP header.
		st.err = e.proofError(errors.New("more than one DPoP proof header"), "more than one DPoP proof")
	}
	return st.err
}

// proofError maps a refused proof: 401 invalid_dpop_proof with the DPoP challenge, or
// use_dpop_nonce with a fresh nonce in the DPoP-Nonce header. desc, when not empty,
// replaces the description the validator's error gives.
func (e *Enforcer) proofError(err error, desc string) *Error {
	reason := validator.ReasonOf(err)
	if reason == "" {
		reason = validator.ReasonInvalidDPoPProof
	}
	if desc == "" {
		desc = "the DPoP proof is invalid"
		// As for tokens: the validator's innermost error is a fixed text, never proof
		// content.
		inner := err
		for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
			inner = u
		}
		if _, joined := inner.(interface{ Unwrap() []error }); !joined && validator.ReasonOf(inner) != "" {
			desc = inner.Error()
		}
	}
	d := &Error{Status: http.StatusUnauthorized, Code: CodeInvalidDPoPProof, Description: desc,
		Schemes: AuthDPoP, Algs: e.dpopAlgs, Reason: Reason(reason), Err: err, realm: e.realm}
	if reason == validator.ReasonUseDPoPNonce && e.dpop != nil {
		d.Code, d.Nonce = CodeUseDPoPNonce, e.dpop.Nonce()
	}
	return d
}

// boundTokenError refuses a DPoP-bound token presented with the Bearer scheme.
func boundTokenError(realm string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeInvalidToken,
		Description: "the access token is DPoP-bound: present it with the DPoP scheme and a proof",
		Reason:      ReasonDPoPBoundToken, realm: realm}
}

// unsupportedBindingError refuses a token bound by a confirmation method other than
// DPoP's (otherBinding).
func unsupportedBindingError(realm string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeInvalidToken,
		Description: "the access token is bound to a key or certificate by a method this service does not check",
		Reason:      ReasonUnsupportedBinding, realm: realm}
}

// otherBinding reports whether claims name a confirmation method other than DPoP's
// (validator.Claims.BoundOtherwise: a cnf member other than jkt, such as x5t#S256 of RFC
// 8705). Such a token is sender-constrained by a proof nothing here checks: accepted,
// its binding would protect nothing.
func otherBinding(claims *validator.Claims) bool { return claims.BoundOtherwise() }

// dpopRequiredError refuses a Bearer token where the scheme requires DPoP.
func (e *Enforcer) dpopRequiredError() *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeInvalidToken,
		Description: "the operation requires a DPoP-bound access token with the DPoP scheme and a proof",
		Schemes:     AuthDPoP, Algs: e.dpopAlgs, Reason: ReasonDPoPRequired, realm: e.realm}
}

// challenge makes d challenge the schemes s (with the DPoP algorithms when s includes
// DPoP); d is returned.
func (e *Enforcer) challenge(d *Error, s AuthScheme) *Error {
	if d != nil && s&AuthDPoP != 0 {
		d.Schemes, d.Algs = s, e.dpopAlgs
	}
	return d
}

// policySchemes returns the policy's bearer schemes as challenges, and whether any of
// them takes DPoP: Bearer for a scheme without x-axioms-dpop, DPoP for a required one,
// both for an allowed one.
func policySchemes(p *openapi.Policy) (s AuthScheme, dpop bool) {
	for _, alt := range p.Alternatives {
		for _, req := range alt {
			if !req.Bearer {
				continue
			}
			switch req.DPoP {
			case openapi.DPoPRequired:
				s |= AuthDPoP
			case openapi.DPoPAllowed:
				s |= AuthBearer | AuthDPoP
			default:
				s |= AuthBearer
			}
		}
	}
	return s, s&AuthDPoP != 0
}

// htu returns the URL a proof for r must name (RFC 9449 §4.2): DPoPBaseURL, or else
// https (with TLS) or http and the request's Host, followed by the path the client
// sent. The path is that of the request-target as received (Request.RequestURI), so
// middleware that rewrites the request's URL before routing (Echo's Rewrite) does not
// change it; the URL's path is used when there is no request-target (a request built
// in a test). The checker compares it without query and fragment, scheme and host
// case-insensitively, after RFC 3986 normalisation of the path.
func (e *Enforcer) htu(r *Request) string {
	path := requestPath(r)
	if e.dpopBase != "" {
		return e.dpopBase + path
	}
	scheme := "http://"
	if r.TLS {
		scheme = "https://"
	}
	return scheme + r.Host + path
}

// requestPath returns the escaped path of the URL the client addressed, "/" when it
// has none.
func requestPath(r *Request) string {
	uri := r.RequestURI
	if i := strings.IndexAny(uri, "?#"); i >= 0 {
		uri = uri[:i]
	}
	switch {
	case strings.HasPrefix(uri, "/"):
		return uri
	case strings.Contains(uri, "://"): // absolute-form, as sent to proxies
		if u, err := url.Parse(uri); err == nil {
			if p := u.EscapedPath(); p != "" {
				return p
			}
			return "/"
		}
	}
	if r.URL != nil {
		if p := r.URL.EscapedPath(); p != "" {
			return p
		}
	}
	return "/"
}

// parseBaseURL checks Config.DPoPBaseURL and returns it without a trailing slash: an
// absolute http or https URL with a host, optionally a path prefix without dot
// segments, without user information, query or fragment.
func parseBaseURL(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("Config.DPoPBaseURL %q is not a URL", s)
	case u.Scheme != "https" && u.Scheme != "http":
		return "", fmt.Errorf("Config.DPoPBaseURL %q must be an absolute http or https URL (\"https://api.example.com\")", s)
	case u.Host == "" || u.Opaque != "":
		return "", fmt.Errorf("Config.DPoPBaseURL %q has no host", s)
	case u.User != nil:
		return "", fmt.Errorf("Config.DPoPBaseURL %q must not carry user information", s)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(s, "?#"):
		return "", fmt.Errorf("Config.DPoPBaseURL %q must not carry a query or a fragment", s)
	case slices.ContainsFunc(strings.Split(u.Path, "/"), func(seg string) bool { return seg == "." || seg == ".." }):
		// The checker matches no request URL with dot segments: every proof would fail.
		return "", fmt.Errorf("Config.DPoPBaseURL %q must not have dot segments (\".\", \"..\") in its path", s)
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// usesDPoP reports whether a scheme that operations rely on declares x-axioms-dpop.
func usesDPoP(ps *openapi.Policies, schemes map[string]openapi.Scheme) bool {
	for _, name := range ps.SchemesInUse() {
		if schemes[name].DPoP != openapi.DPoPNone {
			return true
		}
	}
	return false
}

package validator

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"time"
)

// b64 decodes JWS segments: base64url without padding, rejecting non-zero trailing bits,
// so every accepted segment has exactly one encoding. ('\r' and '\n', which the decoder
// would skip, are rejected before decoding.)
var b64 = base64.RawURLEncoding.Strict()

// header is what the validator reads from a JOSE header. Members that name other keys
// (jku, x5u, jwk, x5c, x5t) are deliberately ignored: keys come only from the issuer's
// key set.
type header struct {
	alg    *algorithm // one of the allowlist
	kid    string
	hasKid bool
	typ    string
}

// compactJWS is a token split into its parts and decoded, before any key is looked up.
type compactJWS struct {
	header       header
	signingInput string // the encoded header and payload, as signed
	payload      []byte // decoded, not interpreted
	sig          []byte
}

// parseJWS checks the compact serialization and the header, and decodes the payload and
// signature segments. It looks up no key and does not interpret the payload.
func (v *Validator) parseJWS(token string) (compactJWS, *validationError) {
	var j compactJWS
	hdr, payload, sig, e := splitCompact(token)
	if e != nil {
		return j, e
	}
	if j.header, e = v.parseHeader(hdr); e != nil {
		return j, e
	}
	if sig == "" {
		return j, fail(errSignature) // unsigned or stripped signature
	}
	if j.sig, e = decodeSegment(sig); e != nil {
		return j, e
	}
	if j.payload, e = decodeSegment(payload); e != nil {
		return j, e
	}
	j.signingInput = token[:len(hdr)+1+len(payload)]
	return j, nil
}

// splitCompact splits a compact JWS into its three encoded segments, checking only the
// structure: no line breaks, a non-empty header and payload, exactly two dots. The
// signature segment may be empty (an unsigned token), which callers refuse. The tokens
// of the Validator and the proofs of the DPoPChecker are split by it.
func splitCompact(token string) (hdr, payload, sig string, e *validationError) {
	// The base64 decoder skips CR and LF; a token containing them has more than one
	// spelling, so it is rejected here.
	if strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		return "", "", "", fail(errEncoding)
	}
	d1 := strings.IndexByte(token, '.')
	if d1 <= 0 {
		return "", "", "", fail(errNotCompact)
	}
	d2 := strings.IndexByte(token[d1+1:], '.')
	if d2 < 0 {
		return "", "", "", fail(errNotCompact)
	}
	d2 += d1 + 1
	if d2 == d1+1 || strings.IndexByte(token[d2+1:], '.') >= 0 {
		return "", "", "", fail(errNotCompact) // empty payload, or JWE / extra segments
	}
	return token[:d1], token[d1+1 : d2], token[d2+1:], nil
}

// parseHeader decodes and checks the protected header. The algorithm is checked here,
// before any key is looked up.
func (v *Validator) parseHeader(seg string) (header, *validationError) {
	var h header
	raw, e := decodeSegment(seg)
	if e != nil {
		return h, e
	}
	m, e := decodeObject(raw, errHeaderJSON, errHeaderDup)
	if e != nil {
		return h, e
	}
	algV, ok := m["alg"]
	if !ok {
		return h, fail(errAlgMissing)
	}
	alg, ok := algV.(string)
	if !ok {
		return h, fail(errHeaderType)
	}
	if h.alg = v.s.algs[alg]; h.alg == nil {
		return h, fail(errAlg)
	}
	if kid, present := m["kid"]; present {
		if h.kid, ok = kid.(string); !ok {
			return h, fail(errKidType)
		}
		h.hasKid = true
	}
	if typ, present := m["typ"]; present {
		if h.typ, ok = typ.(string); !ok {
			return h, fail(errHeaderType)
		}
	}
	// RFC 7515 §4.1.11: every name in crit must be understood; this validator implements
	// no header extension, so any crit (or a malformed one) rejects the token.
	if _, present := m["crit"]; present {
		return h, fail(errCrit)
	}
	// RFC 7797 unencoded payloads are not supported; only b64:true (the default) passes.
	if b, present := m["b64"]; present && b != true {
		return h, fail(errB64)
	}
	if v.s.requireType && !isAccessTokenType(h.typ) {
		return h, fail(errType)
	}
	return h, nil
}

// isAccessTokenType accepts the RFC 9068 media type, with or without the
// "application/" prefix, in any case (RFC 7515 §4.1.9).
func isAccessTokenType(typ string) bool {
	return strings.EqualFold(typ, "at+jwt") || strings.EqualFold(typ, "application/at+jwt")
}

func decodeSegment(seg string) ([]byte, *validationError) {
	buf := make([]byte, b64.DecodedLen(len(seg)))
	n, err := b64.Decode(buf, []byte(seg))
	if err != nil {
		return nil, fail(errEncoding)
	}
	return buf[:n], nil
}

// decodeObject decodes a token's header or payload, a JSON object, with decodeJSON's
// rules, and returns syntaxErr or dupErr (a duplicate name) when it breaks them.
func decodeObject(data []byte, syntaxErr, dupErr *validationError) (map[string]any, *validationError) {
	var m map[string]any
	if err := decodeJSON(data, &m); err != nil {
		if errors.Is(err, errDuplicateName) {
			return nil, fail(dupErr)
		}
		return nil, fail(syntaxErr)
	}
	if m == nil { // the JSON value null
		return nil, fail(syntaxErr)
	}
	return m, nil
}

// verifyWithKeys finds the key for the token and verifies the signature. An unknown kid
// (or, without kid, no fitting key) asks for a refetch of the key set, which the key
// store allows or not (see keyStore.intervalLocked).
func (v *Validator) verifyWithKeys(ctx context.Context, j *compactJWS, now time.Time) (*key, *validationError) {
	h := &j.header
	set := v.keys.get()
	if set == nil {
		err := v.keys.demand(ctx, now, false)
		if set = v.keys.get(); set == nil {
			return nil, keysUnavailable(err)
		}
	} else {
		v.keys.maybeRefresh(now)
	}

	var buf [4]*key
	cands, kidKnown, ambiguous := set.lookup(h.kid, h.hasKid, h.alg, buf[:0])
	if ambiguous {
		return nil, fail(errAmbiguousKey)
	}
	if len(cands) == 0 && !kidKnown {
		if err := v.keys.demand(ctx, now, true); err != nil && ctx.Err() != nil {
			return nil, &validationError{reason: ReasonKeysUnavailable, desc: "signing keys unavailable", cause: err}
		}
		set = v.keys.get()
		cands, _, ambiguous = set.lookup(h.kid, h.hasKid, h.alg, buf[:0])
		if ambiguous {
			return nil, fail(errAmbiguousKey)
		}
	}
	if len(cands) == 0 {
		return nil, fail(errNoKey)
	}
	for _, k := range cands {
		if h.alg.verify(k, j.signingInput, j.sig) {
			return k, nil
		}
	}
	return nil, fail(errSignature)
}

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// unverifiedNote heads the "unverified" member of verify's output for a rejected token.
const unverifiedNote = "decoded from the token without verification: what it claims, not what is true"

// unverifiedView is what a rejected token says about itself, for diagnosis: which key
// and algorithm it names, which issuer and audience it claims, and when it says it was
// issued and expires. It is decoded without any check, so every value is only what the
// token's author wrote; the JSON member carrying it is named "unverified" and says so.
type unverifiedView struct {
	Note   string                     `json:"note"`
	Header map[string]json.RawMessage `json:"header,omitempty"`
	Claims map[string]json.RawMessage `json:"claims,omitempty"`
}

// unverifiedHeader and unverifiedClaims are the members shown: enough to answer "which
// issuer signed this, with which key, for whom, and when", and nothing else of the
// token (no subject, no scopes, no personal claims).
var (
	unverifiedHeader = []string{"alg", "kid", "typ"}
	unverifiedClaims = []string{"iss", "aud", "exp", "iat"}
)

// maxUnverifiedValue bounds each value shown, in bytes of JSON: a longer one (an
// audience list of thousands) is left out rather than cut, so that the output stays
// valid JSON and never shows a value other than the token's.
const maxUnverifiedValue = 1024

// peekUnverified decodes the header and payload of a compact JWS without verifying
// anything, and returns the members listed above that are present, each exactly as
// the token wrote it. Parts that do not decode (not three segments, bad base64url, not
// a JSON object) are left out; it returns nil when nothing could be read.
func peekUnverified(token string) *unverifiedView {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	v := &unverifiedView{
		Note:   unverifiedNote,
		Header: pick(parts[0], unverifiedHeader),
		Claims: pick(parts[1], unverifiedClaims),
	}
	if v.Header == nil && v.Claims == nil {
		return nil
	}
	return v
}

// pick decodes segment, a base64url JSON object, and returns the members named in
// names that it holds (compacted, at most maxUnverifiedValue bytes each); nil when the
// segment does not decode or holds none of them. On duplicate members the last one
// counts, as encoding/json reads them (the library itself refuses such a token).
func pick(segment string, names []string) map[string]json.RawMessage {
	raw, err := base64.RawURLEncoding.DecodeString(segment)
	if err != nil {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil
	}
	var out map[string]json.RawMessage
	for _, name := range names {
		val, ok := obj[name]
		if !ok {
			continue
		}
		var buf bytes.Buffer
		if json.Compact(&buf, val) != nil || buf.Len() > maxUnverifiedValue {
			continue
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[name] = buf.Bytes()
	}
	return out
}

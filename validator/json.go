package validator

import (
	"bytes"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// This file is the package's only use of a JSON library: token headers and payloads, key
// sets, discovery documents and Claims all read JSON through the functions below.

// decodeJSON decodes data into v with the rules every document this package reads is held
// to (RFC 8259 with the RFC 7493 I-JSON rules): member names matched exactly, no
// duplicate names (the error then matches errDuplicateName), valid UTF-8 and escapes,
// nothing after the value.
func decodeJSON(data []byte, v any) error {
	return json.Unmarshal(data, v)
}

// errDuplicateName is matched (errors.Is) by the error of decodeJSON for an object that
// names a member twice.
var errDuplicateName = jsontext.ErrDuplicateName

// jsonValue is a JSON value kept undecoded, e.g. one member of a key set.
type jsonValue = jsontext.Value

// decodeJSONEnvelope is decodeJSON for a document whose members are kept as jsonValue
// and checked one by one afterwards (jsonValue.IsValid, then decodeJSON), so that one
// malformed member can be skipped instead of failing the whole document: duplicate names
// are accepted here. Invalid UTF-8 is still refused.
func decodeJSONEnvelope(data []byte, v any) error {
	return json.Unmarshal(data, v, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(false))
}

// integerMember returns the JSON number at path (member names, or array indexes as
// [claimPath.lookup] reads them) in doc, as the exact text doc writes it, when that
// number is written as an integer. doc must have been checked by decodeJSON: the first
// member found with a name is then the only one.
func integerMember(doc []byte, path []string) (string, bool) {
	dec := jsontext.NewDecoder(bytes.NewReader(doc), jsontext.AllowDuplicateNames(true))
	for _, tok := range path {
		if !enterMember(dec, tok) {
			return "", false
		}
	}
	v, err := dec.ReadValue()
	if err != nil || v.Kind() != '0' || !isIntegerLiteral(v) {
		return "", false
	}
	return string(v), true
}

// enterMember reads the next value of dec, an object or an array, up to its member
// named tok (the index tok for an array, as [claimPath.lookup] reads it), and reports
// whether it is there; dec is then positioned at that member's value.
func enterMember(dec *jsontext.Decoder, tok string) bool {
	open, err := dec.ReadToken()
	if err != nil {
		return false
	}
	switch open.Kind() {
	case '{':
		for dec.PeekKind() == '"' {
			name, err := dec.ReadToken()
			if err != nil {
				return false
			}
			if name.String() == tok {
				return true
			}
			if dec.SkipValue() != nil {
				return false
			}
		}
	case '[':
		i, ok := arrayIndex(tok)
		if !ok {
			return false
		}
		for ; dec.PeekKind() != ']' && dec.PeekKind() != 0; i-- {
			if i == 0 {
				return true
			}
			if dec.SkipValue() != nil {
				return false
			}
		}
	}
	return false
}

// isIntegerLiteral reports whether a JSON number is written as an integer:
// -?(0|[1-9][0-9]*).
func isIntegerLiteral(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 1 && b[0] == '0' {
		return false
	}
	for _, d := range b {
		if d < '0' || d > '9' {
			return false
		}
	}
	return true
}

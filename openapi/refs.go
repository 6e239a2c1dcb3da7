package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// References that are not followed.
//
// kin-openapi resolves every $ref while loading and stops at the first one it cannot
// resolve. Loading never touches the network, and reads other files only when the caller
// allows it, yet real documents hold references no OpenAPI loader is meant to resolve:
// JSON Schema $id-relative and anchor references in 3.1 schemas, links into other
// services' documents. So before kin-openapi parses a document, the key of every $ref
// that will not be followed is renamed to unfollowedKey: the reference becomes an
// ordinary object whose only content is an extension. The compiler then looks for that
// extension where it matters for access control (path items, operations, security
// schemes an operation relies on) and fails closed there; everywhere else (schemas,
// examples, responses) the object is inert and the reference is reported as a warning.
//
// The rename is textual, so that kin-openapi still parses the document exactly as
// written. A $ref the scan cannot read (a block scalar, an escaped key) is left alone:
// kin-openapi then fails on it and loading fails with its message.

// unfollowedKey replaces "$ref" in references that are not followed. It is outside the
// x-axioms- namespace, and no document has a reason to contain it.
const unfollowedKey = "x-unfollowed-$ref"

// A refSite is a $ref that is not followed.
type refSite struct {
	keyStart int    // offset of "$ref" (inside its quotes, if quoted)
	line     int    // 1-based line of the key
	ref      string // the reference as written
	reason   string // why it is not followed
}

// An unfollowedRef is a $ref that was not followed, in the document (file "" for a
// document given as bytes) or in a file it references.
type unfollowedRef struct {
	file string
	refSite
}

func (r unfollowedRef) where() string {
	if r.file == "" {
		return fmt.Sprintf("line %d", r.line)
	}
	return fmt.Sprintf("%s line %d", r.file, r.line)
}

// unfollowedReason says why ref is not followed, or returns "" when kin-openapi may
// resolve it. fileReason is the reason for a reference to another local file; "" when
// such references are followed.
func unfollowedReason(ref, fileReason string) string {
	if strings.HasPrefix(ref, "#") {
		if ref == "#" || strings.HasPrefix(ref, "#/") {
			return ""
		}
		return "JSON Schema anchors are not resolved"
	}
	u, err := url.Parse(ref)
	switch {
	case err != nil:
		return "it is not a valid URI reference"
	case u.Scheme != "" || u.Host != "":
		return "only relative references to local files are followed; network references are never fetched"
	case strings.HasPrefix(u.Path, "/"):
		return "absolute-path references (relative to a JSON Schema $id) are not resolved"
	case u.Fragment != "" && !strings.HasPrefix(u.Fragment, "/"):
		return "JSON Schema anchors are not resolved"
	}
	return fileReason
}

// unfollowedTarget reports whether ext marks an object that was a $ref not followed, and
// why it was not followed. The reference is then reported by the caller, as an error.
func (c *compiler) unfollowedTarget(ext map[string]any) (ref, reason string, ok bool) {
	v, ok := ext[unfollowedKey]
	if !ok {
		return "", "", false
	}
	ref = fmt.Sprint(v)
	c.reported[ref] = true
	reason = unfollowedReason(ref, c.fileReason)
	if reason == "" {
		reason = "it was not followed"
	}
	return ref, reason, true
}

// neutralizeRefs renames the key of every $ref in data that is not followed (see
// unfollowedKey) and returns the rewritten document with the sites, in document order.
// data is returned as is when every reference is followed.
func neutralizeRefs(data []byte, fileReason string) ([]byte, []refSite) {
	var sites []refSite
	line, counted := 1, 0
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("$ref"))
		if j < 0 {
			break
		}
		at := i + j
		i = at + len("$ref")
		ref, ok := refValueAt(data, at)
		if !ok {
			continue
		}
		reason := unfollowedReason(ref, fileReason)
		if reason == "" {
			continue
		}
		line += bytes.Count(data[counted:at], []byte("\n"))
		counted = at
		sites = append(sites, refSite{keyStart: at, line: line, ref: ref, reason: reason})
	}
	if len(sites) == 0 {
		return data, nil
	}
	out := make([]byte, 0, len(data)+len(sites)*(len(unfollowedKey)-len("$ref")))
	prev := 0
	for _, s := range sites {
		out = append(out, data[prev:s.keyStart]...)
		out = append(out, unfollowedKey...)
		prev = s.keyStart + len("$ref")
	}
	return append(out, data[prev:]...), sites
}

// refValueAt reads the value of the $ref key whose token starts at data[at], in JSON or
// YAML. ok is false when the token is not a mapping key ("$ref" inside some text) or its
// value is not a scalar the scan can read.
func refValueAt(data []byte, at int) (ref string, ok bool) {
	before := at - 1
	var quote byte
	if before >= 0 && (data[before] == '"' || data[before] == '\'') {
		quote = data[before]
		before--
	}
	flow := false
	if before >= 0 {
		switch data[before] {
		case ' ', '\t', '\n', '\r':
			// A key starts a line (after its indentation or a sequence's "- "), or
			// follows the opening or a comma of a flow collection.
			k := before
			for k >= 0 && (data[k] == ' ' || data[k] == '\t') {
				k--
			}
			if k >= 0 {
				switch data[k] {
				case '{', ',', '[':
					flow = true
				case '\n', '\r', '-':
				default:
					return "", false
				}
			}
		case '{', ',', '[':
			flow = true
		default:
			return "", false
		}
	}
	k := at + len("$ref")
	if quote != 0 {
		if k >= len(data) || data[k] != quote {
			return "", false
		}
		k++
	}
	for k < len(data) && (data[k] == ' ' || data[k] == '\t') {
		k++
	}
	if k >= len(data) || data[k] != ':' {
		return "", false
	}
	k++
	for k < len(data) && (data[k] == ' ' || data[k] == '\t') {
		k++
	}
	// A comment, then maybe the value on a following line (YAML), which must be indented
	// more than the key.
	nextLine := false
skip:
	for k < len(data) {
		switch c := data[k]; {
		case c == '#' && (data[k-1] == ' ' || data[k-1] == '\t' || data[k-1] == '\n'):
			for k < len(data) && data[k] != '\n' {
				k++
			}
		case c == '\n':
			nextLine = true
			k++
		case c == ' ' || c == '\t' || c == '\r':
			k++
		default:
			break skip
		}
	}
	if k >= len(data) {
		return "", false
	}
	if nextLine {
		// Only then is the key's column needed: a long line (minified JSON) is never
		// scanned back to its start for each key.
		keyCol := at - 1 - bytes.LastIndexByte(data[:at], '\n')
		if k-1-bytes.LastIndexByte(data[:k], '\n') <= keyCol {
			return "", false // no value: what follows is another key
		}
	}
	switch data[k] {
	case '"':
		end := k + 1
		for end < len(data) && data[end] != '"' {
			if data[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(data) {
			return "", false
		}
		raw := data[k : end+1]
		if bytes.IndexByte(raw, '\\') < 0 {
			return string(raw[1 : len(raw)-1]), true
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case '\'':
		var b strings.Builder
		for end := k + 1; end < len(data); end++ {
			if data[end] == '\'' {
				if end+1 < len(data) && data[end+1] == '\'' {
					b.WriteByte('\'')
					end++
					continue
				}
				return b.String(), true
			}
			b.WriteByte(data[end])
		}
		return "", false
	case '|', '>', '{', '[', '&', '*', '!':
		return "", false // block scalars, collections, anchors, aliases, tags
	}
	end := k
	for end < len(data) && data[end] != '\n' && data[end] != '\r' {
		if flow && (data[end] == ',' || data[end] == '}' || data[end] == ']') {
			break
		}
		if data[end] == '#' && (data[end-1] == ' ' || data[end-1] == '\t') {
			break
		}
		end++
	}
	s := strings.TrimRight(string(data[k:end]), " \t")
	return s, s != ""
}

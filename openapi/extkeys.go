package openapi

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/axioms-go/axioms-echo/internal/editdist"
)

// Recognising this package's keys.
//
// An x-axioms-* key that is not written exactly is a rule silently lost: kin-openapi
// keeps it among the object's other keys and nothing reads it. So the compiler and the
// placement walk classify every key they look at (keyClassOf) by its fold, the key as a
// reader sees it:
//
//   - keys written in printable ASCII are lower-cased, with '_' read as '-';
//   - any other key (one with a character outside '!'..'~', or starting with one) is
//     first brought to Unicode compatibility form (NFKC: a fullwidth ｘ, a mathematical
//     𝐱, a no-break space, a small or fullwidth hyphen-minus become the ASCII they stand
//     for); then every dash (Unicode category Pd: hyphen, non-breaking hyphen, en and em
//     dashes...), connector ('_', Pc) and minus sign (U+2212 and the minus-like marks in
//     otherDashes) reads as '-'; white space (White_Space, Zs), control and format
//     characters (Cc, Cf: zero-width spaces and joiners, U+FEFF, soft hyphen) and the
//     other default-ignorable code points (variation selectors, fillers) are removed;
//     letters are lower-cased, and a letter whose case folding includes an ASCII letter
//     (the Kelvin sign, the long s) reads as that letter.
//
// A fold that starts with "x-axiom" or is within two edits of a known key (a
// character the fold leaves outside ASCII counting as one edit, so that one or two
// letters of another script are caught too) is a near miss: an error wherever it
// appears, as a typo (keyMisspelt) or a look-alike (keyLookalike). A fold that
// unenforcedKey knows (x-roles, x-permissions, x-scopes, x-owner and their singulars)
// is a key an author may well have meant as an access rule: a warning where rules are
// read. Anything else is someone else's key.
//
// Classifying must cost nothing on the keys of a large document: a key that starts
// with a printable ASCII character other than x or X is dismissed at once (its fold
// starts with that character; such a key is no extension, and kin-openapi's validation
// already warns about it where OpenAPI allows no other field: y-axioms-roles is
// reported as an extra sibling field); a printable ASCII key starting with x is folded
// in a buffer on the stack without allocating; only the rare remaining keys (a
// character outside printable ASCII, or a leading space or control character) go
// through NFKC, which allocates.

// keyClass is what a key of an OpenAPI object is to this package.
type keyClass uint8

const (
	keyOther      keyClass = iota // not this package's: an OpenAPI field, another vendor's extension
	keyKnown                      // exactly one of knownExtensions
	keyMisspelt                   // a near miss written in printable ASCII: x-axiom-roles, X-Axioms-Roles
	keyLookalike                  // a near miss written with other characters: x‐axioms‐roles, ｘ-axioms-roles
	keyUnenforced                 // meant as an access rule, not read by this package: x-roles, x-permissions
)

// unenforcedKey reports whether fold is the fold of a key that other tools, or an
// author's guess, use for access rules, and names the x-axioms-* key that does what it
// suggests.
func unenforcedKey(fold string) (meant string, ok bool) {
	switch fold {
	case "x-roles", "x-role":
		return extRoles, true
	case "x-permissions", "x-permission", "x-scopes", "x-scope":
		return extPermissions, true
	case "x-owner":
		return extOwner, true
	}
	return "", false
}

// otherDashes are the characters drawn as a dash that are neither dash punctuation
// (Pd) nor turned into one by NFKC: minus signs (U+207B and U+208B become U+2212),
// the modifier letter minus, the hyphen bullet, the heavy minus, the box-drawing and
// bracket extension lines, and the katakana prolonged sound mark.
const otherDashes = "\u2212\u02d7\u2043\u2796\u2500\u2501\u23af\u30fc"

// keyClassOf classifies key k. It does not allocate unless k holds a character outside
// printable ASCII, or starts with one.
func keyClassOf(k string) keyClass {
	if k == "" {
		return keyOther
	}
	if c := k[0]; c != 'x' && c != 'X' && c > ' ' && c < 0x7f {
		return keyOther
	}
	switch k {
	case extRoles, extPermissions, extOwner, extACR, extMaxAge, extDPoP:
		return keyKnown
	}
	if !printableASCII(k) {
		return classOfFold(skeleton(foldKey(k)), keyLookalike)
	}
	var buf [32]byte
	if len(k) > len(buf) {
		// Too long to be within two edits of a known key, or to be an unenforced one.
		if hasAxiomPrefix(k) {
			return keyMisspelt
		}
		return keyOther
	}
	return classOfFold(normalizeKey(buf[:0], k), keyMisspelt)
}

// classOfFold classifies a fold whose characters outside ASCII were each replaced by
// one byte that no known key contains (skeleton): near for a near miss.
func classOfFold(f []byte, near keyClass) keyClass {
	const prefix = "x-axiom"
	if len(f) >= len(prefix) && string(f[:len(prefix)]) == prefix {
		return near
	}
	for _, known := range knownExtensions {
		if d := len(f) - len(known); d >= -2 && d <= 2 && editdist.Distance(f, known) <= 2 {
			return near
		}
	}
	if _, ok := unenforcedKey(string(f)); ok {
		return keyUnenforced
	}
	return keyOther
}

// axiomsLike reports whether key k must be exactly one of this package's keys: it is
// one, or a near miss of one (keyMisspelt, keyLookalike).
func axiomsLike(k string) bool {
	switch keyClassOf(k) {
	case keyKnown, keyMisspelt, keyLookalike:
		return true
	}
	return false
}

func printableASCII(k string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] <= ' ' || k[i] >= 0x7f {
			return false
		}
	}
	return true
}

// normalizeKey appends k lower-cased (ASCII), with '_' replaced by '-': the fold of a
// key written in printable ASCII.
func normalizeKey(dst []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == '_':
			c = '-'
		}
		dst = append(dst, c)
	}
	return dst
}

// foldKey returns the fold of k as described at the top of this file, for any key.
func foldKey(k string) string {
	if printableASCII(k) {
		return string(normalizeKey(nil, k))
	}
	var b strings.Builder
	for _, r := range norm.NFKC.String(k) {
		switch {
		case unicode.In(r, unicode.Pd, unicode.Pc) || strings.ContainsRune(otherDashes, r):
			b.WriteByte('-')
		case unicode.In(r, unicode.White_Space, unicode.Zs, unicode.Cc, unicode.Cf,
			unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point):
		default:
			b.WriteRune(foldRune(r))
		}
	}
	return b.String()
}

// foldRune lower-cases r, or returns the ASCII letter among its case folds.
func foldRune(r rune) rune {
	l := unicode.ToLower(r)
	for f := unicode.SimpleFold(l); f != l; f = unicode.SimpleFold(f) {
		if f < utf8.RuneSelf {
			return unicode.ToLower(f)
		}
	}
	return l
}

// skeleton returns fold with each character outside ASCII replaced by the byte 0xff,
// which no known key contains: an edit distance counted in bytes then counts it once.
func skeleton(fold string) []byte {
	out := make([]byte, 0, len(fold))
	for _, r := range fold {
		if r >= utf8.RuneSelf {
			r = 0xff
		}
		out = append(out, byte(r))
	}
	return out
}

// hasAxiomPrefix reports whether k starts with "x-axiom", ignoring case and reading
// '_' as '-'.
func hasAxiomPrefix(k string) bool {
	const prefix = "x-axiom"
	if len(k) < len(prefix) {
		return false
	}
	var buf [len(prefix)]byte
	return string(normalizeKey(buf[:0], k[:len(prefix)])) == prefix
}

// unknownKeyMessage says what is wrong with a near miss (keyMisspelt, keyLookalike):
// the key, escaped so that what differs can be seen; for a look-alike, what it reads
// as and the characters that make it differ; the known key meant.
func unknownKeyMessage(k string) string {
	fold := foldKey(k)
	hint := suggest(skeleton(fold))
	if printableASCII(k) {
		return "unknown extension " + strconv.Quote(k) + hint
	}
	if printableASCII(fold) {
		return fmt.Sprintf("unknown extension %s: it looks like %s but contains %s%s", strconv.QuoteToASCII(k), strconv.Quote(fold), unusualRunes(k), hint)
	}
	return fmt.Sprintf("unknown extension %s: it contains %s%s", strconv.QuoteToASCII(k), unusualRunes(k), hint)
}

// unenforcedMessage says that k (keyUnenforced) is not enforced, and names the key
// meant.
func unenforcedMessage(k string) string {
	fold := foldKey(k)
	meant, _ := unenforcedKey(fold)
	why := ""
	if strings.HasPrefix(fold, "x-scope") {
		why = ": scopes are required through security"
	}
	return fmt.Sprintf("extension %s is not enforced%s (did you mean %q?)", strconv.QuoteToASCII(k), why, meant)
}

// unusualRunes lists the distinct characters of k outside printable ASCII ("U+2010,
// U+00A0"), the first four of them.
func unusualRunes(k string) string {
	var seen []rune
	more := false
	for _, r := range k {
		if r > ' ' && r < 0x7f || strings.ContainsRune(string(seen), r) {
			continue
		}
		if len(seen) == 4 {
			more = true
			break
		}
		seen = append(seen, r)
	}
	var b strings.Builder
	for i, r := range seen {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "U+%04X", r)
	}
	if more {
		b.WriteString(", …")
	}
	return b.String()
}

// suggest names the known extension closest to fold (a skeleton), for near misses.
func suggest(fold []byte) string {
	best, bestDist := "", 4
	for _, known := range knownExtensions {
		if d := editdist.Distance(fold, known); d < bestDist {
			best, bestDist = known, d
		}
	}
	if best == "" {
		return fmt.Sprintf(" (known: %s)", strings.Join(knownExtensions, ", "))
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

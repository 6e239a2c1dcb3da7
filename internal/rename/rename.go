// Package rename rewrites the names in error messages: Go field names into the
// variables or flags that set them.
package rename

import (
	"slices"
	"strings"
)

// Words rewrites text, an error message, in other names: each word (a run of letters,
// digits and '_') outside double-quoted strings for which name returns true is replaced
// by the name returned, and a parenthesised clause holding a word for which drop returns
// true is removed with the space before it (a hint naming a setting the reader cannot
// use). Quoted strings, Go %q style, are left as they are: they hold values, not names.
// drop may be nil.
func Words(text string, name func(word string) (string, bool), drop func(word string) bool) string {
	toks := scan(text)
	var b strings.Builder
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.text == "(" && drop != nil {
			if end := closing(toks, i); end > 0 && slices.ContainsFunc(toks[i:end], func(t token) bool { return t.word && drop(t.text) }) {
				if s := b.String(); strings.HasSuffix(s, " ") {
					b.Reset()
					b.WriteString(s[:len(s)-1])
				}
				i = end
				continue
			}
		}
		if t.word {
			if n, ok := name(t.text); ok {
				b.WriteString(n)
				continue
			}
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// token is a piece of a message: a word, a quoted string, or one other byte.
type token struct {
	text string
	word bool
}

func scan(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		j := i + 1
		switch c := s[i]; {
		case c == '"':
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
		case isWordByte(c):
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
		}
		out = append(out, token{text: s[i:j], word: isWordByte(s[i])})
		i = j
	}
	return out
}

// closing returns the index of the ")" that closes the "(" at toks[open], or -1.
func closing(toks []token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// Package envconfig reads the AXIOMS_* configuration shared by the validator, the
// middleware and the CLI: the process environment first, then a .env file.
//
// Precedence: a variable set in the process environment wins over the same name in the
// .env file, whatever its value. A variable set to nothing (or only white space), in
// either place, is never taken as unset: [Source.Get] reports it as an error naming the
// variable and where it is set, so `AXIOMS_ISS_URL=` in a shell or a compose file stops
// startup instead of silently meaning "no issuer" or falling back to the file's value.
// The .env file is parsed by github.com/joho/godotenv and never written into the process
// environment, so loading configuration has no side effects on other packages.
//
// Which names exist is not decided here: the validator keeps the one list of known
// variables (validator.EnvNames); [Source.Unknown] compares the names set with it.
package envconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/joho/godotenv"
)

// DefaultFile is the .env file read by [Load] when no path is given: ".env" in the
// working directory.
const DefaultFile = ".env"

// Prefix starts the name of every variable of this module.
const Prefix = "AXIOMS_"

// Source looks configuration values up. The zero value reads the process environment
// only, and cannot list its names. A Source is immutable and safe for concurrent use.
type Source struct {
	file     map[string]string
	fileName string                      // where file came from, for messages
	env      func(string) (string, bool) // nil: the process environment
	environ  func() []string             // the environment's "name=value" pairs; nil: not listable
	origin   string                      // where env's values come from, for messages
}

// Load returns a Source over the process environment and the .env file at path (if path
// is empty, [DefaultFile]). A missing file is not an error; an unreadable or malformed
// one is, and its error names the file.
func Load(path string) (*Source, error) {
	if path == "" {
		path = DefaultFile
	}
	vals, err := godotenv.Read(path)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		vals = nil
	default:
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return &Source{file: vals, fileName: path, env: os.LookupEnv, environ: os.Environ, origin: "the environment"}, nil
}

// FromMap returns a Source that reads only vals: for tests and for callers that hold
// their configuration in memory.
func FromMap(vals map[string]string) *Source {
	return &Source{file: vals, env: func(string) (string, bool) { return "", false }}
}

// FromLookup returns a Source over lookup, which returns a variable's value and whether
// it is set. Its names cannot be listed: [Source.Names] and [Source.Unknown] return nil.
func FromLookup(lookup func(string) (string, bool)) *Source {
	return &Source{env: lookup}
}

// Lookup returns the value of key, trimmed of surrounding white space, and whether it is
// set: in the environment (which wins) or in the file. A variable set to nothing is
// returned as ("", true); use [Source.Get] to have it reported.
func (s *Source) Lookup(key string) (string, bool) {
	v, ok, _ := s.lookup(key)
	return v, ok
}

// Get returns the value of key, trimmed of surrounding white space, and whether it is
// set. A variable set to nothing or only white space is an error naming it (and where it
// is set, when known): it is never taken as unset.
func (s *Source) Get(key string) (string, bool, error) {
	v, ok, where := s.lookup(key)
	if ok && v == "" {
		if where != "" {
			where = " in " + where
		}
		return "", true, fmt.Errorf("%s is set but empty%s: give it a value or unset it", key, where)
	}
	return v, ok, nil
}

// lookup returns the trimmed value of key, whether it is set, and where it is set ("" if
// not known).
func (s *Source) lookup(key string) (string, bool, string) {
	env := os.LookupEnv
	if s.env != nil {
		env = s.env
	}
	if v, ok := env(key); ok {
		return strings.TrimSpace(v), true, s.origin
	}
	if v, ok := s.file[key]; ok {
		return strings.TrimSpace(v), true, s.fileName
	}
	return "", false, ""
}

// Names returns the names starting with [Prefix] that are set, in the environment or the
// file, sorted and without repeats; nil for a Source made by [FromLookup].
func (s *Source) Names() []string {
	var names []string
	if s.environ != nil {
		for _, kv := range s.environ() {
			if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, Prefix) {
				names = append(names, name)
			}
		}
	}
	for name := range s.file {
		if strings.HasPrefix(name, Prefix) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Unknown returns one warning for each name of [Source.Names] that is not in known (a
// misspelt variable, which would otherwise be ignored without a word), naming where it
// is set and the closest known name:
//
//	AXIOMS_ISSUER (in the environment) is not a known variable; did you mean AXIOMS_ISS_URL?
func (s *Source) Unknown(known []string) []string {
	var out []string
	for _, name := range s.Names() {
		if slices.Contains(known, name) {
			continue
		}
		_, _, where := s.lookup(name)
		msg := name
		if where != "" {
			msg += " (in " + where + ")"
		}
		msg += " is not a known variable"
		if c := Closest(name, known); c != "" {
			msg += "; did you mean " + c + "?"
		}
		out = append(out, msg)
	}
	return out
}

// Closest returns the name of known nearest to name by edit distance (insertions,
// deletions, substitutions and transpositions of adjacent characters each count one),
// the first one listed on a tie; "" if known is empty.
func Closest(name string, known []string) string {
	best, bestDist := "", -1
	for _, k := range known {
		if d := editDistance(name, k); bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b, by bytes
// (variable names are ASCII).
func editDistance(a, b string) int {
	// Three rows of the dynamic-programming table: i-2, i-1 and i.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// SplitList splits a comma-separated list, trimming items and dropping empty ones.
func SplitList(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Rename rewrites text, an error message, in other names: each word (a run of letters,
// digits and '_') outside double-quoted strings for which name returns true is replaced
// by the name returned, and a parenthesised clause holding a word for which drop returns
// true is removed with the space before it (a hint naming a setting the reader cannot
// use). Quoted strings, Go %q style, are left as they are: they hold values, not names.
// drop may be nil.
func Rename(text string, name func(word string) (string, bool), drop func(word string) bool) string {
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

// Package envconfig reads the AXIOMS_* configuration shared by the validator, the
// middleware and the CLI: the process environment first, then a .env file.
//
// Precedence: a variable set to a non-empty value in the process environment wins over
// the same name in the .env file. An empty value counts as unset, so `AXIOMS_JWKS_URL=`
// in a shell does not hide the file's value and never means "no check". The .env file is
// parsed by github.com/joho/godotenv and never written into the process environment, so
// loading configuration has no side effects on other packages.
package envconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/joho/godotenv"
)

// DefaultFile is the .env file read by [Load] when no path is given: ".env" in the
// working directory.
const DefaultFile = ".env"

// Source looks configuration values up. The zero value reads the process environment
// only. A Source is immutable and safe for concurrent use.
type Source struct {
	file map[string]string
	env  func(string) (string, bool)
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
	return &Source{file: vals}, nil
}

// FromMap returns a Source that reads only vals: for tests and for callers that hold
// their configuration in memory.
func FromMap(vals map[string]string) *Source {
	return &Source{file: vals, env: func(string) (string, bool) { return "", false }}
}

// Lookup returns the value of key and whether it is set to a non-empty value, trimmed of
// surrounding white space.
func (s *Source) Lookup(key string) (string, bool) {
	env := os.LookupEnv
	if s != nil && s.env != nil {
		env = s.env
	}
	if v, ok := env(key); ok {
		if v = strings.TrimSpace(v); v != "" {
			return v, true
		}
	}
	if s != nil {
		if v, ok := s.file[key]; ok {
			if v = strings.TrimSpace(v); v != "" {
				return v, true
			}
		}
	}
	return "", false
}

// List returns the comma-separated value of key as a list, each item trimmed, empty items
// dropped. It returns nil when key is unset.
func (s *Source) List(key string) []string {
	v, ok := s.Lookup(key)
	if !ok {
		return nil
	}
	return SplitList(v)
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

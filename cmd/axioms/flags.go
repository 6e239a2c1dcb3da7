package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/axioms-go/axioms-echo/envconfig"
	"github.com/axioms-go/axioms-echo/internal/rename"
)

// parseInterspersed parses flags that may appear before, between or after positional
// arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseArgs parses args with fs (flags may come before, between or after positional
// arguments) and checks that exactly n positional arguments were given. When ok is false
// the command returns code: exitOK after -h (usage printed), exitUsage otherwise, with
// the flag error or "axioms NAME: what" on stderr, and the usage when arguments are
// expected.
func parseArgs(e env, fs *flag.FlagSet, args []string, n int, what string) (positional []string, code int, ok bool) {
	positional, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil, exitOK, false
	case err != nil:
		return nil, exitUsage, false
	case len(positional) != n:
		fmt.Fprintf(e.stderr, "axioms %s: %s\n", fs.Name(), what)
		if n > 0 {
			fs.Usage()
		}
		return nil, exitUsage, false
	}
	return positional, 0, true
}

// listFlag is a flag that may be repeated and also accepts comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, envconfig.SplitList(v)...)
	return nil
}

// newFlagSet returns a FlagSet that reports errors on w and prints usage with a
// one-line synopsis.
func newFlagSet(name, synopsis string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "usage: axioms %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// verifyFlagVars maps each flag of verify that sets a validator setting to the AXIOMS_*
// variable it falls back to (or, for --jwks-file, the validator.Config field it sets),
// so that configuration errors name what the user sets.
var verifyFlagVars = map[string]string{
	"issuer":             "AXIOMS_ISS_URL",
	"audience":           "AXIOMS_AUDIENCE",
	"jwks-url":           "AXIOMS_JWKS_URL",
	"jwks-file":          "JWKS",
	"algorithms":         "AXIOMS_ALGORITHMS",
	"leeway":             "AXIOMS_LEEWAY",
	"require-type":       "AXIOMS_REQUIRE_TYPE",
	"scope-claims":       "AXIOMS_SCOPE_CLAIMS",
	"roles-claims":       "AXIOMS_ROLES_CLAIMS",
	"permissions-claims": "AXIOMS_PERMISSIONS_CLAIMS",

	"introspection":             "AXIOMS_INTROSPECTION",
	"introspection-url":         "AXIOMS_INTROSPECTION_URL",
	"introspection-client-id":   "AXIOMS_INTROSPECTION_CLIENT_ID",
	"introspection-auth-method": "AXIOMS_INTROSPECTION_AUTH_METHOD",
}

// flagNames returns the message of err, a validator configuration error naming the
// AXIOMS_* variables, in terms of the flags of fs: a variable whose flag was given
// becomes the flag ("--issuer"); one whose flag was not given becomes both
// ("--issuer or AXIOMS_ISS_URL"), since either may set it. vars maps flag names to
// variables (or Config fields).
func flagNames(fs *flag.FlagSet, vars map[string]string, err error) string {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	flagOf := make(map[string]string, len(vars))
	for f, v := range vars {
		flagOf[v] = f
	}
	return rename.Words(err.Error(), func(word string) (string, bool) {
		f, ok := flagOf[word]
		switch {
		case !ok:
			return "", false
		case given[f]:
			return "--" + f, true
		case strings.HasPrefix(word, "AXIOMS_"):
			return "--" + f + " or " + word, true
		}
		return "", false // a Config field the flag was not used for
	}, nil)
}

// emptyFlags reports the flags given an empty value: like an AXIOMS_* variable set to
// nothing, an empty flag is an error, never "unset". With names, only those flags are
// checked; without, every flag given.
func emptyFlags(fs *flag.FlagSet, names ...string) error {
	var empty []string
	fs.Visit(func(f *flag.Flag) {
		if (len(names) == 0 || slices.Contains(names, f.Name)) && strings.TrimSpace(f.Value.String()) == "" {
			empty = append(empty, "--"+f.Name)
		}
	})
	if len(empty) == 0 {
		return nil
	}
	sort.Strings(empty)
	return fmt.Errorf("%s is empty: give it a value or leave it out", strings.Join(empty, ", "))
}

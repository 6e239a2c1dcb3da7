package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/axioms-go/axioms-echo/internal/envconfig"
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

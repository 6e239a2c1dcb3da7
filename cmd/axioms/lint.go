package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/axioms-go/axioms-echo/openapi"
)

func init() {
	register(command{
		name:    "lint",
		summary: "check an OpenAPI document: errors stop the service from starting, warnings do not",
		run:     runLint,
	})
}

const lintSynopsis = `lint [--base-path P] SPEC

Prints every error (what makes loading fail) and warning of SPEC with its location
(method, path, JSON pointer). Exit status 1 when there are errors, 0 otherwise.`

func runLint(e env, args []string) int {
	fs := newFlagSet("lint", lintSynopsis, e.stderr)
	basePath := fs.String("base-path", "", `override the base path taken from the servers ("/" for none)`)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(positional) != 1 {
		fmt.Fprintln(e.stderr, "axioms lint: exactly one SPEC is required")
		fs.Usage()
		return exitUsage
	}
	policies, err := openapi.Load(positional[0], openapi.LoadOptions{BasePath: *basePath})
	if err != nil {
		problems := openapi.Problems(err)
		if len(problems) == 0 {
			fmt.Fprintf(e.stdout, "error: %v\n", err) // unreadable file
			fmt.Fprintln(e.stdout, "1 error")
			return exitFailed
		}
		for _, p := range problems {
			fmt.Fprintf(e.stdout, "error: %s\n", p.Error())
		}
		fmt.Fprintf(e.stdout, "%d error(s)\n", len(problems))
		return exitFailed
	}
	warnings := policies.Warnings()
	for _, w := range warnings {
		fmt.Fprintf(e.stdout, "warning: %s\n", w.Error())
	}
	fmt.Fprintf(e.stdout, "%s: %d operations, 0 errors, %d warning(s)\n", positional[0], len(policies.All()), len(warnings))
	return exitOK
}

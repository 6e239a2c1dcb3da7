package main

import (
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

const lintSynopsis = `lint [--base-path P] [--allow-external-refs] SPEC|-

Loads the OpenAPI document SPEC (a file, or "-" for standard input) as the middleware
would, and prints every error (what makes loading fail, so the service would not start)
and every warning, one per line, each located:
  error: GET /articles/{id} (#/paths/~1articles~1{id}/get/x-axioms-role): unknown extension ...
  warning: (#/components/securitySchemes/oidc): openIdConnect scheme "oidc" has no openIdConnectUrl
then a summary line. Warnings are listed even when there are errors.

Exit status: 0 no errors (warnings allowed), 1 errors or an unreadable document,
2 usage error.`

func runLint(e env, args []string) int {
	fs := newFlagSet("lint", lintSynopsis, e.stderr)
	flags := addSpecFlags(fs)
	spec, code := specArgument(e, fs, args)
	if code >= 0 {
		return code
	}
	policies, err := loadSpec(e, spec, flags)
	if err != nil {
		problems := openapi.Problems(err)
		if len(problems) == 0 {
			// Not a document problem: the file cannot be read.
			fmt.Fprintf(e.stdout, "error: %v\n", err)
			fmt.Fprintf(e.stdout, "%s: 1 error\n", spec)
			return exitFailed
		}
		warnings := openapi.Warnings(err)
		printProblems(e, problems, warnings)
		fmt.Fprintf(e.stdout, "%s: %s, %s: it does not load\n", spec, plural(len(problems), "error"), plural(len(warnings), "warning"))
		return exitFailed
	}
	warnings := policies.Warnings()
	printProblems(e, nil, warnings)
	fmt.Fprintf(e.stdout, "%s: %s, 0 errors, %s\n", spec, plural(len(policies.All()), "operation"), plural(len(warnings), "warning"))
	return exitOK
}

func printProblems(e env, errs, warnings []*openapi.Problem) {
	for _, p := range errs {
		fmt.Fprintf(e.stdout, "error: %s\n", p.Error())
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stdout, "warning: %s\n", w.Error())
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

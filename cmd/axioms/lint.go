package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/axioms-go/axioms-echo/openapi"
)

func init() {
	register(command{
		name:    "lint",
		summary: "check an OpenAPI document: errors stop the service from starting, warnings do not",
		run:     runLint,
	})
}

const lintSynopsis = `lint [--base-path P] [--allow-external-refs] [--warnings all|summary|none] SPEC|-

Loads the OpenAPI document SPEC (a file, or "-" for standard input) as the middleware
would, and prints every error (what makes loading fail, so the service would not start)
and every warning, one per line, each located by the file, line and column of what it is
about (when known) and by method, path and JSON Pointer:
  api.yaml:14:9: error: GET /articles/{id} (#/paths/~1articles~1{id}/get/x-axioms-role): unknown extension ...
  api.yaml:40:5: warning: (#/components/securitySchemes/oidc): openIdConnect scheme "oidc" has no openIdConnectUrl
then a summary line. Warnings are listed even when there are errors. --warnings summary
prints one line per kind of warning instead (names, paths, methods and line numbers set
aside), with how many there are and where the first is:
  warning: 376 times: the operation requires authentication but documents neither a 401 nor a 403 response (first: api.yaml:20:7: GET /a (#/paths/~1a/get/responses))
and --warnings none prints none; the summary line counts them all the same.

Exit status: 0 no errors (warnings allowed), 1 errors or an unreadable document,
2 usage error.`

func runLint(e env, args []string) int {
	fs := newFlagSet("lint", lintSynopsis, e.stderr)
	flags := addSpecFlags(fs)
	warningsMode := fs.String("warnings", "all", "how warnings are printed: all (each on its line), summary (one line per kind) or none")
	spec, code := specArgument(e, fs, args)
	if code >= 0 {
		return code
	}
	switch *warningsMode {
	case "all", "summary", "none":
	default:
		fmt.Fprintf(e.stderr, "axioms lint: --warnings: unknown value %q (all, summary, none)\n", *warningsMode)
		return exitUsage
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
		printProblems(e, spec, problems, warnings, *warningsMode)
		fmt.Fprintf(e.stdout, "%s: %s, %s: it does not load\n", spec, plural(len(problems), "error"), plural(len(warnings), "warning"))
		return exitFailed
	}
	warnings := policies.Warnings()
	printProblems(e, spec, nil, warnings, *warningsMode)
	fmt.Fprintf(e.stdout, "%s: %s, 0 errors, %s\n", spec, plural(len(policies.All()), "operation"), plural(len(warnings), "warning"))
	return exitOK
}

// printProblems prints errs, then warnings as mode says (all, summary or none).
func printProblems(e env, spec string, errs, warnings []*openapi.Problem, mode string) {
	for _, p := range errs {
		fmt.Fprintf(e.stdout, "%serror: %s\n", position(spec, p), p.Error())
	}
	switch mode {
	case "all":
		for _, w := range warnings {
			fmt.Fprintf(e.stdout, "%swarning: %s\n", position(spec, w), w.Error())
		}
	case "summary":
		for _, k := range warningKinds(warnings) {
			// The first one's location: its position and the start of its Error(), without
			// the message.
			at := (&openapi.Problem{Method: k.first.Method, Path: k.first.Path, Pointer: k.first.Pointer}).Error()
			if at = strings.TrimSuffix(position(spec, k.first)+at, ": "); at != "" {
				at = " (first: " + at + ")"
			}
			fmt.Fprintf(e.stdout, "warning: %s: %s%s\n", plural(k.count, "time"), k.kind, at)
		}
	}
}

// position is the "file:line:column: " prefix of a problem located in the document
// spec; "" when the problem's position is not known.
func position(spec string, p *openapi.Problem) string {
	if p.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d: ", spec, p.Line, p.Column)
}

// varying matches what varies between warnings of one kind, in a message: quoted names,
// paths and pointers, methods and line numbers.
var varying = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|#?/[^\s:,;)]*|\b(?:GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE|QUERY|CONNECT)\b|\bline \d+`)

// warningKind is the warnings of one kind: their message with what varies replaced by
// "…", how many there are, and the first.
type warningKind struct {
	kind  string
	count int
	first *openapi.Problem
}

// warningKinds groups warnings by kind, the most frequent kind first (ties in order of
// first appearance).
func warningKinds(warnings []*openapi.Problem) []*warningKind {
	var kinds []*warningKind
	byKind := map[string]*warningKind{}
	for _, w := range warnings {
		kind := varying.ReplaceAllStringFunc(w.Message, func(v string) string {
			if strings.HasPrefix(v, `"`) {
				return `"…"`
			}
			return "…"
		})
		k := byKind[kind]
		if k == nil {
			k = &warningKind{kind: kind, first: w}
			byKind[kind] = k
			kinds = append(kinds, k)
		}
		k.count++
	}
	slices.SortStableFunc(kinds, func(a, b *warningKind) int { return b.count - a.count })
	return kinds
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/axioms-go/axioms-echo/openapi"
)

func init() {
	register(command{
		name:    "routes",
		summary: "print the policy table compiled from an OpenAPI document",
		run:     runRoutes,
	})
}

const routesSynopsis = `routes [--format table|markdown|json] [--base-path P] SPEC

Prints every operation of SPEC with its authentication mode, security alternatives,
roles, permissions and owner rule, sorted by path then method.

--format json is a stable contract: an array of
  {"method":"GET","path":"/articles/{article_id}","operationId":"getArticle",
   "auth":"required|optional|none",
   "alternatives":[[{"scheme":"oauth2","type":"oauth2","scopes":["read:data"]}]],
   "roles":{"anyOf":[],"allOf":[]},"permissions":{"anyOf":[],"allOf":[]},
   "owner":{"param":"","field":"user","claim":"sub","loader":"getArticle"} or null}
where path is the document's template (without base path) and alternatives lists every
non-empty security alternative in document order (schemes sorted by name).`

// routeJSON is one element of the --format json contract.
type routeJSON struct {
	Method       string         `json:"method"`
	Path         string         `json:"path"`
	OperationID  string         `json:"operationId"`
	Auth         string         `json:"auth"`
	Alternatives [][]schemeJSON `json:"alternatives"`
	Roles        conditionJSON  `json:"roles"`
	Permissions  conditionJSON  `json:"permissions"`
	Owner        *ownerJSON     `json:"owner"`
}

type schemeJSON struct {
	Scheme string   `json:"scheme"`
	Type   string   `json:"type"`
	Scopes []string `json:"scopes"`
}

type conditionJSON struct {
	AnyOf []string `json:"anyOf"`
	AllOf []string `json:"allOf"`
}

type ownerJSON struct {
	Param  string `json:"param"`
	Field  string `json:"field"`
	Claim  string `json:"claim"`
	Loader string `json:"loader"`
}

func toRouteJSON(p *openapi.Policy) routeJSON {
	r := routeJSON{
		Method:       p.Method,
		Path:         p.Path,
		OperationID:  p.OperationID,
		Auth:         p.Auth.String(),
		Alternatives: [][]schemeJSON{},
		Roles:        conditionJSON{AnyOf: nonNil(p.Roles.AnyOf), AllOf: nonNil(p.Roles.AllOf)},
		Permissions:  conditionJSON{AnyOf: nonNil(p.Permissions.AnyOf), AllOf: nonNil(p.Permissions.AllOf)},
	}
	for _, alt := range p.Alternatives {
		var a []schemeJSON
		for _, req := range alt {
			a = append(a, schemeJSON{Scheme: req.Scheme, Type: string(req.Type), Scopes: nonNil(req.Scopes)})
		}
		r.Alternatives = append(r.Alternatives, a)
	}
	if o := p.Owner; o != nil {
		r.Owner = &ownerJSON{Param: o.Param, Field: o.Field, Claim: o.Claim, Loader: o.Loader}
	}
	return r
}

func runRoutes(e env, args []string) int {
	fs := newFlagSet("routes", routesSynopsis, e.stderr)
	format := fs.String("format", "table", "output format: table, markdown or json")
	basePath := fs.String("base-path", "", `override the base path taken from the servers ("/" for none)`)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(positional) != 1 {
		fmt.Fprintln(e.stderr, "axioms routes: exactly one SPEC is required")
		fs.Usage()
		return exitUsage
	}
	switch *format {
	case "table", "markdown", "json":
	default:
		fmt.Fprintf(e.stderr, "axioms routes: unknown format %q (table, markdown, json)\n", *format)
		return exitUsage
	}
	policies, err := openapi.Load(positional[0], openapi.LoadOptions{BasePath: *basePath})
	if err != nil {
		fmt.Fprintf(e.stderr, "axioms routes: %v\n", err)
		return exitFailed
	}
	all := policies.All()
	switch *format {
	case "json":
		out := make([]routeJSON, 0, len(all))
		for _, p := range all {
			out = append(out, toRouteJSON(p))
		}
		writeJSON(e.stdout, out)
	case "markdown":
		writeMarkdown(e.stdout, policies, all)
	default:
		writeTable(e.stdout, policies, all)
	}
	return exitOK
}

func security(p *openapi.Policy) string {
	var alts []string
	if p.Auth == openapi.AuthOptional {
		alts = append(alts, "{}")
	}
	for _, alt := range p.Alternatives {
		var reqs []string
		for _, r := range alt {
			s := r.Scheme
			if len(r.Scopes) > 0 {
				s += "(" + strings.Join(r.Scopes, " ") + ")"
			}
			reqs = append(reqs, s)
		}
		alts = append(alts, strings.Join(reqs, " AND "))
	}
	if len(alts) == 0 {
		return "-"
	}
	return strings.Join(alts, " OR ")
}

func condition(c openapi.Condition) string {
	var parts []string
	if len(c.AnyOf) > 0 {
		parts = append(parts, "any("+strings.Join(c.AnyOf, ", ")+")")
	}
	if len(c.AllOf) > 0 {
		parts = append(parts, "all("+strings.Join(c.AllOf, ", ")+")")
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " AND ")
}

func owner(o *openapi.Owner) string {
	switch {
	case o == nil:
		return "-"
	case o.Param != "":
		return fmt.Sprintf("param %s = %s", o.Param, o.Claim)
	}
	return fmt.Sprintf("%s.%s = %s", o.Loader, o.Field, o.Claim)
}

func writeTable(w io.Writer, policies *openapi.Policies, all []*openapi.Policy) {
	if bp := policies.BasePath(); bp != "" {
		fmt.Fprintf(w, "base path: %s\n\n", bp)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tOPERATION\tAUTH\tSECURITY\tROLES\tPERMISSIONS\tOWNER")
	for _, p := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Method, p.Path, orDash(p.OperationID), p.Auth,
			security(p), condition(p.Roles), condition(p.Permissions), owner(p.Owner))
	}
	tw.Flush()
}

func writeMarkdown(w io.Writer, policies *openapi.Policies, all []*openapi.Policy) {
	if bp := policies.BasePath(); bp != "" {
		fmt.Fprintf(w, "Base path: `%s`\n\n", bp)
	}
	fmt.Fprintln(w, "| method | path | operation | auth | security | roles | permissions | owner |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	esc := strings.NewReplacer("|", `\|`)
	for _, p := range all {
		fmt.Fprintf(w, "| %s | `%s` | %s | %s | %s | %s | %s | %s |\n", p.Method, p.Path, esc.Replace(orDash(p.OperationID)), p.Auth,
			esc.Replace(security(p)), esc.Replace(condition(p.Roles)), esc.Replace(condition(p.Permissions)), esc.Replace(owner(p.Owner)))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

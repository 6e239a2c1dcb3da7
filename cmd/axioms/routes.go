package main

import (
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

const routesSynopsis = `routes [--format table|markdown|json] [--base-path P] [--allow-external-refs] SPEC|-

Prints every operation of the OpenAPI document SPEC (a file, or "-" for standard input)
with its authentication, security alternatives, roles, permissions, owner rule and step-up
requirements (x-axioms-acr, x-axioms-max-age), sorted by path then method. A document that does not load prints its problems on standard error
("axioms lint" lists them with the warnings).

--format json is a stable contract: an array, sorted by path then method, of
  {"method": "GET", "path": "/articles/{article_id}", "operationId": "getArticle",
   "auth": "required",
   "alternatives": [[{"scheme": "oauth2", "type": "oauth2", "scopes": ["read:data"],
                      "dpop": "none"}]],
   "roles": {"anyOf": [], "allOf": []}, "permissions": {"anyOf": [], "allOf": []},
   "owner": null, "acr": [], "maxAge": 0}
where path is the document's template (without base path); operationId is "" when the
operation has none; auth is "required", "optional" or "none"; alternatives lists every
non-empty security alternative in document order (each a list of schemes sorted by name,
type as the document declares it: oauth2, openIdConnect, http, apiKey or mutualTLS; dpop
is the scheme's x-axioms-dpop: "required", "allowed", or "none" without it);
lists are never null; owner is null or {"param": ..., "field": ..., "claim": ...,
"loader": ...} with "" for the fields of the other form; acr lists the x-axioms-acr values
(any of them, document order) and maxAge is x-axioms-max-age in seconds, 0 when none.

Exit status: 0 printed, 1 the document does not load, 2 usage error.`

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
	ACR          []string       `json:"acr"`
	MaxAge       int            `json:"maxAge"`
}

type schemeJSON struct {
	Scheme string   `json:"scheme"`
	Type   string   `json:"type"`
	Scopes []string `json:"scopes"`
	DPoP   string   `json:"dpop"`
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
		ACR:          nonNil(p.ACR),
		MaxAge:       p.MaxAge,
	}
	for _, alt := range p.Alternatives {
		a := []schemeJSON{}
		for _, req := range alt {
			a = append(a, schemeJSON{Scheme: req.Scheme, Type: string(req.Type), Scopes: nonNil(req.Scopes), DPoP: req.DPoP.String()})
		}
		r.Alternatives = append(r.Alternatives, a)
	}
	if o := p.Owner; o != nil {
		r.Owner = &ownerJSON{Param: o.Param, Field: o.Field, Claim: o.Claim, Loader: o.Loader}
	}
	return r
}

// specFlags are the loading flags routes and lint share.
type specFlags struct {
	basePath          *string
	allowExternalRefs *bool
}

func addSpecFlags(fs *flag.FlagSet) specFlags {
	return specFlags{
		basePath:          fs.String("base-path", "", `base path of every operation, overriding the document's servers ("/" for none)`),
		allowExternalRefs: fs.Bool("allow-external-refs", false, "follow $ref to other local files in the document's directory (never the network)"),
	}
}

// loadSpec loads the document named by spec: a file, or "-" for standard input.
func loadSpec(e env, spec string, f specFlags) (*openapi.Policies, error) {
	opts := openapi.LoadOptions{BasePath: *f.basePath, AllowExternalRefs: *f.allowExternalRefs}
	if spec != "-" {
		return openapi.Load(spec, opts)
	}
	data, err := io.ReadAll(io.LimitReader(e.stdin, maxStdinSpec+1))
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	if len(data) > maxStdinSpec {
		return nil, fmt.Errorf("standard input holds more than %d MiB", maxStdinSpec>>20)
	}
	return openapi.LoadData(data, opts)
}

// maxStdinSpec bounds the document read from standard input.
const maxStdinSpec = 64 << 20

// specArgument parses a command's flags and returns its one SPEC argument; code is
// non-negative when the command must exit with it.
func specArgument(e env, fs *flag.FlagSet, args []string) (spec string, code int) {
	positional, code, ok := parseArgs(e, fs, args, 1, "exactly one SPEC is required")
	if !ok {
		return "", code
	}
	return positional[0], -1
}

func runRoutes(e env, args []string) int {
	fs := newFlagSet("routes", routesSynopsis, e.stderr)
	format := fs.String("format", "table", "output `format`: table, markdown or json")
	flags := addSpecFlags(fs)
	spec, code := specArgument(e, fs, args)
	if code >= 0 {
		return code
	}
	switch *format {
	case "table", "markdown", "json":
	default:
		fmt.Fprintf(e.stderr, "axioms routes: unknown format %q (table, markdown, json)\n", *format)
		return exitUsage
	}
	policies, err := loadSpec(e, spec, flags)
	if err != nil {
		fmt.Fprintf(e.stderr, "axioms routes: %s: %v\n", spec, err)
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

// security renders a policy's alternatives: "{} OR oauth2(read:data) AND key", a scheme
// with x-axioms-dpop followed by "[dpop required]" or "[dpop allowed]".
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
			if r.DPoP != openapi.DPoPNone {
				s += " [dpop " + r.DPoP.String() + "]"
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
	return fmt.Sprintf("%s().%s = %s", o.Loader, o.Field, o.Claim)
}

// stepUp renders the step-up requirements: "acr(a, b) AND max-age 300s", "-" for none.
func stepUp(p *openapi.Policy) string {
	var parts []string
	if len(p.ACR) > 0 {
		parts = append(parts, "acr("+strings.Join(p.ACR, ", ")+")")
	}
	if p.MaxAge > 0 {
		parts = append(parts, fmt.Sprintf("max-age %ds", p.MaxAge))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " AND ")
}

// routeNote marks an operation whose base path differs from the document's.
func routeNote(policies *openapi.Policies, p *openapi.Policy) string {
	if p.Route != policies.BasePath()+p.Path {
		return " (route " + p.Route + ")"
	}
	return ""
}

func writeTable(w io.Writer, policies *openapi.Policies, all []*openapi.Policy) {
	if bp := policies.BasePath(); bp != "" {
		fmt.Fprintf(w, "base path: %s\n\n", bp)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tOPERATION\tAUTH\tSECURITY\tROLES\tPERMISSIONS\tOWNER\tSTEP-UP")
	for _, p := range all {
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Method, p.Path, routeNote(policies, p), orDash(p.OperationID), p.Auth,
			security(p), condition(p.Roles), condition(p.Permissions), owner(p.Owner), stepUp(p))
	}
	tw.Flush()
}

func writeMarkdown(w io.Writer, policies *openapi.Policies, all []*openapi.Policy) {
	if bp := policies.BasePath(); bp != "" {
		fmt.Fprintf(w, "Base path: `%s`\n\n", bp)
	}
	fmt.Fprintln(w, "| method | path | operation | auth | security | roles | permissions | owner | step-up |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	esc := strings.NewReplacer("|", `\|`, "`", "'", "\n", " ")
	for _, p := range all {
		fmt.Fprintf(w, "| %s | `%s`%s | %s | %s | %s | %s | %s | %s | %s |\n", esc.Replace(p.Method), esc.Replace(p.Path),
			esc.Replace(routeNote(policies, p)), esc.Replace(orDash(p.OperationID)), p.Auth,
			esc.Replace(security(p)), esc.Replace(condition(p.Roles)), esc.Replace(condition(p.Permissions)), esc.Replace(owner(p.Owner)),
			esc.Replace(stepUp(p)))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

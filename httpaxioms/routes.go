package httpaxioms

import (
	"slices"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
)

// RouteReport compares ServeMux patterns with the document's operations: Undocumented
// lists the patterns that serve no operation of the document (a pattern without a
// method when no method has an operation at its path, since its requests of methods the
// document does not describe there are denied either way; every pattern of a host
// without a document, Config.Hosts; a pattern that cannot be read), Subtrees the
// patterns that match paths below their own. Patterns are written as registered ("GET
// /articles/{id}", "admin.example.com/users/{id}"); operations as "METHOD route", a
// host's prefixed by the host. NotFound is always empty. See enforce.RouteReport.
type RouteReport = enforce.RouteReport

// CheckPatterns compares patterns, the ServeMux patterns the application registers (a
// ServeMux cannot list them: collect them as they are registered, or use [Mux]), with
// the operations of policies, by method and path, base path included, and checks the
// position of each pattern's wildcard names. Host patterns have no document here: they
// are undocumented (use [Config.CheckPatterns] for Config.Hosts). At startup, fail on
// the report's [RouteReport.Err]:
//
//	if err := httpaxioms.CheckPatterns(patterns, policies).Err(); err != nil {
//		log.Fatal(err)
//	}
//
// It only reads its arguments, and is safe for concurrent use.
func CheckPatterns(patterns []string, policies *openapi.Policies) RouteReport {
	return checkPatterns(patterns, policies, false, nil)
}

// CheckPatterns is [CheckPatterns] for cfg: cfg.Policies for patterns without a host,
// and the Policies of cfg.Hosts for the patterns of their hosts. With
// cfg.InsecureAllowUndocumented (a host's own, for its patterns), undocumented patterns
// are not listed. It has CheckPatterns' concurrency contract.
func (cfg Config) CheckPatterns(patterns []string) RouteReport {
	return checkPatterns(patterns, cfg.Policies, cfg.InsecureAllowUndocumented, cfg.Hosts)
}

// checkPatterns reports on patterns: those without a host against main (leaving
// undocumented patterns out when insecure), those of a host against its entry in hosts.
func checkPatterns(patterns []string, main *openapi.Policies, insecure bool, hosts map[string]Config) RouteReport {
	var routes []enforce.Route
	var subtrees []string
	for _, s := range patterns {
		p := parsePattern(s)
		policies, quiet := main, insecure
		if p.host != "" {
			hc, bound := hosts[p.host]
			policies, quiet = hc.Policies, bound && hc.InsecureAllowUndocumented
		}
		route := enforce.Route{Name: s, Doc: p.host, Params: p.names}
		if p.valid {
			if p.subtree {
				subtrees = append(subtrees, s)
			}
			for _, method := range methods(policies, p.method) {
				if op := policies.Lookup(method, p.template); op != nil {
					route.Ops = append(route.Ops, op)
				}
			}
		}
		route.Undocumented = len(route.Ops) == 0 && !quiet
		routes = append(routes, route)
	}
	docs := map[string]*openapi.Policies{"": main}
	for host, hc := range hosts {
		docs[host] = hc.Policies
	}
	report := enforce.CompareRoutes("httpaxioms", "pattern", routes, docs)
	slices.Sort(subtrees)
	report.Subtrees = subtrees
	return report
}

// methods returns the methods a pattern with method serves operations of: its own, or
// for a pattern without one, every method of the document's operations.
func methods(policies *openapi.Policies, method string) []string {
	if method != "" {
		return []string{method}
	}
	var all []string
	for _, op := range policies.All() {
		if !slices.Contains(all, op.Method) {
			all = append(all, op.Method)
		}
	}
	return all
}

package httpaxioms

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/openapi"
)

// RouteReport compares ServeMux patterns with the document's operations. Patterns are
// written as registered ("GET /articles/{id}", "admin.example.com/users/{id}");
// operations as "METHOD route", a host's prefixed by the host.
type RouteReport struct {
	// Undocumented lists the patterns that serve no operation of the document: the
	// middleware denies their requests (403) unless Config.InsecureAllowUndocumented is
	// set. A pattern without a method is listed when no method has an operation at its
	// path (its requests of methods the document does not describe there are denied
	// either way); every pattern of a host without a document (Config.Hosts) is
	// listed, as is a pattern that cannot be read.
	Undocumented []string
	// Unrouted lists operations no pattern serves: requests for them never reach a
	// handler.
	Unrouted []string
	// Conflicts lists patterns that use a parameter name of their operation's path at
	// another position ("/users/{follower}/follows/{user_id}" for
	// "/users/{user_id}/follows/{other_id}"): the document's rules locate parameters by
	// position, the handler reads them by name, so the two would read different values.
	// Different names at the same position are fine.
	Conflicts []string
	// Subtrees lists the patterns that match paths below their own: a trailing slash
	// ("/files/", "/") or a final "{name...}" wildcard. The middleware applies the
	// operation of such a pattern's path only to the requests that are instances of it
	// (the root itself; one non-empty segment in the wildcard) and denies the others as
	// undocumented: register "/{$}" rather than "/" for an operation at "/".
	// Informational: [RouteReport.Err] does not count them.
	Subtrees []string
}

// Err returns an error listing the mismatches (undocumented patterns, unrouted
// operations, parameter conflicts), or nil when every pattern is documented and bound
// without conflict and every operation served: the startup check. Subtrees are not
// mismatches.
func (r RouteReport) Err() error {
	if len(r.Undocumented) == 0 && len(r.Unrouted) == 0 && len(r.Conflicts) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("httpaxioms: patterns and API document disagree")
	if len(r.Undocumented) > 0 {
		fmt.Fprintf(&b, "; patterns without an operation: %s", strings.Join(r.Undocumented, ", "))
	}
	if len(r.Unrouted) > 0 {
		fmt.Fprintf(&b, "; operations without a pattern: %s", strings.Join(r.Unrouted, ", "))
	}
	if len(r.Conflicts) > 0 {
		fmt.Fprintf(&b, "; patterns whose parameters are not where the document has them: %s", strings.Join(r.Conflicts, "; "))
	}
	return errors.New(b.String())
}

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
	var report RouteReport
	type served struct {
		host string
		op   *openapi.Policy
	}
	routed := map[served]bool{}
	for _, s := range patterns {
		p := parsePattern(s)
		policies, quiet := main, insecure
		if p.host != "" {
			hc, bound := hosts[p.host]
			policies, quiet = hc.Policies, bound && hc.InsecureAllowUndocumented
		}
		var ops []*openapi.Policy
		if p.valid {
			if p.subtree {
				report.Subtrees = append(report.Subtrees, s)
			}
			for _, method := range methods(policies, p.method) {
				if op := policies.Lookup(method, p.template); op != nil {
					ops = append(ops, op)
				}
			}
		}
		if len(ops) == 0 && !quiet {
			report.Undocumented = append(report.Undocumented, s)
		}
		for _, op := range ops {
			routed[served{p.host, op}] = true
			if conflict := enforce.ParamConflict(p.names, op); conflict != "" {
				report.Conflicts = append(report.Conflicts, s+": "+conflict)
			}
		}
	}
	unrouted := func(host string, policies *openapi.Policies) {
		for _, op := range policies.All() {
			if !routed[served{host, op}] {
				report.Unrouted = append(report.Unrouted, op.Method+" "+host+op.Route)
			}
		}
	}
	unrouted("", main)
	for host, hc := range hosts {
		unrouted(host, hc.Policies)
	}
	slices.Sort(report.Undocumented)
	slices.Sort(report.Unrouted)
	slices.Sort(report.Conflicts)
	slices.Sort(report.Subtrees)
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

package enforce

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/axioms-go/axioms-echo/openapi"
)

// ParamConflict describes how a route whose path parameters are names (in the route's
// order, as [Config].Params returns them) uses a parameter name of p's route (its
// template, base path included) at another position; "" when it does not. The owner
// rule locates its parameter by position while handlers read parameters by name, so
// such a route is refused when an owner rule reads it (500): an adapter's startup route
// check reports it. Different names at the same position are fine.
func ParamConflict(names []string, p *openapi.Policy) string {
	name, i, j, moved := movedParam(names, templateParams(p.Route))
	if !moved {
		return ""
	}
	return fmt.Sprintf("parameter %q is parameter %d of the route but parameter %d of the document's %s %s (%s)",
		name, i+1, j+1, p.Method, p.Route, p.Pointer)
}

// movedParam finds a parameter name of the document's route (doc) that the matched route
// (names) uses at another position: its name and both positions.
func movedParam(names, doc []string) (name string, at, want int, moved bool) {
	for i, n := range names {
		for j, d := range doc {
			if n == d && i != j {
				return n, i, j, true
			}
		}
	}
	return "", 0, 0, false
}

// paramIndex returns the position of {name} among the parameters of the template, the
// number of parameters the template has, and how many of them are called name. Routers
// number a route's parameters in the same order, whatever their names.
func paramIndex(template, name string) (index, count, occurrences int) {
	params := templateParams(template)
	for _, p := range params {
		if p == name {
			occurrences++
		}
	}
	return slices.Index(params, name), len(params), occurrences
}

// templateParams lists the parameter names of an OpenAPI path template in order.
func templateParams(template string) []string {
	var names []string
	for rest := template; ; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			return names
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return names
		}
		names = append(names, rest[open+1:open+end])
		rest = rest[open+end+1:]
	}
}

// Route is one route of an adapter's router, as [CompareRoutes] reads it: the adapter
// lists its router's routes and looks each one's operations up.
type Route struct {
	// Name is how the report lists the route: "GET /articles/:id", a ServeMux pattern
	// as registered, a host before the path for a host's route.
	Name string
	// Doc names the document the route is checked against: a key of CompareRoutes'
	// docs ("" for the main document, a host for a host's).
	Doc string
	// Params are the route's parameter names in the route's order, as [Config].Params
	// returns them, for [ParamConflict].
	Params []string
	// Ops are the operations the route serves: none for a route without an operation,
	// several for a route that serves more than one method.
	Ops []*openapi.Policy
	// Undocumented lists the route in [RouteReport].Undocumented: the adapter sets it
	// for a route whose requests the middleware denies as undocumented (no operation,
	// or methods beyond its operations), unless it lets them through.
	Undocumented bool
}

// RouteReport compares the routes an adapter's router serves with the operations of
// the API document: the adapters' startup route check ([CompareRoutes]). Routes and
// operations are listed as the adapter names them, each list sorted.
type RouteReport struct {
	// Undocumented lists the routes with no operation in the document (or serving
	// methods it does not describe): the middleware denies them (403) unless
	// InsecureAllowUndocumented is set. The adapter's RouteReport documents which.
	Undocumented []string
	// Unrouted lists operations ("METHOD /template", a host's prefixed by the host)
	// that no route serves: requests for them never reach a handler.
	Unrouted []string
	// Conflicts lists routes that use a parameter name of their operation's path at
	// another position ("/users/:follower/follows/:user_id" for
	// "/users/{user_id}/follows/{other_id}"): the document's rules locate parameters by
	// position, the handler reads them by name, so the two would read different values.
	// Different names at the same position are fine.
	Conflicts []string
	// NotFound is adapter-specific (the Echo adapters): the not-found routes
	// ("/internal/*"), those e.RouteNotFound registers, and those Group.Use registers
	// so that a group's middleware runs for paths no route of the group matches. The
	// middleware answers the requests they match with Echo's 404 itself, running
	// neither their handler nor the group's middleware: a custom not-found handler
	// never runs, and a group middleware that serves requests by itself
	// (middleware.Proxy, middleware.Static) serves nothing there unless
	// InsecureAllowUndocumented is set. To serve a path through such middleware,
	// register a route for it and document the route. Informational: [RouteReport.Err]
	// does not count them.
	NotFound []string
	// Subtrees is adapter-specific (the net/http adapter): the patterns that match
	// paths below their own, a trailing slash ("/files/", "/") or a final "{name...}"
	// wildcard. The middleware applies the operation of such a pattern's path only to
	// the requests that are instances of it (the root itself; one non-empty segment in
	// the wildcard) and denies the others as undocumented: register "/{$}" rather than
	// "/" for an operation at "/". Informational: [RouteReport.Err] does not count them.
	Subtrees []string

	name, noun  string // the adapter and what it calls a route, for Err
	missingBase string // the base path every undocumented route lacks, for Err
}

// Err returns an error listing the mismatches (undocumented routes, unrouted
// operations, parameter conflicts), or nil when every route is documented and bound
// without conflict and every operation routed: the startup check. NotFound and Subtrees
// are not mismatches. The message starts with the adapter's name and calls routes what
// the adapter calls them (patterns for net/http). When every undocumented route is an
// unrouted operation once the document's base path is put before its path, the error
// says so: the routes were registered without the base path.
func (r RouteReport) Err() error {
	if len(r.Undocumented) == 0 && len(r.Unrouted) == 0 && len(r.Conflicts) == 0 {
		return nil
	}
	noun := r.noun
	if noun == "" {
		noun = "route"
	}
	var b strings.Builder
	if r.name != "" {
		b.WriteString(r.name + ": ")
	}
	b.WriteString(noun + "s and API document disagree")
	if len(r.Undocumented) > 0 {
		fmt.Fprintf(&b, "; %ss without an operation: %s", noun, strings.Join(r.Undocumented, ", "))
	}
	if len(r.Unrouted) > 0 {
		fmt.Fprintf(&b, "; operations without a %s: %s", noun, strings.Join(r.Unrouted, ", "))
	}
	if len(r.Conflicts) > 0 {
		fmt.Fprintf(&b, "; %ss whose parameters are not where the document has them: %s", noun, strings.Join(r.Conflicts, "; "))
	}
	if r.missingBase != "" {
		fmt.Fprintf(&b, "; each %s without an operation is an operation without a %s under the document's base path %q: register the %ss under it (a group, or oapi-codegen's RegisterHandlersWithBaseURL)",
			noun, noun, r.missingBase, noun)
	}
	return errors.New(b.String())
}

// CompareRoutes compares routes, every route of an adapter's router, with the documents
// in docs (by [Route].Doc; "" is the main document, a nil entry has no operations): a
// route marked Undocumented is listed as such, each route's operations are bound and
// their parameter positions checked ([ParamConflict]), and every operation of a document
// that no route of it serves is unrouted. name starts the report's error (the adapter's
// package name), noun is what the adapter calls a route in it ("" for "route"). The
// caller adds its own NotFound or Subtrees. It only reads its arguments.
func CompareRoutes(name, noun string, routes []Route, docs map[string]*openapi.Policies) RouteReport {
	report := RouteReport{name: name, noun: noun}
	type served struct {
		doc string
		op  *openapi.Policy
	}
	routed := map[served]bool{}
	for _, r := range routes {
		if r.Undocumented {
			report.Undocumented = append(report.Undocumented, r.Name)
		}
		for _, op := range r.Ops {
			routed[served{r.Doc, op}] = true
			if conflict := ParamConflict(r.Params, op); conflict != "" {
				report.Conflicts = append(report.Conflicts, r.Name+": "+conflict)
			}
		}
	}
	for doc, policies := range docs {
		for _, op := range policies.All() {
			if !routed[served{doc, op}] {
				report.Unrouted = append(report.Unrouted, op.Method+" "+doc+op.Route)
			}
		}
	}
	slices.Sort(report.Undocumented)
	slices.Sort(report.Unrouted)
	slices.Sort(report.Conflicts)
	report.missingBase = missingBase(routes, docs[""], report.Unrouted)
	return report
}

// missingBase returns the main document's base path when every undocumented route
// ("METHOD /path") of it, with the base path before its path, is an unrouted operation
// (parameters compared by position, not name): the routes were registered without the
// base path. Otherwise, and when there is no undocumented route, "".
func missingBase(routes []Route, policies *openapi.Policies, unrouted []string) string {
	if policies == nil || policies.BasePath() == "" {
		return ""
	}
	base := policies.BasePath()
	ops := make(map[string]bool, len(unrouted))
	for _, op := range unrouted {
		ops[routeShape(op)] = true
	}
	found := false
	for _, r := range routes {
		if !r.Undocumented {
			continue
		}
		method, path, ok := strings.Cut(r.Name, " ")
		if r.Doc != "" || !ok || !strings.HasPrefix(path, "/") || !ops[routeShape(method+" "+base+path)] {
			return ""
		}
		found = true
	}
	if !found {
		return ""
	}
	return base
}

// routeShape replaces the parameters of a route or template (":id", "{id}") by "{}".
func routeShape(route string) string {
	segs := strings.Split(route, "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, ":") || strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

package enforce

import (
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

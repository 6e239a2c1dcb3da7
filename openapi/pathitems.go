package openapi

import (
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Path items and their methods.

// fixedMethod is an operation that a path item has a field of its own for.
type fixedMethod struct {
	method string // the HTTP method: "GET"
	field  string // the path item's field, and its pointer token: "get"
	get    func(*openapi3.PathItem) *openapi3.Operation
}

// fixedMethods are the operations of a path item with fixed fields, in the order their
// fields appear in a path item: the order in which operations are compiled.
var fixedMethods = []fixedMethod{
	{http.MethodGet, "get", func(p *openapi3.PathItem) *openapi3.Operation { return p.Get }},
	{http.MethodPut, "put", func(p *openapi3.PathItem) *openapi3.Operation { return p.Put }},
	{http.MethodPost, "post", func(p *openapi3.PathItem) *openapi3.Operation { return p.Post }},
	{http.MethodDelete, "delete", func(p *openapi3.PathItem) *openapi3.Operation { return p.Delete }},
	{http.MethodOptions, "options", func(p *openapi3.PathItem) *openapi3.Operation { return p.Options }},
	{http.MethodHead, "head", func(p *openapi3.PathItem) *openapi3.Operation { return p.Head }},
	{http.MethodPatch, "patch", func(p *openapi3.PathItem) *openapi3.Operation { return p.Patch }},
	{http.MethodTrace, "trace", func(p *openapi3.PathItem) *openapi3.Operation { return p.Trace }},
	{http.MethodConnect, "connect", func(p *openapi3.PathItem) *openapi3.Operation { return p.Connect }},
	{openapi3.MethodQuery, "query", func(p *openapi3.PathItem) *openapi3.Operation { return p.Query }},
}

// fixedMethodOf returns the index in fixedMethods of the method that name is, in any
// letter case; -1 for other methods.
func fixedMethodOf(name string) int {
	for i, m := range fixedMethods {
		if strings.EqualFold(m.method, name) {
			return i
		}
	}
	return -1
}

// fieldOfMethod returns the path item field of a fixed method ("GET" → "get"); "" for
// other methods.
func fieldOfMethod(method string) string {
	for _, m := range fixedMethods {
		if m.method == method {
			return m.field
		}
	}
	return ""
}

// methodOfField returns the method of a path item's operation field ("get" → "GET");
// "" for other fields.
func methodOfField(field string) string {
	for _, m := range fixedMethods {
		if m.field == field {
			return m.method
		}
	}
	return ""
}

// fixedTokens are the pointer tokens of fixedMethods' operations, shared and read-only.
var fixedTokens = func() [][]string {
	tokens := make([][]string, len(fixedMethods))
	for i, m := range fixedMethods {
		tokens[i] = []string{m.field}
	}
	return tokens
}()

// operationCount returns the number of operations of a path item, or more: an
// additionalOperations entry for a fixed method is counted, and skipped by operationsOf.
func operationCount(item *openapi3.PathItem) int {
	n := len(item.AdditionalOperations)
	for _, m := range fixedMethods {
		if m.get(item) != nil {
			n++
		}
	}
	return n
}

// itemOperation is one operation of a path item, with the pointer tokens that lead to it
// from the path item.
type itemOperation struct {
	method string
	tokens []string
	op     *openapi3.Operation
}

// operationsOf lists a path item's operations: the fixed fields, then OpenAPI 3.2's
// additionalOperations, whose method names are kept exactly as written (HTTP methods
// are case-sensitive). An additionalOperations entry for a method that has a fixed
// field, in any letter case, is left out: it is an error (checkAdditionalOperations).
func operationsOf(item *openapi3.PathItem) []itemOperation {
	ops := make([]itemOperation, 0, operationCount(item))
	for i, m := range fixedMethods {
		if op := m.get(item); op != nil {
			ops = append(ops, itemOperation{method: m.method, tokens: fixedTokens[i], op: op})
		}
	}
	for _, name := range sortedKeys(item.AdditionalOperations) {
		op := item.AdditionalOperations[name]
		if op == nil || fixedMethodOf(name) >= 0 {
			continue
		}
		ops = append(ops, itemOperation{method: name, tokens: []string{"additionalOperations", name}, op: op})
	}
	return ops
}

// checkAdditionalOperations reports the additionalOperations entries of a path item
// that are for a method with a fixed field, in any letter case ("GET", "Get", "get"
// beside or instead of get). OpenAPI 3.2 forbids them; beside the fixed field's
// operation one of the two would be ignored, and an entry that differs from the
// method only in case reads as the same operation with other security. The keys of
// such an entry, which is not compiled, are still checked.
func (c *compiler) checkAdditionalOperations(tmpl string, item *openapi3.PathItem, itemPtr string) {
	for _, name := range sortedKeys(item.AdditionalOperations) {
		op := item.AdditionalOperations[name]
		i := fixedMethodOf(name)
		if op == nil || i < 0 {
			continue
		}
		m := fixedMethods[i]
		ptr := child(itemPtr, "additionalOperations", name)
		if m.get(item) != nil {
			c.fail(name, tmpl, ptr, "additionalOperations %q is the %s method, which has its own field %q, and this path item defines it too: one of the two operations would be ignored", name, m.method, m.field)
		} else {
			c.fail(name, tmpl, ptr, "additionalOperations %q is the %s method, which has its own field %q: declare the operation there", name, m.method, m.field)
		}
		c.checkUnknown(op.Extensions, levelOperation, name, tmpl, ptr)
	}
}

// hasPathParam reports whether the operation has a path parameter called name, declared
// on the operation or on its path item.
func hasPathParam(item *openapi3.PathItem, op *openapi3.Operation, name string) bool {
	return anyParameter(item, op, func(p *openapi3.Parameter) bool {
		return p.In == openapi3.ParameterInPath && p.Name == name
	})
}

// hasUnfollowedParam reports whether a parameter of the operation or of its path item
// is a $ref that was not followed.
func hasUnfollowedParam(item *openapi3.PathItem, op *openapi3.Operation) bool {
	return anyParameter(item, op, func(p *openapi3.Parameter) bool {
		_, ok := p.Extensions[unfollowedKey]
		return ok
	})
}

// anyParameter reports whether match is true of a parameter of the operation or of its
// path item.
func anyParameter(item *openapi3.PathItem, op *openapi3.Operation, match func(*openapi3.Parameter) bool) bool {
	for _, params := range []openapi3.Parameters{op.Parameters, item.Parameters} {
		for _, ref := range params {
			if ref != nil && ref.Value != nil && match(ref.Value) {
				return true
			}
		}
	}
	return false
}

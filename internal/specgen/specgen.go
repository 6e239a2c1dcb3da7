// Package specgen writes the OpenAPI documents of the module's tests and benchmarks: a
// document from its preamble and its paths ([Doc]), and the synthetic API of N
// operations that the benchmarks of every package measure ([API]). Its output is YAML
// text for openapi.LoadData; it checks nothing itself.
package specgen

import (
	"fmt"
	"strings"
)

// Doc is the preamble of an OpenAPI document: everything but its paths. Fields hold
// YAML in flow style, written into the document as they are.
type Doc struct {
	// Version is the openapi field. Default "3.1.0".
	Version string
	// Title is info.title. Default "test".
	Title string
	// Servers is the servers list, e.g. "[{url: /v1}]". Default: none.
	Servers string
	// Security is the document's security requirement, e.g. "[{oauth2: []}]". Default:
	// none, so that operations without their own are public.
	Security string
	// Schemes are the entries of components.securitySchemes, one each (see [OAuth2],
	// [Bearer] and [APIKey]). Default: OAuth2("oauth2"), without scopes.
	Schemes []string
}

// YAML returns the document: the preamble, then paths, the entries of its paths object
// as YAML indented by two spaces ("  /a:\n    get: {...}\n"); an empty paths object
// when paths is blank.
func (d Doc) YAML(paths string) []byte {
	var b strings.Builder
	d.preamble(&b)
	if strings.TrimSpace(paths) == "" {
		b.WriteString("paths: {}\n")
	} else {
		b.WriteString("paths:\n")
		b.WriteString(strings.TrimPrefix(paths, "\n"))
	}
	return []byte(b.String())
}

func (d Doc) preamble(b *strings.Builder) {
	fmt.Fprintf(b, "openapi: %s\n", or(d.Version, "3.1.0"))
	fmt.Fprintf(b, "info: {title: %q, version: \"1\"}\n", or(d.Title, "test"))
	if d.Servers != "" {
		fmt.Fprintf(b, "servers: %s\n", d.Servers)
	}
	if d.Security != "" {
		fmt.Fprintf(b, "security: %s\n", d.Security)
	}
	schemes := d.Schemes
	if len(schemes) == 0 {
		schemes = []string{OAuth2("oauth2")}
	}
	b.WriteString("components:\n  securitySchemes:\n")
	for _, s := range schemes {
		fmt.Fprintf(b, "    %s\n", s)
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// OAuth2 returns an oauth2 security scheme named name, with a client-credentials flow
// declaring scopes (each described by its own name).
func OAuth2(name string, scopes ...string) string {
	declared := make([]string, len(scopes))
	for i, s := range scopes {
		declared[i] = fmt.Sprintf("%q: %q", s, s)
	}
	return fmt.Sprintf(`%s: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://issuer.example/token", scopes: {%s}}}}`,
		name, strings.Join(declared, ", "))
}

// Bearer returns an http bearer security scheme named name, for JWTs.
func Bearer(name string) string {
	return name + ": {type: http, scheme: bearer, bearerFormat: JWT}"
}

// APIKey returns an apiKey security scheme named name, read from the request header.
func APIKey(name, header string) string {
	return fmt.Sprintf("%s: {type: apiKey, in: header, name: %s}", name, header)
}

// Scope is the scope every operation of an [API] requires.
const Scope = "read:data"

// The step-up requirements of an [API] with StepUp: the acr its GET operations accept,
// and the largest age of auth_time in seconds (an hour, so that a token minted for a
// benchmark keeps passing while it runs).
const (
	StepUpACR    = "urn:example:mfa"
	StepUpMaxAge = 3600
)

// API is a synthetic API: N operations on the templated paths
// /resource{i}/{id}/items/{item_id} (Echo's [Route](i)), each requiring [Scope] of its
// security scheme. It is the document the benchmarks measure: its size is N, and its
// options add the checks a benchmark exercises.
type API struct {
	// Doc is the preamble. Its Security is not used: every operation has its own.
	// Default Schemes: OAuth2(Scheme) declaring read:data, write:data and admin.
	Doc
	// N is the number of operations.
	N int
	// Scheme is the name of the security scheme the operations require. Default
	// "oauth2".
	Scheme string
	// Rules adds x-axioms-roles: [reader] and x-axioms-permissions: ["items:read"] to
	// every GET operation.
	Rules bool
	// Owner adds x-axioms-owner: {param: id} to every GET operation: the id path
	// parameter must equal the token's sub.
	Owner bool
	// StepUp adds x-axioms-acr: [StepUpACR] and x-axioms-max-age: StepUpMaxAge to every
	// GET operation (RFC 9470 step-up).
	StepUp bool
	// Deletes makes the N operations a GET and a DELETE on each of N/2 paths. A DELETE
	// requires write:data or admin (two alternatives) and the permission
	// resource:delete (allOf).
	Deletes bool
}

// YAML returns the document of a.
func (a API) YAML() []byte {
	scheme := or(a.Scheme, "oauth2")
	doc := a.Doc
	doc.Security = ""
	if len(doc.Schemes) == 0 {
		doc.Schemes = []string{OAuth2(scheme, Scope, "write:data", "admin")}
	}
	var b strings.Builder
	doc.preamble(&b)
	b.WriteString("paths:\n")
	paths := a.N
	if a.Deletes {
		paths = a.N / 2
	}
	for i := range paths {
		fmt.Fprintf(&b, "  /resource%d/{id}/items/{item_id}:\n", i)
		b.WriteString("    parameters:\n")
		b.WriteString("      - {name: id, in: path, required: true, schema: {type: string}}\n")
		b.WriteString("      - {name: item_id, in: path, required: true, schema: {type: string}}\n")
		fmt.Fprintf(&b, "    get:\n      operationId: get%d\n      security: [{%s: [%q]}]\n", i, scheme, Scope)
		if a.Rules {
			b.WriteString("      x-axioms-roles: [reader]\n      x-axioms-permissions: [\"items:read\"]\n")
		}
		if a.Owner {
			b.WriteString("      x-axioms-owner: {param: id}\n")
		}
		if a.StepUp {
			fmt.Fprintf(&b, "      x-axioms-acr: [%q]\n      x-axioms-max-age: %d\n", StepUpACR, StepUpMaxAge)
		}
		b.WriteString("      responses: {\"200\": {description: ok}, \"401\": {description: no}, \"403\": {description: no}}\n")
		if a.Deletes {
			fmt.Fprintf(&b, "    delete:\n      operationId: delete%d\n      security: [{%s: [\"write:data\"]}, {%s: [admin]}]\n", i, scheme, scheme)
			b.WriteString("      x-axioms-permissions: {allOf: [\"resource:delete\"]}\n")
			b.WriteString("      responses: {\"204\": {description: deleted}, \"401\": {description: no}, \"403\": {description: no}}\n")
		}
	}
	return []byte(b.String())
}

// Route returns the Echo route of path i of an [API]: "/resource{i}/:id/items/:item_id".
func Route(i int) string { return fmt.Sprintf("/resource%d/:id/items/:item_id", i) }

// Target returns a request path for [Route](i), with id "abc" and item_id "7".
func Target(i int) string { return fmt.Sprintf("/resource%d/abc/items/7", i) }

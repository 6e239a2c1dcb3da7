package enforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/axioms-go/axioms-echo/openapi"
)

// ownerParam locates an owner rule's path parameter among the values the router matched.
type ownerParam struct {
	index int      // position of the parameter in the full route
	count int      // number of parameters of the full route
	names []string // the parameter names of the full route, in order
}

// checkOwner enforces the policy's x-axioms-owner rule for principal, whom ctx holds. It
// runs after every other check. It returns the context to continue with (the loaded
// object added) and true, or the Result that ends the request and false.
func (e *Enforcer) checkOwner(ctx context.Context, r *Request, p *openapi.Policy, principal openapi.Principal) (context.Context, Result, bool) {
	rule := p.Owner
	claim, ok := principal.Claim(rule.Claim)
	if !ok {
		return nil, e.deny(ctx, r, p, principal, noOwnerClaimError(e.realm)), false
	}
	key := claimOwnerKey(principal, rule.Claim, claim)
	if rule.Param != "" {
		names, values := e.params(r.Native)
		op := e.ownerParams[p]
		if len(values) != op.count || op.index >= len(values) {
			// The route the router matched does not have the parameters of the
			// operation's route (base path included): the parameter cannot be located for
			// sure.
			err := fmt.Errorf("route %s has %d parameters, the operation's route %s has %d", r.Route, len(values), p.Route, op.count)
			return nil, e.rec.failed(ctx, r, p, principal, serverFailure(err), ""), false
		}
		if name, i, j, moved := movedParam(names, op.names); moved {
			// The handler reads the parameter by name, the rule by position: they would
			// compare one value and use another.
			err := fmt.Errorf("route %s has parameter %q at position %d, the operation's route %s at %d", r.Route, name, i+1, p.Route, j+1)
			return nil, e.rec.failed(ctx, r, p, principal, serverFailure(err), ""), false
		}
		if !paramEquals(values[op.index], key) {
			return nil, e.deny(ctx, r, p, principal, notOwnerError(e.realm)), false
		}
		return ctx, Result{}, true
	}
	obj, owns, f := loadOwned(ctx, r.Native, e.loaders[rule.Loader], rule.Field, key, e.status)
	switch {
	case f.err != nil:
		f.cause = fmt.Errorf("owner loader %q: %w", rule.Loader, f.cause)
		return nil, e.rec.failed(ctx, r, p, principal, f, ""), false
	case !owns:
		return nil, e.deny(ctx, r, p, principal, notOwnerError(e.realm)), false
	}
	return withObject(ctx, obj), Result{}, true
}

// failure is an owner check that ended without a decision on ownership: an owner
// loader's own answer, or a server-side failure (500).
type failure struct {
	status int
	err    error // what the adapter answers with
	cause  error // what a server-side failure logs
}

func serverFailure(err error) failure {
	return failure{status: http.StatusInternalServerError, err: err, cause: err}
}

// loadOwned runs loader and checks that the object's field equals key (see
// [OwnerValuer]). It returns the object and whether it is the caller's, or the failure
// ending the request: the loader's error with its own status (see [ErrorStatus]), a 500
// for any other error of the loader, and a 500 for an object without the field (a
// server-side mistake, never the caller's).
func loadOwned(ctx context.Context, req any, loader OwnerLoader, field string, key ownerKey, status ErrorStatus) (any, bool, failure) {
	obj, err := loader(ctx, req)
	if err != nil {
		code, cause := status(err)
		if code == 0 {
			code = http.StatusInternalServerError
		}
		return nil, false, failure{status: code, err: err, cause: cause}
	}
	got, ok := fieldValue(obj, field)
	if !ok {
		return nil, false, serverFailure(fmt.Errorf("%T has no field %q", obj, field))
	}
	return obj, sameValue(got, key), failure{}
}

// failed ends a request whose owner check failed: a server-side failure is logged at
// Error (the operation's method and path, or for a helper the request's), the decision
// recorded (reason owner_loader for a loader's own answer, server_error for a 500).
func (rc *recorder) failed(ctx context.Context, r *Request, p *openapi.Policy, principal openapi.Principal, f failure, check string) Result {
	reason := ReasonOwnerLoader
	if f.status == http.StatusInternalServerError {
		reason = ReasonServerError
		method, path := r.Method, r.Route
		if p != nil {
			method, path = p.Method, p.Path
		}
		rc.serverError(ctx, method, path, f.cause)
	}
	rc.record(ctx, r, p, principal, OutcomeDenied, f.status, reason, check)
	return Result{Context: ctx, Err: f.err, Status: f.status}
}

// ownerKey is an owner value reduced to what ownership compares: the text of a string,
// or the decimal text of an integer (of any size, never through a float64). The zero
// ownerKey, with no text, is what a value that can identify no one becomes (a float, a
// bool, nil, an empty string, anything else): it equals nothing.
type ownerKey struct {
	text    string
	integer bool
}

// integerClaims is implemented by principals that can read an integer claim exactly
// (validator.Claims: see its IntegerClaim method).
type integerClaims interface {
	IntegerClaim(name string) (string, bool)
}

// claimOwnerKey returns the owner key of the claim named name, whose value
// principal.Claim returned. A JSON number decodes as a float64, which rounds integers
// beyond 2^53, so a float64 counts only through the principal's IntegerClaim (the
// token's own text, when written as an integer); any other value is read as an object's
// field is (see ownerKeyOf).
func claimOwnerKey(principal openapi.Principal, name string, claim any) ownerKey {
	if _, isFloat := claim.(float64); !isFloat {
		return ownerKeyOf(claim)
	}
	if ic, ok := principal.(integerClaims); ok {
		if text, ok := ic.IntegerClaim(name); ok {
			return integerKey(text)
		}
	}
	return ownerKey{}
}

// ownerKeyOf returns the owner key of an object's field (or of a claim): a string kind
// is its text; a Go integer of any width, signed or unsigned, named or not, is its
// decimal text, as is a json.Number written as an integer; a pointer is read through.
// Anything else owns nothing.
func ownerKeyOf(v any) ownerKey {
	// The common types without reflection.
	switch t := v.(type) {
	case string:
		return ownerKey{text: t}
	case *string:
		if t == nil {
			return ownerKey{}
		}
		return ownerKey{text: *t}
	case json.Number:
		return integerKey(string(t))
	case int:
		return ownerKey{text: strconv.Itoa(t), integer: true}
	case int64:
		return ownerKey{text: strconv.FormatInt(t, 10), integer: true}
	case int32:
		return ownerKey{text: strconv.FormatInt(int64(t), 10), integer: true}
	case uint64:
		return ownerKey{text: strconv.FormatUint(t, 10), integer: true}
	case uint:
		return ownerKey{text: strconv.FormatUint(uint64(t), 10), integer: true}
	case uint32:
		return ownerKey{text: strconv.FormatUint(uint64(t), 10), integer: true}
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ownerKey{}
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.String:
		if rv.Type() == jsonNumber {
			return integerKey(rv.String())
		}
		return ownerKey{text: rv.String()} // named string types
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ownerKey{text: strconv.FormatInt(rv.Int(), 10), integer: true}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ownerKey{text: strconv.FormatUint(rv.Uint(), 10), integer: true}
	}
	return ownerKey{}
}

var jsonNumber = reflect.TypeFor[json.Number]()

// integerKey returns the owner key of a number's text when it is written as an integer
// (-?(0|[1-9][0-9]*), any number of digits; "-0" is 0), else the zero ownerKey: "1.0",
// "1e3", "+1", "01" and " 1" identify no one.
func integerKey(text string) ownerKey {
	digits := strings.TrimPrefix(text, "-")
	if digits == "" || len(digits) > 1 && digits[0] == '0' || strings.TrimLeft(digits, "0123456789") != "" {
		return ownerKey{}
	}
	if digits == "0" {
		text = "0"
	}
	return ownerKey{text: text, integer: true}
}

// paramEquals compares a path parameter with a claim's owner key: the parameter must be
// the string claim exactly, or the integer claim's decimal text exactly ("01", "+1",
// "1.0" or " 1" never equal 1).
func paramEquals(param string, claim ownerKey) bool {
	return claim.text != "" && param == claim.text
}

// sameValue compares an owner field with a claim's owner key: strings with strings by
// their text, integers with integers by their decimal text. A string never equals an
// integer ("1" is not 1), and floats, bools and nil never equal anything.
func sameValue(field any, claim ownerKey) bool {
	return claim.text != "" && ownerKeyOf(field) == claim
}

// OwnerValuer is implemented by objects that an owner loader returns (or that
// [RequireOwner] checks) and that report their owner fields themselves, without
// reflection. OwnerValue returns the value of field (the x-axioms-owner rule's field,
// "user" by default) and whether the object has it; a missing field is a server error
// (500), never a pass. The value is compared with the claim as for any other object: a
// string (a string kind, or a *string) equals a string claim with the same text; an
// integer (any Go integer type of any width, signed or unsigned, or a json.Number
// written as an integer, or a pointer to one) equals an integer claim with the same
// decimal text, never through a float64. A string never equals an integer ("1" is not
// 1), and floats, bools, nil and the empty string never match: report ids as strings or
// integers. OwnerValue may be called concurrently for different requests' objects; it
// is called once per check.
//
// Objects that do not implement it are read, in this order: a map[string]any or
// map[string]string by key, another map with string keys by key, a struct (or pointer
// to one) by `json` tag name, else Go field name, of an exported field (embedded
// structs' fields included). Struct field positions are computed once per type.
type OwnerValuer interface {
	// OwnerValue returns the value of field and whether the object has it (see above).
	OwnerValue(field string) (value any, ok bool)
}

// fieldValue reads name from obj: see [OwnerValuer].
func fieldValue(obj any, name string) (any, bool) {
	switch o := obj.(type) {
	case nil:
		return nil, false
	case OwnerValuer:
		return o.OwnerValue(name)
	case map[string]any:
		v, ok := o[name]
		return v, ok
	case map[string]string:
		v, ok := o[name]
		return v, ok
	}
	rv := reflect.ValueOf(obj)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil, false
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, false
		}
		v := rv.MapIndex(reflect.ValueOf(name).Convert(rv.Type().Key()))
		if !v.IsValid() {
			return nil, false
		}
		return v.Interface(), true
	case reflect.Struct:
		idx, ok := structFields(rv.Type())[name]
		if !ok {
			return nil, false
		}
		f, err := rv.FieldByIndexErr(idx)
		if err != nil {
			return nil, false // through a nil embedded pointer
		}
		return f.Interface(), true
	}
	return nil, false
}

var fieldCache sync.Map // reflect.Type → map[string][]int

// structFields maps the exported fields of t (embedded ones included) by json tag name
// and by Go name; a tag name wins over a Go name.
func structFields(t reflect.Type) map[string][]int {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string][]int)
	}
	byTag := map[string][]int{}
	byName := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if tag != "" {
			byTag[tag] = f.Index
		}
		byName[f.Name] = f.Index
	}
	for name, idx := range byName {
		if _, taken := byTag[name]; !taken {
			byTag[name] = idx
		}
	}
	fieldCache.Store(t, byTag)
	return byTag
}

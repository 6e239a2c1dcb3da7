package echoaxioms

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/openapi"
)

// checkOwner enforces the policy's x-axioms-owner rule. It runs after every other check.
func (m *engine) checkOwner(c echo.Context, p *openapi.Policy, principal openapi.Principal) error {
	rule := p.Owner
	claim, ok := principal.Claim(rule.Claim)
	if !ok {
		return insufficientPermissionError(m.realm, ReasonNotOwner, "the access token does not identify an owner")
	}
	if rule.Param != "" {
		values := c.ParamValues()
		op := m.ownerParam[p]
		if len(values) != op.count || op.index >= len(values) {
			// The route Echo matched does not have the parameters of the operation's
			// route (base path included): the parameter cannot be located for sure.
			m.serverError(c, p, fmt.Errorf("route %s has %d parameters, the operation's route %s has %d", c.Path(), len(values), p.Route, op.count))
			return echo.NewHTTPError(http.StatusInternalServerError)
		}
		if name, i, j, moved := movedParam(c.ParamNames(), op.names); moved {
			// The handler reads the parameter by name, the rule by position: they would
			// compare one value and use another.
			m.serverError(c, p, fmt.Errorf("route %s has parameter %q at position %d, the operation's route %s at %d", c.Path(), name, i+1, p.Route, j+1))
			return echo.NewHTTPError(http.StatusInternalServerError)
		}
		if !paramEquals(values[op.index], claimOwnerKey(principal, rule.Claim, claim)) {
			return insufficientPermissionError(m.realm, ReasonNotOwner, "the caller does not own this resource")
		}
		return nil
	}
	obj, err := loadObject(c, m.loaders[rule.Loader])
	if err == nil {
		err = ownedBy(obj, rule.Field, claimOwnerKey(principal, rule.Claim, claim), m.realm)
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusInternalServerError {
		m.serverError(c, p, fmt.Errorf("owner loader %q: %w", rule.Loader, causeOf(he)))
	}
	if err != nil {
		return err
	}
	c.SetRequest(c.Request().WithContext(withObject(c.Request().Context(), obj)))
	return nil
}

// movedParam finds a parameter name of the document's route (doc) that the Echo route
// (names, as Echo matched it) uses at another position: its name and both positions.
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

// loadObject runs an owner loader: its *echo.HTTPError (e.g. 404) is returned as it is,
// any other error becomes a 500 carrying it in Internal.
func loadObject(c echo.Context, loader OwnerLoader) (any, error) {
	obj, err := loader(c)
	if err == nil {
		return obj, nil
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return nil, err
	}
	return nil, &echo.HTTPError{Code: http.StatusInternalServerError, Message: http.StatusText(http.StatusInternalServerError), Internal: err}
}

// ownedBy checks that obj's field equals the claim's owner key: nil when it does, a 403
// denial when it does not, a 500 when obj has no such field (a server-side mistake,
// never the caller's).
func ownedBy(obj any, field string, claim ownerKey, realm string) error {
	got, ok := fieldValue(obj, field)
	if !ok {
		err := fmt.Errorf("%T has no field %q", obj, field)
		return &echo.HTTPError{Code: http.StatusInternalServerError, Message: http.StatusText(http.StatusInternalServerError), Internal: err}
	}
	if !sameValue(got, claim) {
		return insufficientPermissionError(realm, ReasonNotOwner, "the caller does not own this resource")
	}
	return nil
}

// causeOf returns the cause a 500 carries in Internal, or the error itself when it has
// none.
func causeOf(he *echo.HTTPError) error {
	if he.Internal != nil {
		return he.Internal
	}
	return he
}

func (m *engine) serverError(c echo.Context, p *openapi.Policy, err error) {
	logServerError(c, m.logger, p.Method, p.Path, err)
}

// logServerError logs a server-side failure of an ownership check at Error, on logger or
// else slog.Default().
func logServerError(c echo.Context, logger *slog.Logger, method, route string, err error) {
	if logger == nil {
		logger = slog.Default()
	}
	logger.LogAttrs(c.Request().Context(), slog.LevelError, "axioms: ownership check failed",
		slog.String("method", method), slog.String("path", route), slog.String("error", err.Error()))
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

package echoaxioms

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
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
		if !paramEquals(values[op.index], claim) {
			return insufficientPermissionError(m.realm, ReasonNotOwner, "the caller does not own this resource")
		}
		return nil
	}
	obj, err := loadObject(c, m.loaders[rule.Loader])
	if err == nil {
		err = ownedBy(obj, rule.Field, claim, m.realm)
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

// ownedBy checks that obj's field equals the claim: nil when it does, a 403 denial when
// it does not, a 500 when obj has no such field (a server-side mistake, never the
// caller's).
func ownedBy(obj any, field string, claim any, realm string) error {
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

// paramEquals compares a path parameter with a claim: a string claim must be equal; a
// numeric claim must equal the parameter read as a number. Nothing else matches.
func paramEquals(param string, claim any) bool {
	switch v := claim.(type) {
	case string:
		return v != "" && param == v
	case float64:
		f, err := strconv.ParseFloat(param, 64)
		return err == nil && !math.IsInf(f, 0) && f == v && isCanonicalNumber(param)
	}
	return false
}

// isCanonicalNumber rejects spellings such as "+1", "01", "1.0e0" or " 1" so that one
// number has one accepted parameter value.
func isCanonicalNumber(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && strconv.FormatFloat(f, 'f', -1, 64) == s
}

// sameValue compares an owner field with a claim by type: strings with strings, numbers
// by value (exactly), booleans with booleans. nil never matches, and a string never
// equals a number ("None" is not nil, "1" is not 1).
func sameValue(field, claim any) bool {
	if field == nil || claim == nil {
		return false
	}
	switch c := claim.(type) {
	case string:
		s, ok := stringOf(field)
		return ok && c != "" && s == c
	case float64:
		return numberEquals(field, c)
	case bool:
		b, ok := field.(bool)
		return ok && b == c
	}
	return false
}

func stringOf(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case *string:
		if s != nil {
			return *s, true
		}
		return "", false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.String {
		return rv.String(), true // named string types
	}
	return "", false
}

// numberEquals compares a numeric field with a JSON number exactly: integers must be
// exactly representable.
func numberEquals(field any, claim float64) bool {
	// The common types without reflection.
	switch f := field.(type) {
	case float64:
		return f == claim
	case int:
		return intEquals(int64(f), claim)
	case int64:
		return intEquals(f, claim)
	case int32:
		return intEquals(int64(f), claim)
	case uint64:
		return claim >= 0 && claim == math.Trunc(claim) && claim <= 1<<53 && uint64(claim) == f
	}
	rv := reflect.ValueOf(field)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return false
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intEquals(rv.Int(), claim)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u := rv.Uint()
		return claim >= 0 && claim == math.Trunc(claim) && claim <= 1<<53 && uint64(claim) == u
	case reflect.Float32, reflect.Float64:
		return rv.Float() == claim
	}
	return false
}

// OwnerValuer is implemented by objects that an owner loader returns (or that
// [RequireOwner] checks) and that report their owner fields themselves, without
// reflection. OwnerValue returns the value of field (the x-axioms-owner rule's field,
// "user" by default) and whether the object has it; a missing field is a server error
// (500), never a pass. The value is compared with the claim by type, as for any other
// object: a string with a string claim, a number (any Go integer or float type) with a
// numeric claim by value, a bool with a bool. OwnerValue may be called concurrently for
// different requests' objects; it is called once per check.
//
// Objects that do not implement it are read, in this order: a map[string]any or
// map[string]string by key, another map with string keys by key, a struct (or pointer
// to one) by `json` tag name, else Go field name, of an exported field (embedded
// structs' fields included). Struct field positions are computed once per type.
type OwnerValuer interface {
	OwnerValue(field string) (value any, ok bool)
}

// intEquals compares an integer with a JSON number exactly.
func intEquals(i int64, claim float64) bool {
	return claim == math.Trunc(claim) && math.Abs(claim) <= 1<<53 && int64(claim) == i
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

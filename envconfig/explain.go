package envconfig

import (
	"errors"
	"reflect"
	"strings"
	"sync"

	"github.com/axioms-go/axioms-echo/internal/rename"
	"github.com/axioms-go/axioms-echo/validator"
)

// Explain rewrites err, an error of [validator.New] for a Config from
// [Env.ValidatorConfig], for someone who configured the service through the
// environment: each [validator.Config] field a message names becomes the variable that
// sets it (Issuer → AXIOMS_ISS_URL), and a parenthesised hint naming a field no variable
// sets ("set InsecureSkipIssuerCheck to accept any issuer") is dropped, since it cannot
// be followed there. errors.Is, errors.As and [validator.ReasonOf] still see the original
// errors. It returns nil for nil, and other errors reworded the same way.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	vars, fields := fieldNames()
	name := func(w string) (string, bool) { v, ok := vars[w]; return v, ok }
	drop := func(w string) bool { _, hasVar := vars[w]; return fields[w] && !hasVar }
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = &explained{msg: rename.Words(nestedFields.Replace(e.Error()), name, drop), err: e}
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// nestedFields names the variables of the fields of Config.Introspection, which
// messages name as Introspection.Field.
var nestedFields = strings.NewReplacer(
	"Introspection.Endpoint", "AXIOMS_INTROSPECTION_URL",
	"Introspection.ClientID", "AXIOMS_INTROSPECTION_CLIENT_ID",
	"Introspection.ClientSecret", "AXIOMS_INTROSPECTION_CLIENT_SECRET",
	"Introspection.AuthMethod", "AXIOMS_INTROSPECTION_AUTH_METHOD",
)

// fieldNames returns the variable of each Config field one sets (the first listed) and
// the set of every exported Config field.
var fieldNames = sync.OnceValues(func() (map[string]string, map[string]bool) {
	vars := map[string]string{}
	for _, v := range variables {
		if _, dup := vars[v.field]; v.field != "" && !dup {
			vars[v.field] = v.name
		}
	}
	fields := map[string]bool{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[validator.Config]()) {
		if f.IsExported() {
			fields[f.Name] = true
		}
	}
	return vars, fields
})

// explained is an error with another message.
type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

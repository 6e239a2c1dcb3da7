package echoaxioms_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
)

const ownersDoc = `openapi: 3.1.0
info: {title: owners, version: "1"}
security: [{oauth2: []}]
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: https://issuer.example/token, scopes: {}}}
paths:
  /by-sub/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: bySub, x-axioms-owner: {field: user, loader: objects}, responses: {"403": {description: no}}}
  /by-uid/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: byUID, x-axioms-owner: {field: user, claim: uid, loader: objects}, responses: {"403": {description: no}}}
  /param-uid/{uid}:
    parameters: [{name: uid, in: path, required: true, schema: {type: string}}]
    get: {operationId: paramUID, x-axioms-owner: {param: uid, claim: uid}, responses: {"403": {description: no}}}
`

// valuer reports its owner field itself, without reflection.
type valuer struct{ owner any }

func (v valuer) OwnerValue(field string) (any, bool) {
	if field != "user" {
		return nil, false
	}
	return v.owner, true
}

type ownedStruct struct {
	Owner int64 `json:"user"`
}

// TestOwnerComparisonByType: ownership compares values by type through the whole
// middleware: a string never equals an integer, a float never equals anything, nil
// never equals "None" or anything.
func TestOwnerComparisonByType(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	policies, err := openapi.LoadData([]byte(ownersDoc), openapi.LoadOptions{})
	require.NoError(t, err)
	objects := map[string]any{
		"str-42":       map[string]any{"user": "42"},
		"num-42":       map[string]any{"user": float64(42)},
		"int-42":       map[string]any{"user": 42},
		"nil":          map[string]any{"user": nil},
		"none":         map[string]any{"user": "None"},
		"struct-42":    &ownedStruct{Owner: 42},
		"valuer-str":   valuer{owner: "42"},
		"valuer-int":   valuer{owner: int64(42)},
		"valuer-nil":   valuer{owner: nil},
		"string-map":   map[string]string{"user": "42"},
		"bool-true":    map[string]any{"user": true},
		"fraction":     map[string]any{"user": 42.5},
		"big-int":      map[string]any{"user": int64(1<<53 + 1)},
		"no-field":     map[string]any{"owner": "42"},
		"valuer-other": valuer{owner: "someone"},
	}
	e := echo.New()
	e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: iss.Validator(t), Logger: discardLogger(),
		OwnerLoaders: map[string]echoaxioms.OwnerLoader{"objects": func(c echo.Context) (any, error) {
			if o, found := objects[c.Param("id")]; found {
				return o, nil
			}
			return nil, echo.NewHTTPError(http.StatusNotFound)
		}}}))
	e.GET("/by-sub/:id", ok)
	e.GET("/by-uid/:id", ok)
	e.GET("/param-uid/:uid", ok)

	subStr := "Bearer " + iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"sub": "42"}})
	subNone := "Bearer " + iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"sub": "None"}})
	uidNum := "Bearer " + iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"uid": 42}})
	uidStr := "Bearer " + iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"uid": "42"}})
	uidNull := "Bearer " + iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"uid": nil}})
	uidBig := "Bearer " + iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"uid": float64(1 << 53)}})
	for _, c := range []struct {
		target, auth string
		status       int
	}{
		{"/by-sub/str-42", subStr, 200},
		{"/by-sub/num-42", subStr, 403},
		{"/by-sub/int-42", subStr, 403},
		{"/by-sub/struct-42", subStr, 403},
		{"/by-sub/valuer-str", subStr, 200},
		{"/by-sub/valuer-int", subStr, 403},
		{"/by-sub/valuer-other", subStr, 403},
		{"/by-sub/string-map", subStr, 200},
		{"/by-sub/nil", subNone, 403},
		{"/by-sub/none", subNone, 200},
		{"/by-sub/valuer-nil", subNone, 403},
		{"/by-sub/no-field", subStr, 500},
		{"/by-uid/num-42", uidNum, 403}, // a float64 field owns nothing
		{"/by-uid/int-42", uidNum, 200},
		{"/by-uid/struct-42", uidNum, 200},
		{"/by-uid/valuer-int", uidNum, 200},
		{"/by-uid/str-42", uidNum, 403},
		{"/by-uid/valuer-str", uidNum, 403},
		{"/by-uid/num-42", uidStr, 403},
		{"/by-uid/bool-true", uidNum, 403},
		{"/by-uid/fraction", uidNum, 403},
		{"/by-uid/big-int", uidBig, 403},
		{"/by-uid/nil", uidNull, 403},
		{"/param-uid/42", uidNum, 200},
		{"/param-uid/42", uidStr, 200},
		{"/param-uid/42.0", uidNum, 403},
		{"/param-uid/+42", uidNum, 403},
		{"/param-uid/042", uidNum, 403},
		{"/param-uid/None", uidNull, 403},
	} {
		rec := serve(e, "GET", c.target, c.auth)
		assert.Equal(t, c.status, rec.Code, "%s: %s", c.target, rec.Body.String())
		if c.status == 200 {
			assert.Contains(t, rec.Body.String(), `"route"`)
		} else {
			assert.NotContains(t, rec.Body.String(), `"route"`, "%s reached the handler", c.target)
		}
	}
}

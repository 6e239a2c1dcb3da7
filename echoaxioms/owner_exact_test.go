package echoaxioms_test

import (
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
)

// exactOwnersDoc protects accounts by a path parameter and objects by a loaded field,
// both owned through the numeric claim uid (or the nested claim /org/id).
const exactOwnersDoc = `openapi: 3.1.0
info: {title: exact owners, version: "1"}
security: [{oauth2: []}]
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: https://issuer.example/token, scopes: {}}}
paths:
  /accounts/{account_id}:
    parameters: [{name: account_id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getAccount, x-axioms-owner: {param: account_id, claim: uid}, responses: {"403": {description: no}}}
  /orgs/{org_id}:
    parameters: [{name: org_id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getOrg, x-axioms-owner: {param: org_id, claim: /org/id}, responses: {"403": {description: no}}}
  /objects/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getObject, x-axioms-owner: {field: owner, claim: uid, loader: objects}, responses: {"403": {description: no}}}
`

// accountID is a named integer type, as applications declare their ids.
type accountID int64

// tenantID is a named unsigned integer type.
type tenantID uint32

type ownedByInt64 struct {
	Owner int64 `json:"owner"`
}

type ownedByPointer struct {
	Owner *uint64 `json:"owner"`
}

// ownerValuer reports its owner field itself, without reflection.
type ownerValuer struct{ owner any }

func (v ownerValuer) OwnerValue(field string) (any, bool) {
	if field != "owner" {
		return nil, false
	}
	return v.owner, true
}

// exactObjects are the objects the loader of exactOwnersDoc returns, by id.
func exactObjects() map[string]any {
	big := uint64(9007199254740993)
	return map[string]any{
		"i64-2^53+1":  map[string]any{"owner": int64(9007199254740993)},
		"i64-max":     map[string]any{"owner": int64(math.MaxInt64)},
		"i64-min":     map[string]any{"owner": int64(math.MinInt64)},
		"i64-1":       map[string]any{"owner": int64(1)},
		"i64-0":       map[string]any{"owner": int64(0)},
		"u64-2^53+1":  map[string]any{"owner": uint64(9007199254740993)},
		"u64-max":     map[string]any{"owner": uint64(math.MaxUint64)},
		"named":       map[string]any{"owner": accountID(1234567890123456789)},
		"named-u":     map[string]any{"owner": tenantID(7)},
		"number":      map[string]any{"owner": json.Number("9007199254740993")},
		"number-frac": map[string]any{"owner": json.Number("1.0")},
		"number-exp":  map[string]any{"owner": json.Number("1e0")},
		"string":      map[string]any{"owner": "9007199254740993"},
		"string-1":    map[string]any{"owner": "1"},
		"float-1":     map[string]any{"owner": float64(1)},
		"float-2^53":  map[string]any{"owner": float64(9007199254740992)},
		"bool":        map[string]any{"owner": true},
		"empty":       map[string]any{"owner": ""},
		"nil":         map[string]any{"owner": nil},
		"struct":      &ownedByInt64{Owner: 9007199254740993},
		"pointer":     ownedByPointer{Owner: &big},
		"nil-pointer": ownedByPointer{},
		"valuer":      ownerValuer{owner: uint64(9007199254740993)},
		"valuer-num":  ownerValuer{owner: json.Number("1234567890123456789")},
		"valuer-str":  ownerValuer{owner: "1234567890123456789"},
	}
}

// exactApp is an Echo app protected by exactOwnersDoc, with its own issuer.
func exactApp(t *testing.T) (*echo.Echo, *axiomstest.Issuer) {
	t.Helper()
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	policies, err := openapi.LoadData([]byte(exactOwnersDoc), openapi.LoadOptions{})
	require.NoError(t, err)
	objects := exactObjects()
	e := echo.New()
	e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: iss.Validator(t), Logger: discardLogger(),
		OwnerLoaders: map[string]echoaxioms.OwnerLoader{"objects": func(c echo.Context) (any, error) {
			if o, found := objects[c.Param("id")]; found {
				return o, nil
			}
			return nil, echo.NewHTTPError(http.StatusNotFound)
		}}}))
	e.GET("/accounts/:account_id", ok)
	e.GET("/orgs/:org_id", ok)
	e.GET("/objects/:id", ok)
	return e, iss
}

type exactCase struct {
	target string
	uid    any // the claim's value, written into the token by encoding/json
	status int
}

func (c exactCase) run(t *testing.T, e *echo.Echo, iss *axiomstest.Issuer, claim string) {
	t.Helper()
	rec := serve(e, http.MethodGet, c.target, "Bearer "+iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{claim: c.uid}}))
	value, err := json.Marshal(c.uid)
	require.NoError(t, err)
	assert.Equal(t, c.status, rec.Code, "%s %s on %s: %s", claim, value, c.target, rec.Body.String())
	if c.status == http.StatusOK {
		assert.Contains(t, rec.Body.String(), `"route"`)
	} else {
		assert.NotContains(t, rec.Body.String(), `"route"`, "%s %s reached the handler of %s", claim, value, c.target)
	}
}

// TestOwnerParamComparesIntegersExactly: a path parameter equals an integer claim only
// when it is the claim's exact decimal text, whatever its size; numbers beyond 2^53 are
// never rounded into someone else's id.
func TestOwnerParamComparesIntegersExactly(t *testing.T) {
	e, iss := exactApp(t)
	n := func(s string) json.Number { return json.Number(s) }
	for _, c := range []exactCase{
		// 2^53+1 rounds to 2^53 as a float64.
		{"/accounts/9007199254740993", n("9007199254740993"), 200},
		{"/accounts/9007199254740992", n("9007199254740993"), 403},
		{"/accounts/9007199254740992", n("9007199254740992"), 200},
		{"/accounts/9007199254740993", n("9007199254740992"), 403},
		// 1234567890123456789 is 1234567890123456800 in its shortest float64 spelling.
		{"/accounts/1234567890123456789", n("1234567890123456789"), 200},
		{"/accounts/1234567890123456800", n("1234567890123456789"), 403},
		{"/accounts/1234567890123456768", n("1234567890123456789"), 403},
		{"/accounts/18446744073709551615", uint64(math.MaxUint64), 200},
		{"/accounts/18446744073709551616", uint64(math.MaxUint64), 403},
		{"/accounts/123456789012345678901234567890", n("123456789012345678901234567890"), 200},
		{"/accounts/123456789012345678901234567891", n("123456789012345678901234567890"), 403},
		{"/accounts/-9223372036854775808", int64(math.MinInt64), 200},
		{"/accounts/-42", -42, 200},
		{"/accounts/42", -42, 403},
		// One integer, one spelling.
		{"/accounts/1", 1, 200},
		{"/accounts/01", 1, 403},
		{"/accounts/+1", 1, 403},
		{"/accounts/1.0", 1, 403},
		{"/accounts/1e0", 1, 403},
		{"/accounts/%201", 1, 403},
		{"/accounts/0", n("-0"), 200},
		{"/accounts/-0", n("-0"), 403},
		{"/accounts/-0", 0, 403},
		// A number that is not written as an integer owns nothing.
		{"/accounts/1", n("1.0"), 403},
		{"/accounts/1", n("1e0"), 403},
		{"/accounts/1", n("1E0"), 403},
		{"/accounts/1.0", n("1.0"), 403},
		{"/accounts/1e0", n("1e0"), 403},
		{"/accounts/1000", n("1e3"), 403},
		{"/accounts/1.5", 1.5, 403},
		// Neither a string nor a number owns anything.
		{"/accounts/true", true, 403},
		{"/accounts/false", false, 403},
		{"/accounts/null", nil, 403},
		{"/accounts/1", []any{1}, 403},
		{"/accounts/1", map[string]any{"id": 1}, 403},
		// A string claim is compared as text, exactly.
		{"/accounts/42", "42", 200},
		{"/accounts/042", "42", 403},
		{"/accounts/42", "042", 403},
		{"/accounts/9007199254740993", "9007199254740993", 200},
		{"/accounts/9007199254740992", "9007199254740993", 403},
		{"/accounts/1.0", "1.0", 200},
		{"/accounts/true", "true", 200},
	} {
		c.run(t, e, iss, "uid")
	}

	// A JSON Pointer claim reads the nested number's text the same way.
	for _, c := range []exactCase{
		{"/orgs/9007199254740993", map[string]any{"id": n("9007199254740993")}, 200},
		{"/orgs/9007199254740992", map[string]any{"id": n("9007199254740993")}, 403},
		{"/orgs/1", map[string]any{"id": n("1.0")}, 403},
		{"/orgs/1", map[string]any{"id": true}, 403},
		{"/orgs/7", map[string]any{"id": "7"}, 200},
	} {
		c.run(t, e, iss, "org")
	}
}

// TestOwnerLoaderComparesIntegersExactly: an object's field equals an integer claim only
// when it is an integer (any Go integer type, json.Number written as an integer) with the
// same decimal text; a string field equals only a string claim; floats, bools, nil and
// empty strings own nothing.
func TestOwnerLoaderComparesIntegersExactly(t *testing.T) {
	e, iss := exactApp(t)
	n := func(s string) json.Number { return json.Number(s) }
	big := n("9007199254740993")
	for _, c := range []exactCase{
		{"/objects/i64-2^53+1", big, 200},
		{"/objects/i64-2^53+1", n("9007199254740992"), 403},
		{"/objects/i64-2^53+1", "9007199254740993", 403},
		{"/objects/i64-2^53+1", 9007199254740993.0, 403}, // encoded as 9007199254740992
		{"/objects/i64-max", n("9223372036854775807"), 200},
		{"/objects/i64-max", n("9223372036854775806"), 403},
		{"/objects/i64-max", n("9223372036854775808"), 403},
		{"/objects/i64-min", n("-9223372036854775808"), 200},
		{"/objects/u64-2^53+1", big, 200},
		{"/objects/u64-2^53+1", n("9007199254740992"), 403},
		{"/objects/u64-max", n("18446744073709551615"), 200},
		{"/objects/u64-max", n("18446744073709551614"), 403},
		{"/objects/u64-max", n("-1"), 403},
		{"/objects/named", n("1234567890123456789"), 200},
		{"/objects/named", n("1234567890123456800"), 403},
		{"/objects/named-u", 7, 200},
		{"/objects/named-u", "7", 403},
		{"/objects/number", big, 200},
		{"/objects/number", n("9007199254740992"), 403},
		{"/objects/number", "9007199254740993", 403},
		{"/objects/number-frac", 1, 403},
		{"/objects/number-frac", n("1.0"), 403},
		{"/objects/number-exp", 1, 403},
		{"/objects/string", "9007199254740993", 200},
		{"/objects/string", big, 403},
		{"/objects/string-1", "1", 200},
		{"/objects/string-1", 1, 403},
		{"/objects/i64-1", 1, 200},
		{"/objects/i64-1", "1", 403},
		{"/objects/i64-1", n("1.0"), 403},
		{"/objects/i64-1", n("1e0"), 403},
		{"/objects/i64-1", true, 403},
		{"/objects/i64-0", n("-0"), 200},
		{"/objects/i64-0", false, 403},
		{"/objects/float-1", 1, 403},
		{"/objects/float-1", n("1.0"), 403},
		{"/objects/float-2^53", n("9007199254740992"), 403},
		{"/objects/float-2^53", big, 403},
		{"/objects/bool", true, 403},
		{"/objects/bool", "true", 403},
		{"/objects/empty", "", 403},
		{"/objects/nil", nil, 403},
		{"/objects/nil", "None", 403},
		{"/objects/struct", big, 200},
		{"/objects/struct", n("9007199254740992"), 403},
		{"/objects/pointer", big, 200},
		{"/objects/pointer", n("9007199254740992"), 403},
		{"/objects/nil-pointer", 0, 403},
		{"/objects/valuer", big, 200},
		{"/objects/valuer", n("9007199254740992"), 403},
		{"/objects/valuer-num", n("1234567890123456789"), 200},
		{"/objects/valuer-num", n("1234567890123456800"), 403},
		{"/objects/valuer-str", n("1234567890123456789"), 403},
		{"/objects/valuer-str", "1234567890123456789", 200},
	} {
		c.run(t, e, iss, "uid")
	}
}

// TestRequireOwnerComparesIntegersExactly: the code-level helper compares as the spec
// middleware does.
func TestRequireOwnerComparesIntegersExactly(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	objects := exactObjects()
	e := echo.New()
	e.Use(echoaxioms.AccessToken(echoaxioms.AccessTokenConfig{Validator: iss.Validator(t), Logger: discardLogger()}))
	e.GET("/objects/:id", ok, echoaxioms.RequireOwner(func(c echo.Context) (any, error) {
		if o, found := objects[c.Param("id")]; found {
			return o, nil
		}
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}, "owner", "uid"))
	n := func(s string) json.Number { return json.Number(s) }
	for _, c := range []exactCase{
		{"/objects/i64-2^53+1", n("9007199254740993"), 200},
		{"/objects/i64-2^53+1", n("9007199254740992"), 403},
		{"/objects/u64-max", n("18446744073709551615"), 200},
		{"/objects/named", n("1234567890123456789"), 200},
		{"/objects/named", n("1234567890123456800"), 403},
		{"/objects/number", n("9007199254740993"), 200},
		{"/objects/string", "9007199254740993", 200},
		{"/objects/string", n("9007199254740993"), 403},
		{"/objects/i64-1", n("1.0"), 403},
		{"/objects/float-1", 1, 403},
		{"/objects/bool", true, 403},
	} {
		c.run(t, e, iss, "uid")
	}
}

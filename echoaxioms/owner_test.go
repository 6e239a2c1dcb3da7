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
	"github.com/axioms-go/axioms-echo/internal/specgen"
	"github.com/axioms-go/axioms-echo/openapi"
)

// The x-axioms-owner rule through the middleware (and RequireOwner): how an owner value
// compares with a claim, and where the owner parameter is in the route.

// ownersDoc owns objects by the field user, read through the loader "objects".
var ownersDoc = specgen.Doc{Security: "[{oauth2: []}]"}.YAML(`
  /by-sub/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: bySub, x-axioms-owner: {field: user, loader: objects}, responses: {"403": {description: no}}}
  /by-uid/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: byUID, x-axioms-owner: {field: user, claim: uid, loader: objects}, responses: {"403": {description: no}}}
  /param-uid/{uid}:
    parameters: [{name: uid, in: path, required: true, schema: {type: string}}]
    get: {operationId: paramUID, x-axioms-owner: {param: uid, claim: uid}, responses: {"403": {description: no}}}
`)

// exactOwnersDoc protects accounts by a path parameter and objects by a loaded field,
// both owned through the numeric claim uid (or the nested claim /org/id).
var exactOwnersDoc = specgen.Doc{Security: "[{oauth2: []}]"}.YAML(`
  /accounts/{account_id}:
    parameters: [{name: account_id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getAccount, x-axioms-owner: {param: account_id, claim: uid}, responses: {"403": {description: no}}}
  /orgs/{org_id}:
    parameters: [{name: org_id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getOrg, x-axioms-owner: {param: org_id, claim: /org/id}, responses: {"403": {description: no}}}
  /objects/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getObject, x-axioms-owner: {field: owner, claim: uid, loader: objects}, responses: {"403": {description: no}}}
`)

// tenantDoc owns a profile by the path parameter id, under the servers given.
func tenantDoc(servers string) []byte {
	return specgen.Doc{Servers: servers, Security: "[{oauth2: []}]"}.YAML(`
  /users/{id}/profile:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: profile, x-axioms-owner: {param: id}, responses: {"401": {description: no}, "403": {description: no}}}
`)
}

// ownersHarness protects doc, whose loader "objects" returns objects by the id path
// parameter (404 for others), and registers routes (GET, answered by ok).
func ownersHarness(t *testing.T, doc []byte, objects map[string]any, routes ...string) *harness {
	t.Helper()
	h := newHarness(t, harnessOptions{doc: doc, config: func(c *echoaxioms.Config) {
		c.Logger = discardLogger()
		c.OwnerLoaders = map[string]echoaxioms.OwnerLoader{"objects": objectLoader(objects)}
	}})
	for _, r := range routes {
		h.e.GET(r, ok)
	}
	return h
}

// objectLoader returns objects by the id path parameter, and 404 for others.
func objectLoader(objects map[string]any) echoaxioms.OwnerLoader {
	return func(c echo.Context) (any, error) {
		if o, found := objects[c.Param("id")]; found {
			return o, nil
		}
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}
}

// ownerValuer reports its owner field itself, without reflection.
type ownerValuer struct {
	field string
	owner any
}

func (v ownerValuer) OwnerValue(field string) (any, bool) {
	if field != v.field {
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
	objects := map[string]any{
		"str-42":       map[string]any{"user": "42"},
		"num-42":       map[string]any{"user": float64(42)},
		"int-42":       map[string]any{"user": 42},
		"nil":          map[string]any{"user": nil},
		"none":         map[string]any{"user": "None"},
		"struct-42":    &ownedStruct{Owner: 42},
		"valuer-str":   ownerValuer{field: "user", owner: "42"},
		"valuer-int":   ownerValuer{field: "user", owner: int64(42)},
		"valuer-nil":   ownerValuer{field: "user", owner: nil},
		"string-map":   map[string]string{"user": "42"},
		"bool-true":    map[string]any{"user": true},
		"fraction":     map[string]any{"user": 42.5},
		"big-int":      map[string]any{"user": int64(1<<53 + 1)},
		"no-field":     map[string]any{"owner": "42"},
		"valuer-other": ownerValuer{field: "user", owner: "someone"},
	}
	h := ownersHarness(t, ownersDoc, objects, "/by-sub/:id", "/by-uid/:id", "/param-uid/:uid")
	subStr := h.bearer(map[string]any{"sub": "42"})
	subNone := h.bearer(map[string]any{"sub": "None"})
	uidNum := h.bearer(map[string]any{"uid": 42})
	uidStr := h.bearer(map[string]any{"uid": "42"})
	uidNull := h.bearer(map[string]any{"uid": nil})
	uidBig := h.bearer(map[string]any{"uid": float64(1 << 53)})
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
		rec := h.do("GET", c.target, c.auth)
		assert.Equal(t, c.status, rec.Code, "%s: %s", c.target, rec.Body.String())
		if c.status == 200 {
			assert.Contains(t, rec.Body.String(), `"route"`)
		} else {
			assert.NotContains(t, rec.Body.String(), `"route"`, "%s reached the handler", c.target)
		}
	}
}

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
		"valuer":      ownerValuer{field: "owner", owner: uint64(9007199254740993)},
		"valuer-num":  ownerValuer{field: "owner", owner: json.Number("1234567890123456789")},
		"valuer-str":  ownerValuer{field: "owner", owner: "1234567890123456789"},
	}
}

type exactCase struct {
	target string
	uid    any // the claim's value, written into the token by encoding/json
	status int
}

func (c exactCase) run(t *testing.T, h *harness, claim string) {
	t.Helper()
	rec := h.do(http.MethodGet, c.target, h.bearer(map[string]any{claim: c.uid}))
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
	h := ownersHarness(t, exactOwnersDoc, exactObjects(), "/accounts/:account_id", "/orgs/:org_id", "/objects/:id")
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
		c.run(t, h, "uid")
	}

	// A JSON Pointer claim reads the nested number's text the same way.
	for _, c := range []exactCase{
		{"/orgs/9007199254740993", map[string]any{"id": n("9007199254740993")}, 200},
		{"/orgs/9007199254740992", map[string]any{"id": n("9007199254740993")}, 403},
		{"/orgs/1", map[string]any{"id": n("1.0")}, 403},
		{"/orgs/1", map[string]any{"id": true}, 403},
		{"/orgs/7", map[string]any{"id": "7"}, 200},
	} {
		c.run(t, h, "org")
	}
}

// TestOwnerLoaderComparesIntegersExactly: an object's field equals an integer claim only
// when it is an integer (any Go integer type, json.Number written as an integer) with the
// same decimal text; a string field equals only a string claim; floats, bools, nil and
// empty strings own nothing.
func TestOwnerLoaderComparesIntegersExactly(t *testing.T) {
	h := ownersHarness(t, exactOwnersDoc, exactObjects(), "/accounts/:account_id", "/orgs/:org_id", "/objects/:id")
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
		c.run(t, h, "uid")
	}
}

// TestRequireOwnerComparesIntegersExactly: the code-level helper compares as the spec
// middleware does.
func TestRequireOwnerComparesIntegersExactly(t *testing.T) {
	h := newHarness(t, harnessOptions{accessToken: func(c *echoaxioms.AccessTokenConfig) { c.Logger = discardLogger() }})
	h.e.GET("/objects/:id", ok, echoaxioms.RequireOwner(objectLoader(exactObjects()), "owner", "uid"))
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
		c.run(t, h, "uid")
	}
}

// TestOwnerParamWithTemplatedBasePath: the owner parameter is located in the full
// route Echo matched (base path and group prefixes included), never in the document's
// template alone, so a base-path parameter cannot stand in for the owner.
func TestOwnerParamWithTemplatedBasePath(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	for _, c := range []struct {
		name     string
		servers  string
		opts     openapi.LoadOptions
		register func(e *echo.Echo)
	}{
		{"servers URL with a variable", "[{url: '/{tenant}', variables: {tenant: {default: acme}}}]", openapi.LoadOptions{BasePath: "/{tenant}"},
			func(e *echo.Echo) { e.GET("/:tenant/users/:uid/profile", ok) }},
		{"LoadOptions.BasePath", "", openapi.LoadOptions{BasePath: "/{tenant}"},
			func(e *echo.Echo) { e.GET("/:tenant/users/:uid/profile", ok) }},
		{"group prefix with a parameter", "", openapi.LoadOptions{BasePath: "/{org}"},
			func(e *echo.Echo) { e.Group("/:org").GET("/users/:uid/profile", ok) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{doc: tenantDoc(c.servers), load: c.opts, issuer: iss})
			c.register(h.e)
			for _, r := range []struct {
				sub, target string
				status      int
			}{
				{"mallory", "/mallory/users/victim/profile", http.StatusForbidden},
				{"mallory", "/acme/users/mallory/profile", http.StatusOK},
				{"victim", "/mallory/users/victim/profile", http.StatusOK},
				{"victim", "/victim/users/mallory/profile", http.StatusForbidden},
			} {
				rec := h.do("GET", r.target, h.bearer(map[string]any{"sub": r.sub}))
				assert.Equal(t, r.status, rec.Code, "%s %s: %s", r.sub, r.target, rec.Body.String())
			}
		})
	}
}

func TestOwnerParamAmbiguousInFullRouteFailsToBuild(t *testing.T) {
	policies, err := openapi.LoadData(tenantDoc(""), openapi.LoadOptions{BasePath: "/{id}"})
	require.NoError(t, err)
	_, err = echoaxioms.Config{Policies: policies, Validator: axiomstest.NewIssuer(t, axiomstest.IssuerConfig{}).Validator(t)}.ToMiddleware()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `owner parameter "id" appears 2 times in the route /{id}/users/{id}/profile`)
}

// TestOwnerParamRouteWithOtherParametersFailsClosed: a route whose parameters are not the
// operation's (here an extra wildcard) cannot locate the owner: 500, never a pass.
func TestOwnerParamRouteWithOtherParametersFailsClosed(t *testing.T) {
	h := newHarness(t, harnessOptions{doc: tenantDoc(""), config: func(c *echoaxioms.Config) { c.Logger = discardLogger() }})
	// "{id}" in an Echo path is read as a template: the route matches the operation's
	// shape but Echo sees no parameter in it.
	h.e.GET("/users/{id}/profile", ok)
	rec := h.do("GET", "/users/{id}/profile", h.bearer(map[string]any{"sub": "{id}"}))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
}

// TestErrorHandlerSeesTheRefusedOwner: the owner rule is checked after authentication,
// so the ErrorHandler of its denial reads who was refused; denials before it have no
// caller.
func TestErrorHandlerSeesTheRefusedOwner(t *testing.T) {
	var seen []string
	h := newHarness(t, harnessOptions{config: func(c *echoaxioms.Config) {
		c.ErrorHandler = func(c echo.Context, denial *echoaxioms.Error) error {
			sub := "nobody"
			if claims := echoaxioms.Claims(c); claims != nil {
				sub = claims.Subject()
			}
			seen = append(seen, string(denial.Reason)+" "+sub)
			return nil
		}
	}})
	mine := h.bearer(nil)
	assert.Equal(t, http.StatusForbidden, h.do("GET", "/users/someone-else/profile", mine).Code)
	assert.Equal(t, http.StatusForbidden, h.do("GET", "/articles/2", mine).Code)
	assert.Equal(t, http.StatusForbidden, h.do("GET", "/write", mine).Code)
	assert.Equal(t, []string{"not_owner " + axiomstest.DefaultSubject, "not_owner " + axiomstest.DefaultSubject, "insufficient_scope nobody"}, seen)
}

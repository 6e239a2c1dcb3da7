package enforce

import (
	"encoding/json"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

type named string

type embedded struct {
	Tenant string `json:"tenant"`
}

type record struct {
	embedded
	User       string  `json:"user"`
	Owner      *string `json:"owner_ptr"`
	OwnerID    int64   `json:"owner_id"`
	Score      float64
	Kind       named
	Hidden     string `json:"-"`
	unexported string
	Renamed    string `json:"user_name,omitempty"`
}

func TestFieldValue(t *testing.T) {
	owner := "alice"
	r := record{embedded: embedded{Tenant: "acme"}, User: "bob", Owner: &owner, OwnerID: 42, Score: 1.5, Kind: "k", Hidden: "h", unexported: "u", Renamed: "r"}
	for name, want := range map[string]any{
		"user": "bob", "User": "bob", "owner_ptr": &owner, "owner_id": int64(42), "Score": 1.5, "Kind": named("k"),
		"tenant": "acme", "user_name": "r", "Renamed": "r",
	} {
		got, ok := fieldValue(&r, name)
		assert.True(t, ok, name)
		assert.Equal(t, want, got, name)
		_, ok = fieldValue(r, name)
		assert.True(t, ok, "by value too: %s", name)
	}
	for _, absent := range []string{"Hidden", "-", "unexported", "nope", ""} {
		_, ok := fieldValue(&r, absent)
		assert.False(t, ok, absent)
	}
	got, ok := fieldValue(map[string]any{"user": nil}, "user")
	assert.True(t, ok)
	assert.Nil(t, got)
	got, ok = fieldValue(map[string]string{"user": "x"}, "user")
	assert.True(t, ok)
	assert.Equal(t, "x", got)
	got, ok = fieldValue(map[named]int{"user": 3}, "user")
	assert.True(t, ok)
	assert.Equal(t, 3, got)
	for _, obj := range []any{nil, (*record)(nil), 42, "user", []string{"user"}, map[int]string{1: "user"}} {
		_, ok := fieldValue(obj, "user")
		assert.False(t, ok, "%T", obj)
	}
}

// tokenClaims holds one claim, uid, written in the token as the JSON number text: Claim
// returns it as a float64 and IntegerClaim as its text when written as an integer, as
// validator.Claims does.
type tokenClaims struct{ text string }

var integerLiteral = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

func (tokenClaims) HasScope(string) bool      { return false }
func (tokenClaims) HasRole(string) bool       { return false }
func (tokenClaims) HasPermission(string) bool { return false }
func (p tokenClaims) Claim(name string) (any, bool) {
	f, err := strconv.ParseFloat(p.text, 64)
	return f, name == "uid" && err == nil
}
func (p tokenClaims) IntegerClaim(name string) (string, bool) {
	return p.text, name == "uid" && integerLiteral.MatchString(p.text)
}

// plainClaims holds one claim, uid, with any Go value, and cannot read integers exactly.
type plainClaims struct{ value any }

func (plainClaims) HasScope(string) bool       { return false }
func (plainClaims) HasRole(string) bool        { return false }
func (plainClaims) HasPermission(string) bool  { return false }
func (p plainClaims) Claim(string) (any, bool) { return p.value, p.value != nil }

// num is the owner key of a uid claim written in the token as the number text.
func num(text string) ownerKey {
	p := tokenClaims{text}
	v, _ := p.Claim("uid")
	return claimOwnerKey(p, "uid", v)
}

// val is the owner key of a uid claim whose value is v.
func val(v any) ownerKey { return claimOwnerKey(plainClaims{v}, "uid", v) }

type (
	namedInt  int16
	namedUint uint64
)

func TestClaimOwnerKey(t *testing.T) {
	for _, c := range []struct {
		claim ownerKey
		want  ownerKey
	}{
		{num("1"), ownerKey{"1", true}},
		{num("9007199254740993"), ownerKey{"9007199254740993", true}},
		{num("-9223372036854775809"), ownerKey{"-9223372036854775809", true}},
		{num("123456789012345678901234567890"), ownerKey{"123456789012345678901234567890", true}},
		{num("-0"), ownerKey{"0", true}},
		{num("1.0"), ownerKey{}},
		{num("1e3"), ownerKey{}},
		{num("1.5"), ownerKey{}},
		{val(float64(1)), ownerKey{}}, // no IntegerClaim: a float64 owns nothing
		{val(float32(1)), ownerKey{}},
		{val("alice"), ownerKey{"alice", false}},
		{val("42"), ownerKey{"42", false}},
		{val(""), ownerKey{}},
		{val(named("alice")), ownerKey{"alice", false}},
		{val(42), ownerKey{"42", true}},
		{val(int64(-9007199254740993)), ownerKey{"-9007199254740993", true}},
		{val(uint64(18446744073709551615)), ownerKey{"18446744073709551615", true}},
		{val(namedInt(-7)), ownerKey{"-7", true}},
		{val(namedUint(7)), ownerKey{"7", true}},
		{val(json.Number("9007199254740993")), ownerKey{"9007199254740993", true}},
		{val(json.Number("-0")), ownerKey{"0", true}},
		{val(json.Number("1.0")), ownerKey{}},
		{val(json.Number("01")), ownerKey{}},
		{val(json.Number("+1")), ownerKey{}},
		{val(json.Number("")), ownerKey{}},
		{val(true), ownerKey{}},
		{val([]any{"a"}), ownerKey{}},
		{val(map[string]any{"id": "a"}), ownerKey{}},
	} {
		assert.Equal(t, c.want, c.claim)
	}
	// A principal whose IntegerClaim declines owns nothing by a float64.
	assert.Equal(t, ownerKey{}, claimOwnerKey(tokenClaims{"1"}, "other", float64(1)))
}

func TestSameValue(t *testing.T) {
	s := "alice"
	big := int64(9007199254740993)
	var nilInt *int64
	for _, c := range []struct {
		field any
		claim ownerKey
		equal bool
	}{
		{"alice", val("alice"), true},
		{&s, val("alice"), true},
		{named("alice"), val("alice"), true},
		{"alice", val("Alice"), false},
		{"", val(""), false},
		{nil, val("None"), false},
		{"None", val(nil), false},
		{nil, val(nil), false},
		{(*string)(nil), val(""), false},
		{int64(42), num("42"), true},
		{int(42), num("42"), true},
		{uint8(42), num("42"), true},
		{namedInt(42), num("42"), true},
		{int64(42), val(42), true},
		{int64(42), val(json.Number("42")), true},
		{json.Number("42"), num("42"), true},
		{json.Number("42"), val(42), true},
		{big, num("9007199254740993"), true},
		{big, num("9007199254740992"), false},
		{&big, num("9007199254740993"), true},
		{nilInt, num("0"), false},
		{uint64(18446744073709551615), num("18446744073709551615"), true},
		{namedUint(18446744073709551615), num("18446744073709551615"), true},
		{int64(-9223372036854775808), num("-9223372036854775808"), true},
		{int64(0), num("-0"), true},
		{json.Number("9007199254740993"), num("9007199254740993"), true},
		{json.Number("9007199254740993"), num("9007199254740992"), false},
		{json.Number("1.0"), num("1"), false},
		{json.Number("1e0"), num("1"), false},
		{json.Number("01"), num("1"), false},
		{"42", num("42"), false}, // a string never equals an integer
		{"42", val(42), false},
		{int64(42), val("42"), false},
		{json.Number("42"), val("42"), false},
		{named("42"), num("42"), false},
		{int64(42), num("42.0"), false},
		{int64(42), num("4.2e1"), false},
		{int64(1), num("1.0"), false},
		{float64(42), num("42"), false}, // floats never match
		{float32(1.5), num("1.5"), false},
		{float64(9007199254740992), num("9007199254740993"), false},
		{true, val(true), false}, // nor do bools
		{true, val("true"), false},
		{uintptr(1), num("1"), false},
		{[]string{"a"}, val("a"), false},
		{"a", val([]any{"a"}), false},
		{map[string]any{}, val(map[string]any{}), false},
	} {
		assert.Equal(t, c.equal, sameValue(c.field, c.claim), "%#v vs %#v", c.field, c.claim)
	}
}

func TestParamEquals(t *testing.T) {
	for _, c := range []struct {
		param string
		claim ownerKey
		equal bool
	}{
		{"user-1", val("user-1"), true},
		{"user-1", val("USER-1"), false},
		{"", val(""), false},
		{"42", val("42"), true},
		{"042", val("42"), false},
		{"42", num("42"), true},
		{"42", val(42), true},
		{"42", val(json.Number("42")), true},
		{"42.0", num("42"), false},
		{"042", num("42"), false},
		{"+42", num("42"), false},
		{" 42", num("42"), false},
		{"4.2e1", num("42"), false},
		{"9007199254740993", num("9007199254740993"), true},
		{"9007199254740992", num("9007199254740993"), false},
		{"1234567890123456789", num("1234567890123456789"), true},
		{"1234567890123456800", num("1234567890123456789"), false},
		{"0", num("-0"), true},
		{"-0", num("-0"), false},
		{"1", num("1.0"), false},
		{"1.0", num("1.0"), false},
		{"1", num("1e0"), false},
		{"1", val(float64(1)), false},
		{"42", val(nil), false},
		{"true", val(true), false},
		{"", ownerKey{}, false},
		{"Inf", num("Inf"), false},
	} {
		assert.Equal(t, c.equal, paramEquals(c.param, c.claim), "%q vs %#v", c.param, c.claim)
	}
}

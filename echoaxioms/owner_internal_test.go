package echoaxioms

import (
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

func TestSameValue(t *testing.T) {
	s := "alice"
	for _, c := range []struct {
		field, claim any
		equal        bool
	}{
		{"alice", "alice", true},
		{&s, "alice", true},
		{named("alice"), "alice", true},
		{"alice", "Alice", false},
		{"", "", false},
		{nil, "None", false},
		{"None", nil, false},
		{nil, nil, false},
		{int64(42), float64(42), true},
		{int(42), float64(42), true},
		{uint8(42), float64(42), true},
		{float32(1.5), float64(1.5), true},
		{"42", float64(42), false},
		{int64(42), "42", false},
		{int64(42), float64(42.5), false},
		{int64(1 << 60), float64(1 << 60), false},
		{uint64(3), float64(-3), false},
		{true, true, true},
		{true, "true", false},
		{(*int)(nil), float64(0), false},
		{[]string{"a"}, "a", false},
		{"a", []any{"a"}, false},
		{map[string]any{}, map[string]any{}, false},
	} {
		assert.Equal(t, c.equal, sameValue(c.field, c.claim), "%#v vs %#v", c.field, c.claim)
	}
}

func TestParamEquals(t *testing.T) {
	for _, c := range []struct {
		param string
		claim any
		equal bool
	}{
		{"user-1", "user-1", true},
		{"user-1", "USER-1", false},
		{"", "", false},
		{"42", float64(42), true},
		{"42.0", float64(42), false},
		{"042", float64(42), false},
		{"+42", float64(42), false},
		{"4.2e1", float64(42), false},
		{"42", "42", true},
		{"42", nil, false},
		{"true", true, false},
		{"Inf", float64(0), false},
	} {
		assert.Equal(t, c.equal, paramEquals(c.param, c.claim), "%q vs %#v", c.param, c.claim)
	}
}

func TestQuote(t *testing.T) {
	assert.Equal(t, `"a\"b\\c"`, quote(`a"b\c`))
	assert.Equal(t, `"ab"`, quote("a\r\nb\x00\u00e9"), "controls and non-ASCII are dropped")
}

func TestBearerToken(t *testing.T) {
	h := func(vals ...string) map[string][]string { return map[string][]string{"Authorization": vals} }
	for _, c := range []struct {
		values []string
		token  string
		state  tokenState
	}{
		{nil, "", tokenMissing},
		{[]string{"Bearer abc"}, "abc", tokenPresent},
		{[]string{"bearer abc"}, "abc", tokenPresent},
		{[]string{"BEARER   a.b-c_d~e+f/g=="}, "a.b-c_d~e+f/g==", tokenPresent},
		{[]string{"Basic abc"}, "", tokenMissing},
		{[]string{"Bearerabc"}, "", tokenMissing},
		{[]string{"DPoP abc"}, "", tokenMissing},
		{[]string{"Bearer"}, "", tokenMalformed},
		{[]string{"Bearer "}, "", tokenMalformed},
		{[]string{"Bearer\tabc"}, "", tokenMissing},
		{[]string{"Bearer abc def"}, "", tokenMalformed},
		{[]string{"Bearer abc "}, "", tokenMalformed},
		{[]string{"Bearer a=b"}, "", tokenMalformed},
		{[]string{"Bearer =abc"}, "", tokenMalformed},
		{[]string{"Bearer ab,c"}, "", tokenMalformed},
		{[]string{"Bearer ünï"}, "", tokenMalformed},
		{[]string{"Bearer abc", "Bearer def"}, "", tokenMalformed},
		{[]string{""}, "", tokenMissing},
	} {
		tok, state, _ := bearerToken(h(c.values...))
		assert.Equal(t, c.state, state, "%q", c.values)
		assert.Equal(t, c.token, tok, "%q", c.values)
	}
	hdr := h("Bearer abc.def.ghi")
	assert.Zero(t, testing.AllocsPerRun(100, func() { bearerToken(hdr) }))
}

func TestParamIndex(t *testing.T) {
	for _, c := range []struct {
		template, name            string
		index, count, occurrences int
	}{
		{"/users/{id}", "id", 0, 1, 1},
		{"/a/{x}/b/{y}", "y", 1, 2, 1},
		{"/f/{name}.{ext}", "ext", 1, 2, 1},
		{"/{tenant}/users/{id}/profile", "id", 1, 2, 1},
		{"/{id}/users/{id}", "id", 0, 2, 2},
		{"/a/{x}", "y", -1, 1, 0},
		{"/a/{x", "x", -1, 0, 0},
	} {
		index, count, occurrences := paramIndex(c.template, c.name)
		assert.Equal(t, []int{c.index, c.count, c.occurrences}, []int{index, count, occurrences}, "%s %s", c.template, c.name)
	}
}

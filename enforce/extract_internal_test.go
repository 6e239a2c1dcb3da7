package enforce

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

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
		b := readBearer(h(c.values...), false, false)
		assert.Equal(t, c.state, b.state, "%q", c.values)
		assert.Equal(t, c.token, b.token, "%q", c.values)
	}
	hdr := h("Bearer abc.def.ghi")
	assert.Zero(t, testing.AllocsPerRun(100, func() { readBearer(hdr, false, false) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { readBearer(hdr, true, false) }))
}

func TestDPoPToken(t *testing.T) {
	h := func(vals ...string) map[string][]string { return map[string][]string{"Authorization": vals} }
	for _, c := range []struct {
		values  []string
		token   string
		state   tokenState
		dpop    bool
		problem string
	}{
		{[]string{"DPoP abc"}, "abc", tokenPresent, true, ""},
		{[]string{"dpop   a.b-c_d~e+f/g=="}, "a.b-c_d~e+f/g==", tokenPresent, true, ""},
		{[]string{"Bearer abc"}, "abc", tokenPresent, false, ""},
		{[]string{"DPoP"}, "", tokenMalformed, true, "the DPoP scheme carries no token"},
		{[]string{"DPoP   "}, "", tokenMalformed, true, "the DPoP scheme carries no token"},
		{[]string{"DPoP a b"}, "", tokenMalformed, true, errDPoPNotToken68},
		{[]string{"DPoP a=b"}, "", tokenMalformed, true, errDPoPNotToken68},
		{[]string{"DPoP ünï"}, "", tokenMalformed, true, errDPoPNotToken68},
		{[]string{"DPoP abc "}, "", tokenMalformed, true, errDPoPNotToken68},
		{[]string{"DPoPabc"}, "", tokenMissing, false, ""},
		{[]string{"DPoP\tabc"}, "", tokenMissing, false, ""},
		{[]string{"DPo abc"}, "", tokenMissing, false, ""},
		{[]string{"Basic abc"}, "", tokenMissing, false, ""},
		{[]string{"DPoP abc", "DPoP abc"}, "", tokenMalformed, false, "more than one Authorization header"},
	} {
		b := readBearer(h(c.values...), false, true)
		assert.Equal(t, c.state, b.state, "%q", c.values)
		assert.Equal(t, c.token, b.token, "%q", c.values)
		assert.Equal(t, c.dpop, b.dpop, "%q", c.values)
		assert.Equal(t, c.problem, b.problem, "%q", c.values)
		assert.False(t, b.deferred, "DPoP tokens are checked at once")
	}
	// Without dpop, the DPoP scheme is another scheme, as it always was.
	b := readBearer(h("DPoP abc"), false, false)
	assert.Equal(t, tokenMissing, b.state)
	b = readBearer(h("DPoP"), false, false)
	assert.Equal(t, tokenMissing, b.state)
}

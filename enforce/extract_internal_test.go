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

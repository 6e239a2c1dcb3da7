package rename

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWords(t *testing.T) {
	fields := map[string]string{"Issuer": "AXIOMS_ISS_URL", "JWKSURL": "AXIOMS_JWKS_URL", "InsecureSkipHTTPSCheck": "AXIOMS_INSECURE_SKIP_HTTPS_CHECK"}
	name := func(w string) (string, bool) { n, ok := fields[w]; return n, ok }
	drop := func(w string) bool { return w == "InsecureSkipIssuerCheck" || w == "JWKS" }
	for _, tc := range []struct{ in, want string }{
		{
			"validator: Issuer is required (set InsecureSkipIssuerCheck to accept any issuer)",
			"validator: AXIOMS_ISS_URL is required",
		},
		{
			`validator: Issuer cannot be used for discovery (set JWKSURL): "Issuer (x)" must use https (or with InsecureSkipHTTPSCheck)`,
			`validator: AXIOMS_ISS_URL cannot be used for discovery (set AXIOMS_JWKS_URL): "Issuer (x)" must use https (or with AXIOMS_INSECURE_SKIP_HTTPS_CHECK)`,
		},
		{`a "quoted \" Issuer" IssuerX Issuer_ (nested (JWKS) hint) end`, `a "quoted \" Issuer" IssuerX Issuer_ end`},
		{`unterminated "Issuer`, `unterminated "Issuer`},
		{`open (Issuer`, `open (AXIOMS_ISS_URL`},
		{"ünïcode Issuer «Issuer»", "ünïcode AXIOMS_ISS_URL «AXIOMS_ISS_URL»"},
		{"", ""},
	} {
		assert.Equal(t, tc.want, Words(tc.in, name, drop), tc.in)
	}
	assert.Equal(t, "AXIOMS_ISS_URL (set InsecureSkipIssuerCheck)", Words("Issuer (set InsecureSkipIssuerCheck)", name, nil))
}

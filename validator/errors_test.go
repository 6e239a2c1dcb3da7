package validator_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

func TestErrorsClassesAndReasons(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	v := staticValidator(t, validator.Config{}, jwksJSON(t, s.jwk(t, nil)))
	_, err := v.Validate(t.Context(), s.token(t, claims(map[string]any{"exp": testNow.Add(-time.Hour).Unix()}), nil))
	require.Error(t, err)
	assert.True(t, errors.Is(err, validator.ErrInvalidToken))
	assert.False(t, errors.Is(err, validator.ErrKeysUnavailable))
	assert.Equal(t, validator.ReasonExpired, validator.ReasonOf(err))
	assert.Equal(t, "token expired", err.Error(), "the text is the fixed description")
	assert.Nil(t, errors.Unwrap(err), "a token's fault has no underlying cause")

	wrapped := fmt.Errorf("checking: %w", err)
	assert.True(t, errors.Is(wrapped, validator.ErrInvalidToken))
	assert.Equal(t, validator.ReasonExpired, validator.ReasonOf(wrapped), "the reason survives wrapping")

	assert.False(t, errors.Is(validator.ErrKeysUnavailable, validator.ErrInvalidToken))
	assert.False(t, errors.Is(validator.ErrInvalidToken, validator.ErrKeysUnavailable))
	assert.Equal(t, validator.Reason(""), validator.ReasonOf(validator.ErrKeysUnavailable), "a class is not a reason")
	assert.Equal(t, validator.Reason(""), validator.ReasonOf(validator.ErrInvalidToken))
	assert.Equal(t, validator.Reason(""), validator.ReasonOf(nil))
	assert.Equal(t, validator.Reason(""), validator.ReasonOf(errors.New("other")))

	// Two failures are distinct values: annotating one never changes another.
	_, err2 := v.Validate(t.Context(), "a.b")
	_, err3 := v.Validate(t.Context(), "a.b")
	requireReason(t, err2, validator.ReasonMalformed)
	assert.NotSame(t, err2, err3)
}

// TestEveryReasonIsProducedAndDocumented: every Reason constant is what ReasonOf reports
// for some error of Validate, with the class the package doc gives it, and the package doc's
// list has exactly the constants.
func TestEveryReasonIsProducedAndDocumented(t *testing.T) {
	s := newSigner(t, "ES256", "k1")
	keys := jwksJSON(t, s.jwk(t, nil))
	v := staticValidator(t, validator.Config{}, keys)
	forged := newSigner(t, "ES256", "k1") // another key under the same kid
	validate := func(v *validator.Validator, over map[string]any, hdr map[string]any) error {
		_, err := v.Validate(t.Context(), s.token(t, claims(over), hdr))
		return err
	}
	produce := map[validator.Reason]func(t *testing.T) error{
		validator.ReasonMalformed: func(*testing.T) error { _, err := v.Validate(t.Context(), "a.b"); return err },
		validator.ReasonTooLarge: func(*testing.T) error {
			_, err := v.Validate(t.Context(), strings.Repeat("a", validator.DefaultMaxTokenSize+1))
			return err
		},
		validator.ReasonAlgNotAllowed: func(*testing.T) error {
			_, err := v.Validate(t.Context(), b64(`{"alg":"none"}`)+"."+b64(`{}`)+".")
			return err
		},
		validator.ReasonUnknownKey: func(*testing.T) error { return validate(v, nil, map[string]any{"kid": "other"}) },
		validator.ReasonBadSignature: func(*testing.T) error {
			_, err := v.Validate(t.Context(), forged.token(t, claims(nil), nil))
			return err
		},
		validator.ReasonExpired:        func(*testing.T) error { return validate(v, map[string]any{"exp": testNow.Add(-time.Hour).Unix()}, nil) },
		validator.ReasonNotYetValid:    func(*testing.T) error { return validate(v, map[string]any{"nbf": testNow.Add(time.Hour).Unix()}, nil) },
		validator.ReasonIssuedInFuture: func(*testing.T) error { return validate(v, map[string]any{"iat": testNow.Add(time.Hour).Unix()}, nil) },
		validator.ReasonWrongIssuer:    func(*testing.T) error { return validate(v, map[string]any{"iss": "https://other.example/"}, nil) },
		validator.ReasonWrongAudience:  func(*testing.T) error { return validate(v, map[string]any{"aud": "https://other.example"}, nil) },
		validator.ReasonMissingClaim:   func(*testing.T) error { return validate(v, map[string]any{"exp": nil}, nil) },
		validator.ReasonWrongType: func(t *testing.T) error {
			return validate(staticValidator(t, validator.Config{RequireType: true}, keys), nil, nil)
		},
		validator.ReasonClaimMismatch: func(t *testing.T) error {
			return validate(staticValidator(t, validator.Config{RequiredClaims: map[string]string{"sub": "someone-else"}}, keys), nil, nil)
		},
		validator.ReasonKeysUnavailable: func(t *testing.T) error {
			ks := newKeyServer(t, keys)
			ks.set(func(k *keyServer) { k.status = http.StatusServiceUnavailable })
			_, err := remoteValidator(t, ks, axiomstest.NewClock(testNow), validator.Config{}).Validate(t.Context(), s.token(t, issuedBy(ks, nil), nil))
			return err
		},
		validator.ReasonInactive: func(t *testing.T) error {
			_, err := introValidator(t, newIntroServer(t, `{"active":false}`), validator.Config{}, validator.Introspection{}).Validate(t.Context(), opaqueToken)
			return err
		},
		validator.ReasonIntrospectionUnavailable: func(t *testing.T) error {
			_, err := introValidator(t, newIntroServer(t, `{"active":"yes"}`), validator.Config{}, validator.Introspection{}).Validate(t.Context(), opaqueToken)
			return err
		},
		validator.ReasonIssuerMismatch: func(t *testing.T) error {
			ks := newKeyServer(t, keys)
			ks.set(func(k *keyServer) { k.discState = http.StatusServiceUnavailable })
			clock := axiomstest.NewClock(testNow)
			v := remoteValidator(t, ks, clock, validator.Config{})
			ks.set(func(k *keyServer) {
				k.discState, k.discovery = 0, `{"issuer":"https://other.example/","jwks_uri":"https://other.example/keys"}`
			})
			clock.Advance(time.Minute) // past the retry backoff
			_, err := v.Validate(t.Context(), s.token(t, issuedBy(ks, nil), nil))
			return err
		},
	}

	dpopKey := axiomstest.NewDPoPKey(t, "ES256")
	check := func(cfg validator.DPoPConfig, spec axiomstest.ProofSpec, jkt string) error {
		cfg.Now = func() time.Time { return testNow }
		d, err := validator.NewDPoPChecker(cfg)
		require.NoError(t, err)
		spec.Method, spec.URL, spec.AccessToken, spec.IssuedAt = "GET", "https://api.example.test/", "token", testNow
		proof := dpopKey.Proof(t, spec)
		if err := d.Check(proof, "GET", "https://api.example.test/", "token", jkt); err != nil {
			return err
		}
		return d.Check(proof, "GET", "https://api.example.test/", "token", jkt)
	}
	produce[validator.ReasonInvalidDPoPProof] = func(t *testing.T) error {
		return check(validator.DPoPConfig{}, axiomstest.ProofSpec{Header: map[string]any{"typ": "JWT"}}, dpopKey.Thumbprint())
	}
	produce[validator.ReasonDPoPReplayed] = func(t *testing.T) error {
		return check(validator.DPoPConfig{}, axiomstest.ProofSpec{}, dpopKey.Thumbprint())
	}
	produce[validator.ReasonDPoPKeyMismatch] = func(t *testing.T) error {
		return check(validator.DPoPConfig{}, axiomstest.ProofSpec{}, axiomstest.NewDPoPKey(t, "ES256").Thumbprint())
	}
	produce[validator.ReasonUseDPoPNonce] = func(t *testing.T) error {
		return check(validator.DPoPConfig{NonceSecret: make([]byte, 32)}, axiomstest.ProofSpec{}, dpopKey.Thumbprint())
	}

	constants := reasonConstants(t)
	documented := documentedReasons(t)
	for _, r := range constants {
		t.Run(string(r), func(t *testing.T) {
			f, ok := produce[r]
			require.True(t, ok, "no error of Validate or DPoPChecker.Check is known to carry %s", r)
			err := f(t)
			requireReason(t, err, r)
			require.Contains(t, documented, r, "the package doc lists %s", r)
			assert.ErrorIs(t, err, documented[r], "the class the package doc gives %s", r)
		})
	}
	assert.Len(t, produce, len(constants), "every produced reason is a constant")
	assert.Len(t, documented, len(constants), "the package doc lists only the constants")
}

// reasonConstants reads the values of the Reason constants declared in errors.go.
func reasonConstants(t *testing.T) []validator.Reason {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	require.NoError(t, err)
	var out []validator.Reason
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if typ, ok := vs.Type.(*ast.Ident); !ok || typ.Name != "Reason" {
				continue
			}
			for _, val := range vs.Values {
				s, err := strconv.Unquote(val.(*ast.BasicLit).Value)
				require.NoError(t, err)
				out = append(out, validator.Reason(s))
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

// documentedReasons reads the package doc's list of reason codes (the one list users
// read): each reason with the class it gives.
func documentedReasons(t *testing.T) map[validator.Reason]error {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(src), "// # Errors\n")
	require.True(t, ok)
	section, _, _ = strings.Cut(section, "// # ")
	classes := map[string]error{
		"ErrInvalidToken":     validator.ErrInvalidToken,
		"ErrKeysUnavailable":  validator.ErrKeysUnavailable,
		"ErrInvalidDPoPProof": validator.ErrInvalidDPoPProof,
	}
	out := map[validator.Reason]error{}
	for line := range strings.Lines(section) {
		fields := strings.Fields(strings.TrimPrefix(line, "//\t"))
		if !strings.HasPrefix(line, "//\t") || len(fields) < 2 || classes[fields[1]] == nil {
			continue
		}
		_, dup := out[validator.Reason(fields[0])]
		require.False(t, dup, "%s listed twice", fields[0])
		out[validator.Reason(fields[0])] = classes[fields[1]]
	}
	return out
}

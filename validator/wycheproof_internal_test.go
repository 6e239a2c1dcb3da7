package validator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Project Wycheproof (C2SP/wycheproof, testvectors_v1; see testdata/SOURCES.md) publishes
// JWS verification vectors: each group holds one key (json_web_signature_test.json) or one
// key set (json_web_key_test.json) and compact tokens marked "valid" or "invalid". Both
// files run here through the JWS layer of the validator (wpVerify: parseJWS, then
// verifyWithKeys), which checks the serialization, the header, the algorithm allowlist,
// key selection and the signature but does not interpret the payload (Wycheproof payloads are "foo", "Test", ... rather
// than claim sets).
//
// The policy checked:
//   - every invalid vector is rejected; an invalid vector ever found accepted would be
//     listed in wpKnownGaps (empty today) and asserted as such, so that closing the gap
//     shows;
//   - every valid vector is accepted, except those this validator refuses by design, each
//     listed by tcId with its reason below, and the set of valid vectors actually refused
//     must equal that list exactly (a new vector cannot slip in either way);
//   - a refusal listed for a key-policy reason is checked to be that reason alone: the same
//     vector verifies once the offending key member is removed (or, for empty payloads,
//     the signature itself verifies).

// wpReason is why a valid Wycheproof vector is refused by design.
type wpReason string

const (
	// DESIGN §3: none and HS* can never be enabled, and symmetric (oct) keys are never
	// used. Every Wycheproof HMAC group therefore builds no validator at all.
	wpHMAC wpReason = "HMAC algorithm with a symmetric key: HS* is never allowed and oct keys are never used"
	// A JWT always has a claim set, so a compact JWS with an empty payload segment is
	// rejected as malformed before any key is looked up (parseJWS: "empty payload").
	wpEmptyPayload wpReason = "empty payload: a JWT access token always carries a claim set"
	// DESIGN §3: a key's own alg, when present, must equal the header alg. RFC 7520 §4.3
	// signs Figure 20 with PS384 while the published key says alg PS256.
	wpKeyAlgMismatch wpReason = "the key's alg member (PS256) differs from the token's alg (PS384)"
	// A key whose alg member is not a supported JWS algorithm is skipped. The RFC 7520
	// P-521 key carries "ES521" (the JWS name is ES512), so the set holds no usable key.
	wpKeyAlgUnknown wpReason = "the key's alg member ES521 is not a JWS algorithm, so the key is skipped"
)

// wpSignatureExclusions lists every valid vector of json_web_signature_test.json that the
// validator rejects, by tcId.
var wpSignatureExclusions = map[int]wpReason{
	1:   wpHMAC, // hs256 acceptsValid
	348: wpHMAC, // rfc7520 Figure35 (HS256)
	352: wpHMAC, // rfc7520 Figure35 (HS256), second copy
	357: wpHMAC, // base64 ValidMac
	358: wpHMAC, // base64 ValidEdgeCaseMac
	359: wpHMAC, // base64 ValidEdgeCaseMac
	// Wycheproof marks these two valid although a '?' is inserted into the header or the
	// payload segment (a lenient decoder skips it). They are HS256; were they not, the
	// strict base64url decoding of parseJWS would reject them too.
	372: wpHMAC, // base64 InvalidCharacterInsertedInHeader
	373: wpHMAC, // base64 InvalidCharacterInsertedInPayload
	376: wpHMAC, // base64 ValidSpacesInJsonHeader
	377: wpHMAC, // base64 ValidWhiteSpaceInJsonHeader

	259: wpEmptyPayload, // rs256 emptyPayload
	264: wpEmptyPayload, // rs384 emptyPayload
	268: wpEmptyPayload, // rs512 emptyPayload
	272: wpEmptyPayload, // ps256 emptyPayload
	320: wpEmptyPayload, // ps384 emptyPayload
	325: wpEmptyPayload, // ps512 emptyPayload

	346: wpKeyAlgMismatch, // rfc7520 Figure20
	350: wpKeyAlgMismatch, // rfc7520WithKeyOps Figure20

	347: wpKeyAlgUnknown, // rfc7520 Figure27
	351: wpKeyAlgUnknown, // rfc7520WithKeyOps Figure27
}

// wpKeySetExclusions is the same list for json_web_key_test.json.
var wpKeySetExclusions = map[int]wpReason{
	2:  wpHMAC, // jws_keyset acceptsValid
	13: wpHMAC, // HS256 long_key
	14: wpHMAC, // HS384 long_key
	15: wpHMAC, // HS512 long_key
}

// wpKeyPolicyRefusals lists invalid vectors whose signature is genuine but whose key
// rules it out: declared for encryption (use "enc", key_ops without "verify") or carrying
// an alg member that is not a supported JWS algorithm (ES521, ES224, RSA1_5). The
// validator skips the key, and the control check shows the signature verifies once use,
// key_ops and alg are removed, so the refusal is the key rule and nothing else.
var wpKeyPolicyRefusals = map[string][]int{
	"json_web_signature_test.json": {353, 354, 355, 356},
	"json_web_key_test.json":       {6, 19, 20, 21},
}

// wpKnownGaps lists invalid vectors of json_web_key_test.json that the validator accepts
// today, with the reason. Each is asserted to be accepted, so that closing the gap makes
// this test fail and the entry is removed.
var wpKnownGaps = map[int]string{}

type wpFile struct {
	NumberOfTests int       `json:"numberOfTests"`
	TestGroups    []wpGroup `json:"testGroups"`
}

type wpGroup struct {
	Comment string          `json:"comment"`
	Private json.RawMessage `json:"private"` // a JWK, or a JWKS in json_web_key_test.json
	Public  json.RawMessage `json:"public"`  // its public half, absent for symmetric keys
	Tests   []wpVector      `json:"tests"`
}

type wpVector struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	JWS     string   `json:"jws"`
	Result  string   `json:"result"`
	Flags   []string `json:"flags"`
}

// wpPrivateMembers are the JWK members holding private or symmetric material (RFC 7518
// §6.2.2, §6.3.2, §6.4.1).
var wpPrivateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

var wpNow = time.Unix(1_800_000_000, 0)

func wpLoad(t *testing.T, name string) wpFile {
	t.Helper()
	data, err := os.ReadFile("testdata/wycheproof/" + name)
	require.NoError(t, err)
	var f wpFile
	require.NoError(t, json.Unmarshal(data, &f))
	n := 0
	for _, g := range f.TestGroups {
		n += len(g.Tests)
	}
	require.Equal(t, f.NumberOfTests, n, "numberOfTests")
	return f
}

// wpMembers returns the JWK members of a group field: one JWK, or the keys of a JWKS.
func wpMembers(t *testing.T, raw json.RawMessage) []map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	keys, isSet := m["keys"].([]any)
	if !isSet {
		return []map[string]any{m}
	}
	out := make([]map[string]any, len(keys))
	for i, k := range keys {
		out[i] = k.(map[string]any)
	}
	return out
}

// wpPublicKeys returns the verification keys of a group: its private JWKs without the
// private members (kid, alg, use and everything else kept as given). Where the group also
// lists the public half, that half must equal the derivation except for key_ops, and its
// key_ops is used: on a private JWK key_ops names what the private key does ("sign"; one
// group even has the malformed single string "sign, verify"), on the public one what the
// public key does ("verify").
func wpPublicKeys(t *testing.T, g wpGroup) []map[string]any {
	t.Helper()
	derived := wpMembers(t, g.Private)
	for _, m := range derived {
		for _, name := range wpPrivateMembers {
			delete(m, name)
		}
	}
	if g.Public == nil {
		return derived
	}
	given := wpMembers(t, g.Public)
	require.Len(t, given, len(derived))
	for i := range derived {
		a, b := maps.Clone(derived[i]), maps.Clone(given[i])
		delete(a, "key_ops")
		delete(b, "key_ops")
		require.Equal(t, b, a, "group %q: public key differs from the private key's public members", g.Comment)
	}
	return given
}

func wpKeySet(t *testing.T, keys []map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	require.NoError(t, err)
	return b
}

// wpValidator builds a validator over keys with every default algorithm allowed.
func wpValidator(t *testing.T, keys []map[string]any) (*Validator, error) {
	t.Helper()
	return New(t.Context(), Config{
		Issuer:     "https://issuer.wycheproof.test/",
		Audiences:  []string{"https://api.wycheproof.test"},
		JWKS:       wpKeySet(t, keys),
		Algorithms: DefaultAlgorithms(),
		Logger:     slog.New(slog.DiscardHandler),
		Now:        func() time.Time { return wpNow },
	})
}

// wpKeyRefusals returns, for each key, why parseKey skips it ("" if it is usable).
func wpKeyRefusals(t *testing.T, keys []map[string]any) []string {
	t.Helper()
	out := make([]string, len(keys))
	for i, k := range keys {
		raw, err := json.Marshal(k)
		require.NoError(t, err)
		if _, err := parseKey(raw); err != nil {
			out[i] = err.Error()
		}
	}
	return out
}

// wpOutcome is what the JWS layer made of one vector.
type wpOutcome struct {
	accepted bool
	reason   Reason // the rejection reason, when a validator was built
	desc     string // the rejection's fixed description, or why no validator could be built
}

// wpStripKeyPolicy removes the members that restrict a key's use (use, key_ops, alg).
func wpStripKeyPolicy(keys []map[string]any) []map[string]any {
	out := make([]map[string]any, len(keys))
	for i, k := range keys {
		c := maps.Clone(k)
		delete(c, "use")
		delete(c, "key_ops")
		delete(c, "alg")
		out[i] = c
	}
	return out
}

// wpVerify runs the JWS layer of the validator as Validate does, without the claim
// checks: parseJWS, then key selection and signature verification (verifyWithKeys). It
// returns the payload, uninterpreted, and the key that verified it.
func wpVerify(t *testing.T, v *Validator, jws string) ([]byte, *key, *validationError) {
	t.Helper()
	j, e := v.parseJWS(jws)
	if e != nil {
		return nil, nil, e
	}
	k, e := v.verifyWithKeys(t.Context(), &j, wpNow)
	if e != nil {
		return nil, nil, e
	}
	return j.payload, k, nil
}

// wpControlAccepts reports whether the vector verifies with the group's keys stripped of
// use, key_ops and alg, or, for an empty payload, whether its signature verifies with the
// key its header names.
func wpControlAccepts(t *testing.T, keys []map[string]any, vec wpVector) bool {
	t.Helper()
	v, err := wpValidator(t, wpStripKeyPolicy(keys))
	if err != nil {
		return false
	}
	if _, _, e := wpVerify(t, v, vec.JWS); e == nil {
		return true
	}
	parts := strings.Split(vec.JWS, ".")
	if len(parts) != 3 || parts[1] != "" {
		return false
	}
	h, e := v.parseHeader(parts[0])
	if e != nil {
		return false
	}
	sig, e := decodeSegment(parts[2])
	if e != nil {
		return false
	}
	cands, _, _ := v.keys.get().lookup(h.kid, h.hasKid, h.alg, nil)
	for _, k := range cands {
		if h.alg.verify(k, parts[0]+".", sig) {
			return true
		}
	}
	return false
}

// wpRun runs every vector of file and checks the policy above against the exclusion
// table and the known gaps (nil for none).
func wpRun(t *testing.T, file string, exclusions map[int]wpReason, gaps map[int]string) {
	f := wpLoad(t, file)
	if gaps == nil {
		gaps = map[int]string{}
	}
	refused := map[int]wpReason{}
	acceptedInvalid := map[int]string{}
	var counts struct{ accepted, rejectedInvalid, excluded int }
	keyPolicy := wpKeyPolicyRefusals[file]

	for _, g := range f.TestGroups {
		keys := wpPublicKeys(t, g)
		v, buildErr := wpValidator(t, keys)
		keyRefusals := wpKeyRefusals(t, keys)
		if buildErr != nil {
			// Every key of the group is refused by the key policy: New says so, and
			// parseKey gives each key's reason.
			require.ErrorContains(t, buildErr, "no usable signing key", "group %q", g.Comment)
			for i, r := range keyRefusals {
				require.NotEmpty(t, r, "group %q key %d: New failed but the key parses", g.Comment, i)
			}
		} else {
			require.Contains(t, keyRefusals, "", "group %q: New succeeded without a usable key", g.Comment)
		}
		symmetric := slices.ContainsFunc(keys, func(k map[string]any) bool { return k["kty"] == "oct" })

		for _, vec := range g.Tests {
			t.Run(fmt.Sprintf("tc%d_%s_%s", vec.TcID, g.Comment, vec.Comment), func(t *testing.T) {
				require.Contains(t, []string{"valid", "invalid"}, vec.Result)
				var out wpOutcome
				var payload []byte
				if buildErr != nil {
					out.desc = "no usable key: " + strings.Join(keyRefusals, "; ")
				} else {
					var k *key
					var e *validationError
					payload, k, e = wpVerify(t, v, vec.JWS)
					if e == nil {
						require.NotNil(t, k)
						out.accepted = true
					} else {
						out.reason, out.desc = e.reason, e.desc
					}
				}

				excl, excluded := exclusions[vec.TcID]
				gap, isGap := gaps[vec.TcID]
				switch {
				case vec.Result == "invalid" && isGap:
					assert.True(t, out.accepted, "known gap %d is closed (%s): remove it from wpKnownGaps", vec.TcID, gap)
					if out.accepted {
						acceptedInvalid[vec.TcID] = gap
					}
				case vec.Result == "invalid":
					require.False(t, out.accepted, "invalid vector accepted")
					require.False(t, excluded, "the exclusion table lists an invalid vector")
					counts.rejectedInvalid++
				case out.accepted:
					require.False(t, excluded, "vector %d is listed as excluded (%s) but was accepted", vec.TcID, excl)
					// The payload returned is the payload segment, decoded.
					want, err := base64.RawURLEncoding.DecodeString(strings.Split(vec.JWS, ".")[1])
					require.NoError(t, err)
					require.Equal(t, want, payload)
					counts.accepted++
				default:
					require.True(t, excluded, "valid vector rejected (%s %s) and not in the exclusion table", out.reason, out.desc)
					refused[vec.TcID] = excl
					counts.excluded++
					wpCheckReason(t, excl, out, symmetric, keys, vec)
				}
				if slices.Contains(keyPolicy, vec.TcID) {
					require.False(t, out.accepted)
					require.NotNil(t, buildErr, "key-use refusal %d: the key was not refused", vec.TcID)
					assert.True(t, wpControlAccepts(t, keys, vec), "key-use refusal %d: the signature does not verify even without use, key_ops and alg", vec.TcID)
				}
			})
		}
	}

	// The valid vectors refused are exactly the exclusion table, and the invalid vectors
	// accepted exactly the known gaps.
	assert.Equal(t, exclusions, refused, "valid vectors refused")
	assert.Equal(t, gaps, acceptedInvalid, "invalid vectors accepted")
	assert.Equal(t, f.NumberOfTests, counts.accepted+counts.rejectedInvalid+counts.excluded+len(acceptedInvalid))
	t.Logf("FIGURE wycheproof %s: %d vectors, %d invalid rejected, %d invalid accepted, %d valid accepted, %d valid refused by design",
		strings.TrimSuffix(file, ".json"), f.NumberOfTests, counts.rejectedInvalid, len(acceptedInvalid), counts.accepted, counts.excluded)
}

// wpCheckReason checks that a refused valid vector was refused for its listed reason.
func wpCheckReason(t *testing.T, r wpReason, out wpOutcome, symmetric bool, keys []map[string]any, vec wpVector) {
	t.Helper()
	switch r {
	case wpHMAC:
		require.True(t, symmetric, "HMAC exclusion in a group without a symmetric key")
		assert.Contains(t, out.desc, "symmetric key material is never used")
	case wpEmptyPayload:
		assert.Equal(t, ReasonMalformed, out.reason)
		assert.Equal(t, errNotCompact.desc, out.desc)
		assert.Equal(t, "", strings.Split(vec.JWS, ".")[1])
		assert.True(t, wpControlAccepts(t, keys, vec), "the signature over the empty payload does not verify")
	case wpKeyAlgMismatch:
		assert.Equal(t, ReasonUnknownKey, out.reason)
		assert.Equal(t, errNoKey.desc, out.desc)
		assert.True(t, wpControlAccepts(t, keys, vec), "the vector does not verify without the key's alg")
	case wpKeyAlgUnknown:
		assert.Contains(t, out.desc, "key algorithm is not a supported asymmetric signature algorithm")
		assert.True(t, wpControlAccepts(t, keys, vec), "the vector does not verify without the key's alg")
	default:
		t.Fatalf("unknown exclusion reason %q", r)
	}
}

func TestWycheproofJSONWebSignature(t *testing.T) {
	wpRun(t, "json_web_signature_test.json", wpSignatureExclusions, nil)
}

// TestWycheproofJSONWebKey runs the key-set vectors: mixed symmetric and asymmetric sets,
// duplicate kids, encryption keys, 1024-bit RSA, exponent 1, ROCA, unknown or mismatched
// alg members, off-curve points, wrong curves and key types, AES keys. The validator skips
// unusable members one by one rather than refusing the whole set, so where Wycheproof
// expects a set to be rejected, the check is that the token is.
func TestWycheproofJSONWebKey(t *testing.T) {
	wpRun(t, "json_web_key_test.json", wpKeySetExclusions, wpKnownGaps)
}

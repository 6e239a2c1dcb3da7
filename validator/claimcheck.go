package validator

import (
	"math"
	"time"
)

// checkIssuer refuses a token whose iss is not the configured issuer, before any key is
// looked up: such a token can never be accepted, so it must not cost a key lookup, nor a
// fetch of this issuer's key set (with several issuers, every validator sees the tokens
// of the others). It runs on the unverified payload, which is safe because it can only
// refuse. A missing iss is missing_claim and a non-string one malformed, as they would be
// after verification. Skipped with Config.InsecureSkipIssuerCheck.
func (v *Validator) checkIssuer(set map[string]any) *validationError {
	if v.s.skipIssuer {
		return nil
	}
	x, present := set["iss"]
	if !present {
		return fail(errNoIss)
	}
	iss, ok := x.(string)
	if !ok {
		return fail(errClaimType)
	}
	if iss != v.s.issuer {
		return fail(errIssuer)
	}
	return nil
}

// checkClaims checks the registered claims, the required claims and the types of the
// scope, role and permission claims, and builds the Claims value.
func (v *Validator) checkClaims(set map[string]any, payload []byte, now time.Time) (*Claims, *validationError) {
	c := &Claims{set: set, payload: payload}
	var ok bool

	if x, present := set["sub"]; present {
		if c.subject, ok = x.(string); !ok {
			return nil, fail(errClaimType)
		}
	}
	if x, present := set["jti"]; present {
		if c.id, ok = x.(string); !ok {
			return nil, fail(errClaimType)
		}
	}

	// iss was compared with the configured issuer before the key lookup (checkIssuer);
	// here it is only read.
	if x, present := set["iss"]; present {
		if c.issuer, ok = x.(string); !ok {
			return nil, fail(errClaimType)
		}
	}

	// aud (or the configured audience claim): a string or an array of strings, holding at
	// least one configured audience.
	audV, audPresent := v.s.audienceClaim.lookup(set)
	if _, keyPresent := set[v.s.audienceClaim.name]; keyPresent && !audPresent && v.s.audienceClaim.pointer == nil {
		return nil, fail(errClaimType) // "aud": null
	}
	switch x := audV.(type) {
	case nil:
	case string:
		c.audience = []string{x}
	case []any:
		c.audience = make([]string, len(x))
		for i, a := range x {
			if c.audience[i], ok = a.(string); !ok {
				return nil, fail(errClaimType)
			}
		}
	default:
		return nil, fail(errClaimType)
	}
	if !v.s.skipAudience {
		if c.audience == nil {
			return nil, fail(errNoAud)
		}
		if !anyIn(c.audience, v.s.audiences) {
			return nil, fail(errAudience)
		}
	}

	// Time claims (RFC 7519 §4.1.4-6), with leeway.
	nowSec := float64(now.UnixNano()) / 1e9
	leeway := v.s.leeway.Seconds()
	exp, present, e := numericDate(set, "exp")
	if e != nil {
		return nil, e
	}
	if !present {
		return nil, fail(errNoExp)
	}
	if nowSec >= exp+leeway {
		return nil, fail(errExpired)
	}
	c.expiresAt = toTime(exp)
	nbf, present, e := numericDate(set, "nbf")
	if e != nil {
		return nil, e
	}
	if present {
		if nowSec < nbf-leeway {
			return nil, fail(errNotYetValid)
		}
		c.notBefore = toTime(nbf)
	}
	iat, present, e := numericDate(set, "iat")
	if e != nil {
		return nil, e
	}
	if present {
		if iat > nowSec+leeway {
			return nil, fail(errIssuedFuture)
		}
		c.issuedAt = toTime(iat)
	}

	// cnf (RFC 7800), read once for its jkt (RFC 9449 §6.1) and for whether it names
	// any other confirmation method.
	if x, present := set["cnf"]; present {
		cnf, isObject := x.(map[string]any)
		if !isObject {
			return nil, fail(errCnfType)
		}
		for name, j := range cnf {
			if name != "jkt" {
				c.otherCnf = true
				continue
			}
			if c.dpopJKT, ok = j.(string); !ok || c.dpopJKT == "" {
				return nil, fail(errCnfType)
			}
		}
	}

	for _, rc := range v.s.requiredClaims {
		x, ok := rc.path.lookup(set)
		if !ok {
			return nil, fail(errRequiredMissing)
		}
		if s, isString := x.(string); !isString || s != rc.value {
			return nil, fail(errClaimMismatch)
		}
	}

	var err *validationError
	if c.scopes, err = listClaim(set, v.s.scopeClaims); err != nil {
		return nil, err
	}
	if c.roles, err = listClaim(set, v.s.roleClaims); err != nil {
		return nil, err
	}
	if c.permissions, err = listClaim(set, v.s.permissionClaims); err != nil {
		return nil, err
	}
	return c, nil
}

func listClaim(set map[string]any, paths []claimPath) ([]string, *validationError) {
	l, err := stringList(set, paths)
	if err != nil {
		return nil, fail(errListClaimType)
	}
	return l, nil
}

// numericDate reads a NumericDate claim: a JSON number (fractions allowed). Any other
// type, null included, is malformed.
func numericDate(set map[string]any, name string) (float64, bool, *validationError) {
	x, present := set[name]
	if !present {
		return 0, false, nil
	}
	f, ok := x.(float64)
	if !ok {
		return 0, true, fail(errClaimType)
	}
	return f, true, nil
}

// toTime converts NumericDate seconds to a time, clamped to a range time.Time holds.
func toTime(sec float64) time.Time {
	const limit = 1 << 40 // about 34,800 years either way
	sec = math.Max(-limit, math.Min(limit, sec))
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC()
}

func anyIn(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

package enforce

import (
	"slices"
	"time"

	"github.com/axioms-go/axioms-echo/openapi"
)

// Step-up authentication (RFC 9470).
//
// An operation with x-axioms-acr needs the principal's acr claim to be a string equal
// to one of the listed values; an array, a number or no acr at all does not satisfy it.
// An operation with x-axioms-max-age needs the auth_time claim to be a number of
// seconds at most MaxAge before now; a missing auth_time, one of another type, or one
// later than now by more than the leeway does not satisfy it. Now and the leeway are the
// default validator's (Config.Validator's Now and Leeway methods, as *validator.Validator
// has), else the wall clock and validator.DefaultLeeway.

// stepUp checks the step-up requirements of p against pr at now; nil when they are met.
func stepUp(realm string, p *openapi.Policy, pr openapi.Principal, now time.Time, leeway time.Duration) *Error {
	if len(p.ACR) > 0 {
		acr, _ := pr.Claim("acr")
		if s, ok := acr.(string); !ok || !slices.Contains(p.ACR, s) {
			return stepUpError(realm, p, true)
		}
	}
	if p.MaxAge > 0 && !recentEnough(pr, p.MaxAge, now, leeway) {
		return stepUpError(realm, p, false)
	}
	return nil
}

// recentEnough reports whether pr's auth_time is a number of seconds at most maxAge
// before now, and not in the future beyond leeway.
func recentEnough(pr openapi.Principal, maxAge int, now time.Time, leeway time.Duration) bool {
	v, _ := pr.Claim("auth_time")
	at, ok := v.(float64)
	if !ok {
		return false
	}
	nowSec := float64(now.UnixNano()) / 1e9
	return at <= nowSec+leeway.Seconds() && nowSec-at <= float64(maxAge)
}

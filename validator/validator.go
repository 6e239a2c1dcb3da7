package validator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Validator validates JWT access tokens from one issuer. Create it with [New]; it is
// safe for concurrent use, and holds no goroutine between calls (key-set refreshes run
// only while a fetch is in progress), so it needs no Close.
type Validator struct {
	s     *settings
	keys  *keyStore
	cache *tokenCache
}

// New returns a Validator for cfg. It fails when cfg is invalid (missing issuer or
// audience, a forbidden or unknown algorithm, a malformed claim name or URL, an
// unusable Config.JWKS). It fetches the issuer's keys once, bounded by ctx and
// Config.FetchTimeout; when that fails it logs a warning and returns a working Validator
// whose Validate reports [ErrKeysUnavailable] until keys arrive, unless
// Config.RequireKeysAtStartup is set, in which case it returns the error.
//
// A discovery document that names an issuer other than Config.Issuer (often a trailing
// slash apart) always fails New, whatever RequireKeysAtStartup says: it is a
// configuration error, and the message shows both spellings. An issuer that cannot be
// reached at startup does not fail New; if its document turns out to name another
// issuer later, Validate reports [ErrIssuerMismatch].
func New(ctx context.Context, cfg Config) (*Validator, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	v := &Validator{s: s, cache: newTokenCache(s.cacheSize, s.cacheMaxBytes)}
	var onRemoved func([]*key)
	if v.cache != nil {
		onRemoved = v.cache.purgeRemoved
	}
	v.keys = newKeyStore(s, onRemoved)
	if len(s.jwks) > 0 {
		if err := v.keys.setStatic(s.jwks); err != nil {
			return nil, fmt.Errorf("validator: JWKS: %w", err)
		}
		return v, nil
	}
	if err := v.keys.demand(ctx, s.now(), false); err != nil {
		if mismatch := (*issuerMismatchError)(nil); errors.As(err, &mismatch) {
			return nil, fmt.Errorf("validator: %w", err)
		}
		if s.requireKeys {
			return nil, fmt.Errorf("validator: fetching signing keys: %w", err)
		}
		s.logger.Warn("axioms: signing keys unavailable at startup; protected requests get 503 until they arrive",
			"issuer", s.issuer, "error", err.Error())
	}
	return v, nil
}

// Issuer returns the configured issuer.
func (v *Validator) Issuer() string { return v.s.issuer }

// Validate checks rawToken (the compact JWS, without "Bearer ") and returns its claims.
//
// The checks, in order: size; three canonical base64url segments (JWE, JSON
// serialization and anything else rejected); header JSON (duplicate names, invalid UTF-8
// rejected); alg in the allowlist; typ when required; crit and b64; payload JSON and iss,
// before any key is looked up (a token of another issuer never causes a fetch); the
// signing key, chosen by kid (and alg) from the issuer's key set; the signature; aud,
// exp, nbf, iat with leeway; the scope, role and permission claims' types.
//
// Every error is an [*Error]: its class is [ErrInvalidToken] (reject with 401) or
// [ErrKeysUnavailable] (503). A token seen before and still valid is answered from the
// verified-token cache without allocating.
//
// A token whose kid is unknown makes Validate refetch the key set, shared with concurrent
// callers, unless a fetch started less than Config.MinRefreshInterval ago (longer while
// such refetches bring no new key, up to Config.MaxRefreshBackoff); waiting for that
// fetch is bounded by ctx, while the fetch itself carries on for the others.
func (v *Validator) Validate(ctx context.Context, rawToken string) (*Claims, error) {
	if len(rawToken) > v.s.maxTokenSize {
		return nil, fail(errTooLarge)
	}
	if rawToken == "" {
		return nil, fail(errEmpty)
	}
	now := v.s.now()
	if v.cache != nil {
		if c := v.cache.get(rawToken, now); c != nil {
			v.keys.maybeRefresh(now)
			return c, nil
		}
	}
	c, k, e := v.validate(ctx, rawToken, now)
	if e != nil {
		return nil, e
	}
	if v.cache != nil {
		v.cache.put(rawToken, c, k, now)
	}
	return c, nil
}

func (v *Validator) validate(ctx context.Context, token string, now time.Time) (*Claims, *key, *Error) {
	j, e := v.parseJWS(token)
	if e != nil {
		return nil, nil, e
	}
	// The payload is decoded once, before the key lookup, and trusted for nothing but
	// checkIssuer's refusal until the signature verifies.
	set, e := decodeObject(j.payload, errPayloadJSON, errPayloadDup)
	if e != nil {
		return nil, nil, e
	}
	if e := v.checkIssuer(set); e != nil {
		return nil, nil, e
	}
	k, e := v.verifyWithKeys(ctx, &j, now)
	if e != nil {
		return nil, nil, e
	}
	c, e := v.claims(set, j.payload, now)
	if e != nil {
		return nil, nil, e
	}
	return c, k, nil
}

// compactJWS is a token split into its parts and decoded, before any key is looked up.
type compactJWS struct {
	header       header
	signingInput string // the encoded header and payload, as signed
	payload      []byte // decoded, not interpreted
	sig          []byte
}

// parseJWS checks the compact serialization and the header, and decodes the payload and
// signature segments. It looks up no key and does not interpret the payload.
func (v *Validator) parseJWS(token string) (compactJWS, *Error) {
	var j compactJWS
	// The base64 decoder skips CR and LF; a token containing them has more than one
	// spelling, so it is rejected here.
	if strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		return j, fail(errEncoding)
	}
	d1 := strings.IndexByte(token, '.')
	if d1 <= 0 {
		return j, fail(errNotCompact)
	}
	d2 := strings.IndexByte(token[d1+1:], '.')
	if d2 < 0 {
		return j, fail(errNotCompact)
	}
	d2 += d1 + 1
	if d2 == d1+1 || strings.IndexByte(token[d2+1:], '.') >= 0 {
		return j, fail(errNotCompact) // empty payload, or JWE / extra segments
	}

	var e *Error
	if j.header, e = v.parseHeader(token[:d1]); e != nil {
		return j, e
	}
	if d2+1 == len(token) {
		return j, fail(errSignature) // unsigned or stripped signature
	}
	if j.sig, e = decodeSegment(token[d2+1:]); e != nil {
		return j, e
	}
	if j.payload, e = decodeSegment(token[d1+1 : d2]); e != nil {
		return j, e
	}
	j.signingInput = token[:d2]
	return j, nil
}

// checkIssuer refuses a token whose iss is not the configured issuer, before any key is
// looked up: such a token can never be accepted, so it must not cost a key lookup, nor a
// fetch of this issuer's key set (with several issuers, every validator sees the tokens
// of the others). It runs on the unverified payload, which is safe because it can only
// refuse. A missing iss is missing_claim and a non-string one malformed, as they would be
// after verification. Skipped with Config.InsecureSkipIssuerCheck.
func (v *Validator) checkIssuer(set map[string]any) *Error {
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

// verifyWithKeys finds the key for the token and verifies the signature. An unknown kid
// (or, without kid, no fitting key) asks for a refetch of the key set, which the key
// store allows or not (see keyStore.intervalLocked).
func (v *Validator) verifyWithKeys(ctx context.Context, j *compactJWS, now time.Time) (*key, *Error) {
	h := &j.header
	set := v.keys.get()
	if set == nil {
		err := v.keys.demand(ctx, now, false)
		if set = v.keys.get(); set == nil {
			return nil, keysUnavailable(err)
		}
	} else {
		v.keys.maybeRefresh(now)
	}

	var buf [4]*key
	cands, kidKnown, ambiguous := set.lookup(h.kid, h.hasKid, h.alg, buf[:0])
	if ambiguous {
		return nil, fail(errAmbiguousKey)
	}
	if len(cands) == 0 && !kidKnown {
		if err := v.keys.demand(ctx, now, true); err != nil && ctx.Err() != nil {
			return nil, newError(ErrKeysUnavailable, "signing keys unavailable", err)
		}
		set = v.keys.get()
		cands, _, ambiguous = set.lookup(h.kid, h.hasKid, h.alg, buf[:0])
		if ambiguous {
			return nil, fail(errAmbiguousKey)
		}
	}
	if len(cands) == 0 {
		return nil, fail(errNoKey)
	}
	for _, k := range cands {
		if verifySignature(k, h.alg, j.signingInput, j.sig) {
			return k, nil
		}
	}
	return nil, fail(errSignature)
}

// keysUnavailable is the error for a token that cannot be judged because no key set has
// been obtained: issuer_mismatch when the discovery document names another issuer (a
// configuration error), keys_unavailable for any other cause.
func keysUnavailable(cause error) *Error {
	if mismatch := (*issuerMismatchError)(nil); errors.As(cause, &mismatch) {
		return newError(ErrIssuerMismatch, "the configured issuer is not the one its discovery document names", cause)
	}
	return newError(ErrKeysUnavailable, "signing keys unavailable", cause)
}

// claims checks the registered claims and builds the Claims value.
func (v *Validator) claims(set map[string]any, payload []byte, now time.Time) (*Claims, *Error) {
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

	for _, rc := range v.s.requiredClaims {
		x, ok := rc.path.lookup(set)
		if !ok {
			return nil, fail(errRequiredMissing)
		}
		if s, isString := x.(string); !isString || s != rc.value {
			return nil, fail(errClaimMismatch)
		}
	}

	var err *Error
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

func listClaim(set map[string]any, paths []claimPath) ([]string, *Error) {
	l, err := stringList(set, paths)
	if err != nil {
		return nil, fail(errListClaimType)
	}
	return l, nil
}

// numericDate reads a NumericDate claim: a JSON number (fractions allowed). Any other
// type, null included, is malformed.
func numericDate(set map[string]any, name string) (float64, bool, *Error) {
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

package validator

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Validator validates JWT access tokens from one issuer, and opaque ones through its
// introspection endpoint when Config.Introspection is set. Create it with [New]; it is
// safe for concurrent use, and holds no goroutine between calls (key-set refreshes and
// introspection requests run only while in progress), so it needs no Close.
type Validator struct {
	s     *settings
	keys  *keyStore
	cache *tokenCache
	intro *introspector // nil: Config.Introspection is nil
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
// issuer later, Validate reports issuer_mismatch ([ReasonIssuerMismatch], of the
// [ErrKeysUnavailable] class).
//
// With Config.Introspection and no Introspection.Endpoint, a discovery document read at
// startup that names no usable introspection_endpoint (none, one that is not https, or
// no document at all) fails New; when the issuer could not be reached, the endpoint is
// read with the keys later, and introspected tokens get introspection_unavailable
// until then.
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
	if s.introspection != nil {
		v.intro = newIntrospector(v, s.introspection, s.userClient)
	}
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
	if v.intro != nil && s.introspection.endpoint == "" {
		// Discovery has been read if keys were fetched: its introspection_endpoint must
		// be usable. Otherwise it is read with the keys, later.
		if d := v.keys.introspection.Load(); d != nil && d.err != nil {
			return nil, fmt.Errorf("validator: Introspection: %w (set Introspection.Endpoint)", d.err)
		}
	}
	return v, nil
}

// Issuer returns the configured issuer.
func (v *Validator) Issuer() string { return v.s.issuer }

// Now returns the current time by the validator's clock: Config.Now if set, else
// time.Now. It is the clock exp, nbf and iat are checked against; checks of other time
// claims (auth_time for step-up) use it too. Safe for concurrent use.
func (v *Validator) Now() time.Time { return v.s.now() }

// Leeway returns the clock skew the validator tolerates on time claims: Config.Leeway
// after defaults (30s when zero, 0 when negative). Safe for concurrent use.
func (v *Validator) Leeway() time.Duration { return v.s.leeway }

// Validate checks rawToken (the compact JWS, without "Bearer ") and returns its claims.
// With Config.Introspection, a token that is not shaped as a compact JWS (exactly two
// dots), or every token with Introspection.All, is introspected instead, after the size
// check and a token68 check (RFC 7235 §2.1: a token with other characters is
// malformed, never sent to the endpoint; see the package doc, Introspection).
//
// The checks, in order: size; three canonical base64url segments (JWE, JSON
// serialization and anything else rejected); header JSON (duplicate names, invalid UTF-8
// rejected); alg in the allowlist; typ when required; crit and b64; payload JSON and iss,
// before any key is looked up (a token of another issuer never causes a fetch); the
// signing key, chosen by kid (and alg) from the issuer's key set; the signature; aud,
// exp, nbf, iat with leeway; cnf (an object, its jkt a non-empty string); the scope, role
// and permission claims' types.
//
// Every error matches one class with errors.Is, [ErrInvalidToken] (reject with 401) or
// [ErrKeysUnavailable] (503), and carries one reason, read with [ReasonOf]; its text is a
// fixed description (see the package doc, Errors). A token seen before and still valid
// is answered from the verified-token cache without allocating.
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
	if v.intro != nil && (v.intro.is.all || !isCompactJWS(rawToken)) {
		if !isToken68(rawToken) {
			return nil, fail(errNotToken68)
		}
		c, e := v.intro.validate(ctx, rawToken, now)
		if e != nil {
			return nil, e
		}
		return c, nil
	}
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

func (v *Validator) validate(ctx context.Context, token string, now time.Time) (*Claims, *key, *validationError) {
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
	c, e := v.checkClaims(set, j.payload, now)
	if e != nil {
		return nil, nil, e
	}
	return c, k, nil
}

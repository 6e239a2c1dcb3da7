package validator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Defaults of [DPoPConfig].
const (
	// DefaultDPoPMaxAge is how old a proof may be (its iat before now) when
	// DPoPConfig.MaxAge is zero.
	DefaultDPoPMaxAge = 60 * time.Second
	// DefaultDPoPLeeway is how far a proof's iat may lie in the future, and how much
	// older than MaxAge it may be, when DPoPConfig.Leeway is zero: the clock skew
	// between client and server.
	DefaultDPoPLeeway = 5 * time.Second
	// DefaultDPoPReplayCacheSize is how many proofs (jti values) the replay cache
	// holds when DPoPConfig.ReplayCacheSize is zero.
	DefaultDPoPReplayCacheSize = 65536
	// DefaultDPoPMaxProofsPerKey is how many live replay-cache entries the proofs of
	// one key may hold when DPoPConfig.MaxProofsPerKey is zero.
	DefaultDPoPMaxProofsPerKey = 8192
	// DefaultDPoPMaxProofSize is the longest proof, in bytes, accepted when
	// DPoPConfig.MaxProofSize is zero.
	DefaultDPoPMaxProofSize = 8 << 10
	// DefaultDPoPNonceLifetime is how long one server nonce is issued when
	// DPoPConfig.NonceLifetime is zero; it is accepted for up to twice as long.
	DefaultDPoPNonceLifetime = 5 * time.Minute
)

// maxDPoPJTILength bounds the proof's jti, in bytes: RFC 9449 asks for 96 bits of
// randomness, which any encoding writes in far fewer.
const maxDPoPJTILength = 256

// minDPoPNonceSecret is the shortest DPoPConfig.NonceSecret, in bytes: a full SHA-256
// block of key for HMAC-SHA256.
const minDPoPNonceSecret = 32

// DefaultDPoPAlgorithms returns the proof algorithm allowlist used when
// DPoPConfig.Algorithms is empty: ES256, ES384, ES512, PS256, PS384, PS512, RS256,
// RS384, RS512 and EdDSA, every asymmetric algorithm the package verifies. It returns a
// fresh slice on every call, which the caller may change.
func DefaultDPoPAlgorithms() []string {
	return []string{"ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512", "EdDSA"}
}

// DPoPConfig configures a [DPoPChecker]. The zero value is a working configuration: the
// defaults below, without server nonces. No zero value switches a check off.
type DPoPConfig struct {
	// Algorithms is the allowlist of proof signing algorithms, names as in RFC 7518 and
	// RFC 8037. If empty, [DefaultDPoPAlgorithms]. "none", HS256/384/512 and names the
	// package does not verify make [NewDPoPChecker] fail: a proof is always signed by
	// the private half of the public key it carries.
	Algorithms []string

	// MaxAge is how old a proof may be: its iat must not be earlier than now minus
	// MaxAge minus Leeway. If zero, [DefaultDPoPMaxAge] (60s); negative fails
	// [NewDPoPChecker]. It also bounds how long a jti is remembered.
	MaxAge time.Duration

	// Leeway is the clock skew tolerated on a proof's iat, both ways: iat may be up to
	// Leeway after now. If zero, [DefaultDPoPLeeway] (5s); if negative, none.
	Leeway time.Duration

	// ReplayCacheSize is how many proofs the replay cache remembers at once, each until
	// its iat leaves the window (MaxAge + Leeway). A proof whose jti cannot be recorded
	// because the cache is full of live entries is refused (dpop_replayed), never
	// accepted unrecorded. If zero, [DefaultDPoPReplayCacheSize] (65536, about 5 MiB
	// when full); negative fails [NewDPoPChecker]: replay protection cannot be switched
	// off.
	ReplayCacheSize int

	// MaxProofsPerKey is how many of the replay cache's entries the proofs of one key
	// (one client) may hold at once: a proof of a key holding that many live entries is
	// refused (dpop_replayed), so that a client sending proofs as fast as it can fills
	// its own share, never the whole cache, and cannot lock the other clients out. With
	// the default window (65 s) the default sustains about 126 proofs a second per key.
	// If zero, [DefaultDPoPMaxProofsPerKey] (8192); capped at ReplayCacheSize; negative
	// fails [NewDPoPChecker].
	MaxProofsPerKey int

	// MaxProofSize is the longest DPoP header value accepted, in bytes, checked before
	// any decoding. If zero, [DefaultDPoPMaxProofSize] (8 KiB); negative fails
	// [NewDPoPChecker].
	MaxProofSize int

	// NonceSecret, when non-nil, turns server nonces on (RFC 9449 §8): every proof must
	// carry a nonce this checker issued ([DPoPChecker.Nonce]), else it is refused with
	// use_dpop_nonce. A nonce is an HMAC-SHA256 under NonceSecret of the number of the
	// current time slot (NonceLifetime long); the current and the previous slot's are
	// accepted. Processes sharing the secret (and clocks) accept each other's nonces.
	// It must hold at least 32 bytes, else [NewDPoPChecker] fails; it is copied. If nil,
	// nonces are off and a proof's nonce claim is not read.
	NonceSecret []byte

	// NonceLifetime is the length of a nonce time slot: a nonce is issued for
	// NonceLifetime and accepted for up to twice that. If zero,
	// [DefaultDPoPNonceLifetime] (5m); under one second fails [NewDPoPChecker]. Read
	// only with NonceSecret.
	NonceLifetime time.Duration

	// Now returns the current time, for iat, the replay cache and nonces. If nil,
	// time.Now. It must be safe for concurrent use.
	Now func() time.Time
}

// DPoPChecker checks DPoP proofs (RFC 9449) presented with DPoP-bound access tokens,
// and remembers the proofs it accepted to refuse their replay. Create it with
// [NewDPoPChecker]; it is safe for concurrent use. One checker serves every scheme of
// an API that accepts DPoP: its replay cache must see every proof the API accepts.
type DPoPChecker struct {
	algs          map[string]*algorithm
	algNames      []string
	maxAge        time.Duration
	leeway        time.Duration
	maxProofSize  int
	replay        *replayCache
	nonces        *nonceSource // nil: nonces off
	now           func() time.Time
	windowSeconds float64 // maxAge + leeway, in seconds
}

// NewDPoPChecker returns a DPoPChecker for cfg. It fails when cfg is invalid: a
// forbidden or unknown algorithm, a negative MaxAge, ReplayCacheSize, MaxProofsPerKey or
// MaxProofSize, a NonceSecret shorter than 32 bytes, or (with a NonceSecret) a
// NonceLifetime under one second.
func NewDPoPChecker(cfg DPoPConfig) (*DPoPChecker, error) {
	d := &DPoPChecker{
		algs:         map[string]*algorithm{},
		maxAge:       cfg.MaxAge,
		leeway:       cfg.Leeway,
		maxProofSize: cfg.MaxProofSize,
		now:          cfg.Now,
	}
	names := cfg.Algorithms
	if len(names) == 0 {
		names = DefaultDPoPAlgorithms()
	}
	for _, name := range names {
		if forbiddenAlg(name) {
			return nil, fmt.Errorf("validator: DPoP algorithm %q is never allowed (none and HMAC cannot prove a key)", name)
		}
		a := algorithmNamed(name)
		if a == nil {
			return nil, fmt.Errorf("validator: unknown DPoP algorithm %q (supported: %v)", name, DefaultDPoPAlgorithms())
		}
		if d.algs[name] == nil {
			d.algs[name] = a
			d.algNames = append(d.algNames, name)
		}
	}
	switch {
	case d.maxAge == 0:
		d.maxAge = DefaultDPoPMaxAge
	case d.maxAge < 0:
		return nil, errors.New("validator: DPoPConfig.MaxAge is negative")
	}
	switch {
	case d.leeway == 0:
		d.leeway = DefaultDPoPLeeway
	case d.leeway < 0:
		d.leeway = 0
	}
	switch {
	case d.maxProofSize == 0:
		d.maxProofSize = DefaultDPoPMaxProofSize
	case d.maxProofSize < 0:
		return nil, errors.New("validator: DPoPConfig.MaxProofSize is negative")
	}
	size := cfg.ReplayCacheSize
	switch {
	case size == 0:
		size = DefaultDPoPReplayCacheSize
	case size < 0:
		return nil, errors.New("validator: DPoPConfig.ReplayCacheSize is negative (replay protection cannot be switched off)")
	}
	perKey := cfg.MaxProofsPerKey
	switch {
	case perKey == 0:
		perKey = DefaultDPoPMaxProofsPerKey
	case perKey < 0:
		return nil, errors.New("validator: DPoPConfig.MaxProofsPerKey is negative")
	}
	d.replay = newReplayCache(size, min(perKey, size))
	if d.now == nil {
		d.now = time.Now
	}
	if cfg.NonceSecret != nil {
		if len(cfg.NonceSecret) < minDPoPNonceSecret {
			return nil, fmt.Errorf("validator: DPoPConfig.NonceSecret holds %d bytes, fewer than %d", len(cfg.NonceSecret), minDPoPNonceSecret)
		}
		lifetime := cfg.NonceLifetime
		switch {
		case lifetime == 0:
			lifetime = DefaultDPoPNonceLifetime
		case lifetime < time.Second:
			return nil, fmt.Errorf("validator: DPoPConfig.NonceLifetime %v is under one second", lifetime)
		}
		d.nonces = newNonceSource(cfg.NonceSecret, lifetime)
	}
	d.windowSeconds = (d.maxAge + d.leeway).Seconds()
	return d, nil
}

// Algorithms returns the proof algorithm allowlist, in configured order without
// duplicates, as a fresh slice: the value of the algs parameter of a DPoP challenge
// (RFC 9449 §7.1).
func (d *DPoPChecker) Algorithms() []string { return slices.Clone(d.algNames) }

// Nonce returns the server nonce to send in a DPoP-Nonce response header (RFC 9449 §8):
// the current time slot's. It returns "" when nonces are off (DPoPConfig.NonceSecret
// nil).
func (d *DPoPChecker) Nonce() string {
	if d.nonces == nil {
		return ""
	}
	return d.nonces.current(d.now())
}

// Check checks proof, the value of the request's single DPoP header, for a request of
// method (as sent, case-sensitive) to htu, the absolute URL of the request without
// query and fragment as clients address this server (behind a proxy: its external
// scheme, host and port), presenting accessToken, whose confirmation thumbprint is jkt
// ([Claims.DPoPThumbprint]). It returns nil when the proof is accepted, and then
// records its jti so the same proof is refused from then on.
//
// The checks, in order (see the package doc, DPoP proofs): jkt non-empty (the token
// is DPoP-bound); size; a compact JWS; the header: typ exactly dpop+jwt, alg in the
// allowlist, a jwk that is a public key fitting alg, no jku, x5u, x5c or crit; the
// jwk's RFC 7638 thumbprint equal to jkt; the signature; the claims jti (a non-empty
// string of at most 256 bytes), htm equal to method, htu equal to htu after
// normalisation (scheme and host case-insensitive, default port elided, path compared
// after RFC 3986 §6.2.2 normalisation; a query or fragment in the proof's htu is
// refused), iat within [now-MaxAge-Leeway, now+Leeway], ath equal to the base64url
// SHA-256 of accessToken (compared in constant time); with nonces, the nonce; and last
// the replay cache. The jti is recorded only when every other check passed; a jti that
// was recorded before, or that cannot be recorded because the cache is full of live
// entries, refuses the proof (fail closed). Of concurrent calls with the same proof,
// exactly one succeeds.
//
// Every error matches [ErrInvalidDPoPProof] and carries one of the reasons
// invalid_dpop_proof, dpop_replayed, dpop_key_mismatch and use_dpop_nonce, read with
// [ReasonOf]; its text is a fixed description, never proof or token content.
func (d *DPoPChecker) Check(proof, method, htu, accessToken, jkt string) error {
	if e := d.check(proof, method, htu, accessToken, jkt); e != nil {
		return e
	}
	return nil
}

func (d *DPoPChecker) check(proof, method, htu, accessToken, jkt string) *validationError {
	if jkt == "" {
		return fail(errDPoPUnbound)
	}
	if len(proof) > d.maxProofSize {
		return fail(errDPoPTooLarge)
	}
	hdrSeg, payloadSeg, sigSeg, e := splitCompact(proof)
	if e != nil {
		return fail(errDPoPNotCompact)
	}
	h, e := d.parseProofHeader(hdrSeg)
	if e != nil {
		return e
	}
	if sigSeg == "" {
		return fail(errDPoPSignature) // unsigned or stripped signature
	}
	if subtle.ConstantTimeCompare([]byte(h.thumbprint), []byte(jkt)) != 1 {
		return fail(errDPoPKeyMismatch)
	}
	sig, e := decodeSegment(sigSeg)
	if e != nil {
		return fail(errDPoPNotCompact)
	}
	signingInput := proof[:len(hdrSeg)+1+len(payloadSeg)]
	if !h.alg.verify(h.key, signingInput, sig) {
		return fail(errDPoPSignature)
	}
	payload, e := decodeSegment(payloadSeg)
	if e != nil {
		return fail(errDPoPNotCompact)
	}
	set, e := decodeObject(payload, errDPoPPayloadJSON, errDPoPPayloadDup)
	if e != nil {
		return e
	}
	c, e := readProofClaims(set, d.nonces != nil)
	if e != nil {
		return e
	}
	if c.htm != method {
		return fail(errDPoPMethod)
	}
	if !sameHTU(c.htu, htu) {
		return fail(errDPoPURL)
	}
	now := d.now()
	nowSec := float64(now.UnixNano()) / 1e9
	if c.iat > nowSec+d.leeway.Seconds() {
		return fail(errDPoPFuture)
	}
	if c.iat < nowSec-d.windowSeconds {
		return fail(errDPoPTooOld)
	}
	if !c.hasATH {
		return fail(errDPoPClaimMissing)
	}
	if subtle.ConstantTimeCompare([]byte(c.ath), []byte(accessTokenHash(accessToken))) != 1 {
		return fail(errDPoPATH)
	}
	if d.nonces != nil {
		if c.nonce == "" {
			return fail(errDPoPNonceMissing)
		}
		if !d.nonces.valid(c.nonce, now) {
			return fail(errDPoPNonce)
		}
	}
	// The entry lives as long as a proof with this iat is accepted.
	expires := now.Add(time.Duration((c.iat + d.windowSeconds - nowSec) * 1e9))
	key := keyID(jkt)
	return d.replay.record(replayKey(key, c.jti), key, expires, now)
}

// accessTokenHash is the ath of a proof presented with token: base64url (no padding) of
// its SHA-256 (RFC 9449 §4.2).
func accessTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// proofHeader is what Check reads from a proof's header.
type proofHeader struct {
	alg        *algorithm
	key        *key
	thumbprint string // RFC 7638, of the jwk
}

// parseProofHeader decodes and checks the proof's protected header (RFC 9449 §4.2).
func (d *DPoPChecker) parseProofHeader(seg string) (proofHeader, *validationError) {
	var h proofHeader
	raw, e := decodeSegment(seg)
	if e != nil {
		return h, fail(errDPoPNotCompact)
	}
	m, e := decodeObject(raw, errDPoPHeaderJSON, errDPoPHeaderDup)
	if e != nil {
		return h, e
	}
	// typ is compared exactly: RFC 9449 §4.2 names the value dpop+jwt, and every DPoP
	// client writes it so; the looser media-type comparison of RFC 7515 §4.1.9 (case,
	// "application/" prefix) is not needed to interoperate.
	typ, ok := m["typ"].(string)
	if !ok {
		return h, fail(errDPoPHeaderMember)
	}
	if typ != "dpop+jwt" {
		return h, fail(errDPoPType)
	}
	alg, ok := m["alg"].(string)
	if !ok {
		return h, fail(errDPoPHeaderMember)
	}
	if h.alg = d.algs[alg]; h.alg == nil {
		return h, fail(errDPoPAlg)
	}
	// The proof's key is its jwk, and nothing else: a member naming another key could
	// make another reader of the same proof verify it with that key.
	for _, name := range [...]string{"jku", "x5u", "x5c"} {
		if _, present := m[name]; present {
			return h, fail(errDPoPKeyRef)
		}
	}
	if _, present := m["crit"]; present {
		return h, fail(errDPoPCrit)
	}
	if b, present := m["b64"]; present && b != true {
		return h, fail(errDPoPCrit)
	}
	jwk, ok := m["jwk"].(map[string]any)
	if !ok {
		return h, fail(errDPoPHeaderMember)
	}
	if h.key, h.thumbprint, e = parseProofKey(jwk); e != nil {
		return h, e
	}
	if !h.alg.fits(h.key) {
		return h, fail(errDPoPKey)
	}
	return h, nil
}

// proofClaims are the claims Check reads from a proof's payload.
type proofClaims struct {
	jti, htm, htu, ath, nonce string
	hasATH                    bool
	iat                       float64
}

// readProofClaims reads the proof's claims (RFC 9449 §4.2): jti, htm and htu strings
// and iat a number, all required; ath, a string; nonce, a string, read only when
// wantNonce.
func readProofClaims(set map[string]any, wantNonce bool) (proofClaims, *validationError) {
	var c proofClaims
	for _, m := range [...]struct {
		name string
		dst  *string
	}{{"jti", &c.jti}, {"htm", &c.htm}, {"htu", &c.htu}} {
		x, present := set[m.name]
		if !present {
			return c, fail(errDPoPClaimMissing)
		}
		s, ok := x.(string)
		if !ok {
			return c, fail(errDPoPClaimType)
		}
		*m.dst = s
	}
	if c.jti == "" || len(c.jti) > maxDPoPJTILength {
		return c, fail(errDPoPJTI)
	}
	x, present := set["iat"]
	if !present {
		return c, fail(errDPoPClaimMissing)
	}
	iat, ok := x.(float64)
	if !ok || math.IsNaN(iat) || math.IsInf(iat, 0) {
		return c, fail(errDPoPClaimType)
	}
	c.iat = iat
	// ath is required too, but its absence is reported where ath is compared, after
	// htm, htu and iat: a proof made for a token request (RFC 9449 §5) has none.
	if x, present := set["ath"]; present {
		if c.ath, ok = x.(string); !ok {
			return c, fail(errDPoPClaimType)
		}
		c.hasATH = true
	}
	if wantNonce {
		if x, present := set["nonce"]; present {
			if c.nonce, ok = x.(string); !ok {
				return c, fail(errDPoPClaimType)
			}
		}
	}
	return c, nil
}

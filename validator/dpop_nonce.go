package validator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"sync/atomic"
	"time"
)

// nonceSource issues and checks DPoP server nonces (RFC 9449 §8) without storing any:
// the nonce of a time slot is an HMAC-SHA256, under the configured secret, of the slot's
// number (Unix time divided by the lifetime). The current slot's nonce is issued; it and
// the previous slot's are accepted, so a nonce is accepted for between one and two
// lifetimes after it was first issued.
type nonceSource struct {
	secret   []byte
	lifetime int64                     // nanoseconds
	cached   atomic.Pointer[nonceSlot] // the nonces of the last slot asked for
}

// nonceSlot holds the nonces of one slot and of the slot before it.
type nonceSlot struct {
	slot           int64
	current, prior string
}

func newNonceSource(secret []byte, lifetime time.Duration) *nonceSource {
	return &nonceSource{secret: slices.Clone(secret), lifetime: int64(lifetime)}
}

// slotOf returns the number of the slot holding t (floor division, so times before 1970
// fall in negative slots).
func (n *nonceSource) slotOf(t time.Time) int64 {
	ns := t.UnixNano()
	s := ns / n.lifetime
	if ns%n.lifetime < 0 {
		s--
	}
	return s
}

// nonce computes the nonce of slot.
func (n *nonceSource) nonce(slot int64) string {
	m := hmac.New(sha256.New, n.secret)
	m.Write([]byte("axioms DPoP nonce\x00"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(slot))
	m.Write(b[:])
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// slot returns the nonces of the slot holding now, computed once per slot.
func (n *nonceSource) slot(now time.Time) *nonceSlot {
	s := n.slotOf(now)
	if c := n.cached.Load(); c != nil && c.slot == s {
		return c
	}
	c := &nonceSlot{slot: s, current: n.nonce(s), prior: n.nonce(s - 1)}
	n.cached.Store(c)
	return c
}

// current returns the nonce to issue at now.
func (n *nonceSource) current(now time.Time) string { return n.slot(now).current }

// valid reports whether nonce is the current or the previous slot's at now, comparing
// in constant time.
func (n *nonceSource) valid(nonce string, now time.Time) bool {
	s := n.slot(now)
	cur := hmac.Equal([]byte(nonce), []byte(s.current))
	prior := hmac.Equal([]byte(nonce), []byte(s.prior))
	return cur || prior
}

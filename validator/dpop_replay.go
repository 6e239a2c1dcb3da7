package validator

import (
	"crypto/sha256"
	"sync"
	"time"
)

// replayCache remembers the proofs a DPoPChecker accepted, each until its iat leaves the
// acceptance window, so that the same proof is never accepted twice. It is bounded: when
// it holds size live entries, or perKey live entries of the same proof key, a new proof
// (of that key) cannot be recorded and is refused; so one client cannot fill the cache
// and lock the others out. Entries are keyed by a hash of the proof key's thumbprint
// and the jti, so one client's jti values never collide with another's, and expire in
// order (a min-heap on expiry).
type replayCache struct {
	mu      sync.Mutex
	size    int
	perKey  int
	expires map[replayID]int64 // Unix nanoseconds after which the entry is gone
	heap    []replayEntry      // the same entries, ordered by expiry
	counts  map[replayID]int   // live entries per proof key (keyID), absent when none
}

// replayID identifies one proof: the first 128 bits of the SHA-256 of the thumbprint,
// a zero byte and the jti. Finding a jti whose id is another client's would take a
// second preimage of 128 bits. A full cache of 65536 entries takes about 5 MiB.
type replayID [16]byte

type replayEntry struct {
	id      replayID
	key     replayID // keyID of the proof key
	expires int64
}

func newReplayCache(size, perKey int) *replayCache {
	return &replayCache{size: size, perKey: perKey, expires: map[replayID]int64{}, counts: map[replayID]int{}}
}

// keyID identifies a proof key in the cache: the first 128 bits of the SHA-256 of its
// thumbprint.
func keyID(jkt string) replayID {
	sum := sha256.Sum256([]byte(jkt))
	return replayID(sum[:16])
}

// replayKey identifies one proof of the key key: the first 128 bits of the SHA-256 of
// the key's id, a zero byte and the jti.
func replayKey(key replayID, jti string) replayID {
	h := sha256.New()
	h.Write(key[:])
	h.Write([]byte{0})
	h.Write([]byte(jti))
	var sum [sha256.Size]byte
	var id replayID
	copy(id[:], h.Sum(sum[:0]))
	return id
}

// record records id, a proof of the key key, as used until expires, and fails when id
// is already recorded and not expired at now (the proof is a replay), or when the cache
// holds size live entries, or perKey of key's (the proof cannot be protected against
// replay, so it is refused: fail closed).
func (c *replayCache) record(id, key replayID, expires, now time.Time) *validationError {
	t, exp := now.UnixNano(), expires.UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	// Drop the expired entries first, so the map and the heap hold the same live
	// entries and an expired id can be recorded afresh.
	for len(c.heap) > 0 && c.heap[0].expires < t {
		delete(c.expires, c.heap[0].id)
		if n := c.counts[c.heap[0].key] - 1; n > 0 {
			c.counts[c.heap[0].key] = n
		} else {
			delete(c.counts, c.heap[0].key)
		}
		c.pop()
	}
	if _, seen := c.expires[id]; seen {
		return fail(errDPoPReplayed)
	}
	if len(c.expires) >= c.size {
		return fail(errDPoPReplayFull)
	}
	if c.counts[key] >= c.perKey {
		return fail(errDPoPReplayKeyFull)
	}
	c.expires[id] = exp
	c.counts[key]++
	c.push(replayEntry{id: id, key: key, expires: exp})
	return nil
}

func (c *replayCache) push(e replayEntry) {
	c.heap = append(c.heap, e)
	i := len(c.heap) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if c.heap[parent].expires <= c.heap[i].expires {
			break
		}
		c.heap[parent], c.heap[i] = c.heap[i], c.heap[parent]
		i = parent
	}
}

func (c *replayCache) pop() {
	last := len(c.heap) - 1
	c.heap[0] = c.heap[last]
	c.heap = c.heap[:last]
	i := 0
	for {
		l, r, min := 2*i+1, 2*i+2, i
		if l < last && c.heap[l].expires < c.heap[min].expires {
			min = l
		}
		if r < last && c.heap[r].expires < c.heap[min].expires {
			min = r
		}
		if min == i {
			return
		}
		c.heap[i], c.heap[min] = c.heap[min], c.heap[i]
		i = min
	}
}

package validator

import (
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"
)

// introCache remembers introspection results, keyed by the SHA-256 of the token (the
// token itself is never kept): active results until min(exp, TTL), refusals for
// NegativeTTL. It is bounded as the verified-token cache is, by Config.CacheSize
// entries and Config.CacheMaxBytes bytes (a budget of its own, beside that cache's),
// each split evenly between the shards.
type introCache struct {
	perShard      int
	perShardBytes int
	shards        [cacheShards]introShard
}

type introShard struct {
	mu     sync.RWMutex
	m      map[[sha256.Size]byte]*introEntry
	bytes  int
	hits   atomic.Uint64
	misses atomic.Uint64
}

type introEntry struct {
	claims *Claims          // an active result, or nil
	err    *validationError // a refusal (template, copied before it is returned), or nil
	until  time.Time
	size   int
}

// introNegativeSize is what a refusal counts: the entry, its map slot and the hash.
const introNegativeSize = 64 + 48 + sha256.Size

func newIntroCache(size int, maxBytes int64) *introCache {
	c := &introCache{
		perShard:      max(1, (size+cacheShards-1)/cacheShards),
		perShardBytes: int(min(maxBytes/cacheShards, 1<<40)),
	}
	for i := range c.shards {
		c.shards[i].m = make(map[[sha256.Size]byte]*introEntry)
	}
	return c
}

func (c *introCache) shard(h [sha256.Size]byte) *introShard {
	return &c.shards[h[0]%cacheShards]
}

// get returns the cached result for the token hashed h: its claims or its refusal, and
// true; false when nothing usable is cached.
func (c *introCache) get(h [sha256.Size]byte, now time.Time) (*Claims, *validationError, bool) {
	sh := c.shard(h)
	sh.mu.RLock()
	e := sh.m[h]
	sh.mu.RUnlock()
	if e == nil {
		sh.misses.Add(1)
		return nil, nil, false
	}
	if !now.Before(e.until) {
		sh.mu.Lock()
		if sh.m[h] == e {
			sh.deleteLocked(h, e)
		}
		sh.mu.Unlock()
		sh.misses.Add(1)
		return nil, nil, false
	}
	sh.hits.Add(1)
	return e.claims, e.err, true
}

// put caches claims (an active result) or err (a refusal) until until.
func (c *introCache) put(h [sha256.Size]byte, claims *Claims, err *validationError, until, now time.Time) {
	if !now.Before(until) {
		return
	}
	size := introNegativeSize
	if claims != nil {
		size = entrySize("", claims, min(maxCacheEntry, c.perShardBytes)) + sha256.Size
	}
	if size > maxCacheEntry || size > c.perShardBytes {
		return // too large to cache: introspected each time
	}
	e := &introEntry{claims: claims, err: err, until: until, size: size}
	sh := c.shard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.m[h]; ok {
		sh.deleteLocked(h, old)
	}
	for len(sh.m) > 0 && (len(sh.m) >= c.perShard || sh.bytes+size > c.perShardBytes) {
		sh.evictLocked(now)
	}
	sh.m[h] = e
	sh.bytes += size
}

func (sh *introShard) deleteLocked(h [sha256.Size]byte, e *introEntry) {
	delete(sh.m, h)
	sh.bytes -= e.size
}

// evictLocked drops one entry: an outdated one if it finds some among the first few it
// looks at, otherwise an arbitrary one.
func (sh *introShard) evictLocked(now time.Time) {
	const scan = 8
	var victim [sha256.Size]byte
	var victimEntry *introEntry
	i := 0
	for h, e := range sh.m {
		if !now.Before(e.until) {
			sh.deleteLocked(h, e)
			return
		}
		if i == 0 {
			victim, victimEntry = h, e
		}
		if i++; i == scan {
			break
		}
	}
	if victimEntry != nil {
		sh.deleteLocked(victim, victimEntry)
	}
}

// counts sums the shards' hit and miss counters.
func (c *introCache) counts() (hits, misses uint64) {
	for i := range c.shards {
		hits += c.shards[i].hits.Load()
		misses += c.shards[i].misses.Load()
	}
	return hits, misses
}

// stats reports the number of entries and bytes held (for tests).
func (c *introCache) stats() (entries, bytes int) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		entries += len(sh.m)
		bytes += sh.bytes
		sh.mu.RUnlock()
	}
	return entries, bytes
}

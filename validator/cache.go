package validator

import (
	"sync"
	"sync/atomic"
	"time"
)

// cacheShards is the number of independently locked parts of the verified-token cache.
const cacheShards = 16

// maxCacheEntry is the largest entry cached, as counted by entrySize: a larger token is
// verified each time it is presented. Ordinary claims count six to seven times their
// JSON size, so an 8 KiB token (the default MaxTokenSize) counts about 40 KiB; claims
// made of thousands of tiny values count more, and may not be cached.
const maxCacheEntry = 64 << 10

// tokenCache remembers verified tokens, keyed by the exact token string. An entry is
// served only while now is before the token's exp (leeway is not applied to cached
// entries; an older token goes through full validation) and while the key that verified
// it is still in the issuer's key set. Only successfully verified tokens are stored, so an
// attacker cannot fill the cache with invalid tokens.
//
// It is bounded twice: by entries (Config.CacheSize) and by bytes (Config.CacheMaxBytes),
// each split evenly between the shards; an entry counts the memory it keeps (entrySize).
type tokenCache struct {
	perShard      int // entries
	perShardBytes int // bytes, as counted by entrySize
	shards        [cacheShards]cacheShard
}

type cacheShard struct {
	mu     sync.RWMutex
	m      map[string]*cacheEntry
	bytes  int           // sum of the entries' size
	hits   atomic.Uint64 // lookups answered (Status)
	misses atomic.Uint64 // lookups not answered (Status)
	_      [72]byte      // 128 bytes a shard: shards on separate cache lines
}

type cacheEntry struct {
	claims *Claims
	key    *key
	exp    time.Time
	size   int // entrySize
}

// newTokenCache returns a cache of about size entries and maxBytes bytes, or nil when
// size is zero.
func newTokenCache(size int, maxBytes int64) *tokenCache {
	if size <= 0 {
		return nil
	}
	c := &tokenCache{
		perShard:      max(1, (size+cacheShards-1)/cacheShards),
		perShardBytes: int(min(maxBytes/cacheShards, 1<<40)),
	}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*cacheEntry)
	}
	return c
}

// shard picks a shard from the token's last characters (signature bytes, which the
// holder of a valid token cannot choose).
func (c *tokenCache) shard(token string) *cacheShard {
	n := len(token)
	h := uint(token[n-1])
	if n > 1 {
		h = h*31 + uint(token[n-2])
	}
	return &c.shards[h%cacheShards]
}

func (c *tokenCache) get(token string, now time.Time) *Claims {
	sh := c.shard(token)
	sh.mu.RLock()
	e := sh.m[token]
	sh.mu.RUnlock()
	if e == nil {
		sh.misses.Add(1)
		return nil
	}
	if !now.Before(e.exp) || e.key.removed.Load() {
		sh.mu.Lock()
		if sh.m[token] == e {
			sh.deleteLocked(token, e)
		}
		sh.mu.Unlock()
		sh.misses.Add(1)
		return nil
	}
	sh.hits.Add(1)
	return e.claims
}

// counts sums the shards' hit and miss counters.
func (c *tokenCache) counts() (hits, misses uint64) {
	for i := range c.shards {
		hits += c.shards[i].hits.Load()
		misses += c.shards[i].misses.Load()
	}
	return hits, misses
}

func (c *tokenCache) put(token string, claims *Claims, k *key, now time.Time) {
	if !now.Before(claims.expiresAt) {
		return // valid only thanks to leeway: not worth caching
	}
	size := entrySize(token, claims, min(maxCacheEntry, c.perShardBytes))
	if size > maxCacheEntry || size > c.perShardBytes {
		return // too large to cache: verified each time
	}
	e := &cacheEntry{claims: claims, key: k, exp: claims.expiresAt, size: size}
	sh := c.shard(token)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.m[token]; ok {
		sh.deleteLocked(token, old)
	}
	for len(sh.m) > 0 && (len(sh.m) >= c.perShard || sh.bytes+size > c.perShardBytes) {
		sh.evictLocked(now)
	}
	sh.m[token] = e
	sh.bytes += size
}

func (sh *cacheShard) deleteLocked(token string, e *cacheEntry) {
	delete(sh.m, token)
	sh.bytes -= e.size
}

// evictLocked drops one entry: an expired or revoked one if it finds some among the
// first few it looks at, otherwise an arbitrary one (Go's map iteration order is
// randomised).
func (sh *cacheShard) evictLocked(now time.Time) {
	const scan = 8
	var victim string
	var victimEntry *cacheEntry
	i := 0
	for tok, e := range sh.m {
		if !now.Before(e.exp) || e.key.removed.Load() {
			sh.deleteLocked(tok, e)
			return
		}
		if i == 0 {
			victim, victimEntry = tok, e
		}
		if i++; i == scan {
			break
		}
	}
	if victimEntry != nil {
		sh.deleteLocked(victim, victimEntry)
	}
}

// purgeRemoved drops every entry verified by a key that left the key set.
func (c *tokenCache) purgeRemoved([]*key) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for tok, e := range sh.m {
			if e.key.removed.Load() {
				sh.deleteLocked(tok, e)
			}
		}
		sh.mu.Unlock()
	}
}

// len reports the number of entries (for tests).
func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

// Sizes in bytes used by entrySize, for a 64-bit platform. They are what the Go runtime
// allocates for each part, rounded up to its allocation size classes.
const (
	// entryFixed: the cacheEntry, the Claims struct and the cache map's slot for the
	// token (key and value, with the map's spare capacity).
	entryFixed = 64 + 256 + 48
	// mapHeader: a map's header; mapGroup: a group of eight key-value slots of a
	// map[string]any (a string and an interface each) with their control word. A map
	// holds up to eight entries in one group; a larger one has a power-of-two number of
	// slots, at most 7/8 full, in tables of up to 1024 slots (mapTable each).
	mapHeader = 48
	mapGroup  = 8 + 8*32
	mapTable  = 48
	// boxed: a string or slice header, or a float64, stored in an interface (allocated).
	boxedString = 16
	boxedSlice  = 32
	boxedNumber = 8
	// listItem: one element of a []any (an interface) or of a []string.
	listItem = 16
)

// entrySize counts the memory a cache entry for token keeps: the token, the entry and
// the Claims struct, the decoded payload, the decoded claim set (every map, slice, string
// and number the JSON decoder allocated) and the lists Claims holds. It stops counting
// once the count passes limit (the entry will not be cached) and returns a number above
// limit then. It allocates nothing.
func entrySize(token string, c *Claims, limit int) int {
	n := entryFixed + allocSize(len(token)) + allocSize(cap(c.payload))
	n += listItem * (cap(c.audience) + cap(c.scopes) + cap(c.roles) + cap(c.permissions))
	if n > limit {
		return n
	}
	return n + mapSize(c.set, limit-n)
}

// valueSize counts a decoded JSON value held in an interface, stopping once the count
// passes limit.
func valueSize(v any, limit int) int {
	switch x := v.(type) {
	case string:
		return boxedString + allocSize(len(x))
	case float64:
		return boxedNumber
	case []any:
		n := boxedSlice + listItem*cap(x)
		for _, e := range x {
			if n > limit {
				break
			}
			n += valueSize(e, limit-n)
		}
		return n
	case map[string]any:
		return mapSize(x, limit)
	}
	return 0 // bool and null: not allocated
}

func mapSize(m map[string]any, limit int) int {
	n := mapHeader + mapGroup
	if len(m) > 8 {
		slots := 8
		for slots*7/8 < len(m) {
			slots *= 2
		}
		n = mapHeader + slots/8*mapGroup + (slots+1023)/1024*mapTable
	}
	for k, v := range m {
		if n > limit {
			break
		}
		n += allocSize(len(k)) + valueSize(v, limit-n)
	}
	return n
}

// allocSize rounds a small allocation up to a multiple of 16 bytes, as the runtime's
// size classes do on average.
func allocSize(n int) int {
	return (n + 15) &^ 15
}

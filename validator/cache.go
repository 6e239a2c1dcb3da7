package validator

import (
	"sync"
	"time"
)

// cacheShards is the number of independently locked parts of the verified-token cache.
const cacheShards = 16

// tokenCache remembers verified tokens, keyed by the exact token string. An entry is
// served only while now is before the token's exp (leeway is not applied to cached
// entries; an older token goes through full validation) and while the key that verified
// it is still in the issuer's key set. Only successfully verified tokens are stored, so an
// attacker cannot fill the cache with invalid tokens.
type tokenCache struct {
	perShard int
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[string]*cacheEntry
	_  [40]byte // keep shards on separate cache lines
}

type cacheEntry struct {
	claims *Claims
	key    *key
	exp    time.Time
}

// newTokenCache returns a cache of about size entries, or nil when size is zero.
func newTokenCache(size int) *tokenCache {
	if size <= 0 {
		return nil
	}
	c := &tokenCache{perShard: max(1, (size+cacheShards-1)/cacheShards)}
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
		return nil
	}
	if !now.Before(e.exp) || e.key.removed.Load() {
		sh.mu.Lock()
		if sh.m[token] == e {
			delete(sh.m, token)
		}
		sh.mu.Unlock()
		return nil
	}
	return e.claims
}

func (c *tokenCache) put(token string, claims *Claims, k *key, now time.Time) {
	if !now.Before(claims.expiresAt) {
		return // valid only thanks to leeway: not worth caching
	}
	e := &cacheEntry{claims: claims, key: k, exp: claims.expiresAt}
	sh := c.shard(token)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[token]; !ok && len(sh.m) >= c.perShard {
		sh.evictLocked(now)
	}
	sh.m[token] = e
}

// evictLocked drops expired or revoked entries if it finds some among the first few it
// looks at, otherwise one arbitrary entry (Go's map iteration order is randomised).
func (sh *cacheShard) evictLocked(now time.Time) {
	const scan = 8
	var victim string
	i := 0
	for tok, e := range sh.m {
		if !now.Before(e.exp) || e.key.removed.Load() {
			delete(sh.m, tok)
			return
		}
		if i == 0 {
			victim = tok
		}
		if i++; i == scan {
			break
		}
	}
	delete(sh.m, victim)
}

// purgeRemoved drops every entry verified by a key that left the key set.
func (c *tokenCache) purgeRemoved([]*key) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for tok, e := range sh.m {
			if e.key.removed.Load() {
				delete(sh.m, tok)
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

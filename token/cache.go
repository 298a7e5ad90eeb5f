package token

import (
	"container/list"
	"sync"
	"time"
)

// keyCache is a bounded cache of successful API key validations with a
// time to live and least-recently-used eviction. An epoch counter, bumped
// on every purge, keeps a validation that read the store before a revoke
// from re-inserting the revoked key afterwards.
type keyCache struct {
	ttl time.Duration
	max int

	mu    sync.Mutex
	epoch uint64
	m     map[Digest]*list.Element
	lru   *list.List // of *cacheEntry, most recently used first
}

type cacheEntry struct {
	d       Digest
	p       Principal
	email   string
	expires time.Time
}

func newKeyCache(ttl time.Duration, size int) *keyCache {
	return &keyCache{ttl: ttl, max: size, m: map[Digest]*list.Element{}, lru: list.New()}
}

// get returns the unexpired entry for the digest.
func (c *keyCache) get(d Digest, now time.Time) (cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[d]
	if !ok {
		return cacheEntry{}, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.remove(el)
		return cacheEntry{}, false
	}
	c.lru.MoveToFront(el)
	return *e, true
}

func (c *keyCache) currentEpoch() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// put stores the entry unless a purge happened since epoch was read.
func (c *keyCache) put(e cacheEntry, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	if el, ok := c.m[e.d]; ok {
		*el.Value.(*cacheEntry) = e
		c.lru.MoveToFront(el)
		return
	}
	for c.lru.Len() >= c.max {
		c.remove(c.lru.Back())
	}
	c.m[e.d] = c.lru.PushFront(&e)
}

func (c *keyCache) remove(el *list.Element) {
	delete(c.m, el.Value.(*cacheEntry).d)
	c.lru.Remove(el)
}

// purge drops every entry for which match reports true.
func (c *keyCache) purge(match func(*cacheEntry) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		if match(el.Value.(*cacheEntry)) {
			c.remove(el)
		}
		el = next
	}
}

func (c *keyCache) purgeKey(keyID string) {
	c.purge(func(e *cacheEntry) bool { return e.p.TokenID == keyID })
}

func (c *keyCache) purgeAccount(accountID string) {
	c.purge(func(e *cacheEntry) bool { return e.p.AccountID == accountID })
}

// len returns the number of entries, for tests.
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

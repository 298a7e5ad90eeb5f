package memory

import (
	"context"
	"sync"
	"time"

	"github.com/seed-a97ca23f/usersettings/ratelimit"
)

// DefaultRateBuckets is how many rate-limit buckets a Limiter keeps
// unless told otherwise: about 10 MB.
const DefaultRateBuckets = 100_000

// limiterShards is the number of independently locked parts of a
// Limiter. Keys are digests, so their first byte spreads them evenly.
const limiterShards = 16

// Limiter is the in-memory ratelimit.Store: token buckets of this
// process, for tests, single-process hosts and as a front end's default.
// It holds at most its size in buckets; beyond it, the least recently
// used bucket is dropped (as if it were full again). The bound is kept in
// each of 16 shards, a 16th of the size each, so a shard that draws more
// keys than the others drops buckets a little before the whole reaches
// its size. A take locks one of
// 16 shards for a map lookup and a list move, whatever the number of
// buckets. It is safe for concurrent use and takes no part in the
// Store's transactions.
type Limiter struct {
	shards [limiterShards]limiterShard
}

var _ ratelimit.Store = (*Limiter)(nil)

// limiterShard is one part of a Limiter: a map for lookups and a list in
// order of use, most recent first, for eviction.
type limiterShard struct {
	mu      sync.Mutex
	size    int
	buckets map[ratelimit.Key]*rateBucket
	root    rateBucket // sentinel: root.next is the most recently used
}

// rateBucket is one bucket: its arrival time and its place in the list.
type rateBucket struct {
	key        ratelimit.Key
	tat        time.Time
	prev, next *rateBucket
}

// NewLimiter returns an empty Limiter that holds at most size buckets
// (DefaultRateBuckets when size <= 0).
func NewLimiter(size int) *Limiter {
	if size <= 0 {
		size = DefaultRateBuckets
	}
	l := &Limiter{}
	per := (size + limiterShards - 1) / limiterShards
	for i := range l.shards {
		sh := &l.shards[i]
		sh.size = per
		sh.buckets = make(map[ratelimit.Key]*rateBucket)
		sh.root.prev, sh.root.next = &sh.root, &sh.root
	}
	return l
}

// TakeRateToken implements ratelimit.Limiter.
func (l *Limiter) TakeRateToken(ctx context.Context, key ratelimit.Key, lim ratelimit.Limit, now time.Time) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if lim.Off() {
		return true, 0, nil
	}
	now = now.Truncate(time.Microsecond) // the precision of the SQL stores
	sh := &l.shards[key[0]%limiterShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b := sh.buckets[key]
	if b == nil {
		b = sh.add(key)
	} else {
		sh.unlink(b)
		sh.pushFront(b)
	}
	next, ok := lim.Take(b.tat, now)
	b.tat = next
	if ok {
		return true, 0, nil
	}
	return false, lim.RetryAfter(next, now), nil
}

// DeleteFullRateBuckets implements ratelimit.Store. It visits every
// bucket, one shard at a time.
func (l *Limiter) DeleteFullRateBuckets(ctx context.Context, now time.Time) (int, error) {
	n := 0
	for i := range l.shards {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		n += l.shards[i].deleteFull(now)
	}
	return n, nil
}

// RateBuckets returns the number of buckets held.
func (l *Limiter) RateBuckets() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.buckets)
		sh.mu.Unlock()
	}
	return n
}

// add makes the bucket of key, most recently used, dropping the least
// recently used one when the shard is full. It runs with mu held.
func (sh *limiterShard) add(key ratelimit.Key) *rateBucket {
	var b *rateBucket
	if len(sh.buckets) >= sh.size {
		b = sh.root.prev
		sh.unlink(b)
		delete(sh.buckets, b.key)
		*b = rateBucket{} // reused, so a full shard allocates nothing
	} else {
		b = &rateBucket{}
	}
	b.key = key
	sh.buckets[key] = b
	sh.pushFront(b)
	return b
}

func (sh *limiterShard) deleteFull(now time.Time) int {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	n := 0
	for k, b := range sh.buckets {
		if !b.tat.After(now) {
			sh.unlink(b)
			delete(sh.buckets, k)
			n++
		}
	}
	return n
}

func (sh *limiterShard) unlink(b *rateBucket) {
	b.prev.next, b.next.prev = b.next, b.prev
	b.prev, b.next = nil, nil
}

func (sh *limiterShard) pushFront(b *rateBucket) {
	b.prev, b.next = &sh.root, sh.root.next
	sh.root.next.prev = b
	sh.root.next = b
}

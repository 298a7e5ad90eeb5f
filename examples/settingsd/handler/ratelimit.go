package handler

import (
	"math"
	"net/http"
	"sync"
	"time"
)

// Limit is a token bucket: Burst requests at once, then one more every
// Every. The zero Limit allows everything.
type Limit struct {
	Burst int
	Every time.Duration
}

func (l Limit) off() bool { return l.Burst <= 0 || l.Every <= 0 }

// maxBuckets bounds the limiter's memory: beyond it, buckets that have
// refilled completely are dropped (they hold no information).
const maxBuckets = 100_000

// Limiter holds one token bucket per key, in memory. It is safe for
// concurrent use. Give one Limiter to several front ends of one server
// (WithLimiter here, the web pages' own option there) so that they draw
// on the same buckets.
type Limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
	limit  Limit
}

// NewLimiter returns an empty Limiter on the clock now (time.Now when
// nil).
func NewLimiter(now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{now: now, buckets: map[string]*bucket{}}
}

// Take takes one token from the bucket of key under l and reports whether
// there was one, or how long until there is.
func (lm *Limiter) Take(key string, l Limit) (bool, time.Duration) {
	if l.off() {
		return true, 0
	}
	lm.mu.Lock()
	defer lm.mu.Unlock()
	now := lm.now()
	b := lm.buckets[key]
	if b == nil {
		if len(lm.buckets) >= maxBuckets {
			lm.sweep(now)
		}
		b = &bucket{tokens: float64(l.Burst), at: now, limit: l}
		lm.buckets[key] = b
	}
	b.refill(now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) * float64(l.Every))
	return false, wait
}

func (b *bucket) refill(now time.Time) {
	if el := now.Sub(b.at); el > 0 {
		b.tokens = math.Min(float64(b.limit.Burst), b.tokens+float64(el)/float64(b.limit.Every))
		b.at = now
	}
}

// sweep drops the buckets that are full again. It runs with mu held.
func (lm *Limiter) sweep(now time.Time) {
	for k, b := range lm.buckets {
		b.refill(now)
		if b.tokens >= float64(b.limit.Burst) {
			delete(lm.buckets, k)
		}
	}
}

// allow takes a token for the client of r and for each of the addresses
// (emails or flow ids, the empty string skipped) of the route kind. When a
// bucket is empty it answers 429 {"error":"rate_limited"} and reports
// false.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, kind string, addresses ...string) bool {
	var wait time.Duration
	ok, d := h.limiter.Take(kind+"|ip|"+h.clientIP(r), h.clientLimit)
	if !ok {
		wait = d
	}
	for _, a := range addresses {
		if a == "" {
			continue
		}
		if ok2, d := h.limiter.Take(kind+"|addr|"+a, h.addrLimit); !ok2 {
			ok, wait = false, max(wait, d)
		}
	}
	if !ok {
		rateLimited(w, int(math.Ceil(wait.Seconds())))
	}
	return ok
}

package handler

import (
	"context"
	"net/http"
	"time"

	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// Limit is a token bucket: Burst requests at once, then one more every
// Every. The zero Limit allows everything.
type Limit = ratelimit.Limit

// Limiter takes the rate-limit tokens of the front ends of one server
// from the buckets of a ratelimit.Limiter, on the server's clock. It is
// safe for concurrent use. Give one Limiter to every front end of a
// server (WithLimiter here, the web pages' own option there) so that
// they draw on the same buckets; build it on the server's sqlstore.Store
// (NewStoreLimiter) so that every replica on the database does too.
type Limiter struct {
	buckets ratelimit.Limiter
	now     func() time.Time
}

// NewLimiter returns a Limiter whose buckets live in this process (a
// memory.Limiter of the default size), on the clock now (time.Now when
// nil): the default of a front end, and enough for one replica.
func NewLimiter(now func() time.Time) *Limiter {
	return NewStoreLimiter(memory.NewLimiter(0), now)
}

// NewStoreLimiter returns a Limiter on the buckets of l, on the clock
// now (time.Now when nil).
func NewStoreLimiter(l ratelimit.Limiter, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{buckets: l, now: now}
}

// Allow takes a token of the route kind for the client under clientLimit
// and one for each of the addresses (emails or flow ids, the empty string
// skipped) under addrLimit. It reports whether every take succeeded and,
// when one did not, the longest time until all would. An error of the
// buckets' store stops it and is returned.
func (lm *Limiter) Allow(ctx context.Context, kind, client string, clientLimit, addrLimit Limit, addresses ...string) (bool, time.Duration, error) {
	now := lm.now()
	ok, wait, err := lm.buckets.TakeRateToken(ctx, ratelimit.KeyOf(kind+"|ip|"+client), clientLimit, now)
	if err != nil {
		return false, 0, err
	}
	for _, a := range addresses {
		if a == "" {
			continue
		}
		ok2, d, err := lm.buckets.TakeRateToken(ctx, ratelimit.KeyOf(kind+"|addr|"+a), addrLimit, now)
		if err != nil {
			return false, 0, err
		}
		if !ok2 {
			ok, wait = false, max(wait, d)
		}
	}
	return ok, wait, nil
}

// allow takes a token for the client of r and for each of the addresses
// of the route kind (see Limiter.Allow). When a bucket is empty it
// answers 429 {"error":"rate_limited"} and reports false; when the
// buckets cannot be read it answers 500 and reports false.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, kind string, addresses ...string) bool {
	ok, wait, err := h.limiter.Allow(r.Context(), kind, h.clientIP(r), h.clientLimit, h.addrLimit, addresses...)
	switch {
	case err != nil:
		h.fail(w, r, err)
	case !ok:
		rateLimited(w, r, wait)
	}
	return ok && err == nil
}

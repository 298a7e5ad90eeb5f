// Package ratelimit is the contract of a rate limiter whose buckets live
// in a store, so that several replicas of a server on one database draw on
// the same budget: the eleventh wrong password for an address is refused
// whichever replica it reaches.
//
// A bucket holds up to Limit.Burst tokens and gains one every Limit.Every.
// Each call of [Limiter.TakeRateToken] is one atomic check-and-take: it
// refills the bucket up to now and takes a token if there is one, or
// reports how long until there is. Keys are [Key] digests, so no address
// or client IP rests in clear in a store.
//
//	ok, wait, err := st.TakeRateToken(ctx, ratelimit.KeyOf("signin|addr|"+email), limit, now())
//
// The rule of a take is [Limit.Take], a pure function, and only it: the
// adapters of the SDK implement [Store] by keeping each bucket's state
// and applying Take to it. storage/memory does so in the process, under
// a lock (bounded, least recently used buckets dropped first);
// storage/sqlstore in its database by compare-and-set (read the state,
// Take, write the new state only over the one read, again when another
// take came in between). An adapter never writes the rule again in its
// own language. The suite storagetest.TestLimiter checks any other.
//
// Buckets are kept as a theoretical arrival time (the generic cell rate
// algorithm): the time at which the bucket is full again. That one
// instant holds the whole state of a token bucket, so a take is one
// comparison and one addition, and a bucket whose time has passed holds
// no information and can be deleted (Store.DeleteFullRateBuckets).
package ratelimit

import (
	"context"
	"crypto/sha256"
	"time"
)

// Limit is a token bucket: Burst takes at once, then one more every
// Every. Every is counted in whole microseconds, the precision the stores
// keep. A Limit with Burst <= 0 or Every under a microsecond is off: it
// allows everything.
type Limit struct {
	Burst int
	Every time.Duration
}

// Off reports whether l allows everything.
func (l Limit) Off() bool { return l.Burst <= 0 || l.Every < time.Microsecond }

// every returns Every truncated to the microsecond.
func (l Limit) every() time.Duration { return l.Every.Truncate(time.Microsecond) }

// threshold returns the latest arrival time a bucket may have for a take
// at now to succeed: now plus Burst-1 intervals.
func (l Limit) threshold(now time.Time) time.Time {
	return now.Add(time.Duration(l.Burst-1) * l.every())
}

// Take is the rule of one take, as a pure function: given the arrival
// time tat of a bucket (the zero time for a bucket never seen) it returns
// the bucket's next arrival time and whether the take succeeded. A
// refused take leaves tat unchanged. Take of an off Limit always
// succeeds and returns tat.
func (l Limit) Take(tat, now time.Time) (next time.Time, ok bool) {
	if l.Off() {
		return tat, true
	}
	if tat.After(l.threshold(now)) {
		return tat, false
	}
	if tat.Before(now) {
		tat = now
	}
	return tat.Add(l.every()), true
}

// RetryAfter returns how long after now a take from the bucket whose
// arrival time is tat succeeds again: zero when it would succeed now.
func (l Limit) RetryAfter(tat, now time.Time) time.Duration {
	if l.Off() {
		return 0
	}
	return max(tat.Sub(l.threshold(now)), 0)
}

// Key is the SHA-256 of a bucket's name: what a store keeps instead of
// the name, which usually holds an email address or a client IP.
type Key [sha256.Size]byte

// KeyOf returns the key of the bucket named name.
func KeyOf(name string) Key { return sha256.Sum256([]byte(name)) }

// Limiter takes tokens from buckets. Front ends of one server share one
// Limiter, so that they draw on the same buckets; adapters of a shared
// database share them across processes too.
type Limiter interface {
	// TakeRateToken refills the bucket of key under l up to now and takes
	// one token from it, atomically, as Limit.Take decides: of any number
	// of concurrent calls, in this process or another one on the same
	// store, no more succeed than the bucket holds (an adapter that keeps
	// buckets in a database writes a bucket's new state only over the
	// state it read, and decides again when another take came in
	// between). It reports whether a token was taken and,
	// when none was, how long after now one will be there (positive).
	// A take that fails with an error changes nothing; an off Limit
	// succeeds without touching the store. Buckets are made on first use,
	// full, with the Limit of the call; a call with another Limit for the
	// same key applies that Limit to the bucket's state. Callers take
	// tokens outside transactions; an adapter may make a take carried in
	// one of its transactions part of it.
	TakeRateToken(ctx context.Context, key Key, l Limit, now time.Time) (ok bool, retryAfter time.Duration, err error)
}

// Store is the Limiter of an adapter, which also forgets the buckets
// that hold nothing any more.
type Store interface {
	Limiter
	// DeleteFullRateBuckets deletes the buckets that are full again at
	// now (a full bucket is the same as no bucket) and returns how many
	// it deleted. A host runs it now and then, so that the buckets of
	// addresses and clients seen once do not pile up.
	DeleteFullRateBuckets(ctx context.Context, now time.Time) (int, error)
}

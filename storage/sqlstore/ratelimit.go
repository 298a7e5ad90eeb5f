package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/storage"
)

var _ ratelimit.Store = (*Store)(nil)

// maxRateSwaps bounds the compare-and-set rounds of one take. Each lost
// round means another take got a token from the bucket, so a round is
// lost at most as often as the bucket holds tokens; the bound is only
// reached on a bucket with a large burst under heavy contention.
const maxRateSwaps = 100

// TakeRateToken implements ratelimit.Limiter by compare-and-set, so the
// rule stays ratelimit.Limit.Take, in Go: it reads the bucket's arrival
// time, lets Take decide, and writes the new time only over the one it
// read (an INSERT that does nothing when another take made the bucket
// first, or an UPDATE … WHERE full_at = the time read). When another
// take came in between, it reads again and decides again, so concurrent
// takes from any number of Stores on the database never take more than
// the bucket holds. A refused take writes nothing. Inside a transaction
// of the Store it is part of the transaction.
func (s *Store) TakeRateToken(ctx context.Context, key ratelimit.Key, l ratelimit.Limit, now time.Time) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if l.Off() {
		return true, 0, nil
	}
	now = micro(now)
	for range maxRateSwaps {
		tat, found, err := s.rateBucket(ctx, key)
		if err != nil {
			return false, 0, err
		}
		next, ok := l.Take(tat, now)
		if !ok {
			return false, l.RetryAfter(tat, now), nil
		}
		swapped, err := s.swapRateBucket(ctx, key, tat, found, next)
		if err != nil || swapped {
			return swapped, 0, err
		}
	}
	return false, 0, errf("take rate token: %d concurrent takes won over this one: %w", maxRateSwaps, storage.ErrConflict)
}

// rateBucket reads the arrival time of the bucket of key; found is false
// (and tat zero) when there is no bucket.
func (s *Store) rateBucket(ctx context.Context, key ratelimit.Key) (tat time.Time, found bool, err error) {
	err = s.queryRow(ctx, "read rate bucket", `SELECT full_at FROM us_rate_buckets WHERE digest = ?`,
		[]any{key[:]}, dbTime{&tat})
	if errors.Is(err, storage.ErrNotFound) {
		return time.Time{}, false, nil
	}
	return tat, err == nil, err
}

// swapRateBucket sets the arrival time of the bucket of key to next if
// it is still old (no bucket when !found), and reports whether it did.
// The took column of the table is written true for a new bucket and not
// read: the take no longer needs the database to report it.
func (s *Store) swapRateBucket(ctx context.Context, key ratelimit.Key, old time.Time, found bool, next time.Time) (bool, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		if found {
			n, err = s.exec(ctx, "take rate token", `UPDATE us_rate_buckets SET full_at = ?
				WHERE digest = ? AND full_at = ?`, s.d.timeArg(next), key[:], s.d.timeArg(old))
		} else {
			n, err = s.exec(ctx, "take rate token", `INSERT INTO us_rate_buckets (digest, full_at, took)
				VALUES (?, ?, TRUE) ON CONFLICT (digest) DO NOTHING`, key[:], s.d.timeArg(next))
		}
		return err
	})
	return n > 0, err
}

// DeleteFullRateBuckets implements ratelimit.Store in batches
// (WithDeleteBatch), each of which scans the table until it has found a
// batch (see the migration: full_at has no index).
func (s *Store) DeleteFullRateBuckets(ctx context.Context, now time.Time) (int, error) {
	return s.deleteBatched(ctx, "delete full rate buckets", "us_rate_buckets", "digest",
		`full_at <= ?`, s.d.timeArg(now))
}

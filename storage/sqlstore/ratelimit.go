package sqlstore

import (
	"context"
	"time"

	"github.com/seed-a97ca23f/usersettings/ratelimit"
)

var _ ratelimit.Store = (*Store)(nil)

// takeRateToken is the statement of one take, per dialect: an upsert
// that inserts a new bucket with its first token taken, or applies
// ratelimit.Limit.Take to the stored one, and returns the bucket's time
// and whether a token was taken. The arguments are the key, now, Every
// in microseconds and Limit.Threshold(now); the rule is the comparison
// with the threshold, as in Limit.Take.
var takeRateToken = map[Dialect]string{
	SQLite: `INSERT INTO us_rate_buckets AS b (digest, full_at, took) VALUES (?1, ?2 + ?3, 1)
		ON CONFLICT (digest) DO UPDATE SET
			full_at = CASE WHEN b.full_at <= ?4 THEN max(b.full_at, ?2) + ?3 ELSE b.full_at END,
			took = b.full_at <= ?4
		RETURNING full_at, took`,
	Postgres: `INSERT INTO us_rate_buckets AS b (digest, full_at, took)
		VALUES ($1, $2::timestamptz + $3::bigint * interval '1 microsecond', true)
		ON CONFLICT (digest) DO UPDATE SET
			full_at = CASE WHEN b.full_at <= $4::timestamptz
				THEN greatest(b.full_at, $2::timestamptz) + $3::bigint * interval '1 microsecond'
				ELSE b.full_at END,
			took = b.full_at <= $4::timestamptz
		RETURNING full_at, took`,
}

// TakeRateToken implements ratelimit.Limiter with one statement, an
// upsert that returns the bucket: atomic on its own, and shared by every
// Store on the database. Inside a transaction of the Store it is part of
// the transaction.
func (s *Store) TakeRateToken(ctx context.Context, key ratelimit.Key, l ratelimit.Limit, now time.Time) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if l.Off() {
		return true, 0, nil
	}
	now = micro(now)
	var fullAt time.Time
	var took bool
	err := s.writeOne(ctx, func(ctx context.Context) error {
		return s.queryRow(ctx, "take rate token", takeRateToken[s.d],
			[]any{key[:], s.d.timeArg(now), int64(l.Every / time.Microsecond), s.d.timeArg(l.Threshold(now))},
			dbTime{&fullAt}, &took)
	})
	switch {
	case err != nil:
		return false, 0, err
	case took:
		return true, 0, nil
	}
	return false, l.RetryAfter(fullAt, now), nil
}

// DeleteFullRateBuckets implements ratelimit.Store in batches
// (WithDeleteBatch), each of which scans the table until it has found a
// batch (see the migration: full_at has no index).
func (s *Store) DeleteFullRateBuckets(ctx context.Context, now time.Time) (int, error) {
	return s.deleteBatched(ctx, "delete full rate buckets", "us_rate_buckets", "digest",
		`full_at <= ?`, s.d.timeArg(now))
}

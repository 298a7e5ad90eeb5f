package sqlstore

import (
	"context"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
)

var _ account.LoginFailures = (*Store)(nil)

// addLoginFailure is the statement of one count, per dialect: an upsert
// that makes the counter with one failure, or adds one to the stored
// counter (starting again from one when its latest failure is before
// since), and returns the new count and the time of the failure before
// this one. The arguments are the key, at and since.
var addLoginFailure = map[Dialect]string{
	SQLite: `INSERT INTO us_login_failures AS f (digest, failures, last_at, prev_at) VALUES (?1, 1, ?2, NULL)
		ON CONFLICT (digest) DO UPDATE SET
			failures = CASE WHEN f.last_at < ?3 THEN 1 ELSE f.failures + 1 END,
			prev_at = CASE WHEN f.last_at < ?3 THEN NULL ELSE f.last_at END,
			last_at = ?2
		RETURNING failures, prev_at`,
	Postgres: `INSERT INTO us_login_failures AS f (digest, failures, last_at, prev_at) VALUES ($1, 1, $2::timestamptz, NULL)
		ON CONFLICT (digest) DO UPDATE SET
			failures = CASE WHEN f.last_at < $3::timestamptz THEN 1 ELSE f.failures + 1 END,
			prev_at = CASE WHEN f.last_at < $3::timestamptz THEN NULL ELSE f.last_at END,
			last_at = $2::timestamptz
		RETURNING failures, prev_at`,
}

// AddLoginFailure implements account.LoginFailures with one upsert:
// atomic on its own and, inside a transaction of the Store, part of it
// (on PostgreSQL it holds the counter's row until the transaction ends,
// so attempts on one counter are counted one after the other).
func (s *Store) AddLoginFailure(ctx context.Context, key ratelimit.Key, at, since time.Time) (account.Failures, error) {
	var n int
	var prev time.Time
	err := s.writeOne(ctx, func(ctx context.Context) error {
		return s.queryRow(ctx, "add login failure", addLoginFailure[s.d],
			[]any{key[:], s.d.timeArg(at), s.d.timeArg(since)}, &n, dbTime{&prev})
	})
	if err != nil {
		return account.Failures{}, err
	}
	if n <= 1 {
		return account.Failures{}, nil
	}
	return account.Failures{Count: n - 1, Last: prev}, nil
}

// TakeBackLoginFailure implements account.LoginFailures.
func (s *Store) TakeBackLoginFailure(ctx context.Context, key ratelimit.Key) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		_, err := s.exec(ctx, "take back login failure",
			`UPDATE us_login_failures SET failures = failures - 1 WHERE digest = ? AND failures > 0`, key[:])
		return err
	})
}

// ForgetLoginFailures implements account.LoginFailures.
func (s *Store) ForgetLoginFailures(ctx context.Context, key ratelimit.Key) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		_, err := s.exec(ctx, "forget login failures", `DELETE FROM us_login_failures WHERE digest = ?`, key[:])
		return err
	})
}

// DeleteLoginFailuresBefore implements account.LoginFailures in batches
// (see deleteBatched); last_at has no index, so each batch scans.
func (s *Store) DeleteLoginFailuresBefore(ctx context.Context, before time.Time) (int, error) {
	return s.deleteBatched(ctx, "delete old login failures", "us_login_failures", "digest", `last_at < ?`,
		s.d.timeArg(before))
}

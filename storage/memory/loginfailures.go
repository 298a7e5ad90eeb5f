package memory

import (
	"context"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
)

var _ account.LoginFailures = (*Store)(nil)

// loginTables are the counters of failed password checks.
type loginTables struct {
	failures map[ratelimit.Key]account.Failures
}

func (t *loginTables) init() { t.failures = map[ratelimit.Key]account.Failures{} }

// AddLoginFailure implements account.LoginFailures.
func (s *Store) AddLoginFailure(ctx context.Context, key ratelimit.Key, at, since time.Time) (account.Failures, error) {
	var before account.Failures
	err := s.write(ctx, func(t *tx) error {
		f, ok := s.logins.failures[key]
		if !ok || f.Last.Before(since) {
			f = account.Failures{}
		}
		if f.Count > 0 {
			before = f
		}
		put(t, s.logins.failures, key, account.Failures{Count: f.Count + 1, Last: at})
		return nil
	})
	return before, err
}

// TakeBackLoginFailure implements account.LoginFailures.
func (s *Store) TakeBackLoginFailure(ctx context.Context, key ratelimit.Key) error {
	return s.write(ctx, func(t *tx) error {
		if f, ok := s.logins.failures[key]; ok && f.Count > 0 {
			f.Count--
			put(t, s.logins.failures, key, f)
		}
		return nil
	})
}

// ForgetLoginFailures implements account.LoginFailures.
func (s *Store) ForgetLoginFailures(ctx context.Context, key ratelimit.Key) error {
	return s.write(ctx, func(t *tx) error {
		del(t, s.logins.failures, key)
		return nil
	})
}

// DeleteLoginFailuresBefore implements account.LoginFailures.
func (s *Store) DeleteLoginFailuresBefore(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for k, f := range s.logins.failures {
			if f.Last.Before(before) {
				del(t, s.logins.failures, k)
				n++
			}
		}
		return nil
	})
	return n, err
}

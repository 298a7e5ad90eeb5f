package token_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/token"
)

// flakyRevocations is the memory store's revocation sequence, made to fail
// on demand and counting its reads.
type flakyRevocations struct {
	token.Revocations
	fail  atomic.Bool
	reads atomic.Int64
}

func (f *flakyRevocations) RevocationSeq(ctx context.Context) (int64, error) {
	f.reads.Add(1)
	if f.fail.Load() {
		return 0, errors.New("connection refused")
	}
	return f.Revocations.RevocationSeq(ctx)
}

// TestRevocationReachesEveryReplica revokes a key, deactivates an account
// and reports a password change on one service, and checks that another
// service that cached the key refuses it once the interval has passed,
// long before the cache TTL.
func TestRevocationReachesEveryReplica(t *testing.T) {
	const interval = 5 * time.Millisecond
	revoke := map[string]func(f *fixture, a *token.Service, k token.APIKey) error{
		"RevokeAPIKey": func(f *fixture, a *token.Service, k token.APIKey) error {
			return a.RevokeAPIKey(f.ctx, f.as(f.acct.ID), k.ID)
		},
		"Deactivated": func(f *fixture, a *token.Service, _ token.APIKey) error {
			f.setStatus(t, account.StatusDeactivated)
			return a.RevokeAccount(f.ctx, account.Revocation{AccountID: f.acct.ID, Change: account.ChangeDeactivated})
		},
		"EraseAccount": func(f *fixture, a *token.Service, _ token.APIKey) error {
			return f.st.InTx(f.ctx, func(ctx context.Context) error { return a.EraseAccount(ctx, f.acct.ID) })
		},
	}
	for name, fn := range revoke {
		t.Run(name, func(t *testing.T) {
			// Two services over one store stand for two replicas.
			f := newFixture(t, func(c *token.Config) { c.RevocationCheck = interval })
			f.cfg.Revocations = f.st
			a, b := token.NewService(f.cfg), token.NewService(f.cfg)
			k, key, err := a.CreateAPIKey(f.ctx, f.as(f.acct.ID), "k")
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []*token.Service{a, b} {
				if _, err := s.ValidateAPIKey(f.ctx, f.acct.Email, key.Reveal()); err != nil {
					t.Fatalf("before: %v", err)
				}
			}
			before := f.count.lookups.Load()
			if _, err := b.ValidateAPIKey(f.ctx, f.acct.Email, key.Reveal()); err != nil || f.count.lookups.Load() != before {
				t.Fatalf("replica B before the revocation: %v, %d lookups, want a cached success", err, f.count.lookups.Load()-before)
			}
			if err := fn(f, a, k); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(2 * interval)
			if _, err := b.ValidateAPIKey(f.ctx, f.acct.Email, key.Reveal()); err != token.ErrInvalidToken {
				t.Errorf("replica B after the interval = %v, want ErrInvalidToken", err)
			}
		})
	}
}

// TestRevocationReadFailureFallsBackToTTL makes the sequence unreadable:
// cached keys are then served until their TTL ends (the bound without a
// sequence), and when the sequence can be read again a revocation made
// meanwhile empties the cache.
func TestRevocationReadFailureFallsBackToTTL(t *testing.T) {
	const interval = 5 * time.Millisecond
	f := newFixture(t)
	flaky := &flakyRevocations{Revocations: f.st}
	f.cfg.Revocations, f.cfg.RevocationCheck = flaky, interval
	a, b := token.NewService(f.cfg), token.NewService(f.cfg)
	k1, key1, err := a.CreateAPIKey(f.ctx, f.as(f.acct.ID), "k1")
	if err != nil {
		t.Fatal(err)
	}
	_, key2, err := a.CreateAPIKey(f.ctx, f.as(f.acct.ID), "k2")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{key1.Reveal(), key2.Reveal()} {
		if _, err := b.ValidateAPIKey(f.ctx, f.acct.Email, key); err != nil {
			t.Fatal(err)
		}
	}
	flaky.fail.Store(true)
	if err := a.RevokeAPIKey(f.ctx, f.as(f.acct.ID), k1.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * interval)
	reads := flaky.reads.Load()
	if _, err := b.ValidateAPIKey(f.ctx, f.acct.Email, key1.Reveal()); err != nil {
		t.Errorf("sequence unreadable, within the TTL = %v, want the cached success", err)
	}
	if flaky.reads.Load() == reads {
		t.Errorf("the validation did not try to read the sequence")
	}
	f.clock.Advance(token.DefaultAPIKeyCacheTTL)
	if _, err := b.ValidateAPIKey(f.ctx, f.acct.Email, key1.Reveal()); err != token.ErrInvalidToken {
		t.Errorf("sequence unreadable, after the TTL = %v, want ErrInvalidToken", err)
	}
	// key2 is cached again; revoke it while reads fail, then recover.
	if _, err := b.ValidateAPIKey(f.ctx, f.acct.Email, key2.Reveal()); err != nil {
		t.Fatal(err)
	}
	ks, _ := a.ListAPIKeys(f.ctx, f.as(f.acct.ID))
	if err := a.RevokeAPIKey(f.ctx, f.as(f.acct.ID), ks[0].ID); err != nil {
		t.Fatal(err)
	}
	flaky.fail.Store(false)
	f.clock.Advance(2 * interval)
	if _, err := b.ValidateAPIKey(f.ctx, f.acct.Email, key2.Reveal()); err != token.ErrInvalidToken {
		t.Errorf("sequence readable again = %v, want ErrInvalidToken at once", err)
	}
}

// TestRevocationReadsAreBounded validates a cached key from 16 goroutines
// for a while and checks that the sequence was read about once per
// interval (at most twice), not once per validation.
func TestRevocationReadsAreBounded(t *testing.T) {
	const interval = 20 * time.Millisecond
	f := newFixture(t, func(c *token.Config) { c.Now = time.Now })
	flaky := &flakyRevocations{Revocations: f.st}
	f.cfg.Revocations, f.cfg.RevocationCheck = flaky, interval
	svc := token.NewService(f.cfg)
	_, key, err := svc.CreateAPIKey(f.ctx, auth.New(f.acct.ID, auth.MethodPassword, time.Now(), ""), "k")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var validations atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for time.Since(start) < 10*interval {
				if _, err := svc.ValidateAPIKey(f.ctx, f.acct.Email, key.Reveal()); err != nil {
					t.Error(err)
					return
				}
				validations.Add(1)
			}
		})
	}
	wg.Wait()
	reads := flaky.reads.Load()
	// About one read per interval; a validation that was descheduled
	// between reading the clock and the sequence may add one.
	if max := 2*int64(time.Since(start)/interval) + 2; reads > max || reads < 1 {
		t.Errorf("%d reads of the sequence for %d validations in %v, want 1 to %d", reads, validations.Load(), time.Since(start), max)
	}
}

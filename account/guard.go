package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Throttling is what a password checker needs to count failures: the
// store of the counters, the transactions, the security log and the
// limits. The account Service builds its own from its Config; a
// Passwords made for another service gets one through CountFailures.
type Throttling struct {
	// Failures keeps the counters; nil counts nothing and throttles
	// nothing.
	Failures LoginFailures
	// Tx runs each step of an attempt in one transaction; required with
	// Failures or SecurityLog.
	Tx storage.Transactor
	// SecurityLog records sign-ins, failures and lockouts of existing
	// accounts, in the transaction that settles the attempt; nil records
	// nothing.
	SecurityLog *securitylog.Log
	// Limits are the counters' rules; zero fields take the defaults.
	Limits LoginLimits
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// guard counts the failures of password checks and refuses the checks
// whose counters ask to wait.
type guard struct {
	failures LoginFailures
	tx       storage.Transactor
	log      *securitylog.Log
	limits   LoginLimits
	now      clock.Clock
}

func newGuard(t Throttling) *guard {
	if (t.Failures != nil || t.SecurityLog != nil) && t.Tx == nil {
		panic("account: counting failures needs Tx")
	}
	return &guard{failures: t.Failures, tx: t.Tx, log: t.SecurityLog, limits: t.Limits.withDefaults(), now: clock.New(t.Now)}
}

// counter is one counter an attempt is counted on.
type counter struct {
	key   ratelimit.Key
	limit Backoff
	// own marks a counter of the account itself: the failure that uses
	// up its free failures locks the account out (for its devices or
	// checks) and is recorded as such.
	own bool
	// known marks the counter of a known device, which a success
	// forgets; other counters only take their attempt back.
	known bool
}

// Names of the counters, hashed into ratelimit keys.
func addressCounter(l LoginLimits, email string) counter {
	n, err := NormalizeEmail(email)
	if err != nil {
		n = strings.ToLower(strings.TrimSpace(email))
	}
	return counter{key: ratelimit.KeyOf("account/login|address|" + n), limit: l.Address, own: true}
}

func clientCounter(l LoginLimits, ip string) counter {
	return counter{key: ratelimit.KeyOf("account/login|client|" + ip), limit: l.Client}
}

func deviceCounter(l LoginLimits, accountID, nonce string) counter {
	return counter{key: ratelimit.KeyOf("account/login|device|" + accountID + "|" + nonce), limit: l.Device, own: true, known: true}
}

func passwordCounter(l LoginLimits, accountID string) counter {
	return counter{key: ratelimit.KeyOf("account/login|password|" + accountID), limit: l.Password, own: true}
}

// begin counts the attempt as a failure on every counter, in one
// transaction and before the password is checked, so that guesses made
// at the same time are each counted. When a counter asks to wait it
// changes nothing and returns a *errs.RetryError with the longest wait.
// lockout reports that the attempt, if it fails, uses up the free
// failures of a counter of the account.
func (g *guard) begin(ctx context.Context, counters []counter) (lockout bool, err error) {
	if g.failures == nil {
		return false, nil
	}
	now := g.now()
	err = g.tx.InTx(ctx, func(ctx context.Context) error {
		var wait time.Duration
		for _, c := range counters {
			if c.limit.Off() {
				continue
			}
			before, err := g.failures.AddLoginFailure(ctx, c.key, now, now.Add(-c.limit.Forget))
			if err != nil {
				return fmt.Errorf("account: counting a failed attempt: %w", err)
			}
			wait = max(wait, c.limit.Wait(before, now))
			lockout = lockout || (c.own && before.Count+1 == c.limit.Free)
		}
		if wait > 0 {
			return errs.Retry(ErrThrottled, wait)
		}
		return nil
	})
	return lockout && err == nil, err
}

// end settles an attempt that begin let through, in one transaction: a
// success takes its counts back (and forgets the known device's
// failures); both record the events.
func (g *guard) end(ctx context.Context, counters []counter, ok bool, events ...securitylog.Event) error {
	if g.failures == nil && g.log == nil {
		return nil
	}
	err := g.tx.InTx(ctx, func(ctx context.Context) error {
		if ok && g.failures != nil {
			for _, c := range counters {
				var err error
				switch {
				case c.limit.Off():
				case c.known:
					err = g.failures.ForgetLoginFailures(ctx, c.key)
				default:
					err = g.failures.TakeBackLoginFailure(ctx, c.key)
				}
				if err != nil {
					return fmt.Errorf("account: settling an attempt: %w", err)
				}
			}
		}
		return g.log.Record(ctx, events...)
	})
	if err != nil {
		return fmt.Errorf("account: %w", err)
	}
	return nil
}

// events returns the security-log events of an attempt on the existing
// account a (none for an unknown address).
func (g *guard) events(a Account, found, ok, lockout bool, client auth.Client, detail string) []securitylog.Event {
	if !found {
		return nil
	}
	ev := func(k securitylog.Kind) securitylog.Event {
		return securitylog.Event{
			Kind: k, ProfileID: a.ProfileID, AccountID: a.ID, IP: client.IP, Device: client.Device(), Detail: detail,
		}
	}
	if ok {
		return []securitylog.Event{ev(securitylog.SignedIn)}
	}
	out := []securitylog.Event{ev(securitylog.SignInFailed)}
	if lockout {
		out = append(out, ev(securitylog.LockedOut))
	}
	return out
}

// DeleteOldLoginFailures deletes the counters of failures that every
// limit has forgotten and returns how many it deleted. Run it now and
// then (with the other cleanup jobs).
func (s *Service) DeleteOldLoginFailures(ctx context.Context) (int, error) {
	g := s.passwords.guard
	if g.failures == nil {
		return 0, nil
	}
	l := g.limits
	oldest := max(l.Address.Forget, l.Device.Forget, l.Client.Forget, l.Password.Forget)
	n, err := g.failures.DeleteLoginFailuresBefore(ctx, g.now().Add(-oldest))
	if err != nil {
		return n, fmt.Errorf("account: deleting old failure counters: %w", err)
	}
	return n, nil
}

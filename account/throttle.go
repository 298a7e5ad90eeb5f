package account

import (
	"context"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
)

// ErrThrottled means a password check was refused before the password was
// looked at, because its counter of failures asks to wait. It is returned
// in an *errs.RetryError that says how long. It says nothing about
// whether the address has an account: failures on unknown addresses are
// counted exactly as on known ones.
var ErrThrottled = errs.New(errs.Throttled, "rate_limited", "account: too many failed attempts")

// Failures is a counter of failed password checks, as an attempt found it.
type Failures struct {
	// Count is how many failures the counter holds.
	Count int
	// Last is when the latest of them was counted; zero for a counter
	// never seen.
	Last time.Time
}

// LoginFailures keeps the counters of failed password checks, so that
// every replica on one database throttles alike. A counter is known by
// a ratelimit.Key, the SHA-256 of its name, so no address, device or IP
// rests in clear. The rule (how long a counter makes an attempt wait)
// is Backoff's, in Go; the store only counts. It is implemented by
// storage/memory, storage/sqlstore and any adapter that passes
// storagetest.TestLoginFailures.
type LoginFailures interface {
	// AddLoginFailure counts one failure on the counter of key at at,
	// atomically, and returns the counter as it was before (the zero
	// Failures when it held none). A counter
	// whose latest failure is before since starts again: it is returned
	// as the zero Failures and holds one failure after. A counter that
	// does not exist is made. Inside a transaction of the store the
	// count is part of it, so a rollback takes it back.
	AddLoginFailure(ctx context.Context, key ratelimit.Key, at, since time.Time) (Failures, error)
	// TakeBackLoginFailure takes one failure off the counter of key (an
	// attempt counted before its password was checked turned out
	// right); the count never goes below zero and Last stays. An
	// unknown key is not an error.
	TakeBackLoginFailure(ctx context.Context, key ratelimit.Key) error
	// ForgetLoginFailures deletes the counter of key; an unknown key is
	// not an error.
	ForgetLoginFailures(ctx context.Context, key ratelimit.Key) error
	// DeleteLoginFailuresBefore deletes the counters whose latest failure
	// is before t and returns how many it deleted.
	DeleteLoginFailuresBefore(ctx context.Context, t time.Time) (int, error)
}

// Backoff is the rule of one counter of failures: Free failures are
// allowed at once; after them each attempt waits Delay from the latest
// failure, doubling with each further failure, up to MaxDelay. A counter
// with no failure for Forget starts again from zero.
type Backoff struct {
	Free     int
	Delay    time.Duration
	MaxDelay time.Duration
	Forget   time.Duration
}

// Default back-offs of LoginLimits.
var (
	// DefaultAddressBackoff counts the failures on one address from
	// devices it does not know: 5 at once, then 1 s, 2 s, 4 s, … up to
	// 15 minutes between attempts; forgotten after a day without one.
	DefaultAddressBackoff = Backoff{Free: 5, Delay: time.Second, MaxDelay: 15 * time.Minute, Forget: 24 * time.Hour}
	// DefaultDeviceBackoff counts the failures of one known device on
	// its account: the same small budget, and its own.
	DefaultDeviceBackoff = Backoff{Free: 5, Delay: time.Second, MaxDelay: 15 * time.Minute, Forget: 24 * time.Hour}
	// DefaultClientBackoff counts the failures from one client IP
	// address on devices unknown to the accounts it tries: 20 at once
	// (an office behind one address), then as above.
	DefaultClientBackoff = Backoff{Free: 20, Delay: time.Second, MaxDelay: 15 * time.Minute, Forget: 24 * time.Hour}
	// DefaultPasswordBackoff counts the failed current-password checks
	// of one account (password change, two-factor deactivation,
	// re-authentication).
	DefaultPasswordBackoff = Backoff{Free: 5, Delay: time.Second, MaxDelay: 15 * time.Minute, Forget: 24 * time.Hour}
)

// DefaultDeviceTTL is how long a device token keeps its device known.
const DefaultDeviceTTL = 365 * 24 * time.Hour

// Off reports whether b allows every attempt (Free is negative).
func (b Backoff) Off() bool { return b.Free < 0 }

// withDefaults fills the zero fields of b from d.
func (b Backoff) withDefaults(d Backoff) Backoff {
	if b.Free == 0 {
		b.Free = d.Free
	}
	if b.Delay <= 0 {
		b.Delay = d.Delay
	}
	if b.MaxDelay <= 0 {
		b.MaxDelay = d.MaxDelay
	}
	if b.Forget <= 0 {
		b.Forget = d.Forget
	}
	return b
}

// Wait is the rule of one counter, as a pure function: how long after
// now an attempt on a counter that holds f must wait. Zero while f.Count
// is below Free; else Delay·2^(Count−Free), at most MaxDelay, counted
// from f.Last. An off Backoff never waits.
func (b Backoff) Wait(f Failures, now time.Time) time.Duration {
	if b.Off() || f.Count < b.Free {
		return 0
	}
	d := b.Delay
	for i := b.Free; i < f.Count && d < b.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, b.MaxDelay)
	return max(f.Last.Add(d).Sub(now), 0)
}

// LoginLimits are the counters of failed password checks. Each zero
// field takes the default named beside it.
type LoginLimits struct {
	// Address counts the failures on one address (known or not) from
	// devices that do not hold a device token of its account;
	// DefaultAddressBackoff.
	Address Backoff
	// Device counts the failures of one known device (a valid device
	// token of the account) on its account, and nothing else slows it;
	// DefaultDeviceBackoff.
	Device Backoff
	// Client counts the failures from one client IP address on devices
	// unknown to the accounts tried; DefaultClientBackoff.
	Client Backoff
	// Password counts the failed current-password checks of one
	// account; DefaultPasswordBackoff.
	Password Backoff
	// DeviceTTL is how long a device token keeps its device known;
	// DefaultDeviceTTL (a year).
	DeviceTTL time.Duration
}

// withDefaults fills the zero fields of l.
func (l LoginLimits) withDefaults() LoginLimits {
	l.Address = l.Address.withDefaults(DefaultAddressBackoff)
	l.Device = l.Device.withDefaults(DefaultDeviceBackoff)
	l.Client = l.Client.withDefaults(DefaultClientBackoff)
	l.Password = l.Password.withDefaults(DefaultPasswordBackoff)
	if l.DeviceTTL <= 0 {
		l.DeviceTTL = DefaultDeviceTTL
	}
	return l
}

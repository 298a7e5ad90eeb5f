package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Passwords checks the current password of an account: the check that
// package twofactor makes before turning a second factor off, and that
// a password change or a re-authentication makes. It needs only the
// accounts, the hasher and, to count failures, a Throttling, so a host
// (and usersettings.New) makes it before both services, and neither
// service waits for the other to be built. The account Service makes
// one of its own.
//
// A failed check counts as a failed sign-in: on the account's counter of
// current-password checks (LoginLimits.Password), throttled the same
// way, and recorded in the security log.
type Passwords struct {
	accounts Reader
	hasher   Hasher
	guard    *guard
}

// PasswordsOption configures NewPasswords.
type PasswordsOption func(*Passwords)

// CountFailures makes the checker count its failures, throttle its
// checks and record them as t says. Without it a checker counts nothing.
func CountFailures(t Throttling) PasswordsOption {
	return func(p *Passwords) { p.guard = newGuard(t) }
}

// NewPasswords returns the checker of the accounts' passwords; a nil
// hasher means password.DefaultHasher().
func NewPasswords(accounts Reader, hasher Hasher, opts ...PasswordsOption) *Passwords {
	if accounts == nil {
		panic("account: NewPasswords needs accounts")
	}
	if hasher == nil {
		hasher = password.DefaultHasher()
	}
	p := &Passwords{accounts: accounts, hasher: hasher}
	for _, o := range opts {
		o(p)
	}
	if p.guard == nil {
		p.guard = newGuard(Throttling{})
	}
	return p
}

// CheckPassword is CheckCallerPassword for the account, with no client
// to record.
func (p *Passwords) CheckPassword(ctx context.Context, accountID, pw string) error {
	return p.CheckCallerPassword(ctx, auth.Caller{AccountID: accountID}, pw)
}

// CheckCallerPassword returns nil when pw is the password of the
// caller's active, password-using account, and ErrInvalidCredentials
// otherwise, after about the same work in every case: an unknown
// account is checked against a dummy hash. A failure is counted and
// recorded (securitylog.SignInFailed, and securitylog.LockedOut when it
// uses up the free failures) with the caller's client; when the
// account's counter asks to wait, the check is refused at once with a
// *errs.RetryError (ErrThrottled).
func (p *Passwords) CheckCallerPassword(ctx context.Context, c auth.Caller, pw string) error {
	a, err := p.accounts.Account(ctx, c.AccountID)
	found := err == nil
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("account: loading account: %w", err)
	}
	ok, err := p.check(ctx, c.AccountID, a, found, c.Client, pw)
	if err != nil {
		return err
	}
	if !ok {
		return ErrInvalidCredentials
	}
	return nil
}

// check verifies pw against a (the account accountID, when found; a
// dummy hash otherwise) under the account's counter of current-password
// checks, and reports whether pw is right for the active account.
func (p *Passwords) check(ctx context.Context, accountID string, a Account, found bool, client auth.Client, pw string) (bool, error) {
	counters := []counter{passwordCounter(p.guard.limits, accountID)}
	lockout, err := p.guard.begin(ctx, counters)
	if err != nil {
		return false, err
	}
	var ok bool
	if found {
		ok, err = p.verify(ctx, a, pw)
		if err != nil {
			return false, err
		}
		ok = ok && a.Status == StatusActive
	} else {
		p.hasher.VerifyDummy(ctx, pw)
	}
	events := p.guard.events(a, found, ok, lockout, client, "current password")
	if ok {
		events = nil // a right current password is no sign-in
	}
	if err := p.guard.end(ctx, counters, ok, events...); err != nil {
		return false, err
	}
	return ok, nil
}

// verify checks pw against a's hash; an account without one (single
// sign-on) never matches.
func (p *Passwords) verify(ctx context.Context, a Account, pw string) (bool, error) {
	if a.PasswordHash == "" {
		p.hasher.VerifyDummy(ctx, pw)
		return false, nil
	}
	ok, _, err := p.hasher.Verify(ctx, pw, a.PasswordHash)
	if err != nil {
		return false, fmt.Errorf("account: verifying password: %w", err)
	}
	return ok, nil
}

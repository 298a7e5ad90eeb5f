package account

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// HostLogin is a password sign-in that the host checks itself, against
// its own table of users: the SDK only throttles it and records it.
type HostLogin struct {
	// Email is the address the person typed.
	Email string
	// Client is where the attempt comes from (its IP address is counted
	// unless the device is known; both go to the security log).
	Client auth.Client
	// Device is the device token the client presented (a
	// HostAttempt.Succeeded result the host kept in a cookie); empty when
	// it has none.
	Device string
}

// String describes the attempt without its device token.
func (l HostLogin) String() string {
	return fmt.Sprintf("host login{email=%s ip=%s known=%t}", l.Email, l.Client.IP, l.Device != "")
}

// HostAttempt is a host's sign-in attempt that BeginHostSignIn let
// through: the host checks the password now and reports the outcome with
// exactly one of Succeeded or Failed.
type HostAttempt struct {
	s        *Service
	a        Account
	found    bool
	client   auth.Client
	counters []counter
	lockout  bool
	// detail, for a credential sign-in, is the Detail of the sign-in's
	// security-log events; Succeeded records securitylog.SignedIn only
	// then (a host's sign-in is recorded when it starts its session).
	detail string
	// managed marks an account whose identity provider owns its sign-in:
	// Succeeded refuses it.
	managed bool
	once    sync.Once
}

// ErrAttemptSettled is returned by a HostAttempt whose outcome was
// already reported.
var ErrAttemptSettled = errs.New(errs.Internal, "attempt_settled", "account: sign-in attempt already settled")

// BeginHostSignIn starts a sign-in that the host checks itself, with the
// same counters, back-off and security-log events as Authenticate: the
// attempt is counted as a failure on the address and the client's IP (or
// on the known device alone) before the host looks at the password, and
// when a counter asks to wait it is refused with the same throttling
// error as Authenticate, for known and unknown addresses alike. The host
// then checks the password and calls Succeeded or Failed.
//
// The address need not have an account of the SDK: an unknown address
// is counted too, so that the answer and its timing say nothing, and its
// outcome records no event.
func (s *Service) BeginHostSignIn(ctx context.Context, l HostLogin) (*HostAttempt, error) {
	a, found, err := s.byEmail(ctx, l.Email)
	if err != nil {
		return nil, err
	}
	counters := s.counters(a, found, Login{Email: l.Email, Client: l.Client, Device: l.Device})
	lockout, err := s.passwords.guard.begin(ctx, counters)
	if err != nil {
		return nil, err
	}
	return &HostAttempt{s: s, a: a, found: found, client: l.Client, counters: counters, lockout: lockout}, nil
}

// Succeeded reports that the host found the password right: the attempt
// takes its counts back, and the result carries a new device token for
// the client and whether the password expired or a second factor is due.
// The sign-in itself is recorded in the security log when the host
// starts its session (session.Service.StartHost), with the session. An address without an account, or a deactivated account, gets
// ErrInvalidCredentials: the host's user has no usable account of ours.
func (h *HostAttempt) Succeeded(ctx context.Context) (AuthResult, error) {
	var (
		res AuthResult
		err error = ErrAttemptSettled
	)
	h.once.Do(func() {
		ok := h.found && h.a.Status == StatusActive && !h.managed
		if ok {
			if res, err = h.s.signedIn(ctx, h.a); err != nil {
				return
			}
		}
		g := h.s.passwords.guard
		var events []securitylog.Event
		if h.detail != "" {
			events = g.events(h.a, h.found, ok, h.lockout, h.client, h.detail)
		}
		if err = g.end(ctx, h.counters, ok, events...); err != nil {
			return
		}
		switch {
		case h.managed:
			res, err = AuthResult{}, ssoSignInError{}
		case !ok:
			res, err = AuthResult{}, ErrInvalidCredentials
		}
	})
	return res, err
}

// Failed reports that the host found the password wrong: the attempt
// stays counted and the security log of an existing account gets
// securitylog.SignInFailed (and securitylog.LockedOut for the failure
// that uses up the free ones).
func (h *HostAttempt) Failed(ctx context.Context) error {
	var err error = ErrAttemptSettled
	h.once.Do(func() {
		g := h.s.passwords.guard
		detail := h.detail
		if detail == "" {
			detail = "host password"
		}
		err = g.end(ctx, h.counters, false, g.events(h.a, h.found, false, h.lockout, h.client, detail)...)
	})
	return err
}

// CredentialLogin is a sign-in proved by a credential other than a
// password that another service of the SDK checks (a passkey): the
// account service throttles it and records it as it does a password.
type CredentialLogin struct {
	// AccountID is the account the credential names; empty when it
	// names none (an unknown credential), which is counted on the
	// client's IP address alone.
	AccountID string
	// Client is where the attempt comes from.
	Client auth.Client
	// Device is the device token the client presented; empty when it
	// has none.
	Device string
	// Detail says what proved the sign-in, for the security log
	// ("passkey", "second factor (passkey)").
	Detail string
}

// BeginCredentialSignIn starts a sign-in proved by another credential
// (l.Detail), with the counters, back-off and security-log events of
// Authenticate: the attempt is counted as a failure on the account's
// address and the client's IP (or on the known device alone) before the
// credential is checked, and a counter that asks to wait refuses it with
// a *errs.RetryError (ErrThrottled). The caller checks the credential and
// calls Succeeded, which records securitylog.SignedIn and refuses an
// account that is not active, unknown or managed by single sign-on
// (ErrInvalidCredentials, and ErrSSOManaged for the latter), or Failed,
// which records securitylog.SignInFailed.
func (s *Service) BeginCredentialSignIn(ctx context.Context, l CredentialLogin) (*HostAttempt, error) {
	var (
		a       Account
		found   bool
		managed bool
		err     error
	)
	if l.AccountID != "" {
		a, err = s.accounts.Account(ctx, l.AccountID)
		switch {
		case err == nil:
			found = true
			if managed, err = s.managed(ctx, a); err != nil {
				return nil, err
			}
		case !errors.Is(err, storage.ErrNotFound):
			return nil, fmt.Errorf("account: loading account: %w", err)
		}
	}
	var counters []counter
	if found {
		counters = s.counters(a, found, Login{Email: a.Email, Client: l.Client, Device: l.Device})
	} else if l.Client.IP != "" {
		counters = []counter{clientCounter(s.passwords.guard.limits, l.Client.IP)}
	}
	lockout, err := s.passwords.guard.begin(ctx, counters)
	if err != nil {
		return nil, err
	}
	detail := l.Detail
	if detail == "" {
		detail = "credential"
	}
	return &HostAttempt{s: s, a: a, found: found, client: l.Client, counters: counters, lockout: lockout, detail: detail, managed: managed}, nil
}

package account

import (
	"context"
	"fmt"
	"github.com/seed-a97ca23f/usersettings/errs"
	"sync"

	"github.com/seed-a97ca23f/usersettings/auth"
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
	once     sync.Once
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
		ok := h.found && h.a.Status == StatusActive
		if ok {
			if res, err = h.s.signedIn(ctx, h.a); err != nil {
				return
			}
		}
		g := h.s.passwords.guard
		if err = g.end(ctx, h.counters, ok); err != nil {
			return
		}
		if !ok {
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
		err = g.end(ctx, h.counters, false, g.events(h.a, h.found, false, h.lockout, h.client, "host password")...)
	})
	return err
}

package session

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Passwords checks an account's password for Reauthenticate.
// *account.Service implements it, counting every failure as a failed
// sign-in.
type Passwords interface {
	// CheckCallerPassword returns nil when pw is the password of the
	// caller's active account, and an error matching
	// account.ErrInvalidCredentials when it is not; a failure is recorded
	// with the caller's client.
	CheckCallerPassword(ctx context.Context, c auth.Caller, pw string) error
}

// SecondFactor checks an account's second factor for Reauthenticate.
// *twofactor.Service implements it.
type SecondFactor interface {
	// Required reports whether the account has an active second factor.
	Required(ctx context.Context, accountID string) (bool, error)
	// Verify checks a code of the second factor from client (the
	// security log records a recovery code used with it); a wrong one is
	// errs.ErrInvalidCode, too many wrong ones twofactor.ErrLocked.
	Verify(ctx context.Context, accountID, code string, client auth.Client) error
}

// List returns the caller's own sessions (those of its account), newest
// last seen first, the one the caller acts through marked Current.
// Expired sessions, which the cleanup has not deleted yet, are left
// out. A token or API key gets auth.ErrForbidden. A caller whose
// password has expired may list its sessions.
func (s *Service) List(ctx context.Context, c auth.Caller) ([]Session, error) {
	if err := c.AllowExpired().Person(); err != nil {
		return nil, err
	}
	all, err := s.st.SessionsOfAccount(ctx, c.AccountID)
	if err != nil {
		return nil, fmt.Errorf("session: list: %w", err)
	}
	now := s.now()
	out := make([]Session, 0, len(all))
	for _, ses := range all {
		if s.Expired(ses, now) {
			continue
		}
		ses.Current = c.SessionID != "" && ses.ID == c.SessionID
		out = append(out, ses)
	}
	slices.SortStableFunc(out, func(a, b Session) int {
		return cmp.Or(b.LastSeenAt.Compare(a.LastSeenAt), b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// End ends one of the caller's own sessions (signing out of it; the
// caller's current one too). A session that is not the caller's, ended
// already or unknown answers ErrNotFound, the same for each. The end is
// recorded in the security log. A token or API key gets
// auth.ErrForbidden. A caller whose password has expired may sign out.
func (s *Service) End(ctx context.Context, c auth.Caller, sessionID string) error {
	if err := c.AllowExpired().Person(); err != nil {
		return err
	}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		all, err := s.st.SessionsOfAccount(ctx, c.AccountID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(all, func(ses Session) bool { return ses.ID == sessionID }) {
			return ErrNotFound
		}
		if err := s.st.DeleteSession(ctx, sessionID); errors.Is(err, storage.ErrNotFound) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if err := s.record(ctx, c, securitylog.SessionEnded, "one session"); err != nil {
			return err
		}
		return s.tell(ctx, account.Revocation{AccountID: c.AccountID, Change: account.ChangeSignedOut, Sessions: []string{sessionID}})
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("session: end: %w", err)
	}
	return err
}

// EndOthers ends every session of the caller's account but the one it
// acts through (all of them for a caller without a session) and returns
// how many it ended. It is sensitive: the caller must have authenticated
// within Config.FreshFor (else auth.ErrReauthenticationRequired), and a
// caller whose password has expired changes it first
// (auth.ErrPasswordExpired): the change ends the other sessions anyway.
// The end is recorded in the security log. This is the one rule for
// ending the other sessions, whatever the front end.
func (s *Service) EndOthers(ctx context.Context, c auth.Caller) (int, error) {
	if err := c.Fresh(s.now(), s.freshFor); err != nil {
		return 0, err
	}
	n := 0
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = s.st.DeleteSessionsOfAccount(ctx, c.AccountID, c.SessionID); err != nil {
			return err
		}
		// The host hears even when the SDK had none: its own may remain.
		if err := s.tell(ctx, account.Revocation{AccountID: c.AccountID, Change: account.ChangeSignedOut, KeepSession: c.SessionID}); err != nil || n == 0 {
			return err
		}
		return s.record(ctx, c, securitylog.SessionEnded, fmt.Sprintf("%d other sessions", n))
	})
	if err != nil {
		return 0, fmt.Errorf("session: end others: %w", err)
	}
	return n, nil
}

// Reauthenticate lets the person of the caller's session prove again who
// they are, for the sensitive operations that need a recent sign-in: the
// password of the caller's account and, when the account has a second
// factor, a code of it (otp). On success the session's AuthenticatedAt is
// now, its Method says whether a second factor was used, its client is
// the caller's, and the re-authentication is recorded in the security
// log, all in one transaction; the refreshed session is returned.
//
// A wrong password or code is an error matching
// account.ErrInvalidCredentials, and a missing code
// ErrSecondFactorRequired; either changes nothing but the failure
// counters of the password and second-factor checks. A token or API key
// gets auth.ErrForbidden, a caller without a session
// auth.ErrInvalidCaller, and a session that has ended or expired
// ErrInvalidSession. A person signed in through single sign-on has no
// password here and signs in through the provider again instead. A
// caller whose password has expired may re-authenticate (to change it);
// the refreshed session keeps the caller's PasswordExpired.
func (s *Service) Reauthenticate(ctx context.Context, c auth.Caller, password, otp string) (Session, error) {
	if err := c.AllowExpired().Person(); err != nil {
		return Session{}, err
	}
	if c.SessionID == "" {
		return Session{}, fmt.Errorf("session: no session to re-authenticate: %w", auth.ErrInvalidCaller)
	}
	if s.passwords == nil {
		return Session{}, ErrNotConfigured
	}
	ses, err := s.own(ctx, c)
	if err != nil {
		return Session{}, err
	}
	method, err := s.prove(ctx, c, password, otp)
	if err != nil {
		return Session{}, err
	}
	return s.refresh(ctx, c, ses, method, string(method))
}

// refresh records, with its security-log event (Detail detail), that
// the person of the caller's session ses proved who they are by method
// just now.
func (s *Service) refresh(ctx context.Context, c auth.Caller, ses Session, method auth.Method, detail string) (Session, error) {
	now := s.now()
	cl := trimClient(c.Client)
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.ReauthenticateSession(ctx, ses.ID, method, now, cl); errors.Is(err, storage.ErrNotFound) {
			return ErrInvalidSession
		} else if err != nil {
			return err
		}
		return s.record(ctx, c, securitylog.Reauthenticated, detail)
	})
	if errors.Is(err, ErrInvalidSession) {
		return Session{}, err
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: reauthenticate: %w", err)
	}
	ses.Method, ses.AuthenticatedAt, ses.IP, ses.UserAgent, ses.Current = method, now, cl.IP, cl.UserAgent, true
	ses.PasswordExpired = c.PasswordExpired
	return ses, nil
}

// own returns the caller's session: ErrInvalidSession when it is not
// one of the caller's account's, or has expired.
func (s *Service) own(ctx context.Context, c auth.Caller) (Session, error) {
	all, err := s.st.SessionsOfAccount(ctx, c.AccountID)
	if err != nil {
		return Session{}, fmt.Errorf("session: reauthenticate: %w", err)
	}
	i := slices.IndexFunc(all, func(ses Session) bool { return ses.ID == c.SessionID })
	if i < 0 || s.Expired(all[i], s.now()) {
		return Session{}, ErrInvalidSession
	}
	return all[i], nil
}

// prove checks the password and, when the account has one, the second
// factor, and returns the method they make.
func (s *Service) prove(ctx context.Context, c auth.Caller, password, otp string) (auth.Method, error) {
	accountID := c.AccountID
	if err := s.passwords.CheckCallerPassword(ctx, c, password); err != nil {
		if errors.Is(err, account.ErrInvalidCredentials) {
			return "", fmt.Errorf("session: reauthenticate: %w", err)
		}
		return "", fmt.Errorf("session: reauthenticate: checking the password: %w", err)
	}
	if s.second == nil {
		return auth.MethodPassword, nil
	}
	required, err := s.second.Required(ctx, accountID)
	if err != nil {
		return "", fmt.Errorf("session: reauthenticate: %w", err)
	}
	if !required {
		return auth.MethodPassword, nil
	}
	if otp == "" {
		return "", ErrSecondFactorRequired
	}
	if err := s.second.Verify(ctx, accountID, otp, c.Client); err != nil {
		if errors.Is(err, errs.ErrInvalidCode) {
			return "", fmt.Errorf("session: reauthenticate: %w (%v)", account.ErrInvalidCredentials, err)
		}
		return "", fmt.Errorf("session: reauthenticate: %w", err)
	}
	return auth.MethodSecondFactor, nil
}

// record writes an event about the caller's account to the security log,
// in the transaction ctx carries.
func (s *Service) record(ctx context.Context, c auth.Caller, kind securitylog.Kind, detail string) error {
	if s.log == nil {
		return nil
	}
	a, err := s.accounts.Account(ctx, c.AccountID)
	if err != nil {
		return err
	}
	e := securitylog.FromCaller(kind, a.ProfileID, c)
	e.Detail = detail
	return s.log.Record(ctx, e)
}

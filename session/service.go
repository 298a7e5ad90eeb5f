package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/internal/secret"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Defaults of Config.
const (
	DefaultIdleTimeout   = 12 * time.Hour
	DefaultMaxAge        = 24 * time.Hour
	DefaultTouchInterval = time.Minute
)

// secretBytes is the number of random bytes of a secret; SecretLen the
// length of its unpadded base64url form.
const (
	secretBytes = 32
	SecretLen   = 43
)

// Config configures a Service. Store and Accounts are required; zero values
// of the other fields take the defaults named.
type Config struct {
	Store Store
	// Accounts finds the accounts of a profile for EraseProfile and
	// checks that a session's account is still active.
	Accounts account.Reader
	// IdleTimeout ends a session not used for that long; 0 means
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxAge ends a session that long after sign-in, however busy; 0
	// means DefaultMaxAge.
	MaxAge time.Duration
	// TouchInterval is how stale LastSeenAt may get before Validate writes
	// it again; 0 means DefaultTouchInterval.
	TouchInterval time.Duration
	Now           func() time.Time // the clock; nil means time.Now
	Rand          io.Reader        // source of secrets and ids; nil means crypto/rand.Reader
}

// Service starts, checks and ends sessions. It is safe for concurrent use.
type Service struct {
	st                   Store
	accounts             account.Reader
	idle, maxAge, touchI time.Duration
	now                  clock.Clock
	rand                 io.Reader
}

// NewService returns a Service for c. It panics when Store or Accounts is
// nil, a programming error.
func NewService(c Config) *Service {
	if c.Store == nil || c.Accounts == nil {
		panic("session: NewService needs Store and Accounts")
	}
	s := &Service{st: c.Store, accounts: c.Accounts, idle: c.IdleTimeout, maxAge: c.MaxAge,
		touchI: c.TouchInterval, now: clock.New(c.Now), rand: c.Rand}
	if s.idle <= 0 {
		s.idle = DefaultIdleTimeout
	}
	if s.maxAge <= 0 {
		s.maxAge = DefaultMaxAge
	}
	if s.touchI <= 0 {
		s.touchI = DefaultTouchInterval
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

// Start stores a new session for the account, which the caller has just
// authenticated, and returns it with its secret. Only the secret's SHA-256
// digest is stored; the secret is returned once.
func (s *Service) Start(ctx context.Context, accountID string, passwordExpired bool) (Session, Secret, error) {
	var raw [secretBytes]byte
	if _, err := io.ReadFull(s.rand, raw[:]); err != nil {
		return Session{}, Secret{}, fmt.Errorf("session: reading randomness: %w", err)
	}
	clear := base64.RawURLEncoding.EncodeToString(raw[:])
	sid, err := id.New(s.rand, "ses_")
	if err != nil {
		return Session{}, Secret{}, fmt.Errorf("session: %w", err)
	}
	now := s.now().UTC()
	ses := Session{ID: sid, AccountID: accountID, CreatedAt: now, LastSeenAt: now, PasswordExpired: passwordExpired}
	if err := s.st.CreateSession(ctx, ses, DigestOf(clear)); err != nil {
		return Session{}, Secret{}, fmt.Errorf("session: start: %w", err)
	}
	return ses, secret.New(clear), nil
}

// Validate returns the session of the secret. A malformed, unknown or
// expired secret, or one whose account is gone or deactivated, gives
// ErrInvalidSession; an expired session is deleted on the way. LastSeenAt
// is written at most once per TouchInterval.
func (s *Service) Validate(ctx context.Context, secret string) (Session, error) {
	if !wellFormed(secret) {
		return Session{}, ErrInvalidSession
	}
	ses, err := s.st.SessionByDigest(ctx, DigestOf(secret))
	if errors.Is(err, storage.ErrNotFound) {
		return Session{}, ErrInvalidSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: validate: %w", err)
	}
	now := s.now()
	if s.Expired(ses, now) {
		_ = s.st.DeleteSession(ctx, ses.ID)
		return Session{}, ErrInvalidSession
	}
	a, err := s.accounts.Account(ctx, ses.AccountID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && a.Status != account.StatusActive) {
		return Session{}, ErrInvalidSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: validate: %w", err)
	}
	if now.Sub(ses.LastSeenAt) >= s.touchI {
		if _, err := s.st.TouchSession(ctx, ses.ID, now.UTC(), now.Add(-s.touchI)); err != nil {
			return Session{}, fmt.Errorf("session: validate: %w", err)
		}
		ses.LastSeenAt = now.UTC()
	}
	return ses, nil
}

// Expired reports whether the session has passed its idle timeout or its
// maximum age at now.
func (s *Service) Expired(ses Session, now time.Time) bool {
	return !now.Before(ses.LastSeenAt.Add(s.idle)) || !now.Before(ses.CreatedAt.Add(s.maxAge))
}

// Age returns how long ago the person signed in to the session, for
// reauthentication checks.
func (s *Service) Age(ses Session) time.Duration { return s.now().Sub(ses.CreatedAt) }

// End deletes the session (sign-out). Ending an unknown session is not an
// error.
func (s *Service) End(ctx context.Context, sessionID string) error {
	if err := s.st.DeleteSession(ctx, sessionID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("session: end: %w", err)
	}
	return nil
}

// EndOthers deletes every session of the account but keep, for instance
// after a password change, and returns how many it ended.
func (s *Service) EndOthers(ctx context.Context, accountID, keep string) (int, error) {
	n, err := s.st.DeleteSessionsOfAccount(ctx, accountID, keep)
	if err != nil {
		return 0, fmt.Errorf("session: end others: %w", err)
	}
	return n, nil
}

// ClearPasswordExpired marks the session as no longer restricted, once the
// person changed the expired password.
func (s *Service) ClearPasswordExpired(ctx context.Context, sessionID string) error {
	if err := s.st.ClearSessionPasswordExpired(ctx, sessionID); err != nil {
		return fmt.Errorf("session: clear password expired: %w", err)
	}
	return nil
}

// List returns the sessions of the account, oldest first.
func (s *Service) List(ctx context.Context, accountID string) ([]Session, error) {
	list, err := s.st.SessionsOfAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("session: list: %w", err)
	}
	return list, nil
}

// DeleteExpired deletes the sessions that have expired and returns how
// many it deleted. Run it periodically.
func (s *Service) DeleteExpired(ctx context.Context) (int, error) {
	now := s.now().UTC()
	n, err := s.st.DeleteSessionsBefore(ctx, now.Add(-s.idle), now.Add(-s.maxAge))
	if err != nil {
		return 0, fmt.Errorf("session: delete expired: %w", err)
	}
	return n, nil
}

// RevokeAccount ends every session of the account but r.KeepSession
// (account.Revoker): all of them when it was deactivated or its password
// was reset, since those changes keep no session. A change made without
// a session to keep (KeepSession empty) that is not one of those ends
// nothing: the host ends the others itself with EndOthers.
func (s *Service) RevokeAccount(ctx context.Context, r account.Revocation) error {
	keep := r.KeepSession
	if keep == "" && (r.Change == account.ChangePasswordChanged || r.Change == account.ChangeSecondFactor || r.Change == account.ChangeAccountAdded) {
		return nil
	}
	if r.Change == account.ChangeDeactivated || r.Change == account.ChangePasswordReset || r.Change == account.ChangeLinked {
		keep = ""
	}
	_, err := s.EndOthers(ctx, r.AccountID, keep)
	return err
}

// EraseAccount deletes every session of the account (account.Eraser). It
// joins the transaction carried by ctx, if any.
func (s *Service) EraseAccount(ctx context.Context, accountID string) error {
	_, err := s.EndOthers(ctx, accountID, "")
	return err
}

// EraseProfile deletes the sessions of every account of the profile
// (account.Eraser).
func (s *Service) EraseProfile(ctx context.Context, profileID string) error {
	accts, err := s.accounts.AccountsOfProfile(ctx, profileID)
	if err != nil {
		return fmt.Errorf("session: erase profile: %w", err)
	}
	for _, a := range accts {
		if err := s.EraseAccount(ctx, a.ID); err != nil {
			return err
		}
	}
	return nil
}

// CSRFToken returns the anti-CSRF token of a session secret: an HMAC of
// the secret, so it can be handed to a page script without revealing the
// secret, and checked without storing anything. A browser client sends it
// in a header with every state-changing request authenticated by cookie.
func CSRFToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("usersettings session csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports, in constant time, whether token is the anti-CSRF token
// of the secret.
func CheckCSRF(secret, token string) bool {
	return hmac.Equal([]byte(CSRFToken(secret)), []byte(token))
}

// wellFormed reports whether s can be a secret: SecretLen base64url
// characters.
func wellFormed(s string) bool {
	if len(s) != SecretLen {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

var _ account.Eraser = (*Service)(nil)

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
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/internal/secret"
	"github.com/seed-a97ca23f/usersettings/securitylog"
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
	// Accounts finds the accounts of a profile for EraseProfile, the
	// profile of a caller for the security log, and checks that a
	// session's account is still active.
	Accounts account.Reader
	// Tx runs Reauthenticate, End and EndOthers atomically with their
	// security-log events; nil means Store, when it is a
	// storage.Transactor (every adapter of the SDK is).
	Tx storage.Transactor
	// Passwords checks the password of Reauthenticate; nil makes
	// Reauthenticate answer ErrNotConfigured. usersettings.New passes
	// the account service, whose failed checks count as failed sign-ins.
	Passwords Passwords
	// SecondFactor checks the second factor of Reauthenticate when the
	// account has one; nil means no account has one.
	SecondFactor SecondFactor
	// Passkeys checks the passkey response of ReauthenticatePasskey; nil
	// makes it answer ErrNotConfigured. usersettings.New passes the
	// passkey service.
	Passkeys Passkeys
	// Expiry tells Validate whether the password of a session's account
	// has expired, for Session.PasswordExpired and so the caller's
	// (auth.Caller.PasswordExpired); nil keeps the state the sign-in
	// recorded (Begin.PasswordExpired). usersettings.New passes the
	// account service.
	Expiry Expiry
	// Hook hears every session this service ends, in the transaction of
	// the end: after a change of the account's credentials
	// (RevokeAccount, with the revocation the account service sent),
	// when the person signs out of some (End, EndOthers), when the
	// identity provider logs the account out (LogOut) and when the
	// account is erased. A host with sessions of its own ends them from
	// it (account.Revocation.Ends); an error rolls the change back. Nil
	// hears nothing. usersettings.Options.Revoker sets it.
	Hook account.Revoker
	// SecurityLog records re-authentications and ended sessions, in the
	// transaction of the change; nil records nothing.
	SecurityLog *securitylog.Log
	// FreshFor is how recent the caller's sign-in must be for EndOthers;
	// 0 means auth.DefaultFreshFor (one hour).
	FreshFor time.Duration
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
	tx                   storage.Transactor
	passwords            Passwords
	second               SecondFactor
	passkeys             Passkeys
	expiry               Expiry
	hook                 account.Revoker
	log                  *securitylog.Log
	freshFor             time.Duration
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
	s := &Service{st: c.Store, accounts: c.Accounts, tx: c.Tx, passwords: c.Passwords, second: c.SecondFactor, passkeys: c.Passkeys, expiry: c.Expiry, hook: c.Hook,
		log: c.SecurityLog, freshFor: c.FreshFor, idle: c.IdleTimeout, maxAge: c.MaxAge,
		touchI: c.TouchInterval, now: clock.New(c.Now), rand: c.Rand}
	if s.tx == nil {
		s.tx, _ = c.Store.(storage.Transactor)
	}
	if s.tx == nil {
		s.tx = noTx{}
	}
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

// Expiry tells when an account's password expires. *account.Service
// implements it.
type Expiry interface {
	// PasswordExpiresAtOf returns when the password of the account, as
	// read from the store, passes its maximum age; ok is false when it
	// never does.
	PasswordExpiresAtOf(ctx context.Context, a account.Account) (at time.Time, ok bool, err error)
}

// Begin is what Start needs to know of a sign-in that just succeeded.
type Begin struct {
	// AccountID is the account that signed in.
	AccountID string
	// Method is how: auth.MethodPassword, auth.MethodSecondFactor,
	// auth.MethodSSO or auth.MethodPasskey. Any other value (tokens and API keys never open a
	// session) is ErrInvalidMethod.
	Method auth.Method
	// Client is where the sign-in came from, shown in the list of
	// sessions; the User-Agent is kept up to MaxUserAgent bytes.
	Client auth.Client
	// PasswordExpired records that the password had expired at sign-in
	// (account.AuthResult.PasswordExpired); Validate asks Config.Expiry
	// again on every use when it is set.
	PasswordExpired bool
	// ProviderSession is the identity provider's session of a
	// single-sign-on sign-in (sso.SignIn.ProviderSession), so that a
	// back-channel logout naming it ends this session; empty otherwise.
	ProviderSession string
}

// MaxUserAgent and MaxIP bound what a session keeps of its client's
// User-Agent and IP address; longer values are cut.
const (
	MaxUserAgent = 512
	MaxIP        = 64
)

// Start stores a new session for the account, which the caller has just
// authenticated, and returns it with its secret. Only the secret's SHA-256
// digest is stored; the secret is returned once. CreatedAt,
// AuthenticatedAt and LastSeenAt are the current time.
func (s *Service) Start(ctx context.Context, b Begin) (Session, Secret, error) {
	if !signInMethod(b.Method) {
		return Session{}, Secret{}, fmt.Errorf("session: %q: %w", b.Method, ErrInvalidMethod)
	}
	var raw [secretBytes]byte
	if _, err := io.ReadFull(s.rand, raw[:]); err != nil {
		return Session{}, Secret{}, fmt.Errorf("session: reading randomness: %w", err)
	}
	clear := base64.RawURLEncoding.EncodeToString(raw[:])
	sid, err := id.New(s.rand, "ses_")
	if err != nil {
		return Session{}, Secret{}, fmt.Errorf("session: %w", err)
	}
	now := s.now()
	cl := trimClient(b.Client)
	ses := Session{ID: sid, AccountID: b.AccountID, Method: b.Method, CreatedAt: now, AuthenticatedAt: now, LastSeenAt: now,
		IP: cl.IP, UserAgent: cl.UserAgent, PasswordExpired: b.PasswordExpired, ProviderSession: b.ProviderSession}
	if len(ses.ProviderSession) > MaxProviderSession {
		ses.ProviderSession = ""
	}
	if err := s.st.CreateSession(ctx, ses, DigestOf(clear)); err != nil {
		return Session{}, Secret{}, fmt.Errorf("session: start: %w", err)
	}
	return ses, secret.New(clear), nil
}

// signInMethod reports whether m is a way a person signs in.
func signInMethod(m auth.Method) bool {
	return m == auth.MethodPassword || m == auth.MethodSecondFactor || m == auth.MethodSSO || m == auth.MethodPasskey
}

// trimClient drops control characters (which no header holds, and some
// databases refuse) from the client's fields and cuts them to MaxIP and
// MaxUserAgent bytes, keeping them valid UTF-8.
func trimClient(c auth.Client) auth.Client {
	clean := func(v string, n int) string {
		v = strings.TrimSpace(strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, v))
		if len(v) > n {
			v = v[:n]
		}
		return strings.ToValidUTF8(v, "")
	}
	return auth.Client{IP: clean(c.IP, MaxIP), UserAgent: clean(c.UserAgent, MaxUserAgent)}
}

// Validate returns the session of the secret. A malformed, unknown or
// expired secret, or one whose account is gone or deactivated, gives
// ErrInvalidSession; an expired session is deleted on the way. LastSeenAt
// is written at most once per TouchInterval. The session's
// PasswordExpired, and so its Caller's, says whether the account's
// password has expired now (Config.Expiry), however long ago the session
// began: the services then refuse the caller everything but the password
// change (auth.ErrPasswordExpired).
func (s *Service) Validate(ctx context.Context, secret string) (Session, error) {
	if !wellFormed(secret) {
		return Session{}, ErrInvalidSession
	}
	return s.validDigest(ctx, DigestOf(secret))
}

// validDigest is Validate for the session stored under d.
func (s *Service) validDigest(ctx context.Context, d Digest) (Session, error) {
	ses, err := s.st.SessionByDigest(ctx, d)
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
	if s.expiry != nil {
		at, ok, err := s.expiry.PasswordExpiresAtOf(ctx, a)
		if err != nil {
			return Session{}, fmt.Errorf("session: validate: %w", err)
		}
		ses.PasswordExpiresAt = time.Time{}
		if ok {
			ses.PasswordExpiresAt = at
		}
		ses.PasswordExpired = ok && !now.Before(at)
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

// Age returns how long ago the person last proved who they are in the
// session (AuthenticatedAt: the sign-in or the latest re-authentication).
// Freshness checks use Session.Caller().Fresh, which looks at the same
// time.
func (s *Service) Age(ses Session) time.Duration { return s.now().Sub(ses.AuthenticatedAt) }

// EndAccount deletes every session of the account but keep ("" keeps
// none) and returns how many it ended. It is the building block of
// revocation and erasure, checking nothing; a person ends their own
// sessions with End and EndOthers.
func (s *Service) EndAccount(ctx context.Context, accountID, keep string) (int, error) {
	n, err := s.st.DeleteSessionsOfAccount(ctx, accountID, keep)
	if err != nil {
		return 0, fmt.Errorf("session: end sessions of account: %w", err)
	}
	return n, nil
}

// OfAccount returns every stored session of the account, oldest first,
// for the personal-data export. It checks nothing; a person lists their
// own sessions with List.
func (s *Service) OfAccount(ctx context.Context, accountID string) ([]Session, error) {
	list, err := s.st.SessionsOfAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("session: sessions of account: %w", err)
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

// RevokeAccount ends sessions after a change of the account's
// credentials (account.Revoker). Deactivation, a password reset and a
// link to single sign-on end every session of the account; every other
// change (password changed, second factor enrolled or deactivated,
// account added) ends every session but r.KeepSession, the one that made
// the change. A change without a session to keep (a host's caller that
// has none) ends them all. A password change also clears the kept
// session's record of an expired password. Config.Hook then hears the
// revocation, with KeepSession empty where every session ended.
func (s *Service) RevokeAccount(ctx context.Context, r account.Revocation) error {
	if r.Change == account.ChangeDeactivated || r.Change == account.ChangePasswordReset || r.Change == account.ChangeLinked ||
		r.Change == account.ChangeLoggedOut || r.Change == account.ChangeErased {
		r.KeepSession = ""
	}
	r.Sessions = nil
	if _, err := s.EndAccount(ctx, r.AccountID, r.KeepSession); err != nil {
		return err
	}
	if r.Change == account.ChangePasswordChanged && r.KeepSession != "" {
		err := s.st.ClearSessionPasswordExpired(ctx, r.KeepSession)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("session: clear password expired: %w", err)
		}
	}
	return s.tell(ctx, r)
}

// tell passes a revocation to Config.Hook, in the transaction ctx
// carries.
func (s *Service) tell(ctx context.Context, r account.Revocation) error {
	if s.hook == nil {
		return nil
	}
	if err := s.hook.RevokeAccount(ctx, r); err != nil {
		return fmt.Errorf("session: the host's revocation hook: %w", err)
	}
	return nil
}

// LogOut ends every session of the account because its identity
// provider said so (a back-channel logout), tells Config.Hook, and
// returns how many sessions of the SDK it ended.
func (s *Service) LogOut(ctx context.Context, accountID string) (int, error) {
	n := 0
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = s.EndAccount(ctx, accountID, ""); err != nil {
			return err
		}
		return s.tell(ctx, account.Revocation{AccountID: accountID, Change: account.ChangeLoggedOut})
	})
	return n, err
}

// MaxProviderSession bounds a stored provider session; a longer one is
// not kept (a logout cannot name it then, and the account's logout still
// ends it).
const MaxProviderSession = 512

// LogOutProviderSession ends the sessions started by a sign-in in the
// identity provider's session key (a back-channel logout that names the
// provider's session), only those of accountID when it is not empty,
// tells Config.Hook which, and returns how many it ended.
func (s *Service) LogOutProviderSession(ctx context.Context, key, accountID string) (int, error) {
	if key == "" {
		return 0, nil
	}
	n := 0
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		list, err := s.st.SessionsOfProviderSession(ctx, key)
		if err != nil {
			return err
		}
		ended := map[string][]string{}
		for _, ses := range list {
			if accountID != "" && ses.AccountID != accountID {
				continue
			}
			if err := s.st.DeleteSession(ctx, ses.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return err
			}
			ended[ses.AccountID] = append(ended[ses.AccountID], ses.ID)
			n++
		}
		for acct, ids := range ended {
			if err := s.tell(ctx, account.Revocation{AccountID: acct, Change: account.ChangeLoggedOut, Sessions: ids}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("session: log out provider session: %w", err)
	}
	return n, nil
}

// EraseAccount deletes every session of the account (account.Eraser) and
// tells Config.Hook. It joins the transaction carried by ctx, if any.
func (s *Service) EraseAccount(ctx context.Context, accountID string) error {
	return s.RevokeAccount(ctx, account.Revocation{AccountID: accountID, Change: account.ChangeErased})
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

// noTx runs a unit of work without a transaction, for a Store that is no
// storage.Transactor.
type noTx struct{}

func (noTx) InTx(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

var (
	_ account.Eraser  = (*Service)(nil)
	_ account.Revoker = (*Service)(nil)
)

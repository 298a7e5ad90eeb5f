package session

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/internal/secret"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Session is a stored sign-in of one account. It never holds the session
// secret, nor its digest.
type Session struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id"`
	// Method is how the person proved who they are at sign-in or at the
	// latest re-authentication: auth.MethodPassword,
	// auth.MethodSecondFactor or auth.MethodSSO.
	Method auth.Method `json:"method"`
	// CreatedAt is when the session began (the sign-in); the session's
	// maximum age counts from it.
	CreatedAt time.Time `json:"created_at"`
	// AuthenticatedAt is when the person last proved who they are: the
	// sign-in, or the latest Reauthenticate. Freshness checks
	// (auth.Caller.Fresh) look at it.
	AuthenticatedAt time.Time `json:"authenticated_at"`
	// LastSeenAt is when the session was last used, written at most once
	// per Config.TouchInterval.
	LastSeenAt time.Time `json:"last_seen_at"`
	// IP and UserAgent are the client that signed in, or that last
	// re-authenticated; using the session does not change them. They are
	// shown to the person (Device), never used for a decision.
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	// PasswordExpired says that the account's password has passed its
	// maximum age: as Validate found it (Config.Expiry), else as the
	// sign-in recorded it until the password changed. The services refuse
	// such a session's caller everything but the password change
	// (auth.ErrPasswordExpired).
	PasswordExpired bool `json:"password_expired"`
	// PasswordExpiresAt is when the account's password expires, as
	// Validate found it (Config.Expiry); zero when it never does, or
	// when the Service has no Config.Expiry. A page warns before it. It
	// is not stored.
	PasswordExpiresAt time.Time `json:"-"`
	// ProviderSession names the identity provider's session of a
	// single-sign-on sign-in (sso.SignIn.ProviderSession), which a back-channel
	// logout may name; empty otherwise.
	ProviderSession string `json:"-"`
	// Current marks, in the answer of Service.List, the session the
	// caller acts through. It is not stored.
	Current bool `json:"current"`
}

// Client returns the client that signed in, or last re-authenticated.
func (s Session) Client() auth.Client { return auth.Client{IP: s.IP, UserAgent: s.UserAgent} }

// Device returns the label of the session's device, such as "Firefox on
// Linux" (auth.Client.Device).
func (s Session) Device() string { return s.Client().Device() }

// Caller returns who acts through the session, for the SDK's
// self-service operations: its account, how and when it last
// authenticated (AuthenticatedAt, the age a sensitive operation checks),
// the session itself, the client that signed in and whether the
// account's password has expired (PasswordExpired). A host that knows
// the client of the current request may replace Client with it.
func (s Session) Caller() auth.Caller {
	return auth.Caller{AccountID: s.AccountID, Method: s.Method, AuthenticatedAt: s.AuthenticatedAt, SessionID: s.ID,
		Client: s.Client(), PasswordExpired: s.PasswordExpired}
}

// Digest is the SHA-256 of a session secret: what the store keeps instead
// of it.
type Digest [sha256.Size]byte

// DigestOf returns the SHA-256 of the secret.
func DigestOf(secret string) Digest { return sha256.Sum256([]byte(secret)) }

// Secret is a session secret in clear, returned once by Start. It prints,
// logs and marshals as "[REDACTED]"; call Reveal for the value to hand to
// the client.
type Secret = secret.Secret

// Errors of the Service.
var (
	// ErrInvalidSession is the one answer for a session secret that must
	// not be accepted: malformed, unknown, ended, expired, or of an
	// account that is gone. Callers cannot tell these apart.
	ErrInvalidSession = errs.New(errs.Unauthenticated, "unauthenticated", "session: invalid session")
	// ErrNotFound is the answer of End for a session that is not the
	// caller's: another account's, ended or unknown alike. It matches
	// storage.ErrNotFound too.
	ErrNotFound = storage.NotFound("session: no such session of yours")
	// ErrInvalidMethod means Start was given a method no person signs in
	// with (a token or API key, or none).
	ErrInvalidMethod = errs.New(errs.Internal, "invalid_method", "session: invalid sign-in method")
	// ErrSecondFactorRequired means Reauthenticate needs a code of the
	// account's second factor, and none was given.
	ErrSecondFactorRequired = errs.New(errs.Unauthenticated, "second_factor_required", "session: second factor required")
	// ErrNotConfigured means Reauthenticate was called on a Service
	// without Config.Passwords.
	ErrNotConfigured = errs.New(errs.Internal, "not_configured", "session: reauthentication not configured")
)

// Store persists sessions. It is implemented by storage/memory,
// storage/sqlstore and any host adapter that passes
// storagetest.TestSessionStore. Digests are inputs only: no method returns
// one. SQL adapters delete the sessions of an account with it (a foreign
// key); the Service erases them before an account is deleted anyway.
type Store interface {
	// CreateSession stores a new session with the digest of its secret.
	// It returns storage.ErrConflict when the ID or the digest exists and
	// storage.ErrNotFound when the account does not exist.
	CreateSession(ctx context.Context, s Session, d Digest) error
	// SessionByDigest returns the session with the digest, or
	// storage.ErrNotFound.
	SessionByDigest(ctx context.Context, d Digest) (Session, error)
	// SessionsOfAccount returns the sessions of the account, oldest
	// first (ties broken by ID), with Current false.
	SessionsOfAccount(ctx context.Context, accountID string) ([]Session, error)
	// SessionsOfProviderSession returns the sessions whose
	// ProviderSession is key (not empty), oldest first (ties broken by
	// ID), with Current false.
	SessionsOfProviderSession(ctx context.Context, key string) ([]Session, error)
	// TouchSession sets LastSeenAt to at when the stored value is before
	// ifBefore, and reports whether it changed it. An unknown session is
	// not an error (it reports false).
	TouchSession(ctx context.Context, id string, at, ifBefore time.Time) (bool, error)
	// ReauthenticateSession sets the session's Method and
	// AuthenticatedAt, and its IP and UserAgent to the client's. It
	// returns storage.ErrNotFound.
	ReauthenticateSession(ctx context.Context, id string, m auth.Method, at time.Time, c auth.Client) error
	// ClearSessionPasswordExpired sets PasswordExpired to false. It
	// returns storage.ErrNotFound.
	ClearSessionPasswordExpired(ctx context.Context, id string) error
	// DeleteSession deletes the session. It returns storage.ErrNotFound.
	DeleteSession(ctx context.Context, id string) error
	// DeleteSessionsOfAccount deletes every session of the account except
	// the one with the ID keep (which may be empty) and returns how many
	// it deleted.
	DeleteSessionsOfAccount(ctx context.Context, accountID, keep string) (int, error)
	// DeleteSessionsBefore deletes the sessions last seen before
	// seenBefore or created before createdBefore, and returns how many it
	// deleted.
	DeleteSessionsBefore(ctx context.Context, seenBefore, createdBefore time.Time) (int, error)
}

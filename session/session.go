package session

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/internal/secret"
)

// Session is a stored sign-in of one account. It never holds the session
// secret, nor its digest.
type Session struct {
	ID        string
	AccountID string
	// CreatedAt is when the person signed in with their password (and
	// second factor): the age that reauthentication checks look at.
	CreatedAt time.Time
	// LastSeenAt is when the session was last used, written at most once
	// per Config.TouchInterval.
	LastSeenAt time.Time
	// PasswordExpired records that the password had passed its maximum
	// age at sign-in; the host lets such a session change the password
	// and little else. ClearPasswordExpired resets it.
	PasswordExpired bool
}

// Caller returns who acts through the session, for the SDK's
// self-service operations: its account, authenticated when the session
// began (the age a sensitive operation checks). Sessions do not record
// how the person signed in yet, so the method is auth.MethodPassword.
func (s Session) Caller() auth.Caller {
	return auth.Caller{AccountID: s.AccountID, Method: auth.MethodPassword, AuthenticatedAt: s.CreatedAt, SessionID: s.ID}
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
	ErrInvalidSession = errors.New("session: invalid session")
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
	// first (ties broken by ID).
	SessionsOfAccount(ctx context.Context, accountID string) ([]Session, error)
	// TouchSession sets LastSeenAt to at when the stored value is before
	// ifBefore, and reports whether it changed it. An unknown session is
	// not an error (it reports false).
	TouchSession(ctx context.Context, id string, at, ifBefore time.Time) (bool, error)
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

package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// MaxHostSessionID bounds the length of a host's session ID.
const MaxHostSessionID = 128

// ErrInvalidHostSession means a host session ID that is empty, longer
// than MaxHostSessionID or holds a byte other than printable ASCII.
var ErrInvalidHostSession = errs.New(errs.Invalid, "invalid_session_id", "session: invalid host session id")

// HostBegin is a sign-in the host made itself, with a session of its own
// (its own table, its own cookie), which the SDK lists, touches and ends
// with the SDK's sessions.
type HostBegin struct {
	// ID is the host's own ID of the session. The SDK keeps it as the
	// session's ID, so a caller of the session (Session.Caller, or
	// auth.New with the same ID) keeps it when other sessions end, and
	// the host's hook (Config.Hook) names it. It is no secret: the host's
	// cookie carries something else.
	ID string
	// AccountID is the account that signed in.
	AccountID string
	// Method is how the host authenticated the person:
	// auth.MethodPassword, auth.MethodSecondFactor or auth.MethodSSO.
	Method auth.Method
	// Client is where the sign-in came from.
	Client auth.Client
}

// hostDigest is what a host session is stored under instead of the
// digest of a secret: Validate never finds it, since no well-formed
// secret has this digest (a secret is 43 base64url characters).
func hostDigest(id string) Digest { return DigestOf("host session|" + id) }

// validHostID reports whether id can be a host's session ID.
func validHostID(id string) bool {
	if id == "" || len(id) > MaxHostSessionID {
		return false
	}
	for i := range len(id) {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// StartHost records a session that the host started itself: it appears
// in the person's list of sessions (List) and in the security log
// (securitylog.SignedIn with the session's ID and detail "host"), the
// host keeps it alive with TouchHost, and every end of it (End,
// EndOthers, a revocation, erasure) reaches the host through
// Config.Hook. It returns ErrInvalidHostSession, ErrInvalidMethod, or a
// conflict when the ID is taken.
func (s *Service) StartHost(ctx context.Context, b HostBegin) (Session, error) {
	if !validHostID(b.ID) {
		return Session{}, ErrInvalidHostSession
	}
	if !signInMethod(b.Method) {
		return Session{}, fmt.Errorf("session: start host session: %w", ErrInvalidMethod)
	}
	now := s.now()
	cl := trimClient(b.Client)
	ses := Session{ID: b.ID, AccountID: b.AccountID, Method: b.Method, CreatedAt: now, AuthenticatedAt: now, LastSeenAt: now,
		IP: cl.IP, UserAgent: cl.UserAgent}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.CreateSession(ctx, ses, hostDigest(b.ID)); err != nil {
			return err
		}
		return s.record(ctx, ses.Caller(), securitylog.SignedIn, "host")
	})
	if err != nil {
		return Session{}, fmt.Errorf("session: start host session: %w", err)
	}
	return ses, nil
}

// TouchHost returns the host's session with the ID, as Validate returns
// one of the SDK's: ErrInvalidSession when it ended, expired (it is
// deleted on the way) or its account is gone or deactivated; its
// PasswordExpired says whether the account's password has expired now.
// It records that the session was used (LastSeenAt, at most once per
// Config.TouchInterval) and from which client, so the list of sessions
// shows where it was last used. The host calls it on each request of
// the session, and acts through the session's Caller.
func (s *Service) TouchHost(ctx context.Context, id string, c auth.Client) (Session, error) {
	if !validHostID(id) {
		return Session{}, ErrInvalidSession
	}
	ses, err := s.validDigest(ctx, hostDigest(id))
	if err != nil {
		return Session{}, err
	}
	cl := trimClient(c)
	if cl != ses.Client() && (cl.IP != "" || cl.UserAgent != "") {
		err := s.st.ReauthenticateSession(ctx, ses.ID, ses.Method, ses.AuthenticatedAt, cl)
		if errors.Is(err, storage.ErrNotFound) {
			return Session{}, ErrInvalidSession
		}
		if err != nil {
			return Session{}, fmt.Errorf("session: touch host session: %w", err)
		}
		ses.IP, ses.UserAgent = cl.IP, cl.UserAgent
	}
	return ses, nil
}

// ReauthenticateHost records that the person proved who they are again
// in the host's session (the host checked the password itself): the
// session's AuthenticatedAt, and so its caller's freshness, is now. It
// returns ErrInvalidSession for a session that ended.
func (s *Service) ReauthenticateHost(ctx context.Context, id string, m auth.Method, c auth.Client) (Session, error) {
	ses, err := s.TouchHost(ctx, id, c)
	if err != nil {
		return Session{}, err
	}
	if !signInMethod(m) {
		return Session{}, fmt.Errorf("session: reauthenticate host session: %w", ErrInvalidMethod)
	}
	now := s.now()
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.ReauthenticateSession(ctx, ses.ID, m, now, ses.Client()); err != nil {
			return err
		}
		ses.Method, ses.AuthenticatedAt = m, now
		return s.record(ctx, ses.Caller(), securitylog.Reauthenticated, "host")
	})
	if errors.Is(err, storage.ErrNotFound) {
		return Session{}, ErrInvalidSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: reauthenticate host session: %w", err)
	}
	return ses, nil
}

package memory

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/session"
)

var _ session.Store = (*Store)(nil)

// sessionTables hold sign-in sessions keyed by the digest of their secret;
// byID indexes them. Rows are values, so reads hand out copies.
type sessionTables struct {
	byDigest map[session.Digest]session.Session
	byID     map[string]session.Digest
}

func (st *sessionTables) init() {
	st.byDigest = map[session.Digest]session.Session{}
	st.byID = map[string]session.Digest{}
}

// CreateSession implements session.Store.
func (s *Store) CreateSession(ctx context.Context, ses session.Session, d session.Digest) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.sessions.byID[ses.ID]; ok {
			return conflict("session id taken")
		}
		if _, ok := s.sessions.byDigest[d]; ok {
			return conflict("session digest taken")
		}
		if _, ok := s.accounts.byID[ses.AccountID]; !ok {
			return notFound("account", ses.AccountID)
		}
		ses.Current = false
		put(t, s.sessions.byDigest, d, ses)
		put(t, s.sessions.byID, ses.ID, d)
		return nil
	})
}

// SessionByDigest implements session.Store.
func (s *Store) SessionByDigest(ctx context.Context, d session.Digest) (session.Session, error) {
	var out session.Session
	err := s.read(ctx, func() error {
		ses, ok := s.sessions.byDigest[d]
		if !ok {
			return notFound("session", "by digest")
		}
		out = ses
		return nil
	})
	return out, err
}

// SessionsOfProviderSession implements session.Store.
func (s *Store) SessionsOfProviderSession(ctx context.Context, key string) ([]session.Session, error) {
	var out []session.Session
	err := s.read(ctx, func() error {
		for _, ses := range s.sessions.byDigest {
			if key != "" && ses.ProviderSession == key {
				out = append(out, ses)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b session.Session) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// SessionsOfAccount implements session.Store.
func (s *Store) SessionsOfAccount(ctx context.Context, accountID string) ([]session.Session, error) {
	var out []session.Session
	err := s.read(ctx, func() error {
		for _, ses := range s.sessions.byDigest {
			if ses.AccountID == accountID {
				out = append(out, ses)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b session.Session) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// TouchSession implements session.Store.
func (s *Store) TouchSession(ctx context.Context, id string, at, ifBefore time.Time) (bool, error) {
	changed := false
	err := s.write(ctx, func(t *tx) error {
		d, ok := s.sessions.byID[id]
		if !ok {
			return nil
		}
		ses := s.sessions.byDigest[d]
		if !ses.LastSeenAt.Before(ifBefore) {
			return nil
		}
		ses.LastSeenAt = at
		put(t, s.sessions.byDigest, d, ses)
		changed = true
		return nil
	})
	return changed, err
}

// ReauthenticateSession implements session.Store.
func (s *Store) ReauthenticateSession(ctx context.Context, id string, m auth.Method, at time.Time, c auth.Client) error {
	return s.write(ctx, func(t *tx) error {
		d, ok := s.sessions.byID[id]
		if !ok {
			return notFound("session", id)
		}
		ses := s.sessions.byDigest[d]
		ses.Method, ses.AuthenticatedAt, ses.IP, ses.UserAgent = m, at, c.IP, c.UserAgent
		put(t, s.sessions.byDigest, d, ses)
		return nil
	})
}

// ClearSessionPasswordExpired implements session.Store.
func (s *Store) ClearSessionPasswordExpired(ctx context.Context, id string) error {
	return s.write(ctx, func(t *tx) error {
		d, ok := s.sessions.byID[id]
		if !ok {
			return notFound("session", id)
		}
		ses := s.sessions.byDigest[d]
		ses.PasswordExpired = false
		put(t, s.sessions.byDigest, d, ses)
		return nil
	})
}

// DeleteSession implements session.Store.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.write(ctx, func(t *tx) error {
		d, ok := s.sessions.byID[id]
		if !ok {
			return notFound("session", id)
		}
		del(t, s.sessions.byDigest, d)
		del(t, s.sessions.byID, id)
		return nil
	})
}

// DeleteSessionsOfAccount implements session.Store.
func (s *Store) DeleteSessionsOfAccount(ctx context.Context, accountID, keep string) (int, error) {
	return s.deleteSessionsWhere(ctx, func(ses session.Session) bool {
		return ses.AccountID == accountID && ses.ID != keep
	})
}

// DeleteSessionsBefore implements session.Store.
func (s *Store) DeleteSessionsBefore(ctx context.Context, seenBefore, createdBefore time.Time) (int, error) {
	return s.deleteSessionsWhere(ctx, func(ses session.Session) bool {
		return ses.LastSeenAt.Before(seenBefore) || ses.CreatedAt.Before(createdBefore)
	})
}

func (s *Store) deleteSessionsWhere(ctx context.Context, match func(session.Session) bool) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for d, ses := range s.sessions.byDigest {
			if match(ses) {
				del(t, s.sessions.byDigest, d)
				del(t, s.sessions.byID, ses.ID)
				n++
			}
		}
		return nil
	})
	return n, err
}

package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/session"
)

var _ session.Store = (*Store)(nil)

const sessionColumns = `id, account_id, created_at, last_seen_at, password_expired, method, authenticated_at, ip, user_agent, provider_session`

// scanSession scans the columns of sessionColumns.
func scanSession(sc interface{ Scan(...any) error }, ses *session.Session) error {
	return sc.Scan(&ses.ID, &ses.AccountID, dbTime{&ses.CreatedAt}, dbTime{&ses.LastSeenAt}, &ses.PasswordExpired,
		&ses.Method, dbTime{&ses.AuthenticatedAt}, &ses.IP, &ses.UserAgent, &ses.ProviderSession)
}

// CreateSession implements session.Store. The insert selects the account,
// so a missing account inserts nothing and is told apart from a taken id
// or digest afterwards.
func (s *Store) CreateSession(ctx context.Context, ses session.Session, d session.Digest) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "create session", `INSERT INTO us_sessions (`+sessionColumns+`, digest)
			SELECT ?, id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM us_accounts WHERE id = ? ON CONFLICT DO NOTHING`,
			ses.ID, s.d.timeArg(ses.CreatedAt), s.d.timeArg(ses.LastSeenAt), ses.PasswordExpired,
			string(ses.Method), s.d.timeArg(ses.AuthenticatedAt), ses.IP, ses.UserAgent, ses.ProviderSession, d[:], ses.AccountID)
		if err != nil || n > 0 {
			return err
		}
		var one int
		if err := s.queryRow(ctx, "create session: account", `SELECT 1 FROM us_accounts WHERE id = ?`,
			[]any{ses.AccountID}, &one); err != nil {
			return err
		}
		return conflict("create session: id or digest taken")
	})
}

// SessionByDigest implements session.Store.
func (s *Store) SessionByDigest(ctx context.Context, d session.Digest) (session.Session, error) {
	var ses session.Session
	st, err := s.prepared(ctx, `SELECT `+sessionColumns+` FROM us_sessions WHERE digest = ?`)
	if err != nil {
		return ses, translate(ctx, "session by digest", err)
	}
	err = scanSession(st.QueryRowContext(ctx, d[:]), &ses)
	return ses, translate(ctx, "session by digest", err)
}

// SessionsOfAccount implements session.Store.
func (s *Store) SessionsOfAccount(ctx context.Context, accountID string) ([]session.Session, error) {
	var out []session.Session
	err := s.query(ctx, "sessions of account", `SELECT `+sessionColumns+` FROM us_sessions
		WHERE account_id = ? ORDER BY created_at, id`, []any{accountID}, func(r *sql.Rows) error {
		var ses session.Session
		err := scanSession(r, &ses)
		out = append(out, ses)
		return err
	})
	return out, err
}

// SessionsOfProviderSession implements session.Store, on the partial
// index of migration 17.
func (s *Store) SessionsOfProviderSession(ctx context.Context, key string) ([]session.Session, error) {
	var out []session.Session
	if key == "" {
		return nil, ctx.Err()
	}
	err := s.query(ctx, "sessions of provider session", `SELECT `+sessionColumns+` FROM us_sessions
		WHERE provider_session = ? ORDER BY created_at, id`, []any{key}, func(r *sql.Rows) error {
		var ses session.Session
		err := scanSession(r, &ses)
		out = append(out, ses)
		return err
	})
	return out, err
}

// TouchSession implements session.Store with one conditional UPDATE.
func (s *Store) TouchSession(ctx context.Context, id string, at, ifBefore time.Time) (bool, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, "touch session", `UPDATE us_sessions SET last_seen_at = ?
			WHERE id = ? AND last_seen_at < ?`, s.d.timeArg(at), id, s.d.timeArg(ifBefore))
		return err
	})
	return n > 0, err
}

// ReauthenticateSession implements session.Store.
func (s *Store) ReauthenticateSession(ctx context.Context, id string, m auth.Method, at time.Time, c auth.Client) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "reauthenticate session", `UPDATE us_sessions
			SET method = ?, authenticated_at = ?, ip = ?, user_agent = ? WHERE id = ?`,
			string(m), s.d.timeArg(at), c.IP, c.UserAgent, id)
		if err == nil && n == 0 {
			err = notFound("reauthenticate session")
		}
		return err
	})
}

// ClearSessionPasswordExpired implements session.Store.
func (s *Store) ClearSessionPasswordExpired(ctx context.Context, id string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "clear session password expired", `UPDATE us_sessions
			SET password_expired = ? WHERE id = ?`, false, id)
		if err == nil && n == 0 {
			err = notFound("clear session password expired")
		}
		return err
	})
}

// DeleteSession implements session.Store.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "delete session", `DELETE FROM us_sessions WHERE id = ?`, id)
		if err == nil && n == 0 {
			err = notFound("delete session")
		}
		return err
	})
}

// DeleteSessionsOfAccount implements session.Store.
func (s *Store) DeleteSessionsOfAccount(ctx context.Context, accountID, keep string) (int, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, "delete sessions of account", `DELETE FROM us_sessions
			WHERE account_id = ? AND id <> ?`, accountID, keep)
		return err
	})
	return int(n), err
}

// DeleteSessionsBefore implements session.Store in batches
// (WithDeleteBatch).
func (s *Store) DeleteSessionsBefore(ctx context.Context, seenBefore, createdBefore time.Time) (int, error) {
	return s.deleteBatched(ctx, "delete expired sessions", "us_sessions", "id",
		`last_seen_at < ? OR created_at < ?`, s.d.timeArg(seenBefore), s.d.timeArg(createdBefore))
}

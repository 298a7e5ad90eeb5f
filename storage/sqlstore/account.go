package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
)

var _ account.Store = (*Store)(nil)

const accountColumns = `id, profile_id, email, password_hash, password_changed_at,
	status, marketing, credits, created_at, sso_connection, sso_subject`

// Hot lookups; the benchmarks and the EXPLAIN tests use the same text.
const (
	queryAccountByEmail = `SELECT ` + accountColumns + ` FROM us_accounts WHERE lower(email) = lower(?)`
	queryAccountByID    = `SELECT ` + accountColumns + ` FROM us_accounts WHERE id = ?`
	// queryAccountsOfProfile lists a profile's accounts, oldest first.
	queryAccountsOfProfile = `SELECT ` + accountColumns + ` FROM us_accounts
	WHERE profile_id = ? ORDER BY created_at, id`
)

func scanAccount(row interface{ Scan(...any) error }, a *account.Account) error {
	var status string
	err := row.Scan(&a.ID, &a.ProfileID, &a.Email, &a.PasswordHash, dbTime{&a.PasswordChangedAt},
		&status, &a.Marketing, &a.Credits, dbTime{&a.CreatedAt}, dbString{&a.SSOConnection}, &a.SSOSubject)
	a.Status = account.Status(status)
	return err
}

// CreateAccount implements account.Store. An account whose profile does
// not exist is refused with storage.ErrConflict (foreign key).
func (s *Store) CreateAccount(ctx context.Context, a account.Account) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "create account", `INSERT INTO us_accounts (`+accountColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			a.ID, a.ProfileID, a.Email, a.PasswordHash, s.d.timeArg(a.PasswordChangedAt),
			string(a.Status), a.Marketing, a.Credits, s.d.timeArg(a.CreatedAt),
			nullString(a.SSOConnection), a.SSOSubject)
		if err == nil && n == 0 {
			err = conflict("create account: id, email or sso subject taken")
		}
		return err
	})
}

// getAccount runs one of the account lookups.
func (s *Store) getAccount(ctx context.Context, what, query, arg string) (account.Account, error) {
	var a account.Account
	st, err := s.prepared(ctx, query)
	if err != nil {
		return a, translate(ctx, what, err)
	}
	return a, translate(ctx, what, scanAccount(st.QueryRowContext(ctx, arg), &a))
}

// Account implements account.Store.
func (s *Store) Account(ctx context.Context, id string) (account.Account, error) {
	return s.getAccount(ctx, "account", queryAccountByID, id)
}

// AccountByEmail implements account.Store.
func (s *Store) AccountByEmail(ctx context.Context, email string) (account.Account, error) {
	return s.getAccount(ctx, "account by email", queryAccountByEmail, email)
}

// AccountsOfProfile implements account.Store.
func (s *Store) AccountsOfProfile(ctx context.Context, profileID string) ([]account.Account, error) {
	var out []account.Account
	err := s.query(ctx, "accounts of profile", queryAccountsOfProfile, []any{profileID}, func(r *sql.Rows) error {
		var a account.Account
		err := scanAccount(r, &a)
		out = append(out, a)
		return err
	})
	return out, err
}

// UpdateAccount implements account.Store. The email check and the update
// are one statement, so a taken email leaves a surrounding PostgreSQL
// transaction usable.
func (s *Store) UpdateAccount(ctx context.Context, a account.Account) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "update account", `UPDATE us_accounts SET
			profile_id = ?, email = ?, password_hash = ?, password_changed_at = ?,
			status = ?, marketing = ?, credits = ?, sso_connection = ?, sso_subject = ?
			WHERE id = ? AND NOT EXISTS (
				SELECT 1 FROM us_accounts o WHERE o.id <> ? AND (lower(o.email) = lower(?)
					OR (o.sso_connection = ? AND o.sso_subject = ?)))`,
			a.ProfileID, a.Email, a.PasswordHash, s.d.timeArg(a.PasswordChangedAt),
			string(a.Status), a.Marketing, a.Credits, nullString(a.SSOConnection), a.SSOSubject,
			a.ID, a.ID, a.Email, nullString(a.SSOConnection), a.SSOSubject)
		if err != nil || n > 0 {
			return err
		}
		var one int
		if err := s.queryRow(ctx, "update account", `SELECT 1 FROM us_accounts WHERE id = ?`, []any{a.ID}, &one); err != nil {
			return err
		}
		return conflict("update account: email or sso subject taken")
	})
}

// MoveAccounts implements account.Store with one UPDATE.
func (s *Store) MoveAccounts(ctx context.Context, fromProfileID, toProfileID string) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		if err := s.profileExists(ctx, "move accounts: profile", toProfileID); err != nil {
			return err
		}
		if fromProfileID == toProfileID {
			return nil
		}
		_, err := s.exec(ctx, "move accounts", `UPDATE us_accounts SET profile_id = ? WHERE profile_id = ?`,
			toProfileID, fromProfileID)
		return err
	})
}

// DeleteAccount implements account.Store. Pending requests the account
// made go with it (ON DELETE CASCADE).
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "delete account", `DELETE FROM us_accounts WHERE id = ?`, id)
		if err == nil && n == 0 {
			err = notFound("delete account")
		}
		return err
	})
}

const pendingColumns = `id, kind, email, password_hash, marketing, profile_id, requested_by,
	created_at, expires_at`

// CreatePending implements account.Store. An add-account request whose
// profile or requesting account does not exist is refused with
// storage.ErrConflict (foreign key).
func (s *Store) CreatePending(ctx context.Context, p account.Pending) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "create pending account", `INSERT INTO us_pending_accounts (`+pendingColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			p.ID, string(p.Kind), p.Email, p.PasswordHash, p.Marketing,
			nullString(p.ProfileID), nullString(p.RequestedBy),
			s.d.timeArg(p.CreatedAt), s.d.timeArg(p.ExpiresAt))
		if err == nil && n == 0 {
			err = conflict("create pending account: id taken")
		}
		return err
	})
}

// Pending implements account.Store.
func (s *Store) Pending(ctx context.Context, id string) (account.Pending, error) {
	var (
		p    account.Pending
		kind string
	)
	err := s.queryRow(ctx, "pending account", `SELECT `+pendingColumns+` FROM us_pending_accounts
		WHERE id = ?`, []any{id}, &p.ID, &kind, &p.Email, &p.PasswordHash, &p.Marketing,
		dbString{&p.ProfileID}, dbString{&p.RequestedBy}, dbTime{&p.CreatedAt}, dbTime{&p.ExpiresAt})
	p.Kind = account.PendingKind(kind)
	return p, err
}

// DeletePending implements account.Store.
func (s *Store) DeletePending(ctx context.Context, id string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "delete pending account", `DELETE FROM us_pending_accounts WHERE id = ?`, id)
		if err == nil && n == 0 {
			err = notFound("delete pending account")
		}
		return err
	})
}

// DeletePendingBefore implements account.Store in batches
// (WithDeleteBatch).
func (s *Store) DeletePendingBefore(ctx context.Context, t time.Time) (int, error) {
	return s.deleteBatched(ctx, "delete expired pending accounts", "us_pending_accounts", "id",
		`expires_at < ?`, s.d.timeArg(t))
}

// DeletePendingRequestedBy implements account.Store.
func (s *Store) DeletePendingRequestedBy(ctx context.Context, accountID string) (int, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, "delete pending accounts of requester",
			`DELETE FROM us_pending_accounts WHERE requested_by = ?`, accountID)
		return err
	})
	return int(n), err
}

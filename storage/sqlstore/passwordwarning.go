package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
)

var _ account.PasswordWarnings = (*Store)(nil)

// warnedFor is the condition of an account whose recorded
// password-expiry warning is about its current password with a lead of
// the argument or less (in seconds; 0 means none recorded).
const warnedFor = `(password_warned_for IS NOT NULL AND password_warned_for = password_changed_at
	AND password_warned_lead > 0 AND password_warned_lead <= ?)`

// PasswordAccounts implements account.PasswordWarnings: one keyset page
// of us_accounts by its primary key (schema 19 keeps the warning in two
// columns of the account, so it goes with it).
func (s *Store) PasswordAccounts(ctx context.Context, after string, done time.Duration, limit int) ([]account.PasswordWarning, error) {
	var out []account.PasswordWarning
	err := s.query(ctx, "password accounts", `SELECT `+accountColumns+`, password_warned_for, password_warned_lead
		FROM us_accounts
		WHERE id > ? AND status = ? AND password_hash <> '' AND sso_connection IS NULL AND NOT `+warnedFor+`
		ORDER BY id LIMIT ?`,
		[]any{after, string(account.StatusActive), seconds(done), limit}, func(r *sql.Rows) error {
			var w account.PasswordWarning
			var lead int64
			var status string
			a := &w.Account
			err := r.Scan(&a.ID, &a.ProfileID, &a.Email, &a.PasswordHash, dbTime{&a.PasswordChangedAt},
				&status, &a.Marketing, &a.Credits, dbTime{&a.CreatedAt}, dbString{&a.SSOConnection}, &a.SSOSubject,
				dbTime{&w.For}, &lead)
			a.Status, w.Lead = account.Status(status), time.Duration(lead)*time.Second
			out = append(out, w)
			return err
		})
	return out, err
}

// MarkPasswordWarning implements account.PasswordWarnings with one
// conditional UPDATE: of concurrent calls, the first to lock the row
// writes it, and the others find the condition false once it commits.
func (s *Store) MarkPasswordWarning(ctx context.Context, accountID string, changedAt time.Time, lead time.Duration) (bool, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, "mark password warning", `UPDATE us_accounts
			SET password_warned_for = password_changed_at, password_warned_lead = ?
			WHERE id = ? AND password_changed_at = ? AND NOT `+warnedFor,
			seconds(lead), accountID, s.d.timeArg(changedAt), seconds(lead))
		return err
	})
	return n == 1, err
}

// seconds is d in whole seconds, at least 1 for a positive d.
func seconds(d time.Duration) int64 {
	if d > 0 && d < time.Second {
		return 1
	}
	return int64(d / time.Second)
}

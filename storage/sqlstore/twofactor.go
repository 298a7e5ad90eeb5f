package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
)

var _ twofactor.Store = (*Store)(nil)

const twoFactorColumns = `account_id, method, enabled_at, secret, phone,
	pending_method, pending_secret, pending_phone, pending_at,
	last_step, attempts, locked_until, sms_digest, sms_sent_at, sms_expires_at`

// nullBytes maps an empty slice to NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// TwoFactor implements twofactor.Store.
func (s *Store) TwoFactor(ctx context.Context, accountID string) (twofactor.Record, error) {
	var r twofactor.Record
	var method, pending string
	err := s.queryRow(ctx, "two-factor record", `SELECT `+twoFactorColumns+`
		FROM us_two_factor WHERE account_id = ?`, []any{accountID},
		&r.AccountID, &method, dbTime{&r.EnabledAt}, &r.Secret, &r.Phone,
		&pending, &r.PendingSecret, &r.PendingPhone, dbTime{&r.PendingAt},
		&r.LastStep, &r.Attempts, dbTime{&r.LockedUntil},
		&r.SMSCode.Digest, dbTime{&r.SMSCode.SentAt}, dbTime{&r.SMSCode.ExpiresAt})
	r.Method, r.PendingMethod = twofactor.Method(method), twofactor.Method(pending)
	return r, err
}

// TwoFactorMethodsOfProfile implements twofactor.Store with one join.
func (s *Store) TwoFactorMethodsOfProfile(ctx context.Context, profileID string) (map[string]twofactor.Method, error) {
	out := map[string]twofactor.Method{}
	err := s.query(ctx, "two-factor methods of profile", `SELECT t.account_id, t.method FROM us_two_factor t
		JOIN us_accounts a ON a.id = t.account_id WHERE a.profile_id = ?`, []any{profileID}, func(r *sql.Rows) error {
		var id, m string
		err := r.Scan(&id, &m)
		out[id] = twofactor.Method(m)
		return err
	})
	return out, err
}

// SaveTwoFactor implements twofactor.Store. The counters and the SMS code
// of an existing row are left alone; a new row starts with zero ones.
func (s *Store) SaveTwoFactor(ctx context.Context, r twofactor.Record) error {
	zero := s.d.timeArg(time.Time{})
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "save two-factor record", `INSERT INTO us_two_factor (`+twoFactorColumns+`)
			SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, NULL, ?, ? FROM us_accounts WHERE id = ?
			ON CONFLICT (account_id) DO UPDATE SET method = excluded.method,
			enabled_at = excluded.enabled_at, secret = excluded.secret, phone = excluded.phone,
			pending_method = excluded.pending_method, pending_secret = excluded.pending_secret,
			pending_phone = excluded.pending_phone, pending_at = excluded.pending_at`,
			string(r.Method), s.d.timeArg(r.EnabledAt), nullBytes(r.Secret), r.Phone,
			string(r.PendingMethod), nullBytes(r.PendingSecret), r.PendingPhone, s.d.timeArg(r.PendingAt),
			zero, zero, zero, r.AccountID)
		if err == nil && n == 0 {
			err = notFound("save two-factor record: account")
		}
		return err
	})
}

// DeleteTwoFactor implements twofactor.Store.
func (s *Store) DeleteTwoFactor(ctx context.Context, accountID string) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		if _, err := s.exec(ctx, "delete recovery codes", `DELETE FROM us_two_factor_recovery_codes
			WHERE account_id = ?`, accountID); err != nil {
			return err
		}
		n, err := s.exec(ctx, "delete two-factor record", `DELETE FROM us_two_factor WHERE account_id = ?`, accountID)
		if err == nil && n == 0 {
			err = notFound("delete two-factor record")
		}
		return err
	})
}

// twoFactorExists returns storage.ErrNotFound unless the account has a
// two-factor record.
func (s *Store) twoFactorExists(ctx context.Context, what, accountID string) error {
	var one int
	return s.queryRow(ctx, what, `SELECT 1 FROM us_two_factor WHERE account_id = ?`, []any{accountID}, &one)
}

// updateTwoFactor runs one conditional UPDATE of the account's row. When
// it changes nothing, the result is storage.ErrNotFound for a missing row
// and orElse otherwise.
func (s *Store) updateTwoFactor(ctx context.Context, what string, orElse error, query string, args ...any) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, what, query, args...)
		if err != nil || n > 0 {
			return err
		}
		if err := s.twoFactorExists(ctx, what, args[len(args)-1].(string)); err != nil {
			return err
		}
		return orElse
	})
}

// UseTOTPStep implements twofactor.Store with one compare-and-set UPDATE.
func (s *Store) UseTOTPStep(ctx context.Context, accountID string, step int64) error {
	return s.updateTwoFactor(ctx, "use time step", conflict("use time step: already used"),
		`UPDATE us_two_factor SET last_step = ? WHERE last_step < ? AND account_id = ?`, step, step, accountID)
}

// SwapTwoFactorLock implements twofactor.Store with one compare-and-set
// UPDATE; the rule is twofactor.Lockout's, in Go.
func (s *Store) SwapTwoFactorLock(ctx context.Context, accountID string, old, next twofactor.LockState) error {
	return s.updateTwoFactor(ctx, "swap two-factor lock", conflict("swap two-factor lock: state changed"),
		`UPDATE us_two_factor SET attempts = ?, locked_until = ?
		WHERE attempts = ? AND locked_until = ? AND account_id = ?`,
		next.Attempts, s.d.timeArg(next.LockedUntil), old.Attempts, s.d.timeArg(old.LockedUntil), accountID)
}

// ResetTwoFactorAttempts implements twofactor.Store.
func (s *Store) ResetTwoFactorAttempts(ctx context.Context, accountID string) error {
	return s.updateTwoFactor(ctx, "reset two-factor attempts", nil,
		`UPDATE us_two_factor SET attempts = 0, locked_until = ? WHERE account_id = ?`,
		s.d.timeArg(time.Time{}), accountID)
}

// PutSMSCode implements twofactor.Store.
func (s *Store) PutSMSCode(ctx context.Context, accountID string, c twofactor.SMSCode) error {
	return s.updateTwoFactor(ctx, "put sms code", nil,
		`UPDATE us_two_factor SET sms_digest = ?, sms_sent_at = ?, sms_expires_at = ? WHERE account_id = ?`,
		nullBytes(c.Digest), s.d.timeArg(c.SentAt), s.d.timeArg(c.ExpiresAt), accountID)
}

// ConsumeSMSCode implements twofactor.Store with one conditional UPDATE.
func (s *Store) ConsumeSMSCode(ctx context.Context, accountID string, digest []byte, at time.Time) error {
	zero := s.d.timeArg(time.Time{})
	return s.updateTwoFactor(ctx, "consume sms code", conflict("consume sms code: no such code"),
		`UPDATE us_two_factor SET sms_digest = NULL, sms_sent_at = ?, sms_expires_at = ?
		WHERE sms_digest = ? AND sms_expires_at > ? AND account_id = ?`,
		zero, zero, nullBytes(digest), s.d.timeArg(at), accountID)
}

// PutRecoveryCodes implements twofactor.Store.
func (s *Store) PutRecoveryCodes(ctx context.Context, accountID string, digests [][]byte) error {
	seen := make(map[string]bool, len(digests))
	for _, d := range digests {
		if seen[string(d)] {
			return conflict("put recovery codes: digest repeated")
		}
		seen[string(d)] = true
	}
	return s.writeTx(ctx, func(ctx context.Context) error {
		if err := s.twoFactorExists(ctx, "put recovery codes: record", accountID); err != nil {
			return err
		}
		if _, err := s.exec(ctx, "put recovery codes: delete", `DELETE FROM us_two_factor_recovery_codes
			WHERE account_id = ?`, accountID); err != nil {
			return err
		}
		for _, d := range digests {
			if _, err := s.exec(ctx, "put recovery codes", `INSERT INTO us_two_factor_recovery_codes
				(account_id, digest, used_at) VALUES (?, ?, NULL)`, accountID, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// UseRecoveryCode implements twofactor.Store with one conditional UPDATE.
func (s *Store) UseRecoveryCode(ctx context.Context, accountID string, digest []byte, at time.Time) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "use recovery code", `UPDATE us_two_factor_recovery_codes SET used_at = ?
			WHERE account_id = ? AND digest = ? AND used_at IS NULL`, s.d.timeArg(at), accountID, digest)
		if err != nil || n > 0 {
			return err
		}
		var one int
		err = s.queryRow(ctx, "use recovery code", `SELECT 1 FROM us_two_factor_recovery_codes
			WHERE account_id = ? AND digest = ?`, []any{accountID, digest}, &one)
		if err != nil {
			return err
		}
		return conflict("use recovery code: already used")
	})
}

// RecoveryCodesLeft implements twofactor.Store.
func (s *Store) RecoveryCodesLeft(ctx context.Context, accountID string) (int, error) {
	var n sql.NullInt64
	err := s.queryRow(ctx, "recovery codes left", `SELECT count(*) FROM us_two_factor_recovery_codes
		WHERE account_id = ? AND used_at IS NULL`, []any{accountID}, &n)
	return int(n.Int64), err
}

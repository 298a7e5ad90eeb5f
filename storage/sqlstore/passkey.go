package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/passkey"
)

var _ passkey.Store = (*Store)(nil)

const passkeyColumns = `id, account_id, name, credential_id, public_key, sign_count, transports, backup_eligible, backup_state,
	aaguid, user_handle, attestation_format, created_at, last_used_at`

// scanPasskey scans the columns of passkeyColumns.
func scanPasskey(sc interface{ Scan(...any) error }, p *passkey.Passkey) error {
	var (
		count      int64
		transports string
	)
	err := sc.Scan(&p.ID, &p.AccountID, &p.Name, &p.CredentialID, &p.PublicKey, &count, &transports, &p.BackupEligible,
		&p.BackupState, &p.AAGUID, &p.UserHandle, &p.AttestationFormat, dbTime{&p.CreatedAt}, dbTime{&p.LastUsedAt})
	p.SignCount = uint32(count)
	p.Transports = []string{}
	if transports != "" {
		p.Transports = strings.Split(transports, ",")
	}
	return err
}

// CreatePasskey implements passkey.Store. The insert selects the
// account, so a missing account inserts nothing and is told apart from a
// taken id or credential id afterwards.
func (s *Store) CreatePasskey(ctx context.Context, p passkey.Passkey) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "create passkey", `INSERT INTO us_passkeys (`+passkeyColumns+`)
			SELECT ?, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM us_accounts WHERE id = ? ON CONFLICT DO NOTHING`,
			p.ID, p.Name, p.CredentialID, p.PublicKey, int64(p.SignCount), strings.Join(p.Transports, ","), p.BackupEligible,
			p.BackupState, p.AAGUID, p.UserHandle, p.AttestationFormat, s.d.timeArg(p.CreatedAt), s.d.nullTimeArg(p.LastUsedAt), p.AccountID)
		if err != nil || n > 0 {
			return err
		}
		var one int
		if err := s.queryRow(ctx, "create passkey: account", `SELECT 1 FROM us_accounts WHERE id = ?`,
			[]any{p.AccountID}, &one); err != nil {
			return err
		}
		return conflict("create passkey: id or credential id taken")
	})
}

// passkeysWhere returns the passkeys that match where, oldest first.
func (s *Store) passkeysWhere(ctx context.Context, what, where string, args ...any) ([]passkey.Passkey, error) {
	var out []passkey.Passkey
	err := s.query(ctx, what, `SELECT `+passkeyColumns+` FROM us_passkeys WHERE `+where+` ORDER BY created_at, id`, args,
		func(r *sql.Rows) error {
			var p passkey.Passkey
			err := scanPasskey(r, &p)
			out = append(out, p)
			return err
		})
	return out, err
}

// PasskeysOfAccount implements passkey.Store.
func (s *Store) PasskeysOfAccount(ctx context.Context, accountID string) ([]passkey.Passkey, error) {
	return s.passkeysWhere(ctx, "passkeys of account", `account_id = ?`, accountID)
}

// PasskeyByCredentialID implements passkey.Store.
func (s *Store) PasskeyByCredentialID(ctx context.Context, credentialID []byte) (passkey.Passkey, error) {
	got, err := s.passkeysWhere(ctx, "passkey by credential id", `credential_id = ?`, credentialID)
	if err != nil {
		return passkey.Passkey{}, err
	}
	if len(got) == 0 {
		return passkey.Passkey{}, notFound("passkey by credential id")
	}
	return got[0], nil
}

// PasskeysByUserHandle implements passkey.Store.
func (s *Store) PasskeysByUserHandle(ctx context.Context, handle []byte) ([]passkey.Passkey, error) {
	if len(handle) == 0 {
		return nil, ctx.Err()
	}
	return s.passkeysWhere(ctx, "passkeys by user handle", `user_handle = ?`, handle)
}

// RenamePasskey implements passkey.Store.
func (s *Store) RenamePasskey(ctx context.Context, accountID, id, name string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "rename passkey", `UPDATE us_passkeys SET name = ? WHERE id = ? AND account_id = ?`, name, id, accountID)
		if err == nil && n == 0 {
			err = notFound("rename passkey")
		}
		return err
	})
}

// UsePasskey implements passkey.Store with one conditional UPDATE: the
// compare-and-set of the sign count.
func (s *Store) UsePasskey(ctx context.Context, id string, old, next uint32, backedUp bool, at time.Time) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "use passkey", `UPDATE us_passkeys SET sign_count = ?, backup_state = ?, last_used_at = ?
			WHERE id = ? AND sign_count = ?`, int64(next), backedUp, s.d.timeArg(at), id, int64(old))
		if err != nil || n > 0 {
			return err
		}
		var one int
		if err := s.queryRow(ctx, "use passkey: passkey", `SELECT 1 FROM us_passkeys WHERE id = ?`, []any{id}, &one); err != nil {
			return err
		}
		return conflict("use passkey: sign count changed")
	})
}

// DeletePasskey implements passkey.Store.
func (s *Store) DeletePasskey(ctx context.Context, accountID, id string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "delete passkey", `DELETE FROM us_passkeys WHERE id = ? AND account_id = ?`, id, accountID)
		if err == nil && n == 0 {
			err = notFound("delete passkey")
		}
		return err
	})
}

// DeletePasskeysOfAccount implements passkey.Store; the account's
// unfinished ceremonies go with them.
func (s *Store) DeletePasskeysOfAccount(ctx context.Context, accountID string) (int, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		if n, err = s.exec(ctx, "delete passkeys of account", `DELETE FROM us_passkeys WHERE account_id = ?`, accountID); err != nil {
			return err
		}
		_, err = s.exec(ctx, "delete passkey ceremonies of account", `DELETE FROM us_passkey_ceremonies WHERE account_id = ?`, accountID)
		return err
	})
	return int(n), err
}

// CreatePasskeyCeremony implements passkey.Store.
func (s *Store) CreatePasskeyCeremony(ctx context.Context, c passkey.CeremonyRecord) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "create passkey ceremony", `INSERT INTO us_passkey_ceremonies
			(digest, kind, account_id, session_id, data, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			c.Digest[:], string(c.Kind), nullString(c.AccountID), c.SessionID, c.Data, s.d.timeArg(c.CreatedAt), s.d.timeArg(c.ExpiresAt))
		if err == nil && n == 0 {
			err = conflict("create passkey ceremony: digest taken")
		}
		return err
	})
}

// ConsumePasskeyCeremony implements passkey.Store: one DELETE …
// RETURNING, so concurrent callers cannot both get the ceremony.
func (s *Store) ConsumePasskeyCeremony(ctx context.Context, d passkey.Digest) (passkey.CeremonyRecord, error) {
	c := passkey.CeremonyRecord{Digest: d}
	var kind string
	err := s.writeOne(ctx, func(ctx context.Context) error {
		return s.queryRow(ctx, "consume passkey ceremony", `DELETE FROM us_passkey_ceremonies WHERE digest = ?
			RETURNING kind, account_id, session_id, data, created_at, expires_at`,
			[]any{d[:]}, &kind, dbString{&c.AccountID}, &c.SessionID, &c.Data, dbTime{&c.CreatedAt}, dbTime{&c.ExpiresAt})
	})
	if err != nil {
		return passkey.CeremonyRecord{}, err
	}
	c.Kind = passkey.Kind(kind)
	return c, nil
}

// DeletePasskeyCeremoniesBefore implements passkey.Store in batches
// (WithDeleteBatch).
func (s *Store) DeletePasskeyCeremoniesBefore(ctx context.Context, t time.Time) (int, error) {
	return s.deleteBatched(ctx, "delete expired passkey ceremonies", "us_passkey_ceremonies", "digest",
		`expires_at < ?`, s.d.timeArg(t))
}

package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/seed-a97ca23f/usersettings/verification"
)

var _ verification.Store = (*Store)(nil)

const codeColumns = `id, purpose, flow_id, address, digest, attempts, created_at, expires_at, used_at`

// queryCodeOfFlow is the hot lookup of a code; the benchmarks and the
// EXPLAIN tests use the same text.
const queryCodeOfFlow = `SELECT ` + codeColumns + ` FROM us_verification_codes WHERE purpose = ? AND flow_id = ?`

// querySendsSince reads the send log of an address for the throttle.
const querySendsSince = `SELECT sent_at FROM us_code_sends
	WHERE address = lower(?) AND sent_at >= ? ORDER BY sent_at`

// queryPurposeSendsSince reads the send log of an address and a purpose
// for the throttle.
const queryPurposeSendsSince = `SELECT sent_at FROM us_code_sends
	WHERE address = lower(?) AND purpose = ? AND sent_at >= ? ORDER BY sent_at`

func scanCode(row interface{ Scan(...any) error }, c *verification.Code) error {
	var purpose string
	err := row.Scan(&c.ID, &purpose, &c.FlowID, &c.Address, &c.Digest, &c.Attempts,
		dbTime{&c.CreatedAt}, dbTime{&c.ExpiresAt}, dbTime{&c.UsedAt})
	c.Purpose = verification.Purpose(purpose)
	return err
}

// PutCode implements verification.Store. It checks for a taken id or
// digest before it deletes the code it replaces, so a refused code
// changes nothing even inside a caller's transaction.
func (s *Store) PutCode(ctx context.Context, c verification.Code) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		var taken int
		err := s.queryRow(ctx, "put code", `SELECT count(*) FROM us_verification_codes
			WHERE id = ? OR (digest = ? AND NOT (purpose = ? AND flow_id = ?))`,
			[]any{c.ID, c.Digest, string(c.Purpose), c.FlowID}, &taken)
		if err != nil {
			return err
		}
		if taken > 0 {
			return conflict("put code: id or digest taken")
		}
		if _, err := s.exec(ctx, "put code: replace", `DELETE FROM us_verification_codes
			WHERE purpose = ? AND flow_id = ?`, string(c.Purpose), c.FlowID); err != nil {
			return err
		}
		digest := c.Digest
		if digest == nil {
			digest = []byte{}
		}
		_, err = s.exec(ctx, "put code", `INSERT INTO us_verification_codes (`+codeColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, string(c.Purpose), c.FlowID, c.Address, digest, c.Attempts,
			s.d.timeArg(c.CreatedAt), s.d.timeArg(c.ExpiresAt), s.d.nullTimeArg(c.UsedAt))
		return err
	})
}

// CodeOfFlow implements verification.Store.
func (s *Store) CodeOfFlow(ctx context.Context, purpose verification.Purpose, flowID string) (verification.Code, error) {
	var c verification.Code
	st, err := s.prepared(ctx, queryCodeOfFlow)
	if err != nil {
		return c, translate(ctx, "code of flow", err)
	}
	err = scanCode(st.QueryRowContext(ctx, string(purpose), flowID), &c)
	return c, translate(ctx, "code of flow", err)
}

// AddCodeAttempt implements verification.Store with one UPDATE …
// RETURNING, so concurrent calls each see their own count.
func (s *Store) AddCodeAttempt(ctx context.Context, id string) (int, error) {
	var n int
	err := s.writeOne(ctx, func(ctx context.Context) error {
		return s.queryRow(ctx, "add code attempt", `UPDATE us_verification_codes
			SET attempts = attempts + 1 WHERE id = ? RETURNING attempts`, []any{id}, &n)
	})
	return n, err
}

// ConsumeCode implements verification.Store with a conditional UPDATE
// (… WHERE used_at IS NULL): of concurrent calls, only the one whose
// update changed the row succeeds.
func (s *Store) ConsumeCode(ctx context.Context, id string, t time.Time) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "consume code", `UPDATE us_verification_codes SET used_at = ?
			WHERE id = ? AND used_at IS NULL`, s.d.timeArg(t), id)
		if err != nil || n > 0 {
			return err
		}
		var one int
		if err := s.queryRow(ctx, "consume code", `SELECT 1 FROM us_verification_codes WHERE id = ?`, []any{id}, &one); err != nil {
			return err
		}
		return conflict("consume code: already used")
	})
}

// DeleteCodesOfFlow implements verification.Store.
func (s *Store) DeleteCodesOfFlow(ctx context.Context, purpose verification.Purpose, flowID string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		_, err := s.exec(ctx, "delete codes of flow", `DELETE FROM us_verification_codes
			WHERE purpose = ? AND flow_id = ?`, string(purpose), flowID)
		return err
	})
}

// DeleteCodesBefore implements verification.Store in batches
// (WithDeleteBatch).
func (s *Store) DeleteCodesBefore(ctx context.Context, t time.Time) (int, error) {
	return s.deleteBatched(ctx, "delete expired codes", "us_verification_codes", "id",
		`expires_at < ?`, s.d.timeArg(t))
}

// RecordSend implements verification.Store. Addresses are stored in lower
// case.
func (s *Store) RecordSend(ctx context.Context, address string, purpose verification.Purpose, t time.Time) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		_, err := s.exec(ctx, "record send", `INSERT INTO us_code_sends (address, purpose, sent_at)
			VALUES (lower(?), ?, ?)`, address, string(purpose), s.d.timeArg(t))
		return err
	})
}

// PurposeSendsSince implements verification.Store.
func (s *Store) PurposeSendsSince(ctx context.Context, address string, purpose verification.Purpose, since time.Time) ([]time.Time, error) {
	var out []time.Time
	err := s.query(ctx, "purpose sends since", queryPurposeSendsSince,
		[]any{address, string(purpose), s.d.timeArg(since)}, func(r *sql.Rows) error {
			var t time.Time
			err := r.Scan(dbTime{&t})
			out = append(out, t)
			return err
		})
	return out, err
}

// SendsSince implements verification.Store.
func (s *Store) SendsSince(ctx context.Context, address string, since time.Time) ([]time.Time, error) {
	var out []time.Time
	err := s.query(ctx, "sends since", querySendsSince,
		[]any{address, s.d.timeArg(since)}, func(r *sql.Rows) error {
			var t time.Time
			err := r.Scan(dbTime{&t})
			out = append(out, t)
			return err
		})
	return out, err
}

// DeleteSendsBefore implements verification.Store in batches
// (WithDeleteBatch).
func (s *Store) DeleteSendsBefore(ctx context.Context, t time.Time) error {
	_, err := s.deleteBatched(ctx, "delete old sends", "us_code_sends", "id", `sent_at < ?`, s.d.timeArg(t))
	return err
}

// ForgetAddress implements verification.Store.
func (s *Store) ForgetAddress(ctx context.Context, address string) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		if _, err := s.exec(ctx, "forget address: codes", `DELETE FROM us_verification_codes
			WHERE lower(address) = lower(?)`, address); err != nil {
			return err
		}
		_, err := s.exec(ctx, "forget address: sends", `DELETE FROM us_code_sends WHERE address = lower(?)`, address)
		return err
	})
}

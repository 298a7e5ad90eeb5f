package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
)

var _ notify.OutboxStore = (*Store)(nil)

const mailColumns = `id, recipient, subject, body, state, attempts, last_error, created_at, next_attempt_at, updated_at, sent_at, language`

// The claim of due messages, one statement per dialect; both take
// (now, n, leaseUntil, now). On PostgreSQL the CTE, evaluated once, locks
// the rows it picks and skips those another claimer holds (FOR UPDATE
// SKIP LOCKED); on SQLite the transaction holds the writer lock, so
// claimers run one after the other.
const (
	claimMailPostgres = `WITH due AS (SELECT id FROM us_mail_outbox
		WHERE state IN ('queued', 'sending') AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
	UPDATE us_mail_outbox AS m SET state = 'sending', attempts = m.attempts + 1,
		next_attempt_at = ?, updated_at = ?
	FROM due WHERE m.id = due.id
	RETURNING ` + mailColumnsOfM
	claimMailSQLite = `WITH due AS (SELECT id FROM us_mail_outbox
		WHERE state IN ('queued', 'sending') AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT ?)
	UPDATE us_mail_outbox SET state = 'sending', attempts = attempts + 1,
		next_attempt_at = ?, updated_at = ?
	WHERE id IN (SELECT id FROM due)
	RETURNING ` + mailColumns
)

// mailColumnsOfM is mailColumns qualified by the alias m.
const mailColumnsOfM = `m.id, m.recipient, m.subject, m.body, m.state, m.attempts, m.last_error,
	m.created_at, m.next_attempt_at, m.updated_at, m.sent_at, m.language`

func scanMail(row interface{ Scan(...any) error }, m *notify.QueuedMail) error {
	var state string
	err := row.Scan(&m.ID, &m.To, &m.Subject, &m.SealedBody, &state, &m.Attempts, &m.LastError,
		dbTime{&m.CreatedAt}, dbTime{&m.NextAttemptAt}, dbTime{&m.UpdatedAt}, dbTime{&m.SentAt}, &m.Language)
	m.State = notify.MailState(state)
	return err
}

// mailList runs a query of messages and returns them in its order.
func (s *Store) mailList(ctx context.Context, what, query string, args ...any) ([]notify.QueuedMail, error) {
	var out []notify.QueuedMail
	err := s.query(ctx, what, query, args, func(r *sql.Rows) error {
		var m notify.QueuedMail
		if err := scanMail(r, &m); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// QueueMail implements notify.OutboxStore.
func (s *Store) QueueMail(ctx context.Context, m notify.QueuedMail) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		body := m.SealedBody
		if body == nil {
			body = []byte{}
		}
		_, err := s.exec(ctx, "queue mail", `INSERT INTO us_mail_outbox (`+mailColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, m.To, m.Subject, body, string(m.State), m.Attempts, m.LastError,
			s.d.timeArg(m.CreatedAt), s.d.timeArg(m.NextAttemptAt), s.d.timeArg(m.UpdatedAt), s.d.nullTimeArg(m.SentAt),
			m.Language)
		return err
	})
}

// ClaimMail implements notify.OutboxStore in one transaction, retried on
// a serialization failure.
func (s *Store) ClaimMail(ctx context.Context, now, leaseUntil time.Time, n int) ([]notify.QueuedMail, error) {
	query := claimMailSQLite
	if s.d == Postgres {
		query = claimMailPostgres
	}
	var out []notify.QueuedMail
	err := s.writeTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.mailList(ctx, "claim mail", query,
			s.d.timeArg(now), n, s.d.timeArg(leaseUntil), s.d.timeArg(now))
		return err
	})
	if err != nil {
		return nil, err
	}
	// RETURNING keeps no order.
	slices.SortFunc(out, func(a, b notify.QueuedMail) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// finishMail runs the update of a claimed message, fenced by its attempt;
// no row changed is a lost claim or a missing message.
func (s *Store) finishMail(ctx context.Context, what, set string, id string, attempt int, args ...any) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, what, `UPDATE us_mail_outbox SET `+set+`
			WHERE id = ? AND state = 'sending' AND attempts = ?`, append(args, id, attempt)...)
		if err != nil || n > 0 {
			return err
		}
		var state string
		if err := s.queryRow(ctx, what, `SELECT state FROM us_mail_outbox WHERE id = ?`, []any{id}, &state); err != nil {
			return err
		}
		return conflict(what + ": claim lost")
	})
}

// MarkMailSent implements notify.OutboxStore.
func (s *Store) MarkMailSent(ctx context.Context, id string, attempt int, at time.Time) error {
	return s.finishMail(ctx, "mark mail sent", `state = 'sent', sent_at = ?, updated_at = ?, last_error = ''`,
		id, attempt, s.d.timeArg(at), s.d.timeArg(at))
}

// RetryMail implements notify.OutboxStore.
func (s *Store) RetryMail(ctx context.Context, id string, attempt int, lastError string, at, retryAt time.Time) error {
	return s.finishMail(ctx, "retry mail", `state = 'queued', next_attempt_at = ?, updated_at = ?, last_error = ?`,
		id, attempt, s.d.timeArg(retryAt), s.d.timeArg(at), lastError)
}

// AbandonMail implements notify.OutboxStore.
func (s *Store) AbandonMail(ctx context.Context, id string, attempt int, lastError string, at time.Time) error {
	return s.finishMail(ctx, "abandon mail", `state = 'abandoned', updated_at = ?, last_error = ?`,
		id, attempt, s.d.timeArg(at), lastError)
}

// RecentMail implements notify.OutboxStore.
func (s *Store) RecentMail(ctx context.Context, n int) ([]notify.QueuedMail, error) {
	out, err := s.mailList(ctx, "recent mail", `SELECT `+mailColumns+` FROM us_mail_outbox
		ORDER BY created_at DESC, id DESC LIMIT ?`, n)
	slices.Reverse(out)
	return out, err
}

// DeleteMailBefore implements notify.OutboxStore in batches
// (WithDeleteBatch).
func (s *Store) DeleteMailBefore(ctx context.Context, before time.Time) (int, error) {
	return s.deleteBatched(ctx, "delete old mail", "us_mail_outbox", "id",
		`state IN ('sent', 'abandoned') AND updated_at < ?`, s.d.timeArg(before))
}

// MailTo implements notify.OutboxStore.
func (s *Store) MailTo(ctx context.Context, address string) ([]notify.QueuedMail, error) {
	return s.mailList(ctx, "mail to", `SELECT `+mailColumns+` FROM us_mail_outbox
		WHERE lower(recipient) = lower(?) ORDER BY created_at, id`, address)
}

// ForgetMailTo implements notify.OutboxStore.
func (s *Store) ForgetMailTo(ctx context.Context, address string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		_, err := s.exec(ctx, "forget mail", `DELETE FROM us_mail_outbox WHERE lower(recipient) = lower(?)`, address)
		return err
	})
}

package memory

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
)

var _ notify.OutboxStore = (*Store)(nil)

type mailTables struct {
	byID map[string]notify.QueuedMail
}

func (m *mailTables) init() { m.byID = map[string]notify.QueuedMail{} }

func copyMail(m notify.QueuedMail) notify.QueuedMail {
	m.SealedBody = bytes.Clone(m.SealedBody)
	return m
}

// mailSorted returns copies of the messages that keep reports true for,
// ordered by key, then ID. The caller holds the lock.
func (s *Store) mailSorted(keep func(notify.QueuedMail) bool, key func(notify.QueuedMail) time.Time) []notify.QueuedMail {
	var out []notify.QueuedMail
	for _, m := range s.mail.byID {
		if keep(m) {
			out = append(out, copyMail(m))
		}
	}
	slices.SortFunc(out, func(a, b notify.QueuedMail) int {
		return cmp.Or(key(a).Compare(key(b)), strings.Compare(a.ID, b.ID))
	})
	return out
}

func createdAt(m notify.QueuedMail) time.Time { return m.CreatedAt }

// QueueMail implements notify.OutboxStore.
func (s *Store) QueueMail(ctx context.Context, m notify.QueuedMail) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.mail.byID[m.ID]; ok {
			return conflict("mail id taken")
		}
		put(t, s.mail.byID, m.ID, copyMail(m))
		return nil
	})
}

// ClaimMail implements notify.OutboxStore. The write lock keeps claimers
// apart.
func (s *Store) ClaimMail(ctx context.Context, now, leaseUntil time.Time, n int) ([]notify.QueuedMail, error) {
	var out []notify.QueuedMail
	err := s.write(ctx, func(t *tx) error {
		due := s.mailSorted(func(m notify.QueuedMail) bool {
			return (m.State == notify.MailQueued || m.State == notify.MailSending) && !m.NextAttemptAt.After(now)
		}, func(m notify.QueuedMail) time.Time { return m.NextAttemptAt })
		for _, m := range due[:min(n, len(due))] {
			m.State, m.NextAttemptAt, m.UpdatedAt = notify.MailSending, leaseUntil, now
			m.Attempts++
			put(t, s.mail.byID, m.ID, m)
			out = append(out, copyMail(m))
		}
		slices.SortFunc(out, func(a, b notify.QueuedMail) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		})
		return nil
	})
	return out, err
}

// finishMail applies change to the message when attempt still holds its
// claim.
func (s *Store) finishMail(ctx context.Context, id string, attempt int, change func(*notify.QueuedMail)) error {
	return s.write(ctx, func(t *tx) error {
		m, ok := s.mail.byID[id]
		if !ok {
			return notFound("mail", id)
		}
		if m.State != notify.MailSending || m.Attempts != attempt {
			return conflict("mail claim lost")
		}
		change(&m)
		put(t, s.mail.byID, id, m)
		return nil
	})
}

// MarkMailSent implements notify.OutboxStore.
func (s *Store) MarkMailSent(ctx context.Context, id string, attempt int, at time.Time) error {
	return s.finishMail(ctx, id, attempt, func(m *notify.QueuedMail) {
		m.State, m.SentAt, m.UpdatedAt, m.LastError = notify.MailSent, at, at, ""
	})
}

// RetryMail implements notify.OutboxStore.
func (s *Store) RetryMail(ctx context.Context, id string, attempt int, lastError string, at, retryAt time.Time) error {
	return s.finishMail(ctx, id, attempt, func(m *notify.QueuedMail) {
		m.State, m.NextAttemptAt, m.UpdatedAt, m.LastError = notify.MailQueued, retryAt, at, lastError
	})
}

// AbandonMail implements notify.OutboxStore.
func (s *Store) AbandonMail(ctx context.Context, id string, attempt int, lastError string, at time.Time) error {
	return s.finishMail(ctx, id, attempt, func(m *notify.QueuedMail) {
		m.State, m.UpdatedAt, m.LastError = notify.MailAbandoned, at, lastError
	})
}

// RecentMail implements notify.OutboxStore.
func (s *Store) RecentMail(ctx context.Context, n int) ([]notify.QueuedMail, error) {
	var out []notify.QueuedMail
	err := s.read(ctx, func() error {
		all := s.mailSorted(func(notify.QueuedMail) bool { return true }, createdAt)
		out = all[max(0, len(all)-n):]
		return nil
	})
	return out, err
}

// DeleteMailBefore implements notify.OutboxStore.
func (s *Store) DeleteMailBefore(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for id, m := range s.mail.byID {
			if (m.State == notify.MailSent || m.State == notify.MailAbandoned) && m.UpdatedAt.Before(before) {
				del(t, s.mail.byID, id)
				n++
			}
		}
		return nil
	})
	return n, err
}

// MailTo implements notify.OutboxStore.
func (s *Store) MailTo(ctx context.Context, address string) ([]notify.QueuedMail, error) {
	var out []notify.QueuedMail
	err := s.read(ctx, func() error {
		out = s.mailSorted(func(m notify.QueuedMail) bool { return emailKey(m.To) == emailKey(address) }, createdAt)
		return nil
	})
	return out, err
}

// ForgetMailTo implements notify.OutboxStore.
func (s *Store) ForgetMailTo(ctx context.Context, address string) error {
	return s.write(ctx, func(t *tx) error {
		for id, m := range s.mail.byID {
			if emailKey(m.To) == emailKey(address) {
				del(t, s.mail.byID, id)
			}
		}
		return nil
	})
}

package notify

import (
	"context"
	"time"
)

// MailState is where a message of the durable outbox stands.
type MailState string

// The states of a queued message. A message is queued, claimed by one
// courier (sending) until it is sent, queued again with a later
// NextAttemptAt after a failed attempt, or abandoned after the last
// attempt or a permanent refusal.
const (
	MailQueued    MailState = "queued"
	MailSending   MailState = "sending"
	MailSent      MailState = "sent"
	MailAbandoned MailState = "abandoned"
)

// QueuedMail is one message of the durable outbox (OutboxStore). Its body
// is sealed: the outbox holds one-time codes, which never rest in clear.
type QueuedMail struct {
	ID      string
	To      string
	Subject string
	// Language is the message's language (Message.Language): a BCP 47
	// tag, empty when unknown.
	Language string
	// SealedBody is the body encrypted by the Courier (AES-256-GCM under
	// its keys, bound to ID).
	SealedBody []byte
	State      MailState
	// Attempts counts the claims so far; a claim fences the marks that
	// follow it (see OutboxStore.MarkMailSent).
	Attempts int
	// LastError describes the last failed attempt: the mailer's error,
	// never the body.
	LastError string
	CreatedAt time.Time
	// NextAttemptAt is, while queued, when the message is due; while
	// sending, when the claim's lease ends and another courier may take
	// it.
	NextAttemptAt time.Time
	// UpdatedAt is when the state last changed; sent and abandoned
	// messages are deleted some time after it (DeleteMailBefore).
	UpdatedAt time.Time
	// SentAt is when the message was handed to the mailer; zero until
	// then.
	SentAt time.Time
}

// OutboxStore keeps the durable outbox: messages written in the
// transaction of the action that causes them and delivered by a Courier.
// Every method joins the transaction ctx carries. storage/memory and
// storage/sqlstore implement it; storagetest.TestCourierStore checks an
// implementation.
type OutboxStore interface {
	// QueueMail stores m as given. It returns storage.ErrConflict when
	// m.ID is taken.
	QueueMail(ctx context.Context, m QueuedMail) error
	// ClaimMail claims up to n messages that are due at now: queued with
	// NextAttemptAt at or before now, or sending with a lease that ended
	// at or before now (a courier that crashed). Each claimed message
	// becomes sending, its Attempts grows by one, its NextAttemptAt
	// becomes leaseUntil and its UpdatedAt now. The earliest due are
	// claimed first; ClaimMail returns them as changed, oldest
	// (CreatedAt, then ID) first. Concurrent claimers on any
	// number of processes never get the same message while its lease
	// runs (FOR UPDATE SKIP LOCKED on PostgreSQL, the writer lock on
	// SQLite).
	ClaimMail(ctx context.Context, now, leaseUntil time.Time, n int) ([]QueuedMail, error)
	// MarkMailSent records that the claim attempt of message id sent it
	// at at. It returns storage.ErrConflict when the message is not
	// sending under that attempt any more (its lease ended and another
	// courier claimed it), and storage.ErrNotFound when it is gone.
	MarkMailSent(ctx context.Context, id string, attempt int, at time.Time) error
	// RetryMail queues the message again after the failed attempt, due at
	// retryAt, recording lastError. Errors as MarkMailSent.
	RetryMail(ctx context.Context, id string, attempt int, lastError string, at, retryAt time.Time) error
	// AbandonMail gives the message up after the failed attempt, recording
	// lastError. Errors as MarkMailSent.
	AbandonMail(ctx context.Context, id string, attempt int, lastError string, at time.Time) error
	// RecentMail returns the newest n messages in any state, oldest first
	// (the development outbox).
	RecentMail(ctx context.Context, n int) ([]QueuedMail, error)
	// DeleteMailBefore deletes the sent and abandoned messages whose
	// UpdatedAt is before before, and returns how many it deleted.
	DeleteMailBefore(ctx context.Context, before time.Time) (int, error)
	// MailTo returns every message to the address (compared without
	// regard to case), oldest first: the personal data export.
	MailTo(ctx context.Context, address string) ([]QueuedMail, error)
	// ForgetMailTo deletes every message to the address (compared without
	// regard to case), in any state: erasure.
	ForgetMailTo(ctx context.Context, address string) error
}

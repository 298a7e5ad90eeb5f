package notify

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/textproto"
	"strings"
	"time"
	"unicode"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/internal/seal"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Defaults of CourierConfig.
const (
	DefaultCourierBatch        = 10
	DefaultCourierPoll         = time.Second
	DefaultCourierLease        = 2 * time.Minute
	DefaultCourierSendTimeout  = 30 * time.Second
	DefaultCourierMaxAttempts  = 8
	DefaultCourierRetryBase    = 15 * time.Second
	DefaultCourierRetryMax     = time.Hour
	DefaultCourierKeep         = 7 * 24 * time.Hour
	DefaultCourierCleanupEvery = time.Hour
)

// CourierKeySize is the length in bytes of each key of CourierConfig.Keys.
const CourierKeySize = seal.KeySize

// devMailCount is how many recent messages Courier.Mail lists.
const devMailCount = 200

// maxLastError bounds QueuedMail.LastError in characters.
const maxLastError = 300

// CourierConfig configures a Courier. Store, Mailer and Keys are required;
// zero values of the other fields take the defaults named beside them.
type CourierConfig struct {
	// Store is the durable outbox.
	Store OutboxStore
	// Mailer delivers the messages: notify.NewSMTP in production, an
	// *Outbox in tests and development.
	Mailer Mailer
	// Keys seal the bodies in the outbox, newest first, each
	// CourierKeySize random bytes kept outside the database. Bodies
	// sealed under an older key still open.
	Keys [][]byte
	CourierTuning
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand makes ids and nonces; nil means crypto/rand.Reader.
	Rand io.Reader
}

// CourierTuning holds the settings of a Courier a host may tune
// (usersettings.Options.Courier). Every zero field means the default
// named beside it.
type CourierTuning struct {
	// Batch is how many messages one claim takes; 0 means
	// DefaultCourierBatch (10).
	Batch int
	// Poll is how long Run waits when nothing is due; 0 means
	// DefaultCourierPoll (1 s).
	Poll time.Duration
	// Lease is how long a claim holds its messages: after it a message
	// whose courier crashed is claimed again. It must exceed the time a
	// batch takes to send; 0 means DefaultCourierLease (2 minutes).
	Lease time.Duration
	// SendTimeout bounds one delivery; 0 means DefaultCourierSendTimeout
	// (30 s). A delivery never runs past the claim's lease.
	SendTimeout time.Duration
	// MaxAttempts is how many deliveries a message gets before it is
	// abandoned; 0 means DefaultCourierMaxAttempts (8).
	MaxAttempts int
	// RetryBase is the wait after the first failed attempt, doubled after
	// each further one up to RetryMax; 0 means DefaultCourierRetryBase
	// (15 s) and DefaultCourierRetryMax (1 hour).
	RetryBase time.Duration
	RetryMax  time.Duration
	// Keep is how long sent and abandoned messages stay in the outbox
	// before Cleanup deletes them; 0 means DefaultCourierKeep (7 days).
	Keep time.Duration
	// CleanupEvery is how often Run calls Cleanup; 0 means
	// DefaultCourierCleanupEvery (1 hour), negative never (a job of its
	// own deletes old mail: usersettings.Settings.Cleanup, which
	// usersettings.New arranges unless CleanupEvery is set).
	CleanupEvery time.Duration
	// Failed is called for each failed delivery attempt; nil means a
	// warning through slog.Default. It is never told the address or body.
	Failed func(ctx context.Context, err *DeliveryError)
}

// ErrUndelivered is wrapped by every *DeliveryError: a queued mail could
// not be delivered (yet).
var ErrUndelivered = errs.New(errs.Unavailable, "mail_undelivered", "notify: mail not delivered")

// DeliveryError reports a failed delivery attempt of a queued message. It
// names the message by its id, never by its address or body. It wraps
// ErrUndelivered and the mailer's error.
type DeliveryError struct {
	ID       string
	Attempts int
	// Abandoned is true when the message will not be tried again.
	Abandoned bool
	Err       error
}

// Error describes the failure.
func (e *DeliveryError) Error() string {
	what := "will be retried"
	if e.Abandoned {
		what = "abandoned"
	}
	return fmt.Sprintf("notify: mail %s attempt %d failed, %s: %v", e.ID, e.Attempts, what, e.Err)
}

// Unwrap returns ErrUndelivered and the mailer's error.
func (e *DeliveryError) Unwrap() []error { return []error{ErrUndelivered, e.Err} }

// Courier is the durable mail courier. As a Mailer (Send, Enqueue) it
// writes each message to the outbox, in the transaction ctx carries, and
// returns without waiting for the mail server; Run (or RunOnce) delivers
// the queued messages through the real Mailer with retries and
// exponential back-off. Any number of couriers, on any number of
// replicas, share one outbox: a claim with a lease gives each message to
// one of them at a time. It is safe for concurrent use.
type Courier struct {
	store  OutboxStore
	mailer Mailer
	keys   seal.Ring
	c      CourierConfig
	now    clock.Clock
}

var _ Enqueuer = (*Courier)(nil)

// Enqueuer is a Mailer that only writes messages to a durable outbox,
// joining the transaction ctx carries, so a service may call it inside
// the transaction of the action the message reports: both are kept or
// neither. *Courier is one.
type Enqueuer interface {
	Mailer
	// Enqueue writes m to the outbox. It returns ErrInvalidAddress or
	// ErrHeaderInjection for a message no mailer would accept.
	Enqueue(ctx context.Context, m Message) error
}

// NewCourier returns a Courier. It panics when Store, Mailer or Keys is
// missing or a key is not CourierKeySize bytes, a programming error.
func NewCourier(c CourierConfig) *Courier {
	if c.Store == nil || c.Mailer == nil || len(c.Keys) == 0 {
		panic("notify: NewCourier needs Store, Mailer and Keys")
	}
	ring, err := seal.NewRing(c.Keys...)
	if err != nil {
		panic("notify: NewCourier: " + err.Error())
	}
	c.Batch = cmpOr(c.Batch, DefaultCourierBatch)
	c.Poll = cmpOr(c.Poll, DefaultCourierPoll)
	c.Lease = cmpOr(c.Lease, DefaultCourierLease)
	c.SendTimeout = cmpOr(c.SendTimeout, DefaultCourierSendTimeout)
	c.MaxAttempts = cmpOr(c.MaxAttempts, DefaultCourierMaxAttempts)
	c.RetryBase = cmpOr(c.RetryBase, DefaultCourierRetryBase)
	c.RetryMax = cmpOr(c.RetryMax, DefaultCourierRetryMax)
	c.Keep = cmpOr(c.Keep, DefaultCourierKeep)
	if c.CleanupEvery == 0 {
		c.CleanupEvery = DefaultCourierCleanupEvery
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return &Courier{store: c.Store, mailer: c.Mailer, keys: ring, c: c, now: clock.New(c.Now)}
}

// cmpOr returns v when it is positive, else def.
func cmpOr[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// sealAD binds a sealed body to its message.
func sealAD(id string) string { return "usersettings/notify/outbox:" + id }

// Send implements Mailer: it queues m (see Enqueue).
func (c *Courier) Send(ctx context.Context, m Message) error { return c.Enqueue(ctx, m) }

// Rehearser is a Mailer that can do the work of queueing a message
// that must go nowhere. A flow whose answer must not tell whether a mail
// went out (verification.Service.IssueVoid) rehearses the mail it drops,
// so that it costs what queueing one would. *Courier is one.
type Rehearser interface {
	// Rehearse does the work of Enqueue for m, an address of the
	// reserved top-level domain .invalid (RFC 2606), joining the
	// transaction ctx carries, and never delivers it.
	Rehearse(ctx context.Context, m Message) error
}

var _ Rehearser = (*Courier)(nil)

// Rehearse implements Rehearser: it does the work of Enqueue for m,
// which must be addressed to a domain under .invalid, and stores it as
// already handled (MailSent, never handed to the mailer), so the courier
// never claims it and the cleanup deletes it after CourierConfig.Keep;
// Mail leaves it out.
func (c *Courier) Rehearse(ctx context.Context, m Message) error {
	if !void(m.To) {
		return fmt.Errorf("notify: rehearsing mail: %w", ErrInvalidAddress)
	}
	q, err := c.queued(m)
	if err != nil {
		return err
	}
	q.State = MailSent
	if err := c.c.Store.QueueMail(ctx, q); err != nil {
		return fmt.Errorf("notify: rehearsing mail: %w", err)
	}
	return nil
}

// void reports whether addr is an address of the reserved top-level
// domain .invalid, which no one receives mail for.
func void(addr string) bool {
	return strings.HasSuffix(strings.ToLower(addr), ".invalid")
}

// Enqueue implements Enqueuer: it checks the headers and the address,
// seals the body and stores the message as queued and due now, joining
// the transaction ctx carries.
func (c *Courier) Enqueue(ctx context.Context, m Message) error {
	q, err := c.queued(m)
	if err != nil {
		return err
	}
	if err := c.c.Store.QueueMail(ctx, q); err != nil {
		return fmt.Errorf("notify: queueing mail: %w", err)
	}
	return nil
}

// queued checks m and returns it as a queued mail, due now, its body
// sealed.
func (c *Courier) queued(m Message) (QueuedMail, error) {
	if err := checkHeaders(m); err != nil {
		return QueuedMail{}, err
	}
	if _, err := parseAddress(m.To); err != nil {
		return QueuedMail{}, err
	}
	mid, err := id.New(c.c.Rand, "mail_")
	if err != nil {
		return QueuedMail{}, fmt.Errorf("notify: queueing mail: %w", err)
	}
	body, err := c.keys.Seal(c.c.Rand, sealAD(mid), []byte(m.Body))
	if err != nil {
		return QueuedMail{}, fmt.Errorf("notify: queueing mail: %w", err)
	}
	now := c.now()
	return QueuedMail{
		ID: mid, To: m.To, Subject: m.Subject, Language: m.Language, SealedBody: body, State: MailQueued,
		CreatedAt: now, NextAttemptAt: now, UpdatedAt: now,
	}, nil
}

// RunOnce claims one batch of due messages and delivers them. It returns
// how many it claimed, and the store's errors (a failed delivery is not
// an error of RunOnce: it is recorded on the message and reported to
// CourierConfig.Failed).
func (c *Courier) RunOnce(ctx context.Context) (int, error) {
	now := c.now()
	wallEnd := time.Now().Add(c.c.Lease * 9 / 10)
	batch, err := c.store.ClaimMail(ctx, now, now.Add(c.c.Lease), c.c.Batch)
	if err != nil {
		return 0, fmt.Errorf("notify: claiming mail: %w", err)
	}
	var fails []error
	for i, q := range batch {
		if ctx.Err() != nil {
			// Shutting down: what is left of the batch goes back to the
			// outbox now rather than when the lease ends.
			fails = append(fails, c.release(ctx, batch[i:]))
			break
		}
		fails = append(fails, c.deliver(ctx, q, wallEnd))
	}
	return len(batch), errors.Join(fails...)
}

// releaseTimeout bounds the recording of a delivery's outcome and the
// release of the claimed mail, which run even when the courier's context
// has ended.
const releaseTimeout = 5 * time.Second

// releaseNote is the LastError of a message released at shutdown.
const releaseNote = "released unsent: the courier stopped"

// release gives claimed messages back to the outbox, due now, so that
// another courier (another replica, or this one after a restart) sends
// them at once instead of after the lease. It runs when ctx has ended,
// on a context of its own bounded by releaseTimeout. A released message
// keeps the attempt its claim counted. A message whose lease has already
// passed to another courier is left to it (storage.ErrConflict).
func (c *Courier) release(ctx context.Context, qs []QueuedMail) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	now := c.now()
	var fails []error
	for _, q := range qs {
		err := c.store.RetryMail(rctx, q.ID, q.Attempts, releaseNote, now, now)
		if err != nil && !errors.Is(err, storage.ErrConflict) && !errors.Is(err, storage.ErrNotFound) {
			fails = append(fails, fmt.Errorf("notify: releasing mail %s: %w", q.ID, err))
		}
	}
	return errors.Join(fails...)
}

// deliver sends one claimed message and records the outcome under its
// claim.
func (c *Courier) deliver(ctx context.Context, q QueuedMail, wallEnd time.Time) error {
	body, _, err := c.keys.Open(sealAD(q.ID), q.SealedBody)
	if err == nil {
		deadline := time.Now().Add(c.c.SendTimeout)
		if wallEnd.Before(deadline) {
			deadline = wallEnd
		}
		sctx, cancel := context.WithDeadline(ctx, deadline)
		err = c.mailer.Send(sctx, Message{To: q.To, Subject: q.Subject, Body: string(body), Language: q.Language})
		cancel()
	}
	now := c.now()
	// The outcome is recorded even when ctx ended meanwhile: a message
	// sent must not stay claimed, to be sent again after the lease.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err == nil {
		if err := c.markSent(rctx, q, now, wallEnd); err != nil {
			return fmt.Errorf("notify: marking mail %s sent: %w", q.ID, err)
		}
		return nil
	}
	if ctx.Err() != nil {
		// Shutting down in the middle of the send: released, another
		// courier sends it (a mail server that took it before the
		// connection dropped may then get it twice, as after a crash).
		return c.release(ctx, []QueuedMail{q})
	}
	de := &DeliveryError{ID: q.ID, Attempts: q.Attempts, Err: err,
		Abandoned: q.Attempts >= c.c.MaxAttempts || permanent(err)}
	msg := lastError(err)
	var serr error
	if de.Abandoned {
		serr = c.store.AbandonMail(rctx, q.ID, q.Attempts, msg, now)
	} else {
		serr = c.store.RetryMail(rctx, q.ID, q.Attempts, msg, now, now.Add(c.backoff(q.Attempts)))
	}
	c.report(ctx, de)
	if serr != nil {
		return fmt.Errorf("notify: recording failed mail %s: %w", q.ID, serr)
	}
	return nil
}

// markSent records that q was sent. While the store is unavailable (the
// database restarting) it tries again until the claim's lease is nearly
// over: a message sent and not marked would be sent again after it.
func (c *Courier) markSent(ctx context.Context, q QueuedMail, at, wallEnd time.Time) error {
	for {
		err := c.store.MarkMailSent(ctx, q.ID, q.Attempts, at)
		if err == nil || !errors.Is(err, errs.ErrUnavailable) || time.Now().Add(markRetry).After(wallEnd) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(markRetry):
		}
	}
}

// markRetry is the wait between two tries of markSent.
const markRetry = 200 * time.Millisecond

// backoff is the wait after the given failed attempt: RetryBase doubled
// per earlier attempt, at most RetryMax.
func (c *Courier) backoff(attempt int) time.Duration {
	d := c.c.RetryBase
	for i := 1; i < attempt && d < c.c.RetryMax; i++ {
		d *= 2
	}
	return min(d, c.c.RetryMax)
}

// permanent reports whether no later attempt can succeed: an address or
// header no mailer accepts, a body that no key opens, or an SMTP reply
// in the 5xx range.
func permanent(err error) bool {
	var te *textproto.Error
	return errors.Is(err, ErrInvalidAddress) || errors.Is(err, ErrHeaderInjection) ||
		errors.Is(err, seal.ErrOpen) || (errors.As(err, &te) && te.Code >= 500)
}

// lastError is the text kept of a delivery error: printable, at most
// maxLastError characters. Mailers never put the body in an error.
func lastError(err error) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(err.Error(), " "))
	if r := []rune(s); len(r) > maxLastError {
		s = string(r[:maxLastError-1]) + "…"
	}
	return s
}

func (c *Courier) report(ctx context.Context, err *DeliveryError) {
	if c.c.Failed != nil {
		c.c.Failed(ctx, err)
		return
	}
	slog.Default().WarnContext(ctx, "mail delivery failed", "id", err.ID, "attempts", err.Attempts,
		"abandoned", err.Abandoned, "err", lastError(err.Err))
}

// Drain delivers due messages until none is left, for tests and
// development outboxes; it returns the first store error.
func (c *Courier) Drain(ctx context.Context) error {
	for {
		n, err := c.RunOnce(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// Run delivers queued messages until ctx ends, then returns ctx's error:
// it claims a batch, sends it, and waits Poll when nothing was due. When
// ctx ends during a batch, the messages of it not yet sent (and the one
// being sent) are released: queued again and due at once, so another
// courier sends them without waiting for the lease. Every
// CleanupEvery (unless negative) it deletes old messages (Cleanup). Store errors are
// logged through slog.Default and retried after Poll. A host runs it in
// a goroutine of each replica (several per replica for more throughput).
func (c *Courier) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	var lastCleanup time.Time
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if now := c.now(); c.c.CleanupEvery > 0 && now.Sub(lastCleanup) >= c.c.CleanupEvery {
			lastCleanup = now
			if _, err := c.Cleanup(ctx); err != nil && ctx.Err() == nil {
				slog.Default().WarnContext(ctx, "mail outbox cleanup failed", "err", err.Error())
			}
		}
		n, err := c.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			slog.Default().WarnContext(ctx, "mail courier", "err", err.Error())
		}
		wait := c.c.Poll
		if n == c.c.Batch && err == nil {
			wait = 0 // more may be due
		}
		t.Reset(wait)
	}
}

// Cleanup deletes the sent and abandoned messages older than Keep and
// returns how many it deleted.
func (c *Courier) Cleanup(ctx context.Context) (int, error) {
	n, err := c.store.DeleteMailBefore(ctx, c.now().Add(-c.c.Keep))
	if err != nil {
		return n, fmt.Errorf("notify: deleting old mail: %w", err)
	}
	return n, nil
}

// Mail returns the newest messages of the outbox (at most 200), oldest
// first, with their bodies opened, for a development outbox page. SentAt
// is when a message was sent, or queued when it was not sent yet. Never
// serve it in production: it shows one-time codes.
func (c *Courier) Mail(ctx context.Context) ([]Message, error) {
	qs, err := c.store.RecentMail(ctx, devMailCount)
	if err != nil {
		return nil, fmt.Errorf("notify: reading the outbox: %w", err)
	}
	out := make([]Message, 0, len(qs))
	for _, q := range qs {
		if void(q.To) {
			continue // a rehearsed mail, never sent
		}
		body, _, err := c.keys.Open(sealAD(q.ID), q.SealedBody)
		if err != nil {
			return nil, fmt.Errorf("notify: opening mail %s: %w", q.ID, err)
		}
		at := q.SentAt
		if at.IsZero() {
			at = q.CreatedAt
		}
		out = append(out, Message{To: q.To, Subject: q.Subject, Body: string(body), Language: q.Language, SentAt: at})
	}
	return out, nil
}

package notify

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Message is one email. To must be a single address ("ann@example.com"
// or "Ann <ann@example.com>"); Subject and Body are plain text in UTF-8.
// Adapters refuse a message whose To or Subject holds a line break, so no
// header can be injected.
type Message struct {
	To      string
	Subject string
	Body    string
	// Language is the language of Subject and Body as a BCP 47 tag
	// ("en", "nl"), empty when unknown. The SMTP adapter names it in the
	// Content-Language header and the lang attribute of the HTML part, so
	// that mail readers and screen readers read the words in the right
	// language; a value that is no tag is left out.
	Language string
	// SentAt is set by the adapter when the message was handed over.
	SentAt time.Time
}

// Mailer delivers messages. Send returns once the message was handed to
// the delivery system; it must be safe for concurrent use.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// MailList lists the mail of a development outbox page, oldest first:
// *Outbox lists what it was given, *Courier the durable outbox table.
type MailList interface {
	Mail(ctx context.Context) ([]Message, error)
}

var (
	_ MailList = (*Outbox)(nil)
	_ MailList = (*Courier)(nil)
)

// Outbox is an in-memory Mailer for tests, examples and development
// servers: it keeps every message it was given, oldest first.
//
// When it is the Mailer of a Courier, DeliverFrom lets its readers see
// queued mail at once: Messages, Last and Mail first deliver whatever the
// courier has due (usersettings.New arranges this when its Mailer is an
// *Outbox).
type Outbox struct {
	// Now stamps SentAt; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	msgs    []Message
	courier *Courier
}

// NewOutbox returns an empty outbox.
func NewOutbox() *Outbox { return &Outbox{} }

// Send implements Mailer. Like the SMTP adapter, it refuses a message
// whose To is not one valid address (ErrInvalidAddress) or whose To or
// Subject holds a line break (ErrHeaderInjection).
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkHeaders(m); err != nil {
		return err
	}
	if _, err := parseAddress(m.To); err != nil {
		return err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	m.SentAt = now()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	return nil
}

// DeliverFrom makes Messages, Last and Mail first deliver the messages c
// has due (c.Drain), so a test reads a code as soon as the action that
// queued it returns. c's Mailer should be o.
func (o *Outbox) DeliverFrom(c *Courier) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.courier = c
}

// deliver drains the courier set by DeliverFrom, if any. A failure is
// logged: the readers of an Outbox have no error to return.
func (o *Outbox) deliver(ctx context.Context) {
	o.mu.Lock()
	c := o.courier
	o.mu.Unlock()
	if c == nil {
		return
	}
	if err := c.Drain(ctx); err != nil {
		slog.Default().WarnContext(ctx, "notify: outbox: delivering queued mail", "err", err.Error())
	}
}

// Mail returns Messages, for the development outbox pages of a server
// (the same method as Courier.Mail). It never fails.
func (o *Outbox) Mail(ctx context.Context) ([]Message, error) {
	o.deliver(ctx)
	return o.messages(), nil
}

// Messages returns a copy of every message sent so far, oldest first.
func (o *Outbox) Messages() []Message {
	o.deliver(context.Background())
	return o.messages()
}

func (o *Outbox) messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.msgs)
}

// Last returns the newest message sent to the address.
func (o *Outbox) Last(to string) (Message, bool) {
	o.deliver(context.Background())
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.msgs) - 1; i >= 0; i-- {
		if o.msgs[i].To == to {
			return o.msgs[i], true
		}
	}
	return Message{}, false
}

package notify

import (
	"context"
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
	// SentAt is set by the adapter when the message was handed over.
	SentAt time.Time
}

// Mailer delivers messages. Send returns once the message was handed to
// the delivery system; it must be safe for concurrent use.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Outbox is an in-memory Mailer for tests, examples and development
// servers: it keeps every message it was given, oldest first.
type Outbox struct {
	// Now stamps SentAt; nil means time.Now.
	Now func() time.Time

	mu   sync.Mutex
	msgs []Message
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

// Messages returns a copy of every message sent so far, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.msgs)
}

// Last returns the newest message sent to the address.
func (o *Outbox) Last(to string) (Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.msgs) - 1; i >= 0; i-- {
		if o.msgs[i].To == to {
			return o.msgs[i], true
		}
	}
	return Message{}, false
}

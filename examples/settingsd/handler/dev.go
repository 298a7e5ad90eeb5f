package handler

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"
)

// devOutbox is GET /v1/dev/outbox (only with WithDevOutbox): every mail
// sent, oldest first.
func (h *Handler) devOutbox(w http.ResponseWriter, _ *http.Request) {
	type mailJSON struct {
		To      string    `json:"to"`
		Subject string    `json:"subject"`
		Body    string    `json:"body"`
		SentAt  time.Time `json:"sent_at"`
	}
	out := []mailJSON{}
	for _, m := range h.outbox.Messages() {
		out = append(out, mailJSON{m.To, m.Subject, m.Body, m.SentAt})
	}
	writeList(w, out)
}

// devSMS is GET /v1/dev/sms (only with WithDevSMS): every text message
// sent, oldest first.
func (h *Handler) devSMS(w http.ResponseWriter, _ *http.Request) {
	type smsJSON struct {
		To     string    `json:"to"`
		Text   string    `json:"text"`
		SentAt time.Time `json:"sent_at"`
	}
	out := []smsJSON{}
	for _, m := range h.sms.Messages() {
		out = append(out, smsJSON(m))
	}
	writeList(w, out)
}

// SMS is a text message kept by an SMSOutbox.
type SMS struct {
	To     string // E.164 phone number
	Text   string
	SentAt time.Time
}

// SMSOutbox is a twofactor.SMSSender that keeps every message in memory
// instead of sending it, for development and tests (WithDevSMS serves it).
// It is safe for concurrent use; the zero value is ready.
type SMSOutbox struct {
	// Now stamps SentAt; nil means time.Now.
	Now func() time.Time

	mu   sync.Mutex
	msgs []SMS
}

// SendSMS keeps the message.
func (o *SMSOutbox) SendSMS(_ context.Context, phone, text string) error {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, SMS{To: phone, Text: text, SentAt: now()})
	return nil
}

// Messages returns the messages kept, oldest first.
func (o *SMSOutbox) Messages() []SMS {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.msgs)
}

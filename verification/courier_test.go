package verification_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// failingOutbox is a memory store whose outbox refuses every message.
type failingOutbox struct{ *memory.Store }

var errOutboxDown = errors.New("outbox down")

func (failingOutbox) QueueMail(context.Context, notify.QueuedMail) error { return errOutboxDown }

// TestIssueQueuesInTheCodesTransaction checks that with a Courier as the
// Mailer the code's mail is queued with the code (delivered only when the
// courier runs), that a throttled Issue queues nothing, and that a
// refused enqueue undoes the code and the send record.
func TestIssueQueuesInTheCodesTransaction(t *testing.T) {
	ctx := context.Background()
	key := bytes.Repeat([]byte{3}, notify.CourierKeySize)
	newSvc := func(st *memory.Store, outbox notify.OutboxStore) (*verification.Service, *notify.Courier, *notify.Outbox) {
		box := notify.NewOutbox()
		c := notify.NewCourier(notify.CourierConfig{Store: outbox, Mailer: box, Keys: [][]byte{key}})
		return verification.NewService(verification.Config{Store: st, Tx: st, Mailer: c}), c, box
	}
	t.Run("OK", func(t *testing.T) {
		st := memory.New()
		svc, c, box := newSvc(st, st)
		if err := svc.Issue(ctx, verification.PurposeSignUp, "flow1", "ann@example.com"); err != nil {
			t.Fatalf("Issue: %v", err)
		}
		if got := len(box.Messages()); got != 0 {
			t.Fatalf("%d messages delivered before the courier ran, want 0", got)
		}
		if q, _ := st.MailTo(ctx, "ann@example.com"); len(q) != 1 || q[0].State != notify.MailQueued {
			t.Fatalf("outbox = %+v, want one queued message", q)
		}
		for range verification.DefaultBurst - 1 {
			if err := svc.Issue(ctx, verification.PurposeSignUp, "flow1", "ann@example.com"); err != nil {
				t.Fatalf("Issue within the burst: %v", err)
			}
		}
		if err := svc.Issue(ctx, verification.PurposeSignUp, "flow2", "ann@example.com"); !errors.Is(err, verification.ErrThrottled) {
			t.Fatalf("Issue past the burst: err = %v, want ErrThrottled", err)
		}
		if err := c.Drain(ctx); err != nil {
			t.Fatalf("Drain: %v", err)
		}
		if got := box.Messages(); len(got) != verification.DefaultBurst || got[0].To != "ann@example.com" {
			t.Errorf("delivered %+v, want the %d code mails", got, verification.DefaultBurst)
		}
	})
	t.Run("EnqueueFails", func(t *testing.T) {
		st := memory.New()
		svc, _, _ := newSvc(st, failingOutbox{st})
		err := svc.Issue(ctx, verification.PurposeSignUp, "flow1", "ann@example.com")
		if !errors.Is(err, errOutboxDown) {
			t.Fatalf("Issue: err = %v, want the outbox's error", err)
		}
		if _, err := st.CodeOfFlow(ctx, verification.PurposeSignUp, "flow1"); err == nil {
			t.Errorf("the code was kept although its mail was not queued")
		}
		if sends, _ := st.SendsSince(ctx, "ann@example.com", time.Time{}); len(sends) != 0 {
			t.Errorf("the send was recorded although the mail was not queued")
		}
	})
}

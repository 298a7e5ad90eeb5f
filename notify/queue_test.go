package notify_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
)

// failingOutbox is a memory outbox whose QueueMail fails.
type failingOutbox struct {
	notify.OutboxStore
	err error
}

func (f failingOutbox) QueueMail(context.Context, notify.QueuedMail) error { return f.err }

// TestNotifierQueueJoinsTheTransaction checks that Queue writes the
// notice in the caller's transaction: kept when it commits, gone when it
// rolls back; that an address no mailer accepts is reported and skipped
// without failing; and that a failed write of the outbox is returned,
// with the outbox's code when it has one.
func TestNotifierQueueJoinsTheTransaction(t *testing.T) {
	e := newCourierEnv(t)
	var reported []*notify.NoticeError
	n := &notify.Notifier{Mailer: e.courier, Failed: func(_ context.Context, err *notify.NoticeError) { reported = append(reported, err) }}
	notice := notify.Notice{Kind: notify.NoticeTokenCreated, Detail: "ci", At: time.Now()}
	errBoom := errors.New("boom")
	err := e.st.InTx(e.ctx, func(ctx context.Context) error {
		if err := n.Queue(ctx, notice, "ann@example.com"); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	if q, _ := e.st.MailTo(e.ctx, "ann@example.com"); len(q) != 0 {
		t.Errorf("after a rollback the outbox holds %d messages, want none", len(q))
	}
	err = e.st.InTx(e.ctx, func(ctx context.Context) error {
		return n.Queue(ctx, notice, "ann@example.com", "", "bad\r\naddress")
	})
	if err != nil {
		t.Fatalf("Queue with a bad address = %v, want nil (reported, skipped)", err)
	}
	if q, _ := e.st.MailTo(e.ctx, "ann@example.com"); len(q) != 1 {
		t.Errorf("after a commit the outbox holds %d messages, want 1", len(q))
	}
	if len(reported) != 1 || reported[0].Kind != notify.NoticeTokenCreated {
		t.Errorf("reported %v, want the bad address's notice once", reported)
	}

	broken := &notify.Notifier{Mailer: notify.NewCourier(notify.CourierConfig{
		Store: failingOutbox{OutboxStore: e.st, err: errBoom}, Mailer: notify.NewOutbox(), Keys: [][]byte{make([]byte, notify.CourierKeySize)},
	})}
	var ne *notify.NoticeError
	err = broken.Queue(e.ctx, notice, "ann@example.com")
	if !errors.Is(err, errBoom) || !errors.As(err, &ne) || !errors.Is(err, notify.ErrNoticeNotSent) {
		t.Errorf("Queue with a failing outbox = %v, want a NoticeError wrapping it", err)
	}
	if code := errs.CodeOf(err); code != "notice_not_sent" {
		t.Errorf("CodeOf(Queue with an outbox failing without a code) = %q, want notice_not_sent", code)
	}
	// An outbox whose database is away: the write answers unavailable,
	// like every other write then.
	away := fmt.Errorf("sqlstore: enqueue: %w", errs.ErrUnavailable)
	broken = &notify.Notifier{Mailer: notify.NewCourier(notify.CourierConfig{
		Store: failingOutbox{OutboxStore: e.st, err: away}, Mailer: notify.NewOutbox(), Keys: [][]byte{make([]byte, notify.CourierKeySize)},
	})}
	err = broken.Queue(e.ctx, notice, "ann@example.com")
	if code, kind := errs.CodeOf(err), errs.KindOf(err); code != "unavailable" || kind != errs.Unavailable || !errors.As(err, &ne) {
		t.Errorf("Queue with the outbox's database away = %v (code %q, kind %v), want a NoticeError with code unavailable", err, code, kind)
	}
}

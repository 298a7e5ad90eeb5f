package notify_test

import (
	"bytes"
	"context"
	"errors"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

// flakyMailer fails with the errors in turn, then delivers to box.
type flakyMailer struct {
	mu   sync.Mutex
	errs []error
	box  *notify.Outbox
}

func (f *flakyMailer) Send(ctx context.Context, m notify.Message) error {
	f.mu.Lock()
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		f.mu.Unlock()
		return err
	}
	f.mu.Unlock()
	return f.box.Send(ctx, m)
}

type courierEnv struct {
	ctx     context.Context
	st      *memory.Store
	clock   *fakeclock.Clock
	mailer  *flakyMailer
	courier *notify.Courier
	failed  []*notify.DeliveryError
}

func newCourierEnv(t *testing.T, errs ...error) *courierEnv {
	t.Helper()
	e := &courierEnv{ctx: context.Background(), st: memory.New(),
		clock:  fakeclock.New(time.Date(2024, 7, 1, 9, 0, 0, 0, time.UTC)),
		mailer: &flakyMailer{errs: errs, box: notify.NewOutbox()}}
	e.courier = notify.NewCourier(notify.CourierConfig{
		Store: e.st, Mailer: e.mailer, Keys: [][]byte{bytes.Repeat([]byte{9}, notify.CourierKeySize)},
		Now: e.clock.Now, CourierTuning: notify.CourierTuning{
			MaxAttempts: 3, Keep: 24 * time.Hour,
			Failed: func(_ context.Context, err *notify.DeliveryError) { e.failed = append(e.failed, err) },
		},
	})
	return e
}

func (e *courierEnv) queue(t *testing.T, to string) string {
	t.Helper()
	if err := e.courier.Send(e.ctx, notify.Message{To: to, Subject: "Your code", Body: "code 123456"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	q, err := e.st.MailTo(e.ctx, to)
	if err != nil || len(q) == 0 {
		t.Fatalf("MailTo = %v, %v", q, err)
	}
	return q[len(q)-1].ID
}

func (e *courierEnv) mail(t *testing.T, to string) notify.QueuedMail {
	t.Helper()
	q, err := e.st.MailTo(e.ctx, to)
	if err != nil || len(q) != 1 {
		t.Fatalf("MailTo(%s) = %v, %v; want one message", to, q, err)
	}
	return q[0]
}

func (e *courierEnv) runOnce(t *testing.T) int {
	t.Helper()
	n, err := e.courier.RunOnce(e.ctx)
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return n
}

func TestCourierDelivers(t *testing.T) {
	e := newCourierEnv(t)
	e.queue(t, "ann@example.com")
	q := e.mail(t, "ann@example.com")
	if q.State != notify.MailQueued || bytes.Contains(q.SealedBody, []byte("123456")) {
		t.Fatalf("queued %+v: want queued with a sealed body", q)
	}
	if len(e.mailer.box.Messages()) != 0 {
		t.Fatalf("Send delivered at once; it must only queue")
	}
	e.clock.Advance(time.Second)
	if n := e.runOnce(t); n != 1 {
		t.Fatalf("RunOnce claimed %d, want 1", n)
	}
	got := e.mailer.box.Messages()
	if len(got) != 1 || got[0].Body != "code 123456" || got[0].To != "ann@example.com" {
		t.Fatalf("delivered %+v", got)
	}
	if q := e.mail(t, "ann@example.com"); q.State != notify.MailSent || !q.SentAt.Equal(e.clock.Now()) || q.Attempts != 1 {
		t.Errorf("after delivery %+v, want sent now on attempt 1", q)
	}
	if n := e.runOnce(t); n != 0 {
		t.Errorf("second RunOnce claimed %d, want 0 (sent once)", n)
	}
}

// The language of a message travels through the outbox to the mailer.
func TestCourierKeepsTheLanguage(t *testing.T) {
	e := newCourierEnv(t)
	if err := e.courier.Send(e.ctx, notify.Message{To: "ann@example.com", Subject: "Je code", Body: "code 123456", Language: "nl"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if q := e.mail(t, "ann@example.com"); q.Language != "nl" {
		t.Errorf("queued with language %q, want nl", q.Language)
	}
	e.runOnce(t)
	if got := e.mailer.box.Messages(); len(got) != 1 || got[0].Language != "nl" {
		t.Errorf("delivered %+v, want one message in nl", got)
	}
}

func TestCourierRefusesBadHeaders(t *testing.T) {
	e := newCourierEnv(t)
	for _, m := range []notify.Message{
		{To: "ann@example.com\r\nBcc: eve@example.com", Subject: "x"},
		{To: "ann@example.com", Subject: "x\nBcc: eve@example.com"},
		{To: "not an address", Subject: "x"},
	} {
		if err := e.courier.Send(e.ctx, m); !errors.Is(err, notify.ErrHeaderInjection) && !errors.Is(err, notify.ErrInvalidAddress) {
			t.Errorf("Send(%q, %q): err = %v, want ErrHeaderInjection or ErrInvalidAddress", m.To, m.Subject, err)
		}
	}
	if all, _ := e.st.RecentMail(e.ctx, 10); len(all) != 0 {
		t.Errorf("refused messages were queued: %d", len(all))
	}
}

// TestCourierRetries checks the back-off (15 s, then 30 s), the last
// error and the reports, then the delivery on the third attempt.
func TestCourierRetries(t *testing.T) {
	e := newCourierEnv(t, errors.New("dial tcp: connection refused"), errors.New("i/o timeout"))
	e.queue(t, "ann@example.com")
	e.runOnce(t)
	q := e.mail(t, "ann@example.com")
	if q.State != notify.MailQueued || q.LastError != "dial tcp: connection refused" || !q.NextAttemptAt.Equal(e.clock.Now().Add(15*time.Second)) {
		t.Fatalf("after a failure %+v, want queued again in 15 s with the error", q)
	}
	e.clock.Advance(14 * time.Second)
	if n := e.runOnce(t); n != 0 {
		t.Fatalf("RunOnce before the back-off claimed %d", n)
	}
	e.clock.Advance(time.Second)
	e.runOnce(t)
	if q := e.mail(t, "ann@example.com"); !q.NextAttemptAt.Equal(e.clock.Now().Add(30 * time.Second)) {
		t.Fatalf("second back-off until %v, want 30 s", q.NextAttemptAt)
	}
	e.clock.Advance(30 * time.Second)
	e.runOnce(t)
	if q := e.mail(t, "ann@example.com"); q.State != notify.MailSent || q.Attempts != 3 || q.LastError != "" {
		t.Errorf("after the third attempt %+v, want sent on attempt 3", q)
	}
	if len(e.failed) != 2 || e.failed[0].Abandoned || e.failed[1].Attempts != 2 {
		t.Errorf("reported %v, want two retried failures", e.failed)
	}
	for _, f := range e.failed {
		if strings.Contains(f.Error(), "ann@example.com") || strings.Contains(f.Error(), "123456") {
			t.Errorf("the report %q names the address or body", f)
		}
	}
}

func TestCourierAbandons(t *testing.T) {
	t.Run("Permanent", func(t *testing.T) {
		e := newCourierEnv(t, &textproto.Error{Code: 550, Msg: "no such user"})
		e.queue(t, "ann@example.com")
		e.runOnce(t)
		if q := e.mail(t, "ann@example.com"); q.State != notify.MailAbandoned || !strings.HasPrefix(q.LastError, "550 ") {
			t.Errorf("after a 550 %+v, want abandoned", q)
		}
		if len(e.failed) != 1 || !e.failed[0].Abandoned {
			t.Errorf("reported %v, want one abandoned", e.failed)
		}
	})
	t.Run("MaxAttempts", func(t *testing.T) {
		down := errors.New("connection refused")
		e := newCourierEnv(t, down, down, down, down)
		e.queue(t, "ann@example.com")
		for range 3 {
			e.runOnce(t)
			e.clock.Advance(time.Hour)
		}
		if q := e.mail(t, "ann@example.com"); q.State != notify.MailAbandoned || q.Attempts != 3 {
			t.Errorf("after 3 failures %+v, want abandoned", q)
		}
		if n := e.runOnce(t); n != 0 {
			t.Errorf("an abandoned message was claimed again")
		}
	})
}

// TestCourierCrashedClaim checks that a message claimed by a courier that
// died is delivered by another once the lease is over, and only then.
func TestCourierCrashedClaim(t *testing.T) {
	e := newCourierEnv(t)
	e.queue(t, "ann@example.com")
	if _, err := e.st.ClaimMail(e.ctx, e.clock.Now(), e.clock.Now().Add(notify.DefaultCourierLease), 10); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(notify.DefaultCourierLease - time.Second)
	if n := e.runOnce(t); n != 0 {
		t.Fatalf("claimed %d while the dead courier's lease runs", n)
	}
	e.clock.Advance(time.Second)
	if n := e.runOnce(t); n != 1 || len(e.mailer.box.Messages()) != 1 {
		t.Fatalf("after the lease: claimed %d, delivered %d; want 1, 1", n, len(e.mailer.box.Messages()))
	}
}

func TestCourierCleanup(t *testing.T) {
	e := newCourierEnv(t)
	e.queue(t, "old@example.com")
	e.runOnce(t)
	e.clock.Advance(time.Hour)
	e.queue(t, "new@example.com")
	e.runOnce(t)
	e.queue(t, "queued@example.com")
	e.clock.Advance(23*time.Hour + time.Second)
	n, err := e.courier.Cleanup(e.ctx)
	if err != nil || n != 1 {
		t.Fatalf("Cleanup = %d, %v; want 1 (the message sent more than 24 h ago)", n, err)
	}
	all, _ := e.st.RecentMail(e.ctx, 10)
	if len(all) != 2 || all[0].To == "old@example.com" || all[1].To == "old@example.com" {
		t.Errorf("left %+v, want the newer sent and the queued message", all)
	}
}

// TestCourierRun runs the courier in the background and stops it.
func TestCourierRun(t *testing.T) {
	st, box := memory.New(), notify.NewOutbox()
	c := notify.NewCourier(notify.CourierConfig{Store: st, Mailer: box, Keys: [][]byte{bytes.Repeat([]byte{1}, 32)},
		CourierTuning: notify.CourierTuning{Poll: 5 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	if err := c.Send(ctx, notify.Message{To: "ann@example.com", Subject: "s", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(box.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if len(box.Messages()) != 1 {
		t.Errorf("Run delivered %d messages, want 1", len(box.Messages()))
	}
}

// TestOutboxDeliverFrom checks that an Outbox fed by a courier shows the
// queued mail as soon as it is read, and that Courier.Mail lists the
// outbox table with opened bodies.
func TestOutboxDeliverFrom(t *testing.T) {
	e := newCourierEnv(t)
	e.mailer.box.DeliverFrom(e.courier)
	e.queue(t, "ann@example.com")
	listed, err := e.courier.Mail(e.ctx)
	if err != nil || len(listed) != 1 || listed[0].Body != "code 123456" || !listed[0].SentAt.Equal(e.clock.Now()) {
		t.Fatalf("Courier.Mail = %+v, %v; want the queued message, stamped when queued", listed, err)
	}
	if m, ok := e.mailer.box.Last("ann@example.com"); !ok || m.Body != "code 123456" {
		t.Fatalf("Last = %+v, %v; want the queued message delivered", m, ok)
	}
	if q := e.mail(t, "ann@example.com"); q.State != notify.MailSent {
		t.Errorf("state %s, want sent", q.State)
	}
}

// stallMailer blocks every send until its context ends, and tells
// started when one begins.
type stallMailer struct{ started chan string }

func (s *stallMailer) Send(ctx context.Context, m notify.Message) error {
	s.started <- m.To
	<-ctx.Done()
	return ctx.Err()
}

// TestCourierReleasesOnShutdown checks that a courier stopped in the
// middle of a batch gives the messages it claimed back to the outbox,
// due at once, instead of holding them until the lease ends: the one it
// was sending and the ones it had not reached.
func TestCourierReleasesOnShutdown(t *testing.T) {
	st := memory.New()
	clock := fakeclock.New(time.Date(2024, 7, 1, 9, 0, 0, 0, time.UTC))
	m := &stallMailer{started: make(chan string, 1)}
	c := notify.NewCourier(notify.CourierConfig{Store: st, Mailer: m, Keys: [][]byte{bytes.Repeat([]byte{1}, 32)},
		Now: clock.Now, CourierTuning: notify.CourierTuning{Poll: 5 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	for _, to := range []string{"ann@example.com", "bob@example.com"} {
		if err := c.Send(ctx, notify.Message{To: to, Subject: "s", Body: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	select {
	case <-m.started:
	case <-time.After(5 * time.Second):
		t.Fatal("the courier did not start sending")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	all, err := st.RecentMail(context.Background(), 10)
	if err != nil || len(all) != 2 {
		t.Fatalf("RecentMail = %v, %v", all, err)
	}
	for _, q := range all {
		if q.State != notify.MailQueued || q.NextAttemptAt.After(clock.Now()) {
			t.Errorf("%s after shutdown: state %s, due %v; want queued and due now (%v)", q.To, q.State, q.NextAttemptAt, clock.Now())
		}
	}
	// Another courier sends both at once, without waiting for the lease.
	box := notify.NewOutbox()
	other := notify.NewCourier(notify.CourierConfig{Store: st, Mailer: box, Keys: [][]byte{bytes.Repeat([]byte{1}, 32)}, Now: clock.Now})
	if err := other.Drain(context.Background()); err != nil || len(box.Messages()) != 2 {
		t.Errorf("the other courier sent %d, %v; want 2", len(box.Messages()), err)
	}
}

// TestCourierRehearse checks that a rehearsed mail is written like a
// queued one (sealed) but as already handled: never delivered, left out
// of Mail, deleted by the cleanup; and that only .invalid addresses may
// be rehearsed.
func TestCourierRehearse(t *testing.T) {
	e := newCourierEnv(t)
	const to = "nobody@void.invalid"
	if err := e.courier.Rehearse(e.ctx, notify.Message{To: to, Subject: "Your code", Body: "code 123456"}); err != nil {
		t.Fatalf("Rehearse: %v", err)
	}
	q := e.mail(t, to)
	if q.State != notify.MailSent || !q.SentAt.IsZero() || bytes.Contains(q.SealedBody, []byte("123456")) {
		t.Errorf("rehearsed %+v: want sent, never handed over, with a sealed body", q)
	}
	e.clock.Advance(time.Second)
	if n := e.runOnce(t); n != 0 || len(e.mailer.box.Messages()) != 0 {
		t.Errorf("RunOnce claimed %d and delivered %d; a rehearsed mail is never sent", n, len(e.mailer.box.Messages()))
	}
	if all, err := e.courier.Mail(e.ctx); err != nil || len(all) != 0 {
		t.Errorf("Mail = %v, %v; want no rehearsed mail", all, err)
	}
	e.clock.Advance(25 * time.Hour)
	if n, err := e.courier.Cleanup(e.ctx); err != nil || n != 1 {
		t.Errorf("Cleanup = %d, %v; want the rehearsed mail deleted", n, err)
	}
	err := e.courier.Rehearse(e.ctx, notify.Message{To: "ann@example.com", Subject: "Your code", Body: "code 123456"})
	if !errors.Is(err, notify.ErrInvalidAddress) {
		t.Errorf("Rehearse to a real address: %v, want ErrInvalidAddress", err)
	}
}

package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// CourierStore is what TestCourierStore needs: the durable outbox holds
// no reference to other records.
type CourierStore interface {
	storage.Transactor
	notify.OutboxStore
}

// cNow is the time the courier suite starts at.
var cNow = time.Date(2024, 7, 1, 9, 0, 0, 0, time.UTC)

// TestCourierStore checks an adapter's notify.OutboxStore: queueing (a
// taken id is a conflict), claiming only due messages in due order,
// leases (an expired lease is claimed again, the stale claim's marks are
// refused), sent, retried and abandoned messages, the cleanup of old
// messages, the export and erasure by address, the development listing,
// rollback, and 8 concurrent claimers that never get the same message.
func TestCourierStore(t *testing.T, newStore func(t *testing.T) CourierStore) {
	t.Run("OK", func(t *testing.T) { testCourierClaim(t, newStore(t)) })
	t.Run("ErrConflict", func(t *testing.T) { testCourierConflict(t, newStore(t)) })
	t.Run("Marks", func(t *testing.T) { testCourierMarks(t, newStore(t)) })
	t.Run("LeaseExpired", func(t *testing.T) { testCourierLease(t, newStore(t)) })
	t.Run("DeleteMailBefore", func(t *testing.T) { testCourierCleanup(t, newStore(t)) })
	t.Run("ByAddress", func(t *testing.T) { testCourierAddress(t, newStore(t)) })
	t.Run("RecentMail", func(t *testing.T) { testCourierRecent(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testCourierRollback(t, newStore(t)) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testCourierRace(t, newStore(t)) })
}

// cMail returns a queued message created minutes after cNow and due then.
func cMail(id, to string, minutes int) notify.QueuedMail {
	at := cNow.Add(time.Duration(minutes) * time.Minute)
	return notify.QueuedMail{
		ID: id, To: to, Subject: "Subject of " + id + " ✓", Language: "nl", SealedBody: []byte("sealed\x00" + id),
		State: notify.MailQueued, CreatedAt: at, NextAttemptAt: at, UpdatedAt: at,
	}
}

func cQueue(t *testing.T, st CourierStore, ms ...notify.QueuedMail) {
	t.Helper()
	for _, m := range ms {
		if err := st.QueueMail(context.Background(), m); err != nil {
			t.Fatalf("QueueMail(%s): %v", m.ID, err)
		}
	}
}

func cClaim(t *testing.T, st CourierStore, now, until time.Time, n int) []notify.QueuedMail {
	t.Helper()
	got, err := st.ClaimMail(context.Background(), now, until, n)
	if err != nil {
		t.Fatalf("ClaimMail(%v, %d): %v", now, n, err)
	}
	return got
}

func cIDs(ms []notify.QueuedMail) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// cByID returns the message as RecentMail lists it.
func cByID(t *testing.T, st CourierStore, id string) (notify.QueuedMail, bool) {
	t.Helper()
	all, err := st.RecentMail(context.Background(), 1000)
	if err != nil {
		t.Fatalf("RecentMail: %v", err)
	}
	for _, m := range all {
		if m.ID == id {
			return m, true
		}
	}
	return notify.QueuedMail{}, false
}

func testCourierClaim(t *testing.T, st CourierStore) {
	// c is due first although created last; d is not due yet.
	a, b, c, d := cMail("mail_a", "a@x.test", 0), cMail("mail_b", "b@x.test", 1), cMail("mail_c", "c@x.test", 2), cMail("mail_d", "d@x.test", 3)
	c.NextAttemptAt = cNow.Add(-time.Minute)
	d.NextAttemptAt = cNow.Add(time.Hour)
	cQueue(t, st, a, b, c, d)
	now, until := cNow.Add(5*time.Minute), cNow.Add(7*time.Minute)
	got := cClaim(t, st, now, until, 2)
	wantA := a
	wantA.State, wantA.Attempts, wantA.NextAttemptAt, wantA.UpdatedAt = notify.MailSending, 1, until, now
	wantC := c
	wantC.State, wantC.Attempts, wantC.NextAttemptAt, wantC.UpdatedAt = notify.MailSending, 1, until, now
	if diff := cmp.Diff([]notify.QueuedMail{wantA, wantC}, got); diff != "" {
		t.Errorf("ClaimMail(2) = the two earliest due, oldest first (-want +got):\n%s", diff)
	}
	if got := cIDs(cClaim(t, st, now, until, 10)); !cmp.Equal(got, []string{"mail_b"}) {
		t.Errorf("second ClaimMail = %v, want [mail_b] (d is not due, a and c are leased)", got)
	}
	if got := cClaim(t, st, now, until, 10); len(got) != 0 {
		t.Errorf("third ClaimMail = %v, want none", cIDs(got))
	}
}

func testCourierConflict(t *testing.T, st CourierStore) {
	cQueue(t, st, cMail("mail_a", "a@x.test", 0))
	err := st.QueueMail(context.Background(), cMail("mail_a", "other@x.test", 1))
	if !errors.Is(err, storage.ErrConflict) {
		t.Errorf("QueueMail with a taken id: err = %v, want ErrConflict", err)
	}
	if m, _ := cByID(t, st, "mail_a"); m.To != "a@x.test" {
		t.Errorf("after the refused QueueMail the message goes to %q, want a@x.test", m.To)
	}
}

func testCourierMarks(t *testing.T, st CourierStore) {
	ctx := context.Background()
	cQueue(t, st, cMail("mail_a", "a@x.test", 0), cMail("mail_b", "b@x.test", 0), cMail("mail_c", "c@x.test", 0))
	now := cNow.Add(time.Minute)
	cClaim(t, st, now, now.Add(time.Minute), 3)
	sentAt := now.Add(time.Second)
	if err := st.MarkMailSent(ctx, "mail_a", 2, sentAt); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("MarkMailSent with another attempt: err = %v, want ErrConflict", err)
	}
	if err := st.MarkMailSent(ctx, "mail_nope", 1, sentAt); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("MarkMailSent of an unknown id: err = %v, want ErrNotFound", err)
	}
	if err := st.MarkMailSent(ctx, "mail_a", 1, sentAt); err != nil {
		t.Fatalf("MarkMailSent: %v", err)
	}
	if err := st.MarkMailSent(ctx, "mail_a", 1, sentAt); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("MarkMailSent twice: err = %v, want ErrConflict", err)
	}
	retryAt := now.Add(10 * time.Minute)
	if err := st.RetryMail(ctx, "mail_b", 1, "connection refused", sentAt, retryAt); err != nil {
		t.Fatalf("RetryMail: %v", err)
	}
	if err := st.AbandonMail(ctx, "mail_c", 1, "550 no such user", sentAt); err != nil {
		t.Fatalf("AbandonMail: %v", err)
	}
	a, _ := cByID(t, st, "mail_a")
	b, _ := cByID(t, st, "mail_b")
	c, _ := cByID(t, st, "mail_c")
	got := []any{a.State, a.SentAt, a.UpdatedAt, b.State, b.NextAttemptAt, b.LastError, b.SentAt.IsZero(), c.State, c.LastError, c.UpdatedAt}
	want := []any{notify.MailSent, sentAt, sentAt, notify.MailQueued, retryAt, "connection refused", true, notify.MailAbandoned, "550 no such user", sentAt}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after sent, retry and abandon (-want +got):\n%s", diff)
	}
	if got := cClaim(t, st, retryAt.Add(-time.Second), retryAt.Add(time.Hour), 10); len(got) != 0 {
		t.Errorf("ClaimMail before the retry is due = %v, want none", cIDs(got))
	}
	got2 := cClaim(t, st, retryAt, retryAt.Add(time.Hour), 10)
	if len(got2) != 1 || got2[0].ID != "mail_b" || got2[0].Attempts != 2 || got2[0].LastError != "connection refused" {
		t.Errorf("ClaimMail at the retry = %+v, want mail_b on attempt 2 with its last error", got2)
	}
}

func testCourierLease(t *testing.T, st CourierStore) {
	ctx := context.Background()
	cQueue(t, st, cMail("mail_a", "a@x.test", 0))
	lease := cNow.Add(time.Minute)
	cClaim(t, st, cNow, lease, 1)
	if got := cClaim(t, st, lease.Add(-time.Microsecond), lease.Add(time.Hour), 1); len(got) != 0 {
		t.Errorf("ClaimMail while the lease runs = %v, want none", cIDs(got))
	}
	got := cClaim(t, st, lease, lease.Add(time.Minute), 1)
	if len(got) != 1 || got[0].Attempts != 2 || got[0].State != notify.MailSending {
		t.Fatalf("ClaimMail after the lease = %+v, want mail_a on attempt 2", got)
	}
	if err := st.MarkMailSent(ctx, "mail_a", 1, lease); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("MarkMailSent by the crashed claim: err = %v, want ErrConflict", err)
	}
	if err := st.RetryMail(ctx, "mail_a", 1, "late", lease, lease); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("RetryMail by the crashed claim: err = %v, want ErrConflict", err)
	}
	if err := st.MarkMailSent(ctx, "mail_a", 2, lease); err != nil {
		t.Errorf("MarkMailSent by the new claim: %v", err)
	}
	if got := cClaim(t, st, lease.Add(time.Hour), lease.Add(2*time.Hour), 1); len(got) != 0 {
		t.Errorf("ClaimMail of a sent message = %v, want none", cIDs(got))
	}
}

func testCourierCleanup(t *testing.T, st CourierStore) {
	ctx := context.Background()
	cQueue(t, st, cMail("mail_1_sent", "a@x.test", 0), cMail("mail_2_abandoned", "a@x.test", 0),
		cMail("mail_3_sent_later", "a@x.test", 0), cMail("mail_4_queued", "a@x.test", 0), cMail("mail_5_sending", "a@x.test", 0))
	cClaim(t, st, cNow, cNow.Add(time.Minute), 10)
	for _, err := range []error{
		st.MarkMailSent(ctx, "mail_1_sent", 1, cNow),
		st.AbandonMail(ctx, "mail_2_abandoned", 1, "x", cNow),
		st.MarkMailSent(ctx, "mail_3_sent_later", 1, cNow.Add(2*time.Hour)),
		st.RetryMail(ctx, "mail_4_queued", 1, "x", cNow, cNow),
	} {
		if err != nil {
			t.Fatalf("marking: %v", err)
		}
	}
	n, err := st.DeleteMailBefore(ctx, cNow.Add(time.Hour))
	if err != nil {
		t.Fatalf("DeleteMailBefore: %v", err)
	}
	left := cIDs(mustRecent(t, st))
	if want := []string{"mail_3_sent_later", "mail_4_queued", "mail_5_sending"}; n != 2 || !cmp.Equal(left, want) {
		t.Errorf("DeleteMailBefore = %d, left %v; want 2, %v (queued and sending stay)", n, left, want)
	}
}

func mustRecent(t *testing.T, st CourierStore) []notify.QueuedMail {
	t.Helper()
	all, err := st.RecentMail(context.Background(), 1000)
	if err != nil {
		t.Fatalf("RecentMail: %v", err)
	}
	return all
}

func testCourierAddress(t *testing.T, st CourierStore) {
	ctx := context.Background()
	cQueue(t, st, cMail("mail_a", "Ann@X.test", 0), cMail("mail_b", "ann@x.test", 1), cMail("mail_c", "bob@x.test", 2))
	cClaim(t, st, cNow, cNow.Add(time.Minute), 1) // mail_a is sending: erased all the same
	got, err := st.MailTo(ctx, "ANN@x.test")
	if err != nil {
		t.Fatalf("MailTo: %v", err)
	}
	if ids := cIDs(got); !cmp.Equal(ids, []string{"mail_a", "mail_b"}) {
		t.Errorf("MailTo(ANN@x.test) = %v, want [mail_a mail_b]", ids)
	}
	if err := st.ForgetMailTo(ctx, "ann@x.TEST"); err != nil {
		t.Fatalf("ForgetMailTo: %v", err)
	}
	if ids := cIDs(mustRecent(t, st)); !cmp.Equal(ids, []string{"mail_c"}) {
		t.Errorf("after ForgetMailTo the outbox holds %v, want [mail_c]", ids)
	}
	if err := st.ForgetMailTo(ctx, "nobody@x.test"); err != nil {
		t.Errorf("ForgetMailTo of an unknown address: %v", err)
	}
}

func testCourierRecent(t *testing.T, st CourierStore) {
	for i := range 5 {
		cQueue(t, st, cMail(fmt.Sprintf("mail_%d", i), "a@x.test", i))
	}
	got, err := st.RecentMail(context.Background(), 3)
	if err != nil {
		t.Fatalf("RecentMail: %v", err)
	}
	if ids := cIDs(got); !cmp.Equal(ids, []string{"mail_2", "mail_3", "mail_4"}) {
		t.Errorf("RecentMail(3) = %v, want the newest three oldest first", ids)
	}
	if want := cMail("mail_4", "a@x.test", 4); len(got) == 3 && !cmp.Equal(got[2], want) {
		t.Errorf("RecentMail round trip:\n%s", cmp.Diff(want, got[2]))
	}
}

func testCourierRollback(t *testing.T, st CourierStore) {
	boom := errors.New("boom")
	err := st.InTx(context.Background(), func(ctx context.Context) error {
		if err := st.QueueMail(ctx, cMail("mail_a", "a@x.test", 0)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if all := mustRecent(t, st); len(all) != 0 {
		t.Errorf("after the rollback the outbox holds %v, want nothing", cIDs(all))
	}
}

// testCourierRace has 8 claimers take batches of 3 from 48 due messages
// until none is left: each message is claimed exactly once.
func testCourierRace(t *testing.T, st CourierStore) {
	const total, workers = 48, 8
	for i := range total {
		cQueue(t, st, cMail(fmt.Sprintf("mail_%02d", i), "a@x.test", 0))
	}
	var (
		mu    sync.Mutex
		count = map[string]int{}
		wg    sync.WaitGroup
		errs  = make(chan error, workers)
	)
	for range workers {
		wg.Go(func() {
			for {
				got, err := st.ClaimMail(context.Background(), cNow, cNow.Add(time.Hour), 3)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					count[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("ClaimMail: %v", err)
	}
	if len(count) != total {
		t.Errorf("%d messages claimed, want %d", len(count), total)
	}
	for id, n := range count {
		if n != 1 {
			t.Errorf("%s claimed %d times, want once", id, n)
		}
	}
}

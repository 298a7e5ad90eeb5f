package merge_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/verification"
)

var testNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// env is a merge service on the memory store with two profiles of one
// person: prf_a (account acc_a) and prf_b (accounts acc_b1, acc_b2).
type env struct {
	ctx    context.Context
	st     *memory.Store
	outbox *notify.Outbox
	svc    *merge.Service
}

func newEnv(t *testing.T, mailer notify.Mailer) *env {
	t.Helper()
	return newEnvNotifier(t, &notify.Notifier{Mailer: mailer})
}

func newEnvNotifier(t *testing.T, notices *notify.Notifier) *env {
	t.Helper()
	e := &env{ctx: context.Background(), st: memory.New(), outbox: notify.NewOutbox()}
	if notices.Mailer == nil {
		notices.Mailer = e.outbox
	}
	now := func() time.Time { return testNow }
	codes := verification.NewService(verification.Config{Store: e.st, Tx: e.st, Mailer: e.outbox, Now: now})
	e.svc = merge.NewService(merge.Config{
		Accounts: e.st, Profiles: e.st, ProfileData: e.st, History: e.st, Notify: e.st,
		Flows: e.st, Expired: e.st, Tx: e.st,
		Codes: codes, Notices: notices, Now: now,
		Limiter: memory.NewLimiter(0), StartLimit: ratelimit.Limit{Burst: 4, Every: time.Hour},
		SecurityLog: securitylog.New(e.st, rand.Reader, now, nil),
	})
	for _, p := range []string{"prf_a", "prf_b"} {
		if err := e.st.CreateProfile(e.ctx, profile.Profile{ID: p, Name: p}); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []account.Account{
		{ID: "acc_a", ProfileID: "prf_a", Email: "a@example.com", Status: account.StatusActive},
		{ID: "acc_b1", ProfileID: "prf_b", Email: "b1@example.com", Status: account.StatusActive},
		{ID: "acc_b2", ProfileID: "prf_b", Email: "b2@example.com", Status: account.StatusActive},
	} {
		if err := e.st.CreateAccount(e.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// as returns the caller of the account, signed in at the test's time.
func (e *env) as(accountID string) auth.Caller {
	return auth.New(accountID, auth.MethodPassword, testNow, "")
}

// mailCode returns the code in a mail body.
func mailCode(t *testing.T, body string) string {
	t.Helper()
	return usersettingstest.MailCode(t, "the code mail", body)
}

// codeSent starts a flow of acc_a towards the address and sends the
// code there, and returns the flow and the mail.
func (e *env) codeSent(t *testing.T, to string) (merge.Flow, notify.Message) {
	t.Helper()
	f, err := e.svc.Start(e.ctx, e.as("acc_a"), to)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SendCode(e.ctx, e.as("acc_a"), f.ID, merge.ChoiceTyped); err != nil {
		t.Fatal(err)
	}
	m, _ := e.outbox.Last(to)
	return f, m
}

// verified runs a flow of acc_a towards prf_b up to the verified state.
func (e *env) verified(t *testing.T) string {
	t.Helper()
	f, m := e.codeSent(t, "b2@example.com")
	if _, err := e.svc.Verify(e.ctx, e.as("acc_a"), f.ID, mailCode(t, m.Body)); err != nil {
		t.Fatal(err)
	}
	return f.ID
}

func TestNewServicePanicsWithoutDependencies(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewService(Config{}) did not panic")
		}
	}()
	merge.NewService(merge.Config{})
}

type failingMailer struct{ calls int }

func (m *failingMailer) Send(context.Context, notify.Message) error {
	m.calls++
	return errors.New("smtp down")
}

func TestCommitIgnoresFailedNotices(t *testing.T) {
	m := &failingMailer{}
	var failed []*notify.NoticeError
	e := newEnvNotifier(t, &notify.Notifier{Mailer: m, Failed: func(_ context.Context, err *notify.NoticeError) { failed = append(failed, err) }})
	id := e.verified(t)
	if _, err := e.svc.Commit(e.ctx, e.as("acc_a"), id); err != nil {
		t.Fatalf("Commit with a failing mailer: %v", err)
	}
	if m.calls != 3 {
		t.Errorf("notices attempted: %d, want one per account (3)", m.calls)
	}
	if len(failed) != 3 || failed[0].Kind != notify.NoticeMergeCompleted {
		t.Errorf("reported failures: %v, want 3 merge_completed", failed)
	}
}

func TestCancelVoidsTheCode(t *testing.T) {
	e := newEnv(t, nil)
	f, m := e.codeSent(t, "b1@example.com")
	if err := e.svc.Cancel(e.ctx, e.as("acc_a"), f.ID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if _, err := e.st.CodeOfFlow(e.ctx, verification.PurposeMerge, f.ID); err == nil {
		t.Error("the code of a cancelled flow is still stored")
	}
	if _, err := e.svc.Verify(e.ctx, e.as("acc_a"), f.ID, mailCode(t, m.Body)); !errors.Is(err, merge.ErrFlowInvalid) {
		t.Errorf("Verify after Cancel: got %v, want ErrFlowInvalid", err)
	}
	if err := e.svc.Cancel(e.ctx, e.as("acc_a"), f.ID); !errors.Is(err, merge.ErrFlowInvalid) {
		t.Errorf("second Cancel: got %v, want ErrFlowInvalid", err)
	}
}

func TestErrFlowNotFoundIsNotFound(t *testing.T) {
	e := newEnv(t, nil)
	id := e.verified(t)
	for _, tt := range []struct{ account, flow string }{{"acc_a", "mrg_nope"}, {"acc_b1", id}} {
		_, err := e.svc.Preview(e.ctx, e.as(tt.account), tt.flow)
		if !errors.Is(err, merge.ErrFlowNotFound) || !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Preview(%s, %s) = %v, want ErrFlowNotFound matching storage.ErrNotFound", tt.account, tt.flow, err)
		}
	}
	if missing := fmt.Errorf("reading profile: %w", storage.ErrNotFound); errors.Is(missing, merge.ErrFlowNotFound) {
		t.Error("storage.ErrNotFound matches ErrFlowNotFound: a missing profile would read as a missing flow")
	}
	_, notFound := e.svc.Preview(e.ctx, e.as("acc_a"), "mrg_nope")
	for _, other := range []error{merge.ErrProfileChanged, merge.ErrFlowExpired, merge.ErrFlowInvalid, merge.ErrInactive} {
		if errors.Is(other, storage.ErrNotFound) || errors.Is(notFound, other) {
			t.Errorf("%v and ErrFlowNotFound are not told apart", other)
		}
	}
}

// TestCommitMovesSecurityLog checks that the other profile's security log
// belongs to the survivor after a commit, merged in time order.
func TestCommitMovesSecurityLog(t *testing.T) {
	e := newEnv(t, nil)
	events := []securitylog.Event{
		{ID: "sev_a1", ProfileID: "prf_a", AccountID: "acc_a", Kind: securitylog.SignedIn, At: testNow.Add(-3 * time.Hour)},
		{ID: "sev_b1", ProfileID: "prf_b", AccountID: "acc_b1", Kind: securitylog.PasswordChanged, At: testNow.Add(-2 * time.Hour)},
		{ID: "sev_b2", ProfileID: "prf_b", AccountID: "acc_b2", Kind: securitylog.SignedIn, At: testNow.Add(-time.Hour)},
	}
	if err := e.st.AppendSecurityEvents(e.ctx, events...); err != nil {
		t.Fatal(err)
	}
	id := e.verified(t)
	if _, err := e.svc.Commit(e.ctx, e.as("acc_a"), id); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	got, err := e.st.SecurityEvents(e.ctx, "prf_a", securitylog.Position{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string // the seeded ones; the merge records an event of its own
	for _, ev := range got {
		if ev.ProfileID != "prf_a" {
			t.Errorf("event %s belongs to %s, want prf_a", ev.ID, ev.ProfileID)
		}
		if slices.ContainsFunc(events, func(s securitylog.Event) bool { return s.ID == ev.ID }) {
			ids = append(ids, ev.ID)
		}
	}
	if want := []string{"sev_b2", "sev_b1", "sev_a1"}; !slices.Equal(ids, want) {
		t.Errorf("survivor's log = %v, want %v", ids, want)
	}
	if left, _ := e.st.SecurityEvents(e.ctx, "prf_b", securitylog.Position{}, 10); len(left) != 0 {
		t.Errorf("the merged-away profile keeps %d events", len(left))
	}
}

// The merge code's mail says which account asks, by its login email
// only; calling SendCode again sends a new code that voids the first.
func TestSendCodeNamesTheAskingAccount(t *testing.T) {
	e := newEnv(t, nil)
	f, m := e.codeSent(t, "b1@example.com")
	if !strings.Contains(m.Body, "The account a@example.com asks for this merge") {
		t.Errorf("merge mail body = %q, want it to name the asking account a@example.com", m.Body)
	}
	if strings.Contains(m.Body, "prf_a") {
		t.Errorf("merge mail names the asking profile: %q", m.Body)
	}
	first := mailCode(t, m.Body)
	if err := e.svc.SendCode(e.ctx, e.as("acc_a"), f.ID, merge.ChoiceTyped); err != nil {
		t.Fatalf("SendCode again: %v", err)
	}
	m, _ = e.outbox.Last("b1@example.com")
	if second := mailCode(t, m.Body); second != first {
		if _, err := e.svc.Verify(e.ctx, e.as("acc_a"), f.ID, first); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("Verify(replaced code) = %v, want ErrInvalidCode", err)
		}
	}
	if _, err := e.svc.Verify(e.ctx, e.as("acc_a"), f.ID, mailCode(t, m.Body)); err != nil {
		t.Errorf("Verify(new code): %v", err)
	}
}

// Flow shows a live flow again, to its owner only.
func TestFlowShowsTheChoices(t *testing.T) {
	e := newEnv(t, nil)
	f, err := e.svc.Start(e.ctx, e.as("acc_a"), "b1@example.com")
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Flow(e.ctx, e.as("acc_a"), f.ID)
	if err != nil || got.ID != f.ID || !slices.Equal(got.Addresses, f.Addresses) {
		t.Errorf("Flow = %+v, %v; want %+v", got, err, f)
	}
	if _, err := e.svc.Flow(e.ctx, e.as("acc_b1"), f.ID); !errors.Is(err, merge.ErrFlowNotFound) {
		t.Errorf("Flow of someone else = %v, want ErrFlowNotFound", err)
	}
}

// A commit sent again after it took effect (its answer lost) returns the
// merged profile again and does nothing twice: no second event, notice or
// history entry.
func TestCommitAgainReturnsTheMergedProfile(t *testing.T) {
	e := newEnv(t, nil)
	id := e.verified(t)
	first, err := e.svc.Commit(e.ctx, e.as("acc_a"), id)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	count := func() (events, mails, entries int) {
		evs, _ := e.st.SecurityEvents(e.ctx, "prf_a", securitylog.Position{}, 100)
		h, _ := e.st.History(e.ctx, "prf_a", 0, 1000)
		return len(evs), len(e.outbox.Messages()), len(h)
	}
	events, mails, entries := count()
	if events == 0 || mails == 0 || entries == 0 {
		t.Fatalf("after the commit: %d events, %d mails, %d history entries; want some of each", events, mails, entries)
	}
	again, err := e.svc.Commit(e.ctx, e.as("acc_a"), id)
	if err != nil {
		t.Fatalf("Commit again: %v", err)
	}
	if again.ID != first.ID || again.Name != first.Name || !again.UpdatedAt.Equal(first.UpdatedAt) {
		t.Errorf("Commit again = %+v, want the merged profile %+v", again, first)
	}
	if ev, m, h := count(); ev != events || m != mails || h != entries {
		t.Errorf("after the second commit: %d events, %d mails, %d history entries; want %d, %d, %d", ev, m, h, events, mails, entries)
	}
	// Only the flow's own account may ask.
	if _, err := e.svc.Commit(e.ctx, e.as("acc_b1"), id); !errors.Is(err, merge.ErrFlowNotFound) {
		t.Errorf("Commit by another account: %v, want ErrFlowNotFound", err)
	}
}

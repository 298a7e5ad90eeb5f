package profile_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// recoveryFixture is a profile service with codes, notices and a security
// log over one memory store, and one person (acc_ada) in it.
type recoveryFixture struct {
	svc  *profile.Service
	st   *memory.Store
	box  *notify.Outbox
	now  time.Time
	prof profile.Profile
}

func newRecoveryFixture(t *testing.T) *recoveryFixture {
	t.Helper()
	f := &recoveryFixture{st: memory.New(), box: &notify.Outbox{}, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	f.svc = profile.NewService(profile.Config{Store: f.st, Tx: f.st, History: f.st, Owners: account.NewOwners(f.st),
		Codes: testCodes(f.st, clock, f.box), Notices: &notify.Notifier{Mailer: f.box},
		SecurityLog: securitylog.New(f.st, rand.Reader, clock, nil), Now: clock})
	f.prof = f.person(t, "acc_ada")
	return f
}

// person makes a profile with one active account.
func (f *recoveryFixture) person(t *testing.T, accountID string) profile.Profile {
	t.Helper()
	p, err := f.svc.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := account.Account{ID: accountID, ProfileID: p.ID, Email: accountID + "@example.com", Status: account.StatusActive}
	if err := f.st.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *recoveryFixture) caller(accountID string) auth.Caller {
	return auth.New(accountID, auth.MethodPassword, f.now, "")
}

// code returns the code of the last mail to addr.
func (f *recoveryFixture) code(t *testing.T, addr string) string {
	t.Helper()
	m, ok := f.box.Last(addr)
	if !ok {
		t.Fatalf("no mail to %s", addr)
	}
	return usersettingstest.MailCode(t, "the mail to "+addr, m.Body)
}

func (f *recoveryFixture) events(t *testing.T, profileID string) []securitylog.Event {
	t.Helper()
	ev, err := f.st.SecurityEvents(context.Background(), profileID, securitylog.Position{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestRecoveryEmailIsPendingUntilConfirmed(t *testing.T) {
	f := newRecoveryFixture(t)
	ctx := context.Background()
	ada := f.caller("acc_ada")

	got, err := f.svc.Update(ctx, ada, profile.Update{RecoveryEmail: new("ada@home.example")})
	if err != nil {
		t.Fatal(err)
	}
	if got.RecoveryEmail != "" || got.PendingRecoveryEmail != "ada@home.example" {
		t.Fatalf("after Update: recovery %q pending %q; want it pending only", got.RecoveryEmail, got.PendingRecoveryEmail)
	}
	m, ok := f.box.Last("ada@home.example")
	if !ok || !strings.Contains(m.Subject, "recovery email") {
		t.Fatalf("code mail to the new address = %+v, %v", m, ok)
	}
	code := f.code(t, "ada@home.example")
	if len(f.events(t, f.prof.ID)) != 0 {
		t.Errorf("a pending address was logged as a change: %+v", f.events(t, f.prof.ID))
	}

	// Another person cannot confirm it, not even with the right code.
	f.person(t, "acc_eve")
	if _, err := f.svc.ConfirmRecoveryEmail(ctx, f.caller("acc_eve"), code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("Eve confirms Ada's code: %v, want errs.ErrInvalidCode", err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if _, err := f.svc.ConfirmRecoveryEmail(ctx, ada, wrong); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("wrong code: %v, want errs.ErrInvalidCode", err)
	}
	got, err = f.svc.ConfirmRecoveryEmail(ctx, ada, code)
	if err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	if got.RecoveryEmail != "ada@home.example" || got.PendingRecoveryEmail != "" {
		t.Errorf("after Confirm: recovery %q pending %q", got.RecoveryEmail, got.PendingRecoveryEmail)
	}
	if _, err := f.svc.ConfirmRecoveryEmail(ctx, ada, code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("the code twice: %v, want errs.ErrInvalidCode", err)
	}
	ev := f.events(t, f.prof.ID)
	if len(ev) != 1 || ev[0].Kind != securitylog.RecoveryEmailChanged || ev[0].AccountID != "acc_ada" {
		t.Errorf("security log after Confirm = %+v, want one recovery_email_changed by acc_ada", ev)
	}
	if strings.Contains(ev[0].Detail, "home.example") {
		t.Errorf("security event reveals the address: %+v", ev[0])
	}
}

func TestRecoveryEmailChangeKeepsTheOldOneAndNotifiesIt(t *testing.T) {
	f := newRecoveryFixture(t)
	ctx := context.Background()
	ada := f.caller("acc_ada")
	f.setVerified(t, ada, "old@home.example")

	got, err := f.svc.Update(ctx, ada, profile.Update{RecoveryEmail: new("new@home.example")})
	if err != nil {
		t.Fatal(err)
	}
	if got.RecoveryEmail != "old@home.example" || got.PendingRecoveryEmail != "new@home.example" {
		t.Fatalf("during the change: recovery %q pending %q; want old verified, new pending", got.RecoveryEmail, got.PendingRecoveryEmail)
	}
	before := len(f.box.Messages())
	if _, err := f.svc.ConfirmRecoveryEmail(ctx, ada, f.code(t, "new@home.example")); err != nil {
		t.Fatal(err)
	}
	msgs := f.box.Messages()[before:]
	if len(msgs) != 1 || msgs[0].To != "old@home.example" || !strings.Contains(msgs[0].Subject, "recovery email was changed") {
		t.Fatalf("mail after Confirm = %+v; want one notice to the old address", msgs)
	}
	if _, ok := usersettingstest.FindMailCode(msgs[0].Body); ok {
		t.Errorf("the notice to the old address carries a code: %q", msgs[0].Body)
	}

	// Typing the verified address again drops a pending one, whose code
	// then confirms nothing.
	if _, err := f.svc.Update(ctx, ada, profile.Update{RecoveryEmail: new("third@home.example")}); err != nil {
		t.Fatal(err)
	}
	code := f.code(t, "third@home.example")
	got, err = f.svc.Update(ctx, ada, profile.Update{RecoveryEmail: new("new@home.example")})
	if err != nil || got.PendingRecoveryEmail != "" || got.RecoveryEmail != "new@home.example" {
		t.Fatalf("retyping the verified address = %+v, %v", got, err)
	}
	if _, err := f.svc.ConfirmRecoveryEmail(ctx, ada, code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("code of a dropped address: %v, want errs.ErrInvalidCode", err)
	}
}

// setVerified sets and confirms a recovery email.
func (f *recoveryFixture) setVerified(t *testing.T, c auth.Caller, addr string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.Update(ctx, c, profile.Update{RecoveryEmail: &addr}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConfirmRecoveryEmail(ctx, c, f.code(t, addr)); err != nil {
		t.Fatal(err)
	}
}

func TestRecoveryEmailClearNeedsAFreshCaller(t *testing.T) {
	f := newRecoveryFixture(t)
	ctx := context.Background()
	ada := f.caller("acc_ada")
	f.setVerified(t, ada, "ada@home.example")
	f.now = f.now.Add(2 * time.Hour)

	if _, err := f.svc.Update(ctx, ada, profile.Update{RecoveryEmail: new("")}); !errors.Is(err, auth.ErrReauthenticationRequired) {
		t.Errorf("stale clear: %v, want ErrReauthenticationRequired", err)
	}
	if _, err := f.svc.Update(ctx, ada, profile.Update{RecoveryEmail: new("x@home.example")}); !errors.Is(err, auth.ErrReauthenticationRequired) {
		t.Errorf("stale change: %v, want ErrReauthenticationRequired", err)
	}
	if _, err := f.svc.Update(ctx, f.caller("acc_ada"), profile.Update{RecoveryEmail: new("")}); err != nil {
		t.Fatal(err)
	}
	p, _ := f.st.Profile(ctx, f.prof.ID)
	if p.RecoveryEmail != "" || p.PendingRecoveryEmail != "" {
		t.Errorf("after clear: %+v", p)
	}
	if ev := f.events(t, f.prof.ID); len(ev) != 2 || ev[0].Kind != securitylog.RecoveryEmailChanged {
		t.Errorf("security log = %+v, want the confirmation and the removal", ev)
	}
	if m, ok := f.box.Last("ada@home.example"); !ok || !strings.Contains(m.Subject, "recovery email was changed") {
		t.Errorf("the removed address got %+v, %v; want the notice", m, ok)
	}
}

func TestSetRecoveryEmailByAdmin(t *testing.T) {
	f := newRecoveryFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Update(ctx, f.caller("acc_ada"), profile.Update{RecoveryEmail: new("pending@home.example")}); err != nil {
		t.Fatal(err)
	}
	code := f.code(t, "pending@home.example")
	for _, a := range []auth.Admin{{}, {ID: "sup_1"}, {Reason: "ticket 7"}} {
		if _, err := f.svc.SetRecoveryEmail(ctx, a, f.prof.ID, "x@home.example"); !errors.Is(err, auth.ErrInvalidCaller) {
			t.Errorf("SetRecoveryEmail(%+v) = %v, want auth.ErrInvalidCaller", a, err)
		}
	}
	admin := auth.Admin{ID: "sup_1", Reason: "ticket 7"}
	var verr *profile.ValidationError
	if _, err := f.svc.SetRecoveryEmail(ctx, admin, f.prof.ID, "not an email"); !errors.As(err, &verr) {
		t.Errorf("malformed address: %v, want *ValidationError", err)
	}
	if _, err := f.svc.SetRecoveryEmail(ctx, admin, "prf_nobody", "x@home.example"); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("unknown profile: %v, want ErrNotFound", err)
	}
	got, err := f.svc.SetRecoveryEmail(ctx, admin, f.prof.ID, "support@home.example")
	if err != nil {
		t.Fatal(err)
	}
	if got.RecoveryEmail != "support@home.example" || got.PendingRecoveryEmail != "" {
		t.Errorf("after SetRecoveryEmail: %+v", got)
	}
	if _, err := f.svc.ConfirmRecoveryEmail(ctx, f.caller("acc_ada"), code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("code of the dropped pending address: %v, want errs.ErrInvalidCode", err)
	}
	ev := f.events(t, f.prof.ID)
	if len(ev) != 1 || ev[0].Kind != securitylog.Admin || ev[0].Admin != "sup_1" || !strings.Contains(ev[0].Detail, "ticket 7") {
		t.Errorf("security log = %+v, want one admin event by sup_1 naming the reason", ev)
	}
	var hist []history.Entry
	if err := f.st.EachHistory(ctx, f.prof.ID, func(e history.Entry) error { hist = append(hist, e); return nil }); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range hist {
		if e.Item == profile.FieldRecoveryEmail && e.Action == history.ActionSet && strings.Contains(e.Detail, "sup_1") {
			found = true
		}
	}
	if !found {
		t.Errorf("history = %+v, want a recovery_email entry naming sup_1", hist)
	}
}

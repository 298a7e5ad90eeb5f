package twofactor_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// TestVerifySignInRecords checks the security log of the second step of
// a sign-in: a wrong code records SignInFailed, an attempt while locked
// too, a right one SignedIn, each with the detail "second factor" and the
// client; an account without a second factor records nothing.
func TestVerifySignInRecords(t *testing.T) {
	e := newEnv(t)
	e.svc = twofactor.NewService(twofactor.Config{
		Store: e.store, Accounts: e.store, Tx: e.store, History: e.store, Key: testKey,
		Notices: &notify.Notifier{Mailer: e.outbox}, SMS: e.sms, Passwords: fakePasswords{testPassword},
		SecurityLog: securitylog.New(e.store, rand.Reader, e.clock.Now, nil), Now: e.clock.Now,
		MaxAttempts: 2, LockFor: time.Hour,
	})
	secret, _ := e.enrolApp()
	client := auth.Client{IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
	events := func() []securitylog.Event {
		t.Helper()
		evs, err := e.store.SecurityEvents(e.ctx, testProfile, securitylog.Position{}, 50)
		if err != nil {
			t.Fatal(err)
		}
		var out []securitylog.Event
		for _, ev := range evs {
			if ev.Kind == securitylog.SignedIn || ev.Kind == securitylog.SignInFailed {
				out = append([]securitylog.Event{ev}, out...) // oldest first
			}
		}
		return out
	}

	// Each step a second later, so the log orders them.
	verify := func(code string) error {
		e.clock.Advance(time.Second)
		return e.svc.VerifySignIn(e.ctx, testAccount, code, client)
	}
	wantErr(t, "a wrong code", verify("000000"), errs.ErrInvalidCode)
	if err := verify(e.code(secret, 0)); err != nil {
		t.Fatalf("VerifySignIn with the right code: %v", err)
	}
	wantErr(t, "a wrong code", verify("000000"), errs.ErrInvalidCode)
	wantErr(t, "a wrong code", verify("000000"), errs.ErrInvalidCode)
	wantErr(t, "a locked second factor", verify("000000"), twofactor.ErrLocked)

	want := []securitylog.Kind{securitylog.SignInFailed, securitylog.SignedIn, securitylog.SignInFailed, securitylog.SignInFailed, securitylog.SignInFailed}
	got := events()
	if len(got) != len(want) {
		t.Fatalf("events %v, want kinds %v", got, want)
	}
	for i, ev := range got {
		if ev.Kind != want[i] || ev.Detail != twofactor.SignInDetail || ev.AccountID != testAccount ||
			ev.IP != client.IP || ev.Device != client.Device() || ev.Device == "" {
			t.Errorf("event %d = %+v, want %s with detail %q, the account and the client", i, ev, want[i], twofactor.SignInDetail)
		}
	}

	// Verify (re-authentication) records nothing of a sign-in.
	e.clock.Advance(2 * time.Hour)
	wantErr(t, "Verify with a wrong code", e.svc.Verify(e.ctx, testAccount, "000000", auth.Client{}), errs.ErrInvalidCode)
	if n := len(events()); n != len(want) {
		t.Errorf("Verify recorded sign-in events: %d, want %d", n, len(want))
	}
}

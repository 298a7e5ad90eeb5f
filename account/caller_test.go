package account_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// revocations records what a Revoker is told.
type revocations []account.Revocation

func (r *revocations) RevokeAccount(_ context.Context, v account.Revocation) error {
	*r = append(*r, v)
	return nil
}

// TestRevocationsAndSecurityLog checks what the sensitive operations tell
// the Revokers (the caller's session is kept) and record in the security
// log, with the caller's client.
func TestRevocationsAndSecurityLog(t *testing.T) {
	e := newEnv(t)
	var got revocations
	e.svc = account.NewService(account.Config{
		Accounts: e.st, Profiles: e.st, History: e.st, Tx: e.st, Codes: e.codes,
		Notices: &notify.Notifier{Mailer: e.out}, Hasher: e.hasher, Companies: testCompanies,
		Revokers: []account.Revoker{&got}, Erasure: e.eraser, Now: e.clock.Now,
		SecurityLog: securitylog.New(e.st, rand.Reader, e.clock.Now, nil),
	})
	ada := e.signUp("ada@example.com")
	c := e.as(ada.ID)
	c.Client = auth.Client{IP: "192.0.2.9", UserAgent: "curl/8.5.0"}
	bob := e.addAccount(ada.ID, "bob@example.com")
	if err := e.svc.ChangePassword(e.ctx, c, goodPW, otherPW); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second) // the log lists by time
	if err := e.svc.Delete(e.ctx, e.as(ada.ID), bob.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	if err := e.svc.AdminDeactivate(e.ctx, support, ada.ID); err != nil {
		t.Fatal(err)
	}
	keep := "ses_" + ada.ID
	want := revocations{
		{AccountID: ada.ID, Change: account.ChangeAccountAdded, KeepSession: keep},
		{AccountID: ada.ID, Change: account.ChangePasswordChanged, KeepSession: keep},
		{AccountID: ada.ID, Change: account.ChangeDeactivated},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("revocations (-want +got):\n%s", diff)
	}
	evs, err := e.st.SecurityEvents(e.ctx, ada.ProfileID, securitylog.Position{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		kinds = append(kinds, string(ev.Kind)+" "+ev.AccountID+" "+ev.Admin)
		if ev.Kind == securitylog.PasswordChanged && (ev.IP != "192.0.2.9" || ev.Device != "curl") {
			t.Errorf("password change from %q %q, want the caller's client", ev.IP, ev.Device)
		}
	}
	wantKinds := []string{
		"account_added " + bob.ID + " ", "password_changed " + ada.ID + " ",
		"account_deleted " + bob.ID + " ", "admin " + ada.ID + " " + support.ID,
	}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("security events, oldest first (-want +got):\n%s", diff)
	}
}

// failingRevoker refuses every revocation, as a store that cannot end
// sessions would.
type failingRevoker struct{}

func (failingRevoker) RevokeAccount(context.Context, account.Revocation) error {
	return errRevoke
}

var errRevoke = errors.New("revoker down")

// TestRevokersRunInTheChange shows that the Revokers run in the
// transaction of the change: when one fails, the change rolls back, so a
// password is never changed (or an account deactivated) with the sessions
// it started still open.
func TestRevokersRunInTheChange(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	e.svc = account.NewService(account.Config{
		Accounts: e.st, Profiles: e.st, History: e.st, Tx: e.st, Codes: e.codes,
		Notices: &notify.Notifier{Mailer: e.out}, Hasher: e.hasher, Companies: testCompanies,
		Revokers: []account.Revoker{failingRevoker{}}, Now: e.clock.Now,
	})
	if err := e.svc.ChangePassword(e.ctx, e.as(ada.ID), goodPW, otherPW); !errors.Is(err, errRevoke) {
		t.Fatalf("ChangePassword = %v, want the revoker's error", err)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: ada.Email, Password: goodPW}); err != nil {
		t.Errorf("the old password no longer signs in after a rolled-back change: %v", err)
	}
	if err := e.svc.AdminDeactivate(e.ctx, support, ada.ID); !errors.Is(err, errRevoke) {
		t.Fatalf("AdminDeactivate = %v, want the revoker's error", err)
	}
	if a, err := e.st.Account(e.ctx, ada.ID); err != nil || a.Status != account.StatusActive {
		t.Errorf("after a rolled-back deactivation: %q, %v; want active", a.Status, err)
	}
}

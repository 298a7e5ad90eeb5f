package account_test

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// recoveryEnv is newEnv with password resets through the recovery email.
func recoveryEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.svc = account.NewService(account.Config{
		Accounts: e.st, Profiles: e.st, History: e.st, Tx: e.st, Codes: e.codes,
		Notices: &notify.Notifier{Mailer: e.out}, Hasher: e.hasher, Companies: testCompanies,
		Recovery: e.st, SecurityLog: securitylog.New(e.st, rand.Reader, e.clock.Now, nil), Now: e.clock.Now,
	})
	return e
}

// setRecovery gives the account's profile a verified and a pending
// recovery email, as package profile stores them.
func (e *env) setRecovery(a account.Account, verified, pending string) {
	e.t.Helper()
	p, err := e.st.Profile(e.ctx, a.ProfileID)
	if err != nil {
		e.t.Fatal(err)
	}
	p.RecoveryEmail, p.PendingRecoveryEmail = verified, pending
	if err := e.st.UpdateProfile(e.ctx, p); err != nil {
		e.t.Fatal(err)
	}
}

func TestResetPasswordByRecovery(t *testing.T) {
	e := recoveryEnv(t)
	ada := e.signUp("ada@lost.example")
	e.signUp("bob@example.com")
	e.setRecovery(ada, "ada@home.example", "")

	if err := e.svc.RequestRecoveryReset(e.ctx, "Ada@Home.example"); err != nil {
		t.Fatal(err)
	}
	m, ok := e.out.Last("ada@home.example")
	if !ok || !strings.Contains(m.Body, "ada@lost.example") || strings.Contains(m.Body, "bob@") {
		t.Fatalf("reset mail = %+v, %v; want one naming Ada's account only", m, ok)
	}
	code := e.code("ada@home.example")

	const next = "Brand-New-Secret-42"
	_, err := e.svc.ResetPasswordByRecovery(e.ctx, "ada@home.example", "bob@example.com", code, next, resetClient)
	wantErr(t, "Bob's account with Ada's recovery code", err, errs.ErrInvalidCode)
	_, err = e.svc.ResetPasswordByRecovery(e.ctx, "ada@home.example", "nobody@example.com", code, next, resetClient)
	wantErr(t, "an unknown account", err, errs.ErrInvalidCode)
	var pe *password.PolicyError
	if _, err = e.svc.ResetPasswordByRecovery(e.ctx, "ada@home.example", ada.ID, code, "weak", resetClient); !errors.As(err, &pe) {
		t.Errorf("weak password = %v, want a *password.PolicyError", err)
	}
	got, err := e.svc.ResetPasswordByRecovery(e.ctx, "ada@home.example", ada.ID, code, next, resetClient)
	if err != nil {
		t.Fatalf("reset by id: %v", err)
	}
	if got.ID != ada.ID || got.PasswordHash != "" {
		t.Errorf("reset returned %+v, want Ada's account without its hash", got)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@lost.example", Password: next}); err != nil {
		t.Errorf("sign-in with the new password: %v", err)
	}
	all, err := e.st.SecurityEvents(e.ctx, ada.ProfileID, securitylog.Position{}, 10)
	var ev []securitylog.Event // the sign-in above is there too
	for _, x := range all {
		if x.Kind != securitylog.SignedIn {
			ev = append(ev, x)
		}
	}
	if err != nil || len(ev) != 1 || ev[0].Kind != securitylog.PasswordReset || ev[0].AccountID != ada.ID {
		t.Errorf("security log = %+v, %v; want one password_reset of Ada's account", ev, err)
	}
	_, err = e.svc.ResetPasswordByRecovery(e.ctx, "ada@home.example", ada.ID, code, "Another-Secret-43", resetClient)
	wantErr(t, "the code twice", err, errs.ErrInvalidCode)
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "bob@example.com", Password: goodPW}); err != nil {
		t.Errorf("Bob's password changed: %v", err)
	}
}

// TestRecoveryResetRevealsNothing checks that an address that is no
// verified recovery email, a pending one included, gets no code and the
// same answer, with the same throttle.
func TestRecoveryResetRevealsNothing(t *testing.T) {
	e := recoveryEnv(t)
	ada := e.signUp("ada@lost.example")
	e.setRecovery(ada, "", "ada@home.example")
	before := len(e.out.Messages())
	for _, addr := range []string{"ada@home.example", "nobody@example.com"} {
		if err := e.svc.RequestRecoveryReset(e.ctx, addr); err != nil {
			t.Errorf("RequestRecoveryReset(%s) = %v, want nil", addr, err)
		}
	}
	if msgs := e.out.Messages()[before:]; len(msgs) != 0 {
		t.Fatalf("mail sent to an address that is no verified recovery email: %+v", msgs)
	}
	_, err := e.svc.ResetPasswordByRecovery(e.ctx, "ada@home.example", ada.ID, "123456", "Brand-New-Secret-42", resetClient)
	wantErr(t, "reset through a pending recovery email", err, errs.ErrInvalidCode)
	wantErr(t, "malformed address", e.svc.RequestRecoveryReset(e.ctx, "not an address"), account.ErrInvalidEmail)

	// Once verified, the first requests (a burst) go out; the next is
	// throttled silently, as for an unknown address.
	e.clock.Advance(time.Hour)
	e.setRecovery(ada, "ada@home.example", "")
	for range verification.DefaultBurst + 1 {
		if err := e.svc.RequestRecoveryReset(e.ctx, "ada@home.example"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.mails("ada@home.example")); n != verification.DefaultBurst {
		t.Errorf("%d mails to the verified recovery email, want %d (the next request is throttled)", n, verification.DefaultBurst)
	}
}

func TestRecoveryResetUnavailable(t *testing.T) {
	e := newEnv(t)
	wantErr(t, "RequestRecoveryReset", e.svc.RequestRecoveryReset(e.ctx, "a@example.com"), account.ErrRecoveryUnavailable)
}

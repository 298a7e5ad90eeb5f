package account_test

import (
	"errors"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// A new sign-up code voids the one before, says where it goes, and is
// throttled with the first: a resend opens no second budget.
func TestResendSignUp(t *testing.T) {
	e := newEnv(t)
	pid, err := e.svc.SignUp(e.ctx, "Ada@Example.com", goodPW, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.SignUpAddress(e.ctx, pid); err != nil || got != "ada@example.com" {
		t.Errorf("SignUpAddress = %q, %v; want the address typed, normalised", got, err)
	}
	first := e.code("ada@example.com")
	e.clock.Advance(time.Second)
	if err := e.svc.ResendSignUp(e.ctx, pid); err != nil {
		t.Fatalf("ResendSignUp: %v", err)
	}
	if n := len(e.mails("ada@example.com")); n != 2 {
		t.Errorf("mails = %d, want 2 (the first code and the new one)", n)
	}
	// The burst counts the first send: one more fits, then the throttle.
	e.clock.Advance(time.Second) // the newest mail is the newest code's
	if err := e.svc.ResendSignUp(e.ctx, pid); err != nil {
		t.Fatalf("third code within the burst: %v", err)
	}
	newest := e.code("ada@example.com")
	err = e.svc.ResendSignUp(e.ctx, pid)
	var retry *errs.RetryError
	if !errors.Is(err, verification.ErrThrottled) || !errors.As(err, &retry) {
		t.Errorf("fourth code at once = %v, want a *errs.RetryError matching ErrThrottled", err)
	}
	if first != newest {
		if _, err := e.svc.ConfirmSignUp(e.ctx, pid, first); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("the replaced code = %v, want ErrInvalidCode", err)
		}
	}
	if _, err := e.svc.ConfirmSignUp(e.ctx, pid, newest); err != nil {
		t.Errorf("the newest code: %v", err)
	}
	// The request is used up: nothing more to send.
	for _, id := range []string{pid, "pnd_unknown"} {
		if err := e.svc.ResendSignUp(e.ctx, id); !errors.Is(err, account.ErrPendingExpired) {
			t.Errorf("ResendSignUp(%s) = %v, want ErrPendingExpired", id, err)
		}
		if _, err := e.svc.SignUpAddress(e.ctx, id); !errors.Is(err, account.ErrPendingExpired) {
			t.Errorf("SignUpAddress(%s) = %v, want ErrPendingExpired", id, err)
		}
	}
}

// A decoy sign-up (an address that has an account) is resent exactly as
// a real one: the same answers and throttle, no code to the address (the
// attempt notice went out at the sign-up, and goes at most once an
// hour), and no code confirms it.
func TestResendSignUpDecoy(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	e.clock.Advance(2 * time.Hour) // past every send limit and notice
	decoy, err := e.svc.SignUp(e.ctx, "ada@example.com", otherPW, false)
	if err != nil {
		t.Fatal(err)
	}
	real, err := e.svc.SignUp(e.ctx, "bob@example.com", otherPW, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.SignUpAddress(e.ctx, decoy); err != nil || got != "ada@example.com" {
		t.Errorf("SignUpAddress(decoy) = %q, %v; want the address, as for a real one", got, err)
	}
	notices := len(e.mails("ada@example.com"))
	for i := range verification.DefaultBurst {
		errDecoy := e.svc.ResendSignUp(e.ctx, decoy)
		errReal := e.svc.ResendSignUp(e.ctx, real)
		if want := i < verification.DefaultBurst-1; (errDecoy == nil) != want || (errReal == nil) != want {
			t.Errorf("resend %d: decoy %v, real %v; want both to succeed: %v", i+1, errDecoy, errReal, want)
		}
		if i == verification.DefaultBurst-1 && (!errors.Is(errDecoy, verification.ErrThrottled) || !errors.Is(errReal, verification.ErrThrottled)) {
			t.Errorf("resend past the burst: decoy %v, real %v; want ErrThrottled for both", errDecoy, errReal)
		}
	}
	if got := e.mails("ada@example.com")[notices:]; len(got) != 0 {
		t.Errorf("mails to the owner on resend within the hour = %q, want none (one notice an hour)", got)
	}
	if _, err := e.svc.ConfirmSignUp(e.ctx, decoy, e.code("bob@example.com")); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("ConfirmSignUp(decoy) = %v, want ErrInvalidCode", err)
	}
}

// Add-account and login-email change codes are resent to their
// requester only, by a fresh caller.
func TestResendPending(t *testing.T) {
	e := newEnv(t)
	me := e.signUp("me@example.com")
	other := e.signUp("other@example.com")
	add, err := e.svc.AddAccount(e.ctx, e.as(me.ID), "new@example.com", goodPW, false)
	if err != nil {
		t.Fatal(err)
	}
	change, err := e.svc.RequestEmailChange(e.ctx, e.as(me.ID), me.ID, "me2@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for id, addr := range map[string]string{add: "new@example.com", change: "me2@example.com"} {
		if got, err := e.svc.PendingAddress(e.ctx, e.as(me.ID), id); err != nil || got != addr {
			t.Errorf("PendingAddress(%s) = %q, %v; want %q", id, got, err, addr)
		}
		if err := e.svc.ResendPending(e.ctx, e.as(me.ID), id); err != nil {
			t.Errorf("ResendPending(%s): %v", id, err)
		}
		if n := len(e.mails(addr)); n != 2 {
			t.Errorf("mails to %s = %d, want 2", addr, n)
		}
		if _, err := e.svc.PendingAddress(e.ctx, e.as(other.ID), id); !errors.Is(err, account.ErrPendingExpired) {
			t.Errorf("PendingAddress(someone else's) = %v, want ErrPendingExpired", err)
		}
		if err := e.svc.ResendPending(e.ctx, e.as(other.ID), id); !errors.Is(err, account.ErrPendingExpired) {
			t.Errorf("ResendPending(someone else's) = %v, want ErrPendingExpired", err)
		}
		stale := e.as(me.ID)
		stale.AuthenticatedAt = e.clock.Now().Add(-2 * time.Hour)
		if err := e.svc.ResendPending(e.ctx, stale, id); !errors.Is(err, auth.ErrReauthenticationRequired) {
			t.Errorf("ResendPending(stale sign-in) = %v, want ErrReauthenticationRequired", err)
		}
	}
	if _, err := e.svc.ConfirmAddAccount(e.ctx, e.as(me.ID), add, e.code("new@example.com")); err != nil {
		t.Errorf("ConfirmAddAccount with the new code: %v", err)
	}
	if _, err := e.svc.ConfirmEmailChange(e.ctx, e.as(me.ID), change, e.code("me2@example.com")); err != nil {
		t.Errorf("ConfirmEmailChange with the new code: %v", err)
	}
	// A sign-up id is not a pending request of a caller, nor the other
	// way round.
	signup, err := e.svc.SignUp(e.ctx, "third@example.com", goodPW, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ResendPending(e.ctx, e.as(me.ID), signup); !errors.Is(err, account.ErrPendingExpired) {
		t.Errorf("ResendPending(sign-up) = %v, want ErrPendingExpired", err)
	}
	e.clock.Advance(48 * time.Hour)
	if err := e.svc.ResendSignUp(e.ctx, signup); !errors.Is(err, account.ErrPendingExpired) {
		t.Errorf("ResendSignUp(expired) = %v, want ErrPendingExpired", err)
	}
}

// A login-email change to an address that has an account is resent as
// a real one, with a void code and the owner's notice.
func TestResendEmailChangeDecoy(t *testing.T) {
	e := newEnv(t)
	// No Limiter: every attempt notice goes out, so the resend's shows.
	e.svc = account.NewService(account.Config{
		Accounts: e.st, Profiles: e.st, History: e.st, Tx: e.st, Codes: e.codes,
		Notices: &notify.Notifier{Mailer: e.out}, Hasher: e.hasher, Now: e.clock.Now, SecurityLog: e.log,
	})
	me := e.signUp("me@example.com")
	e.signUp("ada@example.com")
	pid, err := e.svc.RequestEmailChange(e.ctx, e.as(me.ID), me.ID, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	before := len(e.mails("ada@example.com"))
	if err := e.svc.ResendPending(e.ctx, e.as(me.ID), pid); err != nil {
		t.Fatalf("ResendPending(decoy): %v", err)
	}
	if got := e.mails("ada@example.com")[before:]; len(got) != 1 || got[0] != subjectEmailAttempt {
		t.Errorf("mails to the owner = %q, want one attempt notice", got)
	}
	if _, err := e.svc.ConfirmEmailChange(e.ctx, e.as(me.ID), pid, "000000"); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("ConfirmEmailChange(decoy) = %v, want ErrInvalidCode", err)
	}
}

package account_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// newestCode returns the code of the newest mail to addr with the subject.
func (e *env) newestCode(addr, subject string) string {
	e.t.Helper()
	return usersettingstest.MailCode(e.t, subject+" to "+addr, e.newestMail(addr, subject))
}

// newestKey returns the key of the newest mail to addr with the subject:
// the second secret of its code, which a stranger's guesses cannot kill.
func (e *env) newestKey(addr, subject string) string {
	e.t.Helper()
	return usersettingstest.MailKey(e.t, subject+" to "+addr, e.newestMail(addr, subject))
}

// wrongCode returns a code that is not the newest one mailed to addr
// with the subject: a stranger's guess that is sure to be wrong.
func (e *env) wrongCode(addr, subject string) string {
	e.t.Helper()
	b := []byte(e.newestCode(addr, subject))
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// newestMail returns the body of the newest mail to addr with the subject.
func (e *env) newestMail(addr, subject string) string {
	e.t.Helper()
	msgs := e.out.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == addr && msgs[i].Subject == subject {
			return msgs[i].Body
		}
	}
	e.t.Fatalf("no mail %q to %s", subject, addr)
	return ""
}

// A stranger who knows neither the password nor the mailbox sends a
// thousand requests over an hour against one address: wrong passwords
// from rotating IP addresses, password-reset and unlock requests each
// followed by a wrong code (which kills the mailed code after five), and
// sign-ups of the address with wrong codes. The owner still gets in:
// their reset request goes out and the key of its mail works although
// the code was killed, and their right password from a new client gets
// through by the emailed unlock's key; the stranger's password guesses
// stay bounded.
func TestStrangerCannotLockOwnerOut(t *testing.T) {
	e := newEnv(t)
	const addr = "owner@example.com"
	a := e.signUp(addr)
	start, verifies := e.clock.Now(), e.hasher.verify.Load()
	owner := auth.Client{IP: "192.0.2.1", UserAgent: "owner's new phone"}
	pw := goodPW

	const requests, hour = 1000, time.Hour
	step := hour / requests
	for i := range requests {
		switch i % 5 {
		case 0, 1:
			_, err := e.svc.Authenticate(e.ctx, account.Login{Email: addr, Password: fmt.Sprintf("Guess-%d-pw!", i),
				Client: auth.Client{IP: fmt.Sprintf("198.51.%d.%d", i/250, i%250)}})
			if !errors.Is(err, account.ErrInvalidCredentials) && !errors.Is(err, account.ErrThrottled) {
				t.Fatalf("attack sign-in %d: %v", i, err)
			}
		case 2:
			if err := e.svc.RequestPasswordReset(e.ctx, addr); err != nil {
				t.Fatalf("attack reset request %d: %v", i, err)
			}
			if _, err := e.svc.ResetPassword(e.ctx, addr, e.wrongCode(addr, "Reset your password"), "Attacker-Pass-42!", auth.Client{}); !errors.Is(err, errs.ErrInvalidCode) {
				t.Fatalf("attack reset code %d: %v", i, err)
			}
		case 3:
			if err := e.svc.RequestUnlock(e.ctx, addr); err != nil {
				t.Fatalf("attack unlock request %d: %v", i, err)
			}
			if _, err := e.svc.Unlock(e.ctx, addr, e.wrongCode(addr, "Unlock your sign-in")); !errors.Is(err, errs.ErrInvalidCode) {
				t.Fatalf("attack unlock code %d: %v", i, err)
			}
		case 4:
			id, err := e.svc.SignUp(e.ctx, addr, otherPW, false)
			if err == nil {
				_, err = e.svc.ConfirmSignUp(e.ctx, id, "123456")
			}
			if !errors.Is(err, errs.ErrInvalidCode) && !errors.Is(err, errs.Throttled) {
				t.Fatalf("attack sign-up %d: %v", i, err)
			}
		}
		e.clock.Advance(step)

		switch i {
		case requests / 2: // half an hour in: the owner resets the password
			if err := e.svc.RequestPasswordReset(e.ctx, addr); err != nil {
				t.Fatalf("owner's reset request: %v", err)
			}
			pw = "New-Owner-Pass-42"
			code, key := e.newestCode(addr, "Reset your password"), e.newestKey(addr, "Reset your password")
			// The stranger's next guesses kill the code before the owner
			// types it; its key still works.
			for range 5 {
				_, _ = e.svc.ResetPassword(e.ctx, addr, e.wrongCode(addr, "Reset your password"), "Attacker-Pass-42!", auth.Client{})
			}
			if _, err := e.svc.ResetPassword(e.ctx, addr, code, pw, owner); !errors.Is(err, errs.ErrInvalidCode) {
				t.Fatalf("owner's code after the stranger's guesses: %v, want it killed", err)
			}
			if _, err := e.svc.ResetPassword(e.ctx, addr, key, pw, owner); err != nil {
				t.Fatalf("owner's reset with the key mailed to them: %v", err)
			}
		case requests * 3 / 4: // then signs in from a new client
			e.ownerSignsIn(addr, pw, owner, a.ID)
		}
	}
	e.ownerSignsIn(addr, pw, owner, a.ID) // and once more at the end of the hour
	if got := e.clock.Now().Sub(start); got < hour {
		t.Fatalf("the attack lasted %v, want an hour", got)
	}

	// Every real password check on the address but the owner's four
	// was a guess. The address's counter lets 5 through at once, then one
	// per back-off step (1 s, 2 s, … 512 s: 10 in 17 minutes), then one
	// every 15 minutes: at most 5 + 10 + 4 in an hour.
	guesses := e.hasher.verify.Load() - verifies - 4
	t.Logf("password checks the stranger got in an hour: %d", guesses)
	if guesses > 19 || guesses < 5 {
		t.Errorf("the stranger got %d password checks in an hour, want 5 to 19", guesses)
	}
}

// ownerSignsIn checks that the owner's right password from a new client
// is held back by the stranger's failures, and gets through at once
// after the emailed unlock.
func (e *env) ownerSignsIn(addr, pw string, c auth.Client, accountID string) {
	e.t.Helper()
	_, err := e.svc.Authenticate(e.ctx, account.Login{Email: addr, Password: pw, Client: c})
	var re *errs.RetryError
	if !errors.As(err, &re) || !errors.Is(err, account.ErrThrottled) {
		e.t.Fatalf("owner's right password from a new client during the attack: %v, want it throttled", err)
	}
	if err := e.svc.RequestUnlock(e.ctx, addr); err != nil {
		e.t.Fatalf("owner's unlock request: %v", err)
	}
	for range 5 { // the stranger kills the unlock code
		_, _ = e.svc.Unlock(e.ctx, addr, e.wrongCode(addr, "Unlock your sign-in"))
	}
	device, err := e.svc.Unlock(e.ctx, addr, e.newestKey(addr, "Unlock your sign-in"))
	if err != nil || device == "" {
		e.t.Fatalf("owner's unlock with the key mailed to them: %q, %v", device, err)
	}
	res, err := e.svc.Authenticate(e.ctx, account.Login{Email: addr, Password: pw, Client: c, Device: device})
	if err != nil || res.Account.ID != accountID || res.Device == "" {
		e.t.Fatalf("owner's right password after the unlock: %v, %v", res, err)
	}
}

func TestUnlock(t *testing.T) {
	e := newEnv(t)
	const addr = "ann@example.com"
	e.signUp(addr)
	for _, tc := range []struct{ name, email, code string }{
		{"unknown address", "nobody@example.com", "123456"},
		{"malformed address", "not an address", "123456"},
		{"no code asked", addr, "123456"},
	} {
		if _, err := e.svc.Unlock(e.ctx, tc.email, tc.code); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("Unlock, %s: %v, want errs.ErrInvalidCode", tc.name, err)
		}
	}
	for _, email := range []string{"nobody@example.com", "someone@sso.example"} {
		before := len(e.out.Messages())
		if err := e.svc.RequestUnlock(e.ctx, email); err != nil {
			t.Errorf("RequestUnlock(%s): %v, want nil", email, err)
		}
		if n := len(e.out.Messages()); n != before {
			t.Errorf("RequestUnlock(%s) sent %d mails", email, n-before)
		}
	}
	if err := e.svc.RequestUnlock(e.ctx, "not an address"); !errors.Is(err, account.ErrInvalidEmail) {
		t.Errorf("RequestUnlock of a malformed address: %v, want ErrInvalidEmail", err)
	}
	if err := e.svc.RequestUnlock(e.ctx, addr); err != nil {
		t.Fatal(err)
	}
	code := e.newestCode(addr, "Unlock your sign-in")
	device, err := e.svc.Unlock(e.ctx, "Ann@Example.com", code)
	if err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if _, err := e.svc.Unlock(e.ctx, addr, code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("Unlock with a used code: %v, want errs.ErrInvalidCode", err)
	}
	// The device token is no credential: a wrong password still fails.
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: addr, Password: otherPW, Device: device}); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("wrong password with the unlocked device: %v", err)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: addr, Password: goodPW, Device: device}); err != nil {
		t.Errorf("right password with the unlocked device: %v", err)
	}
}

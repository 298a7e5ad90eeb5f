package account_test

import (
	"errors"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// hostLogin is a sign-in whose password the host checks itself: right
// tells whether it matched the host's own hash.
func (e *env) hostLogin(email string, right bool, l account.HostLogin) (account.AuthResult, error) {
	e.t.Helper()
	l.Email = email
	att, err := e.svc.BeginHostSignIn(e.ctx, l)
	if err != nil {
		return account.AuthResult{}, err
	}
	if right {
		return att.Succeeded(e.ctx)
	}
	return account.AuthResult{}, att.Failed(e.ctx)
}

// Six wrong passwords that the host checks itself are throttled like the
// SDK's own sign-in, the same for an address without an account; a
// success hands out a device token that gets past the failures of
// others; and every outcome is in the security log.
func TestHostSignInThrottledLikeOurs(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	for _, email := range []string{"ada@example.com", "nobody@example.com"} {
		for i := range account.DefaultAddressBackoff.Free {
			if _, err := e.hostLogin(email, false, account.HostLogin{Client: attacker}); err != nil {
				t.Fatalf("%s: wrong password %d: %v", email, i+1, err)
			}
		}
		_, err := e.hostLogin(email, false, account.HostLogin{Client: attacker})
		if !errors.Is(err, account.ErrThrottled) {
			t.Fatalf("%s: wrong password %d = %v, want throttled", email, account.DefaultAddressBackoff.Free+1, err)
		}
	}
	// The owner's right password from a new client waits like anyone's.
	if _, err := e.hostLogin("ada@example.com", true, account.HostLogin{Client: owner}); !errors.Is(err, account.ErrThrottled) {
		t.Errorf("right password while the address waits = %v, want throttled", err)
	}
	e.clock.Advance(account.DefaultAddressBackoff.MaxDelay)
	res, err := e.hostLogin("ada@example.com", true, account.HostLogin{Client: owner})
	if err != nil || res.Account.ID != ada.ID || res.Device == "" {
		t.Fatalf("right password after the wait = %+v, %v; want ada with a device token", res, err)
	}
	// With its device token the owner is not slowed by failures elsewhere.
	for range account.DefaultAddressBackoff.Free + 2 {
		_, _ = e.hostLogin("ada@example.com", false, account.HostLogin{Client: attacker})
	}
	if _, err := e.hostLogin("ada@example.com", true, account.HostLogin{Client: owner, Device: res.Device}); err != nil {
		t.Errorf("known device after failures elsewhere: %v", err)
	}
	// An attempt settles once.
	att, err := e.svc.BeginHostSignIn(e.ctx, account.HostLogin{Email: "ada@example.com", Client: owner, Device: res.Device})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := att.Succeeded(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := att.Failed(e.ctx); !errors.Is(err, account.ErrAttemptSettled) {
		t.Errorf("a second outcome = %v, want ErrAttemptSettled", err)
	}
	// A user of the host without an account of ours gets no sign-in.
	if _, err := e.hostLogin("nobody@example.com", true, account.HostLogin{Client: owner}); err != nil && !errors.Is(err, account.ErrInvalidCredentials) && !errors.Is(err, account.ErrThrottled) {
		t.Errorf("right password of an unknown address = %v", err)
	}
	kinds := map[securitylog.Kind]int{}
	evs, err := e.st.SecurityEvents(e.ctx, ada.ProfileID, securitylog.Position{}, 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		kinds[ev.Kind]++
		if ev.Kind == securitylog.SignInFailed && (ev.IP != attacker.IP || ev.Device == "") {
			t.Errorf("sign_in_failed without the client: %+v", ev)
		}
	}
	if kinds[securitylog.SignInFailed] < account.DefaultAddressBackoff.Free || kinds[securitylog.LockedOut] < 1 {
		t.Errorf("security log kinds = %v, want sign_in_failed and locked_out", kinds)
	}
}

package account_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

var (
	owner    = auth.Client{IP: "192.0.2.10", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}
	attacker = auth.Client{IP: "203.0.113.66", UserAgent: "curl/8.5.0"}
)

func TestBackoffWait(t *testing.T) {
	b := account.Backoff{Free: 3, Delay: time.Second, MaxDelay: 10 * time.Second, Forget: time.Hour}
	last := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		count int
		now   time.Time
		want  time.Duration
	}{
		{0, last, 0},
		{2, last, 0},
		{3, last, time.Second},
		{4, last, 2 * time.Second},
		{5, last, 4 * time.Second},
		{6, last, 8 * time.Second},
		{7, last, 10 * time.Second}, // capped
		{60, last, 10 * time.Second},
		{4, last.Add(1500 * time.Millisecond), 500 * time.Millisecond},
		{4, last.Add(time.Minute), 0},
	}
	for _, tc := range tests {
		got := b.Wait(account.Failures{Count: tc.count, Last: last}, tc.now)
		if got != tc.want {
			t.Errorf("Wait(%d failures, %v after the last) = %v, want %v", tc.count, tc.now.Sub(last), got, tc.want)
		}
	}
	if off := (account.Backoff{Free: -1, Delay: time.Hour}); off.Wait(account.Failures{Count: 1000, Last: last}, last) != 0 {
		t.Error("an off Backoff waits")
	}
}

func ExampleBackoff_Wait() {
	b := account.Backoff{Free: 5, Delay: time.Second, MaxDelay: 15 * time.Minute}
	last := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, n := range []int{4, 5, 6, 10, 20} {
		fmt.Println(n, b.Wait(account.Failures{Count: n, Last: last}, last))
	}
	// Output:
	// 4 0s
	// 5 1s
	// 6 2s
	// 10 32s
	// 20 15m0s
}

// login is a sign-in attempt of the tests.
func (e *env) login(email, pw string, c auth.Client, device string) (account.AuthResult, error) {
	return e.svc.Authenticate(e.ctx, account.Login{Email: email, Password: pw, Client: c, Device: device})
}

// failUntilCounted makes n wrong-password attempts that reach the
// password check, waiting out the throttle between them as a patient
// attacker would, and returns how long it waited in all.
func (e *env) failUntilCounted(email string, c auth.Client, device string, n int) time.Duration {
	e.t.Helper()
	var waited time.Duration
	for counted := 0; counted < n; {
		_, err := e.login(email, otherPW, c, device)
		var te *errs.RetryError
		switch {
		case errors.As(err, &te):
			e.clock.Advance(te.After)
			waited += te.After
		case errors.Is(err, account.ErrInvalidCredentials):
			counted++
		default:
			e.t.Fatalf("wrong password from %s: %v", c.IP, err)
		}
	}
	return waited
}

// Ten failed sign-ins from a new device do not stop the owner's known
// device, while ten more from the new device are slowed.
func TestKnownDeviceIsNotSlowedByFailuresElsewhere(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	res, err := e.login("ada@example.com", goodPW, owner, "")
	if err != nil || res.Device == "" {
		t.Fatalf("first sign-in = %+v, %v; want a device token", res, err)
	}
	known := res.Device

	e.failUntilCounted("ada@example.com", attacker, "", 10)

	// The owner's known device signs in at once with the right password.
	res, err = e.login("ada@example.com", goodPW, owner, known)
	if err != nil {
		t.Fatalf("known device after 10 failures elsewhere: %v, want a sign-in", err)
	}
	if res.Device == "" || res.Device == known {
		t.Errorf("sign-in returned device token %q, want a new one", res.Device)
	}
	// The new device is slowed: ten more attempts at once are all
	// refused before their password is checked, and getting ten more
	// checked takes the attacker minutes.
	verifies := e.hasher.verify.Load()
	for i := range 10 {
		_, err := e.login("ada@example.com", otherPW, attacker, "")
		if !errors.Is(err, account.ErrThrottled) {
			t.Fatalf("attempt %d from the new device: %v, want ErrThrottled", 11+i, err)
		}
	}
	if n := e.hasher.verify.Load() - verifies; n != 0 {
		t.Errorf("throttled attempts checked %d passwords, want none", n)
	}
	if waited := e.failUntilCounted("ada@example.com", attacker, "", 10); waited < 30*time.Minute {
		t.Errorf("ten more failures from the new device waited %v in all, want at least 30 minutes", waited)
	}
	// And still the known device gets in, with its old token too.
	if _, err := e.login("ada@example.com", goodPW, owner, known); err != nil {
		t.Errorf("known device after 20 failures elsewhere: %v", err)
	}
	// Even from the attacker's IP address: the device, not the address, is known.
	if _, err := e.login("ada@example.com", goodPW, attacker, res.Device); err != nil {
		t.Errorf("known device from a throttled IP address: %v", err)
	}
}

// A known device's own failures count against that device only, with its
// own small budget.
func TestKnownDeviceHasItsOwnBudget(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	res, err := e.login("ada@example.com", goodPW, owner, "")
	if err != nil {
		t.Fatal(err)
	}
	known := res.Device
	for i := range account.DefaultDeviceBackoff.Free {
		if _, err := e.login("ada@example.com", otherPW, owner, known); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("wrong password %d from the known device: %v", i+1, err)
		}
	}
	if _, err := e.login("ada@example.com", goodPW, owner, known); !errors.Is(err, account.ErrThrottled) {
		t.Errorf("known device after its own %d failures: %v, want ErrThrottled", account.DefaultDeviceBackoff.Free, err)
	}
	// Its failures did not touch the address: a new device signs in.
	if _, err := e.login("ada@example.com", goodPW, attacker, ""); err != nil {
		t.Errorf("new device after the known device's failures: %v", err)
	}
	e.clock.Advance(time.Second)
	if _, err := e.login("ada@example.com", goodPW, owner, known); err != nil {
		t.Errorf("known device after waiting: %v", err)
	}
	// The success forgot the device's failures: its full budget is back.
	for i := range account.DefaultDeviceBackoff.Free {
		if _, err := e.login("ada@example.com", otherPW, owner, known); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("wrong password %d after a success: %v, want ErrInvalidCredentials", i+1, err)
		}
	}
}

// Throttling answers the same for a registered and an unknown address,
// and for a wrong password and a deactivated account.
func TestThrottleRevealsNoAccount(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	off := e.signUp("off@example.com")
	if err := e.svc.AdminDeactivate(e.ctx, support, off.ID); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		errs  []string
		waits []time.Duration
	}
	run := func(email, pw string) answer {
		var a answer
		for range 8 {
			_, err := e.login(email, pw, auth.Client{}, "")
			a.errs = append(a.errs, fmt.Sprint(err))
			var te *errs.RetryError
			if errors.As(err, &te) {
				a.waits = append(a.waits, te.After)
			}
		}
		return a
	}
	want := run("ada@example.com", otherPW)
	if len(want.waits) == 0 {
		t.Fatal("eight wrong passwords at once were not throttled")
	}
	for _, tc := range []struct{ email, pw string }{
		{"nobody@example.com", goodPW}, {"NOBODY2@example.com", otherPW}, {"off@example.com", goodPW}, {"nobody@", goodPW},
	} {
		if got := run(tc.email, tc.pw); !slices.Equal(got.errs, want.errs) || !slices.Equal(got.waits, want.waits) {
			t.Errorf("%s: answers %v %v, want those of a wrong password %v %v", tc.email, got.errs, got.waits, want.errs, want.waits)
		}
	}
}

// The client's IP address is throttled across addresses for devices
// unknown to them.
func TestClientThrottledAcrossAddresses(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	free := account.DefaultClientBackoff.Free
	for i := range free {
		if _, err := e.login(fmt.Sprintf("user%d@example.com", i), otherPW, attacker, ""); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if _, err := e.login("ada@example.com", goodPW, attacker, ""); !errors.Is(err, account.ErrThrottled) {
		t.Errorf("after %d failures from one IP address, another address: %v, want ErrThrottled", free, err)
	}
	if _, err := e.login("ada@example.com", goodPW, owner, ""); err != nil {
		t.Errorf("another IP address: %v", err)
	}
}

// Guesses made at the same time are each counted before their password
// is checked, so no more than the free failures get checked at once.
func TestConcurrentGuessesAreEachCounted(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	for range 40 {
		wg.Go(func() {
			_, err := e.login("ada@example.com", otherPW, auth.Client{}, "")
			kind := "other: " + fmt.Sprint(err)
			switch {
			case errors.Is(err, account.ErrInvalidCredentials):
				kind = "checked"
			case errors.Is(err, account.ErrThrottled):
				kind = "throttled"
			}
			mu.Lock()
			counts[kind]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if counts["checked"] != account.DefaultAddressBackoff.Free || counts["throttled"] != 40-account.DefaultAddressBackoff.Free {
		t.Errorf("40 guesses at once: %v, want %d checked and the rest throttled", counts, account.DefaultAddressBackoff.Free)
	}
}

// events returns the kinds of the security-log events of the profile
// and checks that each names the client.
func (e *env) events(profileID string, c auth.Client) []securitylog.Kind {
	e.t.Helper()
	evs, err := e.st.SecurityEvents(e.ctx, profileID, securitylog.Position{}, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var kinds []securitylog.Kind
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		kinds = append(kinds, ev.Kind)
		if ev.IP != c.IP || ev.Device != c.Device() {
			e.t.Errorf("%s event from %q on %q, want %q on %q", ev.Kind, ev.IP, ev.Device, c.IP, c.Device())
		}
	}
	return kinds
}

func TestSignInsAreInTheSecurityLog(t *testing.T) {
	e := newEnv(t)
	a := e.signUp("ada@example.com")
	if _, err := e.login("ada@example.com", goodPW, owner, ""); err != nil {
		t.Fatal(err)
	}
	for range account.DefaultAddressBackoff.Free {
		if _, err := e.login("ada@example.com", otherPW, owner, ""); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatal(err)
		}
	}
	if _, err := e.login("ada@example.com", otherPW, owner, ""); !errors.Is(err, account.ErrThrottled) {
		t.Fatalf("after the free failures: %v, want ErrThrottled", err)
	}
	want := []securitylog.Kind{securitylog.SignedIn}
	for range account.DefaultAddressBackoff.Free {
		want = append(want, securitylog.SignInFailed)
	}
	want = append(want, securitylog.LockedOut)
	// Events of one instant are ordered by their random ids: compare the
	// kinds as sets.
	got := e.events(a.ProfileID, owner)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("security log = %v, want %v", got, want)
	}
	// An unknown address records nothing (the only profile is Ada's).
	before := e.eventCount(a.ProfileID)
	for range 3 {
		_, _ = e.login("nobody@example.com", otherPW, owner, "")
	}
	if after := e.eventCount(a.ProfileID); after != before {
		t.Errorf("sign-ins of an unknown address recorded %d events", after-before)
	}
}

// eventCount counts the security-log events of the profile.
func (e *env) eventCount(profileID string) int {
	e.t.Helper()
	evs, err := e.st.SecurityEvents(e.ctx, profileID, securitylog.Position{}, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(evs)
}

func TestCurrentPasswordChecksCountAsFailedSignIns(t *testing.T) {
	e := newEnv(t)
	a := e.signUp("ada@example.com")
	c := e.as(a.ID)
	c.Client = owner
	free := account.DefaultPasswordBackoff.Free
	for i := range free - 1 {
		if err := e.svc.CheckCallerPassword(e.ctx, c, otherPW); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("wrong current password %d: %v", i+1, err)
		}
	}
	// A password change with a wrong current password counts too.
	if err := e.svc.ChangePassword(e.ctx, c, otherPW, "New-Password-42!"); !errors.Is(err, account.ErrWrongPassword) {
		t.Fatalf("ChangePassword with a wrong current password: %v", err)
	}
	// So does the checker a two-factor service gets.
	pw := account.NewPasswords(e.st, e.hasher, account.CountFailures(account.Throttling{Failures: e.st, Tx: e.st, Now: e.clock.Now}))
	for _, check := range []func() error{
		func() error { return e.svc.CheckPassword(e.ctx, a.ID, goodPW) },
		func() error { return pw.CheckPassword(e.ctx, a.ID, goodPW) },
		func() error { return e.svc.ChangePassword(e.ctx, c, goodPW, "New-Password-42!") },
	} {
		if err := check(); !errors.Is(err, account.ErrThrottled) {
			t.Errorf("right current password after %d failures: %v, want ErrThrottled", free, err)
		}
	}
	// Sign-ins are not slowed by them: a stolen session's guesses stay
	// with the account's checks.
	if _, err := e.login("ada@example.com", goodPW, owner, ""); err != nil {
		t.Errorf("sign-in after failed current-password checks: %v", err)
	}
	e.clock.Advance(time.Second)
	if err := pw.CheckPassword(e.ctx, a.ID, goodPW); err != nil {
		t.Errorf("right current password after the wait: %v", err)
	}
	evs, err := e.st.SecurityEvents(e.ctx, a.ProfileID, securitylog.Position{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var failed, locked int
	for _, ev := range evs {
		switch ev.Kind {
		case securitylog.SignInFailed:
			failed++
		case securitylog.LockedOut:
			locked++
		}
	}
	if failed != free || locked != 1 {
		t.Errorf("security log: %d failed checks and %d lockouts, want %d and 1", failed, locked, free)
	}
}

func TestDeviceTokens(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	e.signUp("bob@example.com")
	res, err := e.login("ada@example.com", goodPW, owner, "")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := e.login("bob@example.com", goodPW, owner, "")
	if err != nil {
		t.Fatal(err)
	}
	e.failUntilCounted("ada@example.com", attacker, "", 6) // the address must wait now
	tampered := []byte(res.Device)
	tampered[3] ^= 1
	for name, device := range map[string]string{
		"none":           "",
		"tampered":       string(tampered),
		"garbage":        "not.a-token",
		"another's":      bob.Device,
		"unsigned":       res.Device[:len(res.Device)-4],
		"only a payload": res.Device[:10],
	} {
		if _, err := e.login("ada@example.com", goodPW, owner, device); !errors.Is(err, account.ErrThrottled) {
			t.Errorf("%s device token: %v, want ErrThrottled (not a known device)", name, err)
		}
	}
	if _, err := e.login("ada@example.com", goodPW, owner, res.Device); err != nil {
		t.Errorf("valid device token: %v", err)
	}
	// A rotated key still accepts the tokens of the old one.
	rotated := account.NewService(account.Config{
		Accounts: e.st, Profiles: e.st, History: e.st, Tx: e.st, Codes: e.codes, Hasher: e.hasher, Now: e.clock.Now,
		Failures: e.st, DeviceKeys: [][]byte{[]byte("a newer device key, also 32 bytes"), []byte("device key of the tests, 32 bytes")},
	})
	if _, err := rotated.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW, Device: res.Device}); err != nil {
		t.Errorf("token of the old key after rotation: %v", err)
	}
	// An unknown key does not.
	other := account.NewService(account.Config{
		Accounts: e.st, Profiles: e.st, History: e.st, Tx: e.st, Codes: e.codes, Hasher: e.hasher, Now: e.clock.Now,
		Failures: e.st, DeviceKeys: [][]byte{[]byte("a newer device key, also 32 bytes")},
	})
	if _, err := other.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW, Device: res.Device}); !errors.Is(err, account.ErrThrottled) {
		t.Errorf("token of an unknown key: %v, want ErrThrottled", err)
	}
	// A token expires.
	e.clock.Advance(account.DefaultDeviceTTL)
	e.failUntilCounted("ada@example.com", attacker, "", 6)
	if _, err := e.login("ada@example.com", goodPW, owner, res.Device); !errors.Is(err, account.ErrThrottled) {
		t.Errorf("expired device token: %v, want ErrThrottled", err)
	}
}

func TestDeleteOldLoginFailures(t *testing.T) {
	e := newEnv(t)
	e.failUntilCounted("nobody@example.com", attacker, "", 3)
	if n, err := e.svc.DeleteOldLoginFailures(e.ctx); n != 0 || err != nil {
		t.Errorf("DeleteOldLoginFailures at once = %d, %v; want 0", n, err)
	}
	e.clock.Advance(24*time.Hour + time.Second)
	if n, err := e.svc.DeleteOldLoginFailures(e.ctx); n != 2 || err != nil {
		t.Errorf("DeleteOldLoginFailures a day later = %d, %v; want 2 (the address and the client)", n, err)
	}
}

func TestLoginAndResultPrintNoSecret(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	res, err := e.login("ada@example.com", goodPW, owner, "")
	if err != nil {
		t.Fatal(err)
	}
	l := account.Login{Email: "ada@example.com", Password: goodPW, Client: owner, Device: res.Device}
	for _, v := range []any{l, res} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, goodPW) || strings.Contains(out, res.Device) {
				t.Errorf("%s of %T prints a secret: %s", verb, v, out)
			}
		}
	}
}

// A right password of an account with a second factor is in the security
// log as a sign-in whose second factor is pending.
func TestSignInWithSecondFactorPendingIsLogged(t *testing.T) {
	e := newEnv(t)
	a := e.signUp("ada@example.com")
	e.second[a.ID] = true
	res, err := e.login("ada@example.com", goodPW, owner, "")
	if err != nil || !res.SecondFactorRequired {
		t.Fatalf("Authenticate = %v, %v; want a second factor required", res, err)
	}
	evs, err := e.st.SecurityEvents(e.ctx, a.ProfileID, securitylog.Position{}, 10)
	if err != nil || len(evs) != 1 || evs[0].Kind != securitylog.SignedIn || !strings.Contains(evs[0].Detail, "second factor pending") {
		t.Errorf("security log = %+v, %v; want one sign-in with its second factor pending", evs, err)
	}
}

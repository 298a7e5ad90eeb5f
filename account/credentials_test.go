package account_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// Every account-dependent failure of Authenticate is the same error value
// after the same number of password hashes (one Verify or VerifyDummy).
func TestAuthenticateNoEnumeration(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	off := e.signUp("off@example.com")
	if err := e.svc.AdminDeactivate(e.ctx, support, off.ID); err != nil {
		t.Fatal(err)
	}
	fed := account.Account{ID: "acc_fed", ProfileID: off.ProfileID, Email: "fed@sso.example", Status: account.StatusActive}
	if err := e.st.CreateAccount(e.ctx, fed); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, email, pw string }{
		{"UnknownEmail", "nobody@example.com", goodPW},
		{"MalformedEmail", "nobody@", goodPW},
		{"WrongPassword", "ada@example.com", otherPW},
		{"EmptyPassword", "ada@example.com", ""},
		{"OverlongPassword", "ada@example.com", strings.Repeat("Aa1!", 1000)},
		{"Deactivated", "off@example.com", goodPW},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.hasher.verify.Load() + e.hasher.dummy.Load()
			res, err := e.svc.Authenticate(e.ctx, account.Login{Email: tc.email, Password: tc.pw})
			if err != account.ErrInvalidCredentials {
				t.Errorf("got %v, want exactly ErrInvalidCredentials", err)
			}
			if res != (account.AuthResult{}) {
				t.Errorf("failed Authenticate returned %+v, want the zero result", res)
			}
			if n := e.hasher.verify.Load() + e.hasher.dummy.Load() - before; n != 1 {
				t.Errorf("password hashes = %d, want 1 (similar time on every path)", n)
			}
		})
	}
	// An address of a single-sign-on company gets one error, told by the
	// domain alone: whether it has an account or not makes no difference.
	for _, email := range []string{"fed@sso.example", "nobody@sso.example"} {
		before := e.hasher.verify.Load() + e.hasher.dummy.Load()
		res, err := e.svc.Authenticate(e.ctx, account.Login{Email: email, Password: goodPW})
		if !errors.Is(err, account.ErrInvalidCredentials) || !errors.Is(err, account.ErrSSOManaged) {
			t.Errorf("Authenticate(%s) = %v, want ErrInvalidCredentials and ErrSSOManaged", email, err)
		}
		if err != nil && err.Error() != account.ErrInvalidCredentials.Error() {
			t.Errorf("Authenticate(%s) says %q, want the text of ErrInvalidCredentials", email, err)
		}
		if res != (account.AuthResult{}) {
			t.Errorf("Authenticate(%s) returned %+v, want the zero result", email, res)
		}
		if n := e.hasher.verify.Load() + e.hasher.dummy.Load() - before; n != 1 {
			t.Errorf("Authenticate(%s): password hashes = %d, want 1", email, n)
		}
	}
	if e.hasher.dummy.Load() < 4 {
		t.Errorf("VerifyDummy calls = %d, want one per unknown, malformed or SSO address", e.hasher.dummy.Load())
	}
}

func TestPasswordExpiry(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		email string
		age   time.Duration
		want  bool
	}{
		{"ada@example.com", 90*day - time.Microsecond, false},
		{"ada@example.com", 90 * day, true},
		{"ada@strict.example", 30*day - time.Microsecond, false},
		{"ada@strict.example", 30 * day, true},
		{"ada@never.example", 1000 * day, false},
	}
	for _, tc := range tests {
		e := newEnv(t)
		e.signUp(tc.email)
		e.clock.Advance(tc.age - time.Minute) // signUp advanced a minute
		res, err := e.svc.Authenticate(e.ctx, account.Login{Email: tc.email, Password: goodPW})
		if err != nil || res.PasswordExpired != tc.want {
			t.Errorf("%s after %v: PasswordExpired = %v, %v; want %v", tc.email, tc.age, res.PasswordExpired, err, tc.want)
		}
	}
}

// PasswordExpiresAt tells when the password expires, the same rule as
// PasswordExpired: its last change plus the company's or the policy's
// maximum age.
func TestPasswordExpiresAt(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		email  string
		maxAge time.Duration
		ok     bool
	}{
		{"ada@example.com", 90 * day, true},
		{"ada@strict.example", 30 * day, true},
		{"ada@never.example", 0, false},
	} {
		e := newEnv(t)
		a := e.signUp(tc.email)
		at, ok, err := e.svc.PasswordExpiresAt(e.ctx, a.ID)
		if err != nil || ok != tc.ok || (ok && !at.Equal(a.PasswordChangedAt.Add(tc.maxAge))) {
			t.Errorf("%s: PasswordExpiresAt = %v, %v, %v; want %v, %v", tc.email, at, ok, err, a.PasswordChangedAt.Add(tc.maxAge), tc.ok)
		}
		if !ok {
			continue
		}
		e.clock.Advance(at.Sub(e.clock.Now()) - time.Microsecond)
		if expired, err := e.svc.PasswordExpired(e.ctx, a.ID); err != nil || expired {
			t.Errorf("%s just before %v: PasswordExpired = %v, %v; want false", tc.email, at, expired, err)
		}
		e.clock.Advance(time.Microsecond)
		if expired, err := e.svc.PasswordExpired(e.ctx, a.ID); err != nil || !expired {
			t.Errorf("%s at %v: PasswordExpired = %v, %v; want true", tc.email, at, expired, err)
		}
	}
	e := newEnv(t)
	if _, _, err := e.svc.PasswordExpiresAt(e.ctx, "acc_unknown"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("unknown account: %v, want ErrNotFound", err)
	}
}

func TestPasswordExpiryNISTNeverExpires(t *testing.T) {
	e := newEnv(t)
	svc := account.NewService(account.Config{
		Accounts: e.st, Profiles: e.st, History: e.st, Tx: e.st, Codes: e.codes,
		Hasher: e.hasher, Policy: password.NIST(), Now: e.clock.Now,
	})
	pid, err := svc.SignUp(e.ctx, "ada@example.com", "a long enough passphrase", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfirmSignUp(e.ctx, pid, e.code("ada@example.com")); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * 365 * 24 * time.Hour)
	res, err := svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: "a long enough passphrase"})
	if err != nil || res.PasswordExpired {
		t.Errorf("NIST policy after 5 years: PasswordExpired = %v, %v; want false", res.PasswordExpired, err)
	}
}

func TestAuthenticateRehash(t *testing.T) {
	e := newEnv(t)
	a := e.signUp("ada@example.com")
	old := password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	h, err := old.Hash(e.ctx, goodPW)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := e.st.Account(e.ctx, a.ID)
	stored.PasswordHash = h
	if err := e.st.UpdateAccount(e.ctx, stored); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW}); err != nil {
		t.Fatalf("Authenticate with an old hash: %v", err)
	}
	upgraded, _ := e.st.Account(e.ctx, a.ID)
	if upgraded.PasswordHash == h || !strings.Contains(upgraded.PasswordHash, "m=64,") {
		t.Errorf("hash after sign-in = %q, want one with the current parameters", upgraded.PasswordHash)
	}
	if !upgraded.PasswordChangedAt.Equal(stored.PasswordChangedAt) {
		t.Errorf("rehash moved PasswordChangedAt")
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW}); err != nil {
		t.Errorf("Authenticate after the upgrade: %v", err)
	}
}

func TestAuthenticateSecondFactor(t *testing.T) {
	e := newEnv(t)
	a := e.signUp("ada@example.com")
	res, _ := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW})
	if res.SecondFactorRequired {
		t.Error("SecondFactorRequired without a second factor")
	}
	e.second[a.ID] = true
	res, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW})
	if err != nil || !res.SecondFactorRequired {
		t.Errorf("SecondFactorRequired = %v, %v; want true", res.SecondFactorRequired, err)
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	a := e.signUp("ada@example.com")
	e.clock.Advance(time.Hour)

	wantErr(t, "wrong current", e.svc.ChangePassword(e.ctx, e.as(a.ID), otherPW, "Brand-New-Pass-1"), account.ErrWrongPassword)
	var pe *password.PolicyError
	if err := e.svc.ChangePassword(e.ctx, e.as(a.ID), goodPW, "weak"); !errors.As(err, &pe) {
		t.Errorf("weak new password: got %v, want *password.PolicyError", err)
	}
	wantErr(t, "same password", e.svc.ChangePassword(e.ctx, e.as(a.ID), goodPW, goodPW), account.ErrPasswordReused)
	wantErr(t, "unknown account", e.svc.ChangePassword(e.ctx, e.as("acc_nope"), goodPW, otherPW), auth.ErrForbidden)

	if err := e.svc.ChangePassword(e.ctx, e.as(a.ID), goodPW, otherPW); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW}); err != account.ErrInvalidCredentials {
		t.Errorf("old password after change: got %v", err)
	}
	res, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: otherPW})
	if err != nil || !res.Account.PasswordChangedAt.Equal(e.clock.Now()) {
		t.Errorf("new password: %v, changed at %v, want %v", err, res.Account.PasswordChangedAt, e.clock.Now())
	}
	h, _ := e.st.History(e.ctx, a.ProfileID, 0, 1)
	if len(h) != 1 || h[0].Item != "password" || h[0].Action != history.ActionSet || h[0].Detail != "" {
		t.Errorf("newest history = %+v, want password set without detail", h)
	}
	if got := e.mails("ada@example.com"); !slices.Contains(got, "Your password was changed") {
		t.Errorf("mails = %q, want the password-changed notice", got)
	}
	if err := e.svc.CheckPassword(e.ctx, a.ID, otherPW); err != nil {
		t.Errorf("CheckPassword(new): %v", err)
	}
	wantErr(t, "CheckPassword(old)", e.svc.CheckPassword(e.ctx, a.ID, goodPW), account.ErrInvalidCredentials)
	wantErr(t, "CheckPassword(unknown)", e.svc.CheckPassword(e.ctx, "acc_nope", goodPW), account.ErrInvalidCredentials)
}

func TestChangePasswordSSO(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	fed := account.Account{ID: "acc_fed", ProfileID: ada.ProfileID, Email: "fed@sso.example", Status: account.StatusActive}
	if err := e.st.CreateAccount(e.ctx, fed); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "ChangePassword(SSO)", e.svc.ChangePassword(e.ctx, e.as(fed.ID), goodPW, otherPW), account.ErrSSORequired)
}

func TestPasswordReset(t *testing.T) {
	e := newEnv(t)
	a := e.signUp("ada@example.com")
	mails := len(e.out.Messages())

	if err := e.svc.RequestPasswordReset(e.ctx, "nobody@example.com"); err != nil {
		t.Errorf("RequestPasswordReset(unknown) = %v, want nil", err)
	}
	wantErr(t, "RequestPasswordReset(malformed)", e.svc.RequestPasswordReset(e.ctx, "nobody@"), account.ErrInvalidEmail)
	if got := len(e.out.Messages()); got != mails {
		t.Errorf("reset of an unknown address sent mail")
	}
	if err := e.svc.RequestPasswordReset(e.ctx, "Ada@example.com"); err != nil {
		t.Fatalf("RequestPasswordReset: %v", err)
	}
	// A burst of codes goes out; past it a request answers the same and
	// sends nothing. Each code replaces the one before.
	for range verification.DefaultBurst - 1 {
		if err := e.svc.RequestPasswordReset(e.ctx, "ada@example.com"); err != nil {
			t.Fatalf("RequestPasswordReset: %v", err)
		}
	}
	code := e.code("ada@example.com")
	if err := e.svc.RequestPasswordReset(e.ctx, "ada@example.com"); err != nil {
		t.Errorf("throttled RequestPasswordReset = %v, want nil", err)
	}
	if got := len(e.out.Messages()); got != mails+verification.DefaultBurst {
		t.Errorf("mails after %d requests at once = %d, want %d", verification.DefaultBurst+1, got, mails+verification.DefaultBurst)
	}

	wrongCode := "000000"
	if code == wrongCode {
		wrongCode = "111111"
	}
	for _, tc := range []struct{ name, email, code string }{
		{"UnknownEmail", "nobody@example.com", code},
		{"WrongCode", "ada@example.com", wrongCode},
	} {
		if _, err := e.svc.ResetPassword(e.ctx, tc.email, tc.code, otherPW, resetClient); err != errs.ErrInvalidCode {
			t.Errorf("ResetPassword(%s): got %v, want exactly errs.ErrInvalidCode", tc.name, err)
		}
	}
	var pe *password.PolicyError
	if _, err := e.svc.ResetPassword(e.ctx, "ada@example.com", code, "weak", resetClient); !errors.As(err, &pe) {
		t.Errorf("ResetPassword(weak): got %v, want *password.PolicyError", err)
	}
	reset, err := e.svc.ResetPassword(e.ctx, "ada@example.com", code, otherPW, resetClient)
	if err != nil || reset.Email != "ada@example.com" || reset.ID == "" || reset.PasswordHash != "" {
		t.Fatalf("ResetPassword = %v, %v; want the reset account, without its hash", reset, err)
	}
	if _, err := e.svc.ResetPassword(e.ctx, "ada@example.com", code, "Third-Password-3", resetClient); err != errs.ErrInvalidCode {
		t.Errorf("ResetPassword with a used code: got %v, want errs.ErrInvalidCode", err)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: otherPW}); err != nil {
		t.Errorf("Authenticate with the reset password: %v", err)
	}
	h, _ := e.st.History(e.ctx, a.ProfileID, 0, 1)
	if len(h) != 1 || h[0].Item != "password" {
		t.Errorf("newest history = %+v, want password set", h)
	}
}

func TestPasswordResetNeedsResetCode(t *testing.T) {
	e := newEnv(t)
	a := e.signUp("ada@example.com")
	// A code of another purpose for the same flow id does not reset.
	if err := e.codes.Issue(e.ctx, "merge", a.ID, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResetPassword(e.ctx, "ada@example.com", e.code("ada@example.com"), otherPW, resetClient); err != errs.ErrInvalidCode {
		t.Errorf("ResetPassword with a merge code: got %v, want errs.ErrInvalidCode", err)
	}
}

func TestPasswordResetDeactivated(t *testing.T) {
	e := newEnv(t)
	a := e.signUp("ada@example.com")
	if err := e.svc.RequestPasswordReset(e.ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	code := e.code("ada@example.com")
	if err := e.svc.AdminDeactivate(e.ctx, support, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResetPassword(e.ctx, "ada@example.com", code, otherPW, resetClient); err != errs.ErrInvalidCode {
		t.Errorf("ResetPassword of a deactivated account: got %v, want errs.ErrInvalidCode", err)
	}
	e.clock.Advance(time.Minute)
	before := len(e.out.Messages())
	if err := e.svc.RequestPasswordReset(e.ctx, "ada@example.com"); err != nil || len(e.out.Messages()) != before {
		t.Errorf("RequestPasswordReset of a deactivated account: %v, %d mails; want nil and none", err, len(e.out.Messages())-before)
	}
}

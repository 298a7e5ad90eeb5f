package account_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

func TestSignUpEndToEnd(t *testing.T) {
	e := newEnv(t)
	pid, err := e.svc.SignUp(e.ctx, "  Ada@Example.com ", goodPW, true)
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if got := e.mails("ada@example.com"); !slices.Equal(got, []string{"Confirm your email address"}) {
		t.Fatalf("mails to ada = %q, want one code", got)
	}
	if _, err := e.svc.ConfirmSignUp(e.ctx, pid, "000000x"); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("ConfirmSignUp(wrong code): got %v, want errs.ErrInvalidCode", err)
	}
	a, err := e.svc.ConfirmSignUp(e.ctx, pid, e.code("ada@example.com"))
	if err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	now := e.clock.Now()
	want := account.Account{
		ID: a.ID, ProfileID: a.ProfileID, Email: "ada@example.com", PasswordChangedAt: now,
		Status: account.StatusActive, Marketing: true, CreatedAt: now,
	}
	if diff := cmp.Diff(want, a); diff != "" || len(a.ID) != 30 || a.ProfileID[:4] != "prf_" || a.ID[:4] != "acc_" {
		t.Errorf("ConfirmSignUp account %s (-want +got):\n%s", a, diff)
	}
	stored, _ := e.st.Account(e.ctx, a.ID)
	if stored.PasswordHash == "" || stored.PasswordHash == goodPW {
		t.Errorf("stored password hash %q is not a hash", stored.PasswordHash)
	}
	p, err := e.st.Profile(e.ctx, a.ProfileID)
	if err != nil || p.Public || p.Name != "" {
		t.Errorf("new profile = %+v, %v; want an empty private profile", p, err)
	}
	h, _ := e.st.History(e.ctx, a.ProfileID, 0, 10)
	if len(h) != 1 || h[0].Item != "account" || h[0].Action != history.ActionAdded || h[0].AccountID != a.ID {
		t.Errorf("history = %+v, want one account added", h)
	}
	if _, err := e.st.Pending(e.ctx, pid); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("pending request after confirmation: %v, want deleted", err)
	}
	if _, err := e.svc.ConfirmSignUp(e.ctx, pid, e.code("ada@example.com")); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("ConfirmSignUp again: got %v, want errs.ErrInvalidCode", err)
	}
	res, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ADA@example.com", Password: goodPW})
	if err != nil || res.Account.ID != a.ID || res.Account.PasswordHash != "" {
		t.Errorf("Authenticate after sign-up = %v, %v", res.Account, err)
	}
}

func TestSignUpRefusals(t *testing.T) {
	tests := []struct {
		name, email, pw string
		want            error
		violations      []password.Violation
	}{
		{"InvalidEmail", "ada@", goodPW, account.ErrInvalidEmail, nil},
		{"DisplayName", "Ada <ada@example.com>", goodPW, account.ErrInvalidEmail, nil},
		{"WeakPassword", "ada@example.com", "short", nil, []password.Violation{password.TooShort, password.NoUpper, password.NoDigit, password.NoSpecial}},
		{"SSOCompany", "ada@sso.example", goodPW, account.ErrSSORequired, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.svc.SignUp(e.ctx, tc.email, tc.pw, false)
			if tc.violations != nil {
				var pe *password.PolicyError
				if !errors.As(err, &pe) || !slices.Equal(pe.Violations, tc.violations) {
					t.Fatalf("got %v, want violations %v", err, tc.violations)
				}
			} else {
				wantErr(t, "SignUp", err, tc.want)
			}
			if n := e.hasher.hash.Load(); n != 0 {
				t.Errorf("refused sign-up hashed the password %d times", n)
			}
			if n := len(e.out.Messages()); n != 0 {
				t.Errorf("refused sign-up sent %d mails", n)
			}
		})
	}
}

// A sign-up for a registered address looks, to the caller, exactly like
// one for a new address: same result shape, same hashing, same throttle,
// and the id never confirms.
func TestSignUpRegisteredAddressIsHidden(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	e.clock.Advance(verification.DefaultWindow) // Ada's sign-up code no longer counts
	before := len(e.out.Messages())
	hashes := e.hasher.hash.Load()

	pidTaken, errTaken := e.svc.SignUp(e.ctx, "ADA@example.com", otherPW, false)
	pidNew, errNew := e.svc.SignUp(e.ctx, "bob@example.com", otherPW, false)
	if errTaken != nil || errNew != nil {
		t.Fatalf("SignUp errors: taken %v, new %v; want nil, nil", errTaken, errNew)
	}
	if len(pidTaken) != len(pidNew) || pidTaken[:4] != pidNew[:4] {
		t.Errorf("pending ids differ in shape: %q vs %q", pidTaken, pidNew)
	}
	if got := e.hasher.hash.Load() - hashes; got != 2 {
		t.Errorf("hashes for the two sign-ups = %d, want 2 (one each)", got)
	}
	// Each address gets one mail: the new one its code, the registered
	// one a notice for its owner that carries no code.
	sent := e.out.Messages()[before:]
	if len(sent) != 2 {
		t.Fatalf("mails sent = %d, want 2 (a code to the new address, a notice to the owner)", len(sent))
	}
	for _, m := range sent {
		if m.To == "ada@example.com" && (!strings.Contains(m.Subject, "tried to create an account") || regexp.MustCompile(`\b\d{6}\b`).MatchString(m.Body)) {
			t.Errorf("mail to the owner = %q / %q, want the sign-up attempt notice without a code", m.Subject, m.Body)
		}
	}
	// Both addresses are throttled alike: the burst, then ErrThrottled.
	for i := range verification.DefaultBurst {
		_, errTaken = e.svc.SignUp(e.ctx, "ada@example.com", otherPW, false)
		_, errNew = e.svc.SignUp(e.ctx, "bob@example.com", otherPW, false)
		if want := i < verification.DefaultBurst-1; (errTaken == nil) != want || (errNew == nil) != want {
			t.Errorf("sign-up %d at once: taken %v, new %v; want both to succeed: %v", i+2, errTaken, errNew, want)
		}
	}
	if !errors.Is(errTaken, verification.ErrThrottled) || !errors.Is(errNew, verification.ErrThrottled) {
		t.Errorf("sign-up past the burst: taken %v, new %v; want ErrThrottled for both", errTaken, errNew)
	}
	// The owner heard of the attempts once: at most one notice an hour.
	if got := e.mails("ada@example.com"); len(got) != 2 { // the code of the sign-up, one notice
		t.Errorf("mails to the owner = %q, want the sign-up code and one notice", got)
	}
	for _, code := range []string{"000000", "123456", e.code("bob@example.com")} {
		if _, err := e.svc.ConfirmSignUp(e.ctx, pidTaken, code); err != errs.ErrInvalidCode {
			t.Errorf("ConfirmSignUp(registered address, %s): got %v, want errs.ErrInvalidCode", code, err)
		}
	}
}

func TestConfirmSignUpPendingExpires(t *testing.T) {
	e := newEnv(t)
	pid, err := e.svc.SignUp(e.ctx, "ada@example.com", goodPW, false)
	if err != nil {
		t.Fatal(err)
	}
	code := e.code("ada@example.com")
	e.clock.Advance(10 * time.Minute)
	if _, err := e.svc.ConfirmSignUp(e.ctx, pid, code); err != errs.ErrInvalidCode {
		t.Errorf("ConfirmSignUp(expired code): got %v, want errs.ErrInvalidCode", err)
	}
	e.clock.Advance(account.DefaultPendingTTL)
	if n, err := e.svc.DeleteExpiredPending(e.ctx); err != nil || n != 1 {
		t.Errorf("DeleteExpiredPending = %d, %v; want 1", n, err)
	}
}

func TestConfirmSignUpRace(t *testing.T) {
	const n = 16
	e := newEnv(t)
	pid, err := e.svc.SignUp(e.ctx, "ada@example.com", goodPW, false)
	if err != nil {
		t.Fatal(err)
	}
	code := e.code("ada@example.com")
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Go(func() { _, results[i] = e.svc.ConfirmSignUp(e.ctx, pid, code) })
	}
	wg.Wait()
	ok := 0
	for i, err := range results {
		switch {
		case err == nil:
			ok++
		case err != errs.ErrInvalidCode:
			t.Errorf("goroutine %d: got %v, want nil or errs.ErrInvalidCode", i, err)
		}
	}
	a, err := e.st.AccountByEmail(e.ctx, "ada@example.com")
	accts, _ := e.st.AccountsOfProfile(e.ctx, a.ProfileID)
	if ok != 1 || err != nil || len(accts) != 1 {
		t.Errorf("%d of %d confirmations succeeded, %d accounts; want exactly 1", ok, n, len(accts))
	}
}

func TestConfirmSignUpLostEmailRace(t *testing.T) {
	e := newEnv(t)
	first, err := e.svc.SignUp(e.ctx, "ada@example.com", goodPW, false)
	if err != nil {
		t.Fatal(err)
	}
	code1 := e.code("ada@example.com")
	e.clock.Advance(time.Minute)
	second, err := e.svc.SignUp(e.ctx, "ada@example.com", otherPW, false)
	if err != nil {
		t.Fatal(err)
	}
	code2 := e.code("ada@example.com")
	if _, err := e.svc.ConfirmSignUp(e.ctx, second, code2); err != nil {
		t.Fatalf("ConfirmSignUp(second): %v", err)
	}
	// The first flow's code is still live (its own flow) but the address
	// is taken now; nothing of the failed confirmation remains.
	_, err = e.svc.ConfirmSignUp(e.ctx, first, code1)
	if !errors.Is(err, account.ErrEmailTaken) {
		t.Errorf("ConfirmSignUp(first) after the address was taken: got %v, want ErrEmailTaken", err)
	}
}

func TestAddAccount(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.addAccount(ada.ID, "Bob@Mendix.example")
	if bob.ProfileID != ada.ProfileID || bob.Email != "bob@mendix.example" || !bob.Marketing {
		t.Errorf("added account = %s marketing=%v, want bob@mendix.example on %s", bob, bob.Marketing, ada.ProfileID)
	}
	if got := e.mails("ada@example.com"); !slices.Contains(got, "An account was added to your profile") {
		t.Errorf("mails to ada = %q, want the account-added notice", got)
	}
	views, err := e.svc.Accounts(e.ctx, e.as(bob.ID))
	if err != nil {
		t.Fatal(err)
	}
	want := []account.AccountView{
		{ID: ada.ID, Email: "ada@example.com", Status: account.StatusActive, CreatedAt: ada.CreatedAt, PasswordChangedAt: ada.CreatedAt},
		{ID: bob.ID, Email: "bob@mendix.example", Company: "Mendix", Status: account.StatusActive, CreatedAt: bob.CreatedAt, PasswordChangedAt: bob.CreatedAt, SignedIn: true},
	}
	if diff := cmp.Diff(want, views); diff != "" {
		t.Errorf("Accounts (-want +got):\n%s", diff)
	}
	h, _ := e.st.History(e.ctx, ada.ProfileID, 0, 1)
	if len(h) != 1 || h[0].Item != "account" || h[0].AccountID != ada.ID || h[0].Detail != bob.ID {
		t.Errorf("newest history entry = %+v, want account %s added by %s", h, bob.ID, ada.ID)
	}
}

func TestAddAccountBoundToRequester(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	eve := e.signUp("eve@example.com")
	pid, err := e.svc.AddAccount(e.ctx, e.as(ada.ID), "bob@example.com", goodPW, false)
	if err != nil {
		t.Fatal(err)
	}
	code := e.code("bob@example.com")
	if _, err := e.svc.ConfirmAddAccount(e.ctx, e.as(eve.ID), pid, code); err != errs.ErrInvalidCode {
		t.Errorf("ConfirmAddAccount by another account: got %v, want errs.ErrInvalidCode", err)
	}
	if _, err := e.svc.ConfirmSignUp(e.ctx, pid, code); err != errs.ErrInvalidCode {
		t.Errorf("ConfirmSignUp with an add-account request: got %v, want errs.ErrInvalidCode", err)
	}
	if _, err := e.svc.ConfirmAddAccount(e.ctx, e.as(ada.ID), pid, code); err != nil {
		t.Errorf("ConfirmAddAccount by the requester: %v", err)
	}
}

func TestAddAccountSSO(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	_, err := e.svc.AddAccount(e.ctx, e.as(ada.ID), "bob@sso.example", goodPW, false)
	wantErr(t, "AddAccount(SSO address)", err, account.ErrSSORequired)

	// An account of an SSO company (created by the host's federation).
	fed := account.Account{ID: "acc_fed", ProfileID: ada.ProfileID, Email: "ada@sso.example", Status: account.StatusActive}
	if err := e.st.CreateAccount(e.ctx, fed); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AddAccount(e.ctx, e.as(fed.ID), "carol@example.com", goodPW, false)
	wantErr(t, "AddAccount(signed in with SSO)", err, account.ErrSSORequired)
	if n := len(e.mails("bob@sso.example")) + len(e.mails("carol@example.com")); n != 0 {
		t.Errorf("refused add-account sent %d mails", n)
	}
}

func TestAddAccountDeactivated(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	if err := e.svc.AdminDeactivate(e.ctx, support, ada.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.AddAccount(e.ctx, e.as(ada.ID), "bob@example.com", goodPW, false)
	wantErr(t, "AddAccount(deactivated)", err, auth.ErrForbidden)
}

// Adding an account with a registered address answers like a new address,
// sends no code and tells the address's owner, at most once an hour.
func TestAddAccountRegisteredAddressNotifiesOwner(t *testing.T) {
	e := newEnv(t)
	me := e.signUp("me@example.com")
	e.signUp("ada@example.com")
	before := len(e.mails("ada@example.com"))
	hashes := e.hasher.hash.Load()
	pidTaken, errTaken := e.svc.AddAccount(e.ctx, e.as(me.ID), "Ada@example.com", otherPW, false)
	pidNew, errNew := e.svc.AddAccount(e.ctx, e.as(me.ID), "new@example.com", otherPW, false)
	if errTaken != nil || errNew != nil || len(pidTaken) != len(pidNew) || pidTaken[:4] != pidNew[:4] {
		t.Fatalf("AddAccount: taken %q, %v; new %q, %v; want the same shape", pidTaken, errTaken, pidNew, errNew)
	}
	if got := e.hasher.hash.Load() - hashes; got != 2 {
		t.Errorf("hashes for the two requests = %d, want 2 (one each)", got)
	}
	got := e.mails("ada@example.com")[before:]
	if len(got) != 1 || !strings.Contains(got[0], "tried to create an account") {
		t.Fatalf("mails to the owner = %q, want one attempt notice", got)
	}
	if m, _ := e.out.Last("ada@example.com"); regexp.MustCompile(`\b\d{6}\b`).MatchString(m.Body) {
		t.Errorf("the notice carries a code: %q", m.Body)
	}
	if _, err := e.svc.ConfirmAddAccount(e.ctx, e.as(me.ID), pidTaken, e.code("new@example.com")); err != errs.ErrInvalidCode {
		t.Errorf("ConfirmAddAccount(registered address): %v, want errs.ErrInvalidCode", err)
	}
	// A second attempt within the hour tells the owner nothing more; an
	// attempt an hour later does.
	e.clock.Advance(30 * time.Minute)
	if _, err := e.svc.AddAccount(e.ctx, e.as(me.ID), "ada@example.com", otherPW, false); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mails("ada@example.com")) - before; n != 1 {
		t.Errorf("notices within an hour = %d, want 1", n)
	}
	e.clock.Advance(30 * time.Minute)
	if _, err := e.svc.AddAccount(e.ctx, e.as(me.ID), "ada@example.com", otherPW, false); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mails("ada@example.com")) - before; n != 2 {
		t.Errorf("notices after an hour = %d, want 2", n)
	}
}

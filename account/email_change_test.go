package account_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// withRevokers rebuilds e.svc with the recording Revoker and returns it.
func withRevokers(e *env) *revocations {
	var got revocations
	e.svc = account.NewService(account.Config{
		Accounts: e.st, Profiles: e.st, History: e.st, Tx: e.st, Codes: e.codes,
		Notices: &notify.Notifier{Mailer: e.out}, Hasher: e.hasher, Companies: testCompanies,
		Revokers: []account.Revoker{&got}, Now: e.clock.Now, Limiter: e.st, SecurityLog: e.log,
	})
	return &got
}

const (
	subjectNewCode      = "Confirm your new login email"
	subjectEmailChanged = "Your login email was changed"
	subjectEmailAttempt = "Someone tried to use your address for another account"
)

func TestEmailChange(t *testing.T) {
	e := newEnv(t)
	revoked := withRevokers(e)
	ada := e.signUp("ada@example.com")
	c := e.as(ada.ID)
	c.Client = auth.Client{IP: "192.0.2.9"}
	pid, err := e.svc.RequestEmailChange(e.ctx, c, ada.ID, " Ada.L@Example.org ")
	if err != nil {
		t.Fatalf("RequestEmailChange: %v", err)
	}
	if got := e.mails("ada.l@example.org"); !slices.Equal(got, []string{subjectNewCode}) {
		t.Errorf("mails to the new address = %q, want the code", got)
	}
	// Nothing changes before the code.
	if a, _ := e.st.Account(e.ctx, ada.ID); a.Email != "ada@example.com" {
		t.Fatalf("email before confirmation = %q", a.Email)
	}
	code := e.code("ada.l@example.org")
	if _, err := e.svc.ConfirmEmailChange(e.ctx, c, pid, wrong(code)); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("ConfirmEmailChange(wrong code) = %v, want ErrInvalidCode", err)
	}
	got, err := e.svc.ConfirmEmailChange(e.ctx, c, pid, code)
	if err != nil {
		t.Fatalf("ConfirmEmailChange: %v", err)
	}
	if got.Email != "ada.l@example.org" || got.PasswordHash != "" {
		t.Errorf("ConfirmEmailChange = %v, want the new address and no hash", got)
	}
	if got := e.mails("ada@example.com"); !slices.Contains(got, subjectEmailChanged) {
		t.Errorf("mails to the old address = %q, want the notice", got)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada.l@example.org", Password: goodPW}); err != nil {
		t.Errorf("Authenticate(new address): %v", err)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW}); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("Authenticate(old address) = %v, want ErrInvalidCredentials", err)
	}
	want := revocations{{AccountID: ada.ID, Change: account.ChangeEmailChanged, KeepSession: c.SessionID}}
	if diff := cmp.Diff(want, *revoked); diff != "" {
		t.Errorf("revocations (-want +got):\n%s", diff)
	}
	ev, _ := e.st.SecurityEvents(e.ctx, ada.ProfileID, securitylog.Position{}, 10)
	if !slices.ContainsFunc(ev, func(x securitylog.Event) bool {
		return x.Kind == securitylog.EmailChanged && x.AccountID == ada.ID && x.IP == "192.0.2.9" && x.Detail == "ada.l@example.org"
	}) {
		t.Errorf("security events = %+v, want email_changed with the caller's client", ev)
	}
	hist, _ := e.st.History(e.ctx, ada.ProfileID, 0, 10)
	if !slices.ContainsFunc(hist, func(h history.Entry) bool { return h.Item == "email" && h.AccountID == ada.ID }) {
		t.Errorf("history = %v, want the email change", hist)
	}
	// The code is spent and the request gone.
	if _, err := e.svc.ConfirmEmailChange(e.ctx, c, pid, code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("ConfirmEmailChange(again) = %v, want ErrInvalidCode", err)
	}
	// The old address is free for someone else.
	e.signUp("ada@example.com")
}

// TestEmailChangeTakenLooksFree checks that a taken address is answered
// as a free one: a pending id, the same throttle, no code (a notice to
// its owner instead), and a confirmation that fails like a wrong code.
func TestEmailChangeTakenLooksFree(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	e.signUp("bob@example.com")
	before := len(e.mails("bob@example.com"))
	c := e.as(ada.ID)
	pid, err := e.svc.RequestEmailChange(e.ctx, c, ada.ID, "bob@example.com")
	if err != nil || pid == "" {
		t.Fatalf("RequestEmailChange(taken) = %q, %v; want a pending id", pid, err)
	}
	if got := e.mails("bob@example.com")[before:]; !slices.Equal(got, []string{subjectEmailAttempt}) {
		t.Errorf("mails to the taken address = %q, want only the notice", got)
	}
	for _, code := range []string{"000000", "123456"} {
		if _, err := e.svc.ConfirmEmailChange(e.ctx, c, pid, code); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("ConfirmEmailChange(taken) = %v, want ErrInvalidCode", err)
		}
	}
	if a, _ := e.st.Account(e.ctx, ada.ID); a.Email != "ada@example.com" {
		t.Errorf("email after a refused change = %q", a.Email)
	}
	// The throttle is the same for a taken and a free address.
	for _, addr := range []string{"bob@example.com", "free@example.com"} {
		n := 0
		for ; n < 10; n++ {
			if _, err := e.svc.RequestEmailChange(e.ctx, c, ada.ID, addr); err != nil {
				if !errors.Is(err, verification.ErrThrottled) {
					t.Fatalf("RequestEmailChange(%s) = %v", addr, err)
				}
				break
			}
		}
		if want := verification.DefaultBurst; addr == "free@example.com" && n != want || addr == "bob@example.com" && n != want-1 {
			t.Errorf("requests to %s before the throttle = %d", addr, n)
		}
	}
	// The owner is told at most once an hour.
	if got := e.mails("bob@example.com")[before:]; len(got) != 1 {
		t.Errorf("notices to the taken address = %d, want 1", len(got))
	}
}

func TestEmailChangeRefusals(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.addAccount(ada.ID, "bob@example.com")
	eve := e.signUp("eve@example.com")
	stale := e.as(ada.ID)
	stale.AuthenticatedAt = e.clock.Now().Add(-auth.DefaultFreshFor)
	tok := e.as(ada.ID)
	tok.Method = auth.MethodToken
	linked := ssoAccount(t, e, "carol@example.com")
	byDomain := ssoAccount(t, e, "dan@sso.example")
	tests := []struct {
		name      string
		c         auth.Caller
		accountID string
		email     string
		want      error
	}{
		{"Stale", stale, ada.ID, "new@example.com", auth.ErrReauthenticationRequired},
		{"Token", tok, ada.ID, "new@example.com", auth.ErrForbidden},
		{"OtherProfile", e.as(eve.ID), bob.ID, "new@example.com", account.ErrNotFound},
		{"Unknown", e.as(ada.ID), "acc_nope", "new@example.com", account.ErrNotFound},
		{"InvalidEmail", e.as(ada.ID), ada.ID, "new@", account.ErrInvalidEmail},
		{"Unchanged", e.as(ada.ID), ada.ID, "ADA@example.com", account.ErrEmailUnchanged},
		{"ToSSOCompany", e.as(ada.ID), ada.ID, "ada@sso.example", account.ErrSSORequired},
		{"LinkedAccount", e.as(linked.ID), linked.ID, "new@example.com", account.ErrSSOManaged},
		{"SSOCompanyAccount", e.as(byDomain.ID), byDomain.ID, "new@example.com", account.ErrSSOManaged},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.RequestEmailChange(e.ctx, tc.c, tc.accountID, tc.email)
			wantErr(t, "RequestEmailChange", err, tc.want)
		})
	}
	if errs.KindOf(account.ErrEmailUnchanged) != errs.Invalid {
		t.Errorf("ErrEmailUnchanged is not of kind Invalid")
	}

	// Another account of the caller's profile can change; a caller of
	// another profile cannot confirm it.
	pid, err := e.svc.RequestEmailChange(e.ctx, e.as(ada.ID), bob.ID, "robert@example.com")
	if err != nil {
		t.Fatal(err)
	}
	code := e.code("robert@example.com")
	if _, err := e.svc.ConfirmEmailChange(e.ctx, e.as(eve.ID), pid, code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("ConfirmEmailChange(other profile) = %v, want ErrInvalidCode", err)
	}
	if _, err := e.svc.ConfirmEmailChange(e.ctx, stale, pid, code); !errors.Is(err, auth.ErrReauthenticationRequired) {
		t.Errorf("ConfirmEmailChange(stale) = %v", err)
	}
	// The address was taken between the request and the confirmation.
	e.signUp("robert@example.com")
	if _, err := e.svc.ConfirmEmailChange(e.ctx, e.as(ada.ID), pid, code); !errors.Is(err, account.ErrEmailTaken) {
		t.Errorf("ConfirmEmailChange(taken meanwhile) = %v, want ErrEmailTaken", err)
	}
}

// ssoAccount stores an account that signs in through single sign-on: a
// linked one, or one of a single-sign-on company's domain.
func ssoAccount(t *testing.T, e *env, email string) account.Account {
	t.Helper()
	a := account.Account{
		ID: "acc_" + email[:3], ProfileID: "prf_" + email[:3], Email: email, Status: account.StatusActive,
		CreatedAt: e.clock.Now(), PasswordChangedAt: e.clock.Now(),
	}
	if err := e.st.CreateProfile(e.ctx, profile.Profile{ID: a.ProfileID, CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if email == "carol@example.com" {
		a.SSOConnection, a.SSOSubject = "con_1", "sub-carol"
	}
	if err := e.st.CreateAccount(e.ctx, a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAdminChangeEmail(t *testing.T) {
	e := newEnv(t)
	revoked := withRevokers(e)
	ada := e.signUp("ada@example.com")
	e.signUp("bob@example.com")
	got, err := e.svc.AdminChangeEmail(e.ctx, support, ada.ID, "Ada@New.example")
	if err != nil || got.Email != "ada@new.example" || got.PasswordHash != "" {
		t.Fatalf("AdminChangeEmail = %v, %v", got, err)
	}
	if m := e.mails("ada@example.com"); !slices.Contains(m, subjectEmailChanged) {
		t.Errorf("mails to the old address = %q, want the notice", m)
	}
	if m := e.mails("ada@new.example"); len(m) != 0 {
		t.Errorf("mails to the new address = %q, want none (the host verified it)", m)
	}
	want := revocations{{AccountID: ada.ID, Change: account.ChangeEmailChanged}}
	if diff := cmp.Diff(want, *revoked); diff != "" {
		t.Errorf("revocations (-want +got):\n%s", diff)
	}
	ev, _ := e.st.SecurityEvents(e.ctx, ada.ProfileID, securitylog.Position{}, 10)
	kinds := []securitylog.Kind{}
	for _, x := range ev {
		kinds = append(kinds, x.Kind)
		if x.Kind == securitylog.EmailChanged && x.Admin != support.ID {
			t.Errorf("email_changed event without the admin: %+v", x)
		}
	}
	if !slices.Contains(kinds, securitylog.EmailChanged) || !slices.Contains(kinds, securitylog.Admin) {
		t.Errorf("security log kinds = %v, want email_changed and admin", kinds)
	}
	hist, _ := e.st.History(e.ctx, ada.ProfileID, 0, 10)
	if !slices.ContainsFunc(hist, func(h history.Entry) bool { return h.Item == "email" }) {
		t.Errorf("history = %v, want the email change", hist)
	}

	// Setting the current address changes nothing.
	n := len(e.out.Messages())
	if _, err := e.svc.AdminChangeEmail(e.ctx, support, ada.ID, "ada@new.example"); err != nil || len(e.out.Messages()) != n || len(*revoked) != 1 {
		t.Errorf("AdminChangeEmail(same) = %v; mails %d→%d, revocations %d", err, n, len(e.out.Messages()), len(*revoked))
	}
	_, err = e.svc.AdminChangeEmail(e.ctx, support, ada.ID, "BOB@example.com")
	wantErr(t, "AdminChangeEmail(taken)", err, account.ErrEmailTaken)
	_, err = e.svc.AdminChangeEmail(e.ctx, support, "acc_nope", "x@example.com")
	wantErr(t, "AdminChangeEmail(unknown)", err, account.ErrNotFound)
	_, err = e.svc.AdminChangeEmail(e.ctx, auth.Admin{ID: "x"}, ada.ID, "x@example.com")
	wantErr(t, "AdminChangeEmail(no reason)", err, auth.ErrInvalidCaller)
	_, err = e.svc.AdminChangeEmail(e.ctx, support, ada.ID, "not an address")
	wantErr(t, "AdminChangeEmail(invalid)", err, account.ErrInvalidEmail)
	if a, _ := e.st.Account(e.ctx, ada.ID); a.Email != "ada@new.example" {
		t.Errorf("email after refused changes = %q", a.Email)
	}
	e.clock.Advance(time.Minute)
}

// wrong returns a code that is not code.
func wrong(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

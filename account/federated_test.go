package account_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
)

var ident = account.SSOIdentity{Connection: "acme", Subject: "sub-ann", Email: "Ann@Linked.example", Company: "Acme"}

func TestCreateFederated(t *testing.T) {
	e := newEnv(t)
	a, err := e.svc.CreateFederated(e.ctx, ident)
	if err != nil {
		t.Fatal(err)
	}
	if a.Email != "ann@linked.example" || !a.SSO() || a.SSOSubject != "sub-ann" || a.PasswordHash != "" || a.Status != account.StatusActive {
		t.Errorf("CreateFederated = %+v (%s), want an active SSO account without password", a, a.SSOConnection)
	}
	if _, err := e.st.Profile(e.ctx, a.ProfileID); err != nil {
		t.Errorf("the new profile: %v", err)
	}
	h, _ := e.st.History(e.ctx, a.ProfileID, 0, 10)
	if len(h) != 1 || h[0].Item != "account" {
		t.Errorf("history = %+v, want the account added", h)
	}
	// The same address or identity again is a conflict that leaves nothing.
	for name, id := range map[string]account.SSOIdentity{
		"same email":   {Connection: "acme", Subject: "other", Email: "ann@linked.example"},
		"same subject": {Connection: "acme", Subject: "sub-ann", Email: "ann2@linked.example"},
	} {
		if _, err := e.svc.CreateFederated(e.ctx, id); !errors.Is(err, account.ErrEmailTaken) {
			t.Errorf("CreateFederated(%s) = %v, want ErrEmailTaken", name, err)
		}
	}
	if _, err := e.st.AccountByEmail(e.ctx, "ann2@linked.example"); err == nil {
		t.Error("a refused CreateFederated left an account")
	}
	if _, err := e.svc.CreateFederated(e.ctx, account.SSOIdentity{Connection: "acme", Email: "x@linked.example"}); err == nil {
		t.Error("CreateFederated without a subject: got nil error")
	}
	// A federated account uses no password anywhere.
	wantErr(t, "ChangePassword", e.svc.ChangePassword(e.ctx, e.as(a.ID), goodPW, otherPW), account.ErrSSOManaged)
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: a.Email, Password: ""}); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("Authenticate = %v, want ErrInvalidCredentials", err)
	}
	if _, err := e.svc.AddAccount(e.ctx, e.as(a.ID), "new@example.com", goodPW, false); !errors.Is(err, account.ErrSSORequired) {
		t.Errorf("AddAccount from a federated account = %v, want ErrSSORequired", err)
	}
	if _, err := e.svc.ResetPassword(e.ctx, a.Email, "123456", goodPW, resetClient); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("ResetPassword of a federated account = %v, want errs.ErrInvalidCode", err)
	}
	if n := len(e.mails(a.Email)); n != 0 {
		t.Errorf("%d mails to the new account, want none", n)
	}
}

func TestLinkFederated(t *testing.T) {
	e := newEnv(t)
	old := e.signUp("ann@linked.example")
	got, err := e.svc.LinkFederated(e.ctx, old.ID, ident)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := e.st.Account(e.ctx, old.ID)
	if stored.PasswordHash != "" || stored.SSOConnection != "acme" || stored.SSOSubject != "sub-ann" || got.PasswordHash != "" {
		t.Errorf("linked account = %v, want its password retired and the identity bound", stored)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: old.Email, Password: goodPW}); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("Authenticate with the retired password = %v, want ErrInvalidCredentials", err)
	}
	h, _ := e.st.History(e.ctx, old.ProfileID, 0, 10)
	if len(h) == 0 || h[0].Item != "account_sso" || h[0].Detail != "acme" {
		t.Errorf("history = %+v, want the link newest", h)
	}
	mails := e.mails(old.Email)
	if len(mails) == 0 || !strings.Contains(mails[len(mails)-1], "single sign-on") {
		t.Errorf("mails = %q, want a notice about single sign-on", mails)
	}

	wantErr(t, "LinkFederated(twice)", func() error { _, err := e.svc.LinkFederated(e.ctx, old.ID, ident); return err }(), account.ErrSSOLinked)
	other := e.signUp("bob@linked.example")
	_, err = e.svc.LinkFederated(e.ctx, other.ID, account.SSOIdentity{Connection: "acme", Subject: "sub-ann", Email: other.Email})
	wantErr(t, "LinkFederated(identity of another account)", err, account.ErrSSOLinked)
	if a, _ := e.st.Account(e.ctx, other.ID); a.PasswordHash == "" {
		t.Error("a refused link retired the password")
	}
	if err := e.svc.AdminDeactivate(e.ctx, support, other.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.LinkFederated(e.ctx, other.ID, account.SSOIdentity{Connection: "acme", Subject: "sub-bob", Email: other.Email})
	wantErr(t, "LinkFederated(deactivated)", err, auth.ErrForbidden)
	_, err = e.svc.LinkFederated(e.ctx, "acc_nobody", ident)
	wantErr(t, "LinkFederated(unknown)", err, account.ErrNotFound)
}

func TestSSOCompanyRefusesPasswords(t *testing.T) {
	e := newEnv(t)
	_, resetErr := e.svc.ResetPassword(e.ctx, "ann@sso.example", "123456", goodPW, resetClient)
	for _, err := range []error{e.svc.RequestPasswordReset(e.ctx, "ann@sso.example"), resetErr} {
		wantErr(t, "password reset on an SSO domain", err, account.ErrSSOManaged)
	}
}

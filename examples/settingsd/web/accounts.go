package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
)

// accountsData is the content of the Accounts page.
type accountsData struct {
	Accounts []account.AccountView
	// Expired shows only the password-expired notice and the password
	// form: the SDK refuses such a session everything else
	// (auth.ErrPasswordExpired).
	Expired bool
	// SSO is true when the signed-in account's company uses single
	// sign-on: its password is managed there and Create Account is hidden.
	SSO   bool
	Rules []string
	Email string
	ID    string
	// Unprotected lists the active accounts without a second factor of
	// a profile whose other account has one: they read the same personal
	// data, so the page warns (none when every account of the profile
	// needs one, as with usersettings.Options.TwoFactorProfileWide).
	Unprotected []string
	// PasskeysOn shows the passkeys section (passkeys are on, the
	// password has not expired, the company does not sign the account
	// in); Passkeys are the account's.
	PasskeysOn bool
	Passkeys   []passkeyRow
}

func (w *Web) accountsPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderAccounts(rw, r, c, http.StatusOK, nil)
}

func (w *Web) renderAccounts(rw http.ResponseWriter, r *http.Request, c *caller, status int, f *form) {
	d := accountsData{Rules: policyRules(w.policy), Email: c.acct.Email}
	list, err := w.s.Accounts.Accounts(r.Context(), w.as(r, c))
	switch {
	case errors.Is(err, auth.ErrPasswordExpired):
		d.Expired = true
	case err != nil:
		w.fail(rw, r, err)
		return
	}
	d.Accounts = list
	for _, a := range list {
		if a.SignedIn {
			d.SSO = a.SSO
		}
	}
	if !d.Expired {
		if d.Unprotected, err = w.unprotected(r, c, list); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	if d.PasskeysOn = w.s.Passkeys.Enabled() && !d.Expired && !d.SSO; d.PasskeysOn {
		if d.Passkeys, err = w.passkeysOf(r, c); err != nil {
			w.fail(rw, r, err)
			return
		}
		if f == nil {
			f = newForm()
		}
		for _, p := range d.Passkeys { // each rename field shows the name it changes
			if _, ok := f.Values[p.NameField]; !ok {
				f.Values[p.NameField] = p.Name
			}
		}
	}
	p := w.signedInPage(rw, r, c, "Accounts", "accounts")
	p.Form, p.Data = f, d
	w.render(rw, r, status, "accounts", p)
}

// unprotected returns the addresses of the accounts of list that sign
// in without a second factor while another of them has one.
func (w *Web) unprotected(r *http.Request, c *caller, list []account.AccountView) ([]string, error) {
	ids, err := w.s.TwoFactor.Unprotected(r.Context(), w.as(r, c))
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var out []string
	for _, a := range list {
		if slices.Contains(ids, a.ID) {
			out = append(out, a.Email)
		}
	}
	return out, nil
}

// changePassword replaces the signed-in account's password; the other
// sessions of the account end and this one is no longer restricted.
func (w *Web) changePassword(rw http.ResponseWriter, r *http.Request, c *caller) {
	ctx := r.Context()
	next, f := r.PostFormValue("password"), newForm()
	if next != r.PostFormValue("confirm") {
		f.add("confirm", "The two new passwords differ.")
	}
	if f.ok() {
		err := w.s.Accounts.ChangePassword(ctx, w.as(r, c), r.PostFormValue("current"), next)
		switch codeOf(err) {
		case "":
		case "password_policy":
			passwordErrors(f, "password", err, w.policy)
		case "rate_limited":
			f.add("current", signInThrottleMessage(waitOf(err)))
		case "invalid_credentials":
			f.add("current", "The current password is not right.")
		case "password_reused":
			f.add("password", "Choose a password different from the current one.")
		case "sso_required", "sso_managed":
			f.add("password", "Your company manages this password through single sign-on.")
		default:
			w.fail(rw, r, err)
			return
		}
	}
	if !f.ok() {
		w.renderAccounts(rw, r, c, http.StatusUnprocessableEntity, f)
		return
	}
	// The SDK ended the account's other sessions with the change, and
	// lifted the expiry of this one.
	w.setFlash(rw, r, "password_changed")
	seeOther(rw, r, "/accounts")
}

// newAccountPage is Create Account: a new account for this profile.
func (w *Web) newAccountPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	p := w.signedInPage(rw, r, c, "Create Account", "accounts")
	p.Data = w.policyData()
	w.render(rw, r, http.StatusOK, "account_new", p)
}

func (w *Web) newAccount(rw http.ResponseWriter, r *http.Request, c *caller) {
	email := r.PostFormValue("email")
	if !w.allow(rw, r, "add-account", addressKey(email)) {
		return
	}
	marketing := r.PostFormValue("marketing") == "yes"
	id, err := w.s.Accounts.AddAccount(r.Context(), w.as(r, c), email, r.PostFormValue("password"), marketing)
	if err != nil {
		f, ok := w.accountFormErrors(r, err)
		if !ok {
			w.fail(rw, r, err)
			return
		}
		p := w.signedInPage(rw, r, c, "Create Account", "accounts")
		p.Form, p.Data = f, w.policyData()
		w.render(rw, r, http.StatusUnprocessableEntity, "account_new", p)
		return
	}
	seeOther(rw, r, "/accounts/new/verify?id="+url.QueryEscape(id))
}

func (w *Web) newAccountVerifyPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderNewAccountVerify(rw, r, c, http.StatusOK, r.URL.Query().Get("id"), nil)
}

func (w *Web) newAccountVerify(rw http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PostFormValue("id")
	if !w.allow(rw, r, "code", "flow:"+id) {
		return
	}
	_, err := w.s.Accounts.ConfirmAddAccount(r.Context(), w.as(r, c), id, strings.TrimSpace(r.PostFormValue("code")))
	if codeOf(err) == "invalid_code" {
		f := newForm()
		f.add("code", msgBadCode)
		w.renderNewAccountVerify(rw, r, c, http.StatusUnprocessableEntity, id, f)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.setFlash(rw, r, "account_added")
	seeOther(rw, r, "/accounts")
}

// deletePage asks to confirm the deletion of the signed-in account by
// typing its address.
func (w *Web) deletePage(rw http.ResponseWriter, r *http.Request, c *caller) {
	p := w.signedInPage(rw, r, c, "Delete this account", "accounts")
	p.Data = accountsData{Email: c.acct.Email}
	w.render(rw, r, http.StatusOK, "account_delete", p)
}

// deleteAccount deletes the signed-in account with everything stored
// about it (and, with the last account, the profile), then signs out.
func (w *Web) deleteAccount(rw http.ResponseWriter, r *http.Request, c *caller) {
	ctx := r.Context()
	if !strings.EqualFold(strings.TrimSpace(r.PostFormValue("confirm")), c.acct.Email) {
		f := newForm()
		f.add("confirm", fmt.Sprintf("Type %s to confirm.", c.acct.Email))
		p := w.signedInPage(rw, r, c, "Delete this account", "accounts")
		p.Form, p.Data = f, accountsData{Email: c.acct.Email}
		w.render(rw, r, http.StatusUnprocessableEntity, "account_delete", p)
		return
	}
	if err := w.s.Accounts.Delete(ctx, w.as(r, c), c.acct.ID); err != nil {
		w.fail(rw, r, err)
		return
	}
	http.SetCookie(rw, w.cookie(r, handler.CookieName, "", "/", -1))
	w.setFlash(rw, r, "account_deleted")
	seeOther(rw, r, "/signin")
}

package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/seed-a97ca23f/usersettings/account"
)

// emailChangeData is the content of the Change email page and of its
// code page.
type emailChangeData struct {
	// Account is the account whose login email changes.
	Account account.AccountView
	// ID is the pending change, on the code page.
	ID string
}

// emailPage is Change email of one account of the profile: a form for
// the new address. An account of another profile answers 404.
func (w *Web) emailPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderEmail(rw, r, c, http.StatusOK, nil)
}

// renderEmail shows the Change email page of the account of the path
// with the form f (nil: empty).
func (w *Web) renderEmail(rw http.ResponseWriter, r *http.Request, c *caller, status int, f *form) {
	a, ok := w.accountOf(rw, r, c, r.PathValue("id"))
	if !ok {
		return
	}
	p := w.signedInPage(rw, r, c, "Change login email", "accounts")
	p.Form, p.Data = f, emailChangeData{Account: a}
	w.render(rw, r, status, "account_email", p)
}

// accountOf returns the account id of the caller's profile as the
// Accounts page lists it; otherwise it answers (404 for an account of
// someone else) and reports false.
func (w *Web) accountOf(rw http.ResponseWriter, r *http.Request, c *caller, id string) (account.AccountView, bool) {
	list, err := w.s.Accounts.Accounts(r.Context(), w.as(r, c))
	if err != nil {
		w.fail(rw, r, err)
		return account.AccountView{}, false
	}
	for _, a := range list {
		if a.ID == id {
			return a, true
		}
	}
	w.renderError(rw, r, http.StatusNotFound)
	return account.AccountView{}, false
}

// changeEmail asks the SDK to change the account's login email: a code
// goes to the new address (or, for an address that has an account, a
// notice to its owner, with the same answer here), then the code page.
// A stale sign-in confirms the password first and comes back here.
func (w *Web) changeEmail(rw http.ResponseWriter, r *http.Request, c *caller) {
	email := r.PostFormValue("email")
	if !w.allow(rw, r, "email-change", addressKey(email)) {
		return
	}
	id, err := w.s.Accounts.RequestEmailChange(r.Context(), w.as(r, c), r.PathValue("id"), email)
	if err != nil {
		f := newForm()
		f.Values["email"] = email
		if !emailChangeErrors(f, err) {
			w.fail(rw, r, err)
			return
		}
		w.renderEmail(rw, r, c, http.StatusUnprocessableEntity, f)
		return
	}
	seeOther(rw, r, emailVerifyPath(id))
}

// emailVerifyPath is the code page of the pending change id.
func emailVerifyPath(id string) string {
	return "/accounts/email-changes/" + url.PathEscape(id) + "/verify"
}

// emailChangeErrors turns a refusal of the new address into an error of
// the email field and reports whether it was one.
func emailChangeErrors(f *form, err error) bool {
	switch codeOf(err) {
	case "invalid_email":
		f.add("email", msgBadEmail)
	case "email_unchanged":
		f.add("email", "This is already the login email of the account. Enter a new address.")
	case "sso_managed":
		f.add("email", "Your company manages the address of this account through single sign-on.")
	case "sso_required":
		f.add("email", "This company signs in with single sign-on: its addresses cannot be the login email of this account.")
	case "rate_limited":
		f.add("email", throttleMessage(waitOf(err)))
	default:
		return false
	}
	return true
}

// emailVerifyPage asks for the code mailed to the new address.
func (w *Web) emailVerifyPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderEmailVerify(rw, r, c, http.StatusOK, nil)
}

func (w *Web) renderEmailVerify(rw http.ResponseWriter, r *http.Request, c *caller, status int, f *form) {
	id := r.PathValue("id")
	to, ok := w.pendingAddress(rw, r, c, id, "/accounts")
	if !ok {
		return
	}
	p := w.signedInPage(rw, r, c, "Check your email", "accounts")
	p.Form, p.Data = f, emailChangeData{ID: id}
	p.Code = &codeHelp{SentTo: to, Resend: "/accounts/email-changes/" + url.PathEscape(id) + "/resend", Again: "/accounts"}
	w.render(rw, r, status, "account_email_verify", p)
}

// emailVerify confirms the change with the code: the account takes the
// new address and its other sessions end, this one stays.
func (w *Web) emailVerify(rw http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	if !w.allow(rw, r, "code", "flow:"+id) {
		return
	}
	_, err := w.s.Accounts.ConfirmEmailChange(r.Context(), w.as(r, c), id, strings.TrimSpace(r.PostFormValue("code")))
	if code := codeOf(err); code == "invalid_code" || code == "email_taken" {
		f := newForm()
		if code == "email_taken" {
			f.add("code", "The new address got an account of its own meanwhile. Change the email again with another address.")
		} else {
			f.add("code", msgBadCode)
		}
		w.renderEmailVerify(rw, r, c, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.setFlash(rw, r, "email_changed")
	seeOther(rw, r, "/accounts")
}

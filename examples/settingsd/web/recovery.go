package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/seed-a97ca23f/usersettings/account"
)

// forgotRecoveryPage asks a person who lost every login address for the
// verified recovery email of their profile.
func (w *Web) forgotRecoveryPage(rw http.ResponseWriter, r *http.Request) {
	w.render(rw, r, http.StatusOK, "forgot_recovery", w.anonymousPage(rw, r, "Reset through your recovery email"))
}

// forgotRecovery mails a code, and the accounts it can reset, to a
// verified recovery email. Whether the address is one is never said.
func (w *Web) forgotRecovery(rw http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	if !w.allow(rw, r, "code", addressKey(email)) {
		return
	}
	err := w.s.Accounts.RequestRecoveryReset(r.Context(), email)
	if errors.Is(err, account.ErrInvalidEmail) {
		f := newForm()
		f.Values["email"] = email
		f.add("email", "Enter an email address, such as ada@example.com.")
		p := w.anonymousPage(rw, r, "Reset through your recovery email")
		p.Form = f
		w.render(rw, r, http.StatusUnprocessableEntity, "forgot_recovery", p)
		return
	}
	if err != nil {
		w.log.Warn("recovery reset request failed", "route", r.Pattern, "err", err.Error())
	}
	w.setFlash(rw, r, "recovery_sent")
	seeOther(rw, r, "/forgot/recovery/reset")
}

func (w *Web) resetRecoveryPage(rw http.ResponseWriter, r *http.Request) {
	p := w.anonymousPage(rw, r, "Choose a new password")
	p.Data = w.policyData()
	w.render(rw, r, http.StatusOK, "reset_recovery", p)
}

// resetRecovery sets a new password for an account named in the mail to
// the recovery email.
func (w *Web) resetRecovery(rw http.ResponseWriter, r *http.Request) {
	email, acct := r.PostFormValue("email"), r.PostFormValue("account")
	if !w.allow(rw, r, "code", addressKey(email)) {
		return
	}
	_, err := w.s.Accounts.ResetPasswordByRecovery(r.Context(), email, acct,
		strings.TrimSpace(r.PostFormValue("code")), r.PostFormValue("password"))
	if err == nil {
		w.setFlash(rw, r, "password_reset")
		seeOther(rw, r, "/signin")
		return
	}
	f := newForm()
	f.Values["email"], f.Values["account"] = email, acct
	switch {
	case passwordErrors(f, "password", err, w.policy):
	case errors.Is(err, account.ErrInvalidCode):
		f.add("code", msgBadCode)
	case errors.Is(err, account.ErrInvalidEmail):
		f.add("email", "Enter an email address, such as ada@example.com.")
	default:
		w.fail(rw, r, err)
		return
	}
	p := w.anonymousPage(rw, r, "Choose a new password")
	p.Form, p.Data = f, w.policyData()
	w.render(rw, r, http.StatusUnprocessableEntity, "reset_recovery", p)
}

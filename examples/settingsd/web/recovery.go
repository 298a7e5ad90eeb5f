package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/seed-a97ca23f/usersettings/verification"
)

// forgotRecoveryPage asks a person who lost every login address for the
// verified recovery email of their profile.
func (w *Web) forgotRecoveryPage(rw http.ResponseWriter, r *http.Request) {
	w.render(rw, r, http.StatusOK, "forgot_recovery", w.anonymousPage(rw, r, "Reset through your recovery email"))
}

// forgotRecovery mails a code, and the accounts it can reset, to a
// verified recovery email. Whether the address is one is never said.
func (w *Web) forgotRecovery(rw http.ResponseWriter, r *http.Request) {
	w.mailCode(rw, r, "forgot_recovery", "Reset through your recovery email", w.s.Accounts.RequestRecoveryReset,
		"recovery_sent", "/forgot/recovery/reset")
}

func (w *Web) resetRecoveryPage(rw http.ResponseWriter, r *http.Request) {
	p := w.anonymousPage(rw, r, "Choose a new password")
	p.Form, p.Data = w.keyedForm(r)
	w.render(rw, r, http.StatusOK, "reset_recovery", p)
}

// resetRecovery sets a new password for an account named in the mail to
// the recovery email.
func (w *Web) resetRecovery(rw http.ResponseWriter, r *http.Request) {
	email, acct := r.PostFormValue("email"), r.PostFormValue("account")
	w.resetWith(rw, r, "reset_recovery", email, func(ctx context.Context, code, pw string) error {
		_, err := w.s.Accounts.ResetPasswordByRecovery(ctx, email, acct, code, pw, w.client(r))
		return err
	}, map[string]string{"account": acct})
}

// CodeLink returns the links that mails of codes give for their keys
// (usersettings.Options.CodeLink), to the reset pages of these pages
// under base, the server's URL as browsers reach it: a password reset
// opens /forgot/reset, a reset through the recovery email
// /forgot/recovery/reset, a sign-in unlock /signin/unlock/code, each with
// the key filled in. Other purposes get no link, and their mails give the
// key itself.
func CodeLink(base string) func(purpose verification.Purpose, key string) string {
	base = strings.TrimSuffix(base, "/")
	return func(purpose verification.Purpose, key string) string {
		switch purpose {
		case verification.PurposePasswordReset:
			return base + "/forgot/reset?key=" + url.QueryEscape(key)
		case verification.PurposeRecoveryReset:
			return base + "/forgot/recovery/reset?key=" + url.QueryEscape(key)
		case verification.PurposeUnlock:
			return base + "/signin/unlock/code?key=" + url.QueryEscape(key)
		}
		return ""
	}
}

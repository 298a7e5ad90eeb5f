package web

import (
	"context"
	"net/http"
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
	p.Form, p.Data = w.requestedEmail(r), w.policyData()
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

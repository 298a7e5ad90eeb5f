package web

import (
	"net/http"
	"strings"

	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
)

// The unlock pages let the owner of an address that strangers keep
// throttled at sign-in prove the mailbox: the mailed code (or the key of
// its link) makes this browser a known device of the account, whose
// right password then gets through on its own budget. The SDK decides
// everything (account.Service.RequestUnlock and Unlock); a stranger's
// requests never keep the owner's code from being mailed or accepted.

func (w *Web) unlockPage(rw http.ResponseWriter, r *http.Request) {
	p := w.anonymousPage(rw, r, "Unlock your sign-in")
	p.Form = w.requestedEmail(r)
	w.render(rw, r, http.StatusOK, "unlock", p)
}

// requestUnlock mails an unlock code to the address; whether it has an
// account is never said.
func (w *Web) requestUnlock(rw http.ResponseWriter, r *http.Request) {
	w.mailCode(rw, r, "unlock", "Unlock your sign-in", w.s.Accounts.RequestUnlock, "unlock_sent", "/signin/unlock/code")
}

func (w *Web) unlockCodePage(rw http.ResponseWriter, r *http.Request) {
	p := w.anonymousPage(rw, r, "Enter the unlock code")
	p.Form, p.Data = w.keyedForm(r)
	w.render(rw, r, http.StatusOK, "unlock_code", p)
}

// unlock checks the code or key: this browser gets the device token of
// the account and is sent to sign in with the password.
func (w *Web) unlock(rw http.ResponseWriter, r *http.Request) {
	if !w.allow(rw, r, "unlock-verify") {
		return
	}
	email, code := r.PostFormValue("email"), strings.TrimSpace(r.PostFormValue("code"))
	device, err := w.s.Accounts.Unlock(r.Context(), email, code)
	if err == nil {
		http.SetCookie(rw, w.cookie(r, handler.DeviceCookieName, device, "/", int(handler.DeviceCookieMaxAge.Seconds())))
		http.SetCookie(rw, w.cookie(r, emailCookie, "", r.URL.Path, -1))
		w.setFlash(rw, r, "unlocked")
		seeOther(rw, r, "/signin")
		return
	}
	f, d, ok := w.codeForm(r, email, err)
	if !ok {
		w.fail(rw, r, err)
		return
	}
	p := w.anonymousPage(rw, r, "Enter the unlock code")
	p.Form, p.Data = f, d
	w.render(rw, r, http.StatusUnprocessableEntity, "unlock_code", p)
}

package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/seed-a97ca23f/usersettings/merge"
)

// codeHelp is the "Didn't get a code?" part of a code page: where the
// code went and the form that sends a new one. The support link comes
// from the page (page.Support).
type codeHelp struct {
	// SentTo says where the code went ("ada@example.com"; a merge's
	// masked address).
	SentTo string
	// Maybe is set when SentTo may not receive it (a merge: the code
	// goes only to an address of the other profile), so the page says
	// "if" and asks to check the address typed.
	Maybe bool
	// Resend is the path the "Send a new code" form posts to, with ID
	// and Choice as hidden fields when set.
	Resend, ID, Choice string
	// Again is where to start over with another address.
	Again string
}

// resendFailed shows the code page again after a refused resend: a
// throttle says how long to wait next to the button; an expired or
// unknown request says to start again.
func (w *Web) resendFailed(rw http.ResponseWriter, r *http.Request, err error, again string, show func(*form)) bool {
	switch codeOf(err) {
	case "rate_limited":
		f := newForm()
		f.add("resend", throttleMessage(waitOf(err)))
		show(f)
	case "pending_expired", "flow_expired", "flow_invalid", "not_found":
		w.setFlash(rw, r, "code_request_expired")
		seeOther(rw, r, again)
	default:
		return false
	}
	return true
}

// signUpResend sends a new sign-up code (a decoy sign-up answers the
// same, as the SDK makes it).
func (w *Web) signUpResend(rw http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("id")
	if !w.allow(rw, r, "resend", "flow:"+id) {
		return
	}
	err := w.s.Accounts.ResendSignUp(r.Context(), id)
	if err == nil {
		w.setFlash(rw, r, "code_resent")
		seeOther(rw, r, "/signup/verify?id="+url.QueryEscape(id))
		return
	}
	if !w.resendFailed(rw, r, err, "/signup", func(f *form) { w.renderSignUpVerify(rw, r, http.StatusTooManyRequests, id, f) }) {
		w.fail(rw, r, err)
	}
}

// renderSignUpVerify shows the sign-up code page of the pending id, or
// sends an unknown or expired one back to the sign-up form.
func (w *Web) renderSignUpVerify(rw http.ResponseWriter, r *http.Request, status int, id string, f *form) {
	to, err := w.s.Accounts.SignUpAddress(r.Context(), id)
	if codeOf(err) == "pending_expired" {
		w.setFlash(rw, r, "code_request_expired")
		seeOther(rw, r, "/signup")
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.anonymousPage(rw, r, "Check your email")
	p.Form, p.Data = f, signInData{ID: id}
	p.Code = &codeHelp{SentTo: to, Resend: "/signup/resend", ID: id, Again: "/signup"}
	w.render(rw, r, status, "signup_verify", p)
}

// newAccountResend sends a new code for the account being added.
func (w *Web) newAccountResend(rw http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PostFormValue("id")
	w.resendPending(rw, r, c, id, "/accounts/new/verify?id="+url.QueryEscape(id), "/accounts/new",
		func(f *form) { w.renderNewAccountVerify(rw, r, c, http.StatusTooManyRequests, id, f) })
}

// renderNewAccountVerify shows the code page of the account being added.
func (w *Web) renderNewAccountVerify(rw http.ResponseWriter, r *http.Request, c *caller, status int, id string, f *form) {
	to, ok := w.pendingAddress(rw, r, c, id, "/accounts/new")
	if !ok {
		return
	}
	p := w.signedInPage(rw, r, c, "Check your email", "accounts")
	p.Form, p.Data = f, signInData{ID: id}
	p.Code = &codeHelp{SentTo: to, Resend: "/accounts/new/resend", ID: id, Again: "/accounts/new"}
	w.render(rw, r, status, "account_verify", p)
}

// emailResend sends a new code for the login-email change of the path.
func (w *Web) emailResend(rw http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	w.resendPending(rw, r, c, id, emailVerifyPath(id), "/accounts",
		func(f *form) { w.renderEmailVerify(rw, r, c, http.StatusTooManyRequests, f) })
}

// resendPending sends a new code for the caller's pending request id and
// goes back to its code page (page), or shows show's page with the
// throttle, or starts again at again.
func (w *Web) resendPending(rw http.ResponseWriter, r *http.Request, c *caller, id, page, again string, show func(*form)) {
	if !w.allow(rw, r, "resend", "flow:"+id) {
		return
	}
	err := w.s.Accounts.ResendPending(r.Context(), w.as(r, c), id)
	if err == nil {
		w.setFlash(rw, r, "code_resent")
		seeOther(rw, r, page)
		return
	}
	if !w.resendFailed(rw, r, err, again, show) {
		w.fail(rw, r, err)
	}
}

// pendingAddress returns where the codes of the caller's pending request
// go; an unknown or expired one goes back to again.
func (w *Web) pendingAddress(rw http.ResponseWriter, r *http.Request, c *caller, id, again string) (string, bool) {
	to, err := w.s.Accounts.PendingAddress(r.Context(), w.as(r, c), id)
	if codeOf(err) == "pending_expired" {
		w.setFlash(rw, r, "code_request_expired")
		seeOther(rw, r, again)
		return "", false
	}
	if err != nil {
		w.fail(rw, r, err)
		return "", false
	}
	return to, true
}

// mergeVerifyPath is the code page of the merge flow id whose code went
// to choice.
func mergeVerifyPath(id string, choice int) string {
	return "/profile/merge/" + url.PathEscape(id) + "/verify?to=" + strconv.Itoa(choice)
}

// mergeChoice reads the choice of where a merge code went (the "to" of
// the code page, the "address" of its forms); -1 when absent.
func mergeChoice(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < merge.ChoiceTyped || n > merge.ChoiceRecovery {
		return -1
	}
	return n
}

// mergeCodeHelp says where the merge code of f went (choice), without
// saying whether anything received it.
func mergeCodeHelp(f merge.Flow, choice int) *codeHelp {
	h := &codeHelp{Maybe: true, Again: "/profile/merge"}
	if choice >= 0 && choice < len(f.Addresses) { // else no resend: start again
		h.SentTo, h.Choice = f.Addresses[choice], strconv.Itoa(choice)
		h.Resend = "/profile/merge/" + url.PathEscape(f.ID) + "/resend"
	}
	return h
}

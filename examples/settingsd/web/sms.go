package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/errs"
)

// SMS two-factor in the pages: enrolment on Developer Settings and "Text
// me a code" at the code step of a sign-in. The SDK (account/twofactor)
// decides everything: the number's form, how soon another code may be
// sent (its ErrTooSoon carries the wait), the lock after wrong codes.

// Messages of the SMS forms.
const (
	msgBadPhone       = "Enter the number in international form: + and the country code, then the number, such as +31 6 1234 5678."
	msgSMSUnavailable = "This server cannot send text messages. Use an authenticator app instead."
	msgSMSExpired     = "The code has expired. Send a new one."
)

// smsEnrolment is an SMS enrolment in progress: the code went to Phone
// (masked).
type smsEnrolment struct{ Phone string }

// phoneOf returns the phone number of the form without the spaces,
// dashes, dots and brackets people type to group digits.
func phoneOf(r *http.Request) string {
	return strings.Map(func(c rune) rune {
		if strings.ContainsRune(" -.()\u00a0", c) {
			return -1
		}
		return c
	}, r.PostFormValue("phone"))
}

// resendMessage says when another code may be texted, from the wait the
// SDK's throttle error carries (errs.RetryAfter).
func resendMessage(wait time.Duration) string {
	return english.Sprintf("We texted you a code moments ago. You can ask for a new one in %d seconds.",
		max(int(math.Ceil(wait.Seconds())), 1))
}

// beginSMS texts a code to the number typed to turn SMS codes on, and
// shows the page with the code form; the number stays in the form, so a
// new code is one click away.
func (w *Web) beginSMS(rw http.ResponseWriter, r *http.Request, c *caller) {
	if !w.allow(rw, r, "code", "2fa:"+c.acct.ID) {
		return
	}
	phone := phoneOf(r)
	err := w.s.TwoFactor.BeginSMS(r.Context(), w.as(r, c), phone)
	f := newForm()
	f.Values["phone"] = phone
	status := http.StatusUnprocessableEntity
	switch codeOf(err) {
	case "":
		w.renderDeveloper(rw, r, c, http.StatusOK, f, developerData{SMS: &smsEnrolment{Phone: twofactor.MaskPhone(phone)}})
		return
	case "invalid_phone":
		f.add("phone", msgBadPhone)
	case "too_soon":
		status = http.StatusTooManyRequests
		rw.Header().Set("Retry-After", strconv.Itoa(errs.RetrySeconds(waitOf(err))))
		f.add("phone", resendMessage(waitOf(err)))
	case "sms_unavailable":
		f.add("phone", msgSMSUnavailable)
	case "already_enabled", "sso_managed":
		seeOther(rw, r, "/developer#two-factor")
		return
	default:
		w.fail(rw, r, err)
		return
	}
	w.renderDeveloper(rw, r, c, status, f, developerData{})
}

// confirmSMS turns SMS codes on with the code texted and shows the
// recovery codes, once.
func (w *Web) confirmSMS(rw http.ResponseWriter, r *http.Request, c *caller) {
	if !w.allow(rw, r, "code", "2fa:"+c.acct.ID) {
		return
	}
	codes, err := w.s.TwoFactor.ConfirmSMS(r.Context(), w.as(r, c), strings.TrimSpace(r.PostFormValue("sms_code")))
	if err == nil {
		w.renderDeveloper(rw, r, c, http.StatusOK, nil, developerData{RecoveryCodes: codes})
		return
	}
	f := newForm()
	f.Values["phone"] = phoneOf(r)
	switch codeOf(err) {
	case "invalid_code", "locked":
		addCode(f, "sms_code", err)
	case "no_enrollment":
		f.add("phone", msgSMSExpired)
	case "already_enabled":
		seeOther(rw, r, "/developer#two-factor")
		return
	default:
		w.fail(rw, r, err)
		return
	}
	w.renderDeveloper(rw, r, c, http.StatusUnprocessableEntity, f, developerData{})
}

// signInFactor returns what the code step of the ticket's sign-in offers.
func (w *Web) signInFactor(r *http.Request, t factorTicket) (twofactor.SignInFactor, error) {
	return w.s.TwoFactor.SignInFactor(r.Context(), t.accountID)
}

// textSignInCode is "Text me a code" at the code step of a sign-in whose
// second factor is SMS: the SDK texts a code (SendLoginSMS), then the code
// page says so. Asked again too soon, the page says when another may be
// sent, from the SDK's wait.
func (w *Web) textSignInCode(rw http.ResponseWriter, r *http.Request) {
	t, ok := w.ticket(r)
	if !ok {
		seeOther(rw, r, "/signin")
		return
	}
	next := nextOf(r)
	if f, status, ok := w.textCode(rw, r, t.accountID, "/signin/code?next="+url.QueryEscape(next)); ok {
		w.renderCodePage(rw, r, t, status, f, next, status == http.StatusTooManyRequests && f.Errors["resend"] != nil)
	}
}

// textCode texts a sign-in code to the account whose second factor is
// SMS (the SDK's SendLoginSMS, which throttles and locks), for the code
// step at back: sent, or when the account has no SMS factor (any more),
// it goes back there. A wait, a lock or SMS being down is put on the
// returned form, with the status to show the page again with; false
// means it has answered.
func (w *Web) textCode(rw http.ResponseWriter, r *http.Request, accountID, back string) (*form, int, bool) {
	if !w.allow(rw, r, "login", "2fa:"+accountID) {
		return nil, 0, false
	}
	err := w.s.TwoFactor.SendLoginSMS(r.Context(), accountID)
	f := newForm()
	status := http.StatusUnprocessableEntity
	switch codeOf(err) {
	case "":
		w.setFlash(rw, r, "code_texted")
		seeOther(rw, r, back)
		return nil, 0, false
	case "too_soon":
		status = http.StatusTooManyRequests
		rw.Header().Set("Retry-After", strconv.Itoa(errs.RetrySeconds(waitOf(err))))
		f.add("resend", resendMessage(waitOf(err)))
	case "locked":
		status = http.StatusTooManyRequests
		f.add("code", msgLocked)
	case "sms_unavailable":
		f.add("resend", "Text messages cannot be sent now. Enter one of your recovery codes instead.")
	case "not_enabled":
		seeOther(rw, r, back)
		return nil, 0, false
	default:
		w.fail(rw, r, err)
		return nil, 0, false
	}
	return f, status, true
}

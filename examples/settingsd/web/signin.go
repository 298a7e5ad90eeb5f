package web

import (
	"context"
	"maps"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/session"
)

// Messages of the sign-in forms. A wrong address, a wrong password and a
// deactivated account get the same one.
const (
	msgBadCredentials = "The email address or the password is not right."
	msgBadCode        = "The code is not right, or it has expired."
	msgLocked         = "Too many wrong codes. Wait a few minutes, then try again."
	msgBadEmail       = "Enter an email address, such as ada@example.com."
	msgNoPassword     = "Enter a password."
)

// emailCookieAge is how long the code page of a reset remembers the
// address the code was asked for.
const emailCookieAge = time.Hour

// signInData is the content of the sign-in pages.
type signInData struct {
	Next string
	// Throttled offers the emailed unlock: wrong passwords from
	// elsewhere hold this browser back.
	Throttled bool
	// ID is the pending sign-up or account of a code form.
	ID string
	// SMSPhone is the masked number the code step of a sign-in texts
	// codes to; empty when its second factor is not SMS.
	SMSPhone string
	// Texted tells that a code was just texted.
	Texted bool
	// Passkeys offers a passkey: on the sign-in page when passkeys are
	// on, at the code step when the account has one.
	Passkeys bool
}

// signInData is the content of the sign-in page.
func (w *Web) signInData(next string) signInData {
	return signInData{Next: next, Passkeys: w.s.Passkeys.Enabled()}
}

func nextOf(r *http.Request) string { return localPath(r.FormValue("next")) }

func (w *Web) signInPage(rw http.ResponseWriter, r *http.Request) {
	p := w.anonymousPage(rw, r, "Sign in")
	p.Data = w.signInData(r.URL.Query().Get("next"))
	w.render(rw, r, http.StatusOK, "signin", p)
}

// signIn checks the password; an account with a second factor goes on to
// the code step with a signed, short-lived cookie that names the account.
func (w *Web) signIn(rw http.ResponseWriter, r *http.Request) {
	email, next := r.PostFormValue("email"), nextOf(r)
	if !w.allow(rw, r, "login") {
		return
	}
	res, err := w.s.Accounts.Authenticate(r.Context(), w.loginOf(r, email, r.PostFormValue("password")))
	if code := codeOf(err); code == "invalid_credentials" || code == "rate_limited" {
		f := newForm()
		f.Values["email"] = email
		status := http.StatusUnauthorized
		if code == "rate_limited" {
			status = http.StatusTooManyRequests
			rw.Header().Set("Retry-After", strconv.Itoa(errs.RetrySeconds(waitOf(err))))
			f.add("password", signInThrottleMessage(waitOf(err)))
		} else {
			f.add("password", msgBadCredentials)
		}
		p := w.anonymousPage(rw, r, "Sign in")
		d := w.signInData(next)
		d.Throttled = code == "rate_limited"
		p.Form, p.Data = f, d
		w.render(rw, r, status, "signin", p)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.firstFactorDone(rw, r, res.Device, res.SecondFactorRequired,
		session.Begin{AccountID: res.Account.ID, Method: auth.MethodPassword, PasswordExpired: res.PasswordExpired}, next)
}

// firstFactorDone goes on from a proven first factor (a password, a
// passkey) of the sign-in b: it keeps the device token, then asks for the
// second factor when secondFactor says so (a sealed ticket of the code
// step), else starts the session.
func (w *Web) firstFactorDone(rw http.ResponseWriter, r *http.Request, device string, secondFactor bool, b session.Begin, next string) {
	http.SetCookie(rw, w.cookie(r, handler.DeviceCookieName, device, "/", int(handler.DeviceCookieMaxAge.Seconds())))
	if secondFactor {
		t := factorTicket{accountID: b.AccountID, expires: w.now().Add(secondFactorTTL), passwordExpired: b.PasswordExpired}
		http.SetCookie(rw, w.cookie(r, factorCookie, w.sealTicket(t), "/signin", int(secondFactorTTL.Seconds())))
		seeOther(rw, r, "/signin/code?next="+url.QueryEscape(next))
		return
	}
	w.signedIn(rw, r, b, next)
}

// loginOf returns the sign-in attempt of r: the email and password, the
// client and the device token of its device cookie.
func (w *Web) loginOf(r *http.Request, email, pw string) account.Login {
	l := account.Login{Email: email, Password: pw, Client: auth.Client{IP: w.clientIP(r), UserAgent: r.UserAgent()}}
	if c, err := r.Cookie(handler.DeviceCookieName); err == nil {
		l.Device = c.Value
	}
	return l
}

// signInThrottleMessage says how long to wait before the next password
// (of a sign-in or a current-password check) is checked.
func signInThrottleMessage(wait time.Duration) string {
	if s := int(math.Ceil(wait.Seconds())); s < 120 {
		return english.Sprintf("Too many wrong passwords. Wait %d seconds, then try again.", max(s, 1))
	}
	return english.Sprintf("Too many wrong passwords. Wait %d minutes, then try again.", int(math.Ceil(wait.Minutes())))
}

// signedIn starts the session and goes on to next (or to the password
// form when the password has expired).
func (w *Web) signedIn(rw http.ResponseWriter, r *http.Request, b session.Begin, next string) {
	if err := w.startSession(rw, r, b); err != nil {
		w.fail(rw, r, err)
		return
	}
	if b.PasswordExpired {
		next = "/accounts#password"
	} else if next == "/" {
		next = "/profile"
	}
	seeOther(rw, r, next)
}

// ticket returns the pending second-factor step of the browser.
func (w *Web) ticket(r *http.Request) (factorTicket, bool) {
	ck, err := r.Cookie(factorCookie)
	if err != nil {
		return factorTicket{}, false
	}
	return w.openTicket(ck.Value)
}

func (w *Web) codePage(rw http.ResponseWriter, r *http.Request) {
	t, ok := w.ticket(r)
	if !ok {
		seeOther(rw, r, "/signin")
		return
	}
	w.renderCodePage(rw, r, t, http.StatusOK, nil, localPath(r.URL.Query().Get("next")), false)
}

// renderCodePage shows the code step of the ticket's sign-in: with "Text
// me a code" when its second factor is SMS, "Text me a new code" once
// texted (or after the flash saying so), and "Use a passkey" when the
// account has one.
func (w *Web) renderCodePage(rw http.ResponseWriter, r *http.Request, t factorTicket, status int, f *form, next string, texted bool) {
	factor, err := w.signInFactor(r, t)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	has, err := w.s.Passkeys.HasPasskeys(r.Context(), t.accountID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.anonymousPage(rw, r, "Enter your code")
	d := signInData{Next: next, Passkeys: has}
	if factor.Method == twofactor.MethodSMS {
		d.SMSPhone, d.Texted = factor.Phone, texted || p.Flash == flashes["code_texted"]
	}
	p.Form, p.Data = f, d
	w.render(rw, r, status, "signin_code", p)
}

// signInCode checks the second factor and signs in.
func (w *Web) signInCode(rw http.ResponseWriter, r *http.Request) {
	t, ok := w.ticket(r)
	if !ok {
		seeOther(rw, r, "/signin")
		return
	}
	next := nextOf(r)
	if !w.allow(rw, r, "login", "2fa:"+t.accountID) {
		return
	}
	if err := w.s.TwoFactor.VerifySignIn(r.Context(), t.accountID, strings.TrimSpace(r.PostFormValue("code")), w.client(r)); err != nil {
		f := newForm()
		f.add("code", codeMessage(err))
		w.renderCodePage(rw, r, t, http.StatusUnauthorized, f, next, false)
		return
	}
	http.SetCookie(rw, w.cookie(r, factorCookie, "", "/signin", -1))
	w.signedIn(rw, r, session.Begin{AccountID: t.accountID, Method: auth.MethodSecondFactor, PasswordExpired: t.passwordExpired}, next)
}

// codeMessage explains a refused second-factor code. Every failure but
// the lockout reads the same.
func codeMessage(err error) string {
	if codeOf(err) == "locked" {
		return msgLocked
	}
	return msgBadCode
}

func (w *Web) signOut(rw http.ResponseWriter, r *http.Request, c *caller) {
	if err := w.s.Sessions.End(r.Context(), w.as(r, c), c.ses.ID); err != nil && errs.KindOf(err) != errs.NotFound {
		w.fail(rw, r, err)
		return
	}
	http.SetCookie(rw, w.cookie(r, handler.CookieName, "", "/", -1))
	w.setFlash(rw, r, "signed_out")
	seeOther(rw, r, "/signin")
}

func (w *Web) signUpPage(rw http.ResponseWriter, r *http.Request) {
	p := w.anonymousPage(rw, r, "Sign up")
	p.Data = w.policyData()
	w.render(rw, r, http.StatusOK, "signup", p)
}

// policyData is the content of pages with a new-password field.
type policyData struct {
	Rules []string
	ID    string
	// Keyed is set on a reset page opened from the link of its mail:
	// the code field holds the link's key, which a stranger's wrong
	// guesses of the code cannot kill.
	Keyed bool
}

func (w *Web) policyData() policyData { return policyData{Rules: policyRules(w.policy)} }

// signUp starts a sign-up: every policy violation is shown at once next
// to the password. A registered address gets the same answer as a new one.
func (w *Web) signUp(rw http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	if !w.allow(rw, r, "signup", addressKey(email)) {
		return
	}
	marketing := r.PostFormValue("marketing") == "yes"
	id, err := w.s.Accounts.SignUp(r.Context(), email, r.PostFormValue("password"), marketing)
	if err != nil {
		f, ok := w.accountFormErrors(r, err)
		if !ok {
			w.fail(rw, r, err)
			return
		}
		p := w.anonymousPage(rw, r, "Sign up")
		p.Form, p.Data = f, w.policyData()
		w.render(rw, r, http.StatusUnprocessableEntity, "signup", p)
		return
	}
	seeOther(rw, r, "/signup/verify?id="+url.QueryEscape(id))
}

// accountFormErrors returns the sign-up or add-account form of r again
// with the errors next to their fields, and reports whether it knew them.
func (w *Web) accountFormErrors(r *http.Request, err error) (*form, bool) {
	f := newForm()
	f.Values["email"] = r.PostFormValue("email")
	if r.PostFormValue("marketing") == "yes" {
		f.Values["marketing"] = "yes"
	}
	switch codeOf(err) {
	case "password_policy":
		passwordErrors(f, "password", err, w.policy)
	case "invalid_email":
		f.add("email", msgBadEmail)
		// The SDK stops at the address: say what is wrong with the
		// password too, so one more try can fix both.
		w.checkNewPassword(f, "password", r.PostFormValue("password"))
	case "sso_required":
		f.add("email", "This company signs in with single sign-on. Sign up through your company instead.")
	case "email_taken":
		f.add("email", "This address already has an account.")
	case "rate_limited":
		f.add("email", throttleMessage(waitOf(err)))
	default:
		return f, false
	}
	return f, true
}

// checkNewPassword adds to the field what is wrong with a new password
// by the policy the pages describe: "Enter a password." when empty.
func (w *Web) checkNewPassword(f *form, fieldName, pw string) {
	if pw == "" {
		f.add(fieldName, msgNoPassword)
		return
	}
	passwordErrors(f, fieldName, w.policy.Check(pw), w.policy)
}

// throttleMessage says how long to wait for the next code.
func throttleMessage(wait time.Duration) string {
	m := int(math.Ceil(wait.Minutes()))
	if m <= 1 {
		return "We just sent a code to this address. Wait a minute before asking for another."
	}
	return english.Sprintf("Many codes were sent to this address. Wait %d minutes before asking for another.", m)
}

func (w *Web) signUpVerifyPage(rw http.ResponseWriter, r *http.Request) {
	w.renderSignUpVerify(rw, r, http.StatusOK, r.URL.Query().Get("id"), nil)
}

// signUpVerify confirms the sign-up with the emailed code and signs the
// new account in.
func (w *Web) signUpVerify(rw http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("id")
	if !w.allow(rw, r, "code", "flow:"+id) {
		return
	}
	a, err := w.s.Accounts.ConfirmSignUp(r.Context(), id, strings.TrimSpace(r.PostFormValue("code")))
	if codeOf(err) == "invalid_code" {
		f := newForm()
		f.add("code", msgBadCode)
		w.renderSignUpVerify(rw, r, http.StatusUnprocessableEntity, id, f)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.setFlash(rw, r, "welcome")
	w.signedIn(rw, r, session.Begin{AccountID: a.ID, Method: auth.MethodPassword}, "/profile")
}

func (w *Web) forgotPage(rw http.ResponseWriter, r *http.Request) {
	w.render(rw, r, http.StatusOK, "forgot", w.anonymousPage(rw, r, "Forgot password"))
}

// forgot mails a reset code. Whether the address has an account is never
// said.
func (w *Web) forgot(rw http.ResponseWriter, r *http.Request) {
	w.mailCode(rw, r, "forgot", "Forgot password", w.s.Accounts.RequestPasswordReset, "reset_sent", "/forgot/reset")
}

// mailCode serves the form of page (title), which asks send to mail a
// code to the address typed: a malformed address is shown again with its
// error; anything else, sent or not, flashes flash and goes to next, so
// the answer never tells whether the address has an account.
func (w *Web) mailCode(rw http.ResponseWriter, r *http.Request, page, title string,
	send func(context.Context, string) error, flash, next string) {
	email := r.PostFormValue("email")
	// Only the client's budget: the SDK limits the mails per address
	// and purpose, so strangers' requests never hold back the owner's.
	if !w.allow(rw, r, page) {
		return
	}
	err := send(r.Context(), email)
	if codeOf(err) == "invalid_email" {
		f := newForm()
		f.Values["email"] = email
		f.add("email", msgBadEmail)
		p := w.anonymousPage(rw, r, title)
		p.Form = f
		w.render(rw, r, http.StatusUnprocessableEntity, page, p)
		return
	}
	if err != nil {
		w.log.Warn("sending a code failed", "route", r.Pattern, "err", err.Error())
	}
	w.setFlash(rw, r, flash)
	// The address goes to the code page in a cookie of that page, never
	// in its URL, so the person does not type it again.
	http.SetCookie(rw, w.cookie(r, emailCookie, url.QueryEscape(email), next, int(emailCookieAge.Seconds())))
	seeOther(rw, r, next)
}

func (w *Web) resetPage(rw http.ResponseWriter, r *http.Request) {
	p := w.anonymousPage(rw, r, "Choose a new password")
	p.Form, p.Data = w.keyedForm(r)
	w.render(rw, r, http.StatusOK, "reset", p)
}

// keyedForm returns the form of a reset page, holding the address the
// code was asked for (requestedEmail) and, when the page was opened from
// the link in the mail (?key=), the link's key as the code.
func (w *Web) keyedForm(r *http.Request) (*form, policyData) {
	f, d := w.requestedEmail(r), w.policyData()
	if key := r.URL.Query().Get("key"); key != "" && len(key) <= maxKeyLen {
		f.Values["code"], d.Keyed = key, true
	}
	return f, d
}

// maxKeyLen bounds the key a reset link may carry; the SDK decides
// whether it is one.
const maxKeyLen = 64

// requestedEmail returns a form holding the address the code was asked
// for on the step before (mailCode), when the browser still has it.
func (w *Web) requestedEmail(r *http.Request) *form {
	f := newForm()
	if ck, err := r.Cookie(emailCookie); err == nil {
		if email, err := url.QueryUnescape(ck.Value); err == nil {
			f.Values["email"] = email
		}
	}
	return f
}

// reset sets a new password with the emailed code.
func (w *Web) reset(rw http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	w.resetWith(rw, r, "reset", email, func(ctx context.Context, code, pw string) error {
		_, err := w.s.Accounts.ResetPassword(ctx, email, code, pw, w.client(r))
		return err
	}, nil)
}

// resetWith serves the new-password form of page for the address email:
// reset sets the password with the code and password typed; on success
// the person is sent to sign in, otherwise the form is shown again with
// the fields' errors, and values besides (the typed account, say).
func (w *Web) resetWith(rw http.ResponseWriter, r *http.Request, page, email string,
	reset func(ctx context.Context, code, pw string) error, values map[string]string) {
	// Only the client's budget: the SDK counts the attempts of each
	// code, so strangers' requests never refuse the owner's valid code.
	if !w.allow(rw, r, page+"-verify") {
		return
	}
	err := reset(r.Context(), strings.TrimSpace(r.PostFormValue("code")), r.PostFormValue("password"))
	if err == nil {
		http.SetCookie(rw, w.cookie(r, emailCookie, "", r.URL.Path, -1))
		w.setFlash(rw, r, "password_reset")
		seeOther(rw, r, "/signin")
		return
	}
	f, d, ok := w.codeForm(r, email, err)
	if !ok {
		w.fail(rw, r, err)
		return
	}
	maps.Copy(f.Values, values)
	p := w.anonymousPage(rw, r, "Choose a new password")
	p.Form, p.Data = f, d
	w.render(rw, r, http.StatusUnprocessableEntity, page, p)
}

// codeForm returns the form of a code page shown again after err: the
// address, the field errors of a weak password, a wrong code or a wrong
// address and, on a page opened from the link of a mail, its key. It
// returns false for any other error, which the caller fails with.
func (w *Web) codeForm(r *http.Request, email string, err error) (*form, policyData, bool) {
	f, d := newForm(), w.policyData()
	f.Values["email"] = email
	code := strings.TrimSpace(r.PostFormValue("code"))
	switch codeOf(err) {
	case "password_policy":
		f.Values["code"] = code // not used up: kept for the next try
		passwordErrors(f, "password", err, w.policy)
	case "invalid_code":
		f.add("code", msgBadCode)
	case "invalid_email":
		f.add("email", msgBadEmail)
	default:
		return nil, d, false
	}
	if d.Keyed = r.PostFormValue("keyed") == "yes"; d.Keyed && codeOf(err) != "invalid_code" {
		f.Values["code"] = code
	}
	return f, d, true
}

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
	// TwoFactor asks for a code too (reauthentication of an account with
	// a second factor).
	TwoFactor bool
	// ID is the pending sign-up or account of a code form.
	ID string
	// Passkeys offers a passkey: on the sign-in page when passkeys are
	// on, at the code step and on the re-authentication page when the
	// account has one.
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
		p.Form, p.Data = f, w.signInData(next)
		w.render(rw, r, status, "signin", p)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	http.SetCookie(rw, w.cookie(r, handler.DeviceCookieName, res.Device, "/", int(handler.DeviceCookieMaxAge.Seconds())))
	if res.SecondFactorRequired {
		t := factorTicket{accountID: res.Account.ID, expires: w.now().Add(secondFactorTTL), passwordExpired: res.PasswordExpired}
		http.SetCookie(rw, w.cookie(r, factorCookie, w.sealTicket(t), "/signin", int(secondFactorTTL.Seconds())))
		seeOther(rw, r, "/signin/code?next="+url.QueryEscape(next))
		return
	}
	w.signedIn(rw, r, session.Begin{AccountID: res.Account.ID, Method: auth.MethodPassword, PasswordExpired: res.PasswordExpired}, next)
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
		return "Too many wrong passwords. Wait " + plural(max(s, 1), "second") + ", then try again."
	}
	return "Too many wrong passwords. Wait " + plural(int(math.Ceil(wait.Minutes())), "minute") + ", then try again."
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
	w.renderCode(rw, r, http.StatusOK, nil, t, r.URL.Query().Get("next"))
}

// renderCode shows the code step of the ticket's sign-in, with "Use a
// passkey" when the account has one.
func (w *Web) renderCode(rw http.ResponseWriter, r *http.Request, status int, f *form, t factorTicket, next string) {
	has, err := w.s.Passkeys.HasPasskeys(r.Context(), t.accountID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.anonymousPage(rw, r, "Enter your code")
	p.Form, p.Data = f, signInData{Next: next, Passkeys: has}
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
		w.renderCode(rw, r, http.StatusUnauthorized, f, t, next)
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

// reauthPage asks a signed-in person for the password again (and the
// second factor, when the account has one) before a sensitive action.
func (w *Web) reauthPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderReauth(rw, r, c, http.StatusOK, nil, r.URL.Query().Get("next"))
}

func (w *Web) renderReauth(rw http.ResponseWriter, r *http.Request, c *caller, status int, f *form, next string) {
	required, err := w.s.TwoFactor.Required(r.Context(), c.acct.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	has, err := w.s.Passkeys.HasPasskeys(r.Context(), c.acct.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.signedInPage(rw, r, c, "Confirm it is you", "")
	p.Form, p.Data = f, signInData{Next: next, TwoFactor: required, Passkeys: has}
	w.render(rw, r, status, "reauth", p)
}

// reauth checks the password (and code) with the SDK's Reauthenticate,
// which makes the session fresh again, then goes back to the page of the
// action.
func (w *Web) reauth(rw http.ResponseWriter, r *http.Request, c *caller) {
	next := nextOf(r)
	if !w.allow(rw, r, "login", addressKey(c.acct.Email)) {
		return
	}
	f := newForm()
	_, err := w.s.Sessions.Reauthenticate(r.Context(), w.as(r, c), r.PostFormValue("password"), strings.TrimSpace(r.PostFormValue("code")))
	switch codeOf(err) {
	case "":
		seeOther(rw, r, next)
		return
	case "rate_limited":
		f.add("password", signInThrottleMessage(waitOf(err)))
	case "locked":
		f.add("code", msgLocked)
	case "second_factor_required":
		f.add("code", "Enter the code of your authenticator app, or one of your recovery codes.")
	case "invalid_credentials":
		f.add("password", "The password or the code is not right.")
	default:
		w.fail(rw, r, err)
		return
	}
	w.renderReauth(rw, r, c, http.StatusUnauthorized, f, next)
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
	return "Many codes were sent to this address. Wait " + plural(m, "minute") + " before asking for another."
}

func (w *Web) signUpVerifyPage(rw http.ResponseWriter, r *http.Request) {
	p := w.anonymousPage(rw, r, "Check your email")
	p.Data = signInData{ID: r.URL.Query().Get("id")}
	w.render(rw, r, http.StatusOK, "signup_verify", p)
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
		p := w.anonymousPage(rw, r, "Check your email")
		p.Form, p.Data = f, signInData{ID: id}
		w.render(rw, r, http.StatusUnprocessableEntity, "signup_verify", p)
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
	p.Form, p.Data = w.requestedEmail(r), w.policyData()
	w.render(rw, r, http.StatusOK, "reset", p)
}

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
	f := newForm()
	f.Values["email"] = email
	maps.Copy(f.Values, values)
	switch codeOf(err) {
	case "password_policy":
		// The code was not used up: keep it for the next try.
		f.Values["code"] = strings.TrimSpace(r.PostFormValue("code"))
		passwordErrors(f, "password", err, w.policy)
	case "invalid_code":
		f.add("code", msgBadCode)
	case "invalid_email":
		f.add("email", msgBadEmail)
	default:
		w.fail(rw, r, err)
		return
	}
	p := w.anonymousPage(rw, r, "Choose a new password")
	p.Form, p.Data = f, w.policyData()
	w.render(rw, r, http.StatusUnprocessableEntity, page, p)
}

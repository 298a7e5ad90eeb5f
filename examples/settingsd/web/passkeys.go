package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/errs/errhttp"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/session"
)

// Passkeys on the pages. Every ceremony is the page's script
// (static/passkey.js) asking a begin route for the options (a small
// JSON answer to a form post that carries the CSRF token), the browser's
// navigator.credentials call, and an ordinary form post of the
// credential's JSON to the finish route, which answers with a page as
// every form does. Without WebAuthn or without the script the forms stay
// hidden and a sentence says why.

// passkeyCookiePath scopes the pre-authentication cookie of the pages'
// sign-in and second-factor ceremonies (handler.PasskeyCookieName) to
// the sign-in pages.
const passkeyCookiePath = "/signin"

// Messages of the passkey forms.
const (
	msgPasskeyRefused = "That passkey was not accepted. Try again, or sign in with your password."
	msgPasskeyExpired = "The passkey request expired. Try again."
)

// passkeyMessages are the messages of the begin routes' refusals, by
// public code, for the script to show next to the button.
var passkeyMessages = map[string]string{
	"passkey_limit":        "You have the most passkeys an account may have. Remove one before you add another.",
	"no_passkey":           "Your account has no passkey.",
	"sso_managed":          "Your company signs this account in through single sign-on, so it cannot have passkeys.",
	"passkeys_unavailable": "Passkeys are not available on this server.",
	"rate_limited":         "Too many attempts. Wait a minute, then try again.",
}

// passkeyRow is a passkey as the Accounts page lists it.
type passkeyRow struct {
	passkey.Passkey
	// NameField is the rename form's field name, one per passkey.
	NameField string
}

// beginAnswer is the JSON answer of a begin route: the options, the
// ceremony's ID when the page may hold it (registration and
// re-authentication, bound to the session too), or what to show or
// where to go instead.
type beginAnswer struct {
	Options    json.RawMessage `json:"options,omitempty"`
	CeremonyID string          `json:"ceremony_id,omitempty"`
	Message    string          `json:"message,omitempty"`
	Redirect   string          `json:"redirect,omitempty"`
}

// writeBegin answers a begin route: the ceremony, or the refusal as a
// message or, for a stale sign-in or an expired password, the page to
// go to. The status is errhttp's for the error.
func (w *Web) writeBegin(rw http.ResponseWriter, r *http.Request, cer passkey.Ceremony, withID bool, err error) {
	hd := rw.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "no-store")
	if err == nil {
		out := beginAnswer{Options: cer.Options}
		if withID {
			out.CeremonyID = cer.ID
		}
		rw.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(rw).Encode(out)
		return
	}
	status, out := errhttp.Status(errs.KindOf(err)), beginAnswer{}
	switch {
	case errors.Is(err, auth.ErrPasswordExpired):
		out.Redirect = "/accounts#password"
	case errs.KindOf(err) == errs.ReauthRequired:
		out.Redirect = "/reauth?next=" + url.QueryEscape(returnPath(r))
	default:
		msg, ok := passkeyMessages[codeOf(err)]
		if !ok {
			if status == http.StatusInternalServerError {
				w.log.Error("page failed", "route", r.Pattern, "err", err.Error())
			}
			msg = "Passkeys cannot be used right now. Reload the page and try again."
		}
		out.Message = msg
	}
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(out)
}

// passkeyCookie returns the pre-authentication cookie of the sign-in
// pages holding a ceremony's ID until it expires; maxAge -1 deletes it.
func (w *Web) passkeyCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return w.cookie(r, handler.PasskeyCookieName, value, passkeyCookiePath, maxAge)
}

// keepCeremony puts the ID of a sign-in or second-factor ceremony in the
// pre-authentication cookie: the page never sees it.
func (w *Web) keepCeremony(rw http.ResponseWriter, r *http.Request, cer passkey.Ceremony) {
	http.SetCookie(rw, w.passkeyCookie(r, cer.ID, max(int(cer.ExpiresAt.Sub(w.now()).Seconds()), 1)))
}

// finishOf returns the browser's answer to a ceremony begun before
// sign-in: the ID from the pre-authentication cookie (which it deletes),
// the credential the script posted, the client and its device cookie.
func (w *Web) finishOf(rw http.ResponseWriter, r *http.Request) passkey.SignInFinish {
	f := passkey.SignInFinish{Response: []byte(r.PostFormValue("response")), Client: w.client(r)}
	if ck, err := r.Cookie(handler.PasskeyCookieName); err == nil {
		f.CeremonyID = ck.Value
	}
	if ck, err := r.Cookie(handler.DeviceCookieName); err == nil {
		f.Device = ck.Value
	}
	http.SetCookie(rw, w.passkeyCookie(r, "", -1))
	return f
}

// passkeyRefusal is the form of a refused sign-in, second-factor or
// re-authentication answer, its message on the passkey field; ok is false
// for an error no form explains.
func passkeyRefusal(err error) (f *form, ok bool) {
	msg := passkeyMessage(err)
	if msg == "" {
		return nil, false
	}
	f = newForm()
	f.add("passkey", msg)
	return f, true
}

// passkeyMessage is the message of passkeyRefusal, "" for none.
func passkeyMessage(err error) string {
	switch codeOf(err) {
	case "invalid_credentials", "sso_managed":
		return msgPasskeyRefused
	case "ceremony_expired":
		return msgPasskeyExpired
	case "rate_limited":
		return signInThrottleMessage(waitOf(err))
	case "second_factor_required":
		return "This passkey did not check that it is you. Confirm with your password and code instead."
	}
	return ""
}

// beginPasskeySignIn is the begin of "Sign in with a passkey" and of the
// sign-in page's autofill (conditional mediation).
func (w *Web) beginPasskeySignIn(rw http.ResponseWriter, r *http.Request) {
	if !w.allow(rw, r, "passkey") {
		return
	}
	cer, err := w.s.Passkeys.BeginSignIn(r.Context())
	if err == nil {
		w.keepCeremony(rw, r, cer)
	}
	w.writeBegin(rw, r, cer, false, err)
}

// passkeySignIn signs in with the passkey the browser chose: the account
// is the passkey's. A passkey that did not verify its user, on an
// account with a second factor, goes on to the code step.
func (w *Web) passkeySignIn(rw http.ResponseWriter, r *http.Request) {
	next := nextOf(r)
	if !w.allow(rw, r, "login") {
		return
	}
	res, err := w.s.Passkeys.FinishSignIn(r.Context(), w.finishOf(rw, r))
	if err != nil {
		f, ok := passkeyRefusal(err)
		if !ok {
			w.fail(rw, r, err)
			return
		}
		p := w.anonymousPage(rw, r, "Sign in")
		p.Form, p.Data = f, w.signInData(next)
		w.render(rw, r, http.StatusUnauthorized, "signin", p)
		return
	}
	w.firstFactorDone(rw, r, res.Device, res.SecondFactorRequired,
		session.Begin{AccountID: res.Account.ID, Method: res.Method, PasswordExpired: res.PasswordExpired}, next)
}

// beginPasskeyFactor is the begin of "Use a passkey" at the code step:
// the account is the one of the step's ticket.
func (w *Web) beginPasskeyFactor(rw http.ResponseWriter, r *http.Request) {
	t, ok := w.ticket(r)
	if !ok {
		w.writeBegin(rw, r, passkey.Ceremony{}, false, passkey.ErrCeremonyExpired)
		return
	}
	if !w.allow(rw, r, "login", "2fa:"+t.accountID) {
		return
	}
	cer, err := w.s.Passkeys.BeginSecondFactor(r.Context(), t.accountID)
	if err == nil {
		w.keepCeremony(rw, r, cer)
	}
	w.writeBegin(rw, r, cer, false, err)
}

// passkeyFactor finishes the code step with a passkey of the ticket's
// account and signs in.
func (w *Web) passkeyFactor(rw http.ResponseWriter, r *http.Request) {
	t, ok := w.ticket(r)
	if !ok {
		seeOther(rw, r, "/signin")
		return
	}
	next := nextOf(r)
	if !w.allow(rw, r, "login", "2fa:"+t.accountID) {
		return
	}
	if err := w.s.Passkeys.FinishSecondFactor(r.Context(), t.accountID, w.finishOf(rw, r)); err != nil {
		f, ok := passkeyRefusal(err)
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderCodePage(rw, r, t, http.StatusUnauthorized, f, next, false)
		return
	}
	http.SetCookie(rw, w.cookie(r, factorCookie, "", "/signin", -1))
	w.signedIn(rw, r, session.Begin{AccountID: t.accountID, Method: auth.MethodSecondFactor, PasswordExpired: t.passwordExpired}, next)
}

// beginPasskeyReauth is the begin of the re-authentication page's
// passkey option, bound to the session.
func (w *Web) beginPasskeyReauth(rw http.ResponseWriter, r *http.Request, c *caller) {
	cer, err := w.s.Passkeys.BeginReauthentication(r.Context(), w.as(r, c))
	w.writeBegin(rw, r, cer, true, err)
}

// passkeyReauth re-authenticates the session with a passkey (the SDK's
// ReauthenticatePasskey), then finishes the action that waited for it.
func (w *Web) passkeyReauth(rw http.ResponseWriter, r *http.Request, c *caller) {
	next := nextOf(r)
	if !w.allow(rw, r, "login") {
		return
	}
	_, err := w.s.Sessions.ReauthenticatePasskey(r.Context(), w.as(r, c), r.PostFormValue("ceremony"), []byte(r.PostFormValue("response")))
	if err == nil {
		w.reauthenticated(rw, r, c, next, "")
		return
	}
	f, ok := passkeyRefusal(err)
	if !ok {
		w.fail(rw, r, err)
		return
	}
	w.renderReauth(rw, r, c, http.StatusUnauthorized, f, next, false)
}

// passkeysOf returns the rows of the Accounts page's passkeys section.
func (w *Web) passkeysOf(r *http.Request, c *caller) ([]passkeyRow, error) {
	list, err := w.s.Passkeys.List(r.Context(), w.as(r, c))
	if err != nil {
		return nil, err
	}
	rows := make([]passkeyRow, len(list))
	for i, p := range list {
		rows[i] = passkeyRow{Passkey: p, NameField: "name_" + p.ID}
	}
	return rows, nil
}

// beginPasskeyRegistration is the begin of "Add a passkey" on the
// Accounts page; the SDK asks for a fresh sign-in, which the answer's
// redirect to the password prompt gives.
func (w *Web) beginPasskeyRegistration(rw http.ResponseWriter, r *http.Request, c *caller) {
	cer, err := w.s.Passkeys.BeginRegistration(r.Context(), w.as(r, c))
	w.writeBegin(rw, r, cer, true, err)
}

// addPasskey stores the passkey the browser made, with its name.
func (w *Web) addPasskey(rw http.ResponseWriter, r *http.Request, c *caller) {
	_, err := w.s.Passkeys.FinishRegistration(r.Context(), w.as(r, c), passkey.RegistrationFinish{
		CeremonyID: r.PostFormValue("ceremony"), Response: []byte(r.PostFormValue("response")), Name: r.PostFormValue("passkey_name"),
	})
	f := newForm()
	f.Values["passkey_name"] = r.PostFormValue("passkey_name")
	switch codeOf(err) {
	case "":
		w.setFlash(rw, r, "passkey_added")
		seeOther(rw, r, "/accounts#passkeys")
		return
	case "invalid_passkey_name":
		f.add("passkey_name", msgPasskeyName)
	case "ceremony_expired":
		f.add("passkey_name", msgPasskeyExpired)
	case "invalid_passkey":
		f.add("passkey_name", "Your browser's passkey was not accepted. Try again, or with another device.")
	case "passkey_exists":
		f.add("passkey_name", "This device already holds a passkey of your account.")
	case "passkey_limit", "sso_managed":
		f.add("passkey_name", passkeyMessages[codeOf(err)])
	default:
		w.fail(rw, r, err)
		return
	}
	w.renderAccounts(rw, r, c, http.StatusUnprocessableEntity, f)
}

// msgPasskeyName explains the rule of a passkey's name.
const msgPasskeyName = "Give the passkey a name of 1 to 64 characters, such as the device that holds it."

// renamePasskey renames one of the person's passkeys.
func (w *Web) renamePasskey(rw http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	name := r.PostFormValue("name_" + id)
	_, err := w.s.Passkeys.Rename(r.Context(), w.as(r, c), id, name)
	switch codeOf(err) {
	case "":
		w.setFlash(rw, r, "passkey_renamed")
		seeOther(rw, r, "/accounts#passkeys")
	case "invalid_passkey_name":
		f := newForm()
		f.Values["name_"+id] = name
		f.add("name_"+id, msgPasskeyName)
		w.renderAccounts(rw, r, c, http.StatusUnprocessableEntity, f)
	default:
		w.fail(rw, r, err)
	}
}

// removePasskey removes one of the person's passkeys; a stale sign-in
// confirms it is them first (w.fail).
func (w *Web) removePasskey(rw http.ResponseWriter, r *http.Request, c *caller) {
	if err := w.s.Passkeys.Remove(r.Context(), w.as(r, c), r.PathValue("id")); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.setFlash(rw, r, "passkey_removed")
	seeOther(rw, r, "/accounts#passkeys")
}

// passkeyButtonView is what the "passkeyButton" template draws: the
// button of a passkey form, described by the form's passkey error.
type passkeyButtonView struct {
	Form  *form
	Label string
}

package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/seed-a97ca23f/usersettings/account/sso"
)

// ssoReturn is where the identity provider's round trip ends on the
// pages: the JSON API's callback (GET /v1/sso/callback) starts the
// session, sets the cookie and sends the browser here.
const ssoReturn = "/signin/sso/done"

// ssoStart is GET /signin/sso?sso_email=&next=: it starts a single sign-on
// for the address's company and sends the browser to its identity
// provider. An address whose company has no connection is shown the
// password form again, with the reason next to the field.
func (w *Web) ssoStart(rw http.ResponseWriter, r *http.Request) {
	email, next := r.URL.Query().Get("sso_email"), nextOf(r)
	if strings.TrimSpace(email) == "" {
		w.ssoRefused(rw, r, email, next, "Enter your work email address, such as ada@example.com.")
		return
	}
	if !w.allow(rw, r, "sso", addressKey(email)) {
		return
	}
	back := ssoReturn + "?" + url.Values{"next": {next}}.Encode()
	st, err := w.s.SSO.Start(r.Context(), sso.StartRequest{Email: email, ReturnTo: back})
	switch code := codeOf(err); {
	case err == nil:
		http.SetCookie(rw, w.s.SSO.BindingCookie(st))
		http.Redirect(rw, r, st.URL, http.StatusFound)
	case code == "invalid_email":
		w.ssoRefused(rw, r, email, next, msgBadEmail)
	case ssoUnavailable[code]:
		w.ssoRefused(rw, r, email, next, "Your company does not sign in through its own identity provider here: use your password above.")
	default:
		w.fail(rw, r, err)
	}
}

// ssoRefused shows the sign-in page again with msg next to the work
// email the person typed.
func (w *Web) ssoRefused(rw http.ResponseWriter, r *http.Request, email, next, msg string) {
	f := newForm()
	f.Values["sso_email"] = email
	f.add("sso_email", msg)
	p := w.anonymousPage(rw, r, "Sign in")
	p.Form, p.Data = f, signInData{Next: next}
	w.render(rw, r, http.StatusUnprocessableEntity, "signin", p)
}

// ssoUnavailable holds the codes of a start that single sign-on cannot
// serve: the address has no connection, is malformed, or single sign-on
// is not set up; the person signs in with a password instead.
var ssoUnavailable = map[string]bool{"sso_unknown_connection": true, "invalid_email": true, "sso_not_configured": true}

// ssoDone is GET /signin/sso/done?next=: the browser arrives here at the
// end of a redirect chain that began at the identity provider, so it does
// not send the SameSite=Strict session cookie yet. The page moves on to
// next by itself (a meta refresh, which is not script and so allowed by
// the Content-Security-Policy): that navigation starts on this site, and
// the cookie goes with it.
func (w *Web) ssoDone(rw http.ResponseWriter, r *http.Request) {
	p := w.anonymousPage(rw, r, "Signing you in")
	p.Data = signInData{Next: nextOf(r)}
	w.render(rw, r, http.StatusOK, "sso_done", p)
}

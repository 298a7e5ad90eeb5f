package web

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
)

// Re-authentication keeps the action. When the SDK refuses a form's
// action because the sign-in is too old (errs.ReauthRequired), toReauth
// seals the form, without its secrets, into a cookie of the password
// prompt (/reauth) and goes there; once the password (and code) is right,
// the form is posted again inside the server with a fresh anti-CSRF
// token, so the action is done without typing it again. A form with a
// secret that is not the current password (a new password, a code) cannot
// be finished for the person: the prompt goes back to the form instead.
// Secrets never go into the cookie or a URL; the password of the prompt
// reaches the replayed form only in memory, as the proof a form asks for
// (proofFields).

// The replay cookie: its path is the prompt's, it lives as long as a
// person may take over the prompt, and it stays under the size every
// browser keeps.
const (
	replayCookie    = "settingsd_replay"
	replayTTL       = 10 * time.Minute
	maxReplayCookie = 3800
)

// secretFields are the names of the form fields that hold a secret:
// passwords, codes, the authenticator key, recovery codes. A
// re-authentication never carries them.
var secretFields = map[string]bool{
	"password": true, "current": true, "regen_password": true, "code": true, "sms_code": true,
	"key": true, "codes": true, "recovery_code": true,
}

// routeSecrets are secret fields of one form (by route pattern) whose
// name means something else elsewhere: "confirm" repeats the new password
// here, but is the address typed to confirm a deletion.
var routeSecrets = map[string][]string{
	"POST /accounts/password": {"confirm"},
}

// proofFields name, per form, the field whose only content is the current
// password as proof: after re-authentication the password just typed
// goes there, so the form is finished without typing it twice.
var proofFields = map[string]string{
	"POST /developer/2fa/deactivate":     "password",
	"POST /developer/2fa/recovery-codes": "regen_password",
}

// replayActions say what re-authentication finishes, per form.
var replayActions = map[string]string{
	"POST /developer/tokens":             "create the personal access token",
	"POST /developer/api-keys":           "create the API key",
	"POST /developer/2fa/authenticator":  "set up an authenticator app",
	"POST /developer/2fa/sms":            "text a code to your phone",
	"POST /developer/2fa/deactivate":     "deactivate two-factor authentication",
	"POST /developer/2fa/recovery-codes": "make new recovery codes",
	"POST /accounts/password":            "change your password",
	"POST /accounts/new":                 "create the account",
	"POST /accounts/{id}/email":          "change the login email",
	"POST /accounts/delete":              "delete the account",
	"POST /sessions/others":              "sign out your other sessions",
	"POST /personal-data/erase":          "erase your profile and personal data",
	"POST /profile":                      "save your profile",
	"POST /profile/merge":                "start the merge",
	"POST /profile/merge/{id}/send":      "send the merge code",
	"POST /profile/merge/{id}/commit":    "merge the profiles",
}

// replay is a form whose action waits for re-authentication.
type replay struct {
	// Pattern is the route pattern of the form's action, Path its path.
	Pattern, Path string
	// Values are the form's values, without csrf and secrets; nil when
	// Retype.
	Values url.Values
	// Retype tells that a secret had to be left out: the form is shown
	// again, to be finished by hand.
	Retype bool
}

// isSecret reports whether the field of the form (route pattern) holds a
// secret.
func isSecret(pattern, name string) bool {
	if secretFields[name] {
		return true
	}
	for _, n := range routeSecrets[pattern] {
		if n == name {
			return true
		}
	}
	return false
}

// replayOf returns the form of a POST to finish after re-authentication,
// and false for anything else (a GET, a file upload).
func replayOf(r *http.Request) (replay, bool) {
	if r.Method != http.MethodPost || r.PostForm == nil || (r.MultipartForm != nil && len(r.MultipartForm.File) > 0) {
		return replay{}, false
	}
	rp := replay{Pattern: r.Pattern, Path: r.URL.Path, Values: url.Values{}}
	for name, vs := range r.PostForm {
		switch {
		case name == csrfField:
		case isSecret(r.Pattern, name):
			if name != proofFields[r.Pattern] && strings.Join(vs, "") != "" {
				rp.Retype = true
			}
		default:
			rp.Values[name] = vs
		}
	}
	if rp.Retype {
		rp.Values = nil
	}
	return rp, true
}

// sessionBind is what sealed cookies of the signed-in person are bound
// to: the session's cookie, so that no other session opens them.
func sessionBind(r *http.Request) string {
	if ck, err := r.Cookie(handler.CookieName); err == nil {
		return ck.Value
	}
	return ""
}

// toReauth sends the person to the password prompt: a form's action is
// finished afterwards (or its form shown again), a page shown again.
func (w *Web) toReauth(rw http.ResponseWriter, r *http.Request) {
	if rp, ok := replayOf(r); ok {
		v, err := w.seal(sealReplay, sessionBind(r), rp, replayTTL)
		if err != nil || len(v) > maxReplayCookie {
			rp.Values, rp.Retype = nil, true
			v, err = w.seal(sealReplay, sessionBind(r), rp, replayTTL)
		}
		if err == nil {
			http.SetCookie(rw, w.cookie(r, replayCookie, v, "/reauth", int(replayTTL.Seconds())))
		}
	} else if _, err := r.Cookie(replayCookie); err == nil {
		// A page, not a form: nothing of an older prompt is finished.
		http.SetCookie(rw, w.cookie(r, replayCookie, "", "/reauth", -1))
	}
	seeOther(rw, r, "/reauth?next="+url.QueryEscape(returnPath(r)))
}

// pendingReplay returns the form waiting for the prompt, if any.
func (w *Web) pendingReplay(r *http.Request) (replay, bool) {
	ck, err := r.Cookie(replayCookie)
	if err != nil {
		return replay{}, false
	}
	var rp replay
	ok := w.unseal(sealReplay, sessionBind(r), ck.Value, &rp) && localPath(rp.Path) == rp.Path &&
		!strings.HasPrefix(rp.Path, "/reauth")
	return rp, ok
}

// reauthData is the content of the password prompt.
type reauthData struct {
	Next string
	// TwoFactor asks for a code too; SMSPhone is the masked number that
	// "Text me a code" texts when the factor is SMS, Texted that it did.
	TwoFactor bool
	SMSPhone  string
	Texted    bool
	// Action is what the prompt finishes ("create the API key"); Retype
	// tells that the form is shown again instead.
	Action string
	Retype bool
	// Passkeys offers "Confirm with a passkey": the account has one.
	Passkeys bool
}

// reauthenticated finishes the form that waited for the
// re-authentication (replay, with the password typed at the prompt, if
// any, as its proof) or goes back to next.
func (w *Web) reauthenticated(rw http.ResponseWriter, r *http.Request, c *caller, next, password string) {
	rp, ok := w.pendingReplay(r)
	if _, err := r.Cookie(replayCookie); err == nil {
		http.SetCookie(rw, w.cookie(r, replayCookie, "", "/reauth", -1))
	}
	switch {
	case ok && !rp.Retype:
		w.replay(rw, r, c, rp, password)
	case ok:
		w.setFlash(rw, r, "reauth_retype")
		seeOther(rw, r, next)
	default:
		seeOther(rw, r, next)
	}
}

// reauthPage asks a signed-in person for the password again (and the
// second factor, when the account has one) before a sensitive action.
func (w *Web) reauthPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderReauth(rw, r, c, http.StatusOK, nil, localPath(r.URL.Query().Get("next")), false)
}

func (w *Web) renderReauth(rw http.ResponseWriter, r *http.Request, c *caller, status int, f *form, next string, texted bool) {
	factor, err := w.s.TwoFactor.SignInFactor(r.Context(), c.acct.ID)
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
	d := reauthData{Next: next, TwoFactor: factor.Method != twofactor.MethodNone, Passkeys: has}
	if factor.Method == twofactor.MethodSMS {
		d.SMSPhone, d.Texted = factor.Phone, texted || p.Flash == flashes["code_texted"]
	}
	if rp, ok := w.pendingReplay(r); ok {
		d.Action, d.Retype = replayActions[rp.Pattern], rp.Retype
		if d.Action == "" && !rp.Retype {
			d.Action = "finish what you started"
		}
	}
	p.Form, p.Data = f, d
	w.render(rw, r, status, "reauth", p)
}

// reauth checks the password (and code) with the SDK's Reauthenticate,
// which makes the session fresh again, then finishes the form that was
// waiting (replay) or goes back to the page.
func (w *Web) reauth(rw http.ResponseWriter, r *http.Request, c *caller) {
	next := nextOf(r)
	if !w.allow(rw, r, "login", addressKey(c.acct.Email)) {
		return
	}
	f := newForm()
	password := r.PostFormValue("password")
	_, err := w.s.Sessions.Reauthenticate(r.Context(), w.as(r, c), password, strings.TrimSpace(r.PostFormValue("code")))
	switch codeOf(err) {
	case "":
		w.reauthenticated(rw, r, c, next, password)
		return
	case "rate_limited":
		f.add("password", signInThrottleMessage(waitOf(err)))
	case "locked":
		f.add("code", msgLocked)
	case "second_factor_required":
		f.add("code", "Enter the code of your second factor, or one of your recovery codes.")
	case "invalid_credentials":
		f.add("password", "The password or the code is not right.")
	default:
		w.fail(rw, r, err)
		return
	}
	w.renderReauth(rw, r, c, http.StatusUnauthorized, f, next, false)
}

// replay posts the waiting form again, inside the server, as the same
// browser: its values, a fresh anti-CSRF token and, in the form's proof
// field, the password just checked. The answer is the action's own: a
// redirect to its result, or its page.
func (w *Web) replay(rw http.ResponseWriter, r *http.Request, c *caller, rp replay, password string) {
	form := maps.Clone(rp.Values)
	if form == nil {
		form = url.Values{}
	}
	form.Set(csrfField, c.csrf())
	if name := proofFields[rp.Pattern]; name != "" {
		form.Set(name, password)
	}
	body := form.Encode()
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, rp.Path, strings.NewReader(body))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	req.Header = r.Header.Clone()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	req.RemoteAddr, req.TLS, req.Host = r.RemoteAddr, r.TLS, r.Host
	w.mux.ServeHTTP(rw, req)
}

// textReauthCode texts a code for the prompt of an account whose second
// factor is SMS, as "Text me a code" does at sign-in (textCode).
func (w *Web) textReauthCode(rw http.ResponseWriter, r *http.Request, c *caller) {
	next := nextOf(r)
	if f, status, ok := w.textCode(rw, r, c.acct.ID, "/reauth?next="+url.QueryEscape(next)); ok {
		w.renderReauth(rw, r, c, status, f, next, status == http.StatusTooManyRequests && f.Errors["resend"] != nil)
	}
}

package web

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/token"
)

// developerData is the content of the Developer Settings page. The
// secret fields are set only on the answer to the POST that made the
// secret: it is shown once and never stored or put in a URL.
type developerData struct {
	TwoFactor twofactor.Status
	Tokens    []token.Token
	APIKeys   []token.APIKey
	Scopes    []token.Scope
	// Enrol shows the authenticator enrolment: the QR code and the manual
	// key (only on the answer to the start), then the code form.
	Enrol *enrolment
	// SMSAvailable offers SMS codes: the server can send them.
	SMSAvailable bool
	// SMS shows the code form of an SMS enrolment.
	SMS *smsEnrolment
	// RecoveryCodes are shown once, after the enrolment is confirmed or
	// the codes are regenerated.
	RecoveryCodes []string
	// Regenerated tells that RecoveryCodes replace the old codes.
	Regenerated bool
}

// enrolment is an authenticator enrolment in progress.
type enrolment struct {
	// QR is the QR code as a data: URL (same page, no other request).
	QR template.URL
	// Key is the secret in groups of four, for typing it in.
	Key string
}

// newSecret is a token or key just made, with what it is called. It goes
// from the POST that made it to the page that shows it once
// (newSecretPath) in a sealed cookie of that page, never in a URL.
type newSecret struct {
	// Kind is "token" or "key".
	Kind, Name, Value string
}

// The page of a secret just made: its cookie lives for newSecretTTL, and
// the page deletes it, so a reload shows the secret no more.
const (
	newSecretCookie = "settingsd_new_secret"
	newSecretPath   = "/developer/new"
	newSecretTTL    = 2 * time.Minute
)

// showOnce sends the browser to the page showing the secret just made
// (POST/redirect/GET): the URL is then that page's, not the form's, and
// the secret sits at the top of the first screen, even on a phone.
func (w *Web) showOnce(rw http.ResponseWriter, r *http.Request, c *caller, s newSecret) {
	v, err := w.seal(sealNewSecret, c.secret, s, newSecretTTL)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	http.SetCookie(rw, w.cookie(r, newSecretCookie, v, newSecretPath, int(newSecretTTL.Seconds())))
	seeOther(rw, r, newSecretPath)
}

// newSecretPage shows the token or API key just made, once: it deletes
// its cookie, and without one (a reload, a bookmark) goes to Developer
// Settings.
func (w *Web) newSecretPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	ck, err := r.Cookie(newSecretCookie)
	if err != nil {
		seeOther(rw, r, "/developer")
		return
	}
	http.SetCookie(rw, w.cookie(r, newSecretCookie, "", newSecretPath, -1))
	var s newSecret
	if !w.unseal(sealNewSecret, c.secret, ck.Value, &s) {
		seeOther(rw, r, "/developer")
		return
	}
	title := "Your new personal access token"
	if s.Kind == "key" {
		title = "Your new API key"
	}
	p := w.signedInPage(rw, r, c, title, "developer")
	p.Data, p.Secret = s, true
	w.render(rw, r, http.StatusOK, "developer_new", p)
}

// developerPage shows the second factor, API keys and personal access
// tokens.
func (w *Web) developerPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderDeveloper(rw, r, c, http.StatusOK, nil, developerData{})
}

// renderDeveloper reads the page's lists (one query each) and renders it
// with d's one-time parts.
func (w *Web) renderDeveloper(rw http.ResponseWriter, r *http.Request, c *caller, status int, f *form, d developerData) {
	ctx := r.Context()
	var err1, err2, err3 error
	d.TwoFactor, err1 = w.s.TwoFactor.Status(ctx, w.as(r, c))
	d.Tokens, err2 = w.s.Tokens.List(ctx, w.as(r, c))
	d.APIKeys, err3 = w.s.Tokens.ListAPIKeys(ctx, w.as(r, c))
	if err := errors.Join(err1, err2, err3); err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Scopes = w.s.Scopes.Scopes()
	off := d.TwoFactor.Method == twofactor.MethodNone
	if d.Enrol == nil && d.TwoFactor.Pending == twofactor.MethodAuthenticator && off {
		d.Enrol = &enrolment{}
	}
	if d.SMS == nil && d.TwoFactor.Pending == twofactor.MethodSMS && off {
		d.SMS = &smsEnrolment{Phone: d.TwoFactor.PendingPhone}
	}
	d.SMSAvailable = w.s.TwoFactor.SMSAvailable()
	p := w.signedInPage(rw, r, c, "Developer Settings", "developer")
	p.Form, p.Data = f, d
	p.Secret = len(d.RecoveryCodes) > 0 || (d.Enrol != nil && d.Enrol.Key != "")
	w.render(rw, r, status, "developer", p)
}

// beginAuthenticator starts an enrolment and shows its QR code and key,
// once.
func (w *Web) beginAuthenticator(rw http.ResponseWriter, r *http.Request, c *caller) {
	enr, err := w.s.TwoFactor.BeginAuthenticator(r.Context(), w.as(r, c), w.s.Issuer, c.acct.Email)
	if codeOf(err) == "already_enabled" {
		seeOther(rw, r, "/developer#two-factor")
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := developerData{Enrol: &enrolment{
		QR:  qrURL(enr.QRPNG),
		Key: groupsOf4(enr.Secret.Reveal()),
	}}
	w.renderDeveloper(rw, r, c, http.StatusOK, nil, d)
}

// qrURL is a PNG image as a data: URL.
func qrURL(png []byte) template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

// redrawEnrolment draws the QR code and key of the pending enrolment again
// from the key the code form sent back (in the POST body, never in a
// URL), so a wrong code does not make the person start again. It returns
// an enrolment without them when the key is not a TOTP key.
func (w *Web) redrawEnrolment(c *caller, sent string) *enrolment {
	key := strings.ToUpper(strings.Join(strings.Fields(sent), ""))
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(key)
	if err != nil || len(raw) < 10 || len(raw) > 64 {
		return &enrolment{}
	}
	k, err := totp.Generate(totp.GenerateOpts{
		Issuer: w.s.Issuer, AccountName: c.acct.Email, Secret: raw,
		Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return &enrolment{}
	}
	img, err := k.Image(twofactor.QRSize, twofactor.QRSize)
	if err != nil {
		return &enrolment{}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return &enrolment{}
	}
	return &enrolment{QR: qrURL(buf.Bytes()), Key: groupsOf4(key)}
}

// groupsOf4 splits a key into groups of four characters.
func groupsOf4(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// confirmAuthenticator turns the second factor on with a code of the app
// and shows the recovery codes, once.
func (w *Web) confirmAuthenticator(rw http.ResponseWriter, r *http.Request, c *caller) {
	if !w.allow(rw, r, "code", "2fa:"+c.acct.ID) {
		return
	}
	codes, err := w.s.TwoFactor.ConfirmAuthenticator(r.Context(), w.as(r, c), strings.TrimSpace(r.PostFormValue("code")))
	if err == nil {
		w.renderDeveloper(rw, r, c, http.StatusOK, nil, developerData{RecoveryCodes: codes})
		return
	}
	f := newForm()
	enr := &enrolment{}
	switch codeOf(err) {
	case "invalid_code", "locked":
		addCode(f, "code", err)
		enr = w.redrawEnrolment(c, r.PostFormValue("key"))
	case "no_enrollment":
		f.add("code", "The set-up has expired. Start it again.")
	case "already_enabled":
		seeOther(rw, r, "/developer#two-factor")
		return
	default:
		w.fail(rw, r, err)
		return
	}
	w.renderDeveloper(rw, r, c, http.StatusUnprocessableEntity, f, developerData{Enrol: enr})
}

// deactivateTwoFactor turns the second factor off with the password.
func (w *Web) deactivateTwoFactor(rw http.ResponseWriter, r *http.Request, c *caller) {
	err := w.s.TwoFactor.Deactivate(r.Context(), w.as(r, c), twofactor.Proof{Password: r.PostFormValue("password")})
	f := newForm()
	switch codeOf(err) {
	case "", "not_enabled":
	case "rate_limited":
		f.add("password", signInThrottleMessage(waitOf(err)))
	case "invalid_credentials":
		f.add("password", "The password is not right.")
	case "locked":
		f.add("password", msgLocked)
	default:
		w.fail(rw, r, err)
		return
	}
	if !f.ok() {
		w.renderDeveloper(rw, r, c, http.StatusUnprocessableEntity, f, developerData{})
		return
	}
	w.setFlash(rw, r, "2fa_off")
	seeOther(rw, r, "/developer#two-factor")
}

// regenerateRecoveryCodes replaces the recovery codes, with the password
// as proof, and shows the new ones once. The SDK wants a fresh sign-in: a
// stale one goes to the password prompt first (fail), coming back here.
func (w *Web) regenerateRecoveryCodes(rw http.ResponseWriter, r *http.Request, c *caller) {
	const name = "regen_password"
	f := newForm()
	password := r.PostFormValue(name)
	if password == "" {
		// An empty proof would count as a wrong code towards the lock.
		f.add(name, "Enter your password.")
		w.renderDeveloper(rw, r, c, http.StatusUnprocessableEntity, f, developerData{})
		return
	}
	codes, err := w.s.TwoFactor.RegenerateRecoveryCodes(r.Context(), w.as(r, c), twofactor.Proof{Password: password})
	switch codeOf(err) {
	case "":
		w.renderDeveloper(rw, r, c, http.StatusOK, nil, developerData{RecoveryCodes: codes, Regenerated: true})
		return
	case "not_enabled":
		seeOther(rw, r, "/developer#two-factor")
		return
	case "rate_limited":
		f.add(name, signInThrottleMessage(waitOf(err)))
	case "invalid_credentials", "invalid_code":
		f.add(name, "The password is not right.")
	case "locked":
		f.add(name, msgLocked)
	default:
		w.fail(rw, r, err)
		return
	}
	w.renderDeveloper(rw, r, c, http.StatusUnprocessableEntity, f, developerData{})
}

// recoveryCodeRE is the shape of a recovery code (twofactor's alphabet).
var recoveryCodeRE = regexp.MustCompile(`^[A-Z2-7]{5}-[A-Z2-7]{5}$`)

// downloadRecoveryCodes answers the recovery codes the page just showed as
// a text file to save. The codes come back in the POST body (never in a
// URL, and nothing is stored), so the download works without JavaScript;
// only recovery-code-shaped lines are written, so the answer cannot carry
// anything else.
func (w *Web) downloadRecoveryCodes(rw http.ResponseWriter, r *http.Request, c *caller) {
	codes := strings.Fields(r.PostFormValue("codes"))
	if len(codes) == 0 || len(codes) > twofactor.RecoveryCodeCount {
		w.renderError(rw, r, http.StatusBadRequest)
		return
	}
	var b strings.Builder
	b.WriteString(translators[w.callerLanguage(r, c)].t("Recovery codes for %s. Each code works once.", w.s.Issuer) + "\r\n\r\n")
	for _, code := range codes {
		if !recoveryCodeRE.MatchString(code) {
			w.renderError(rw, r, http.StatusBadRequest)
			return
		}
		b.WriteString(code + "\r\n")
	}
	h := rw.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="recovery-codes.txt"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = rw.Write([]byte(b.String()))
}

// createAPIKey makes an API key and shows it, once (showOnce).
func (w *Web) createAPIKey(rw http.ResponseWriter, r *http.Request, c *caller) {
	desc := r.PostFormValue("description")
	k, secret, err := w.s.Tokens.CreateAPIKey(r.Context(), w.as(r, c), desc)
	if codeOf(err) == "invalid_description" {
		f := newForm()
		f.Values["description"] = desc
		f.add("description", "Describe the key in 1 to 100 characters.")
		w.renderDeveloper(rw, r, c, http.StatusUnprocessableEntity, f, developerData{})
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.showOnce(rw, r, c, newSecret{Kind: "key", Name: k.Description, Value: secret.Reveal()})
}

func (w *Web) revokeAPIKey(rw http.ResponseWriter, r *http.Request, c *caller) {
	if err := w.s.Tokens.RevokeAPIKey(r.Context(), w.as(r, c), r.PathValue("id")); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.setFlash(rw, r, "key_revoked")
	seeOther(rw, r, "/developer#api-keys")
}

// createToken makes a personal access token with the checked scopes and
// shows its secret, once (showOnce).
func (w *Web) createToken(rw http.ResponseWriter, r *http.Request, c *caller) {
	name, scopes := r.PostFormValue("token_name"), r.PostForm["scope"]
	t, secret, err := w.s.Tokens.Create(r.Context(), w.as(r, c), name, scopes)
	if err == nil {
		w.showOnce(rw, r, c, newSecret{Kind: "token", Name: t.Name, Value: secret.Reveal()})
		return
	}
	f := newForm()
	f.Values["token_name"] = name
	for _, s := range scopes {
		f.Values["scope:"+s] = "yes"
	}
	switch codeOf(err) {
	case "invalid_name":
		f.add("token_name", "Name the token in 1 to 100 characters.")
	case "name_taken":
		f.add("token_name", "You already have a token with this name.")
	case "no_scope":
		f.add("scope", "Choose at least one scope.")
	case "unknown_scopes":
		f.add("scope", "Choose scopes from the list.")
	default:
		w.fail(rw, r, err)
		return
	}
	w.renderDeveloper(rw, r, c, http.StatusUnprocessableEntity, f, developerData{})
}

func (w *Web) deleteToken(rw http.ResponseWriter, r *http.Request, c *caller) {
	if err := w.s.Tokens.Delete(r.Context(), w.as(r, c), r.PathValue("id")); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.setFlash(rw, r, "token_deleted")
	seeOther(rw, r, "/developer#tokens")
}

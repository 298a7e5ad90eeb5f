package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/session"
)

// Cookie names. The session cookie is the JSON API's (handler.CookieName),
// so one sign-in serves both.
const (
	formCookie   = "settingsd_form"
	factorCookie = "settingsd_2fa"
	flashCookie  = "settingsd_flash"
	// emailCookie carries the address a reset code was asked for to the
	// page of the code (its path only).
	emailCookie = "settingsd_email"
	csrfField   = "csrf"
)

// caller is the signed-in person of a page request.
type caller struct {
	ses    session.Session
	secret string
	acct   account.Account
}

// csrf returns the anti-CSRF token the caller's forms carry.
func (c *caller) csrf() string { return session.CSRFToken(c.secret) }

// me wraps a page for signed-in people. Without a valid session it
// redirects to the sign-in page (coming back afterwards); a POST needs the
// session's CSRF token in the form (403 otherwise). The rules of the
// action are the SDK's: when a service refuses the session's caller
// because its password has expired, fail shows the password form; when
// its sign-in is too old for a sensitive action, the password prompt,
// coming back to the page of the form.
func (w *Web) me(fn func(http.ResponseWriter, *http.Request, *caller)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		c, ok := w.caller(rw, r)
		if !ok {
			return
		}
		if r.Method == http.MethodPost && !w.checkForm(rw, r, c.secret) {
			return
		}
		fn(rw, r, c)
	}
}

// client returns the client of the request: its address as WithClientIP
// finds it, and its User-Agent.
func (w *Web) client(r *http.Request) auth.Client {
	return auth.Client{IP: w.clientIP(r), UserAgent: r.UserAgent()}
}

// caller returns the signed-in person, or redirects to the sign-in page
// and reports false.
func (w *Web) caller(rw http.ResponseWriter, r *http.Request) (*caller, bool) {
	ctx := r.Context()
	ck, err := r.Cookie(handler.CookieName)
	if err == nil {
		ses, err := w.s.Sessions.Validate(ctx, ck.Value)
		if err == nil {
			acct, err := w.s.Accounts.Get(ctx, ses.AccountID)
			if err == nil {
				return &caller{ses: ses, secret: ck.Value, acct: acct}, true
			}
			if errs.KindOf(err) != errs.NotFound {
				w.fail(rw, r, err)
				return nil, false
			}
		} else if errs.KindOf(err) != errs.Unauthenticated {
			w.fail(rw, r, err)
			return nil, false
		}
		http.SetCookie(rw, w.cookie(r, handler.CookieName, "", "/", -1))
	}
	seeOther(rw, r, "/signin?next="+url.QueryEscape(returnPath(r)))
	return nil, false
}

// returnPath is where to come back after signing in: the page itself for
// a GET, the page of the form for a POST.
func returnPath(r *http.Request) string {
	if r.Method == http.MethodGet {
		return r.URL.RequestURI()
	}
	return formPage(r.URL.Path)
}

// formPage maps the path a form posts to onto the page showing the form.
func formPage(p string) string {
	switch {
	case strings.HasPrefix(p, "/profile/merge/"):
		if id, _, ok := strings.Cut(strings.TrimPrefix(p, "/profile/merge/"), "/"); ok {
			return "/profile/merge/" + id + "/preview"
		}
		return "/profile/merge"
	case strings.HasPrefix(p, "/profile"):
		return "/profile"
	case strings.HasPrefix(p, "/accounts/delete"):
		return "/accounts/delete"
	case strings.HasPrefix(p, "/accounts/email-changes/"),
		strings.HasPrefix(p, "/accounts/") && strings.HasSuffix(p, "/email"):
		return p // the code page, the Change email page: GET shows the form
	case strings.HasPrefix(p, "/accounts"):
		return "/accounts"
	case strings.HasPrefix(p, "/sessions"):
		return "/sessions"
	case strings.HasPrefix(p, "/developer"):
		return "/developer"
	case strings.HasPrefix(p, "/notifications"):
		return "/notifications"
	case p == "/personal-data/erase-profile":
		return "/personal-data#erase-profile"
	case strings.HasPrefix(p, "/personal-data"):
		return "/personal-data#erase"
	}
	return "/"
}

// localPath returns next when it is a path of this site, "/" otherwise,
// so that no redirect leaves the site. It is the SDK's one return-path
// check (sso.CheckReturnTo), for every sink of the pages: Location, the
// meta refresh after single sign-on, and the return_to of a sign-in.
func localPath(next string) string {
	if sso.CheckReturnTo(next) != nil {
		return "/"
	}
	return next
}

// seeOther redirects with 303, the answer of POST-redirect-GET.
func seeOther(rw http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(rw, r, to, http.StatusSeeOther)
}

// cookie returns a cookie of the pages: HttpOnly, SameSite=Strict, Secure
// on TLS (or always, with WithSecureCookies). maxAge -1 deletes it.
func (w *Web) cookie(r *http.Request, name, value, path string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || w.secureCookies,
	}
}

// startSession signs the account in: a new session, from the client of
// the request, whose secret goes only into the HttpOnly cookie.
func (w *Web) startSession(rw http.ResponseWriter, r *http.Request, b session.Begin) error {
	b.Client = w.client(r)
	ses, secret, err := w.s.Sessions.Start(r.Context(), b)
	if err != nil {
		return err
	}
	http.SetCookie(rw, w.cookie(r, handler.CookieName, secret.Reveal(), "/", 0))
	// The pages speak the language of the profile: read once here, kept
	// in a cookie the pages read (setLanguage).
	p, err := w.s.Profiles.Get(r.Context(), auth.New(b.AccountID, b.Method, ses.CreatedAt, ses.ID))
	if err != nil {
		return err
	}
	w.setLanguage(rw, r, p.Language)
	return nil
}

// formToken returns the anti-CSRF token of the forms shown before sign-in
// (a double-submit token bound to a random cookie), setting the cookie
// when the browser has none.
func (w *Web) formToken(rw http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(formCookie); err == nil && len(ck.Value) == session.SecretLen {
		return session.CSRFToken(ck.Value)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(rw, w.cookie(r, formCookie, v, "/", 0))
	return session.CSRFToken(v)
}

// anonymous wraps the POST of a form shown before sign-in: it checks the
// double-submit token (403 otherwise).
func (w *Web) anonymous(fn http.HandlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(formCookie)
		if err != nil || len(ck.Value) != session.SecretLen {
			w.renderError(rw, r, http.StatusForbidden)
			return
		}
		if w.checkForm(rw, r, ck.Value) {
			fn(rw, r)
		}
	}
}

// checkForm parses the posted form (urlencoded up to MaxFormBytes,
// multipart up to maxMultipartBytes, held in memory) and checks that it
// carries the anti-CSRF token of secret. It answers 413 or 403 with the
// error page and reports false when not.
func (w *Web) checkForm(rw http.ResponseWriter, r *http.Request, secret string) bool {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(rw, r.Body, maxMultipartBytes)
		err = r.ParseMultipartForm(maxMultipartBytes)
	} else {
		r.Body = http.MaxBytesReader(rw, r.Body, MaxFormBytes)
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		w.renderError(rw, r, http.StatusRequestEntityTooLarge)
		return false
	case err != nil || !session.CheckCSRF(secret, r.PostFormValue(csrfField)):
		w.renderError(rw, r, http.StatusForbidden)
		return false
	}
	return true
}

// factorTicket is the signed content of the cookie that carries a sign-in
// from its password step to its code step: which account, until when,
// and whether the password had expired. It proves the password was right
// without holding it.
type factorTicket struct {
	accountID       string
	expires         time.Time
	passwordExpired bool
}

// sealTicket encodes and signs a ticket.
func (w *Web) sealTicket(t factorTicket) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(t.accountID)) + "." +
		strconv.FormatInt(t.expires.Unix(), 10) + "." + strconv.FormatBool(t.passwordExpired)
	return payload + "." + w.mac(payload)
}

// openTicket checks a sealed ticket's signature and expiry.
func (w *Web) openTicket(v string) (factorTicket, bool) {
	i := strings.LastIndexByte(v, '.')
	if i < 0 || !hmac.Equal([]byte(w.mac(v[:i])), []byte(v[i+1:])) {
		return factorTicket{}, false
	}
	parts := strings.Split(v[:i], ".")
	if len(parts) != 3 {
		return factorTicket{}, false
	}
	id, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	expired, err3 := strconv.ParseBool(parts[2])
	t := factorTicket{accountID: string(id), expires: time.Unix(exp, 0), passwordExpired: expired}
	if err1 != nil || err2 != nil || err3 != nil || !w.now().Before(t.expires) {
		return factorTicket{}, false
	}
	return t, true
}

func (w *Web) mac(payload string) string {
	m := hmac.New(sha256.New, w.key)
	m.Write([]byte("settingsd web 2fa v1|"))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// allow takes a rate-limit token for the client and for each address
// (emails or flow ids) of the kind; when one is missing it answers 429
// with the page and reports false, and when the buckets cannot be read,
// 500.
func (w *Web) allow(rw http.ResponseWriter, r *http.Request, kind string, addresses ...string) bool {
	ok, _, err := w.limiter.Allow(r.Context(), kind, w.clientIP(r), w.clientLimit, w.addrLimit, addresses...)
	switch {
	case err != nil:
		w.fail(rw, r, err)
	case !ok:
		w.renderError(rw, r, http.StatusTooManyRequests)
	}
	return ok && err == nil
}

// addressKey is the rate-limit key of an email address: its normal form,
// or the lower-cased input when it is malformed.
func addressKey(email string) string {
	if n, err := account.NormalizeEmail(email); err == nil {
		return n
	}
	return strings.ToLower(strings.TrimSpace(email))
}

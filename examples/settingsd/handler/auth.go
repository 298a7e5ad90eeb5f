package handler

import (
	"errors"
	"net/http"
	"strings"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/session"
)

// caller is the signed-in person of a /v1/me request.
type caller struct {
	ses       session.Session
	accountID string
	profileID string
	email     string
}

// client returns the client of the request: its address as WithClientIP
// finds it, and its User-Agent.
func (h *Handler) client(r *http.Request) auth.Client {
	return auth.Client{IP: h.clientIP(r), UserAgent: r.UserAgent()}
}

// credential returns the session secret of the request and whether it
// came from the cookie. The Authorization header wins; a malformed one is
// not replaced by the cookie.
func credential(r *http.Request) (secret string, fromCookie bool) {
	if v := r.Header.Get("Authorization"); v != "" {
		scheme, rest, ok := strings.Cut(v, " ")
		if !ok || !strings.EqualFold(scheme, "Session") {
			return "", false
		}
		return rest, false
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value, true
	}
	return "", false
}

// unsafeMethod reports whether the method may change state.
func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// me wraps a /v1/me handler: it needs a valid session (401
// unauthenticated) and a matching X-CSRF-Token for a state-changing
// request authenticated by cookie (403 csrf_token_invalid). The rules of
// the operation itself (a password that has expired, 403
// password_expired; a sign-in too old for a sensitive operation, 403
// reauthentication_required) are the SDK's: the services refuse the
// session's caller, and fail maps their errors.
func (h *Handler) me(fn func(http.ResponseWriter, *http.Request, *caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, fromCookie := credential(r)
		if secret == "" {
			writeError(w, r, http.StatusUnauthorized, "unauthenticated")
			return
		}
		ses, err := h.s.Sessions.Validate(r.Context(), secret)
		if errors.Is(err, session.ErrInvalidSession) {
			writeError(w, r, http.StatusUnauthorized, "unauthenticated")
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if fromCookie && unsafeMethod(r.Method) && !session.CheckCSRF(secret, r.Header.Get(CSRFHeader)) {
			writeError(w, r, http.StatusForbidden, "csrf_token_invalid")
			return
		}
		acct, err := h.s.Accounts.Get(r.Context(), ses.AccountID)
		if errors.Is(err, account.ErrNotFound) {
			writeError(w, r, http.StatusUnauthorized, "unauthenticated")
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		fn(w, r, &caller{ses: ses, accountID: acct.ID, profileID: acct.ProfileID, email: acct.Email})
	}
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	OTP      string `json:"otp"`
	// SessionInBody asks for a header-style session: the secret in the
	// answer's "session" field (for "Authorization: Session …") and no
	// cookie. Without it the secret is only in the HttpOnly cookie.
	SessionInBody bool `json:"session_in_body"`
	// DeviceToken is the device token of an earlier sign-in or unlock of
	// the account ("device_token" of its answer), for clients that keep
	// no cookie; it wins over the device cookie.
	DeviceToken string `json:"device_token"`
}

// login is POST /v1/sessions. Every failure of the password or of the
// second factor answers 401 invalid_credentials; a right password of an
// account with two-factor authentication and no otp answers 401
// second_factor_required, so the client asks for the code. A browser
// gets the session secret only as the HttpOnly cookie; an API client
// that sends "session_in_body": true gets it in the body instead, and no
// cookie. The SDK throttles failed passwords (per address and client IP
// for a browser that never signed in to the account, per device for one
// that did): a throttled attempt answers 429 rate_limited with
// Retry-After, the same for every address. Only the client's overall
// budget is taken here, never the address's, so failures from elsewhere
// cannot lock the owner out. A browser sign-in sets the device cookie
// (see DeviceCookieName) after the session cookie; an API client that
// asked for session_in_body gets no cookie at all, and its device token
// in the body's "device_token" instead, to send back in the request's
// "device_token". An owner whose address strangers keep throttled gets
// a device token through the emailed unlock (POST /v1/sessions/unlock).
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "login") {
		return
	}
	l := h.loginOf(r, req.Email, req.Password)
	if req.DeviceToken != "" {
		l.Device = req.DeviceToken
	}
	res, ok := h.authenticate(w, r, l)
	if !ok {
		return
	}
	h.firstFactorDone(w, r, res.Account, session.Begin{AccountID: res.Account.ID, Method: auth.MethodPassword, PasswordExpired: res.PasswordExpired},
		res.SecondFactorRequired, req.OTP, req.SessionInBody, res.Device)
}

// firstFactorDone finishes a sign-in whose first factor (b.Method) is
// proven: the second step when the account needs one (secondFactor,
// with the body's otp; the session's method is then
// auth.MethodSecondFactor), then the session (startSession).
func (h *Handler) firstFactorDone(w http.ResponseWriter, r *http.Request, a account.Account, b session.Begin, needsSecond bool, otp string, inBody bool, device string) {
	if needsSecond {
		b.Method = auth.MethodSecondFactor
		if !h.secondFactor(w, r, a.ID, otp) {
			return
		}
	}
	h.startSession(w, r, a, b, inBody, device)
}

// secondFactor runs the second step of a sign-in that needs one: the
// code of the body (otp), which the SDK checks and logs. It answers 401
// second_factor_required without a code and 401 invalid_credentials for
// a wrong one, and reports whether the sign-in may go on.
func (h *Handler) secondFactor(w http.ResponseWriter, r *http.Request, accountID, otp string) bool {
	if otp == "" {
		writeError(w, r, http.StatusUnauthorized, "second_factor_required")
		return false
	}
	if err := h.s.TwoFactor.VerifySignIn(r.Context(), accountID, otp, h.client(r)); err != nil {
		writeError(w, r, http.StatusUnauthorized, "invalid_credentials")
		return false
	}
	return true
}

// authenticate runs the password step l of a sign-in and reports whether
// the password was right; anything else is answered (401
// invalid_credentials, 429 rate_limited).
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, l account.Login) (account.AuthResult, bool) {
	res, err := h.s.Accounts.Authenticate(r.Context(), l)
	switch {
	case errors.Is(err, account.ErrInvalidCredentials):
		writeError(w, r, http.StatusUnauthorized, "invalid_credentials")
		return res, false
	case err != nil:
		h.fail(w, r, err)
		return res, false
	}
	return res, true
}

// loginOf returns the sign-in attempt of r: the email and password, the
// client (its IP address as WithClientIP finds it, its User-Agent) and
// the device token of its device cookie.
func (h *Handler) loginOf(r *http.Request, email, pw string) account.Login {
	l := account.Login{Email: email, Password: pw, Client: h.client(r)}
	if c, err := r.Cookie(DeviceCookieName); err == nil {
		l.Device = c.Value
	}
	return l
}

// deviceCookie returns the device cookie that keeps token, the device
// token of a successful sign-in: HttpOnly, SameSite=Strict, Secure on
// TLS (or always, with WithSecureCookies), for DeviceCookieMaxAge.
func (h *Handler) deviceCookie(r *http.Request, token string) *http.Cookie {
	return &http.Cookie{
		Name: DeviceCookieName, Value: token, Path: "/", MaxAge: int(DeviceCookieMaxAge.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || h.secureCookies,
	}
}

// logout is DELETE /v1/sessions/current.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, c *caller) {
	if err := h.s.Sessions.End(r.Context(), h.as(r, c), c.ses.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, h.cookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
}

// cookie returns the session cookie: HttpOnly, SameSite=Strict, Secure on
// TLS (or always, with WithSecureCookies). maxAge -1 deletes it.
func (h *Handler) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || h.secureCookies,
	}
}

// addressKey is the rate-limit key of an email address: its normal form,
// or the lower-cased input when it is malformed.
func addressKey(email string) string {
	if n, err := account.NormalizeEmail(email); err == nil {
		return n
	}
	return strings.ToLower(strings.TrimSpace(email))
}

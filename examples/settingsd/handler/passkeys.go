package handler

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/session"
)

// PasskeyCookieName is the pre-authentication cookie of a passkey sign-in
// or second-factor step: the ID of the ceremony the browser began
// (HttpOnly, SameSite=Strict, scoped to /v1/sessions/passkey, as long as
// the ceremony lives). It binds the ceremony to the browser that began
// it, so the ID never shows in the page.
const PasskeyCookieName = "settingsd_passkey"

// passkeyCookiePath scopes PasskeyCookieName to the routes that finish a
// ceremony.
const passkeyCookiePath = "/v1/sessions/passkey"

// passkeyJSON is a passkey of the account, as the routes show it.
type passkeyJSON struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	CreatedAt      time.Time `json:"created_at"`
	LastUsedAt     time.Time `json:"last_used_at,omitzero"`
	Transports     []string  `json:"transports"`
	BackupEligible bool      `json:"backup_eligible"`
	BackupState    bool      `json:"backup_state"`
	AAGUID         string    `json:"aaguid"`
}

func passkeyOut(p passkey.Passkey) passkeyJSON {
	out := passkeyJSON{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt.UTC(), Transports: nonNil(p.Transports),
		BackupEligible: p.BackupEligible, BackupState: p.BackupState, AAGUID: p.AAGUID}
	if !p.LastUsedAt.IsZero() {
		out.LastUsedAt = p.LastUsedAt.UTC()
	}
	return out
}

// ceremonyJSON is a begun ceremony: the options for the browser's
// navigator.credentials call and, when the client holds it, its ID.
type ceremonyJSON struct {
	CeremonyID  string          `json:"ceremony_id,omitempty"`
	Options     json.RawMessage `json:"options"`
	ExpiresAt   time.Time       `json:"expires_at"`
	AccountID   string          `json:"account_id,omitempty"`
	DeviceToken string          `json:"device_token,omitempty"`
}

// listPasskeys is GET /v1/me/passkeys: the passkeys of the signed-in
// account, oldest first.
func (h *Handler) listPasskeys(w http.ResponseWriter, r *http.Request, c *caller) {
	list, err := h.s.Passkeys.List(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeListOf(w, list, passkeyOut)
}

// beginPasskeyRegistration is POST /v1/me/passkeys/begin → 200
// {ceremony_id, options, expires_at}: the options for
// navigator.credentials.create. The SDK asks for a fresh session.
func (h *Handler) beginPasskeyRegistration(w http.ResponseWriter, r *http.Request, c *caller) {
	cer, err := h.s.Passkeys.BeginRegistration(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeCeremony(w, r, cer, true, ceremonyJSON{}) // bound to the session: the ID may travel in the body
}

// passkeyRegistration is the body of POST /v1/me/passkeys.
type passkeyRegistration struct {
	CeremonyID string          `json:"ceremony_id"`
	Response   json.RawMessage `json:"response"`
	Name       string          `json:"name"`
}

// finishPasskeyRegistration is POST /v1/me/passkeys {ceremony_id,
// response, name?} → 201 passkey.
func (h *Handler) finishPasskeyRegistration(w http.ResponseWriter, r *http.Request, c *caller) {
	var req passkeyRegistration
	if decode(w, r, &req, bodyRequired) != nil {
		return
	}
	p, err := h.s.Passkeys.FinishRegistration(r.Context(), h.as(r, c), passkey.RegistrationFinish{
		CeremonyID: req.CeremonyID, Response: req.Response, Name: req.Name,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/v1/me/passkeys", passkeyOut(p))
}

// renamePasskey is PATCH /v1/me/passkeys/{id} {name} → 200 passkey.
func (h *Handler) renamePasskey(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Name string `json:"name"`
	}
	if decode(w, r, &req, bodyRequired) != nil {
		return
	}
	p, err := h.s.Passkeys.Rename(r.Context(), h.as(r, c), r.PathValue("id"), req.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, passkeyOut(p))
}

// removePasskey is DELETE /v1/me/passkeys/{id} → 204 (fresh session).
func (h *Handler) removePasskey(w http.ResponseWriter, r *http.Request, c *caller) {
	if err := h.s.Passkeys.Remove(r.Context(), h.as(r, c), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// beginPasskeyReauth is POST /v1/me/reauthenticate/passkey/begin → 200
// {ceremony_id, options, expires_at}: the options for
// navigator.credentials.get, bound to this session.
func (h *Handler) beginPasskeyReauth(w http.ResponseWriter, r *http.Request, c *caller) {
	cer, err := h.s.Passkeys.BeginReauthentication(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeCeremony(w, r, cer, true, ceremonyJSON{}) // bound to the session: the ID may travel in the body
}

// passkeyReauthentication is the body of POST
// /v1/me/reauthenticate/passkey.
type passkeyReauthentication struct {
	CeremonyID string          `json:"ceremony_id"`
	Response   json.RawMessage `json:"response"`
}

// finishPasskeyReauth is POST /v1/me/reauthenticate/passkey
// {ceremony_id, response} → 200 with the refreshed session, like POST
// /v1/me/reauthenticate with the password.
func (h *Handler) finishPasskeyReauth(w http.ResponseWriter, r *http.Request, c *caller) {
	var req passkeyReauthentication
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "login") {
		return
	}
	ses, err := h.s.Sessions.ReauthenticatePasskey(r.Context(), h.as(r, c), req.CeremonyID, req.Response)
	switch {
	case errors.Is(err, session.ErrSecondFactorRequired):
		writeError(w, r, http.StatusUnauthorized, "second_factor_required")
	case errors.Is(err, session.ErrInvalidSession):
		writeError(w, r, http.StatusUnauthorized, "unauthenticated")
	case err != nil:
		h.fail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, sessionOut(ses))
	}
}

// passkeyBegin is the body of POST /v1/sessions/passkey/begin.
type passkeyBegin struct {
	// CeremonyInBody asks for the ceremony's ID in the answer's
	// "ceremony_id" (API clients, which send it back in the finish) and
	// no cookie; without it the ID is only in the HttpOnly
	// PasskeyCookieName.
	CeremonyInBody bool `json:"ceremony_in_body"`
}

// passkeyPasswordBegin is the body of POST
// /v1/sessions/passkey/second-factor/begin.
type passkeyPasswordBegin struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	passkeyBegin
}

// passkeyAnswer is what the routes that finish a ceremony before sign-in
// share: the browser's response and how to hand out the session.
type passkeyAnswer struct {
	// CeremonyID is the ceremony_id of a begin with ceremony_in_body;
	// empty means the pre-authentication cookie's.
	CeremonyID    string          `json:"ceremony_id"`
	Response      json.RawMessage `json:"response"`
	SessionInBody bool            `json:"session_in_body"`
	DeviceToken   string          `json:"device_token"`
}

// passkeySignIn is the body of POST /v1/sessions/passkey.
type passkeySignIn struct {
	passkeyAnswer
	OTP string `json:"otp"`
}

// passkeySecondFactor is the body of POST
// /v1/sessions/passkey/second-factor.
type passkeySecondFactor struct {
	passkeyAnswer
	AccountID string `json:"account_id"`
}

// beginPasskeySignIn is POST /v1/sessions/passkey/begin
// {ceremony_in_body?} → 200 {options, expires_at, ceremony_id?}: a
// passwordless sign-in, the options for navigator.credentials.get
// (with mediation "conditional" for autofill). A browser gets the
// ceremony's ID only in the pre-authentication cookie.
func (h *Handler) beginPasskeySignIn(w http.ResponseWriter, r *http.Request) {
	var req passkeyBegin
	if decode(w, r, &req, bodyOptional) != nil || !h.allow(w, r, "passkey") {
		return
	}
	cer, err := h.s.Passkeys.BeginSignIn(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeCeremony(w, r, cer, req.CeremonyInBody, ceremonyJSON{})
}

// writeCeremony answers 200 with the ceremony of a sign-in: its ID in
// the body when inBody, in the pre-authentication cookie otherwise; out
// holds the answer's other fields.
func (h *Handler) writeCeremony(w http.ResponseWriter, r *http.Request, cer passkey.Ceremony, inBody bool, out ceremonyJSON) {
	out.Options, out.ExpiresAt = cer.Options, cer.ExpiresAt.UTC()
	if inBody {
		out.CeremonyID = cer.ID
	} else {
		http.SetCookie(w, h.passkeyCookie(r, cer.ID, max(int(cer.ExpiresAt.Sub(h.now()).Seconds()), 1)))
	}
	writeJSON(w, http.StatusOK, out)
}

// passkeyCookie returns the pre-authentication cookie holding a
// ceremony's ID: HttpOnly, SameSite=Strict, Secure on TLS (or always,
// with WithSecureCookies). maxAge -1 deletes it.
func (h *Handler) passkeyCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: PasskeyCookieName, Value: value, Path: passkeyCookiePath, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || h.secureCookies,
	}
}

// finishOf returns what the SDK needs to finish a ceremony begun before
// sign-in: the ceremony's ID (the body's, else the cookie's), the
// response, the client and its device token (the body's, else the
// device cookie's).
func (h *Handler) finishOf(r *http.Request, req passkeyAnswer) passkey.SignInFinish {
	f := passkey.SignInFinish{CeremonyID: req.CeremonyID, Response: req.Response, Client: h.client(r), Device: req.DeviceToken}
	if f.CeremonyID == "" {
		if ck, err := r.Cookie(PasskeyCookieName); err == nil {
			f.CeremonyID = ck.Value
		}
	}
	if f.Device == "" {
		if ck, err := r.Cookie(DeviceCookieName); err == nil {
			f.Device = ck.Value
		}
	}
	return f
}

// finishPasskeySignIn is POST /v1/sessions/passkey {response,
// ceremony_id?, otp?, session_in_body?, device_token?} → 201 like POST
// /v1/sessions. Any refused response is 401 invalid_credentials, an
// unknown, used or expired ceremony 409 ceremony_expired (begin again).
// A passkey that did not verify its user, on an account with two-factor
// authentication, needs "otp" too (401 second_factor_required).
func (h *Handler) finishPasskeySignIn(w http.ResponseWriter, r *http.Request) {
	var req passkeySignIn
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "login") {
		return
	}
	ctx := r.Context()
	http.SetCookie(w, h.passkeyCookie(r, "", -1)) // the ceremony is used up, whatever the outcome
	res, err := h.s.Passkeys.FinishSignIn(ctx, h.finishOf(r, req.passkeyAnswer))
	if errors.Is(err, account.ErrInvalidCredentials) {
		writeError(w, r, http.StatusUnauthorized, "invalid_credentials")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.firstFactorDone(w, r, res.Account, session.Begin{AccountID: res.Account.ID, Method: res.Method, PasswordExpired: res.PasswordExpired},
		res.SecondFactorRequired, req.OTP, req.SessionInBody, res.Device)
}

// beginPasskeySecondFactor is POST /v1/sessions/passkey/second-factor/begin
// {email, password, ceremony_in_body?} → 200 {options, expires_at,
// account_id, ceremony_id?, device_token?}: the password step of a
// sign-in whose second factor is a passkey. A wrong password is 401
// invalid_credentials like POST /v1/sessions; an account without passkeys
// 409 no_passkey. The device token of the password step is set as the
// device cookie, or sent in the body with ceremony_in_body.
func (h *Handler) beginPasskeySecondFactor(w http.ResponseWriter, r *http.Request) {
	var req passkeyPasswordBegin
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "login") {
		return
	}
	res, ok := h.authenticate(w, r, h.loginOf(r, req.Email, req.Password))
	if !ok {
		return
	}
	cer, err := h.s.Passkeys.BeginSecondFactor(r.Context(), res.Account.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := ceremonyJSON{AccountID: res.Account.ID}
	if req.CeremonyInBody {
		out.DeviceToken = res.Device
	} else {
		http.SetCookie(w, h.deviceCookie(r, res.Device))
	}
	h.writeCeremony(w, r, cer, req.CeremonyInBody, out)
}

// finishPasskeySecondFactor is POST /v1/sessions/passkey/second-factor
// {account_id, response, ceremony_id?, session_in_body?, device_token?}
// → 201 like POST /v1/sessions: the ceremony must have been begun for
// that account, and only its own passkeys are accepted (401
// invalid_credentials otherwise).
func (h *Handler) finishPasskeySecondFactor(w http.ResponseWriter, r *http.Request) {
	var req passkeySecondFactor
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "login") {
		return
	}
	ctx := r.Context()
	http.SetCookie(w, h.passkeyCookie(r, "", -1))
	err := h.s.Passkeys.FinishSecondFactor(ctx, req.AccountID, h.finishOf(r, req.passkeyAnswer))
	if errors.Is(err, account.ErrInvalidCredentials) {
		writeError(w, r, http.StatusUnauthorized, "invalid_credentials")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	acct, err := h.s.Accounts.Get(ctx, req.AccountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	expired, err := h.s.Accounts.PasswordExpired(ctx, acct.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.startSession(w, r, acct, session.Begin{AccountID: acct.ID, Method: auth.MethodSecondFactor, PasswordExpired: expired},
		req.SessionInBody, "")
}

// startSession starts the session b of the account a and answers 201
// like POST /v1/sessions: the secret in the body when inBody (with the
// device token, when there is one), in the session cookie otherwise
// (with the device cookie).
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, a account.Account, b session.Begin, inBody bool, device string) {
	b.Client = h.client(r)
	ses, secret, err := h.s.Sessions.Start(r.Context(), b)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body := map[string]any{
		"session_id":       ses.ID,
		"csrf_token":       session.CSRFToken(secret.Reveal()),
		"password_expired": ses.PasswordExpired,
		"account_id":       a.ID,
		"profile_id":       a.ProfileID,
	}
	if inBody {
		body["session"] = secret.Reveal()
		if device != "" {
			body["device_token"] = device
		}
	} else {
		http.SetCookie(w, h.cookie(r, secret.Reveal(), 0))
		if device != "" {
			http.SetCookie(w, h.deviceCookie(r, device))
		}
	}
	created(w, "/v1/me/sessions/"+url.PathEscape(ses.ID), body)
}

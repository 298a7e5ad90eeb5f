package handler

import (
	"context"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
)

// twoFactorStatus is GET /v1/me/2fa.
func (h *Handler) twoFactorStatus(w http.ResponseWriter, r *http.Request, c *caller) {
	st, err := h.s.TwoFactor.Status(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Method            string    `json:"method"`
		EnabledAt         time.Time `json:"enabled_at,omitzero"`
		Phone             string    `json:"phone,omitempty"`
		RecoveryCodesLeft int       `json:"recovery_codes_left"`
		Pending           string    `json:"pending"`
		LockedUntil       time.Time `json:"locked_until,omitzero"`
		SMSAvailable      bool      `json:"sms_available"`
	}{string(st.Method), st.EnabledAt, st.Phone, st.RecoveryCodesLeft, string(st.Pending), st.LockedUntil,
		h.s.TwoFactor.SMSAvailable()})
}

// beginAuthenticator is POST /v1/me/2fa/authenticator → 201 {"secret",
// "otpauth_url","qr_png"} (the PNG in standard base64), shown once.
func (h *Handler) beginAuthenticator(w http.ResponseWriter, r *http.Request, c *caller) {
	enr, err := h.s.TwoFactor.BeginAuthenticator(r.Context(), h.as(r, c), h.s.Issuer, c.email)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/v1/me/2fa", map[string]string{
		"secret":      enr.Secret.Reveal(),
		"otpauth_url": enr.URL.Reveal(),
		"qr_png":      base64.StdEncoding.EncodeToString(enr.QRPNG),
	})
}

// confirmAuthenticator is POST /v1/me/2fa/authenticator/confirm {code} →
// 200 {"recovery_codes"}, shown once.
func (h *Handler) confirmAuthenticator(w http.ResponseWriter, r *http.Request, c *caller) {
	h.confirmEnrolment(w, r, c, h.s.TwoFactor.ConfirmAuthenticator)
}

// beginSMS is POST /v1/me/2fa/sms {phone} → 202: the phone number (E.164)
// gets a code to confirm with.
func (h *Handler) beginSMS(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Phone string `json:"phone"`
	}
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "code", "2fa:"+c.accountID) {
		return
	}
	if err := h.s.TwoFactor.BeginSMS(r.Context(), h.as(r, c), req.Phone); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// confirmSMS is POST /v1/me/2fa/sms/confirm {code} → 200
// {"recovery_codes"}, shown once.
func (h *Handler) confirmSMS(w http.ResponseWriter, r *http.Request, c *caller) {
	h.confirmEnrolment(w, r, c, h.s.TwoFactor.ConfirmSMS)
}

// confirmEnrolment completes a pending enrolment with confirm.
func (h *Handler) confirmEnrolment(w http.ResponseWriter, r *http.Request, c *caller,
	confirm func(ctx context.Context, c auth.Caller, code string) ([]string, error)) {
	var req codeRequest
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "code", "2fa:"+c.accountID) {
		return
	}
	codes, err := confirm(r.Context(), h.as(r, c), req.Code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
}

// proofRequest is the body of the routes that need a proof of the second
// factor's owner: the password, or a current code.
type proofRequest struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

// readProof decodes the proof; exactly one field must be set (422
// invalid_credentials otherwise).
func readProof(w http.ResponseWriter, r *http.Request) (twofactor.Proof, bool) {
	var req proofRequest
	if decode(w, r, &req, bodyRequired) != nil {
		return twofactor.Proof{}, false
	}
	if (req.Password == "") == (req.Code == "") {
		writeError(w, r, http.StatusUnprocessableEntity, "invalid_credentials")
		return twofactor.Proof{}, false
	}
	return twofactor.Proof{Password: req.Password, Code: req.Code}, true
}

// deactivateTwoFactor is DELETE /v1/me/2fa {password} (or {code}) → 204.
func (h *Handler) deactivateTwoFactor(w http.ResponseWriter, r *http.Request, c *caller) {
	p, ok := readProof(w, r)
	if !ok {
		return
	}
	if err := h.s.TwoFactor.Deactivate(r.Context(), h.as(r, c), p); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// regenerateRecoveryCodes is POST /v1/me/2fa/recovery-codes {password} (or
// {code}) → 200 {"recovery_codes"}: new codes, shown once, replacing all
// the old ones.
func (h *Handler) regenerateRecoveryCodes(w http.ResponseWriter, r *http.Request, c *caller) {
	p, ok := readProof(w, r)
	if !ok {
		return
	}
	codes, err := h.s.TwoFactor.RegenerateRecoveryCodes(r.Context(), h.as(r, c), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
}

// sendLoginSMS is POST /v1/sessions/sms {email,password} → 202: after the
// password step of the login, it texts a sign-in code to an account whose
// second factor is SMS. A wrong password answers 401 invalid_credentials
// like the login; an account without the SMS method 409 not_enabled.
func (h *Handler) sendLoginSMS(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "login") {
		return
	}
	res, ok := h.authenticate(w, r, h.loginOf(r, req.Email, req.Password))
	if !ok {
		return
	}
	if err := h.s.TwoFactor.SendLoginSMS(r.Context(), res.Account.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

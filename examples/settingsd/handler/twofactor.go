package handler

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
)

// twoFactorStatus is GET /v1/me/2fa.
func (h *Handler) twoFactorStatus(w http.ResponseWriter, r *http.Request, c *caller) {
	st, err := h.s.TwoFactor.Status(r.Context(), c.accountID)
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
	}{string(st.Method), st.EnabledAt, st.Phone, st.RecoveryCodesLeft, string(st.Pending), st.LockedUntil})
}

// beginAuthenticator is POST /v1/me/2fa/authenticator → 201 {"secret",
// "otpauth_url","qr_png"} (the PNG in standard base64), shown once.
func (h *Handler) beginAuthenticator(w http.ResponseWriter, r *http.Request, c *caller) {
	enr, err := h.s.TwoFactor.BeginAuthenticator(r.Context(), c.accountID, h.s.Issuer, c.email)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{
		"secret":      enr.Secret.Reveal(),
		"otpauth_url": enr.URL.Reveal(),
		"qr_png":      base64.StdEncoding.EncodeToString(enr.QRPNG),
	})
}

// confirmAuthenticator is POST /v1/me/2fa/authenticator/confirm {code} →
// 200 {"recovery_codes"}, shown once.
func (h *Handler) confirmAuthenticator(w http.ResponseWriter, r *http.Request, c *caller) {
	var req codeRequest
	if decode(w, r, &req, false) != nil || !h.allow(w, r, "code", "2fa:"+c.accountID) {
		return
	}
	codes, err := h.s.TwoFactor.ConfirmAuthenticator(r.Context(), c.accountID, req.Code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
}

// deactivateTwoFactor is DELETE /v1/me/2fa {password} (or {code}) → 204.
func (h *Handler) deactivateTwoFactor(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Password string `json:"password"`
		Code     string `json:"code"`
	}
	if decode(w, r, &req, false) != nil {
		return
	}
	if (req.Password == "") == (req.Code == "") {
		writeError(w, http.StatusUnprocessableEntity, "invalid_credentials")
		return
	}
	err := h.s.TwoFactor.Deactivate(r.Context(), c.accountID, twofactor.Proof{Password: req.Password, Code: req.Code})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

package handler

import (
	"net/http"
)

// recoveryResetRequest is the body of POST
// /v1/password-resets/recovery/verify: the verified recovery email the
// code went to, the account to reset (its address or id, as the mail
// listed it), the code and the new password.
type recoveryResetRequest struct {
	Email   string `json:"email"`
	Account string `json:"account"`
	Code    string `json:"code"`
	New     string `json:"new"`
}

// requestRecoveryReset is POST /v1/password-resets/recovery {email} →
// 202, always: a person who lost every login address types their
// profile's verified recovery email, which gets a code and the list of
// the accounts it may reset. Whether the address is a verified recovery
// email, is malformed or the mail failed is never said (failures are
// logged).
func (h *Handler) requestRecoveryReset(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email string `json:"email"`
	}
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "recovery-reset") {
		return
	}
	if err := h.s.Accounts.RequestRecoveryReset(r.Context(), req.Email); err != nil {
		h.logger(r).Warn("recovery reset request failed", "route", r.Pattern, "err", err.Error())
	}
	w.WriteHeader(http.StatusAccepted)
}

// recoveryReset is POST /v1/password-resets/recovery/verify → 204; every
// failure of the code or the account is 422 invalid_code.
func (h *Handler) recoveryReset(w http.ResponseWriter, r *http.Request) {
	var req recoveryResetRequest
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "recovery-reset-verify") {
		return
	}
	if _, err := h.s.Accounts.ResetPasswordByRecovery(r.Context(), req.Email, req.Account, req.Code, req.New, h.client(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

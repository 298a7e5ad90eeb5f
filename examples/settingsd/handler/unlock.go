package handler

import (
	"net/http"
)

// requestUnlock is POST /v1/sessions/unlock {email} → 202, always: the
// owner of an address that strangers keep throttled at sign-in asks for
// a one-time unlock code by mail. Whether the address has an account, is
// malformed, got too many codes or the mail failed is never said
// (failures are logged). Only the client's budget is taken here: the SDK
// limits the mails per address and purpose, and a stranger's requests
// never keep the owner's from being answered.
func (h *Handler) requestUnlock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email string `json:"email"`
	}
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "unlock") {
		return
	}
	if err := h.s.Accounts.RequestUnlock(r.Context(), req.Email); err != nil {
		h.logger(r).Warn("unlock request failed", "route", r.Pattern, "err", err.Error())
	}
	w.WriteHeader(http.StatusAccepted)
}

// unlock is POST /v1/sessions/unlock/verify {email, code} → 200
// {"device_token"}: the mailed code proves the mailbox, and the answer
// is a device token of the account (also set as the device cookie), so
// the next sign-in of this client with the right password is counted on
// its own device and gets through. Every failure of the code or the
// address is 422 invalid_code; the code's attempts are counted by the
// SDK, so only the client's budget is taken here.
func (h *Handler) unlock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email string `json:"email"`
		Code  string `json:"code"`
	}
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "unlock-verify") {
		return
	}
	device, err := h.s.Accounts.Unlock(r.Context(), req.Email, req.Code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, h.deviceCookie(r, device))
	writeJSON(w, http.StatusOK, map[string]string{"device_token": device})
}

package handler

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/seed-a97ca23f/usersettings/account"
)

type signUpRequest struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	Marketing bool   `json:"marketing"`
}

type codeRequest struct {
	Code string `json:"code"`
}

// signUp is POST /v1/signup → 202 {"signup_id"}. A registered address gets
// the same answer as a new one (no code is sent to it).
func (h *Handler) signUp(w http.ResponseWriter, r *http.Request) {
	var req signUpRequest
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "signup", addressKey(req.Email)) {
		return
	}
	id, err := h.s.Accounts.SignUp(r.Context(), req.Email, req.Password, req.Marketing)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"signup_id": id})
}

// confirmSignUp is POST /v1/signup/{id}/verify → 201 {"account_id",
// "profile_id"}.
func (h *Handler) confirmSignUp(w http.ResponseWriter, r *http.Request) {
	var req codeRequest
	id := r.PathValue("id")
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "signup-verify", "flow:"+id) {
		return
	}
	a, err := h.s.Accounts.ConfirmSignUp(r.Context(), id, req.Code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/v1/me/accounts/"+url.PathEscape(a.ID), map[string]string{"account_id": a.ID, "profile_id": a.ProfileID})
}

type resetRequest struct {
	Email string `json:"email"`
	Code  string `json:"code"`
	New   string `json:"new"`
}

// requestReset is POST /v1/password-resets → 202, always: whether the
// address has an account, is malformed or the mail failed is never said
// (failures are logged).
func (h *Handler) requestReset(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email string `json:"email"`
	}
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "reset") {
		return
	}
	err := h.s.Accounts.RequestPasswordReset(r.Context(), req.Email)
	if errors.Is(err, account.ErrSSOManaged) { // told by the domain alone
		h.fail(w, r, err)
		return
	}
	if err != nil {
		h.logger(r).Warn("password reset request failed", "route", r.Pattern, "err", err.Error())
	}
	w.WriteHeader(http.StatusAccepted)
}

// resetPassword is POST /v1/password-resets/verify → 204.
func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) {
	var req resetRequest
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "reset-verify") {
		return
	}
	if _, err := h.s.Accounts.ResetPassword(r.Context(), req.Email, req.Code, req.New, h.client(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

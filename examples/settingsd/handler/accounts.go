package handler

import (
	"net/http"

	"net/url"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
)

type accountJSON struct {
	ID                string    `json:"id"`
	Email             string    `json:"email"`
	Company           string    `json:"company"`
	SSO               bool      `json:"sso"`
	Status            string    `json:"status"`
	SignedIn          bool      `json:"signed_in"`
	CreatedAt         time.Time `json:"created_at"`
	PasswordChangedAt time.Time `json:"password_changed_at,omitzero"`
}

func newAccountJSON(a account.AccountView) accountJSON {
	return accountJSON{
		ID: a.ID, Email: a.Email, Company: a.Company, SSO: a.SSO, Status: string(a.Status),
		SignedIn: a.SignedIn, CreatedAt: a.CreatedAt, PasswordChangedAt: a.PasswordChangedAt,
	}
}

// listAccounts is GET /v1/me/accounts: every account of the profile,
// oldest first, the signed-in one marked.
func (h *Handler) listAccounts(w http.ResponseWriter, r *http.Request, c *caller) {
	list, err := h.s.Accounts.Accounts(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeListOf(w, list, newAccountJSON)
}

// getAccount is GET /v1/me/accounts/{id}: one account of the profile; an
// account of another profile answers 404 like a missing one.
func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request, c *caller) {
	h.writeAccount(w, r, c, r.PathValue("id"))
}

// writeAccount answers 200 with the account id of the caller's profile
// as GET /v1/me/accounts/{id} shows it, or 404 not_found.
func (h *Handler) writeAccount(w http.ResponseWriter, r *http.Request, c *caller, id string) {
	list, err := h.s.Accounts.Accounts(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, a := range list {
		if a.ID == id {
			writeJSON(w, http.StatusOK, newAccountJSON(a))
			return
		}
	}
	writeError(w, r, http.StatusNotFound, "not_found")
}

// addAccount is POST /v1/me/accounts → 202 {"pending_id"}.
func (h *Handler) addAccount(w http.ResponseWriter, r *http.Request, c *caller) {
	var req signUpRequest
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "add-account", addressKey(req.Email)) {
		return
	}
	id, err := h.s.Accounts.AddAccount(r.Context(), h.as(r, c), req.Email, req.Password, req.Marketing)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"pending_id": id})
}

// confirmAddAccount is POST /v1/me/accounts/pending/{id}/verify → 201
// {"account_id","profile_id","email"}.
func (h *Handler) confirmAddAccount(w http.ResponseWriter, r *http.Request, c *caller) {
	var req codeRequest
	id := r.PathValue("id")
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "add-account-verify", "flow:"+id) {
		return
	}
	a, err := h.s.Accounts.ConfirmAddAccount(r.Context(), h.as(r, c), id, req.Code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/v1/me/accounts/"+url.PathEscape(a.ID), map[string]string{"account_id": a.ID, "profile_id": a.ProfileID, "email": a.Email})
}

// changeEmail is POST /v1/me/accounts/{id}/email {"email"} → 202
// {"pending_id"}: the SDK mails a code to the new address and a notice to
// the old one. An address that already has an account gets the same
// answer (its owner gets a notice instead of a code, and no code
// confirms the change), so nothing is enumerated.
func (h *Handler) changeEmail(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Email string `json:"email"`
	}
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "email-change", addressKey(req.Email)) {
		return
	}
	id, err := h.s.Accounts.RequestEmailChange(r.Context(), h.as(r, c), r.PathValue("id"), req.Email)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"pending_id": id})
}

// confirmEmailChange is POST /v1/me/accounts/email-changes/{id}/verify
// {"code"} → 200 with the account as GET /v1/me/accounts/{id} shows it,
// under its new address. The account's other sessions end; this one
// stays.
func (h *Handler) confirmEmailChange(w http.ResponseWriter, r *http.Request, c *caller) {
	var req codeRequest
	id := r.PathValue("id")
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "email-change-verify", "flow:"+id) {
		return
	}
	a, err := h.s.Accounts.ConfirmEmailChange(r.Context(), h.as(r, c), id, req.Code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeAccount(w, r, c, a.ID)
}

// deleteAccount is DELETE /v1/me/accounts/current → 204: the signed-in
// account goes with everything stored about it (and, with the last
// account, the profile). Its sessions end with it.
func (h *Handler) deleteAccount(w http.ResponseWriter, r *http.Request, c *caller) {
	ctx := r.Context()
	if err := h.s.Accounts.Delete(ctx, h.as(r, c), c.accountID); err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, h.cookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
}

// changePassword is PUT /v1/me/password {current,new} → 204. The other
// sessions of the account end; this one stays and is no longer limited by
// an expired password.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Current string `json:"current"`
		New     string `json:"new"`
	}
	if decode(w, r, &req, bodyRequired) != nil {
		return
	}
	ctx := r.Context()
	if err := h.s.Accounts.ChangePassword(ctx, h.as(r, c), req.Current, req.New); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

package handler

import "net/http"

// resendRoutes registers the routes that send a new code for a pending
// request. A merge sends a new code by POST /v1/me/merges/{id}/code
// again.
func (h *Handler) resendRoutes() {
	h.handle("POST /v1/signup/{id}/resend", h.resendSignUp)
	h.handle("POST /v1/me/accounts/pending/{id}/resend", h.me(h.resendPending))
	h.handle("POST /v1/me/accounts/email-changes/{id}/resend", h.me(h.resendPending))
}

// sentTo is the answer of a resend: where the new code went.
type sentTo struct {
	SentTo string `json:"sent_to"`
}

// resendSignUp is POST /v1/signup/{id}/resend → 202 {"sent_to"}: a new
// code for the pending sign-up, which voids the one before. The SDK
// throttles it with the first code (429 rate_limited) and answers a
// decoy sign-up (an address that has an account) exactly alike; an
// unknown or expired id is 409 pending_expired.
func (h *Handler) resendSignUp(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if decode(w, r, &struct{}{}, bodyOptional) != nil || !h.allow(w, r, "resend", "flow:"+id) {
		return
	}
	ctx := r.Context()
	to, err := h.s.Accounts.SignUpAddress(ctx, id)
	if err == nil {
		err = h.s.Accounts.ResendSignUp(ctx, id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, sentTo{to})
}

// resendPending is POST /v1/me/accounts/pending/{id}/resend and
// POST /v1/me/accounts/email-changes/{id}/resend → 202 {"sent_to"}: a
// new code for the caller's pending added account or login-email change
// (a sensitive operation: 403 reauthentication_required after an hour),
// throttled with the first code; 409 pending_expired for an unknown,
// expired or foreign id.
func (h *Handler) resendPending(w http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	if decode(w, r, &struct{}{}, bodyOptional) != nil || !h.allow(w, r, "resend", "flow:"+id) {
		return
	}
	ctx, me := r.Context(), h.as(r, c)
	to, err := h.s.Accounts.PendingAddress(ctx, me, id)
	if err == nil {
		err = h.s.Accounts.ResendPending(ctx, me, id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, sentTo{to})
}

package handler

import (
	"net/http"
	"time"
)

// sessionJSON is a sign-in session of the account, without its secret.
type sessionJSON struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	Current    bool      `json:"current"`
}

// listSessions is GET /v1/me/sessions: the sessions of the signed-in
// account, oldest first, the one of the request marked current.
func (h *Handler) listSessions(w http.ResponseWriter, r *http.Request, c *caller) {
	list, err := h.s.Sessions.List(r.Context(), c.accountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]sessionJSON, len(list))
	for i, s := range list {
		out[i] = sessionJSON{ID: s.ID, CreatedAt: s.CreatedAt.UTC(), LastSeenAt: s.LastSeenAt.UTC(), Current: s.ID == c.ses.ID}
	}
	writeList(w, out)
}

// deleteSession is DELETE /v1/me/sessions/{id} → 204: it signs that
// session out (the current one too, whose cookie it then clears). A
// session of another account answers 404 like a missing one.
func (h *Handler) deleteSession(w http.ResponseWriter, r *http.Request, c *caller) {
	ctx, id := r.Context(), r.PathValue("id")
	list, err := h.s.Sessions.List(ctx, c.accountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	found := false
	for _, s := range list {
		found = found || s.ID == id
	}
	if !found {
		writeError(w, http.StatusNotFound, "not_found")
		return
	}
	if err := h.s.Sessions.End(ctx, id); err != nil {
		h.fail(w, r, err)
		return
	}
	if id == c.ses.ID {
		http.SetCookie(w, h.cookie(r, "", -1))
	}
	w.WriteHeader(http.StatusNoContent)
}

package handler

import (
	"errors"
	"net/http"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/session"
)

// sessionJSON is a sign-in session of the account, without its secret.
type sessionJSON struct {
	ID              string    `json:"id"`
	Current         bool      `json:"current"`
	Method          string    `json:"method"`
	Device          string    `json:"device"`
	IP              string    `json:"ip"`
	CreatedAt       time.Time `json:"created_at"`
	LastSeenAt      time.Time `json:"last_seen_at"`
	AuthenticatedAt time.Time `json:"authenticated_at"`
}

func sessionOut(s session.Session) sessionJSON {
	return sessionJSON{
		ID: s.ID, Current: s.Current, Method: string(s.Method), Device: s.Device(), IP: s.IP,
		CreatedAt: s.CreatedAt.UTC(), LastSeenAt: s.LastSeenAt.UTC(), AuthenticatedAt: s.AuthenticatedAt.UTC(),
	}
}

// listSessions is GET /v1/me/sessions: the sessions of the signed-in
// account, the most recently seen first, the one of the request marked
// current.
func (h *Handler) listSessions(w http.ResponseWriter, r *http.Request, c *caller) {
	list, err := h.s.Sessions.List(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeListOf(w, list, sessionOut)
}

// deleteSession is DELETE /v1/me/sessions/{id} → 204: it signs that
// session out (the current one too, whose cookie it then clears). A
// session of another account answers 404 like a missing one.
func (h *Handler) deleteSession(w http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	if err := h.s.Sessions.End(r.Context(), h.as(r, c), id); err != nil {
		h.fail(w, r, err)
		return
	}
	if id == c.ses.ID {
		http.SetCookie(w, h.cookie(r, "", -1))
	}
	w.WriteHeader(http.StatusNoContent)
}

// endOtherSessions is DELETE /v1/me/sessions/others → 204: every session
// of the account but the current one ends. The SDK asks for a fresh
// session (403 reauthentication_required).
func (h *Handler) endOtherSessions(w http.ResponseWriter, r *http.Request, c *caller) {
	if _, err := h.s.Sessions.EndOthers(r.Context(), h.as(r, c)); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// reauthenticate is POST /v1/me/reauthenticate {"password","otp"} → 200
// with the refreshed session: the person proves again who they are, so
// the session is fresh for the sensitive routes. A wrong password or
// code answers 401 invalid_credentials, a missing code of an account
// with two-factor authentication 401 second_factor_required. Attempts
// share the sign-in rate limit of the account's address.
func (h *Handler) reauthenticate(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Password string `json:"password"`
		OTP      string `json:"otp"`
	}
	if decode(w, r, &req, bodyRequired) != nil {
		return
	}
	if !h.allow(w, r, "login", addressKey(c.email)) {
		return
	}
	ses, err := h.s.Sessions.Reauthenticate(r.Context(), h.as(r, c), req.Password, req.OTP)
	switch {
	case errors.Is(err, account.ErrInvalidCredentials):
		writeError(w, r, http.StatusUnauthorized, "invalid_credentials")
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

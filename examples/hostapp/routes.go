package main

import (
	"context"
	"database/sql"
	"net/http"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/token"
)

// routes registers the host's handlers: its own sign-up and sign-in,
// the settings it serves through the SDK's services, and its own API
// behind the SDK's token middleware.
func (a *App) routes() {
	m := a.mux
	m.HandleFunc("POST /signup", a.signUp)
	m.HandleFunc("POST /login", a.logIn)
	m.HandleFunc("POST /logout", a.me(a.logOut))
	m.HandleFunc("GET /me/profile", a.me(a.getProfile))
	m.HandleFunc("PATCH /me/profile", a.me(a.patchProfile))
	m.HandleFunc("POST /me/tokens", a.me(a.createToken))
	m.HandleFunc("POST /me/2fa/authenticator", a.me(a.beginAuthenticator))
	m.HandleFunc("POST /me/2fa/authenticator/confirm", a.me(a.confirmAuthenticator))
	m.HandleFunc("GET /me/personal-data.zip", a.me(a.personalData))
	m.HandleFunc("GET /me/sessions", a.me(a.listSessions))
	m.HandleFunc("DELETE /me/sessions/{id}", a.me(a.endSession))
	m.HandleFunc("GET /me/security-log", a.me(a.securityLog))
	m.HandleFunc("POST /me/email", a.me(a.requestEmailChange))
	m.HandleFunc("POST /me/email/verify", a.me(a.confirmEmailChange))
	// The host's own API: personal access tokens, Authorization: mxtoken <PAT>.
	m.Handle("GET /api/notes", token.Middleware(a.Settings.Tokens, http.HandlerFunc(a.notes), token.WithClient(client)))
}

func (a *App) logOut(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	// The SDK ends its record of the session, and its hook (revoke)
	// deletes the host's row in the same transaction.
	if err := a.Settings.Sessions.End(r.Context(), c, c.SessionID); err != nil {
		fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (a *App) getProfile(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	p, err := a.Settings.Profiles.Get(r.Context(), c)
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, http.StatusOK, p)
}

func (a *App) patchProfile(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	var u profile.Update
	if err := decode(r, &u); err != nil {
		fail(w, r, err)
		return
	}
	p, err := a.Settings.Profiles.Update(r.Context(), c, u)
	if err != nil {
		fail(w, r, err) // invalid fields: 422 with the reason of each
		return
	}
	reply(w, http.StatusOK, p)
}

func (a *App) createToken(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	var req struct {
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	t, secret, err := a.Settings.Tokens.Create(r.Context(), c, req.Name, req.Scopes)
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, http.StatusCreated, map[string]any{"token": secret.Reveal(), "details": t})
}

func (a *App) notes(w http.ResponseWriter, r *http.Request) {
	p, _ := token.PrincipalFrom(r.Context())
	reply(w, http.StatusOK, map[string]any{"account_id": p.AccountID, "notes": []string{}})
}

func (a *App) beginAuthenticator(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	e, err := a.Settings.TwoFactor.BeginAuthenticator(r.Context(), c, "hostapp", "")
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, http.StatusOK, map[string]string{"secret": e.Secret.Reveal(), "url": e.URL.Reveal()})
}

func (a *App) confirmAuthenticator(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	var req struct {
		Code string `json:"code"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	// Every other session of the account ends, the SDK's and, through the
	// hook, the host's; this one stays.
	codes, err := a.Settings.TwoFactor.ConfirmAuthenticator(r.Context(), c, req.Code)
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, http.StatusOK, map[string]any{"recovery_codes": codes})
}

func (a *App) personalData(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="personal-data.zip"`)
	if err := a.Settings.PersonalData.ExportZIP(r.Context(), c, w); err != nil {
		fail(w, r, err)
	}
}

func (a *App) listSessions(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	list, err := a.Settings.Sessions.List(r.Context(), c)
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, http.StatusOK, list)
}

func (a *App) endSession(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	if err := a.Settings.Sessions.End(r.Context(), c, r.PathValue("id")); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *App) securityLog(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	page, err := a.Settings.SecurityEvents.Page(r.Context(), c, r.URL.Query().Get("cursor"), 50)
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, http.StatusOK, map[string]any{"events": page.Events, "next_cursor": page.Next})
}

func (a *App) requestEmailChange(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	var req struct {
		Email string `json:"email"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	// The same answer for a taken address as for a free one.
	id, err := a.Settings.Accounts.RequestEmailChange(r.Context(), c, c.AccountID, req.Email)
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, http.StatusAccepted, map[string]string{"pending_id": id})
}

func (a *App) confirmEmailChange(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	var req struct {
		PendingID string `json:"pending_id"`
		Code      string `json:"code"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	// The SDK's change and the host's copy of the address, together.
	err := a.withTx(r.Context(), func(ctx context.Context, tx *sql.Tx) error {
		acct, err := a.Settings.Accounts.ConfirmEmailChange(ctx, c, req.PendingID, req.Code)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, rebind(a.d, `UPDATE users SET email = ? WHERE account_id = ?`), acct.Email, acct.ID)
		return err
	})
	if err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

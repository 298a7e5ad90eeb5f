package handler

import (
	"net/http"

	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/session"
)

// MaxLogoutTokenBytes bounds the form body of a back-channel logout.
const MaxLogoutTokenBytes = 64 << 10

// ssoRoutes registers the single-sign-on routes.
func (h *Handler) ssoRoutes() {
	h.handle("GET /v1/sso/start", h.ssoStart)
	h.handle("GET /v1/sso/callback", h.ssoCallback)
	h.handle("POST /v1/sso/backchannel-logout/{connection}", h.ssoBackChannelLogout)
}

// ssoStart is GET /v1/sso/start?email=…&return_to=… (or connection=…
// instead of email) → 302 to the company's identity provider, with the
// HttpOnly cookie that binds the sign-in to this browser. return_to must
// be a relative path ("/" when absent).
func (h *Handler) ssoStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := sso.StartRequest{Email: q.Get("email"), ConnectionID: q.Get("connection"), ReturnTo: q.Get("return_to")}
	if !h.allow(w, r, "sso", addressKey(req.Email)) {
		return
	}
	st, err := h.s.SSO.Start(r.Context(), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, h.s.SSO.BindingCookie(st))
	redirect(w, st.URL, http.StatusFound)
}

// ssoCallback is GET /v1/sso/callback, where the identity provider sends
// the browser back: the sign-in completes, a session starts (its cookie
// is set) and the answer is 303 to the return_to of the start. A failure
// answers its error code and starts nothing; a browser without the
// binding cookie of the start gets 400 sso_not_bound (login CSRF).
func (h *Handler) ssoCallback(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, "sso") {
		return
	}
	ctx := r.Context()
	in, err := h.s.SSO.Callback(ctx, r.URL.Query(), sso.BindingOf(r), auth.Client{IP: h.clientIP(r), UserAgent: r.UserAgent()})
	if err != nil {
		http.SetCookie(w, h.s.SSO.ClearBindingCookie())
		h.fail(w, r, err)
		return
	}
	_, secret, err := h.s.Sessions.Start(ctx, session.Begin{AccountID: in.Account.ID, Method: auth.MethodSSO, Client: h.client(r),
		ProviderSession: in.ProviderSession()})
	if err != nil {
		http.SetCookie(w, h.s.SSO.ClearBindingCookie())
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, h.cookie(r, secret.Reveal(), 0))
	http.SetCookie(w, h.s.SSO.ClearBindingCookie())
	redirect(w, in.ReturnTo, http.StatusSeeOther)
}

// ssoBackChannelLogout is POST /v1/sso/backchannel-logout/{connection}
// with the form field logout_token (OpenID Connect Back-Channel Logout
// 1.0): the sessions of the token's subject end → 200; a token that fails
// verification → 400 invalid_request.
func (h *Handler) ssoBackChannelLogout(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, "sso-logout") {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxLogoutTokenBytes)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("logout_token") == "" {
		writeError(w, r, http.StatusBadRequest, "invalid_request")
		return
	}
	if _, err := h.s.SSO.BackChannelLogout(r.Context(), r.PathValue("connection"), r.PostForm.Get("logout_token")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// redirect answers status with Location and no body (http.Redirect would
// add an HTML one, the only non-JSON body of the API).
func redirect(w http.ResponseWriter, location string, status int) {
	w.Header().Set("Location", location)
	w.WriteHeader(status)
}

package handler

import (
	"net/http"

	"github.com/seed-a97ca23f/usersettings/token"
)

// Access rules of the session routes.
type access int

const (
	// signedIn needs a valid session whose password has not expired.
	signedIn access = iota
	// fresh also needs a session younger than the reauthentication age.
	fresh
	// expiredOK lets a session with an expired password through (to
	// change it, or to sign out).
	expiredOK
	// freshExpiredOK is fresh and expiredOK.
	freshExpiredOK
)

// SampleScopes are the scopes the example server registers; the sample API
// route GET /v1/api/apps needs mx:app:read.
var SampleScopes = []token.Scope{
	{Name: "mx:app:read", Description: "Read your apps"},
	{Name: "mx:app:write", Description: "Create and change your apps"},
	{Name: "mx:catalog:read", Description: "Search the data catalog"},
	{Name: "mx:projects:read", Description: "Read your projects"},
}

// routes registers every route on the mux.
func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeError(w, http.StatusNotFound, "not_found") })

	m.HandleFunc("POST /v1/signup", h.signUp)
	m.HandleFunc("POST /v1/signup/{id}/verify", h.confirmSignUp)
	m.HandleFunc("POST /v1/sessions", h.login)
	m.HandleFunc("DELETE /v1/sessions/current", h.me(expiredOK, h.logout))
	m.HandleFunc("POST /v1/password-resets", h.requestReset)
	m.HandleFunc("POST /v1/password-resets/verify", h.resetPassword)

	m.HandleFunc("GET /v1/me/profile", h.me(signedIn, h.getProfile))
	m.HandleFunc("PATCH /v1/me/profile", h.me(signedIn, h.patchProfile))
	m.HandleFunc("GET /v1/me/profile/avatar", h.me(signedIn, h.getAvatar))
	m.HandleFunc("PUT /v1/me/profile/avatar", h.me(signedIn, h.putAvatar))
	m.HandleFunc("DELETE /v1/me/profile/avatar", h.me(signedIn, h.deleteAvatar))
	m.HandleFunc("POST /v1/me/profile/public", h.me(signedIn, h.makePublic))
	m.HandleFunc("POST /v1/me/profile/private", h.me(signedIn, h.makePrivate))
	m.HandleFunc("GET /v1/profiles/{id}", h.publicProfile)
	m.HandleFunc("GET /v1/profiles/{id}/avatar", h.publicAvatar)

	m.HandleFunc("GET /v1/me/accounts", h.me(signedIn, h.listAccounts))
	m.HandleFunc("POST /v1/me/accounts", h.me(signedIn, h.addAccount))
	m.HandleFunc("POST /v1/me/accounts/pending/{id}/verify", h.me(signedIn, h.confirmAddAccount))
	m.HandleFunc("DELETE /v1/me/accounts/current", h.me(fresh, h.deleteAccount))
	m.HandleFunc("PUT /v1/me/password", h.me(freshExpiredOK, h.changePassword))

	m.HandleFunc("GET /v1/scopes", h.listScopes)
	m.HandleFunc("GET /v1/me/tokens", h.me(signedIn, h.listTokens))
	m.HandleFunc("POST /v1/me/tokens", h.me(fresh, h.createToken))
	m.HandleFunc("GET /v1/me/tokens/{id}", h.me(signedIn, h.getToken))
	m.HandleFunc("DELETE /v1/me/tokens/{id}", h.me(signedIn, h.deleteToken))
	m.HandleFunc("GET /v1/me/api-keys", h.me(signedIn, h.listAPIKeys))
	m.HandleFunc("POST /v1/me/api-keys", h.me(fresh, h.createAPIKey))
	m.HandleFunc("DELETE /v1/me/api-keys/{id}", h.me(signedIn, h.revokeAPIKey))

	m.HandleFunc("GET /v1/me/2fa", h.me(signedIn, h.twoFactorStatus))
	m.HandleFunc("POST /v1/me/2fa/authenticator", h.me(signedIn, h.beginAuthenticator))
	m.HandleFunc("POST /v1/me/2fa/authenticator/confirm", h.me(signedIn, h.confirmAuthenticator))
	m.HandleFunc("DELETE /v1/me/2fa", h.me(fresh, h.deactivateTwoFactor))

	m.HandleFunc("GET /v1/me/notifications", h.me(signedIn, h.getNotifications))
	m.HandleFunc("PATCH /v1/me/notifications", h.me(signedIn, h.patchNotifications))
	m.HandleFunc("PUT /v1/me/notifications/watched-apps/{app}", h.me(signedIn, h.watchApp))
	m.HandleFunc("DELETE /v1/me/notifications/watched-apps/{app}", h.me(signedIn, h.unwatchApp))

	m.HandleFunc("GET /v1/me/personal-data", h.me(signedIn, h.personalData))
	m.HandleFunc("GET /v1/me/personal-data/download", h.me(signedIn, h.downloadPersonalData))
	m.HandleFunc("GET /v1/me/personal-data/history", h.me(signedIn, h.personalDataHistory))

	h.mergeRoutes()
	h.ssoRoutes()

	m.Handle("GET /v1/api/whoami", token.AnyMiddleware(h.s.Tokens, http.HandlerFunc(h.whoami)))
	m.Handle("GET /v1/api/apps", token.AnyMiddleware(h.s.Tokens,
		token.RequireScopes("mx:app:read")(http.HandlerFunc(h.apps))))

	if h.outbox != nil {
		m.HandleFunc("GET /v1/dev/outbox", h.devOutbox)
	}
}

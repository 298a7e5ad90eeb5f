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
)

// SampleScopes are the scopes the example server registers; the sample API
// route GET /v1/api/apps needs mx:app:read.
var SampleScopes = []token.Scope{
	{Name: "mx:app:read", Description: "Read your apps"},
	{Name: "mx:app:write", Description: "Create and change your apps"},
	{Name: "mx:catalog:read", Description: "Search the data catalog"},
	{Name: "mx:projects:read", Description: "Read your projects"},
}

// handle registers the route on the mux and remembers its pattern.
func (h *Handler) handle(pattern string, fn http.HandlerFunc) {
	h.patterns = append(h.patterns, pattern)
	h.mux.Handle(pattern, fn)
}

// routes registers every route on the mux.
func (h *Handler) routes() {
	h.handle("GET /healthz", h.healthz)
	h.handle("GET /readyz", h.readyz)
	h.handle("GET /v1/openapi.json", serveOpenAPI)

	h.handle("POST /v1/signup", h.signUp)
	h.handle("POST /v1/signup/{id}/verify", h.confirmSignUp)
	h.handle("POST /v1/sessions", h.login)
	h.handle("POST /v1/sessions/sms", h.sendLoginSMS)
	h.handle("DELETE /v1/sessions/current", h.me(expiredOK, h.logout))
	h.handle("POST /v1/password-resets", h.requestReset)
	h.handle("POST /v1/password-resets/verify", h.resetPassword)
	h.handle("POST /v1/password-resets/recovery", h.requestRecoveryReset)
	h.handle("POST /v1/password-resets/recovery/verify", h.recoveryReset)

	h.handle("GET /v1/me/profile", h.me(signedIn, h.getProfile))
	h.handle("PATCH /v1/me/profile", h.me(signedIn, h.patchProfile))
	h.handle("POST /v1/me/recovery-email/confirm", h.me(signedIn, h.confirmRecoveryEmail))
	h.handle("GET /v1/me/profile/avatar", h.me(signedIn, h.getAvatar))
	h.handle("PUT /v1/me/profile/avatar", h.me(signedIn, h.putAvatar))
	h.handle("DELETE /v1/me/profile/avatar", h.me(signedIn, h.deleteAvatar))
	h.handle("POST /v1/me/profile/public", h.me(signedIn, h.makePublic))
	h.handle("POST /v1/me/profile/private", h.me(signedIn, h.makePrivate))
	h.handle("GET /v1/profiles/{id}", h.publicProfile)
	h.handle("GET /v1/profiles/{id}/avatar", h.publicAvatar)

	h.handle("GET /v1/me/accounts", h.me(signedIn, h.listAccounts))
	h.handle("POST /v1/me/accounts", h.me(signedIn, h.addAccount))
	h.handle("GET /v1/me/accounts/{id}", h.me(signedIn, h.getAccount))
	h.handle("POST /v1/me/accounts/pending/{id}/verify", h.me(signedIn, h.confirmAddAccount))
	h.handle("DELETE /v1/me/accounts/current", h.me(signedIn, h.deleteAccount))
	h.handle("PUT /v1/me/password", h.me(expiredOK, h.changePassword))
	h.handle("GET /v1/me/sessions", h.me(expiredOK, h.listSessions))
	h.handle("DELETE /v1/me/sessions/{id}", h.me(expiredOK, h.deleteSession))
	h.handle("DELETE /v1/me/sessions/others", h.me(signedIn, h.endOtherSessions))
	h.handle("POST /v1/me/reauthenticate", h.me(expiredOK, h.reauthenticate))

	h.handle("GET /v1/scopes", h.listScopes)
	h.handle("GET /v1/me/tokens", h.me(signedIn, h.listTokens))
	h.handle("POST /v1/me/tokens", h.me(signedIn, h.createToken))
	h.handle("GET /v1/me/tokens/{id}", h.me(signedIn, h.getToken))
	h.handle("DELETE /v1/me/tokens/{id}", h.me(signedIn, h.deleteToken))
	h.handle("GET /v1/me/api-keys", h.me(signedIn, h.listAPIKeys))
	h.handle("POST /v1/me/api-keys", h.me(signedIn, h.createAPIKey))
	h.handle("DELETE /v1/me/api-keys/{id}", h.me(signedIn, h.revokeAPIKey))

	h.handle("GET /v1/me/2fa", h.me(signedIn, h.twoFactorStatus))
	h.handle("POST /v1/me/2fa/authenticator", h.me(signedIn, h.beginAuthenticator))
	h.handle("POST /v1/me/2fa/authenticator/confirm", h.me(signedIn, h.confirmAuthenticator))
	h.handle("POST /v1/me/2fa/sms", h.me(signedIn, h.beginSMS))
	h.handle("POST /v1/me/2fa/sms/confirm", h.me(signedIn, h.confirmSMS))
	h.handle("POST /v1/me/2fa/recovery-codes", h.me(signedIn, h.regenerateRecoveryCodes))
	h.handle("DELETE /v1/me/2fa", h.me(signedIn, h.deactivateTwoFactor))

	h.handle("GET /v1/me/notifications", h.me(signedIn, h.getNotifications))
	h.handle("PATCH /v1/me/notifications", h.me(signedIn, h.patchNotifications))
	h.handle("PUT /v1/me/notifications/watched-apps/{app}", h.me(signedIn, h.watchApp))
	h.handle("DELETE /v1/me/notifications/watched-apps/{app}", h.me(signedIn, h.unwatchApp))

	h.handle("GET /v1/me/personal-data", h.me(signedIn, h.personalData))
	h.handle("GET /v1/me/personal-data/download", h.me(signedIn, h.downloadPersonalData))
	h.handle("GET /v1/me/personal-data/history", h.me(signedIn, h.personalDataHistory))
	h.handle("GET /v1/me/security-log", h.me(signedIn, h.securityLog))

	h.mergeRoutes()
	h.ssoRoutes()

	h.handle("GET /v1/api/whoami", token.AnyMiddleware(h.s.Tokens, http.HandlerFunc(h.whoami)).ServeHTTP)
	h.handle("GET /v1/api/apps", token.AnyMiddleware(h.s.Tokens,
		token.RequireScopes("mx:app:read")(http.HandlerFunc(h.apps))).ServeHTTP)

	if h.outbox != nil {
		h.handle("GET /v1/dev/outbox", h.devOutbox)
	}
	if h.sms != nil {
		h.handle("GET /v1/dev/sms", h.devSMS)
	}
}

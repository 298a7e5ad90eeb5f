package handler

import (
	"net/http"

	"github.com/seed-a97ca23f/usersettings/token"
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
	h.handle("POST /v1/sessions/passkey/begin", h.beginPasskeySignIn)
	h.handle("POST /v1/sessions/passkey", h.finishPasskeySignIn)
	h.handle("POST /v1/sessions/passkey/second-factor/begin", h.beginPasskeySecondFactor)
	h.handle("POST /v1/sessions/passkey/second-factor", h.finishPasskeySecondFactor)
	h.handle("POST /v1/sessions/unlock", h.requestUnlock)
	h.handle("POST /v1/sessions/unlock/verify", h.unlock)
	h.handle("DELETE /v1/sessions/current", h.me(h.logout))
	h.handle("POST /v1/password-resets", h.requestReset)
	h.handle("POST /v1/password-resets/verify", h.resetPassword)
	h.handle("POST /v1/password-resets/recovery", h.requestRecoveryReset)
	h.handle("POST /v1/password-resets/recovery/verify", h.recoveryReset)

	h.handle("GET /v1/me/profile", h.me(h.getProfile))
	h.handle("PATCH /v1/me/profile", h.me(h.patchProfile))
	h.handle("POST /v1/me/recovery-email/confirm", h.me(h.confirmRecoveryEmail))
	h.handle("GET /v1/me/profile/avatar", h.me(h.getAvatar))
	h.handle("PUT /v1/me/profile/avatar", h.me(h.putAvatar))
	h.handle("DELETE /v1/me/profile/avatar", h.me(h.deleteAvatar))
	h.handle("POST /v1/me/profile/public", h.me(h.makePublic))
	h.handle("POST /v1/me/profile/private", h.me(h.makePrivate))
	h.handle("GET /v1/profiles/{id}", h.publicProfile)
	h.handle("GET /v1/profiles/{id}/avatar", h.publicAvatar)

	h.handle("GET /v1/me/accounts", h.me(h.listAccounts))
	h.handle("POST /v1/me/accounts", h.me(h.addAccount))
	h.handle("GET /v1/me/accounts/{id}", h.me(h.getAccount))
	h.handle("POST /v1/me/accounts/pending/{id}/verify", h.me(h.confirmAddAccount))
	h.handle("POST /v1/me/accounts/{id}/email", h.me(h.changeEmail))
	h.handle("POST /v1/me/accounts/email-changes/{id}/verify", h.me(h.confirmEmailChange))
	h.handle("DELETE /v1/me/accounts/current", h.me(h.deleteAccount))
	h.handle("PUT /v1/me/password", h.me(h.changePassword))
	h.handle("GET /v1/me/sessions", h.me(h.listSessions))
	h.handle("DELETE /v1/me/sessions/{id}", h.me(h.deleteSession))
	h.handle("DELETE /v1/me/sessions/others", h.me(h.endOtherSessions))
	h.handle("POST /v1/me/reauthenticate", h.me(h.reauthenticate))
	h.handle("POST /v1/me/reauthenticate/passkey/begin", h.me(h.beginPasskeyReauth))
	h.handle("POST /v1/me/reauthenticate/passkey", h.me(h.finishPasskeyReauth))

	h.handle("GET /v1/me/passkeys", h.me(h.listPasskeys))
	h.handle("POST /v1/me/passkeys/begin", h.me(h.beginPasskeyRegistration))
	h.handle("POST /v1/me/passkeys", h.me(h.finishPasskeyRegistration))
	h.handle("PATCH /v1/me/passkeys/{id}", h.me(h.renamePasskey))
	h.handle("DELETE /v1/me/passkeys/{id}", h.me(h.removePasskey))

	h.handle("GET /v1/scopes", h.listScopes)
	h.handle("GET /v1/me/tokens", h.me(h.listTokens))
	h.handle("POST /v1/me/tokens", h.me(h.createToken))
	h.handle("GET /v1/me/tokens/{id}", h.me(h.getToken))
	h.handle("DELETE /v1/me/tokens/{id}", h.me(h.deleteToken))
	h.handle("GET /v1/me/api-keys", h.me(h.listAPIKeys))
	h.handle("POST /v1/me/api-keys", h.me(h.createAPIKey))
	h.handle("DELETE /v1/me/api-keys/{id}", h.me(h.revokeAPIKey))

	h.handle("GET /v1/me/2fa", h.me(h.twoFactorStatus))
	h.handle("POST /v1/me/2fa/authenticator", h.me(h.beginAuthenticator))
	h.handle("POST /v1/me/2fa/authenticator/confirm", h.me(h.confirmAuthenticator))
	h.handle("POST /v1/me/2fa/sms", h.me(h.beginSMS))
	h.handle("POST /v1/me/2fa/sms/confirm", h.me(h.confirmSMS))
	h.handle("POST /v1/me/2fa/recovery-codes", h.me(h.regenerateRecoveryCodes))
	h.handle("DELETE /v1/me/2fa", h.me(h.deactivateTwoFactor))

	h.handle("GET /v1/me/notifications", h.me(h.getNotifications))
	h.handle("PATCH /v1/me/notifications", h.me(h.patchNotifications))
	h.handle("PUT /v1/me/notifications/watched-apps/{app}", h.me(h.watchApp))
	h.handle("DELETE /v1/me/notifications/watched-apps/{app}", h.me(h.unwatchApp))

	h.handle("GET /v1/me/personal-data", h.me(h.personalData))
	h.handle("DELETE /v1/me/personal-data", h.me(h.erasePersonalData))
	h.handle("GET /v1/me/personal-data/download", h.me(h.downloadPersonalData))
	h.handle("GET /v1/me/personal-data/history", h.me(h.personalDataHistory))
	h.handle("GET /v1/me/security-log", h.me(h.securityLog))

	h.mergeRoutes()
	h.resendRoutes()
	h.ssoRoutes()

	// The client of a token's first use, for the security log, behind
	// -trusted-proxies like every other client.
	client := token.WithClient(h.client)
	h.handle("GET /v1/api/whoami", token.AnyMiddleware(h.s.Tokens, http.HandlerFunc(h.whoami), client).ServeHTTP)
	h.handle("GET /v1/api/apps", token.AnyMiddleware(h.s.Tokens,
		token.RequireScopes("mx:app:read")(http.HandlerFunc(h.apps)), client).ServeHTTP)

	if h.outbox != nil {
		h.handle("GET /v1/dev/outbox", h.devOutbox)
	}
	if h.sms != nil {
		h.handle("GET /v1/dev/sms", h.devSMS)
	}
}

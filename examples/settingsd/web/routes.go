package web

import (
	"io/fs"
	"net/http"
	"strings"
)

// routes registers every page on the mux.
func (w *Web) routes() {
	m := w.mux
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	m.Handle("GET /static/", http.StripPrefix("/static/", noListing(cacheFor(files))))
	m.HandleFunc("GET /{$}", w.home)
	m.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) { w.renderError(rw, r, http.StatusNotFound) })

	// Sign-in and sign-up. Single sign-on starts here and ends at the
	// JSON API's callback, which sends the browser to ssoReturn.
	m.HandleFunc("GET /signin", w.signInPage)
	m.HandleFunc("GET /signin/sso", w.ssoStart)
	m.HandleFunc("GET "+ssoReturn, w.ssoDone)
	m.HandleFunc("POST /signin", w.anonymous(w.signIn))
	m.HandleFunc("GET /signin/code", w.codePage)
	m.HandleFunc("POST /signin/code", w.anonymous(w.signInCode))
	m.HandleFunc("POST /signin/code/sms", w.anonymous(w.textSignInCode))
	m.HandleFunc("POST /signout", w.me(w.signOut))
	m.HandleFunc("GET /reauth", w.me(w.reauthPage))
	m.HandleFunc("POST /reauth", w.me(w.reauth))
	m.HandleFunc("POST /reauth/sms", w.me(w.textReauthCode))
	m.HandleFunc("POST /signin/passkey/begin", w.anonymous(w.beginPasskeySignIn))
	m.HandleFunc("POST /signin/passkey", w.anonymous(w.passkeySignIn))
	m.HandleFunc("POST /signin/code/passkey/begin", w.anonymous(w.beginPasskeyFactor))
	m.HandleFunc("POST /signin/code/passkey", w.anonymous(w.passkeyFactor))
	m.HandleFunc("POST /reauth/passkey/begin", w.me(w.beginPasskeyReauth))
	m.HandleFunc("POST /reauth/passkey", w.me(w.passkeyReauth))
	m.HandleFunc("GET /signup", w.signUpPage)
	m.HandleFunc("POST /signup", w.anonymous(w.signUp))
	m.HandleFunc("GET /signup/verify", w.signUpVerifyPage)
	m.HandleFunc("POST /signup/verify", w.anonymous(w.signUpVerify))
	m.HandleFunc("GET /signin/unlock", w.unlockPage)
	m.HandleFunc("POST /signin/unlock", w.anonymous(w.requestUnlock))
	m.HandleFunc("GET /signin/unlock/code", w.unlockCodePage)
	m.HandleFunc("POST /signin/unlock/code", w.anonymous(w.unlock))
	m.HandleFunc("POST /signup/resend", w.anonymous(w.signUpResend))
	m.HandleFunc("GET /forgot", w.forgotPage)
	m.HandleFunc("POST /forgot", w.anonymous(w.forgot))
	m.HandleFunc("GET /forgot/reset", w.resetPage)
	m.HandleFunc("POST /forgot/reset", w.anonymous(w.reset))
	m.HandleFunc("GET /forgot/recovery", w.forgotRecoveryPage)
	m.HandleFunc("POST /forgot/recovery", w.anonymous(w.forgotRecovery))
	m.HandleFunc("GET /forgot/recovery/reset", w.resetRecoveryPage)
	m.HandleFunc("POST /forgot/recovery/reset", w.anonymous(w.resetRecovery))

	m.HandleFunc("GET /profile", w.me(w.profilePage))
	m.HandleFunc("POST /profile", w.me(w.saveProfile))
	m.HandleFunc("POST /profile/recovery-email/confirm", w.me(w.confirmRecovery))
	m.HandleFunc("POST /profile/recovery-email/resend", w.me(w.resendRecovery))
	m.HandleFunc("GET /profile/avatar", w.me(w.avatar))
	m.HandleFunc("POST /profile/avatar", w.me(w.uploadAvatar))
	m.HandleFunc("POST /profile/avatar/delete", w.me(w.removeAvatar))
	m.HandleFunc("POST /profile/public", w.me(w.makePublic))
	m.HandleFunc("POST /profile/private", w.me(w.makePrivate))
	m.HandleFunc("GET /people/{id}", w.publicProfile)
	m.HandleFunc("GET /people/{id}/avatar", w.publicAvatar)

	m.HandleFunc("GET /profile/merge", w.me(w.mergeStartPage))
	m.HandleFunc("POST /profile/merge", w.me(w.mergeStart))
	m.HandleFunc("GET /profile/merge/{id}/send", w.me(w.mergeSendPage))
	m.HandleFunc("POST /profile/merge/{id}/send", w.me(w.mergeSend))
	m.HandleFunc("GET /profile/merge/{id}/verify", w.me(w.mergeVerifyPage))
	m.HandleFunc("POST /profile/merge/{id}/verify", w.me(w.mergeVerify))
	m.HandleFunc("POST /profile/merge/{id}/resend", w.me(w.mergeResend))
	m.HandleFunc("GET /profile/merge/{id}/preview", w.me(w.mergePreviewPage))
	m.HandleFunc("POST /profile/merge/{id}/commit", w.me(w.mergeCommit))
	m.HandleFunc("POST /profile/merge/{id}/cancel", w.me(w.mergeCancel))

	m.HandleFunc("GET /accounts", w.me(w.accountsPage))
	m.HandleFunc("POST /accounts/password", w.me(w.changePassword))
	// Passkeys: the section of the Accounts page, next to the password.
	m.HandleFunc("POST /accounts/passkeys/begin", w.me(w.beginPasskeyRegistration))
	m.HandleFunc("POST /accounts/passkeys", w.me(w.addPasskey))
	m.HandleFunc("POST /accounts/passkeys/{id}/rename", w.me(w.renamePasskey))
	m.HandleFunc("POST /accounts/passkeys/{id}/remove", w.me(w.removePasskey))
	m.HandleFunc("GET /accounts/new", w.me(w.newAccountPage))
	m.HandleFunc("POST /accounts/new", w.me(w.newAccount))
	m.HandleFunc("GET /accounts/new/verify", w.me(w.newAccountVerifyPage))
	m.HandleFunc("POST /accounts/new/verify", w.me(w.newAccountVerify))
	m.HandleFunc("POST /accounts/new/resend", w.me(w.newAccountResend))
	m.HandleFunc("GET /accounts/{id}/email", w.me(w.emailPage))
	m.HandleFunc("POST /accounts/{id}/email", w.me(w.changeEmail))
	m.HandleFunc("GET /accounts/email-changes/{id}/verify", w.me(w.emailVerifyPage))
	m.HandleFunc("POST /accounts/email-changes/{id}/verify", w.me(w.emailVerify))
	m.HandleFunc("POST /accounts/email-changes/{id}/resend", w.me(w.emailResend))
	m.HandleFunc("GET /accounts/delete", w.me(w.deletePage))
	m.HandleFunc("POST /accounts/delete", w.me(w.deleteAccount))

	m.HandleFunc("GET /security-log", w.me(w.securityLogPage))

	m.HandleFunc("GET /notifications", w.me(w.notificationsPage))
	m.HandleFunc("POST /notifications", w.me(w.saveNotifications))
	m.HandleFunc("POST /notifications/apps/{app}/stop", w.me(w.stopWatching))
	m.HandleFunc("POST /notifications/apps/watch", w.me(w.watchApp))

	// Sessions: where the person is signed in, one sign-out each and one
	// for all the others (a sensitive action: a stale sign-in confirms
	// the password first).
	m.HandleFunc("GET /sessions", w.me(w.sessionsPage))
	m.HandleFunc("POST /sessions/{id}/end", w.me(w.endSession))
	m.HandleFunc("POST /sessions/others", w.me(w.endOtherSessions))

	// Developer Settings.
	m.HandleFunc("GET /developer", w.me(w.developerPage))
	m.HandleFunc("POST /developer/2fa/authenticator", w.me(w.beginAuthenticator))
	m.HandleFunc("POST /developer/2fa/authenticator/confirm", w.me(w.confirmAuthenticator))
	m.HandleFunc("POST /developer/2fa/sms", w.me(w.beginSMS))
	m.HandleFunc("POST /developer/2fa/sms/confirm", w.me(w.confirmSMS))
	m.HandleFunc("POST /developer/2fa/deactivate", w.me(w.deactivateTwoFactor))
	m.HandleFunc("POST /developer/2fa/recovery-codes", w.me(w.regenerateRecoveryCodes))
	m.HandleFunc("POST /developer/2fa/recovery-codes/download", w.me(w.downloadRecoveryCodes))
	m.HandleFunc("GET "+newSecretPath, w.me(w.newSecretPage))
	m.HandleFunc("POST /developer/api-keys", w.me(w.createAPIKey))
	m.HandleFunc("POST /developer/api-keys/{id}/revoke", w.me(w.revokeAPIKey))
	m.HandleFunc("POST /developer/tokens", w.me(w.createToken))
	m.HandleFunc("POST /developer/tokens/{id}/delete", w.me(w.deleteToken))

	m.HandleFunc("GET /personal-data", w.me(w.personalDataPage))
	m.HandleFunc("GET /personal-data/download", w.me(w.download))
	m.HandleFunc("POST /personal-data/erase", w.me(w.erase))
	m.HandleFunc("POST /personal-data/erase-profile", w.me(w.eraseKeepingAccounts))

	if w.outbox != nil {
		m.HandleFunc("GET /dev/outbox", w.outboxPage)
	}
}

// cacheFor lets browsers keep the embedded assets for an hour.
func cacheFor(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(rw, r)
	})
}

// home sends a signed-in person to the Profile page and anyone else to
// the sign-in page.
func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	if _, ok := w.caller(rw, r); ok {
		seeOther(rw, r, "/profile")
	}
}

// noListing answers 404 for a directory of the static files, which the
// file server would list: only the files themselves are served.
func noListing(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == "" || strings.HasSuffix(p, "/") {
			http.NotFound(rw, r)
			return
		}
		h.ServeHTTP(rw, r)
	})
}

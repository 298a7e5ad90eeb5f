// Package web is the reference web UI of the usersettings SDK: the
// server-rendered settings pages (Profile, Accounts, Notification
// Settings, Developer Settings, Sessions and Personal Data) with sign-up, sign-in,
// the second-factor step, reauthentication and password reset, built on
// the SDK's services the way a host would build its own. Copy it, or mount
// it as it is:
//
//	settings, err := usersettings.New(store, usersettings.Options{Scopes: handler.SampleScopes})
//	mux := http.NewServeMux()
//	mux.Handle("/v1/", handler.New(settings))
//	mux.Handle("/", web.New(settings))
//
// examples/settingsd does exactly that: go run ./examples/settingsd -dev,
// then open http://127.0.0.1:8080/.
//
// # How it is built
//
// Pages are html/template files and one stylesheet, embedded in the
// binary; a few lines of JavaScript only add copy buttons and confirmation
// dialogs, so every flow works with JavaScript off. No page loads anything
// from another origin: the QR code of an authenticator enrolment is a
// data: URL rendered on the server.
//
// # Security
//
// The session is the SDK's (settings.Sessions) in the same HttpOnly,
// SameSite=Strict cookie as the JSON API (handler.CookieName), so one
// sign-in serves both. Every POST form carries an anti-CSRF token: the
// session's (session.CSRFToken) once signed in, a double-submit token
// bound to a random cookie before; http.CrossOriginProtection refuses
// cross-origin posts besides. Every page is sent with a strict
// Content-Security-Policy (CSP: no inline script or style,
// frame-ancestors 'none') and Cache-Control: no-store. Secrets are shown
// once and never put in a URL: the TOTP key and recovery codes in the
// answer to the POST that made them (the code form of an authenticator
// set-up sends the key back in its body, so a wrong code shows the QR
// code and key again); a new token or API key on a page of its own,
// /developer/new, reached by POST/redirect/GET with the secret in a
// cookie of that page, encrypted under the server key (WithKey), bound
// to the session and deleted by the page, so a reload shows it no more.
// A sign-in waiting for
// its second factor is carried by a short-lived cookie signed with a
// server key (WithKey) that names the account and never holds the
// password. As in the JSON API, the SDK decides: sensitive actions need a
// session that proved who it is within the SDK's Options.FreshFor (an
// hour by default), and the pages send a stale one to the password prompt
// (/reauth), which re-authenticates the same session
// (session.Service.Reauthenticate) and then finishes the action: the
// refused form waits in an encrypted, session-bound cookie of the prompt,
// without its secrets, and is posted again inside the server with a
// fresh anti-CSRF token, such as Change email of an account (a code to
// the new address, then its code page) or Erase on the Personal Data page
// (the profile, every account and all their data). The prompt's password
// is the proof of the forms that ask for the current password and
// nothing else; a form with another secret (a new password, a code)
// opens again instead. A session
// whose password expired may only change it: the SDK refuses the rest
// (auth.ErrPasswordExpired) and the pages show the password form. The Sessions page
// lists where the person is signed in (device, IP address, sign-in and
// last use), signs one session out, or all the others. Sign-in and the
// forms that send or check codes are rate limited (WithLimiter shares the
// JSON API's buckets); failed passwords are throttled by the SDK, never
// for the browser that keeps the device cookie of an earlier sign-in
// (handler.DeviceCookieName), which the sign-in sets.
//
// # Two-factor by text message
//
// When the SDK has an SMS sender (usersettings.Options.SMS), Developer
// Settings offers SMS codes next to an authenticator app, and the code
// step of a sign-in and the password prompt offer "Text me a code" to an
// account whose factor is SMS (twofactor.Service.SignInFactor). The SDK
// decides how soon another code may go out: asked too soon, the page
// says when, from the wait of its ErrTooSoon. WithDevSMS shows the texts
// on /dev/outbox in development.
//
// # Single sign-on
//
// The sign-in page's company form (GET /signin/sso) starts a sign-in
// through the address's identity provider (package account/sso); the JSON
// API's callback starts the session and sends the browser to
// /signin/sso/done, a page that moves on by itself so that the
// SameSite=Strict cookie goes with a navigation that starts on this site.
// It needs the JSON API mounted at /v1/ on the same origin.
//
// # Seams
//
// The security log (the trust-boundary work) is not built yet; the
// Developer Settings template marks where it goes.
package web

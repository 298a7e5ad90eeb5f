// Package handler serves the usersettings SDK as an HTTP JSON API: an
// http.Handler, built on the standard library's ServeMux, that a host can
// mount as it is or copy. The runnable server is examples/settingsd.
//
//	settings, err := usersettings.New(store, usersettings.Options{Scopes: handler.SampleScopes})
//	http.ListenAndServe("127.0.0.1:8080", handler.New(settings, handler.WithLogger(log)))
//
// # Conventions
//
// Requests and answers are JSON (bodies up to 1 MB; avatars up to 5 MB).
// Errors are {"error":"<code>", ...details} with these codes:
//
//	400 invalid_json, invalid_query, invalid_body
//	401 unauthenticated          no valid session on a /v1/me route
//	401 invalid_credentials      login refused, whatever the reason
//	401 second_factor_required   right password, two-factor account, no "otp"
//	403 csrf_token_invalid       cookie session without a matching X-CSRF-Token
//	403 password_expired         the session may only change the password or sign out
//	403 reauthentication_required the session is older than an hour (sensitive routes)
//	403 forbidden
//	404 not_found                also a private profile's public view
//	409 email_taken, name_taken, already_enabled, not_enabled, no_enrollment,
//	    flow_invalid, flow_expired, profile_changed
//	413 request_too_large
//	422 password_policy {violations}, invalid_profile {fields},
//	    profile_incomplete {missing}, unknown_scopes {scopes}, invalid_code,
//	    invalid_email, invalid_credentials, password_reused, sso_required,
//	    invalid_name, invalid_description, no_scope, invalid_expiry,
//	    invalid_input {field, reason}, same_profile, invalid_choice,
//	    sso_managed (password or 2FA flows of a single-sign-on address),
//	    invalid_return_to
//	429 rate_limited {retry_after}, locked
//	500 internal
//
// The token-protected API (/v1/api/...) answers every refused credential or
// missing scope with the byte-identical 403 {"error":""} of package token.
//
// # Sessions
//
// POST /v1/sessions returns a session secret, stored only as a digest, and
// sets it as an HttpOnly, SameSite=Strict cookie (Secure on TLS). Clients
// send it as "Authorization: Session <secret>" or rely on the cookie;
// cookie-authenticated requests that change state also need the header
// X-CSRF-Token with the csrf_token of the login answer. Sessions end after
// 12 idle hours or 24 hours in all. Password change, token and API key
// creation, merges, account deletion and two-factor deactivation need a
// session younger than an hour (WithReauthAfter). A session started with an
// expired password may only change it (PUT /v1/me/password) or sign out.
//
// The second factor is part of the login: when the account has one, the
// body carries "otp" (a code of the authenticator app or a recovery code).
// Without it a right password answers 401 second_factor_required; a wrong
// code answers 401 invalid_credentials like a wrong password.
//
// Login and the routes that send or check codes are rate limited per
// address (or flow) and per client IP, with in-memory token buckets
// (WithRateLimits); verification codes are also throttled by the SDK per
// address across processes.
//
// # Routes
//
//	POST   /v1/signup                              {email,password,marketing} → 202 {signup_id}
//	POST   /v1/signup/{id}/verify                  {code} → 201 {account_id,profile_id}
//	POST   /v1/sessions                            {email,password,otp?} → 201 {session,csrf_token,password_expired,...}
//	DELETE /v1/sessions/current                    → 204
//	POST   /v1/password-resets                     {email} → 202, always
//	POST   /v1/password-resets/verify              {email,code,new} → 204
//	GET    /v1/me/profile                          → profile
//	PATCH  /v1/me/profile                          partial profile → profile
//	GET    /v1/me/profile/avatar                   → image
//	PUT    /v1/me/profile/avatar                   image body → profile
//	DELETE /v1/me/profile/avatar                   → profile
//	POST   /v1/me/profile/public                   → profile, or 422 profile_incomplete
//	POST   /v1/me/profile/private                  → profile
//	GET    /v1/profiles/{id}                       → public view (no session), 404 when private
//	GET    /v1/profiles/{id}/avatar                → image of a public profile
//	GET    /v1/me/accounts                         → [account]
//	POST   /v1/me/accounts                         {email,password,marketing} → 202 {pending_id}
//	POST   /v1/me/accounts/pending/{id}/verify     {code} → 201 {account_id,profile_id,email}
//	DELETE /v1/me/accounts/current                 → 204
//	PUT    /v1/me/password                         {current,new} → 204
//	POST   /v1/me/merges                           {email} → 201 {id,addresses}
//	POST   /v1/me/merges/{id}/code                 {address} → 202
//	POST   /v1/me/merges/{id}/verify               {code} → 200 preview
//	GET    /v1/me/merges/{id}/preview              → 200 preview (after verify)
//	POST   /v1/me/merges/{id}/commit               → 200 merged profile
//	DELETE /v1/me/merges/{id}                      → 204 (cancel)
//	GET    /v1/scopes                              → [{name,description}]
//	GET    /v1/me/tokens                           → [token]
//	POST   /v1/me/tokens                           {name,scopes,expires_at?} → 201 token with "token"
//	GET    /v1/me/tokens/{id}                      → token
//	DELETE /v1/me/tokens/{id}                      → 204
//	GET    /v1/me/api-keys                         → [api key]
//	POST   /v1/me/api-keys                         {description} → 201 api key with "key"
//	DELETE /v1/me/api-keys/{id}                    → 204
//	GET    /v1/me/2fa                              → status
//	POST   /v1/me/2fa/authenticator                → 201 {secret,otpauth_url,qr_png}
//	POST   /v1/me/2fa/authenticator/confirm        {code} → 200 {recovery_codes}
//	DELETE /v1/me/2fa                              {password} or {code} → 204
//	GET    /v1/me/notifications                    → {daily_digest,thread_updates,watched_apps}
//	PATCH  /v1/me/notifications                    {daily_digest?,thread_updates?} → same
//	PUT    /v1/me/notifications/watched-apps/{app} {name?} → 204
//	DELETE /v1/me/notifications/watched-apps/{app} → 204
//	GET    /v1/me/personal-data                    → personal-data.json
//	GET    /v1/me/personal-data/download           → ZIP attachment
//	GET    /v1/me/personal-data/history?page=      → {entries,page,page_size,more}
//	GET    /v1/api/whoami                          mxtoken or API key → {account_id,profile_id,scopes,kind}
//	GET    /v1/api/apps                            scope mx:app:read → [{id,name}]
//	GET    /v1/dev/outbox                          only with WithDevOutbox → [{to,subject,body,sent_at}]
//	GET    /v1/sso/start?email=&return_to=         → 302 to the company's identity provider
//	GET    /v1/sso/callback                        → 303 to return_to, session cookie set
//	POST   /v1/sso/backchannel-logout/{connection} form logout_token → 200, or 400 invalid_request
//
// # Single sign-on
//
// A company that brings its own identity provider (see package
// account/sso) signs its people in through GET /v1/sso/start: the
// address's domain picks the connection, return_to must be a relative
// path (anything else is 422 invalid_return_to, so the route is no open
// redirect). The provider sends the browser back to GET /v1/sso/callback,
// which starts a session like POST /v1/sessions and answers 303 to
// return_to; a failed sign-in answers its own code and starts nothing:
// 400 sso_invalid_state (unknown, used or expired), sso_invalid_id_token,
// sso_invalid_claims; 403 sso_denied, sso_email_domain,
// sso_email_not_verified, sso_link_refused, sso_identity_mismatch,
// sso_account_inactive; 404 sso_unknown_connection, sso_not_configured;
// 502 sso_provider_unavailable, sso_exchange_failed. Passwords of a
// single-sign-on address are refused: POST /v1/sessions answers exactly
// as for a wrong password, password changes and resets and two-factor
// enrolment answer 422 sso_managed.
package handler

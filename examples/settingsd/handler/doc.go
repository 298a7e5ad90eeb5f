// Package handler serves the usersettings SDK as an HTTP JSON API: an
// http.Handler, built on the standard library's ServeMux, that a host can
// mount as it is or copy. The runnable server is examples/settingsd.
//
//	settings, err := usersettings.New(store, usersettings.Options{Scopes: handler.SampleScopes})
//	http.ListenAndServe("127.0.0.1:8080", handler.New(settings, handler.WithLogger(log)))
//
// The routes and JSON fields are a contract: the OpenAPI 3.1 document
// served at GET /v1/openapi.json (OpenAPI) describes every route, request,
// answer and error code, and the tests check every exchange of the
// end-to-end suite against it.
//
// # Conventions
//
// Requests with a body send Content-Type: application/json (415
// otherwise), at most 1 MB (avatars: an image type, at most 5 MB), one
// JSON value in valid UTF-8 without unknown fields. Every answer carries
// X-Request-ID: the request's own when well-formed, else a new one; it is
// on every log line of the request too. Errors are {"error":"<code>",
// "request_id":"…", …details}; the errors of the SDK are answered by
// package errs/errhttp, whose status is that of the error's kind (a
// client that asks for application/problem+json gets RFC 9457 problem
// details with the same fields). The statuses and codes:
//
//	400 invalid_json {field, reason}, invalid_query {field}, invalid_body,
//	    invalid_request, invalid_cursor, sso_invalid_state, sso_not_bound, sso_invalid_id_token,
//	    sso_invalid_claims
//	401 unauthenticated, invalid_credentials, second_factor_required
//	403 csrf_token_invalid, password_expired, reauthentication_required, forbidden,
//	    sso_denied, sso_email_domain, sso_email_not_verified, sso_link_refused,
//	    sso_identity_mismatch, sso_account_inactive
//	404 not_found, sso_unknown_connection, sso_not_configured
//	405 method_not_allowed
//	409 email_taken, name_taken, already_enabled, not_enabled, no_enrollment,
//	    sms_unavailable, flow_invalid, flow_expired, pending_expired,
//	    profile_changed,
//	    conflict (a write that lost a race; retry), ceremony_expired,
//	    passkey_limit, passkey_exists, no_passkey
//	412 precondition_failed
//	413 request_too_large
//	415 unsupported_media_type
//	422 password_policy {violations}, invalid_profile {fields},
//	    profile_incomplete {missing}, unknown_scopes {scopes}, invalid_code,
//	    invalid_email, invalid_credentials, password_reused, sso_required,
//	    invalid_name, invalid_description, no_scope, invalid_expiry,
//	    invalid_input {field, reason}, same_profile, invalid_choice, invalid_phone,
//	    sso_managed (password, 2FA or login-email flows of a single-sign-on account),
//	    invalid_return_to, email_unchanged, invalid_passkey, invalid_passkey_name
//	429 rate_limited {retry_after}, locked, too_soon {retry_after}
//	500 internal
//	502 sso_provider_unavailable, sso_exchange_failed
//	503 not_ready, unavailable (a request cancelled or timed out),
//	    passkeys_unavailable (no relying party: settingsd's -public-url)
//
// 400 invalid_json names an unknown or mistyped field in "field", and
// says "reason":"invalid_utf8" for a string that is not UTF-8. 401
// unauthenticated is a /v1/me route without a valid session; 401
// invalid_credentials is any refused sign-in; 401 second_factor_required
// a right password of a two-factor account without "otp". 403
// csrf_token_invalid is a cookie session without a matching X-CSRF-Token;
// 403 password_expired a session that may only change the password or
// sign out; 403 reauthentication_required a session that signed in or
// re-authenticated longer ago than the reauthentication age (an hour) on
// a sensitive route. 404 is also a private profile's public view; 405
// carries Allow. 412 is a PATCH of the profile with a stale If-Match. 429
// rate_limited carries Retry-After; locked follows too many wrong
// second-factor codes; too_soon an SMS code sent moments ago (with
// Retry-After). A panic is
// logged with its stack and answered 500 internal, without details.
//
// The token-protected API (/v1/api/...) answers every refused credential
// or missing scope with the byte-identical 403 {"error":""} of package
// token.
//
// Every 201 carries Location. Lists are {"items":[…],"next":null}, so
// that paging can be added without breaking clients. The profile has an
// ETag; PATCH /v1/me/profile with If-Match changes it only if the ETag is
// still current (412 otherwise, checked in the change's transaction), so
// two browser tabs do not overwrite each other. Avatars have an ETag (the
// image's digest) and answer 304 to If-None-Match; a public profile's
// avatar may be cached by anyone for PublicAvatarMaxAge. Everything else
// is Cache-Control: no-store.
//
// # Sessions
//
// POST /v1/sessions starts a session whose secret is stored only as a
// digest. A browser gets the secret only as an HttpOnly, SameSite=Strict
// cookie (Secure on TLS, or always with WithSecureCookies), never in the
// body; cookie-authenticated requests that change state also need the
// header X-CSRF-Token with the csrf_token of the login answer. An API
// client sends "session_in_body": true and gets the secret in the body's
// "session" instead (and no cookie), to send as "Authorization: Session
// <secret>". Sessions end after 12 idle hours or 24 hours in all. Each
// records how the person signed in, the device (from the User-Agent) and
// the IP address; GET /v1/me/sessions lists them, and the person ends
// one or all the others. Password change, token and API key creation,
// merges, account deletion, login email changes, erasing the personal
// data, two-factor deactivation and ending the other sessions need a
// session that proved who it is within the reauthentication age (the
// SDK's Options.FreshFor, an hour by default): at sign-in or with POST
// /v1/me/reauthenticate. A session whose
// password has expired, even one opened before it expired, may only
// change it (PUT /v1/me/password), re-authenticate, list or end sessions
// and sign out; the SDK refuses the rest (403 password_expired).
//
// The second factor is part of the login: when the account has one, the
// body carries "otp" (a code of the authenticator app, a texted code or a
// recovery code). Without it a right password answers 401
// second_factor_required; a wrong code answers 401 invalid_credentials
// like a wrong password. An account with the SMS method asks for its code
// with POST /v1/sessions/sms and the same email and password.
//
// Every route that sends or checks codes is rate limited per client IP
// with token buckets (WithRateLimits, WithLimiter), each purpose in
// buckets of its own: in memory by default, in the database when
// settingsd builds the Limiter on its store (NewStoreLimiter), so that
// every replica on the database shares them. Sign-up, adding an account
// and a login-email change also take a bucket of the address, and code
// checks one of their flow; the password reset, the unlock and their
// code checks take none of the address, so that strangers' requests
// never refuse the owner's: the SDK limits the mails per address and
// purpose, and the attempts of each code. Failed passwords are throttled
// by the SDK (account.Service.Authenticate) and answered 429
// rate_limited with Retry-After: per address and client IP for a client
// that never signed in to the account, and only per device for one that
// sends the device token of an earlier sign-in (the device cookie
// DeviceCookieName that a browser sign-in sets, or the "device_token" of
// a session_in_body answer). An owner whose address strangers keep
// throttled asks for an emailed unlock code (POST /v1/sessions/unlock)
// and trades it for a device token (POST /v1/sessions/unlock/verify),
// with which the right password gets through. Behind proxies,
// ClientIPBehind reads X-Forwarded-For from trusted ones only.
//
// # Routes
//
//	GET    /healthz                                → 200 {status:"ok"}
//	GET    /readyz                                 → 200 {status:"ready"}, or 503 not_ready (WithReadiness)
//	GET    /v1/openapi.json                        → the OpenAPI 3.1 document
//	POST   /v1/signup                              {email,password,marketing?} → 202 {signup_id}
//	POST   /v1/signup/{id}/verify                  {code} → 201 {account_id,profile_id}
//	POST   /v1/signup/{id}/resend                  → 202 {sent_to}: a new code (409 pending_expired)
//	POST   /v1/sessions                            {email,password,otp?,session_in_body?,device_token?} → 201 {session_id,session?,device_token?,csrf_token,password_expired,account_id,profile_id}
//	POST   /v1/sessions/sms                        {email,password} → 202, a sign-in code texted
//	POST   /v1/sessions/passkey/begin              {ceremony_in_body?} → 200 {options,expires_at,ceremony_id?}
//	POST   /v1/sessions/passkey                    {response,ceremony_id?,otp?,session_in_body?,device_token?} → 201 as POST /v1/sessions
//	POST   /v1/sessions/passkey/second-factor/begin {email,password,ceremony_in_body?} → 200 {options,expires_at,account_id,ceremony_id?,device_token?}
//	POST   /v1/sessions/passkey/second-factor      {account_id,response,ceremony_id?,session_in_body?,device_token?} → 201 as POST /v1/sessions
//	POST   /v1/sessions/unlock                     {email} → 202, always; an unlock code mailed
//	POST   /v1/sessions/unlock/verify              {email,code} → 200 {device_token}
//	DELETE /v1/sessions/current                    → 204
//	POST   /v1/password-resets                     {email} → 202, always
//	POST   /v1/password-resets/verify              {email,code,new} → 204
//	POST   /v1/password-resets/recovery            {email} (verified recovery email) → 202, always
//	POST   /v1/password-resets/recovery/verify     {email,account,code,new} → 204
//	GET    /v1/me/profile                          → profile with missing_for_public, avatar, updated_at; ETag
//	PATCH  /v1/me/profile                          partial profile, If-Match? → profile, or 412
//	POST   /v1/me/recovery-email/confirm           {code} → profile (pending recovery email verified)
//	GET    /v1/me/profile/avatar                   → image; ETag, 304
//	PUT    /v1/me/profile/avatar                   image body → profile
//	DELETE /v1/me/profile/avatar                   → profile
//	POST   /v1/me/profile/public                   → profile, or 422 profile_incomplete
//	POST   /v1/me/profile/private                  → profile
//	GET    /v1/profiles/{id}                       → public view (no session), 404 when private
//	GET    /v1/profiles/{id}/avatar                → image of a public profile; ETag, 304, cacheable
//	GET    /v1/me/accounts                         → {items:[account]}
//	POST   /v1/me/accounts                         {email,password,marketing?} → 202 {pending_id}
//	GET    /v1/me/accounts/{id}                    → account
//	POST   /v1/me/accounts/pending/{id}/verify     {code} → 201 {account_id,profile_id,email}
//	POST   /v1/me/accounts/pending/{id}/resend     → 202 {sent_to}: a new code
//	POST   /v1/me/accounts/{id}/email              {email} → 202 {pending_id}, the same for a taken address (fresh session)
//	POST   /v1/me/accounts/email-changes/{id}/verify {code} → 200 account, under its new address
//	POST   /v1/me/accounts/email-changes/{id}/resend → 202 {sent_to}: a new code
//	DELETE /v1/me/accounts/current                 → 204
//	PUT    /v1/me/password                         {current,new} → 204
//	GET    /v1/me/sessions                         → {items:[{id,current,method,device,ip,created_at,last_seen_at,authenticated_at}]}
//	DELETE /v1/me/sessions/{id}                    → 204, 404 for another account's
//	DELETE /v1/me/sessions/others                  → 204 (fresh session)
//	POST   /v1/me/reauthenticate                   {password,otp?} → 200 {id,current,method,…}
//	POST   /v1/me/reauthenticate/passkey/begin     → 200 {ceremony_id,options,expires_at}
//	POST   /v1/me/reauthenticate/passkey           {ceremony_id,response} → 200 {id,current,method,…}
//	GET    /v1/me/passkeys                         → {items:[{id,name,created_at,last_used_at?,transports,backup_eligible,backup_state,aaguid}]}
//	POST   /v1/me/passkeys/begin                   → 200 {ceremony_id,options,expires_at} (fresh session)
//	POST   /v1/me/passkeys                         {ceremony_id,response,name?} → 201 passkey (fresh session)
//	PATCH  /v1/me/passkeys/{id}                    {name} → 200 passkey
//	DELETE /v1/me/passkeys/{id}                    → 204 (fresh session)
//	POST   /v1/me/merges                           {email} → 201 {id,addresses}
//	POST   /v1/me/merges/{id}/code                 {address} → 202
//	POST   /v1/me/merges/{id}/verify               {code} → 200 preview
//	GET    /v1/me/merges/{id}/preview              → 200 preview (after verify)
//	POST   /v1/me/merges/{id}/commit               → 200 merged profile
//	DELETE /v1/me/merges/{id}                      → 204 (cancel)
//	GET    /v1/scopes                              → {items:[{name,description}]}
//	GET    /v1/me/tokens                           → {items:[token]}
//	POST   /v1/me/tokens                           {name,scopes,expires_at?} → 201 token with "token"
//	GET    /v1/me/tokens/{id}                      → token
//	DELETE /v1/me/tokens/{id}                      → 204
//	GET    /v1/me/api-keys                         → {items:[api key]}
//	POST   /v1/me/api-keys                         {description} → 201 api key with "key"
//	DELETE /v1/me/api-keys/{id}                    → 204
//	GET    /v1/me/2fa                              → status, with sms_available
//	POST   /v1/me/2fa/authenticator                → 201 {secret,otpauth_url,qr_png}
//	POST   /v1/me/2fa/authenticator/confirm        {code} → 200 {recovery_codes}
//	POST   /v1/me/2fa/sms                          {phone} → 202, a code texted
//	POST   /v1/me/2fa/sms/confirm                  {code} → 200 {recovery_codes}
//	POST   /v1/me/2fa/recovery-codes               {password} or {code} → 200 {recovery_codes}
//	DELETE /v1/me/2fa                              {password} or {code} → 204
//	GET    /v1/me/notifications                    → {daily_digest,thread_updates,watched_apps}
//	PATCH  /v1/me/notifications                    {daily_digest?,thread_updates?} → same
//	PUT    /v1/me/notifications/watched-apps/{app} {name?} → 204
//	DELETE /v1/me/notifications/watched-apps/{app} → 204
//	GET    /v1/me/personal-data                    → personal-data.json
//	DELETE /v1/me/personal-data                    → 204: the profile and every account erased (fresh session)
//	GET    /v1/me/personal-data/download           → ZIP attachment
//	GET    /v1/me/personal-data/history            ?page=&page_size= → {entries,page,page_size,more}
//	GET    /v1/me/security-log                     ?limit=&cursor= → {events:[{id,kind,at,ip,device,account_id,detail}],next_cursor?}
//	GET    /v1/api/whoami                          mxtoken or API key → {account_id,profile_id,scopes,kind}
//	GET    /v1/api/apps                            scope mx:app:read → {items:[{id,name}]}
//	GET    /v1/dev/outbox                          only with WithDevOutbox → {items:[{to,subject,body,sent_at}]}
//	GET    /v1/dev/sms                             only with WithDevSMS → {items:[{to,text,sent_at}]}
//	GET    /v1/sso/start                           ?email=&return_to= → 302 to the company's identity provider
//	GET    /v1/sso/callback                        → 303 to return_to, session cookie set
//	POST   /v1/sso/backchannel-logout/{connection} form logout_token → 200, or 400 invalid_request
//
// # Passkeys
//
// A passkey (a WebAuthn credential, package passkey) signs in without a
// password, serves as the second factor of a password sign-in, and
// re-authenticates a session. Each ceremony has two steps: a begin
// route answers the options for the browser's navigator.credentials
// call (create for a registration, get for the others), with binary
// fields in base64url (PublicKeyCredential.parseCreationOptionsFromJSON
// and parseRequestOptionsFromJSON read them), and the finish route takes
// the credential's toJSON() as "response". A ceremony is kept by the
// SDK, used once and short-lived (409 ceremony_expired after). A
// registration and a re-authentication are bound to the session that
// began them and carry "ceremony_id" in the body. A sign-in or a second
// factor has no session yet: a browser keeps the ceremony's ID in the
// HttpOnly, SameSite=Strict cookie PasskeyCookieName, scoped to
// /v1/sessions/passkey, so only the browser that began it finishes it;
// an API client asks for "ceremony_in_body" and sends the ID back as it
// would a session secret. The finish of a sign-in starts a session
// exactly as POST /v1/sessions does, and every refused answer is 401
// invalid_credentials; a passkey that verified its user (a PIN or a
// biometric) counts as two factors. A passkey as the second factor
// begins with the email and password (POST
// /v1/sessions/passkey/second-factor/begin, a wrong password answered
// as by POST /v1/sessions) and finishes with the account_id of that
// answer: only that account's passkeys are accepted. Registering and
// removing a passkey need a fresh session; renaming does not. Servers
// without a relying party answer 503 passkeys_unavailable.
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

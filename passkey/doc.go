// Package passkey adds passkeys (WebAuthn credentials, built on
// github.com/go-webauthn/webauthn) to the accounts of the SDK:
// registration by a signed-in, fresh person for their own account;
// passwordless sign-in, with the account found from the user handle and
// the attempt throttled like a password; the second step of a password
// sign-in instead of a TOTP or SMS code; and re-authentication (sudo
// mode) through session.Service.ReauthenticatePasskey.
//
// Every ceremony has two steps. A Begin method stores the challenge
// server-side (Store, shared by every replica) and returns a Ceremony:
// its Options go to navigator.credentials.create or get in the page, and
// its ID comes back with the browser's answer to the Finish method,
// which consumes the ceremony once. Sign-in and second-factor ceremonies
// have no session yet: their ID is the binding, kept in an HttpOnly
// pre-authentication cookie. Registration and re-authentication are
// bound to the caller's session as well.
//
// usersettings.New wires a Service as Settings.Passkeys from
// Options.PasskeyRPID and Options.PasskeyOrigins; without a relying party
// ID it answers ErrUnavailable. Package passkeytest is a software
// authenticator that answers the ceremonies in tests.
package passkey

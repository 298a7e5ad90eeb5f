// Package twofactor manages the second factor of login accounts: its
// status (none, SMS or an authenticator app), enrolment, verification at
// sign-in, recovery codes, lockout and deactivation.
//
// An authenticator app is enrolled with a TOTP secret (RFC 6238: SHA-1,
// 6 digits, 30-second steps) shown once as text, otpauth:// URL and QR
// code; it becomes active only when its first code is confirmed. SMS
// enrolment sends a code through the host's SMSSender. Either way the
// confirmation returns 10 one-time recovery codes.
//
// At sign-in, after the password step, the host asks Required and, when
// it is true, calls Verify with what the person typed: a code of the app
// (one step of clock skew either way, each accepted once), the SMS code
// sent by SendLoginSMS, or a recovery code. Five wrong codes lock the
// second factor for 15 minutes (both configurable); the counter lives in
// the store, so the lock holds across processes.
//
// Secrets never rest in clear: TOTP secrets are sealed with AES-256-GCM
// under the host's 32-byte key with the account id as additional data (a
// wrong key is an error, never a fallback); SMS and recovery codes are
// stored as HMAC-SHA-256 digests keyed from the same key. No secret
// appears in errors, String output or Metadata.
//
// Start with NewService; enrolling acts for an auth.Caller who signed in
// within Config.FreshFor, and verifying at sign-in takes the account id
// (ExampleService_BeginAuthenticator runs the whole flow):
//
//	tf := twofactor.NewService(twofactor.Config{
//		Store: st, Accounts: st, Tx: st, History: st, // one adapter serves all four
//		Key: key, Notices: &notify.Notifier{Mailer: mailer}, SMS: sender, Passwords: accounts,
//	})
//	me := auth.New(accountID, auth.MethodPassword, signedInAt, sessionID) // or ses.Caller()
//	enr, err := tf.BeginAuthenticator(ctx, me, "Example", "ada@example.com")
//	// show enr.QRPNG; then, with the first code of the app:
//	recovery, err := tf.ConfirmAuthenticator(ctx, me, code)
//	// at a later sign-in, after the password step:
//	if required, _ := tf.Required(ctx, accountID); required {
//		err = tf.Verify(ctx, accountID, typed)
//	}
package twofactor

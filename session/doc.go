// Package session keeps the sign-in sessions of a host's web front end:
// a random secret handed to the client once (as a cookie or an
// "Authorization: Session" header), stored only as its SHA-256 digest,
// ending after an idle timeout (12 hours by default) or a maximum age
// (24 hours), whichever comes first.
//
//	sessions := session.NewService(session.Config{Store: st, Accounts: st})
//	ses, secret, err := sessions.Start(ctx, accountID, res.PasswordExpired)
//	// hand secret.Reveal() to the client; on every request:
//	ses, err = sessions.Validate(ctx, presented)
//	if sessions.Age(ses) > time.Hour { /* ask for the password again */ }
//
// Validate answers ErrInvalidSession for every secret it refuses:
// malformed, unknown, ended, expired, or of an account that was deleted or
// deactivated. CSRFToken derives the anti-CSRF token of a session from its
// secret, for browser clients that authenticate with a cookie.
//
// Sessions are personal data (which account signed in when):
// personaldata.SessionSource collects and erases them through the
// Service, which is also an account.Eraser.
package session

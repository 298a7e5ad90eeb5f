// Package session keeps the sign-in sessions of a host's web front end:
// a random secret handed to the client once (as a cookie or an
// "Authorization: Session" header), stored only as its SHA-256 digest,
// ending after an idle timeout (12 hours by default) or a maximum age
// (24 hours), whichever comes first.
//
// Each session records how the person signed in (password, password and
// second factor, or single sign-on), when they last proved who they are
// (AuthenticatedAt: the sign-in or the latest Reauthenticate), when it
// was created and last seen, and the client's IP address and User-Agent,
// shown as a device label ("Firefox on Linux").
//
//	sessions := session.NewService(session.Config{Store: st, Accounts: st, Passwords: accounts})
//	ses, secret, err := sessions.Start(ctx, session.Begin{
//		AccountID: res.Account.ID, Method: auth.MethodPassword,
//		Client: auth.Client{IP: ip, UserAgent: ua}, PasswordExpired: res.PasswordExpired,
//	})
//	// hand secret.Reveal() to the client; on every request:
//	ses, err = sessions.Validate(ctx, presented)
//	me := ses.Caller() // for every self-service operation of the SDK
//
// Validate answers ErrInvalidSession for every secret it refuses:
// malformed, unknown, ended, expired, or of an account that was deleted or
// deactivated. CSRFToken derives the anti-CSRF token of a session from its
// secret, for browser clients that authenticate with a cookie.
//
// A person manages their own sessions through their caller: List (the
// current one marked), End (one of theirs; any other id is ErrNotFound),
// EndOthers (a sensitive operation: the caller must be fresh, else
// auth.ErrReauthenticationRequired) and Reauthenticate (the password and,
// when the account has one, the second factor), which makes the session
// fresh again. Changes of an account's credentials end sessions through
// RevokeAccount (an account.Revoker).
//
// Sessions are personal data (which account signed in when, and from
// where): personaldata.SessionSource collects and erases them through the
// Service, which is also an account.Eraser.
package session

// Package account manages the login accounts of a Mendix Profile: sign
// up, add an account to one's profile, authenticate, change and reset
// the password, list and delete, and the support staff's deactivation.
//
// An Account has a normalised, case-insensitively unique email
// (NormalizeEmail), a password hash (package account/password), a status
// and the profile it belongs to. The company of an address comes from the
// host's CompanyResolver: its name, whether it enforces single sign-on
// (such accounts cannot use passwords) and its maximum password age.
//
// Start with NewService:
//
//	st := memory.New()
//	codes := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: mailer, Key: key})
//	accounts := account.NewService(account.Config{
//		Accounts: st, Profiles: st, History: st, Tx: st, Codes: codes, Notices: &notify.Notifier{Mailer: mailer},
//	})
//	pendingID, err := accounts.SignUp(ctx, "ada@example.com", pw, false)
//	// the person reads the code from their mail
//	acct, err := accounts.ConfirmSignUp(ctx, pendingID, code)
//
// # Callers
//
// The self-service methods (Accounts, AddAccount, ConfirmAddAccount,
// ChangePassword, Delete) take the caller, an auth.Caller, and act on the
// caller's own account and profile: an account of another profile
// answers ErrNotFound like an unknown one, a token or API key caller gets
// auth.ErrForbidden. Adding an account, changing the password and
// deleting an account are sensitive: they need a sign-in younger than
// Config.FreshFor (auth.ErrReauthenticationRequired). Support staff use
// the Admin methods (AdminDeactivate, AdminReactivate, AdminDelete) with
// an auth.Admin; each is recorded in the change history and the security
// log.
//
// # No enumeration
//
// Nothing a caller sees depends on whether an address has an account:
// Authenticate answers ErrInvalidCredentials for an unknown address, a
// wrong password, a deactivated account and a single-sign-on account alike,
// after a dummy hash so the time is similar; SignUp for a registered
// address returns a pending id that never confirms; RequestPasswordReset
// always returns nil; ResetPassword answers errs.ErrInvalidCode for an unknown
// address as for a wrong code.
//
// # Sign-in throttling
//
// Failed password checks are counted in the store (Config.Failures, an
// adapter's LoginFailures), so every replica on one database throttles
// alike, with an exponential back-off (Backoff, LoginLimits): a few
// failures are free, then each attempt waits twice as long as the one
// before, up to a cap. This is OWASP's "device cookie" scheme: a
// successful Authenticate returns a device token (AuthResult.Device),
// signed with Config.DeviceKeys, which the host keeps in a long-lived
// HttpOnly cookie and passes back in Login.Device. An attempt with a
// valid device token of the account is counted on that device alone, so
// the right password from a device that signed in before always works,
// however many failures come from elsewhere. Any other attempt is
// counted per address (known or not, so a throttled answer tells nothing
// about the address) and per client IP address. A throttled attempt is
// refused before its password is looked at with a *errs.RetryError.
// Current-password checks (CheckPassword, ChangePassword, Passwords) are
// counted per account the same way. Sign-ins, failures of existing
// accounts and lockouts go to the security log (Config.SecurityLog).
//
// # Second factor
//
// Authenticate checks the password only. When Config.SecondFactor (package
// twofactor's Service) says the account has a second factor,
// AuthResult.SecondFactorRequired is true and the host must verify that
// factor (twofactor's Verify) before it starts a session. Passwords,
// made from the accounts and the hasher alone, is twofactor's
// PasswordChecker: build it first, then the two-factor service, then the
// account Service with that service as its SecondFactor.
//
// # Deletion
//
// Delete removes one account of the caller's profile and, with the last
// account of a profile, the profile. Every package that keeps data about an account or
// a profile (tokens and API keys, two-factor records, notification
// settings, personal data, …) implements Eraser and is listed in
// Config.Erasers; Delete runs them all in its one transaction, before it
// deletes the account and the profile, so either everything goes or,
// when anything fails, nothing does. A package that stores data of an
// account and is not registered there would outlive the account: register
// every such package when wiring the SDK.
//
// # Transactions
//
// Each action is one transaction of the Config.Tx adapter. The
// confirmation methods (ConfirmSignUp, ConfirmAddAccount, ResetPassword)
// count the code attempt outside any transaction, so call them with a
// context that carries none. Mail is sent only after the transaction
// committed.
package account

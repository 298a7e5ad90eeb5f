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
// # Hosts that already have users
//
// A host that verifies people itself creates their accounts with Provision
// (no code is mailed), importing the password hash it keeps (argon2id,
// bcrypt or scrypt; rehashed to argon2id at the first sign-in) or none when
// it keeps sign-in to itself. Provision finds an existing account by its
// address and changes nothing (Provisioned.Created tells which). It joins
// the transaction ctx carries, so with sqlstore.Store.WithTx it runs inside
// the host's own *sql.Tx.
//
// # Login email
//
// A person changes the login email of an account of their profile with
// RequestEmailChange and ConfirmEmailChange (a fresh caller, a code to the
// new address, a notice to the old one); the host sets an address it has
// verified with AdminChangeEmail. Both record the history and the security
// log, forget the old address's codes, and tell every Revoker
// (ChangeEmailChanged).
//
// # No enumeration
//
// Nothing a caller sees depends on whether an address has an account:
// Authenticate answers ErrInvalidCredentials for an unknown address, a
// wrong password, a deactivated account and a single-sign-on account alike,
// after a dummy hash so the time is similar; SignUp for a registered
// address returns a pending id that never confirms, and so does
// RequestEmailChange for a taken address; RequestPasswordReset
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
// account of a profile, the profile, through Config.Erasure: the one
// erase sequence of the SDK, package personaldata's, whose sources (every
// package that keeps data about an account or a profile: tokens and API
// keys, two-factor records, notification settings, …, each an Eraser)
// run in Delete's one transaction before the account and the profile go,
// so either everything goes or, when anything fails, nothing does. After
// the commit the erasure scrubs the database files. usersettings.New
// wires it; a host wiring the services itself passes its
// personaldata.Service.
//
// # Transactions
//
// Each action is one transaction of the Config.Tx adapter. The
// confirmation methods (ConfirmSignUp, ConfirmAddAccount, ResetPassword)
// count the code attempt outside any transaction, so call them with a
// context that carries none. Mail is sent only after the transaction
// committed.
package account

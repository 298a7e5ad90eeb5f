package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// Login is one password sign-in attempt.
type Login struct {
	Email    string
	Password string
	// Client is where the attempt comes from: its IP address is
	// throttled (for devices the account does not know) and both go to
	// the security log. The zero Client is allowed.
	Client auth.Client
	// Device is the device token the client presented (the host keeps
	// AuthResult.Device in a long-lived cookie); empty when it has none.
	Device string
}

// String describes the attempt without its password or device token.
func (l Login) String() string {
	return fmt.Sprintf("login{email=%s ip=%s device=%q known=%t}", l.Email, l.Client.IP, l.Client.Device(), l.Device != "")
}

// GoString is String, so %#v does not print the password either.
func (l Login) GoString() string { return l.String() }

// AuthResult is the outcome of a successful password check.
type AuthResult struct {
	// Account is the signed-in account, without its password hash.
	Account Account
	// PasswordExpired means the password is older than the maximum age of
	// the account's company (or of the policy): the host should let the
	// person in only to change it.
	PasswordExpired bool
	// SecondFactorRequired means the account has two-factor
	// authentication on: the host must not start a session before the
	// second factor is verified (package twofactor's Verify).
	SecondFactorRequired bool
	// Device is a new device token of the account: the host gives it to
	// the client to keep (an HttpOnly cookie that lives LoginLimits.
	// DeviceTTL) and passes it back in Login.Device. It is not a
	// credential: it only keeps failures from elsewhere from slowing
	// this device down.
	Device string
}

// Authenticate checks an email and a password. Every failure that depends
// on the account (unknown or malformed email, wrong password, deactivated
// account) returns ErrInvalidCredentials and nothing else, after about the
// same work: an unknown address is checked against a dummy hash and
// counted like a known one. An address of a single-sign-on company, or
// an account linked to an identity provider, gets an error that matches
// ErrInvalidCredentials and ErrSSOManaged after the same work; it
// depends on the address's domain, not on whether an account exists.
// Other errors come from the store or the context.
//
// Failures are counted in the store (Config.Failures) with an
// exponential back-off (OWASP's device cookies). A client that presents
// a valid device token of the account (a known device) is counted on
// that device's own counter (LoginLimits.Device) and nothing else slows
// it: the right password from a known device works however many
// failures come from elsewhere. Any other attempt is counted on the
// address (LoginLimits.Address, for unknown addresses alike) and on the
// client's IP address (LoginLimits.Client). An attempt whose counters
// ask to wait is refused before the password is looked at with a
// *errs.RetryError (ErrThrottled): the same for a known and an unknown
// address. Each attempt is counted before its password is checked, so
// guesses made at the same time are each counted, and a right password
// takes its count back.
//
// For an existing account the security log (Config.SecurityLog) gets
// securitylog.SignedIn (its Detail says when a second factor is still
// pending), or securitylog.SignInFailed and, for the failure that uses
// up the free failures, securitylog.LockedOut, with the client's IP
// address and device; an unknown address records nothing.
//
// A password whose hash uses old parameters (or bcrypt) is re-hashed and
// stored. When Config.SecondFactor is set and says so, the result asks
// for a second factor; the password step alone then does not sign in.
func (s *Service) Authenticate(ctx context.Context, l Login) (AuthResult, error) {
	a, found, err := s.byEmail(ctx, l.Email)
	if err != nil {
		return AuthResult{}, err
	}
	managed := false
	if found {
		managed, err = s.managed(ctx, a)
	} else if n, nerr := NormalizeEmail(l.Email); nerr == nil {
		managed, err = s.sso(ctx, n)
	}
	if err != nil {
		return AuthResult{}, err
	}
	g := s.passwords.guard
	counters := s.counters(a, found, l)
	lockout, err := g.begin(ctx, counters)
	if err != nil {
		return AuthResult{}, err
	}
	ok := false
	switch {
	case managed || !found || a.PasswordHash == "":
		s.hasher.VerifyDummy(ctx, l.Password)
	default:
		var rehash bool
		ok, rehash, err = s.hasher.Verify(ctx, l.Password, a.PasswordHash)
		if err != nil {
			return AuthResult{}, fmt.Errorf("account: verifying password: %w", err)
		}
		ok = ok && a.Status == StatusActive
		if ok && rehash {
			s.upgrade(ctx, a, l.Password)
		}
	}
	var res AuthResult
	detail := "password"
	if ok {
		if res, err = s.signedIn(ctx, a); err != nil {
			return AuthResult{}, err
		}
		if res.SecondFactorRequired {
			detail = "password; second factor pending"
		}
	}
	if err := g.end(ctx, counters, ok, g.events(a, found, ok, lockout, l.Client, detail)...); err != nil {
		return AuthResult{}, err
	}
	switch {
	case managed:
		return AuthResult{}, ssoSignInError{}
	case !ok:
		return AuthResult{}, ErrInvalidCredentials
	}
	return res, nil
}

// counters returns the counters of a sign-in attempt on a (found when
// the address has an account): the device's own when the client holds a
// valid device token of the account, else the address's and the
// client's.
func (s *Service) counters(a Account, found bool, l Login) []counter {
	lim := s.passwords.guard.limits
	if id, nonce, ok := s.devices.open(l.Device, s.now()); ok && found && id == a.ID {
		return []counter{deviceCounter(lim, id, nonce)}
	}
	out := []counter{addressCounter(lim, l.Email)}
	if l.Client.IP != "" {
		out = append(out, clientCounter(lim, l.Client.IP))
	}
	return out
}

// signedIn returns the result of the right password of the active
// account a.
func (s *Service) signedIn(ctx context.Context, a Account) (AuthResult, error) {
	res := AuthResult{Account: public(a)}
	var err error
	if res.PasswordExpired, err = s.passwordExpired(ctx, a); err != nil {
		return AuthResult{}, err
	}
	if s.second != nil {
		if res.SecondFactorRequired, err = s.second.Required(ctx, a.ID); err != nil {
			return AuthResult{}, fmt.Errorf("account: checking second factor: %w", err)
		}
	}
	if res.Device, err = s.devices.issue(a.ID, s.now()); err != nil {
		return AuthResult{}, err
	}
	return res, nil
}

// String describes the result without the device token.
func (r AuthResult) String() string {
	return fmt.Sprintf("auth{%s expired=%t second_factor=%t}", r.Account, r.PasswordExpired, r.SecondFactorRequired)
}

// GoString is String, so %#v does not print the device token either.
func (r AuthResult) GoString() string { return r.String() }

// byEmail normalises email and loads its account. found is false for a
// malformed or unknown address.
func (s *Service) byEmail(ctx context.Context, email string) (a Account, found bool, err error) {
	email, err = NormalizeEmail(email)
	if err != nil {
		return Account{}, false, nil
	}
	a, err = s.accounts.AccountByEmail(ctx, email)
	if errors.Is(err, storage.ErrNotFound) {
		return Account{}, false, nil
	}
	if err != nil {
		return Account{}, false, fmt.Errorf("account: looking up email: %w", err)
	}
	return a, true, nil
}

// upgrade stores a fresh hash of pw for a, unless its password changed
// meanwhile. It is best effort: a failure leaves the old hash, which still
// verifies, and is tried again at the next sign-in.
func (s *Service) upgrade(ctx context.Context, a Account, pw string) {
	h, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return
	}
	_ = s.tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.accounts.Account(ctx, a.ID)
		if err != nil || cur.PasswordHash != a.PasswordHash {
			return err
		}
		cur.PasswordHash = h
		return s.accounts.UpdateAccount(ctx, cur)
	})
}

// CheckPassword returns nil when pw is the password of the active,
// password-using account, and ErrInvalidCredentials otherwise; a
// failure is counted and throttled as a failed sign-in. See
// Passwords.CheckCallerPassword.
func (s *Service) CheckPassword(ctx context.Context, accountID, pw string) error {
	return s.passwords.CheckPassword(ctx, accountID, pw)
}

// CheckCallerPassword is CheckPassword for the caller's account, with
// its client in the security log; see Passwords.CheckCallerPassword.
func (s *Service) CheckCallerPassword(ctx context.Context, c auth.Caller, pw string) error {
	return s.passwords.CheckCallerPassword(ctx, c, pw)
}

// ChangePassword replaces the password of the caller's own account. It
// is a sensitive operation: the caller must have signed in within
// Config.FreshFor (auth.ErrReauthenticationRequired); a token or API key
// gets auth.ErrForbidden. It needs the current password (else
// ErrWrongPassword), a new password that meets the policy (else a
// *password.PolicyError) and differs from the current one (else
// ErrPasswordReused). Accounts of single-sign-on companies and accounts
// linked to an identity provider get ErrSSOManaged. The change is
// recorded in the history (the fact, never the value) and the security
// log, and the account gets a notice; then every Revoker is told
// (ChangePasswordChanged, keeping the caller's session), which ends
// every other session of the account. Personal access tokens and API
// keys stay (a front end shows them for review); a reset revokes them.
func (s *Service) ChangePassword(ctx context.Context, c auth.Caller, current, next string) error {
	a, err := s.freshCaller(ctx, c.AllowExpired())
	if err != nil {
		return err
	}
	if managed, err := s.managed(ctx, a); err != nil {
		return err
	} else if managed {
		return ErrSSOManaged
	}
	if ok, err := s.passwords.check(ctx, a.ID, a, true, c.Client, current); err != nil {
		return err
	} else if !ok {
		return ErrWrongPassword
	}
	if err := s.policy.CheckFor(next, a.Email); err != nil {
		return err
	}
	if next == current {
		return ErrPasswordReused
	}
	return s.setPassword(ctx, a, next, func(ctx context.Context, cur Account) (notify.Notice, error) {
		if cur.PasswordHash != a.PasswordHash {
			return notify.Notice{}, ErrWrongPassword // changed meanwhile: current is no longer current
		}
		if err := s.logEvents(ctx, securitylog.FromCaller(securitylog.PasswordChanged, cur.ProfileID, c)); err != nil {
			return notify.Notice{}, err
		}
		return notify.Notice{Kind: notify.NoticePasswordChanged}, s.revokeKeeping(ctx, a.ID, ChangePasswordChanged, c.SessionID)
	}, nil)
}

// setPassword hashes pw and, in one transaction (inside redeem when it is
// not nil), re-reads the account, runs check on it, stores the hash and
// records the history; then it queues the notice check returned.
func (s *Service) setPassword(ctx context.Context, a Account, pw string, check func(context.Context, Account) (notify.Notice, error),
	redeem func(ctx context.Context, fn func(ctx context.Context) error) error) error {
	h, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return fmt.Errorf("account: hashing password: %w", err)
	}
	if redeem == nil {
		redeem = s.tx.InTx
	}
	return redeem(ctx, func(ctx context.Context) error {
		cur, err := s.get(ctx, a.ID)
		if err != nil {
			return err
		}
		notice, err := check(ctx, cur)
		if err != nil {
			return err
		}
		now := s.now()
		cur.PasswordHash, cur.PasswordChangedAt = h, now
		if err := s.accounts.UpdateAccount(ctx, cur); err != nil {
			return fmt.Errorf("account: storing password: %w", err)
		}
		if err := s.record(ctx, cur.ProfileID, cur.ID, "password", history.ActionSet, "", now); err != nil {
			return err
		}
		notice.At = now
		return s.notices.Queue(ctx, notice, cur.Email)
	})
}

// RequestPasswordReset mails a reset code to the address when it belongs
// to an active account that uses a password. It returns nil for every
// well-formed address, whether or not it has an account, and also when
// the address is throttled; only a malformed address (ErrInvalidEmail),
// an address of a single-sign-on company (ErrSSOManaged, told by its
// domain alone) or a failure of the store or mailer gives an error. An
// address that gets no code costs the same work, throttle included
// (verification.Service.IssueVoid under a flow of its own, voidResetFlow),
// so the time of the answer does not tell either.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	email, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if sso, err := s.sso(ctx, email); err != nil {
		return err
	} else if sso {
		return ErrSSOManaged
	}
	a, found, err := s.byEmail(ctx, email)
	if err != nil {
		return err
	}
	if found && a.Status == StatusActive && !a.SSO() {
		err = s.codes.Issue(ctx, verification.PurposePasswordReset, a.ID, email)
	} else {
		err = s.codes.IssueVoid(ctx, verification.PurposePasswordReset, voidResetFlow(email), email)
	}
	if errors.Is(err, verification.ErrThrottled) {
		return nil
	}
	return err
}

// ResetPassword sets a new password with a code from
// RequestPasswordReset. The new password must meet the policy (else a
// *password.PolicyError, checked before anything else). An address of a
// single-sign-on company gets ErrSSOManaged (told by its domain alone).
// An unknown address, an inactive or linked account and a wrong, expired
// or used code all give errs.ErrInvalidCode. The change is recorded in the
// history and the security log (securitylog.PasswordReset, with the
// client the request came from) and a notice to the account is queued, in
// one transaction. A reset is an account recovery: in that transaction,
// Config.Credentials revokes every personal access token and API key of
// the account (the notice lists them) and every Revoker is told
// (ChangePasswordReset), which ends every session of the account. It
// returns the account that was reset. Call it with a context that carries
// no transaction.
func (s *Service) ResetPassword(ctx context.Context, email, code, next string, client auth.Client) (Account, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Account{}, err
	}
	if sso, err := s.sso(ctx, email); err != nil {
		return Account{}, err
	} else if sso {
		return Account{}, ErrSSOManaged
	}
	if err := s.policy.CheckFor(next, email); err != nil {
		return Account{}, err
	}
	a, found, err := s.byEmail(ctx, email)
	if err != nil {
		return Account{}, err
	}
	if !found || a.Status != StatusActive || a.SSO() {
		s.hasher.VerifyDummy(ctx, next) // the cost of the hash below
		return Account{}, errs.ErrInvalidCode
	}
	redeem := func(ctx context.Context, fn func(ctx context.Context) error) error {
		return s.codes.Redeem(ctx, verification.PurposePasswordReset, a.ID, code, fn)
	}
	return s.reset(ctx, a, next, client, redeem, "through an emailed code", func(Account) bool { return true })
}

// reset sets the password of a to next inside redeem (which checks and
// uses the code): the account, read again in the transaction, must still
// be an active password account that still passes still, or the code
// counts as wrong (errs.ErrInvalidCode). The reset is recorded in the
// security log with how it was made (via) and the client, every
// credential of the account is revoked (revokeAll), and the notice lists
// what was.
func (s *Service) reset(ctx context.Context, a Account, next string, client auth.Client,
	redeem func(ctx context.Context, fn func(ctx context.Context) error) error, via string, still func(cur Account) bool) (Account, error) {
	err := s.setPassword(ctx, a, next, func(ctx context.Context, cur Account) (notify.Notice, error) {
		if cur.Status != StatusActive || cur.SSO() || !still(cur) {
			return notify.Notice{}, errs.ErrInvalidCode
		}
		if err := s.logEvents(ctx, securitylog.Event{Kind: securitylog.PasswordReset, ProfileID: cur.ProfileID,
			AccountID: cur.ID, Detail: via, IP: client.IP, Device: client.Device()}); err != nil {
			return notify.Notice{}, err
		}
		revoked, err := s.revokeAll(ctx, Revocation{AccountID: cur.ID, Change: ChangePasswordReset, Client: client})
		return notify.Notice{Kind: notify.NoticePasswordReset, Items: revoked}, err
	}, redeem)
	if err := flatten(err); err != nil {
		return Account{}, err
	}
	return public(a), nil
}

// revokeAll revokes the account's credentials through Config.Credentials
// and tells every Revoker, in the transaction ctx carries; it returns
// what Credentials revoked, described for the notice.
func (s *Service) revokeAll(ctx context.Context, r Revocation) ([]string, error) {
	var items []string
	if s.creds != nil {
		revoked, err := s.creds.RevokeCredentials(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("account: revoking credentials: %w", err)
		}
		for _, c := range revoked {
			items = append(items, c.describe(ctx))
		}
	}
	return items, Revokers(s.revokers).RevokeAccount(ctx, r)
}

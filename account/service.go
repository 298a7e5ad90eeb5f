package account

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// Errors of the Service. Check them with errors.Is.
var (
	// ErrInvalidCredentials is the one answer to a failed sign-in or
	// password check (Authenticate, CheckPassword): unknown email, wrong
	// password, deactivated account and single-sign-on account all look
	// the same. Kind Unauthenticated.
	ErrInvalidCredentials = errs.New(errs.Unauthenticated, "invalid_credentials", "account: invalid credentials")
	// ErrWrongPassword means the current password given to a
	// self-service change (ChangePassword) is wrong: the caller is
	// signed in, so its kind is Invalid; its code is that of
	// ErrInvalidCredentials.
	ErrWrongPassword = errs.New(errs.Invalid, "invalid_credentials", "account: wrong current password")
	// ErrSSORequired means the company of an address enforces single
	// sign-on, so passwords and the add-account flow are not available.
	ErrSSORequired = errs.New(errs.Invalid, "sso_required", "account: single sign-on required")
	// ErrSSOManaged means the account's credentials are managed by its
	// company's identity provider: password changes and resets are
	// refused with it, and a password sign-in gets an error that matches
	// both it and ErrInvalidCredentials (and is of the kind of the
	// latter, so an HTTP layer answers it exactly like a wrong password).
	// It also matches ErrSSORequired.
	ErrSSOManaged error = ssoManagedError{}
	// ErrSSOLinked means the account already signs in through a
	// single-sign-on identity, so it cannot be linked to another.
	ErrSSOLinked = errs.New(errs.Conflict, "sso_linked", "account: already linked to a single-sign-on identity")
	// ErrEmailTaken means the email belongs to another account. Sign-up
	// never says so; it appears only when a confirmation lost a race.
	ErrEmailTaken = errs.New(errs.Conflict, "email_taken", "account: email already registered")
	// ErrPasswordReused means the new password equals the current one.
	ErrPasswordReused = errs.New(errs.Invalid, "password_reused", "account: new password equals the current one")
)

// errSSOManaged is the kind and code of ErrSSOManaged.
var errSSOManaged = errs.New(errs.Invalid, "sso_managed", "account: credentials managed by single sign-on")

// ssoManagedError is ErrSSOManaged: it also matches ErrSSORequired.
type ssoManagedError struct{}

func (ssoManagedError) Error() string        { return errSSOManaged.Msg }
func (ssoManagedError) Unwrap() error        { return errSSOManaged }
func (ssoManagedError) Is(target error) bool { return target == ErrSSORequired }

// ssoSignInError is what Authenticate returns for an address of a
// single-sign-on company: ErrInvalidCredentials (its kind and code) to
// whoever checks for a failed sign-in, ErrSSOManaged to a host that
// wants to offer single sign-on instead.
type ssoSignInError struct{}

func (ssoSignInError) Error() string { return ErrInvalidCredentials.Error() }
func (ssoSignInError) Unwrap() error { return ErrInvalidCredentials }
func (ssoSignInError) Is(target error) bool {
	return target == ErrSSOManaged || target == ErrSSORequired
}

// ErrNotFound means the account does not exist. It also matches
// storage.ErrNotFound.
var ErrNotFound = storage.NotFound("account: not found")

// DefaultPendingTTL is how long a sign-up or add-account request waits for
// its code by default.
const DefaultPendingTTL = time.Hour

// DefaultAttemptNoticeEvery is how often, at most, the owner of a
// registered address is told that someone tried to sign up or add an
// account with it.
const DefaultAttemptNoticeEvery = time.Hour

// Company is what the host knows about the company of an address.
type Company struct {
	// Name is shown in the accounts overview.
	Name string
	// SSO means the company signs its people in through its own identity
	// provider: its accounts cannot use passwords and cannot be created
	// with the add-account flow.
	SSO bool
	// PasswordMaxAge, when HasMaxAge is true, replaces the policy's
	// maximum password age for the company's accounts; 0 then means
	// passwords never expire.
	PasswordMaxAge time.Duration
	HasMaxAge      bool
}

// CompanyResolver tells the company of a normalised address. ok is false
// for an address of no known company. It must be safe for concurrent use.
type CompanyResolver interface {
	Company(ctx context.Context, email string) (c Company, ok bool, err error)
}

// Eraser is implemented by every package that stores data of an account
// or a profile (tokens, two-factor records, notification settings, …):
// the erasure (package personaldata) calls it inside its transaction,
// EraseAccount before the account is deleted, and EraseProfile before the
// profile is deleted when the last account goes. An error rolls the
// whole deletion back.
type Eraser interface {
	EraseAccount(ctx context.Context, accountID string) error
	EraseProfile(ctx context.Context, profileID string) error
}

// Erasure is the one erase sequence of the SDK, which Delete and
// AdminDelete run; *personaldata.Service implements it. The account
// package itself deletes nothing of a person but through it.
type Erasure interface {
	// EraseAccount deletes the account and everything stored about it
	// (every Eraser's EraseAccount, pending requests, codes and send log
	// of its address), in the transaction ctx carries.
	EraseAccount(ctx context.Context, accountID string) error
	// EraseProfile deletes a profile that has no account left, with its
	// history and everything stored about it (every Eraser's
	// EraseProfile), in the transaction ctx carries.
	EraseProfile(ctx context.Context, profileID string) error
	// Scrub makes the erased values leave the storage's files; it runs
	// after the commit, outside any transaction.
	Scrub(ctx context.Context) error
}

// SecondFactor tells whether an account must pass a second factor after
// its password; package twofactor implements it.
type SecondFactor interface {
	Required(ctx context.Context, accountID string) (bool, error)
}

// Hasher hashes and verifies passwords; *password.Hasher implements it.
type Hasher interface {
	Hash(ctx context.Context, pw string) (string, error)
	Verify(ctx context.Context, pw, encoded string) (ok, rehash bool, err error)
	VerifyDummy(ctx context.Context, pw string)
}

// Config configures a Service. Accounts, Profiles, History, Tx and Codes
// are required; zero values of the other fields take the defaults named.
type Config struct {
	Accounts Store                 // accounts and pending requests
	Profiles Profiles              // profiles created at sign-up, erased with the last account
	History  history.Writer        // change history, written in the same transaction
	Tx       storage.Transactor    // one transaction per user action
	Codes    *verification.Service // emailed one-time codes
	// Notices sends security notices (password changed, account added or
	// deleted); nil sends none. Codes go through Codes' own mailer.
	Notices *notify.Notifier
	// Hasher hashes passwords; nil means password.DefaultHasher().
	Hasher Hasher
	// Policy checks new passwords and gives the default maximum age; the
	// zero Policy means password.Mendix().
	Policy password.Policy
	// Companies resolves addresses to companies; nil means none has one.
	Companies CompanyResolver
	// Erasure deletes an account, or a profile whose last account went,
	// with everything stored about it, when Delete or AdminDelete
	// removes it; see Erasure. usersettings.New passes the personal-data
	// service (package personaldata), the one erase sequence of the SDK;
	// without it Delete and AdminDelete answer ErrNoErasure.
	Erasure Erasure
	// Revokers stop what an account's credentials started (cached API
	// key validations, sessions) when the account is deactivated or its
	// password changes; see Revoker.
	Revokers []Revoker
	// Credentials, when set, revokes the account's personal access
	// tokens and API keys at a password reset and says which, for the
	// reset's notice; usersettings.New passes the token service. Without
	// it a token service among the Revokers still revokes them
	// (ChangePasswordReset), but the notice cannot name them.
	Credentials CredentialRevoker
	// SecondFactor, when set, makes Authenticate report whether the
	// account must pass a second factor.
	SecondFactor SecondFactor
	// PendingTTL is how long a sign-up or add-account request lives; 0
	// means DefaultPendingTTL.
	PendingTTL time.Duration
	// Limiter throttles the notices to the owner of a registered address
	// that someone tried to sign up or add an account with it: at most
	// one per address per DefaultAttemptNoticeEvery. Nil sends one at
	// every attempt the code throttle lets through. usersettings.New
	// passes its store.
	Limiter ratelimit.Limiter
	// Failures keeps the counters of failed password checks, which
	// throttle sign-ins and current-password checks (see Authenticate);
	// nil counts nothing and throttles nothing. usersettings.New passes
	// its store.
	Failures LoginFailures
	// Limits are the rules of those counters and how long a device stays
	// known; each zero field takes the default named in LoginLimits.
	Limits LoginLimits
	// DeviceKeys sign the device tokens of browsers that signed in,
	// newest first: the first signs, every one is accepted. Nil means
	// one random key of this Service (device tokens then die with the
	// process and are not shared by replicas); usersettings.New derives
	// them from Options.CodeKeys.
	DeviceKeys [][]byte
	// FreshFor is how recent a caller's sign-in must be for the
	// sensitive operations (adding an account, changing the password,
	// deleting an account); 0 means auth.DefaultFreshFor (one hour).
	FreshFor time.Duration
	// SecurityLog records sign-ins, failed sign-ins of existing accounts
	// and lockouts (in the transaction that settles the attempt),
	// password changes, accounts added and deleted, admin operations and
	// links to single sign-on (in the transaction of each); nil records
	// nothing.
	SecurityLog *securitylog.Log
	// Recovery finds profiles by their verified recovery email, for
	// password resets through it (RequestRecoveryReset); nil turns them
	// off (ErrRecoveryUnavailable).
	Recovery RecoveryProfiles
	// Warnings records the password-expiry warnings sent
	// (WarnPasswordExpiry); nil sends none. usersettings.New passes its
	// store.
	Warnings PasswordWarnings
	// PasswordWarnings are how long before a password expires
	// WarnPasswordExpiry mails a warning, one mail each; nil means
	// DefaultPasswordWarnings (14 and 3 days), empty none.
	PasswordWarnings []time.Duration
	Now              func() time.Time // the clock; nil means time.Now
	Rand             io.Reader        // source of ids; nil means crypto/rand.Reader
}

// Service runs the lifecycle of login accounts. It is safe for concurrent
// use.
type Service struct {
	accounts   Store
	profiles   Profiles
	history    history.Writer
	tx         storage.Transactor
	codes      *verification.Service
	notices    *notify.Notifier
	hasher     Hasher
	passwords  *Passwords
	policy     password.Policy
	companies  CompanyResolver
	erasure    Erasure
	revokers   []Revoker
	creds      CredentialRevoker
	second     SecondFactor
	pendingTTL time.Duration
	devices    *devices
	limiter    ratelimit.Limiter
	freshFor   time.Duration
	seclog     *securitylog.Log
	recovery   RecoveryProfiles
	warnings   PasswordWarnings
	// warningLeads are the leads of the expiry warnings, shortest first.
	warningLeads []time.Duration
	now          clock.Clock
	rand         io.Reader
}

// NewService returns a Service for c. It panics when a required field is
// nil, a programming error.
func NewService(c Config) *Service {
	if c.Accounts == nil || c.Profiles == nil || c.History == nil || c.Tx == nil || c.Codes == nil {
		panic("account: NewService needs Accounts, Profiles, History, Tx and Codes")
	}
	s := &Service{
		accounts: c.Accounts, profiles: c.Profiles, history: c.History, tx: c.Tx,
		codes: c.Codes, notices: c.Notices, hasher: c.Hasher, policy: c.Policy,
		companies: c.Companies, erasure: c.Erasure,
		revokers: append([]Revoker(nil), c.Revokers...), creds: c.Credentials,
		second: c.SecondFactor, pendingTTL: c.PendingTTL, limiter: c.Limiter, now: clock.New(c.Now), rand: c.Rand,
		freshFor: c.FreshFor, seclog: c.SecurityLog, recovery: c.Recovery,
		warnings: c.Warnings, warningLeads: warningLeads(c.PasswordWarnings),
	}
	if s.hasher == nil {
		s.hasher = password.DefaultHasher()
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	s.passwords = NewPasswords(s.accounts, s.hasher, CountFailures(Throttling{
		Failures: c.Failures, Tx: c.Tx, SecurityLog: c.SecurityLog, Limits: c.Limits, Now: c.Now,
	}))
	s.devices = &devices{keys: append([][]byte(nil), c.DeviceKeys...), ttl: s.passwords.guard.limits.DeviceTTL, rand: s.rand}
	if len(s.devices.keys) == 0 {
		k := make([]byte, 32)
		if _, err := io.ReadFull(s.rand, k); err != nil {
			panic("account: NewService: making a device key: " + err.Error())
		}
		s.devices.keys = [][]byte{k}
	}
	if s.policy == (password.Policy{}) {
		s.policy = password.Mendix()
	}
	if s.pendingTTL <= 0 {
		s.pendingTTL = DefaultPendingTTL
	}
	return s
}

// company resolves the company of a normalised address.
func (s *Service) company(ctx context.Context, email string) (Company, bool, error) {
	if s.companies == nil {
		return Company{}, false, nil
	}
	c, ok, err := s.companies.Company(ctx, email)
	if err != nil {
		return Company{}, false, fmt.Errorf("account: resolving company: %w", err)
	}
	return c, ok, nil
}

// sso reports whether the company of the address enforces single sign-on.
func (s *Service) sso(ctx context.Context, email string) (bool, error) {
	c, ok, err := s.company(ctx, email)
	return ok && c.SSO, err
}

// managed reports whether a's credentials belong to an identity
// provider: it is linked to one, or its company enforces single sign-on.
func (s *Service) managed(ctx context.Context, a Account) (bool, error) {
	if a.SSO() {
		return true, nil
	}
	return s.sso(ctx, a.Email)
}

// PasswordExpired reports whether the password of the account has
// passed its maximum age: the company's when it sets one, else the
// policy's. An account without a password (single sign-on, or one that
// never had a password) never has an expired password. The session
// service asks it each time it validates a session, to fill in
// auth.Caller.PasswordExpired; a host that makes its callers with
// auth.New asks it too. It returns ErrNotFound for an unknown account.
func (s *Service) PasswordExpired(ctx context.Context, accountID string) (bool, error) {
	a, err := s.get(ctx, accountID)
	if err != nil {
		return false, err
	}
	return s.passwordExpired(ctx, a)
}

// PasswordExpiresAtOf is PasswordExpiresAt of an account already read
// from the store, with its password hash (not one from Get, which strips
// it), saving a read: session.Service.Validate asks it (session.Expiry).
func (s *Service) PasswordExpiresAtOf(ctx context.Context, a Account) (at time.Time, ok bool, err error) {
	return s.passwordExpiresAt(ctx, a)
}

// passwordExpired is PasswordExpired of the stored account a.
func (s *Service) passwordExpired(ctx context.Context, a Account) (bool, error) {
	at, ok, err := s.passwordExpiresAt(ctx, a)
	return ok && !s.now().Before(at), err
}

// PasswordExpiresAt returns when the password of the account expires:
// its last change plus the maximum age (the company's when it sets one,
// else the policy's). ok is false when it never expires: no maximum age,
// or an account without a password (single sign-on, or one that never had
// a password). The time may be past: PasswordExpired is then true. A page
// asks it to warn before the password expires. It returns ErrNotFound for
// an unknown account.
func (s *Service) PasswordExpiresAt(ctx context.Context, accountID string) (at time.Time, ok bool, err error) {
	a, err := s.get(ctx, accountID)
	if err != nil {
		return time.Time{}, false, err
	}
	return s.passwordExpiresAt(ctx, a)
}

// passwordExpiresAt is PasswordExpiresAt of the stored account a, with
// its password hash.
func (s *Service) passwordExpiresAt(ctx context.Context, a Account) (time.Time, bool, error) {
	if a.PasswordHash == "" || a.SSO() {
		return time.Time{}, false, nil
	}
	c, ok, err := s.company(ctx, a.Email)
	if err != nil || (ok && c.SSO) {
		return time.Time{}, false, err
	}
	maxAge := s.policy.MaxAge
	if ok && c.HasMaxAge {
		maxAge = c.PasswordMaxAge
	}
	if maxAge <= 0 {
		return time.Time{}, false, nil
	}
	return a.PasswordChangedAt.Add(maxAge), true, nil
}

// get loads an account, mapping "not found" to ErrNotFound.
func (s *Service) get(ctx context.Context, accountID string) (Account, error) {
	a, err := s.accounts.Account(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return Account{}, ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("account: loading account: %w", err)
	}
	return a, nil
}

// caller returns the caller's own account: the caller must be a person
// (auth.Caller.Person) whose account exists and is active, else
// auth.ErrForbidden.
func (s *Service) caller(ctx context.Context, c auth.Caller) (Account, error) {
	if err := c.Person(); err != nil {
		return Account{}, err
	}
	a, err := s.get(ctx, c.AccountID)
	if errors.Is(err, ErrNotFound) {
		return Account{}, fmt.Errorf("account: unknown account: %w", auth.ErrForbidden)
	}
	if err != nil {
		return Account{}, err
	}
	if a.Status != StatusActive {
		return Account{}, fmt.Errorf("account: account not active: %w", auth.ErrForbidden)
	}
	return a, nil
}

// freshCaller is caller for a sensitive operation: the caller must also
// have signed in within Config.FreshFor (auth.ErrReauthenticationRequired).
func (s *Service) freshCaller(ctx context.Context, c auth.Caller) (Account, error) {
	if err := c.Fresh(s.now(), s.freshFor); err != nil {
		return Account{}, err
	}
	return s.caller(ctx, c)
}

// logEvents records security-log events in ctx's transaction.
func (s *Service) logEvents(ctx context.Context, events ...securitylog.Event) error {
	if err := s.seclog.Record(ctx, events...); err != nil {
		return fmt.Errorf("account: %w", err)
	}
	return nil
}

// record appends one history entry in ctx's transaction.
func (s *Service) record(ctx context.Context, profileID, accountID, item string, action history.Action, detail string, at time.Time) error {
	err := history.Append(ctx, s.history, s.rand, history.Entry{
		ProfileID: profileID, AccountID: accountID, Item: item, Action: action, Detail: detail, At: at,
	})
	if err != nil {
		return fmt.Errorf("account: recording history: %w", err)
	}
	return nil
}

// public returns a without its password hash, for callers outside the
// package.
func public(a Account) Account {
	a.PasswordHash = ""
	return a
}

package twofactor

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// PasswordChecker checks an account's password; *account.Service
// implements it. CheckPassword returns nil when the password is right; any
// error refuses the deactivation: a throttled check (errs.Throttled) as
// it is, any other as ErrInvalidPassword.
type PasswordChecker interface {
	CheckPassword(ctx context.Context, accountID, password string) error
}

// SMSSender delivers a text message to an E.164 phone number; the host
// implements it over its SMS gateway. It must be safe for concurrent use.
type SMSSender interface {
	SendSMS(ctx context.Context, phone, text string) error
}

// Config configures a Service. Store, Accounts, Tx, History and Key are
// required (one adapter, such as *memory.Store, serves as all four
// stores); zero values of the other fields take the documented defaults.
type Config struct {
	Store    Store              // second-factor records and recovery codes
	Accounts account.Reader     // the accounts the records belong to
	Tx       storage.Transactor // runs each multi-step change atomically
	History  history.Appender   // receives an entry when 2FA is set or cleared
	// Key seals TOTP secrets (AES-256-GCM) and keys the digests of codes;
	// required, KeySize (32) bytes from a secure random source, kept by
	// the host outside the database. Losing it disables every enrolled
	// authenticator app.
	Key []byte
	// OldKeys are keys that Key replaced, each KeySize bytes: secrets
	// and codes sealed under them still open, and an authenticator secret
	// opened with one is sealed again under Key when it is next used.
	OldKeys [][]byte
	// Notices sends the notice that 2FA was turned off; nil sends none.
	Notices *notify.Notifier
	// SMS sends SMS codes; nil makes the SMS method unavailable.
	SMS SMSSender
	// Passwords checks the password given to Deactivate; nil means only a
	// current code can deactivate.
	Passwords PasswordChecker
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of secrets and codes; nil means crypto/rand.
	Rand io.Reader
	// MaxAttempts is how many wrong codes lock the second factor;
	// 0 means 5.
	MaxAttempts int
	// LockFor is how long the lock holds; 0 means 15 minutes.
	LockFor time.Duration
	// SMSCodeTTL is how long an SMS code is valid; 0 means 10 minutes.
	SMSCodeTTL time.Duration
	// SMSInterval is the least time between two SMS codes to an account;
	// 0 means 30 seconds.
	SMSInterval time.Duration
	// EnrollTTL is how long an enrolment waits for its first code;
	// 0 means 30 minutes.
	EnrollTTL time.Duration
	// FreshFor is how recent a caller's sign-in must be to enrol or
	// deactivate the second factor or regenerate recovery codes; 0 means
	// auth.DefaultFreshFor (one hour).
	FreshFor time.Duration
	// Revokers are told when the second factor is enrolled or
	// deactivated (account.ChangeSecondFactor, keeping the caller's
	// session), so every other session of the account ends; nil tells
	// no one.
	Revokers account.Revokers
	// SecurityLog records enrolments, deactivations, regenerated
	// recovery codes and recovery codes used, in the transaction of
	// each; nil records nothing.
	SecurityLog *securitylog.Log
	// ProfileWide makes a second factor cover the whole profile: once an
	// account of a profile has an active one, signing in to any account
	// of the profile needs a second factor (Required), and an account
	// without one of its own proves it with the factor of the profile's
	// account that has one (Verify). The accounts of a profile read the
	// same personal data, so one without a second factor would otherwise
	// be the way around it.
	ProfileWide bool
}

// Service manages the second factor of accounts: enrolment, verification
// at sign-in, deactivation, status and erasure.
type Service struct {
	store       Store
	accounts    account.Reader
	tx          storage.Transactor
	hist        history.Appender
	keys        ring
	notices     *notify.Notifier
	sms         SMSSender
	passwords   PasswordChecker
	now         clock.Clock
	rand        io.Reader
	lockout     Lockout
	smsTTL      time.Duration
	smsInterval time.Duration
	enrollTTL   time.Duration
	freshFor    time.Duration
	revokers    account.Revokers
	seclog      *securitylog.Log
	profileWide bool
}

// NewService returns a service. It panics when Store, Accounts, Tx or
// History is nil or Key is not KeySize bytes, programming errors.
func NewService(c Config) *Service {
	if c.Store == nil || c.Accounts == nil || c.Tx == nil || c.History == nil {
		panic("twofactor: NewService needs Store, Accounts, Tx and History")
	}
	k, err := newRing(c.Key, c.OldKeys)
	if err != nil {
		panic(err.Error())
	}
	s := &Service{
		store: c.Store, accounts: c.Accounts, tx: c.Tx, hist: c.History, keys: k, notices: c.Notices, sms: c.SMS, passwords: c.Passwords,
		now: clock.New(c.Now), rand: c.Rand, lockout: Lockout{MaxAttempts: c.MaxAttempts, LockFor: c.LockFor}, profileWide: c.ProfileWide,
		smsTTL: c.SMSCodeTTL, smsInterval: c.SMSInterval, enrollTTL: c.EnrollTTL,
		freshFor: c.FreshFor, revokers: c.Revokers, seclog: c.SecurityLog,
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	s.lockout.MaxAttempts = cmpOr(s.lockout.MaxAttempts, 5)
	s.lockout.LockFor = cmpOr(s.lockout.LockFor, 15*time.Minute)
	s.smsTTL = cmpOr(s.smsTTL, 10*time.Minute)
	s.smsInterval = cmpOr(s.smsInterval, 30*time.Second)
	s.enrollTTL = cmpOr(s.enrollTTL, 30*time.Minute)
	return s
}

func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// record returns the account's record; found is false when it has none.
func (s *Service) record(ctx context.Context, accountID string) (r Record, found bool, err error) {
	r, err = s.store.TwoFactor(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return Record{AccountID: accountID, Method: MethodNone}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("twofactor: loading record: %w", err)
	}
	return r, true, nil
}

// SMSAvailable reports whether the service can send SMS codes (it has an
// SMSSender), so a settings page offers the SMS method only then.
func (s *Service) SMSAvailable() bool { return s.sms != nil }

func active(r Record) bool { return r.Method == MethodSMS || r.Method == MethodAuthenticator }

// Required reports whether signing in to the account needs Verify after
// the password step: the account has an active second factor, or, with
// Config.ProfileWide, another account of its profile has one.
func (s *Service) Required(ctx context.Context, accountID string) (bool, error) {
	r, err := s.factorOf(ctx, accountID)
	if err != nil {
		return false, err
	}
	return active(r), nil
}

// SignInFactor returns the second factor that proves a sign-in to the
// account, the one Verify checks once Required says a code is needed:
// its method (MethodNone when none) and, for SMS, the masked phone
// number, so that the code step of a sign-in offers to text a code only
// where SendLoginSMS sends one. Call it only for an account whose
// password was just checked: it checks no caller.
func (s *Service) SignInFactor(ctx context.Context, accountID string) (SignInFactor, error) {
	r, err := s.factorOf(ctx, accountID)
	if err != nil {
		return SignInFactor{}, err
	}
	switch {
	case r.Method == MethodSMS:
		return SignInFactor{Method: MethodSMS, Phone: MaskPhone(r.Phone)}, nil
	case active(r):
		return SignInFactor{Method: r.Method}, nil
	}
	return SignInFactor{Method: MethodNone}, nil
}

// Unprotected returns the IDs of the active accounts of the caller's
// profile that sign in without a second factor while another account of
// the profile has one: they read the same personal data, so a settings
// page warns of them. It returns none with Config.ProfileWide, where
// every account of such a profile needs the second factor, and none when
// no account has one. Accounts that sign in through single sign-on are
// left out: their identity provider owns their sign-in.
func (s *Service) Unprotected(ctx context.Context, c auth.Caller) ([]string, error) {
	me, err := s.caller(ctx, c)
	if err != nil || s.profileWide {
		return nil, err
	}
	methods, err := s.store.TwoFactorMethodsOfProfile(ctx, me.ProfileID)
	if err != nil {
		return nil, fmt.Errorf("twofactor: methods of the profile: %w", err)
	}
	accts, err := s.accounts.AccountsOfProfile(ctx, me.ProfileID)
	if err != nil {
		return nil, fmt.Errorf("twofactor: accounts of the profile: %w", err)
	}
	var without []string
	with := false
	for _, a := range accts {
		if a.Status != account.StatusActive || a.SSO() {
			continue
		}
		if m := methods[a.ID]; m == MethodSMS || m == MethodAuthenticator {
			with = true
		} else {
			without = append(without, a.ID)
		}
	}
	if !with {
		return nil, nil
	}
	return without, nil
}

// factorOf returns the record of the second factor that proves a sign-in
// to the account: its own when active; else, with Config.ProfileWide, the
// active one of the oldest other account of its profile; else its own
// (inactive) record.
func (s *Service) factorOf(ctx context.Context, accountID string) (Record, error) {
	r, _, err := s.record(ctx, accountID)
	if err != nil || active(r) || !s.profileWide {
		return r, err
	}
	a, err := s.account(ctx, accountID)
	if errors.Is(err, ErrUnknownAccount) {
		return r, nil
	}
	if err != nil {
		return Record{}, err
	}
	others, err := s.accounts.AccountsOfProfile(ctx, a.ProfileID)
	if err != nil {
		return Record{}, fmt.Errorf("twofactor: accounts of the profile: %w", err)
	}
	for _, o := range others {
		if o.ID == accountID || o.Status != account.StatusActive {
			continue
		}
		or, _, err := s.record(ctx, o.ID)
		if err != nil {
			return Record{}, err
		}
		if active(or) {
			return or, nil
		}
	}
	return r, nil
}

// caller returns the caller's own account: the caller must be a person
// (a token or API key never reaches the second factor) whose account
// exists and is active, else an error matching auth.ErrForbidden.
func (s *Service) caller(ctx context.Context, c auth.Caller) (account.Account, error) {
	if err := c.Person(); err != nil {
		return account.Account{}, err
	}
	a, err := s.account(ctx, c.AccountID)
	if errors.Is(err, ErrUnknownAccount) {
		return account.Account{}, fmt.Errorf("twofactor: unknown account: %w", auth.ErrForbidden)
	}
	if err != nil {
		return account.Account{}, err
	}
	if a.Status != account.StatusActive {
		return account.Account{}, fmt.Errorf("twofactor: account not active: %w", auth.ErrForbidden)
	}
	return a, nil
}

// freshCaller is caller for a sensitive operation: the caller must also
// have signed in within Config.FreshFor (auth.ErrReauthenticationRequired).
func (s *Service) freshCaller(ctx context.Context, c auth.Caller) (account.Account, error) {
	if err := c.Fresh(s.now(), s.freshFor); err != nil {
		return account.Account{}, err
	}
	return s.caller(ctx, c)
}

// logEvent records a security-log event in ctx's transaction.
func (s *Service) logEvent(ctx context.Context, e securitylog.Event) error {
	if err := s.seclog.Record(ctx, e); err != nil {
		return fmt.Errorf("twofactor: %w", err)
	}
	return nil
}

// revoke tells the Revokers, in the transaction of the change, that the
// caller's second factor changed; the caller's session stays.
func (s *Service) revoke(ctx context.Context, c auth.Caller) error {
	return s.revokers.RevokeAccount(ctx, account.Revocation{AccountID: c.AccountID, Change: account.ChangeSecondFactor, KeepSession: c.SessionID})
}

// Status returns what the settings page shows about the caller's second
// factor. A token or API key caller gets auth.ErrForbidden.
func (s *Service) Status(ctx context.Context, c auth.Caller) (Status, error) {
	a, err := s.caller(ctx, c)
	if err != nil {
		return Status{}, err
	}
	accountID := a.ID
	r, _, err := s.record(ctx, accountID)
	if err != nil {
		return Status{}, err
	}
	st := Status{Method: MethodNone, Pending: MethodNone}
	if active(r) {
		st.Method, st.EnabledAt = r.Method, r.EnabledAt
	}
	if r.Method == MethodSMS {
		st.Phone = MaskPhone(r.Phone)
	}
	if s.pending(r, r.PendingMethod) {
		st.Pending = r.PendingMethod
		if r.PendingMethod == MethodSMS {
			st.PendingPhone = MaskPhone(r.PendingPhone)
		}
	}
	if r.LockState().Locked(s.now()) {
		st.LockedUntil = r.LockedUntil
	}
	if st.RecoveryCodesLeft, err = s.store.RecoveryCodesLeft(ctx, accountID); err != nil {
		return Status{}, fmt.Errorf("twofactor: counting recovery codes: %w", err)
	}
	return st, nil
}

// Metadata returns the personal-data view of the account's second factor:
// its method and the date it was enabled, nothing secret. It checks no
// caller: it is the source package personaldata reads for each account
// of a profile whose person it has already checked, not a self-service
// operation.
func (s *Service) Metadata(ctx context.Context, accountID string) (Metadata, error) {
	r, _, err := s.record(ctx, accountID)
	if err != nil || !active(r) {
		return Metadata{Method: MethodNone}, err
	}
	return Metadata{Method: r.Method, EnabledAt: r.EnabledAt}, nil
}

// EraseAccount deletes the account's second factor and recovery codes. An
// account without any is not an error. It joins the transaction carried
// by ctx, if any.
func (s *Service) EraseAccount(ctx context.Context, accountID string) error {
	err := s.store.DeleteTwoFactor(ctx, accountID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("twofactor: erasing account: %w", err)
	}
	return nil
}

// EraseProfile deletes the second factor of every account of the profile,
// in one transaction (joining the one carried by ctx, if any).
func (s *Service) EraseProfile(ctx context.Context, profileID string) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		accts, err := s.accounts.AccountsOfProfile(ctx, profileID)
		if err != nil {
			return fmt.Errorf("twofactor: erasing profile: %w", err)
		}
		for _, a := range accts {
			if err := s.EraseAccount(ctx, a.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

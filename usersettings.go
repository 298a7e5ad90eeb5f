package usersettings

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// Store is every Store of the SDK in one: what New needs. *memory.Store
// (package storage/memory) and *sqlstore.Store (package storage/sqlstore)
// implement it; a host adapter that passes the storage/storagetest suites
// does too.
type Store interface {
	storage.Transactor
	profile.Store
	account.Store
	account.LoginFailures
	account.PasswordWarnings
	ratelimit.Store
	verification.Store
	history.Store
	twofactor.Store
	passkey.Store
	token.Store
	notify.Store
	notify.OutboxStore
	session.Store
	merge.Store
	sso.Store
	securitylog.Store
}

// Settings is the SDK wired over one store: one mailer, one clock, one
// source of randomness, one scope registry and one company resolver shared
// by every service. Its fields are the services a host calls.
type Settings struct {
	Profiles  *profile.Service
	Accounts  *account.Service
	Codes     *verification.Service
	Merges    *merge.Service
	Tokens    *token.Service
	TwoFactor *twofactor.Service
	// Passkeys registers passkeys and runs their ceremonies: passwordless
	// sign-in, the second factor and re-authentication. It is never nil;
	// without Options.PasskeyRPID its Enabled is false and its
	// ceremonies answer passkey.ErrUnavailable.
	Passkeys      *passkey.Service
	Notifications *notify.Service
	PersonalData  *personaldata.Service
	Sessions      *session.Service
	// SSO runs single sign-on: connections (which are the SSO
	// companies), sign-in, just-in-time accounts and back-channel logout.
	SSO *sso.Service

	// Courier is the durable mail courier. Every service queues its mail
	// through it, in the transaction of the action the mail reports where
	// there is one, and no request waits for the mail server: the host
	// runs Courier.Run in a goroutine of each replica to deliver the mail
	// through Mailer (see Options.Courier).
	Courier *notify.Courier

	// SecurityLog records the security log every service writes to, in
	// the transaction of the action, and gives each event to
	// Options.OnEvent after the commit.
	SecurityLog *securitylog.Log
	// SecurityEvents shows people their own security log, newest first,
	// a page at a time.
	SecurityEvents *securitylog.Reader
	// SecurityLogRetention is how long security events are kept
	// (Options.SecurityLogRetention, securitylog.DefaultRetention by
	// default): Cleanup deletes older ones.
	SecurityLogRetention time.Duration

	// Scopes is the registry of token scopes.
	Scopes *token.Registry
	// Mailer is the mailer the Courier delivers through (Options.Mailer).
	Mailer notify.Mailer
	// Outbox is the in-memory mailer New made when Options.Mailer was
	// nil; nil otherwise. Reading it delivers the queued mail first
	// (notify.Outbox.DeliverFrom), so tests need not run the Courier.
	Outbox *notify.Outbox
	// Issuer labels accounts in authenticator apps.
	Issuer string
	// SupportURL is Options.SupportURL: where front ends link "Create
	// Support Request" and the "Didn't get a code?" help; empty means
	// none.
	SupportURL string
	// Now is the clock every service uses.
	Now func() time.Time

	// The roles of the store Cleanup uses (cleanup.go).
	jobs              storage.JobLocker
	buckets           ratelimit.Store
	securityEvents    securitylog.Store
	securityRetention time.Duration
}

// New wires every service of the SDK over store, with every setting of
// Options. It returns an error for a nil store, for missing or short keys
// (ErrWeakKey, unless Options.Dev is set), for a two-factor key that is
// not KeySize bytes, for a scope the registry refuses and for an
// unusable Options.TokenScheme (token.ErrInvalidScheme). It does no
// I/O: migrate an SQL store before calling it.
func New(store Store, opts Options) (*Settings, error) {
	if store == nil {
		return nil, errors.New("usersettings: New with a nil store")
	}
	o, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	s := &Settings{Scopes: o.Registry, Mailer: o.Mailer, Issuer: o.Issuer, SupportURL: o.SupportURL, Now: o.Now}
	s.cleanupRoles(store, o)
	s.Courier = newCourier(store, o)
	if box, ok := o.Mailer.(*notify.Outbox); ok {
		box.DeliverFrom(s.Courier)
		if opts.Mailer == nil {
			s.Outbox = box
		}
	}
	s.SecurityLog = securitylog.New(store, o.Rand, o.Now, o.OnEvent)
	mailLanguage := profileLanguage(store)
	notices := &notify.Notifier{Mailer: s.Courier, Failed: noticeFailed(o), Language: mailLanguage}
	owners := account.NewOwners(store)
	s.SecurityEvents = securitylog.NewReader(store, owners)
	s.SecurityLogRetention = o.SecurityLogRetention
	s.Codes = verification.NewService(verification.Config{
		Store: store, Tx: store, Mailer: s.Courier, Key: o.CodeKeys[0], OldKeys: o.CodeKeys[1:],
		TTL: o.CodeTTL, MaxAttempts: o.CodeMaxAttempts, Burst: o.CodeBurst, Window: o.CodeWindow, MaxPerHour: o.CodeMaxPerHour,
		Link: o.CodeLink, Language: mailLanguage, Now: o.Now, Rand: o.Rand,
	})
	s.Profiles = profile.NewService(profile.Config{Store: store, Tx: store, History: store, AvatarLimits: o.AvatarLimits, Owners: owners, FreshFor: o.FreshFor,
		Codes: s.Codes, Notices: notices, SecurityLog: s.SecurityLog, Now: o.Now, Rand: o.Rand,
	})
	revocations, _ := store.(token.Revocations)
	s.Tokens = token.NewService(token.Config{
		Store: store, Accounts: store, Tx: store, History: store, Notices: notices, Scopes: o.Registry,
		LastUsedInterval: o.TokenLastUsedInterval, APIKeyCacheTTL: o.APIKeyCacheTTL, APIKeyCacheSize: o.APIKeyCacheSize,
		Revocations: revocations, FreshFor: o.FreshFor, SecurityLog: s.SecurityLog, Now: o.Now, Rand: o.Rand,
		Scheme: o.TokenScheme,
	})
	// Sessions re-authenticate through the account and two-factor
	// services, built below (credentials reads them when called).
	s.Sessions = session.NewService(session.Config{
		Store: store, Accounts: store, Tx: store, Passwords: credentials{s}, SecondFactor: credentials{s}, Expiry: credentials{s}, Passkeys: credentials{s},
		SecurityLog: s.SecurityLog, FreshFor: o.FreshFor, IdleTimeout: o.SessionIdleTimeout, MaxAge: o.SessionMaxAge,
		TouchInterval: o.SessionTouchInterval, Now: o.Now, Rand: o.Rand, Hook: o.Revoker,
	})
	// The two-factor service checks passwords with a checker of its own,
	// so it is built before the account service, whose second factor it
	// is.
	throttling := account.Throttling{Failures: store, Tx: store, SecurityLog: s.SecurityLog, Limits: o.LoginLimits, Now: o.Now}
	passwords := account.NewPasswords(store, o.Hasher, account.CountFailures(throttling))
	s.TwoFactor = twofactor.NewService(twofactor.Config{
		Store: store, Accounts: store, Tx: store, History: store, Key: o.TwoFactorKeys[0], OldKeys: o.TwoFactorKeys[1:],
		Notices: notices, SMS: o.SMS, Passwords: passwords, MaxAttempts: o.TwoFactorMaxAttempts, LockFor: o.TwoFactorLockFor, ProfileWide: o.TwoFactorProfileWide,
		SMSCodeTTL: o.SMSCodeTTL, SMSInterval: o.SMSInterval, EnrollTTL: o.TwoFactorEnrollTTL, Now: o.Now, Rand: o.Rand,
		FreshFor: o.FreshFor, SecurityLog: s.SecurityLog,
		// Enrolling or deactivating the second factor ends the account's
		// other sessions and empties this process's API-key cache for it.
		Revokers: account.Revokers{s.Tokens, s.Sessions},
	})
	if s.Passkeys, err = passkey.NewService(passkey.Config{
		Store: store, Accounts: store, Tx: store, SignIns: credentials{s}, TwoFactor: s.TwoFactor, Notices: notices,
		SecurityLog: s.SecurityLog, RPID: o.PasskeyRPID, RPName: cmp.Or(o.PasskeyRPName, o.Issuer), Origins: o.PasskeyOrigins,
		UserVerification: o.PasskeyUserVerification, MaxPerAccount: o.PasskeyMaxPerAccount, CeremonyTTL: o.PasskeyCeremonyTTL,
		FreshFor: o.FreshFor, Now: o.Now, Rand: o.Rand,
	}); err != nil {
		return nil, fmt.Errorf("usersettings: %w", err)
	}
	s.Notifications = notify.NewService(notify.Config{Store: store, Tx: store, History: store, Owners: owners, Now: o.Now, Rand: o.Rand})
	s.PersonalData = personaldata.NewService(personaldata.Config{
		Tx: store, Profiles: store, Accounts: store, History: store, TrackingSince: o.TrackingSince, Now: o.Now,
		Owners: owners, FreshFor: o.FreshFor, SecurityLog: s.SecurityLog,
		Sources: personaldata.DefaultSources(personaldata.Deps{
			Profiles: store, Accounts: store, Codes: store, History: store, Notify: store,
			Tokens: s.Tokens, TwoFactor: s.TwoFactor, Passkeys: s.Passkeys, Sessions: s.Sessions, Merges: store, Mail: store, SecurityLog: store,
			Companies: companies(store, o), Extra: o.ExtraSources,
		}),
	})
	s.Accounts = account.NewService(account.Config{
		Accounts: store, Profiles: store, History: store, Tx: store, Codes: s.Codes, Notices: notices,
		Hasher: o.Hasher, Policy: o.Policy, Companies: companies(store, o), Erasure: s.PersonalData,
		Revokers: []account.Revoker{s.Tokens, s.Sessions},
		// A password reset revokes the account's tokens and API keys,
		// and its notice lists them.
		Credentials:  s.Tokens,
		SecondFactor: s.TwoFactor, PendingTTL: o.PendingTTL, FreshFor: o.FreshFor, SecurityLog: s.SecurityLog,
		Limiter: store, Failures: store, Limits: o.LoginLimits, DeviceKeys: deriveKeys(o.CodeKeys, "usersettings/account/device/v1"),
		Recovery: store, Warnings: store, PasswordWarnings: o.PasswordWarnings, Now: o.Now, Rand: o.Rand,
	})
	if s.SSO, err = newSSO(store, o, s.Accounts, s.Sessions, s.SecurityLog); err != nil {
		return nil, err
	}
	s.Merges = merge.NewService(merge.Config{
		Accounts: store, Profiles: store, ProfileData: store, History: store, Notify: store,
		Flows: store, Expired: store, Tx: store, Codes: s.Codes, Notices: notices, FlowTTL: o.MergeFlowTTL,
		FreshFor: o.FreshFor, Limiter: store, StartLimit: o.MergeStartLimit, SecurityLog: s.SecurityLog,
		SecurityEvents: store, Now: o.Now, Rand: o.Rand,
	})
	return s, nil
}

// noticeFailed returns the Notifier's report of a failed notice: an event
// of kind securitylog.NoticeFailed for Options.OnEvent, or nil (a warning
// through slog.Default) without it.
func noticeFailed(o Options) func(context.Context, *notify.NoticeError) {
	if o.OnEvent == nil {
		return nil
	}
	return func(ctx context.Context, err *notify.NoticeError) {
		o.OnEvent(ctx, securitylog.Event{Kind: securitylog.NoticeFailed, At: o.Now(), Detail: string(err.Kind)})
	}
}

// credentials checks the password, the second factor or the passkey of
// a session's re-authentication, whether a session's password has
// expired, and counts the passkey sign-ins, through the account,
// two-factor and passkey services of s,
// which New builds after the session service (they end sessions through
// it); a failed password check counts as a failed sign-in.
type credentials struct{ s *Settings }

func (c credentials) CheckCallerPassword(ctx context.Context, caller auth.Caller, pw string) error {
	return c.s.Accounts.CheckCallerPassword(ctx, caller, pw)
}

func (c credentials) PasswordExpiresAtOf(ctx context.Context, a account.Account) (time.Time, bool, error) {
	return c.s.Accounts.PasswordExpiresAtOf(ctx, a)
}

func (c credentials) VerifyReauthentication(ctx context.Context, caller auth.Caller, ceremonyID string, response []byte) (bool, error) {
	return c.s.Passkeys.VerifyReauthentication(ctx, caller, ceremonyID, response)
}

func (c credentials) BeginCredentialSignIn(ctx context.Context, l account.CredentialLogin) (*account.HostAttempt, error) {
	return c.s.Accounts.BeginCredentialSignIn(ctx, l)
}

func (c credentials) Required(ctx context.Context, accountID string) (bool, error) {
	return c.s.TwoFactor.Required(ctx, accountID)
}

func (c credentials) Verify(ctx context.Context, accountID, code string, client auth.Client) error {
	return c.s.TwoFactor.Verify(ctx, accountID, code, client)
}

// newCourier returns the courier over store's outbox, delivering through
// o.Mailer, with keys derived from the code keys.
func newCourier(store Store, o Options) *notify.Courier {
	tuning := o.Courier
	if tuning.CleanupEvery == 0 {
		// Settings.Cleanup deletes old mail, in one replica at a time.
		tuning.CleanupEvery = -1
	}
	return notify.NewCourier(notify.CourierConfig{
		Store: store, Mailer: o.Mailer, Keys: deriveKeys(o.CodeKeys, "usersettings/notify/outbox/v1"), CourierTuning: tuning,
		Now: o.Now, Rand: o.Rand,
	})
}

// deriveKeys returns HMAC-SHA-256(k, purpose) for each key of the ring,
// in order: keys of their own for one use, rotating with the ring.
func deriveKeys(ring KeyRing, purpose string) [][]byte {
	keys := make([][]byte, len(ring))
	for i, k := range ring {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(purpose))
		keys[i] = m.Sum(nil)
	}
	return keys
}

// withDefaults fills the zero fields of o that New shares between
// services.
func withDefaults(o Options) (Options, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Mailer == nil {
		o.Mailer = &notify.Outbox{Now: o.Now}
	}
	if o.SecurityLogRetention <= 0 {
		o.SecurityLogRetention = securitylog.DefaultRetention
	}
	if o.Issuer == "" {
		o.Issuer = DefaultIssuer
	}
	if err := checkSupportURL(o.SupportURL); err != nil {
		return o, err
	}
	if err := o.keys(); err != nil {
		return o, err
	}
	if o.Hasher == nil {
		o.Hasher = password.DefaultHasher()
	}
	if err := o.TokenScheme.Check(); err != nil {
		return o, fmt.Errorf("usersettings: Options.TokenScheme: %w", err)
	}
	if o.Registry == nil {
		o.Registry = token.NewRegistry()
	}
	for _, sc := range o.Scopes {
		if err := o.Registry.Register(sc.Name, sc.Description); err != nil {
			return o, fmt.Errorf("usersettings: scope %q: %w", sc.Name, err)
		}
	}
	return o, nil
}

// ErrInvalidSupportURL means Options.SupportURL is not an absolute http,
// https or mailto URL.
var ErrInvalidSupportURL = errs.New(errs.Internal, "invalid_support_url", "usersettings: Options.SupportURL must be an http, https or mailto URL")

// checkSupportURL accepts an empty URL (no link) or an absolute http,
// https or mailto URL with no control characters.
func checkSupportURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || strings.ContainsFunc(s, unicode.IsControl) {
		return ErrInvalidSupportURL
	}
	switch {
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return nil
	case u.Scheme == "mailto" && u.Opaque != "":
		return nil
	}
	return ErrInvalidSupportURL
}

// keys checks the key rings or, in Dev mode, fills the missing ones with
// random keys and warns.
func (o *Options) keys() error {
	if o.Dev {
		for _, r := range []*KeyRing{&o.CodeKeys, &o.TwoFactorKeys} {
			if len(*r) > 0 {
				continue
			}
			k := make([]byte, KeySize)
			if _, err := io.ReadFull(rand.Reader, k); err != nil {
				return fmt.Errorf("usersettings: making a development key: %w", err)
			}
			*r = KeyRing{k}
		}
		slog.Default().Warn("usersettings: development mode: keys missing from Options are random for this process; never use Dev in production")
	}
	if err := o.CodeKeys.check("CodeKeys"); err != nil {
		return err
	}
	if err := o.TwoFactorKeys.check("TwoFactorKeys"); err != nil {
		return err
	}
	for i, k := range o.TwoFactorKeys {
		if len(k) != twofactor.KeySize {
			return fmt.Errorf("usersettings: Options.TwoFactorKeys key %d has %d bytes, want exactly %d", i+1, len(k), twofactor.KeySize)
		}
	}
	return nil
}

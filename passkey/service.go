package passkey

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// UserVerification says whether the authenticator must verify the
// person (a PIN or a biometric) besides their presence.
type UserVerification string

// The user-verification requirements of WebAuthn.
const (
	// UVRequired: every ceremony must verify the person; the default.
	UVRequired UserVerification = "required"
	// UVPreferred: the authenticator verifies when it can.
	UVPreferred UserVerification = "preferred"
	// UVDiscouraged: presence alone is asked for.
	UVDiscouraged UserVerification = "discouraged"
)

// Defaults of Config.
const (
	// DefaultMaxPerAccount is how many passkeys an account may have.
	DefaultMaxPerAccount = 10
	// DefaultCeremonyTTL is how long a begun ceremony waits for its
	// finish.
	DefaultCeremonyTTL = 5 * time.Minute
)

// SignIns throttles and records sign-ins that a passkey proves;
// *account.Service implements it.
type SignIns interface {
	// BeginCredentialSignIn counts the attempt before the passkey is
	// checked; see account.Service.BeginCredentialSignIn.
	BeginCredentialSignIn(ctx context.Context, l account.CredentialLogin) (*account.HostAttempt, error)
}

// SecondFactor tells whether an account signs in with a second factor;
// *twofactor.Service implements it.
type SecondFactor interface {
	Required(ctx context.Context, accountID string) (bool, error)
}

// Config configures a Service. Store, Accounts, Tx and SignIns are
// required; an empty RPID makes a Service whose every method answers
// ErrUnavailable (passkeys off). Zero values of the other fields take
// the documented defaults.
type Config struct {
	Store    Store              // passkeys and begun ceremonies
	Accounts account.Reader     // the accounts passkeys belong to
	Tx       storage.Transactor // runs each change with its event and notice
	// SignIns throttles passwordless sign-ins and second-factor steps
	// with the password sign-in's counters, and records them.
	SignIns SignIns
	// TwoFactor tells whether an account has a second factor, which a
	// passkey sign-in without user verification still needs; nil means
	// none has one.
	TwoFactor SecondFactor
	// Notices mails the notice of a passkey added or removed; nil sends
	// none.
	Notices *notify.Notifier
	// SecurityLog records passkeys added, removed, used and refused, in
	// the transaction of each; nil records nothing.
	SecurityLog *securitylog.Log

	// RPID is the WebAuthn relying-party ID: the host name of the site,
	// or a registrable suffix of it ("example.com", "localhost"). Empty
	// turns passkeys off.
	RPID string
	// RPName is the site's name the browser shows; empty means RPID.
	RPName string
	// Origins are the origins ceremonies may come from, scheme, host and
	// port ("https://example.com"); required with RPID.
	Origins []string
	// UserVerification is what every ceremony asks of the
	// authenticator; empty means UVRequired.
	UserVerification UserVerification
	// MaxPerAccount is the most passkeys an account may have; 0 means
	// DefaultMaxPerAccount.
	MaxPerAccount int
	// CeremonyTTL is how long a begun ceremony waits for its finish (and
	// the timeout the browser is given); 0 means DefaultCeremonyTTL.
	CeremonyTTL time.Duration
	// FreshFor is how recent a caller's sign-in must be to register or
	// remove a passkey; 0 means auth.DefaultFreshFor.
	FreshFor time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of challenges, IDs and user handles; nil means
	// crypto/rand.
	Rand io.Reader
}

// Service registers and manages passkeys and runs the WebAuthn
// ceremonies that sign in with them, prove a second factor with them and
// re-authenticate with them. It is safe for concurrent use.
type Service struct {
	store    Store
	accounts account.Reader
	tx       storage.Transactor
	signIns  SignIns
	second   SecondFactor
	notices  *notify.Notifier
	seclog   *securitylog.Log
	wa       *webauthn.WebAuthn // nil when passkeys are off
	uv       UserVerification
	max      int
	ttl      time.Duration
	freshFor time.Duration
	now      clock.Clock
	rand     io.Reader
}

// NewService returns a Service for c. It returns an error for an RPID
// without origins, or a relying party go-webauthn refuses, and panics
// when Store, Accounts, Tx or SignIns is nil, a programming error.
func NewService(c Config) (*Service, error) {
	if c.Store == nil || c.Accounts == nil || c.Tx == nil || c.SignIns == nil {
		panic("passkey: NewService needs Store, Accounts, Tx and SignIns")
	}
	s := &Service{store: c.Store, accounts: c.Accounts, tx: c.Tx, signIns: c.SignIns, second: c.TwoFactor, notices: c.Notices,
		seclog: c.SecurityLog, uv: c.UserVerification, max: c.MaxPerAccount, ttl: c.CeremonyTTL, freshFor: c.FreshFor,
		now: clock.New(c.Now), rand: c.Rand}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.uv == "" {
		s.uv = UVRequired
	}
	if s.max <= 0 {
		s.max = DefaultMaxPerAccount
	}
	if s.ttl <= 0 {
		s.ttl = DefaultCeremonyTTL
	}
	switch s.uv {
	case UVRequired, UVPreferred, UVDiscouraged:
	default:
		return nil, fmt.Errorf("passkey: unknown user verification %q", s.uv)
	}
	if c.RPID == "" {
		return s, nil
	}
	if len(c.Origins) == 0 {
		return nil, errors.New("passkey: a relying party ID needs Origins")
	}
	name := c.RPName
	if name == "" {
		name = c.RPID
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID: c.RPID, RPDisplayName: name, RPOrigins: c.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			RequireResidentKey: protocol.ResidentKeyRequired(),
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			UserVerification:   protocol.UserVerificationRequirement(s.uv),
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: s.ttl, TimeoutUVD: s.ttl},
			Registration: webauthn.TimeoutConfig{Timeout: s.ttl, TimeoutUVD: s.ttl},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: relying party: %w", err)
	}
	s.wa = wa
	return s, nil
}

// Enabled reports whether passkeys are on (the service has a relying
// party ID), so that pages offer them only then.
func (s *Service) Enabled() bool { return s.wa != nil }

// on returns ErrUnavailable when passkeys are off.
func (s *Service) on() error {
	if s.wa == nil {
		return ErrUnavailable
	}
	return nil
}

// caller returns the caller's own active account that may hold passkeys:
// a person (auth.ErrForbidden for a token), whose account exists and is
// active (auth.ErrForbidden) and does not sign in through single sign-on
// (account.ErrSSOManaged).
func (s *Service) caller(ctx context.Context, c auth.Caller) (account.Account, error) {
	if err := c.Person(); err != nil {
		return account.Account{}, err
	}
	return s.ownAccount(ctx, c.AccountID)
}

// freshCaller is caller for a sensitive operation: the caller must also
// have signed in within Config.FreshFor.
func (s *Service) freshCaller(ctx context.Context, c auth.Caller) (account.Account, error) {
	if err := c.Fresh(s.now(), s.freshFor); err != nil {
		return account.Account{}, err
	}
	return s.ownAccount(ctx, c.AccountID)
}

// ownAccount returns the active account of a caller.
func (s *Service) ownAccount(ctx context.Context, accountID string) (account.Account, error) {
	a, err := s.accounts.Account(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return account.Account{}, fmt.Errorf("passkey: unknown account: %w", auth.ErrForbidden)
	}
	if err != nil {
		return account.Account{}, fmt.Errorf("passkey: loading account: %w", err)
	}
	if a.Status != account.StatusActive {
		return account.Account{}, fmt.Errorf("passkey: account not active: %w", auth.ErrForbidden)
	}
	return a, nil
}

// logEvent records a security-log event in ctx's transaction.
func (s *Service) logEvent(ctx context.Context, e securitylog.Event) error {
	if err := s.seclog.Record(ctx, e); err != nil {
		return fmt.Errorf("passkey: %w", err)
	}
	return nil
}

// logClient records an event of kind about the account's passkey from
// client, in its own transaction unless ctx carries one.
func (s *Service) logClient(ctx context.Context, a account.Account, kind securitylog.Kind, client auth.Client, detail string) error {
	if s.seclog == nil {
		return nil
	}
	return s.logEvent(ctx, securitylog.Event{Kind: kind, ProfileID: a.ProfileID, AccountID: a.ID,
		IP: client.IP, Device: client.Device(), Detail: detail})
}

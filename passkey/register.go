package passkey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// RegistrationFinish is the browser's answer to a registration ceremony.
type RegistrationFinish struct {
	// CeremonyID is Ceremony.ID of BeginRegistration.
	CeremonyID string
	// Response is the JSON of the PublicKeyCredential that
	// navigator.credentials.create returned (its toJSON()).
	Response []byte
	// Name is the person's name for the passkey; empty means DefaultName.
	Name string
}

// BeginRegistration begins registering a passkey for the caller's own
// account: the options ask for a discoverable credential (a passkey the
// browser offers without a user name), with user verification as
// Config.UserVerification says, no attestation, and exclude the account's
// passkeys so one authenticator is not registered twice. The ceremony is
// bound to the caller's account and session.
//
// Registering is a sensitive operation: the caller must have signed in
// within Config.FreshFor (auth.ErrReauthenticationRequired); a token or
// API key gets auth.ErrForbidden. An account that signs in through single
// sign-on gets account.ErrSSOManaged, and one with Config.MaxPerAccount
// passkeys a *LimitError (ErrLimitReached).
func (s *Service) BeginRegistration(ctx context.Context, c auth.Caller) (Ceremony, error) {
	if err := s.on(); err != nil {
		return Ceremony{}, err
	}
	a, err := s.registrant(ctx, c)
	if err != nil {
		return Ceremony{}, err
	}
	u, err := s.userOf(ctx, a.ID, a.Email)
	if err != nil {
		return Ceremony{}, err
	}
	if len(u.keys) >= s.max {
		return Ceremony{}, &LimitError{Max: s.max}
	}
	ch, err := s.challenge()
	if err != nil {
		return Ceremony{}, err
	}
	exclude := make([]protocol.CredentialDescriptor, 0, len(u.keys))
	for _, cr := range u.WebAuthnCredentials() {
		exclude = append(exclude, cr.Descriptor())
	}
	creation, data, err := s.wa.BeginRegistration(u, webauthn.WithExclusions(exclude), withChallenge(ch))
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkey: beginning the registration: %w", err)
	}
	return s.save(ctx, KindRegistration, a.ID, c.SessionID, data, creation)
}

// withChallenge makes the registration use the service's challenge.
func withChallenge(ch []byte) webauthn.RegistrationOption {
	return func(o *protocol.PublicKeyCredentialCreationOptions) error {
		o.Challenge = ch
		return nil
	}
}

// registrant returns the caller's account that may register or remove a
// passkey: fresh, active and not managed by single sign-on.
func (s *Service) registrant(ctx context.Context, c auth.Caller) (account.Account, error) {
	a, err := s.freshCaller(ctx, c)
	if err != nil {
		return account.Account{}, err
	}
	if a.SSO() {
		return account.Account{}, fmt.Errorf("passkey: %w", account.ErrSSOManaged)
	}
	return a, nil
}

// FinishRegistration checks the browser's response to the caller's
// registration ceremony and stores the passkey: the response must answer
// the ceremony's challenge, come from one of Config.Origins for
// Config.RPID, verify the person when user verification is required, and
// carry an attestation go-webauthn verifies ("none" included). The
// passkey, its security-log event (securitylog.PasskeyAdded) and a
// notice to the account (notify.NoticePasskeyAdded) are stored in one
// transaction.
//
// The caller's checks are BeginRegistration's, and the caller must be the
// account and session that began the ceremony. It returns
// ErrCeremonyExpired (an unknown, used or expired ceremony, or another
// caller's), ErrInvalidResponse, ErrInvalidName, a *LimitError or
// ErrAlreadyRegistered.
func (s *Service) FinishRegistration(ctx context.Context, c auth.Caller, f RegistrationFinish) (Passkey, error) {
	if err := s.on(); err != nil {
		return Passkey{}, err
	}
	name, err := cleanName(f.Name)
	if err != nil {
		return Passkey{}, err
	}
	a, err := s.registrant(ctx, c)
	if err != nil {
		return Passkey{}, err
	}
	rec, data, err := s.consume(ctx, f.CeremonyID, KindRegistration)
	if err != nil {
		return Passkey{}, err
	}
	if rec.AccountID != a.ID || rec.SessionID != c.SessionID {
		return Passkey{}, ErrCeremonyExpired
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(f.Response)
	if err != nil {
		return Passkey{}, fmt.Errorf("passkey: %w (%v)", ErrInvalidResponse, err)
	}
	u := &user{handle: data.UserID, name: a.Email}
	cred, err := s.wa.CreateCredential(u, data, parsed)
	if err != nil {
		return Passkey{}, fmt.Errorf("passkey: %w (%v)", ErrInvalidResponse, err)
	}
	pid, err := id.New(s.rand, "pk_")
	if err != nil {
		return Passkey{}, fmt.Errorf("passkey: %w", err)
	}
	p := passkeyOf(cred, pid, a.ID, name, data.UserID, s.now().UTC())
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		have, err := s.store.PasskeysOfAccount(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("passkey: listing passkeys: %w", err)
		}
		if len(have) >= s.max {
			return &LimitError{Max: s.max}
		}
		if len(have) > 0 && !bytes.Equal(have[0].UserHandle, p.UserHandle) {
			// Another registration of a first passkey won the race with
			// another user handle: this one must begin again.
			return ErrCeremonyExpired
		}
		if err := s.store.CreatePasskey(ctx, p); errors.Is(err, storage.ErrConflict) {
			return ErrAlreadyRegistered
		} else if err != nil {
			return fmt.Errorf("passkey: storing the passkey: %w", err)
		}
		e := securitylog.FromCaller(securitylog.PasskeyAdded, a.ProfileID, c)
		e.Detail = p.Name
		if err := s.logEvent(ctx, e); err != nil {
			return err
		}
		return s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticePasskeyAdded, Detail: p.Name, At: p.CreatedAt}, a.Email)
	})
	if err != nil {
		return Passkey{}, err
	}
	return p, nil
}

// passkeyOf returns the passkey of a credential go-webauthn created.
func passkeyOf(cred *webauthn.Credential, pid, accountID, name string, handle []byte, now time.Time) Passkey {
	tr := make([]string, len(cred.Transport))
	for i, t := range cred.Transport {
		tr[i] = string(t)
	}
	return Passkey{
		ID: pid, AccountID: accountID, Name: name, CreatedAt: now, Transports: tr,
		BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState, AAGUID: aaguidText(cred.Authenticator.AAGUID),
		CredentialID: cred.ID, PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount, UserHandle: handle,
		AttestationFormat: cred.AttestationFormat,
	}
}

// aaguidText returns an AAGUID as a UUID in text; the nil UUID when it
// is missing or malformed.
func aaguidText(b []byte) string {
	u, err := uuid.FromBytes(b)
	if err != nil {
		return uuid.Nil.String()
	}
	return u.String()
}

// aaguidBytes is the inverse of aaguidText; nil for a malformed text.
func aaguidBytes(s string) []byte {
	u, err := uuid.Parse(s)
	if err != nil {
		return nil
	}
	return u[:]
}

// cleanName trims a passkey's name and checks it; empty means
// DefaultName.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return DefaultName, nil
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameLen || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", ErrInvalidName
	}
	return name, nil
}

package passkey

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Passkey is one registered WebAuthn credential of an account. Its JSON
// form is what a settings page lists; the credential ID, public key,
// sign count and user handle are stored but never marshalled.
type Passkey struct {
	// ID is the SDK's ID of the passkey ("pk_…"), used by Rename and
	// Remove.
	ID string `json:"id"`
	// AccountID is the account the passkey signs in to.
	AccountID string `json:"account_id"`
	// Name is the person's name for it, 1 to MaxNameLen characters.
	Name string `json:"name"`
	// CreatedAt is when it was registered.
	CreatedAt time.Time `json:"created_at"`
	// LastUsedAt is when it last signed in or re-authenticated; zero when
	// never.
	LastUsedAt time.Time `json:"last_used_at"`
	// Transports are how the browser reaches the authenticator
	// ("internal", "hybrid", "usb", "nfc", "ble"), as it reported them.
	Transports []string `json:"transports"`
	// BackupEligible says the credential may be synced to other devices
	// (a multi-device passkey); BackupState that it currently is.
	BackupEligible bool `json:"backup_eligible"`
	BackupState    bool `json:"backup_state"`
	// AAGUID names the authenticator's model, as a UUID in text; all
	// zeros when the authenticator does not say.
	AAGUID string `json:"aaguid"`
	// CredentialID is the WebAuthn credential ID, unique in the store.
	CredentialID []byte `json:"-"`
	// PublicKey is the credential's public key (a COSE key).
	PublicKey []byte `json:"-"`
	// SignCount is the authenticator's signature counter as last seen.
	SignCount uint32 `json:"-"`
	// UserHandle is the WebAuthn user handle of the account, the same
	// for every passkey of the account; the authenticator returns it at
	// a passwordless sign-in, and the account is found from it.
	UserHandle []byte `json:"-"`
	// AttestationFormat is the attestation statement format of the
	// registration ("none", "packed", …).
	AttestationFormat string `json:"-"`
}

// Kind names the ceremony a Ceremony record was begun for.
type Kind string

// The ceremonies.
const (
	KindRegistration     Kind = "registration"
	KindSignIn           Kind = "sign_in"
	KindSecondFactor     Kind = "second_factor"
	KindReauthentication Kind = "reauthentication"
)

// Digest is the SHA-256 of a ceremony ID: what the store keeps instead
// of it.
type Digest [sha256.Size]byte

// DigestOf returns the digest of a ceremony ID.
func DigestOf(ceremonyID string) Digest { return sha256.Sum256([]byte(ceremonyID)) }

// CeremonyRecord is a begun ceremony as the store keeps it, until its
// finish consumes it or it expires.
type CeremonyRecord struct {
	// Digest is the digest of the ceremony's ID.
	Digest Digest
	Kind   Kind
	// AccountID is the account the ceremony is for; empty for a
	// passwordless sign-in, whose account is not known yet.
	AccountID string
	// SessionID is the session a registration or re-authentication was
	// begun from; empty otherwise.
	SessionID string
	// Data is the WebAuthn session data (the challenge and what the
	// finish checks against), opaque to the store.
	Data []byte
	// CreatedAt and ExpiresAt bound the ceremony's life.
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Store persists passkeys and begun ceremonies. It is implemented by
// storage/memory, storage/sqlstore and any host adapter that passes
// storagetest.TestPasskeyStore. The rules (how many per account, what
// sign count is acceptable, when a ceremony expires) are the Service's;
// the store reads and writes. Passkeys are keyed by account, so they move
// with their account when a merge moves it to another profile.
type Store interface {
	// CreatePasskey stores a new passkey. It returns storage.ErrConflict
	// when its ID or credential ID exists, and storage.ErrNotFound when
	// its account does not exist.
	CreatePasskey(ctx context.Context, p Passkey) error
	// PasskeysOfAccount returns the passkeys of the account, oldest first
	// (ties by ID); none for an unknown account.
	PasskeysOfAccount(ctx context.Context, accountID string) ([]Passkey, error)
	// PasskeyByCredentialID returns the passkey with the credential ID, or
	// storage.ErrNotFound.
	PasskeyByCredentialID(ctx context.Context, credentialID []byte) (Passkey, error)
	// PasskeysByUserHandle returns the passkeys whose user handle is
	// handle (those of one account), oldest first; none when no passkey
	// has it.
	PasskeysByUserHandle(ctx context.Context, handle []byte) ([]Passkey, error)
	// RenamePasskey sets the name of the account's passkey. It returns
	// storage.ErrNotFound when the account has no passkey with the ID.
	RenamePasskey(ctx context.Context, accountID, id, name string) error
	// UsePasskey records a use of the passkey: its sign count becomes
	// next, its backup state backedUp and LastUsedAt at, only if its sign
	// count is still old (a compare-and-set, so that two uses of one
	// counter value cannot both pass). It returns storage.ErrConflict when
	// the sign count is no longer old and storage.ErrNotFound for an
	// unknown ID.
	UsePasskey(ctx context.Context, id string, old, next uint32, backedUp bool, at time.Time) error
	// DeletePasskey deletes the account's passkey. It returns
	// storage.ErrNotFound when the account has no passkey with the ID.
	DeletePasskey(ctx context.Context, accountID, id string) error
	// DeletePasskeysOfAccount deletes every passkey of the account and
	// returns how many; an account without any is not an error.
	DeletePasskeysOfAccount(ctx context.Context, accountID string) (int, error)

	// CreatePasskeyCeremony stores a begun ceremony. It returns
	// storage.ErrConflict when its digest exists.
	CreatePasskeyCeremony(ctx context.Context, c CeremonyRecord) error
	// ConsumePasskeyCeremony deletes the ceremony with the digest and
	// returns it, atomically: of two concurrent calls, one gets it and
	// the other storage.ErrNotFound, as does an unknown digest. It
	// returns an expired ceremony like any other; the Service decides.
	ConsumePasskeyCeremony(ctx context.Context, d Digest) (CeremonyRecord, error)
	// DeletePasskeyCeremoniesBefore deletes the ceremonies that expired
	// before t and returns how many.
	DeletePasskeyCeremoniesBefore(ctx context.Context, t time.Time) (int, error)
}

// Limits of a passkey's name.
const (
	// MaxNameLen is the longest name, in characters.
	MaxNameLen = 64
	// DefaultName names a passkey registered without a name.
	DefaultName = "Passkey"
)

// Errors of the package. Check them with errors.Is. A refused sign-in,
// second factor or re-authentication answers account.ErrInvalidCredentials,
// a throttled one account.ErrThrottled, and an account whose identity
// provider owns its sign-in account.ErrSSOManaged, as every other
// credential of the SDK does.
var (
	// ErrUnavailable means passkeys are off: the service has no relying
	// party ID (usersettings.Options.PasskeyRPID).
	ErrUnavailable = errs.New(errs.Unavailable, "passkeys_unavailable", "passkey: passkeys are not configured")
	// ErrCeremonyExpired means the ceremony a finish names is unknown,
	// already finished (a replayed response) or too old: begin again.
	ErrCeremonyExpired = errs.New(errs.Expired, "ceremony_expired", "passkey: ceremony unknown, used or expired")
	// ErrInvalidResponse means the browser's response to a registration
	// was refused: malformed, from another origin or relying party, for
	// another challenge, without user verification when it is required,
	// or with an attestation that does not verify.
	ErrInvalidResponse = errs.New(errs.Invalid, "invalid_passkey", "passkey: invalid registration response")
	// ErrInvalidName means a passkey name is empty after trimming, longer
	// than MaxNameLen characters or holds control characters.
	ErrInvalidName = errs.New(errs.Invalid, "invalid_passkey_name", "passkey: invalid name")
	// ErrLimitReached means the account has as many passkeys as it may
	// (Config.MaxPerAccount); it comes in a *LimitError.
	ErrLimitReached = errs.New(errs.Conflict, "passkey_limit", "passkey: too many passkeys")
	// ErrAlreadyRegistered means the credential is registered already.
	ErrAlreadyRegistered = errs.New(errs.Conflict, "passkey_exists", "passkey: credential already registered")
	// ErrNoPasskey means the account has no passkey to sign in with.
	ErrNoPasskey = errs.New(errs.Conflict, "no_passkey", "passkey: the account has no passkey")
	// ErrNotFound means the caller's account has no passkey with the ID:
	// another account's and an unknown ID look alike. It matches
	// storage.ErrNotFound too.
	ErrNotFound = storage.NotFound("passkey: no such passkey of yours")
)

// LimitError is ErrLimitReached with the limit.
type LimitError struct {
	// Max is the most passkeys an account may have.
	Max int
}

// Error says what the limit is.
func (e *LimitError) Error() string {
	return fmt.Sprintf("passkey: an account may have at most %d passkeys", e.Max)
}

// Unwrap returns ErrLimitReached.
func (e *LimitError) Unwrap() error { return ErrLimitReached }

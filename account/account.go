package account

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// Status is the lifecycle state of an account.
type Status string

// Account statuses.
const (
	StatusActive      Status = "active"
	StatusDeactivated Status = "deactivated"
)

// Account is one login account. Several accounts may belong to one profile.
type Account struct {
	ID        string
	ProfileID string
	// Email is the normalised login address (see NormalizeEmail); it is
	// unique across accounts.
	Email string
	// PasswordHash is a PHC string (argon2id, or an imported bcrypt hash);
	// empty for accounts that sign in through single sign-on. It never
	// appears in String or GoString output, nor in JSON.
	PasswordHash      string `json:"-"`
	PasswordChangedAt time.Time
	Status            Status
	Marketing         bool  // opted in to marketing communications
	Credits           int64 // credits stay on the account that earned them
	CreatedAt         time.Time
	// SSOConnection is the id of the single-sign-on connection the
	// account signs in through (package account/sso), and SSOSubject the
	// identity provider's subject ("sub" claim) of the person. Both are
	// empty for a password account; an account with them has no
	// password.
	SSOConnection string
	SSOSubject    string
}

// SSO reports whether the account signs in through single sign-on.
func (a Account) SSO() bool { return a.SSOConnection != "" }

// String describes the account without its password hash.
func (a Account) String() string {
	if a.SSO() {
		return fmt.Sprintf("account{id=%s profile=%s email=%s status=%s sso=%s}", a.ID, a.ProfileID, a.Email, a.Status, a.SSOConnection)
	}
	return fmt.Sprintf("account{id=%s profile=%s email=%s status=%s}", a.ID, a.ProfileID, a.Email, a.Status)
}

// GoString is String, so %#v does not print the password hash either.
func (a Account) GoString() string { return a.String() }

// PendingKind says what confirming a pending account does.
type PendingKind string

// Pending account kinds.
const (
	// PendingSignUp creates a new profile for the account.
	PendingSignUp PendingKind = "signup"
	// PendingAddAccount adds the account to an existing profile.
	PendingAddAccount PendingKind = "add_account"
)

// Pending is a sign-up or add-account request waiting for its emailed code.
type Pending struct {
	ID           string
	Kind         PendingKind
	Email        string // normalised
	PasswordHash string // PHC string; never printed
	Marketing    bool
	// ProfileID is the profile the account joins (PendingAddAccount) and
	// RequestedBy the signed-in account that asked; both empty for sign-up.
	ProfileID   string
	RequestedBy string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// String describes the pending request without its password hash.
func (p Pending) String() string {
	return fmt.Sprintf("pending{id=%s kind=%s email=%s}", p.ID, p.Kind, p.Email)
}

// GoString is String, so %#v does not print the password hash either.
func (p Pending) GoString() string { return p.String() }

// Reader is the read role other packages need of the accounts: find one
// account, or the accounts of a profile. Token, session and two-factor
// services take it instead of the whole Store.
type Reader interface {
	// Account returns the account with the ID, or storage.ErrNotFound.
	Account(ctx context.Context, id string) (Account, error)
	// AccountsOfProfile returns the accounts of the profile, oldest first
	// (ties broken by ID); an unknown profile has none.
	AccountsOfProfile(ctx context.Context, profileID string) ([]Account, error)
}

// Profiles is the role of the profile store the account service uses:
// sign-up creates a profile, deleting the last account deletes it.
type Profiles interface {
	// CreateProfile stores a new profile; see profile.Store.
	CreateProfile(ctx context.Context, p profile.Profile) error
	// DeleteProfile deletes the profile; see profile.Store.
	DeleteProfile(ctx context.Context, id string) error
}

// Store persists accounts and pending sign-ups. It is implemented by
// storage/memory, storage/sqlstore and any host adapter that passes
// storagetest.TestAccountStore.
type Store interface {
	// CreateAccount stores a new account. It returns storage.ErrConflict
	// when the ID, the email (compared case-insensitively) or a non-empty
	// SSOConnection and SSOSubject pair is taken.
	CreateAccount(ctx context.Context, a Account) error
	// Account returns the account with the ID, or storage.ErrNotFound.
	Account(ctx context.Context, id string) (Account, error)
	// AccountByEmail returns the account with the normalised email, or
	// storage.ErrNotFound.
	AccountByEmail(ctx context.Context, email string) (Account, error)
	// AccountsOfProfile returns the accounts of the profile, oldest first
	// (ties broken by ID); an unknown profile has none.
	AccountsOfProfile(ctx context.Context, profileID string) ([]Account, error)
	// UpdateAccount replaces the stored account with the same ID (all
	// fields but CreatedAt). It returns storage.ErrNotFound, or
	// storage.ErrConflict when the new email, or the new SSOConnection
	// and SSOSubject pair, is taken.
	UpdateAccount(ctx context.Context, a Account) error
	// DeleteAccount deletes the account. It returns storage.ErrNotFound.
	DeleteAccount(ctx context.Context, id string) error
	// MoveAccounts gives toProfileID to every account of fromProfileID,
	// in one step (a merge of profiles); the accounts keep everything
	// else (status, credits). It returns storage.ErrNotFound when
	// toProfileID does not exist; fromProfileID == toProfileID changes
	// nothing.
	MoveAccounts(ctx context.Context, fromProfileID, toProfileID string) error

	// CreatePending stores a pending request. It returns
	// storage.ErrConflict when the ID exists.
	CreatePending(ctx context.Context, p Pending) error
	// Pending returns the pending request, or storage.ErrNotFound.
	Pending(ctx context.Context, id string) (Pending, error)
	// DeletePending deletes the pending request. It returns
	// storage.ErrNotFound.
	DeletePending(ctx context.Context, id string) error
	// DeletePendingBefore deletes pending requests that expired before t
	// and returns how many it deleted.
	DeletePendingBefore(ctx context.Context, t time.Time) (int, error)
	// DeletePendingRequestedBy deletes the pending requests whose
	// RequestedBy is the account and returns how many it deleted; used
	// when the account is erased.
	DeletePendingRequestedBy(ctx context.Context, accountID string) (int, error)
}

package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// ErrInvalidPasswordHash means a password hash a host imports is not one
// the SDK verifies: malformed, of an unsupported algorithm, or with cost
// parameters out of bounds (see password.CheckHash, whose error the
// message names).
var ErrInvalidPasswordHash = errs.New(errs.Invalid, "invalid_password_hash", "account: invalid imported password hash")

// ProvisionInput describes a person the host has already verified, for
// Provision.
type ProvisionInput struct {
	// Email is the person's login address; it is normalised
	// (NormalizeEmail).
	Email string
	// PasswordHash is a hash the host imports from its own user table:
	// argon2id (PHC), bcrypt ($2a$, $2b$, $2y$) or scrypt (PHC $scrypt$
	// or modular-crypt $7$), as password.CheckHash accepts. It is
	// verified at sign-in (Authenticate) and replaced by an argon2id hash
	// of the password on the first success. Empty means the account has
	// no password: a host that keeps sign-in to itself. It never appears
	// in String output.
	PasswordHash string
	// PasswordChangedAt is when the person last set that password, for
	// the maximum password age; the zero time means now. It is ignored
	// without a PasswordHash.
	PasswordChangedAt time.Time
	// Marketing records the person's consent to marketing mail.
	Marketing bool
}

// String describes the input without its password hash.
func (in ProvisionInput) String() string {
	return fmt.Sprintf("provision{email=%s password=%t}", in.Email, in.PasswordHash != "")
}

// GoString is String, so %#v does not print the hash either.
func (in ProvisionInput) GoString() string { return in.String() }

// Provisioned is the outcome of Provision.
type Provisioned struct {
	// Account is the account of the address, without its password hash.
	Account Account
	// Created is true when Provision made the account (and its profile),
	// false when the address already had one, which it left unchanged.
	Created bool
}

// Provision creates, or finds by address, the account of a person the
// host has already verified (its own sign-up, an import of its users),
// with an empty private profile. No code is sent and no notice is mailed:
// the host vouches for the address. It is a host operation, like Get: it
// checks no caller, and its answers need not hide whether an address has
// an account.
//
// When the address already has an account, Provision returns it with
// Created false and changes nothing, not even its password: calling it
// again with the same input is safe. Otherwise it creates an active
// account and its profile in one transaction, with the history entry of
// the new account and a securitylog.AccountProvisioned event, and returns
// Created true.
//
// The account is a password account, never a single-sign-on one. It has
// the imported hash of in.PasswordHash, or no password at all: such an
// account cannot sign in through Authenticate (which answers
// ErrInvalidCredentials), but can enrol a second factor, and its person
// can still choose a password with a reset code when the host offers
// that flow. An imported hash is not plaintext, so the password policy
// cannot judge it; the policy applies when the person next changes the
// password.
//
// The company is resolved as at sign-up: an address whose company
// enforces single sign-on is refused with ErrSSORequired (such people
// sign in through their identity provider, which creates their account).
// It returns ErrInvalidEmail, ErrInvalidPasswordHash, ErrSSORequired, and
// ErrEmailTaken when a concurrent call created the address first (call
// again: it then finds that account).
//
// Provision joins the transaction ctx carries. With
// sqlstore.Store.WithTx, the host's own *sql.Tx: the host's row and the
// account then commit or roll back together.
func (s *Service) Provision(ctx context.Context, in ProvisionInput) (Provisioned, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return Provisioned{}, err
	}
	if in.PasswordHash != "" {
		if err := password.CheckHash(in.PasswordHash); err != nil {
			return Provisioned{}, fmt.Errorf("%w: %v", ErrInvalidPasswordHash, err)
		}
	}
	var out Provisioned
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.accounts.AccountByEmail(ctx, email)
		if err == nil {
			out = Provisioned{Account: public(a)}
			return nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("account: looking up email: %w", err)
		}
		if sso, err := s.sso(ctx, email); err != nil {
			return err
		} else if sso {
			return ErrSSORequired
		}
		a, err = s.provision(ctx, email, in)
		out = Provisioned{Account: public(a), Created: true}
		return err
	})
	if err != nil {
		return Provisioned{}, err
	}
	return out, nil
}

// provision creates the profile and the account of the normalised
// address, in ctx's transaction, and records them.
func (s *Service) provision(ctx context.Context, email string, in ProvisionInput) (Account, error) {
	prf, err := id.New(s.rand, "prf_")
	if err != nil {
		return Account{}, fmt.Errorf("account: %w", err)
	}
	aid, err := id.New(s.rand, "acc_")
	if err != nil {
		return Account{}, fmt.Errorf("account: %w", err)
	}
	now := s.now()
	if err := s.profiles.CreateProfile(ctx, profile.Profile{ID: prf, CreatedAt: now, UpdatedAt: now}); err != nil {
		return Account{}, fmt.Errorf("account: creating profile: %w", err)
	}
	a := Account{
		ID: aid, ProfileID: prf, Email: email, PasswordHash: in.PasswordHash, PasswordChangedAt: now,
		Status: StatusActive, Marketing: in.Marketing, CreatedAt: now,
	}
	if in.PasswordHash != "" && !in.PasswordChangedAt.IsZero() && in.PasswordChangedAt.Before(now) {
		a.PasswordChangedAt = in.PasswordChangedAt.UTC()
	}
	if err := s.accounts.CreateAccount(ctx, a); errors.Is(err, storage.ErrConflict) {
		return Account{}, ErrEmailTaken
	} else if err != nil {
		return Account{}, fmt.Errorf("account: creating account: %w", err)
	}
	if err := s.record(ctx, prf, aid, "account", history.ActionAdded, aid, now); err != nil {
		return Account{}, err
	}
	detail := "by the host, without a password"
	if in.PasswordHash != "" {
		detail = "by the host, with an imported password hash"
	}
	return a, s.logEvents(ctx, securitylog.Event{
		Kind: securitylog.AccountProvisioned, ProfileID: prf, AccountID: aid, At: now, Detail: detail,
	})
}

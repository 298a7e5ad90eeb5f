package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Passwords checks the current password of an account: the check that
// package twofactor makes before turning a second factor off. It needs
// only the accounts and the hasher, so a host (and usersettings.New) makes
// it before both services, and neither service waits for the other to be
// built. The account Service makes one of its own.
type Passwords struct {
	accounts Reader
	hasher   Hasher
}

// NewPasswords returns the checker of the accounts' passwords; a nil
// hasher means password.DefaultHasher().
func NewPasswords(accounts Reader, hasher Hasher) *Passwords {
	if accounts == nil {
		panic("account: NewPasswords needs accounts")
	}
	if hasher == nil {
		hasher = password.DefaultHasher()
	}
	return &Passwords{accounts: accounts, hasher: hasher}
}

// CheckPassword returns nil when pw is the password of the active,
// password-using account, and ErrInvalidCredentials otherwise, after
// about the same work in every case: an unknown account is checked
// against a dummy hash.
func (p *Passwords) CheckPassword(ctx context.Context, accountID, pw string) error {
	a, err := p.accounts.Account(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		p.hasher.VerifyDummy(ctx, pw)
		return ErrInvalidCredentials
	}
	if err != nil {
		return fmt.Errorf("account: loading account: %w", err)
	}
	ok, err := p.verify(ctx, a, pw)
	if err != nil {
		return err
	}
	if !ok || a.Status != StatusActive {
		return ErrInvalidCredentials
	}
	return nil
}

// verify checks pw against a's hash; an account without one (single
// sign-on) never matches.
func (p *Passwords) verify(ctx context.Context, a Account, pw string) (bool, error) {
	if a.PasswordHash == "" {
		p.hasher.VerifyDummy(ctx, pw)
		return false, nil
	}
	ok, _, err := p.hasher.Verify(ctx, pw, a.PasswordHash)
	if err != nil {
		return false, fmt.Errorf("account: verifying password: %w", err)
	}
	return ok, nil
}

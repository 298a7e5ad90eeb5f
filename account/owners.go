package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Owners resolves the profile a caller's account acts on (auth.Owners)
// from the accounts alone, so the services that need it can be built
// before the account Service.
type Owners struct{ accounts Reader }

// NewOwners returns the auth.Owners of the accounts.
func NewOwners(accounts Reader) *Owners {
	if accounts == nil {
		panic("account: NewOwners needs accounts")
	}
	return &Owners{accounts: accounts}
}

var _ auth.Owners = (*Owners)(nil)

// OwnerProfile returns the profile of the active account; an unknown or
// deactivated account gives auth.ErrForbidden.
func (o *Owners) OwnerProfile(ctx context.Context, accountID string) (string, error) {
	a, err := o.accounts.Account(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", fmt.Errorf("account: unknown account: %w", auth.ErrForbidden)
	}
	if err != nil {
		return "", fmt.Errorf("account: resolving owner: %w", err)
	}
	if a.Status != StatusActive {
		return "", fmt.Errorf("account: account not active: %w", auth.ErrForbidden)
	}
	return a.ProfileID, nil
}

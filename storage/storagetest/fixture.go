package storagetest

import (
	"context"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
)

// Fixture is how a suite seeds and changes the parent rows its records
// hang on: profiles and accounts. Any adapter that implements
// profile.Store and account.Store has it, so a host that checks only its
// token.Store (say) needs these four methods besides, not the whole of
// every other Store.
type Fixture interface {
	// CreateProfile stores a new profile; see profile.Store.
	CreateProfile(ctx context.Context, p profile.Profile) error
	// CreateAccount stores a new account; see account.Store.
	CreateAccount(ctx context.Context, a account.Account) error
	// UpdateAccount replaces a stored account; see account.Store.
	UpdateAccount(ctx context.Context, a account.Account) error
	// DeleteAccount deletes an account; see account.Store.
	DeleteAccount(ctx context.Context, id string) error
}

package account

import (
	"context"
	"errors"
	"fmt"
)

// Change names what happened to an account's credentials, for Revokers.
type Change string

// The changes the account service reports to its Revokers.
const (
	// ChangeDeactivated: the account was deactivated; nothing it started
	// may go on.
	ChangeDeactivated Change = "deactivated"
	// ChangePasswordReset: the password was reset with an emailed code,
	// possibly by someone who stole it; every session ends.
	ChangePasswordReset Change = "password_reset"
	// ChangeLinked: the account was linked to a single-sign-on identity
	// and its password retired; every session ends, since a session
	// opened with that password may not be the person's.
	ChangeLinked Change = "sso_linked"
	// ChangePasswordChanged: the signed-in person changed the password;
	// cached credentials go, while ending the other sessions is the
	// caller's (it knows which session is its own).
	ChangePasswordChanged Change = "password_changed"
)

// Revoker stops at once what an account's credentials started elsewhere
// when they change or end: the token service forgets its cached API key
// validations, the session service ends sessions. The account service
// calls every Config.Revokers after the change committed.
type Revoker interface {
	RevokeAccount(ctx context.Context, accountID string, c Change) error
}

// revoke tells every Revoker about the change. The change is committed
// already, so every Revoker runs even when one fails, and the failures
// are returned together.
func (s *Service) revoke(ctx context.Context, accountID string, c Change) error {
	var errs []error
	for _, r := range s.revokers {
		if err := r.RevokeAccount(ctx, accountID, c); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("account: revoking after %s: %w", c, err)
	}
	return nil
}

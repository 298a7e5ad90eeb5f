package account

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
)

// AccountView is one line of the accounts overview of a profile.
type AccountView struct {
	ID        string
	Email     string
	Company   string // empty when the address has no known company
	SSO       bool   // the company enforces single sign-on, or the account is linked to an identity provider
	Status    Status
	CreatedAt time.Time
	// PasswordChangedAt is when the password last changed.
	PasswordChangedAt time.Time
	// SignedIn marks the account the overview was asked for.
	SignedIn bool
}

// Get returns the account without its password hash, or ErrNotFound.
func (s *Service) Get(ctx context.Context, accountID string) (Account, error) {
	a, err := s.get(ctx, accountID)
	return public(a), err
}

// Accounts lists every account of the signed-in account's profile, oldest
// first, with its company, single-sign-on flag and status, marking the
// signed-in one. It returns ErrNotFound for an unknown account.
func (s *Service) Accounts(ctx context.Context, signedInAccountID string) ([]AccountView, error) {
	me, err := s.get(ctx, signedInAccountID)
	if err != nil {
		return nil, err
	}
	all, err := s.accounts.AccountsOfProfile(ctx, me.ProfileID)
	if err != nil {
		return nil, fmt.Errorf("account: listing accounts: %w", err)
	}
	out := make([]AccountView, 0, len(all))
	for _, a := range all {
		c, _, err := s.company(ctx, a.Email)
		if err != nil {
			return nil, err
		}
		out = append(out, AccountView{
			ID: a.ID, Email: a.Email, Company: c.Name, SSO: c.SSO || a.SSO(), Status: a.Status,
			CreatedAt: a.CreatedAt, PasswordChangedAt: a.PasswordChangedAt, SignedIn: a.ID == me.ID,
		})
	}
	return out, nil
}

// Deactivate blocks the account: it can no longer sign in (Authenticate
// answers ErrInvalidCredentials, single sign-on refuses it) and packages
// that check the status, such as token validation, refuse it at once.
// It is an admin action the host calls (for a leaver, say); it is
// recorded in the history without an acting account. Deactivating a
// deactivated account changes nothing. It returns ErrNotFound.
func (s *Service) Deactivate(ctx context.Context, accountID string) error {
	if err := s.setStatus(ctx, accountID, StatusDeactivated); err != nil {
		return err
	}
	return s.revoke(ctx, accountID, ChangeDeactivated)
}

// Reactivate lifts a deactivation. It returns ErrNotFound.
func (s *Service) Reactivate(ctx context.Context, accountID string) error {
	return s.setStatus(ctx, accountID, StatusActive)
}

func (s *Service) setStatus(ctx context.Context, accountID string, st Status) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.get(ctx, accountID)
		if err != nil || a.Status == st {
			return err
		}
		a.Status = st
		if err := s.accounts.UpdateAccount(ctx, a); err != nil {
			return fmt.Errorf("account: storing status: %w", err)
		}
		return s.record(ctx, a.ProfileID, "", "account_status", history.ActionSet, string(st)+" "+a.ID, s.now())
	})
}

// Delete deletes the signed-in account and everything stored about it.
// Only the signed-in account can delete itself: any other accountID gives
// ErrForbidden. In one transaction every Config.Erasers' EraseAccount
// runs, the account's pending requests, codes and send log go, and the
// account is deleted. When it was the last account of its profile, every
// Eraser's EraseProfile runs and the profile with its history is deleted
// too; otherwise the deletion is recorded in the profile's history and the
// remaining accounts get a notice. Any failure rolls everything back.
func (s *Service) Delete(ctx context.Context, signedInAccountID, accountID string) error {
	if signedInAccountID != accountID {
		return ErrForbidden
	}
	var remaining []Account
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.get(ctx, accountID)
		if err != nil {
			return err
		}
		if err := s.eraseAccount(ctx, a); err != nil {
			return err
		}
		if remaining, err = s.accounts.AccountsOfProfile(ctx, a.ProfileID); err != nil {
			return fmt.Errorf("account: listing accounts: %w", err)
		}
		if len(remaining) > 0 {
			return s.record(ctx, a.ProfileID, "", "account", history.ActionRemoved, a.ID, s.now())
		}
		return s.eraseProfile(ctx, a.ProfileID)
	})
	if err != nil {
		return err
	}
	s.notices.Send(ctx, notify.Notice{Kind: notify.NoticeAccountDeleted, At: s.now()}, emails(remaining)...)
	return nil
}

// eraseAccount removes a and everything stored about it, in ctx's
// transaction.
func (s *Service) eraseAccount(ctx context.Context, a Account) error {
	for _, e := range s.erasers {
		if err := e.EraseAccount(ctx, a.ID); err != nil {
			return fmt.Errorf("account: erasing account data: %w", err)
		}
	}
	if _, err := s.accounts.DeletePendingRequestedBy(ctx, a.ID); err != nil {
		return fmt.Errorf("account: deleting pending requests: %w", err)
	}
	if err := s.codes.Forget(ctx, a.Email); err != nil {
		return err
	}
	if err := s.accounts.DeleteAccount(ctx, a.ID); err != nil {
		return fmt.Errorf("account: deleting account: %w", err)
	}
	return nil
}

// eraseProfile removes a profile that has no account left, in ctx's
// transaction.
func (s *Service) eraseProfile(ctx context.Context, profileID string) error {
	for _, e := range s.erasers {
		if err := e.EraseProfile(ctx, profileID); err != nil {
			return fmt.Errorf("account: erasing profile data: %w", err)
		}
	}
	if err := s.history.DeleteHistoryOfProfile(ctx, profileID); err != nil {
		return fmt.Errorf("account: deleting history: %w", err)
	}
	if err := s.profiles.DeleteProfile(ctx, profileID); err != nil {
		return fmt.Errorf("account: deleting profile: %w", err)
	}
	return nil
}

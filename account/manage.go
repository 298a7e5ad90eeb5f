package account

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// AccountView is one line of the accounts overview of a profile.
type AccountView struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Company   string    `json:"company"` // empty when the address has no known company
	SSO       bool      `json:"sso"`     // the company enforces single sign-on, or the account is linked to an identity provider
	Status    Status    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	// PasswordChangedAt is when the password last changed.
	PasswordChangedAt time.Time `json:"password_changed_at,omitzero"`
	// SignedIn marks the account the overview was asked for.
	SignedIn bool `json:"signed_in"`
}

// Get returns the account without its password hash, or ErrNotFound. It
// is a lookup for the host (finding the account of a session it
// validated), not a self-service operation: it checks no caller.
func (s *Service) Get(ctx context.Context, accountID string) (Account, error) {
	a, err := s.get(ctx, accountID)
	return public(a), err
}

// Accounts lists every account of the caller's profile, oldest first,
// with its company, single-sign-on flag and status, marking the caller's
// own. It returns an error matching auth.ErrForbidden for a token or API
// key caller or an account that is unknown or not active.
func (s *Service) Accounts(ctx context.Context, c auth.Caller) ([]AccountView, error) {
	me, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	all, err := s.accounts.AccountsOfProfile(ctx, me.ProfileID)
	if err != nil {
		return nil, fmt.Errorf("account: listing accounts: %w", err)
	}
	out := make([]AccountView, 0, len(all))
	for _, a := range all {
		co, _, err := s.company(ctx, a.Email)
		if err != nil {
			return nil, err
		}
		out = append(out, AccountView{
			ID: a.ID, Email: a.Email, Company: co.Name, SSO: co.SSO || a.SSO(), Status: a.Status,
			CreatedAt: a.CreatedAt, PasswordChangedAt: a.PasswordChangedAt, SignedIn: a.ID == me.ID,
		})
	}
	return out, nil
}

// AdminDeactivate blocks the account on behalf of support staff (for a
// leaver, say): it can no longer sign in (Authenticate answers
// ErrInvalidCredentials, single sign-on refuses it), packages that check
// the status, such as token validation, refuse it at once, and every
// Revoker is told (ChangeDeactivated), which ends all its sessions and
// empties this process's API-key cache for it. The operation is recorded
// in the profile's history and security log with the admin and the
// reason. Deactivating a deactivated account changes nothing. It returns
// auth.ErrInvalidCaller for an invalid admin and ErrNotFound.
func (s *Service) AdminDeactivate(ctx context.Context, admin auth.Admin, accountID string) error {
	return s.setStatus(ctx, admin, accountID, StatusDeactivated)
}

// AdminReactivate lifts a deactivation on behalf of support staff,
// recorded like AdminDeactivate. It returns auth.ErrInvalidCaller and
// ErrNotFound.
func (s *Service) AdminReactivate(ctx context.Context, admin auth.Admin, accountID string) error {
	return s.setStatus(ctx, admin, accountID, StatusActive)
}

func (s *Service) setStatus(ctx context.Context, admin auth.Admin, accountID string, st Status) error {
	if err := admin.Valid(); err != nil {
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.get(ctx, accountID)
		if err != nil || a.Status == st {
			return err
		}
		a.Status = st
		if err := s.accounts.UpdateAccount(ctx, a); err != nil {
			return fmt.Errorf("account: storing status: %w", err)
		}
		if err := s.recordAdmin(ctx, admin, a, "account_status", history.ActionSet, string(st)); err != nil {
			return err
		}
		if st == StatusDeactivated {
			return s.revoke(ctx, a.ID, ChangeDeactivated)
		}
		return nil
	})
}

// recordAdmin records an admin operation on the account a in the
// profile's history (with no acting account; the detail names the admin
// and the reason) and security log (securitylog.Admin), in ctx's
// transaction.
func (s *Service) recordAdmin(ctx context.Context, admin auth.Admin, a Account, item string, action history.Action, what string) error {
	now := s.now()
	if err := s.record(ctx, a.ProfileID, "", item, action, what+" "+a.ID+" by "+admin.String(), now); err != nil {
		return err
	}
	return s.logEvents(ctx, securitylog.Event{
		Kind: securitylog.Admin, ProfileID: a.ProfileID, AccountID: a.ID, At: now,
		Admin: admin.ID, Detail: item + " " + what + ": " + admin.Reason,
	})
}

// Delete deletes one account of the caller's profile (the caller's own
// or another of its login accounts) and everything stored about it. It
// is a sensitive operation: the caller must have signed in within
// Config.FreshFor (auth.ErrReauthenticationRequired); a token or API key
// gets auth.ErrForbidden. An account of another profile answers
// ErrNotFound, exactly as an unknown one.
//
// In one transaction Config.Erasure erases the account and everything
// stored about it (its pending requests, codes and send log too). When it
// was the last account of its profile, the erasure erases the profile
// with its history too; otherwise the deletion is recorded in the
// profile's history and security log and the remaining accounts get a
// notice. Any failure rolls everything back. After the commit the
// erasure scrubs the storage, so no deleted value stays in its files; a
// scrub failure is returned after a successful deletion, wrapped with
// "personaldata: scrub".
func (s *Service) Delete(ctx context.Context, c auth.Caller, accountID string) error {
	me, err := s.freshCaller(ctx, c)
	if err != nil {
		return err
	}
	return s.deleteAccount(ctx, me.ProfileID, accountID, func(ctx context.Context, a Account) error {
		now := s.now()
		if err := s.record(ctx, a.ProfileID, me.ID, "account", history.ActionRemoved, a.ID, now); err != nil {
			return err
		}
		e := securitylog.FromCaller(securitylog.AccountDeleted, a.ProfileID, c)
		e.AccountID, e.Detail, e.At = a.ID, a.Email, now
		return s.logEvents(ctx, e)
	})
}

// AdminDelete deletes, on behalf of support staff, one account that its
// person can no longer reach (a former employer's address, say), as
// Delete does, recording the admin and the reason in the profile's
// history and security log. Deleting the last account of a profile
// erases the profile. It returns auth.ErrInvalidCaller for an invalid
// admin and ErrNotFound.
func (s *Service) AdminDelete(ctx context.Context, admin auth.Admin, accountID string) error {
	if err := admin.Valid(); err != nil {
		return err
	}
	return s.deleteAccount(ctx, "", accountID, func(ctx context.Context, a Account) error {
		return s.recordAdmin(ctx, admin, a, "account", history.ActionRemoved, "deleted")
	})
}

// ErrNoErasure means Delete or AdminDelete was called on a Service
// without Config.Erasure: a programming error of the host.
var ErrNoErasure = errs.New(errs.Internal, "erasure_not_configured", "account: deleting needs Config.Erasure")

// deleteAccount deletes the account in one transaction; profileID, when
// set, is the only profile it may belong to (else ErrNotFound). recorded
// runs in the transaction when accounts remain on the profile. The
// account, and the profile when it was its last account, go through
// Config.Erasure; after the commit the erasure scrubs the storage.
func (s *Service) deleteAccount(ctx context.Context, profileID, accountID string, recorded func(context.Context, Account) error) error {
	if s.erasure == nil {
		return ErrNoErasure
	}
	var remaining []Account
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.get(ctx, accountID)
		if err != nil {
			return err
		}
		if profileID != "" && a.ProfileID != profileID {
			return ErrNotFound
		}
		if err := s.erasure.EraseAccount(ctx, a.ID); err != nil {
			return fmt.Errorf("account: erasing account: %w", err)
		}
		if remaining, err = s.accounts.AccountsOfProfile(ctx, a.ProfileID); err != nil {
			return fmt.Errorf("account: listing accounts: %w", err)
		}
		if len(remaining) == 0 {
			if err := s.erasure.EraseProfile(ctx, a.ProfileID); err != nil {
				return fmt.Errorf("account: erasing profile: %w", err)
			}
			return nil
		}
		if err := recorded(ctx, a); err != nil {
			return err
		}
		return s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticeAccountDeleted, At: s.now()}, emails(remaining)...)
	})
	if err != nil {
		return err
	}
	if err := s.erasure.Scrub(ctx); err != nil {
		return fmt.Errorf("account: deleted, but %w", err)
	}
	return nil
}

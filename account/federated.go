package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// SSOIdentity is a person the identity provider of a single-sign-on
// connection vouched for. Package account/sso decides, by the
// connection's rules, whether a sign-in creates an account for it or
// links an existing one; these methods carry that out.
type SSOIdentity struct {
	// Connection is the id of the connection; Subject the provider's
	// stable identifier of the person (the "sub" claim).
	Connection string
	Subject    string
	// Email is the normalised address the provider asserted.
	Email string
	// Company names the connection in the notice a link sends.
	Company string
	// Client is the browser that signed in, for the security log.
	Client auth.Client
}

// CreateFederated is the sign-up of a person who signs in through single
// sign-on for the first time ("just in time"): in one transaction it
// creates an empty private profile and an active account without a
// password, bound to the identity, and records it in the history. It
// returns the account, or ErrEmailTaken when the address or the identity
// got an account meanwhile. The person then merges the new profile into
// an older one through the normal merge flow.
func (s *Service) CreateFederated(ctx context.Context, ident SSOIdentity) (Account, error) {
	email, err := NormalizeEmail(ident.Email)
	if err != nil {
		return Account{}, err
	}
	if ident.Connection == "" || ident.Subject == "" {
		return Account{}, errors.New("account: CreateFederated needs a connection and a subject")
	}
	var out Account
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		now := s.now()
		prf, err := id.New(s.rand, "prf_")
		if err != nil {
			return err
		}
		aid, err := id.New(s.rand, "acc_")
		if err != nil {
			return err
		}
		if err := s.profiles.CreateProfile(ctx, profile.Profile{ID: prf, CreatedAt: now, UpdatedAt: now}); err != nil {
			return fmt.Errorf("account: creating profile: %w", err)
		}
		out = Account{
			ID: aid, ProfileID: prf, Email: email, Status: StatusActive, CreatedAt: now,
			SSOConnection: ident.Connection, SSOSubject: ident.Subject,
		}
		if err := s.accounts.CreateAccount(ctx, out); errors.Is(err, storage.ErrConflict) {
			return ErrEmailTaken
		} else if err != nil {
			return fmt.Errorf("account: creating account: %w", err)
		}
		return s.record(ctx, prf, aid, "account", history.ActionAdded, aid, now)
	})
	if err != nil {
		return Account{}, err
	}
	return out, nil
}

// LinkFederated binds an existing password account to the identity, on
// the first single-sign-on of its address after the company turned
// single sign-on on: in one transaction its password is retired (from
// then on the provider manages its credentials) and the link is recorded
// in the history and the security log (securitylog.SSOLinked, Detail
// the company); then the address gets a notice. The account must be
// active (else auth.ErrForbidden) and not linked yet (else ErrSSOLinked); it
// returns ErrNotFound for an unknown account.
func (s *Service) LinkFederated(ctx context.Context, accountID string, ident SSOIdentity) (Account, error) {
	if ident.Connection == "" || ident.Subject == "" {
		return Account{}, errors.New("account: LinkFederated needs a connection and a subject")
	}
	var out Account
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.get(ctx, accountID)
		if err != nil {
			return err
		}
		if a.Status != StatusActive {
			return auth.ErrForbidden
		}
		if a.SSO() {
			return ErrSSOLinked
		}
		a.PasswordHash, a.SSOConnection, a.SSOSubject = "", ident.Connection, ident.Subject
		if err := s.accounts.UpdateAccount(ctx, a); errors.Is(err, storage.ErrConflict) {
			return ErrSSOLinked // the identity is bound to another account
		} else if err != nil {
			return fmt.Errorf("account: linking account: %w", err)
		}
		out = a
		now := s.now()
		if err := s.record(ctx, a.ProfileID, a.ID, "account_sso", history.ActionSet, ident.Connection, now); err != nil {
			return err
		}
		if err := s.seclog.Record(ctx, securitylog.Event{
			Kind: securitylog.SSOLinked, ProfileID: a.ProfileID, AccountID: a.ID, At: now,
			IP: ident.Client.IP, Device: ident.Client.Device(), Detail: ident.Company,
		}); err != nil {
			return err
		}
		// The retired password may have been someone else's way in: what
		// it started ends with the change.
		if err := s.revoke(ctx, a.ID, ChangeLinked); err != nil {
			return err
		}
		return s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticeSSOLinked, Detail: ident.Company, At: now}, a.Email)
	})
	if err != nil {
		return Account{}, err
	}
	return public(out), nil
}

// UpdateFederatedEmail gives the single-sign-on account bound to ident
// (its connection and subject) the address its identity provider now
// asserts for it, ident.Email, which the provider verified: the address
// follows the company's directory. It joins the transaction ctx carries
// (the sign-in's), and records the change like any other: history, the
// security log (securitylog.EmailChanged, with the client), a notice to
// the old address, the old address's codes forgotten, the account's
// other sessions ended. It returns the account unchanged when the
// address is already its own, ErrEmailTaken when another account holds
// the new address (the caller keeps the old one), and ErrNotFound when
// no account is bound to the identity.
func (s *Service) UpdateFederatedEmail(ctx context.Context, accountID string, ident SSOIdentity) (Account, error) {
	email, err := NormalizeEmail(ident.Email)
	if err != nil {
		return Account{}, err
	}
	var out Account
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.get(ctx, accountID)
		if err != nil {
			return err
		}
		if a.SSOConnection != ident.Connection || a.SSOSubject != ident.Subject {
			return ErrNotFound
		}
		if a.Email == email {
			out = a
			return nil
		}
		if _, err := s.accounts.AccountByEmail(ctx, email); err == nil {
			return ErrEmailTaken // checked first: on PostgreSQL a refused write would abort the sign-in's transaction
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("account: looking up email: %w", err)
		}
		e := securitylog.Event{Kind: securitylog.EmailChanged, ProfileID: a.ProfileID, AccountID: a.ID,
			IP: ident.Client.IP, Device: ident.Client.Device()}
		out, err = s.setEmail(ctx, a, email, "", e, func(ctx context.Context, a Account) error {
			return s.record(ctx, a.ProfileID, a.ID, "email", history.ActionSet, "asserted by "+ident.Company, s.now())
		})
		return err
	})
	if err != nil {
		return Account{}, err
	}
	return public(out), nil
}

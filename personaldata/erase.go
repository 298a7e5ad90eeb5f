package personaldata

import (
	"context"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// Erase deletes everything stored about the caller's person (the
// caller's profile, with every one of its accounts), in one transaction:
// for each account of the profile, every source's EraseAccount and the
// account (EraseAccount); then every source's EraseProfile, the history
// and the profile itself (EraseProfile). Any
// failure rolls everything back. After the commit it runs the Scrubber
// (on SQLite: the write-ahead log is checkpointed and truncated, so no
// erased value stays in the database files); a Scrub failure is returned
// after a successful erasure wrapped with "personaldata: scrub".
//
// Erase is the right to erasure, a sensitive operation: the caller must
// have signed in within Config.FreshFor
// (auth.ErrReauthenticationRequired); a token or API key gets
// auth.ErrForbidden. A person deletes one of their accounts with
// account.Service.Delete, which erases through the same EraseAccount and
// EraseProfile.
//
// Call Erase with a context that carries no transaction: the scrub needs
// the commit (storage/sqlstore's Scrub refuses to run inside one).
func (s *Service) Erase(ctx context.Context, c auth.Caller) error {
	if err := c.Fresh(s.now(), s.freshFor); err != nil {
		return err
	}
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return err
	}
	return s.erase(ctx, profileID, nil)
}

// EraseKeepingAccounts erases the caller's personal data but what the
// accounts of the profile need to sign in and stay safe, in one
// transaction: every Clearer source's ClearProfile (the profile's
// details and avatar, made private; its change history; its
// notification settings and watched apps, back to the defaults; its
// merge flows). The accounts stay with their login emails, passwords,
// second factors, tokens and API keys, sessions, the security log, the
// mail sent to them and the profile's recovery email and community
// progress; they go with the accounts (Erase, account.Service.Delete).
// The erasure is recorded in the security log
// (securitylog.PersonalDataErased, with the caller's client), and the
// Scrubber runs after the commit as for Erase.
//
// Like Erase it needs a caller who signed in within Config.FreshFor
// (auth.ErrReauthenticationRequired); a token or API key gets
// auth.ErrForbidden. Call it with a context that carries no transaction.
func (s *Service) EraseKeepingAccounts(ctx context.Context, c auth.Caller) error {
	if err := c.Fresh(s.now(), s.freshFor); err != nil {
		return err
	}
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		for _, src := range s.sources {
			cl, ok := src.(Clearer)
			if !ok {
				continue
			}
			if err := cl.ClearProfile(ctx, profileID); err != nil {
				return fmt.Errorf("personaldata: clearing %s: %w", src.Name(), err)
			}
		}
		return s.seclog.Record(ctx, securitylog.FromCaller(securitylog.PersonalDataErased, profileID, c))
	})
	if err != nil {
		return err
	}
	return s.Scrub(ctx)
}

// AdminErase erases the person of the profile on behalf of support staff
// ("please delete me" through support), as Erase does. The history and
// security log are erased with the rest, so the operation is given to
// the security log's hook (securitylog.Admin) before it is erased. It
// returns auth.ErrInvalidCaller for an invalid admin and ErrNotFound for
// an unknown profile.
func (s *Service) AdminErase(ctx context.Context, admin auth.Admin, profileID string) error {
	if err := admin.Valid(); err != nil {
		return err
	}
	return s.erase(ctx, profileID, func(ctx context.Context) error {
		return s.seclog.Record(ctx, securitylog.Event{
			Kind: securitylog.Admin, ProfileID: profileID, Admin: admin.ID, Detail: "personal data erased: " + admin.Reason,
		})
	})
}

// erase runs the erasure of the profile; first, when set, runs in its
// transaction before anything is deleted.
func (s *Service) erase(ctx context.Context, profileID string, first func(context.Context) error) error {
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		p, err := s.person(ctx, profileID)
		if err != nil {
			return err
		}
		if first != nil {
			if err := first(ctx); err != nil {
				return err
			}
		}
		for _, a := range p.Accounts {
			if err := s.EraseAccount(ctx, a.ID); err != nil {
				return err
			}
		}
		return s.EraseProfile(ctx, profileID)
	})
	if err != nil {
		return err
	}
	return s.Scrub(ctx)
}

// EraseAccount deletes the account and everything stored about it: every
// source's EraseAccount (pending requests, codes and send log of its
// addresses among them), then the account record. It joins the
// transaction ctx carries; account.Service.Delete calls it
// (account.Erasure), and so does Erase for each account of the person.
func (s *Service) EraseAccount(ctx context.Context, accountID string) error {
	for _, src := range s.sources {
		if err := src.EraseAccount(ctx, accountID); err != nil {
			return fmt.Errorf("personaldata: erasing %s of an account: %w", src.Name(), err)
		}
	}
	if err := s.accounts.DeleteAccount(ctx, accountID); err != nil {
		return fmt.Errorf("personaldata: deleting account: %w", err)
	}
	return nil
}

// EraseProfile deletes a profile whose accounts are erased already
// (EraseAccount): every source's EraseProfile, the change history and the
// profile record. It joins the transaction ctx carries;
// account.Service.Delete calls it (account.Erasure) when the last account
// of the profile goes, and so does Erase.
func (s *Service) EraseProfile(ctx context.Context, profileID string) error {
	for _, src := range s.sources {
		if err := src.EraseProfile(ctx, profileID); err != nil {
			return fmt.Errorf("personaldata: erasing %s: %w", src.Name(), err)
		}
	}
	if err := s.history.DeleteHistoryOfProfile(ctx, profileID); err != nil {
		return fmt.Errorf("personaldata: deleting history: %w", err)
	}
	if err := s.profiles.DeleteProfile(ctx, profileID); err != nil {
		return fmt.Errorf("personaldata: deleting profile: %w", err)
	}
	return nil
}

var _ account.Erasure = (*Service)(nil)

// Scrub runs the Scrubber, if any, so that erased values leave the
// database files too. Erase and account.Service.Delete (account.Erasure)
// call it themselves after their commit; outside a transaction, since on
// SQLite a checkpoint cannot run inside one.
func (s *Service) Scrub(ctx context.Context) error {
	if s.scrubber == nil {
		return nil
	}
	if err := s.scrubber.Scrub(ctx); err != nil {
		return fmt.Errorf("personaldata: scrub: %w", err)
	}
	return nil
}

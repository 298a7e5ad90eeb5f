package personaldata

import (
	"context"
	"fmt"
)

// Erase deletes everything stored about the person of the profile, in
// one transaction: every source's EraseAccount for each account of the
// profile, every source's EraseProfile, then the accounts and the profile
// itself. Any failure rolls everything back. After the commit it runs the
// Scrubber (on SQLite: the write-ahead log is checkpointed and truncated,
// so no erased value stays in the database files). It returns ErrNotFound
// for an unknown profile; a Scrub failure is returned after a successful
// erasure wrapped with "personaldata: scrub".
//
// Call Erase with a context that carries no transaction: the scrub needs
// the commit (storage/sqlstore's Scrub refuses to run inside one).
//
// Erase is the admin path ("please delete me" through support) and the
// right to erasure; a person deletes their own accounts with
// account.Service.Delete, which runs the same sources (see Erasers).
func (s *Service) Erase(ctx context.Context, profileID string) error {
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		p, err := s.person(ctx, profileID)
		if err != nil {
			return err
		}
		for _, a := range p.Accounts {
			for _, src := range s.sources {
				if err := src.EraseAccount(ctx, a.ID); err != nil {
					return fmt.Errorf("personaldata: erasing %s of an account: %w", src.Name(), err)
				}
			}
		}
		for _, src := range s.sources {
			if err := src.EraseProfile(ctx, profileID); err != nil {
				return fmt.Errorf("personaldata: erasing %s: %w", src.Name(), err)
			}
		}
		for _, a := range p.Accounts {
			if err := s.accounts.DeleteAccount(ctx, a.ID); err != nil {
				return fmt.Errorf("personaldata: deleting account: %w", err)
			}
		}
		if err := s.history.DeleteHistoryOfProfile(ctx, profileID); err != nil {
			return fmt.Errorf("personaldata: deleting history: %w", err)
		}
		if err := s.profiles.DeleteProfile(ctx, profileID); err != nil {
			return fmt.Errorf("personaldata: deleting profile: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.Scrub(ctx)
}

// Scrub runs the Scrubber, if any. Call it after account.Service.Delete
// erased an account with the Erasers, so that the deleted values leave
// the database files too; Erase calls it itself. Call it outside a
// transaction: on SQLite a checkpoint cannot run inside one.
func (s *Service) Scrub(ctx context.Context) error {
	if s.scrubber == nil {
		return nil
	}
	if err := s.scrubber.Scrub(ctx); err != nil {
		return fmt.Errorf("personaldata: scrub: %w", err)
	}
	return nil
}

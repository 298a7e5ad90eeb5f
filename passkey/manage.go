package passkey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// List returns the passkeys of the caller's account, oldest first, with
// when each was created and last used. A token or API key gets
// auth.ErrForbidden. It works when passkeys are off, so that a host that
// turned them off still shows (and lets people remove) those registered.
func (s *Service) List(ctx context.Context, c auth.Caller) ([]Passkey, error) {
	a, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	keys, err := s.store.PasskeysOfAccount(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("passkey: listing passkeys: %w", err)
	}
	return keys, nil
}

// Rename sets the name of a passkey of the caller's account and returns
// it. The name is trimmed and must be 1 to MaxNameLen characters without
// control characters (ErrInvalidName); a passkey of another account, or
// an unknown ID, is ErrNotFound. A token or API key gets
// auth.ErrForbidden.
func (s *Service) Rename(ctx context.Context, c auth.Caller, id, name string) (Passkey, error) {
	a, err := s.caller(ctx, c)
	if err != nil {
		return Passkey{}, err
	}
	if strings.TrimSpace(name) == "" {
		return Passkey{}, ErrInvalidName
	}
	if name, err = cleanName(name); err != nil {
		return Passkey{}, err
	}
	if err := s.store.RenamePasskey(ctx, a.ID, id, name); errors.Is(err, storage.ErrNotFound) {
		return Passkey{}, ErrNotFound
	} else if err != nil {
		return Passkey{}, fmt.Errorf("passkey: renaming: %w", err)
	}
	keys, err := s.store.PasskeysOfAccount(ctx, a.ID)
	if err != nil {
		return Passkey{}, fmt.Errorf("passkey: listing passkeys: %w", err)
	}
	i := slices.IndexFunc(keys, func(p Passkey) bool { return p.ID == id })
	if i < 0 {
		return Passkey{}, ErrNotFound
	}
	return keys[i], nil
}

// Remove deletes a passkey of the caller's account: it can no longer
// sign in. The deletion, its security-log event
// (securitylog.PasskeyRemoved) and a notice to the account
// (notify.NoticePasskeyRemoved) happen in one transaction. Removing is a
// sensitive operation: the caller must have signed in within
// Config.FreshFor (auth.ErrReauthenticationRequired); a token or API key
// gets auth.ErrForbidden. A passkey of another account, or an unknown
// ID, is ErrNotFound.
func (s *Service) Remove(ctx context.Context, c auth.Caller, id string) error {
	a, err := s.freshCaller(ctx, c)
	if err != nil {
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		keys, err := s.store.PasskeysOfAccount(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("passkey: listing passkeys: %w", err)
		}
		i := slices.IndexFunc(keys, func(p Passkey) bool { return p.ID == id })
		if i < 0 {
			return ErrNotFound
		}
		if err := s.store.DeletePasskey(ctx, a.ID, id); errors.Is(err, storage.ErrNotFound) {
			return ErrNotFound
		} else if err != nil {
			return fmt.Errorf("passkey: deleting: %w", err)
		}
		e := securitylog.FromCaller(securitylog.PasskeyRemoved, a.ProfileID, c)
		e.Detail = keys[i].Name
		if err := s.logEvent(ctx, e); err != nil {
			return err
		}
		return s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticePasskeyRemoved, Detail: keys[i].Name, At: s.now()}, a.Email)
	})
}

// Metadata returns the passkeys of the account for its personal data:
// names, dates, transports, backup flags and authenticator models (the
// credential IDs and public keys are left out of their JSON). It checks
// no caller: package personaldata reads it for each account of a person
// it has already checked.
func (s *Service) Metadata(ctx context.Context, accountID string) ([]Passkey, error) {
	keys, err := s.store.PasskeysOfAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("passkey: listing passkeys: %w", err)
	}
	return keys, nil
}

// EraseAccount deletes every passkey of the account; an account without
// any is not an error. It joins the transaction carried by ctx, if any.
func (s *Service) EraseAccount(ctx context.Context, accountID string) error {
	if _, err := s.store.DeletePasskeysOfAccount(ctx, accountID); err != nil {
		return fmt.Errorf("passkey: erasing account: %w", err)
	}
	return nil
}

// EraseProfile deletes the passkeys of every account of the profile, in
// one transaction (joining the one carried by ctx, if any).
func (s *Service) EraseProfile(ctx context.Context, profileID string) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		accts, err := s.accounts.AccountsOfProfile(ctx, profileID)
		if err != nil {
			return fmt.Errorf("passkey: erasing profile: %w", err)
		}
		for _, a := range accts {
			if err := s.EraseAccount(ctx, a.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

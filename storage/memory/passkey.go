package memory

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/passkey"
)

var _ passkey.Store = (*Store)(nil)

type passkeyTables struct {
	byID       map[string]passkey.Passkey // by passkey id
	ceremonies map[passkey.Digest]passkey.CeremonyRecord
}

func (p *passkeyTables) init() {
	p.byID = map[string]passkey.Passkey{}
	p.ceremonies = map[passkey.Digest]passkey.CeremonyRecord{}
}

func copyPasskey(p passkey.Passkey) passkey.Passkey {
	p.CredentialID = bytes.Clone(p.CredentialID)
	p.PublicKey = bytes.Clone(p.PublicKey)
	p.UserHandle = bytes.Clone(p.UserHandle)
	p.Transports = slices.Clone(p.Transports)
	return p
}

// sortPasskeys orders passkeys oldest first, ties by ID.
func sortPasskeys(ps []passkey.Passkey) {
	slices.SortFunc(ps, func(a, b passkey.Passkey) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// CreatePasskey implements passkey.Store.
func (s *Store) CreatePasskey(ctx context.Context, p passkey.Passkey) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.accounts.byID[p.AccountID]; !ok {
			return notFound("account", p.AccountID)
		}
		if _, ok := s.passkeys.byID[p.ID]; ok {
			return conflict("passkey id exists")
		}
		for _, o := range s.passkeys.byID {
			if bytes.Equal(o.CredentialID, p.CredentialID) {
				return conflict("passkey credential id exists")
			}
		}
		put(t, s.passkeys.byID, p.ID, copyPasskey(p))
		return nil
	})
}

// find returns copies of the passkeys that match, oldest first.
func (s *Store) findPasskeys(ctx context.Context, match func(passkey.Passkey) bool) ([]passkey.Passkey, error) {
	var out []passkey.Passkey
	err := s.read(ctx, func() error {
		for _, p := range s.passkeys.byID {
			if match(p) {
				out = append(out, copyPasskey(p))
			}
		}
		return nil
	})
	sortPasskeys(out)
	return out, err
}

// PasskeysOfAccount implements passkey.Store.
func (s *Store) PasskeysOfAccount(ctx context.Context, accountID string) ([]passkey.Passkey, error) {
	return s.findPasskeys(ctx, func(p passkey.Passkey) bool { return p.AccountID == accountID })
}

// PasskeyByCredentialID implements passkey.Store.
func (s *Store) PasskeyByCredentialID(ctx context.Context, credentialID []byte) (passkey.Passkey, error) {
	got, err := s.findPasskeys(ctx, func(p passkey.Passkey) bool { return bytes.Equal(p.CredentialID, credentialID) })
	if err != nil {
		return passkey.Passkey{}, err
	}
	if len(got) == 0 {
		return passkey.Passkey{}, notFound("passkey with credential id", "…")
	}
	return got[0], nil
}

// PasskeysByUserHandle implements passkey.Store.
func (s *Store) PasskeysByUserHandle(ctx context.Context, handle []byte) ([]passkey.Passkey, error) {
	if len(handle) == 0 {
		return nil, nil
	}
	return s.findPasskeys(ctx, func(p passkey.Passkey) bool { return bytes.Equal(p.UserHandle, handle) })
}

// updatePasskey applies f to the stored passkey id of the account ("" for
// any account).
func (s *Store) updatePasskey(ctx context.Context, accountID, id string, f func(p *passkey.Passkey) error) error {
	return s.write(ctx, func(t *tx) error {
		p, ok := s.passkeys.byID[id]
		if !ok || accountID != "" && p.AccountID != accountID {
			return notFound("passkey", id)
		}
		p = copyPasskey(p)
		if err := f(&p); err != nil {
			return err
		}
		put(t, s.passkeys.byID, id, p)
		return nil
	})
}

// RenamePasskey implements passkey.Store.
func (s *Store) RenamePasskey(ctx context.Context, accountID, id, name string) error {
	return s.updatePasskey(ctx, accountID, id, func(p *passkey.Passkey) error {
		p.Name = name
		return nil
	})
}

// UsePasskey implements passkey.Store.
func (s *Store) UsePasskey(ctx context.Context, id string, old, next uint32, backedUp bool, at time.Time) error {
	return s.updatePasskey(ctx, "", id, func(p *passkey.Passkey) error {
		if p.SignCount != old {
			return conflict("passkey sign count changed")
		}
		p.SignCount, p.BackupState, p.LastUsedAt = next, backedUp, at
		return nil
	})
}

// DeletePasskey implements passkey.Store.
func (s *Store) DeletePasskey(ctx context.Context, accountID, id string) error {
	return s.write(ctx, func(t *tx) error {
		p, ok := s.passkeys.byID[id]
		if !ok || p.AccountID != accountID {
			return notFound("passkey", id)
		}
		del(t, s.passkeys.byID, id)
		return nil
	})
}

// DeletePasskeysOfAccount implements passkey.Store; the account's
// unfinished ceremonies go with them.
func (s *Store) DeletePasskeysOfAccount(ctx context.Context, accountID string) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for id, p := range s.passkeys.byID {
			if p.AccountID == accountID {
				del(t, s.passkeys.byID, id)
				n++
			}
		}
		for d, c := range s.passkeys.ceremonies {
			if c.AccountID == accountID {
				del(t, s.passkeys.ceremonies, d)
			}
		}
		return nil
	})
	return n, err
}

// CreatePasskeyCeremony implements passkey.Store.
func (s *Store) CreatePasskeyCeremony(ctx context.Context, c passkey.CeremonyRecord) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.passkeys.ceremonies[c.Digest]; ok {
			return conflict("passkey ceremony exists")
		}
		c.Data = bytes.Clone(c.Data)
		put(t, s.passkeys.ceremonies, c.Digest, c)
		return nil
	})
}

// ConsumePasskeyCeremony implements passkey.Store.
func (s *Store) ConsumePasskeyCeremony(ctx context.Context, d passkey.Digest) (passkey.CeremonyRecord, error) {
	var out passkey.CeremonyRecord
	err := s.write(ctx, func(t *tx) error {
		c, ok := s.passkeys.ceremonies[d]
		if !ok {
			return notFound("passkey ceremony", "…")
		}
		del(t, s.passkeys.ceremonies, d)
		out = c
		out.Data = bytes.Clone(c.Data)
		return nil
	})
	return out, err
}

// DeletePasskeyCeremoniesBefore implements passkey.Store.
func (s *Store) DeletePasskeyCeremoniesBefore(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for d, c := range s.passkeys.ceremonies {
			if c.ExpiresAt.Before(before) {
				del(t, s.passkeys.ceremonies, d)
				n++
			}
		}
		return nil
	})
	return n, err
}

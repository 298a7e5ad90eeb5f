package memory

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
)

var _ account.Store = (*Store)(nil)

type accountTables struct {
	byID    map[string]account.Account
	byEmail map[string]string // lower-cased email → account id
	pending map[string]account.Pending
}

func (a *accountTables) init() {
	a.byID = map[string]account.Account{}
	a.byEmail = map[string]string{}
	a.pending = map[string]account.Pending{}
}

func emailKey(email string) string { return strings.ToLower(email) }

// CreateAccount implements account.Store.
func (s *Store) CreateAccount(ctx context.Context, a account.Account) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.accounts.byID[a.ID]; ok {
			return conflict("account id taken")
		}
		if _, ok := s.accounts.byEmail[emailKey(a.Email)]; ok {
			return conflict("email taken")
		}
		put(t, s.accounts.byID, a.ID, a)
		put(t, s.accounts.byEmail, emailKey(a.Email), a.ID)
		return nil
	})
}

// Account implements account.Store.
func (s *Store) Account(ctx context.Context, id string) (account.Account, error) {
	var a account.Account
	err := s.read(ctx, func() error {
		got, ok := s.accounts.byID[id]
		if !ok {
			return notFound("account", id)
		}
		a = got
		return nil
	})
	return a, err
}

// AccountByEmail implements account.Store.
func (s *Store) AccountByEmail(ctx context.Context, email string) (account.Account, error) {
	var a account.Account
	err := s.read(ctx, func() error {
		id, ok := s.accounts.byEmail[emailKey(email)]
		if !ok {
			return notFound("account with email", "")
		}
		a = s.accounts.byID[id]
		return nil
	})
	return a, err
}

// AccountsOfProfile implements account.Store.
func (s *Store) AccountsOfProfile(ctx context.Context, profileID string) ([]account.Account, error) {
	var out []account.Account
	err := s.read(ctx, func() error {
		for _, a := range s.accounts.byID {
			if a.ProfileID == profileID {
				out = append(out, a)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b account.Account) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// UpdateAccount implements account.Store.
func (s *Store) UpdateAccount(ctx context.Context, a account.Account) error {
	return s.write(ctx, func(t *tx) error {
		old, ok := s.accounts.byID[a.ID]
		if !ok {
			return notFound("account", a.ID)
		}
		if emailKey(old.Email) != emailKey(a.Email) {
			if _, taken := s.accounts.byEmail[emailKey(a.Email)]; taken {
				return conflict("email taken")
			}
			del(t, s.accounts.byEmail, emailKey(old.Email))
			put(t, s.accounts.byEmail, emailKey(a.Email), a.ID)
		}
		a.CreatedAt = old.CreatedAt
		put(t, s.accounts.byID, a.ID, a)
		return nil
	})
}

// MoveAccounts implements account.Store.
func (s *Store) MoveAccounts(ctx context.Context, fromProfileID, toProfileID string) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.profiles.byID[toProfileID]; !ok {
			return notFound("profile", toProfileID)
		}
		if fromProfileID == toProfileID {
			return nil
		}
		for id, a := range s.accounts.byID {
			if a.ProfileID == fromProfileID {
				a.ProfileID = toProfileID
				put(t, s.accounts.byID, id, a)
			}
		}
		return nil
	})
}

// DeleteAccount implements account.Store.
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	return s.write(ctx, func(t *tx) error {
		a, ok := s.accounts.byID[id]
		if !ok {
			return notFound("account", id)
		}
		del(t, s.accounts.byID, id)
		del(t, s.accounts.byEmail, emailKey(a.Email))
		return nil
	})
}

// CreatePending implements account.Store.
func (s *Store) CreatePending(ctx context.Context, p account.Pending) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.accounts.pending[p.ID]; ok {
			return conflict("pending id taken")
		}
		put(t, s.accounts.pending, p.ID, p)
		return nil
	})
}

// Pending implements account.Store.
func (s *Store) Pending(ctx context.Context, id string) (account.Pending, error) {
	var p account.Pending
	err := s.read(ctx, func() error {
		got, ok := s.accounts.pending[id]
		if !ok {
			return notFound("pending", id)
		}
		p = got
		return nil
	})
	return p, err
}

// DeletePending implements account.Store.
func (s *Store) DeletePending(ctx context.Context, id string) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.accounts.pending[id]; !ok {
			return notFound("pending", id)
		}
		del(t, s.accounts.pending, id)
		return nil
	})
}

// DeletePendingBefore implements account.Store.
func (s *Store) DeletePendingBefore(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for id, p := range s.accounts.pending {
			if p.ExpiresAt.Before(before) {
				del(t, s.accounts.pending, id)
				n++
			}
		}
		return nil
	})
	return n, err
}

// DeletePendingRequestedBy implements account.Store.
func (s *Store) DeletePendingRequestedBy(ctx context.Context, accountID string) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for id, p := range s.accounts.pending {
			if p.RequestedBy == accountID {
				del(t, s.accounts.pending, id)
				n++
			}
		}
		return nil
	})
	return n, err
}

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
	byID      map[string]account.Account
	byEmail   map[string]string     // lower-cased email → account id
	bySubject map[subjectKey]string // SSO connection and subject → account id
	pending   map[string]account.Pending
	// warned holds the password-expiry warning last sent per account
	// (account.PasswordWarnings); it goes with the account.
	warned map[string]passwordWarned
}

// subjectKey identifies the person behind a single-sign-on account.
type subjectKey struct{ connection, subject string }

// subjectOf returns the SSO key of a, and false for a password account.
func subjectOf(a account.Account) (subjectKey, bool) {
	return subjectKey{a.SSOConnection, a.SSOSubject}, a.SSOConnection != ""
}

func (a *accountTables) init() {
	a.byID = map[string]account.Account{}
	a.byEmail = map[string]string{}
	a.bySubject = map[subjectKey]string{}
	a.pending = map[string]account.Pending{}
	a.warned = map[string]passwordWarned{}
}

// putAccount stores a and rewrites the hot records of its tokens, which
// copy its state (see tokenTables).
func (s *Store) putAccount(t *tx, a account.Account) {
	put(t, s.accounts.byID, a.ID, a)
	s.refreshTokens(t, a.ID)
}

// delAccount deletes account id; its tokens are no longer found.
func (s *Store) delAccount(t *tx, id string) {
	del(t, s.accounts.byID, id)
	del(t, s.accounts.warned, id)
	s.refreshTokens(t, id)
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
		k, federated := subjectOf(a)
		if _, ok := s.accounts.bySubject[k]; federated && ok {
			return conflict("sso subject taken")
		}
		s.putAccount(t, a)
		put(t, s.accounts.byEmail, emailKey(a.Email), a.ID)
		if federated {
			put(t, s.accounts.bySubject, k, a.ID)
		}
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
		if err := s.moveSubject(t, old, a); err != nil {
			return err
		}
		a.CreatedAt = old.CreatedAt
		s.putAccount(t, a)
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
		for _, a := range s.accounts.byID {
			if a.ProfileID == fromProfileID {
				a.ProfileID = toProfileID
				s.putAccount(t, a)
			}
		}
		return nil
	})
}

// moveSubject updates the SSO index when an update changes the account's
// connection or subject; a pair taken by another account is a conflict.
func (s *Store) moveSubject(t *tx, old, a account.Account) error {
	ok, federated := subjectOf(old)
	nk, nowFederated := subjectOf(a)
	if ok == nk && federated == nowFederated {
		return nil
	}
	if id, taken := s.accounts.bySubject[nk]; nowFederated && taken && id != a.ID {
		return conflict("sso subject taken")
	}
	if federated {
		del(t, s.accounts.bySubject, ok)
	}
	if nowFederated {
		put(t, s.accounts.bySubject, nk, a.ID)
	}
	return nil
}

// DeleteAccount implements account.Store.
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	return s.write(ctx, func(t *tx) error {
		a, ok := s.accounts.byID[id]
		if !ok {
			return notFound("account", id)
		}
		s.delAccount(t, id)
		del(t, s.accounts.byEmail, emailKey(a.Email))
		if k, federated := subjectOf(a); federated {
			del(t, s.accounts.bySubject, k)
		}
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

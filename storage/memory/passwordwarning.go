package memory

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
)

var _ account.PasswordWarnings = (*Store)(nil)

// passwordWarned is the password-expiry warning last recorded for an
// account: the password change it is about, and its lead.
type passwordWarned struct {
	For  time.Time
	Lead time.Duration
}

// PasswordAccounts implements account.PasswordWarnings.
func (s *Store) PasswordAccounts(ctx context.Context, after string, done time.Duration, limit int) ([]account.PasswordWarning, error) {
	var out []account.PasswordWarning
	err := s.read(ctx, func() error {
		for id, a := range s.accounts.byID {
			if id <= after || a.Status != account.StatusActive || a.PasswordHash == "" || a.SSO() {
				continue
			}
			w := s.accounts.warned[id]
			pw := account.PasswordWarning{Account: a, For: w.For, Lead: w.Lead}
			if pw.Warned(done) {
				continue
			}
			out = append(out, pw)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b account.PasswordWarning) int { return strings.Compare(a.Account.ID, b.Account.ID) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// MarkPasswordWarning implements account.PasswordWarnings.
func (s *Store) MarkPasswordWarning(ctx context.Context, accountID string, changedAt time.Time, lead time.Duration) (bool, error) {
	marked := false
	err := s.write(ctx, func(t *tx) error {
		a, ok := s.accounts.byID[accountID]
		if !ok || !a.PasswordChangedAt.Equal(changedAt) {
			return nil
		}
		w := s.accounts.warned[accountID]
		if (account.PasswordWarning{Account: a, For: w.For, Lead: w.Lead}).Warned(lead) {
			return nil
		}
		put(t, s.accounts.warned, accountID, passwordWarned{For: changedAt, Lead: lead})
		marked = true
		return nil
	})
	return marked, err
}

package account

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
)

// DefaultPasswordWarnings are the leads of the password-expiry mails
// when Config.PasswordWarnings is nil: 14 days and again 3 days before a
// password expires.
var DefaultPasswordWarnings = []time.Duration{14 * 24 * time.Hour, 3 * 24 * time.Hour}

// warningBatch is how many accounts one read of WarnPasswordExpiry
// returns.
const warningBatch = 500

// PasswordWarning is an account the password-expiry job looks at, with
// the warning last recorded for it: For is the PasswordChangedAt of the
// password it warned about (zero: none yet) and Lead how long before the
// expiry that warning was (14 days, 3 days).
type PasswordWarning struct {
	Account Account
	For     time.Time
	Lead    time.Duration
}

// Warned reports whether the warning w records is about a's current
// password and at least as late as lead (a lead at most lead).
func (w PasswordWarning) Warned(lead time.Duration) bool {
	return w.For.Equal(w.Account.PasswordChangedAt) && w.Lead > 0 && w.Lead <= lead
}

// PasswordWarnings is the store role of the password-expiry mails
// (Service.WarnPasswordExpiry). It is implemented by storage/memory and
// storage/sqlstore, and checked by storagetest.TestPasswordWarnings.
type PasswordWarnings interface {
	// PasswordAccounts returns, ordered by ID, up to limit active
	// accounts with an ID greater than after that have a password and
	// sign in without single sign-on, each with its recorded warning
	// (with the password hash, as the store keeps it), leaving out those
	// whose recorded warning is about the current password
	// (PasswordChangedAt) with a lead of done or less: they need no
	// further mail.
	PasswordAccounts(ctx context.Context, after string, done time.Duration, limit int) ([]PasswordWarning, error)
	// MarkPasswordWarning records that the warning lead was sent for the
	// password of the account changed at changedAt, and reports whether
	// it did: only while the account's PasswordChangedAt is changedAt
	// and no warning of that password with a lead of lead or less is
	// recorded. Of concurrent calls for one warning exactly one reports
	// true. In a transaction of the store it is part of it.
	MarkPasswordWarning(ctx context.Context, accountID string, changedAt time.Time, lead time.Duration) (bool, error)
}

// WarnPasswordExpiry mails the password-expiry warnings that are due:
// for every active account whose password expires (PasswordExpiresAt:
// its company's maximum age, else the policy's) within the leads of
// Config.PasswordWarnings (14 and 3 days by default), one mail per lead
// and password, sent once: the warning is recorded with the password
// change it is about (Config.Warnings) in the transaction that queues
// the mail in the courier's outbox, so several replicas running it at
// once, a crash or a rerun never send it twice, and a new password
// starts the warnings over. An account first seen within a shorter lead
// gets only that one mail; an expired password gets none (the pages
// and the sign-in say so). It returns how many mails it queued. Run it
// periodically (usersettings.Settings.Cleanup does); without
// Config.Warnings it does nothing.
func (s *Service) WarnPasswordExpiry(ctx context.Context) (int, error) {
	if s.warnings == nil || len(s.warningLeads) == 0 {
		return 0, nil
	}
	done := s.warningLeads[0] // the shortest lead
	sent, after := 0, ""
	for {
		batch, err := s.warnings.PasswordAccounts(ctx, after, done, warningBatch)
		if err != nil {
			return sent, fmt.Errorf("account: reading accounts to warn: %w", err)
		}
		for _, w := range batch {
			ok, err := s.warn(ctx, w)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(batch) < warningBatch {
			return sent, nil
		}
		after = batch[len(batch)-1].Account.ID
	}
}

// warn sends the warning due for w's password, if one is, and reports
// whether it queued a mail.
func (s *Service) warn(ctx context.Context, w PasswordWarning) (bool, error) {
	at, ok, err := s.passwordExpiresAt(ctx, w.Account)
	if err != nil || !ok {
		return false, err
	}
	left := at.Sub(s.now())
	lead, due := s.leadFor(left)
	if !due || w.Warned(lead) {
		return false, nil
	}
	a := w.Account
	var marked bool
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		marked, err = s.warnings.MarkPasswordWarning(ctx, a.ID, a.PasswordChangedAt, lead)
		if err != nil || !marked {
			return err
		}
		n := notify.Notice{Kind: notify.NoticePasswordExpiring, Expires: at, Left: left}
		return s.notices.Queue(ctx, n, a.Email)
	})
	if err != nil {
		return false, fmt.Errorf("account: password-expiry warning: %w", err)
	}
	return marked, nil
}

// leadFor returns the shortest lead of the warnings that left (the time
// until the password expires) falls within, and whether there is one; a
// password already expired has none.
func (s *Service) leadFor(left time.Duration) (time.Duration, bool) {
	if left <= 0 {
		return 0, false
	}
	for _, lead := range s.warningLeads { // shortest first
		if left <= lead {
			return lead, true
		}
	}
	return 0, false
}

// warningLeads returns the positive leads of c, shortest first, or
// DefaultPasswordWarnings when c sets none.
func warningLeads(leads []time.Duration) []time.Duration {
	if leads == nil {
		leads = DefaultPasswordWarnings
	}
	out := make([]time.Duration, 0, len(leads))
	for _, l := range leads {
		if l > 0 {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

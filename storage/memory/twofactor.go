package memory

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
)

var _ twofactor.Store = (*Store)(nil)

type recoveryCode struct {
	digest []byte
	usedAt time.Time
}

type twoFactorTables struct {
	records  map[string]twofactor.Record // by account id
	recovery map[string][]recoveryCode   // by account id
}

func (f *twoFactorTables) init() {
	f.records = map[string]twofactor.Record{}
	f.recovery = map[string][]recoveryCode{}
}

func copyTwoFactor(r twofactor.Record) twofactor.Record {
	r.Secret = bytes.Clone(r.Secret)
	r.PendingSecret = bytes.Clone(r.PendingSecret)
	r.SMSCode.Digest = bytes.Clone(r.SMSCode.Digest)
	return r
}

// TwoFactor implements twofactor.Store.
func (s *Store) TwoFactor(ctx context.Context, accountID string) (twofactor.Record, error) {
	var r twofactor.Record
	err := s.read(ctx, func() error {
		got, ok := s.twoFA.records[accountID]
		if !ok {
			return notFound("two-factor record", accountID)
		}
		r = copyTwoFactor(got)
		return nil
	})
	return r, err
}

// TwoFactorMethodsOfProfile implements twofactor.Store.
func (s *Store) TwoFactorMethodsOfProfile(ctx context.Context, profileID string) (map[string]twofactor.Method, error) {
	out := map[string]twofactor.Method{}
	err := s.read(ctx, func() error {
		for id, a := range s.accounts.byID {
			if a.ProfileID != profileID {
				continue
			}
			if r, ok := s.twoFA.records[id]; ok {
				out[id] = r.Method
			}
		}
		return nil
	})
	return out, err
}

// SaveTwoFactor implements twofactor.Store.
func (s *Store) SaveTwoFactor(ctx context.Context, r twofactor.Record) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.accounts.byID[r.AccountID]; !ok {
			return notFound("account", r.AccountID)
		}
		old := s.twoFA.records[r.AccountID]
		r.LastStep, r.Attempts, r.LockedUntil, r.SMSCode = old.LastStep, old.Attempts, old.LockedUntil, old.SMSCode
		put(t, s.twoFA.records, r.AccountID, copyTwoFactor(r))
		return nil
	})
}

// DeleteTwoFactor implements twofactor.Store.
func (s *Store) DeleteTwoFactor(ctx context.Context, accountID string) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.twoFA.records[accountID]; !ok {
			return notFound("two-factor record", accountID)
		}
		del(t, s.twoFA.records, accountID)
		del(t, s.twoFA.recovery, accountID)
		return nil
	})
}

// updateTwoFactor applies f to the stored record of the account.
func (s *Store) updateTwoFactor(ctx context.Context, accountID string, f func(r *twofactor.Record) error) error {
	return s.write(ctx, func(t *tx) error {
		r, ok := s.twoFA.records[accountID]
		if !ok {
			return notFound("two-factor record", accountID)
		}
		r = copyTwoFactor(r)
		if err := f(&r); err != nil {
			return err
		}
		put(t, s.twoFA.records, accountID, r)
		return nil
	})
}

// UseTOTPStep implements twofactor.Store.
func (s *Store) UseTOTPStep(ctx context.Context, accountID string, step int64) error {
	return s.updateTwoFactor(ctx, accountID, func(r *twofactor.Record) error {
		if step <= r.LastStep {
			return conflict("time step already used")
		}
		r.LastStep = step
		return nil
	})
}

// SwapTwoFactorLock implements twofactor.Store: a compare-and-set of the
// record's lockout state; the rule is twofactor.Lockout's.
func (s *Store) SwapTwoFactorLock(ctx context.Context, accountID string, old, next twofactor.LockState) error {
	return s.updateTwoFactor(ctx, accountID, func(r *twofactor.Record) error {
		if cur := r.LockState(); cur.Attempts != old.Attempts || !cur.LockedUntil.Equal(old.LockedUntil) {
			return conflict("two-factor lockout state changed")
		}
		r.Attempts, r.LockedUntil = next.Attempts, next.LockedUntil
		return nil
	})
}

// ResetTwoFactorAttempts implements twofactor.Store.
func (s *Store) ResetTwoFactorAttempts(ctx context.Context, accountID string) error {
	return s.updateTwoFactor(ctx, accountID, func(r *twofactor.Record) error {
		r.Attempts, r.LockedUntil = 0, time.Time{}
		return nil
	})
}

// PutSMSCode implements twofactor.Store.
func (s *Store) PutSMSCode(ctx context.Context, accountID string, c twofactor.SMSCode) error {
	return s.updateTwoFactor(ctx, accountID, func(r *twofactor.Record) error {
		r.SMSCode = c
		r.SMSCode.Digest = bytes.Clone(c.Digest)
		return nil
	})
}

// ConsumeSMSCode implements twofactor.Store.
func (s *Store) ConsumeSMSCode(ctx context.Context, accountID string, digest []byte, at time.Time) error {
	return s.updateTwoFactor(ctx, accountID, func(r *twofactor.Record) error {
		c := r.SMSCode
		if len(c.Digest) == 0 || !bytes.Equal(c.Digest, digest) || !c.ExpiresAt.After(at) {
			return conflict("no such sms code")
		}
		r.SMSCode = twofactor.SMSCode{}
		return nil
	})
}

// PutRecoveryCodes implements twofactor.Store.
func (s *Store) PutRecoveryCodes(ctx context.Context, accountID string, digests [][]byte) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.twoFA.records[accountID]; !ok {
			return notFound("two-factor record", accountID)
		}
		codes := make([]recoveryCode, 0, len(digests))
		for i, d := range digests {
			if slices.ContainsFunc(digests[:i], func(e []byte) bool { return bytes.Equal(d, e) }) {
				return conflict("recovery code digest repeated")
			}
			codes = append(codes, recoveryCode{digest: bytes.Clone(d)})
		}
		put(t, s.twoFA.recovery, accountID, codes)
		return nil
	})
}

// UseRecoveryCode implements twofactor.Store.
func (s *Store) UseRecoveryCode(ctx context.Context, accountID string, digest []byte, at time.Time) error {
	return s.write(ctx, func(t *tx) error {
		codes := s.twoFA.recovery[accountID]
		i := slices.IndexFunc(codes, func(c recoveryCode) bool { return bytes.Equal(c.digest, digest) })
		if i < 0 {
			return notFound("recovery code of account", accountID)
		}
		if !codes[i].usedAt.IsZero() {
			return conflict("recovery code already used")
		}
		codes = slices.Clone(codes)
		codes[i].usedAt = at
		put(t, s.twoFA.recovery, accountID, codes)
		return nil
	})
}

// RecoveryCodesLeft implements twofactor.Store.
func (s *Store) RecoveryCodesLeft(ctx context.Context, accountID string) (int, error) {
	n := 0
	err := s.read(ctx, func() error {
		for _, c := range s.twoFA.recovery[accountID] {
			if c.usedAt.IsZero() {
				n++
			}
		}
		return nil
	})
	return n, err
}

package twofactor

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// confirm completes the pending enrolment of method m with its first code.
func (s *Service) confirm(ctx context.Context, c auth.Caller, m Method, code string) ([]string, error) {
	if _, err := s.freshCaller(ctx, c); err != nil {
		return nil, err
	}
	accountID := c.AccountID
	r, found, err := s.record(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if active(r) {
		return nil, ErrAlreadyEnabled
	}
	if !found || !s.pending(r, m) {
		return nil, ErrNoEnrollment
	}
	if err := s.verifyCode(ctx, r, m, r.PendingSecret, code, false, auth.Client{}); err != nil {
		return nil, err
	}
	acct, err := s.account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	codes, err := newRecoveryCodes(s.rand)
	if err != nil {
		return nil, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.enable(ctx, r, codes, acct.ProfileID); err != nil {
			return err
		}
		e := securitylog.FromCaller(securitylog.TwoFactorEnrolled, acct.ProfileID, c)
		e.Detail = string(m)
		if err := s.logEvent(ctx, e); err != nil {
			return err
		}
		return s.revoke(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// enable turns the enrolment that was pending in r on, unless it changed
// meanwhile, and stores the recovery codes.
func (s *Service) enable(ctx context.Context, r Record, codes []string, profileID string) error {
	cur, err := s.store.TwoFactor(ctx, r.AccountID)
	if err != nil {
		return fmt.Errorf("twofactor: loading record: %w", err)
	}
	if active(cur) || cur.PendingMethod != r.PendingMethod || cur.PendingPhone != r.PendingPhone ||
		!bytes.Equal(cur.PendingSecret, r.PendingSecret) {
		return ErrNoEnrollment
	}
	cur.Method, cur.Secret, cur.Phone, cur.EnabledAt = cur.PendingMethod, cur.PendingSecret, cur.PendingPhone, s.now()
	cur.PendingMethod, cur.PendingSecret, cur.PendingPhone, cur.PendingAt = MethodNone, nil, "", time.Time{}
	if err := s.store.SaveTwoFactor(ctx, cur); err != nil {
		return fmt.Errorf("twofactor: enabling: %w", err)
	}
	if err := s.putRecoveryCodes(ctx, r.AccountID, codes); err != nil {
		return err
	}
	return s.appendHistory(ctx, profileID, r.AccountID, itemTwoFactor, history.ActionSet, cur.Method)
}

// putRecoveryCodes replaces the account's recovery codes with the digests
// of codes.
func (s *Service) putRecoveryCodes(ctx context.Context, accountID string, codes []string) error {
	digests := make([][]byte, len(codes))
	for i, c := range codes {
		n, _ := normalizeCode(c)
		digests[i] = s.keys.digest("recovery", accountID, n)
	}
	if err := s.store.PutRecoveryCodes(ctx, accountID, digests); err != nil {
		return fmt.Errorf("twofactor: saving recovery codes: %w", err)
	}
	return nil
}

// RegenerateRecoveryCodes replaces every recovery code of the account,
// used or not, with RecoveryCodeCount new ones, shown once, after checking
// the proof (the password or a current code, as for Deactivate; a refused
// proof counts towards the lock). It records the change in the history
// and the security log. It is a sensitive operation: the caller must have
// signed in within Config.FreshFor (auth.ErrReauthenticationRequired); a
// token or API key gets auth.ErrForbidden. It returns
// ErrInvalidPassword, errs.ErrInvalidCode, ErrLocked or ErrNotEnabled.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, c auth.Caller, p Proof) ([]string, error) {
	if _, err := s.freshCaller(ctx, c); err != nil {
		return nil, err
	}
	accountID := c.AccountID
	r, _, err := s.record(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if !active(r) {
		return nil, ErrNotEnabled
	}
	acct, err := s.account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if err := s.checkProof(ctx, r, p, c.Client); err != nil {
		return nil, err
	}
	codes, err := newRecoveryCodes(s.rand)
	if err != nil {
		return nil, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if cur, _, err := s.record(ctx, accountID); err != nil || !active(cur) {
			return cmp.Or[error](err, ErrNotEnabled) // turned off meanwhile
		}
		if err := s.putRecoveryCodes(ctx, accountID, codes); err != nil {
			return err
		}
		if err := s.appendHistory(ctx, acct.ProfileID, accountID, itemRecoveryCodes, history.ActionSet, r.Method); err != nil {
			return err
		}
		return s.logEvent(ctx, securitylog.FromCaller(securitylog.RecoveryCodesRegenerated, acct.ProfileID, c))
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// History items of the package.
const (
	itemTwoFactor     = "two_factor"
	itemRecoveryCodes = "two_factor_recovery_codes"
)

// appendHistory records that the item (the second factor or its recovery
// codes) was set or cleared; the detail is the method, never a secret.
func (s *Service) appendHistory(ctx context.Context, profileID, accountID, item string, a history.Action, m Method) error {
	e := history.Entry{ProfileID: profileID, AccountID: accountID, Item: item, Action: a, Detail: string(m), At: s.now()}
	if err := history.Append(ctx, s.hist, s.rand, e); err != nil {
		return fmt.Errorf("twofactor: recording history: %w", err)
	}
	return nil
}

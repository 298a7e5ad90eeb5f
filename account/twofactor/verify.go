package twofactor

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/secret"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// TOTP parameters (RFC 6238 defaults, what authenticator apps expect).
const (
	totpPeriod = 30 // seconds per time step
	totpSkew   = 1  // steps accepted either side of the current one
)

// Verify checks the second factor of an account at sign-in, after the
// password step: a current code of the authenticator app (one step of
// clock skew either way; each code is accepted once), the SMS code last
// sent by SendLoginSMS, or an unused recovery code. Every attempt counts;
// MaxAttempts attempts without success lock the second factor for LockFor.
// It returns nil, errs.ErrInvalidCode, ErrLocked, or ErrNotEnabled when the
// account has no active second factor. With Config.ProfileWide an account
// without one of its own is verified with the factor of its profile's
// account that has one (and shares its lockout). client is where the attempt comes
// from: the security event of a recovery code used
// (securitylog.RecoveryCodeUsed) records it.
func (s *Service) Verify(ctx context.Context, accountID, code string, client auth.Client) error {
	r, err := s.factorOf(ctx, accountID)
	if err != nil {
		return err
	}
	if !active(r) {
		return ErrNotEnabled
	}
	return s.verifyCode(ctx, r, r.Method, r.Secret, code, true, client)
}

// SignInDetail is the Detail of the security-log events VerifySignIn
// records: securitylog.SignedIn when the second factor completed a
// sign-in, securitylog.SignInFailed when it was refused.
const SignInDetail = "second factor"

// VerifySignIn is Verify for the second step of a sign-in from client,
// which it records in the security log (Config.SecurityLog): a right code
// appends securitylog.SignedIn with Detail SignInDetail (the password
// step's event said "second factor pending"; the log is append-only, so
// the completion is an event of its own, at its own time), and a wrong
// code (errs.ErrInvalidCode) or an attempt while the second factor is
// locked (ErrLocked) appends securitylog.SignInFailed with the same
// Detail. Both carry the client's IP address and device. It returns what
// Verify returns; ErrNotEnabled records nothing.
func (s *Service) VerifySignIn(ctx context.Context, accountID, code string, client auth.Client) error {
	err := s.Verify(ctx, accountID, code, client)
	kind := securitylog.SignedIn
	switch {
	case err == nil:
	case errors.Is(err, errs.ErrInvalidCode), errors.Is(err, ErrLocked):
		kind = securitylog.SignInFailed
	default:
		return err
	}
	if lerr := s.logSignIn(ctx, accountID, kind, client); lerr != nil {
		return lerr
	}
	return err
}

// logSignIn records an event of kind about the second step of a sign-in
// of the account from client.
func (s *Service) logSignIn(ctx context.Context, accountID string, kind securitylog.Kind, client auth.Client) error {
	if s.seclog == nil {
		return nil
	}
	a, err := s.account(ctx, accountID)
	if err != nil {
		return err
	}
	return s.logEvent(ctx, securitylog.Event{
		Kind: kind, ProfileID: a.ProfileID, AccountID: accountID,
		IP: client.IP, Device: client.Device(), Detail: SignInDetail,
	})
}

// verifyCode counts an attempt on the stored record r and checks code
// against the method (whose sealed TOTP secret is sealed) and, when
// allowRecovery, the recovery codes (a use of one is recorded with
// client). Success resets the attempt counter.
func (s *Service) verifyCode(ctx context.Context, r Record, m Method, sealed []byte, code string, allowRecovery bool, client auth.Client) error {
	if err := s.attempt(ctx, r); err != nil {
		return err
	}
	accountID := r.AccountID
	c, kind := normalizeCode(code)
	var err error
	switch {
	case kind == kindOTP && m == MethodAuthenticator:
		err = s.checkTOTP(ctx, accountID, sealed, c)
	case kind == kindOTP && m == MethodSMS:
		err = s.checkSMS(ctx, accountID, c)
	case kind == kindRecovery && allowRecovery:
		err = s.checkRecovery(ctx, accountID, c, client)
	default:
		err = errs.ErrInvalidCode
	}
	if err != nil {
		return err
	}
	return s.resetAttempts(ctx, accountID)
}

// maxLockSwaps bounds the compare-and-set rounds of one attempt. Each
// lost round means another attempt was counted, and MaxAttempts of them
// lock, so the bound is only reached when resets keep racing the count.
const maxLockSwaps = 50

// attempt counts one attempt on the stored record r, or returns ErrLocked:
// the Lockout rule decides on r's LockState, and the store swaps the new
// state in only if no other attempt changed it meanwhile; otherwise the
// record is read again and the rule decides again.
func (s *Service) attempt(ctx context.Context, r Record) error {
	now := s.now()
	old := r.LockState()
	for range maxLockSwaps {
		next, ok := s.lockout.Attempt(old, now)
		if !ok {
			return ErrLocked
		}
		err := s.store.SwapTwoFactorLock(ctx, r.AccountID, old, next)
		if !errors.Is(err, storage.ErrConflict) {
			if err != nil {
				return fmt.Errorf("twofactor: counting attempt: %w", err)
			}
			return nil
		}
		if r, err = s.store.TwoFactor(ctx, r.AccountID); err != nil {
			return fmt.Errorf("twofactor: counting attempt: %w", err)
		}
		old = r.LockState()
	}
	return fmt.Errorf("twofactor: counting attempt: %d concurrent changes: %w", maxLockSwaps, storage.ErrConflict)
}

func (s *Service) resetAttempts(ctx context.Context, accountID string) error {
	if err := s.store.ResetTwoFactorAttempts(ctx, accountID); err != nil {
		return fmt.Errorf("twofactor: resetting attempts: %w", err)
	}
	return nil
}

// checkTOTP accepts a code of the current time step or one step either
// side, once: the matching step must be later than the last one used.
func (s *Service) checkTOTP(ctx context.Context, accountID string, sealed []byte, code string) error {
	secret, stale, err := s.keys.open(accountID, sealed)
	if err != nil {
		return err
	}
	now := s.now().Unix() / totpPeriod
	matched := int64(-1)
	for step := now - totpSkew; step <= now+totpSkew; step++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return fmt.Errorf("twofactor: computing code: %w", errSealed)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			matched = step
		}
	}
	if matched < 0 {
		return errs.ErrInvalidCode
	}
	if err := codeResult(s.store.UseTOTPStep(ctx, accountID, matched), "using time step"); err != nil {
		return err
	}
	if stale {
		s.reseal(ctx, accountID, sealed, secret)
	}
	return nil
}

// reseal seals the account's authenticator secret again under the first
// key, when it was opened with an old one and is still the stored one.
// It is best effort: on failure the old key still opens it next time.
func (s *Service) reseal(ctx context.Context, accountID string, old []byte, secret string) {
	fresh, err := s.keys.seal(s.rand, accountID, secret)
	if err != nil {
		return
	}
	_ = s.tx.InTx(ctx, func(ctx context.Context) error {
		r, found, err := s.record(ctx, accountID)
		if err != nil || !found || !bytes.Equal(r.Secret, old) {
			return err
		}
		r.Secret = fresh
		return s.store.SaveTwoFactor(ctx, r)
	})
}

func (s *Service) checkSMS(ctx context.Context, accountID, code string) error {
	return s.firstDigest("sms", accountID, code, func(d []byte) error {
		return codeResult(s.store.ConsumeSMSCode(ctx, accountID, d, s.now()), "consuming sms code")
	})
}

// checkRecovery uses up the recovery code and records
// securitylog.RecoveryCodeUsed, with the client, in the same transaction.
func (s *Service) checkRecovery(ctx context.Context, accountID, code string, client auth.Client) error {
	return s.firstDigest("recovery", accountID, code, func(d []byte) error {
		return s.tx.InTx(ctx, func(ctx context.Context) error {
			if err := codeResult(s.store.UseRecoveryCode(ctx, accountID, d, s.now()), "using recovery code"); err != nil {
				return err
			}
			if s.seclog == nil {
				return nil
			}
			a, err := s.account(ctx, accountID)
			if err != nil {
				return err
			}
			return s.logEvent(ctx, securitylog.Event{Kind: securitylog.RecoveryCodeUsed, ProfileID: a.ProfileID, AccountID: accountID,
				IP: client.IP, Device: client.Device()})
		})
	})
}

// firstDigest calls use with the code's digest under each key, newest
// first, until one is not errs.ErrInvalidCode.
func (s *Service) firstDigest(kind, accountID, code string, use func(digest []byte) error) error {
	var err error = errs.ErrInvalidCode
	for _, d := range s.keys.digests(kind, accountID, code) {
		if err = use(d); !errors.Is(err, errs.ErrInvalidCode) {
			return err
		}
	}
	return err
}

// codeResult maps the store's "no such code" answers to errs.ErrInvalidCode.
func codeResult(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrConflict), errors.Is(err, storage.ErrNotFound):
		return errs.ErrInvalidCode
	default:
		return fmt.Errorf("twofactor: %s: %w", what, err)
	}
}

// Proof is what Deactivate needs: the account's password, or a current
// code of the second factor (an authenticator or SMS code, or a recovery
// code). Set exactly one field. It never prints its contents.
type Proof struct {
	Password string
	Code     string
}

// String returns a description without the password or code.
func (p Proof) String() string { return "twofactor.Proof{" + secret.Redacted + "}" }

// GoString is String.
func (p Proof) GoString() string { return p.String() }

// Deactivate turns the account's second factor off after checking the
// proof: the password (through Config.Passwords) or a current code. It
// deletes the TOTP secret, phone number and recovery codes, records the
// change in the history and the security log, ends every other session
// of the account (Config.Revokers) and queues a notice to the account in
// the same transaction (an address that cannot be mailed is reported by
// Config.Notices' policy and does not fail the call). A refused proof counts as a wrong code towards the
// lock. It is a sensitive operation: the caller must have signed in
// within Config.FreshFor (auth.ErrReauthenticationRequired); a token or
// API key gets auth.ErrForbidden. It returns ErrInvalidPassword,
// errs.ErrInvalidCode, ErrLocked or ErrNotEnabled.
func (s *Service) Deactivate(ctx context.Context, c auth.Caller, p Proof) error {
	if _, err := s.freshCaller(ctx, c); err != nil {
		return err
	}
	accountID := c.AccountID
	r, _, err := s.record(ctx, accountID)
	if err != nil {
		return err
	}
	if !active(r) {
		return ErrNotEnabled
	}
	acct, err := s.account(ctx, accountID)
	if err != nil {
		return err
	}
	if err := s.checkProof(ctx, r, p, c.Client); err != nil {
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.DeleteTwoFactor(ctx, accountID); err != nil {
			return fmt.Errorf("twofactor: deleting record: %w", err)
		}
		if err := s.appendHistory(ctx, acct.ProfileID, accountID, itemTwoFactor, history.ActionCleared, r.Method); err != nil {
			return err
		}
		e := securitylog.FromCaller(securitylog.TwoFactorDeactivated, acct.ProfileID, c)
		e.Detail = string(r.Method)
		if err := s.logEvent(ctx, e); err != nil {
			return err
		}
		if err := s.revoke(ctx, c); err != nil {
			return err
		}
		return s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticeTwoFactorDisabled, Detail: string(r.Method), At: s.now()}, acct.Email)
	})
}

func (s *Service) checkProof(ctx context.Context, r Record, p Proof, client auth.Client) error {
	if p.Code != "" || p.Password == "" {
		return s.verifyCode(ctx, r, r.Method, r.Secret, p.Code, true, client)
	}
	if err := s.attempt(ctx, r); err != nil {
		return err
	}
	if s.passwords == nil {
		return ErrInvalidPassword
	}
	if err := s.passwords.CheckPassword(ctx, r.AccountID, p.Password); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errs.KindOf(err) == errs.Throttled {
			return fmt.Errorf("twofactor: checking the password: %w", err)
		}
		return fmt.Errorf("twofactor: checking the password: %w (%v)", ErrInvalidPassword, err)
	}
	return s.resetAttempts(ctx, r.AccountID)
}

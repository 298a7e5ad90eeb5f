package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// ErrRecoveryUnavailable means the Service has no RecoveryProfiles
// (Config.Recovery), so passwords cannot be reset through a recovery
// email: a mistake of the host.
var ErrRecoveryUnavailable = errs.New(errs.Internal, "recovery_unavailable", "account: password reset through the recovery email is not configured")

// RecoveryProfiles finds profiles by their verified recovery email;
// profile.Store implements it.
type RecoveryProfiles interface {
	// ProfilesByRecoveryEmail returns the ids of the profiles whose
	// verified recovery email is email (never a pending one).
	ProfilesByRecoveryEmail(ctx context.Context, email string) ([]string, error)
}

// recoveryFlow is the flow id of the codes sent to a recovery email: a
// digest, so the code store holds no second copy of the address.
func recoveryFlow(email string) string {
	sum := sha256.Sum256([]byte("usersettings/account/recovery-reset|" + email))
	return "rr_" + hex.EncodeToString(sum[:16])
}

// voidResetFlow is the flow id of the void code RequestPasswordReset
// stores for an address that gets no code: a digest of the address, so
// it names no account and the code store holds no second copy of it.
func voidResetFlow(email string) string {
	sum := sha256.Sum256([]byte("usersettings/account/void-reset|" + email))
	return "vr_" + hex.EncodeToString(sum[:16])
}

// RequestRecoveryReset is the password reset of a person who lost every
// login address: they type their profile's verified recovery email, and
// a code goes there. The mail names the accounts of that profile (more
// than one profile may share the address) whose password the code may
// reset: active accounts that use a password. The answer is nil for
// every well-formed address, whether or not a profile has it, and when
// the address is throttled; an address that is no verified recovery email
// gets nothing, after the same reads and the same work and throttle as
// one that is (verification.Service.IssueVoid). Only a malformed address
// (ErrInvalidEmail) or a failure of the store or mailer gives an error.
func (s *Service) RequestRecoveryReset(ctx context.Context, recoveryEmail string) error {
	if s.recovery == nil {
		return ErrRecoveryUnavailable
	}
	email, err := NormalizeEmail(recoveryEmail)
	if err != nil {
		return err
	}
	accts, err := s.recoverable(ctx, email)
	if err != nil {
		return err
	}
	if len(accts) == 0 {
		err = s.codes.IssueVoid(ctx, verification.PurposeRecoveryReset, recoveryFlow(email), email)
	} else {
		err = s.codes.IssueNoteFunc(ctx, verification.PurposeRecoveryReset, recoveryFlow(email), email, func(ctx context.Context) string { return resetNote(ctx, accts) })
	}
	if errors.Is(err, verification.ErrThrottled) {
		return nil
	}
	return err
}

// resetNote names the accounts a recovery reset is for, in the mail to
// the recovery email (the person's own address).
func resetNote(ctx context.Context, accts []Account) string {
	lines := make([]string, len(accts))
	for i, a := range accts {
		lines[i] = "- " + a.Email
	}
	return notify.Sprintf(ctx, "The code resets the password of one of these accounts; name it with the code:") + "\n" + strings.Join(lines, "\n")
}

// recoverable returns the active, password-using accounts of the profiles
// whose verified recovery email is email, oldest profile first. With no
// such profile it still reads the accounts of one (none), so that both
// answers cost the same reads.
func (s *Service) recoverable(ctx context.Context, email string) ([]Account, error) {
	ids, err := s.recovery.ProfilesByRecoveryEmail(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("account: looking up recovery email: %w", err)
	}
	if len(ids) == 0 {
		ids = []string{""}
	}
	var out []Account
	for _, pid := range ids {
		accts, err := s.accounts.AccountsOfProfile(ctx, pid)
		if err != nil {
			return nil, fmt.Errorf("account: listing accounts: %w", err)
		}
		for _, a := range accts {
			if a.Status == StatusActive && a.PasswordHash != "" && !a.SSO() {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// ResetPasswordByRecovery sets a new password with a code that
// RequestRecoveryReset sent to the recovery email. accountRef names the
// account to reset: its login address or its id, one of those the mail
// listed. The new password must meet the policy (else a
// *password.PolicyError, checked before anything else). An unknown
// account, one that is not active, has no password, or whose profile's
// verified recovery email is not recoveryEmail, and a wrong, expired or
// used code all give errs.ErrInvalidCode, and each counts as an attempt on
// the code. As ResetPassword, the change is recorded in the history and,
// in the same transaction, the security log (securitylog.PasswordReset,
// with the client), every personal access token and API key of the
// account is revoked, the account gets a notice that lists them, and
// every session of the account ends. It returns the account that was
// reset. Call it with a context that carries no transaction.
func (s *Service) ResetPasswordByRecovery(ctx context.Context, recoveryEmail, accountRef, code, next string, client auth.Client) (Account, error) {
	if s.recovery == nil {
		return Account{}, ErrRecoveryUnavailable
	}
	email, err := NormalizeEmail(recoveryEmail)
	if err != nil {
		return Account{}, err
	}
	a, ok, err := s.recoveryAccount(ctx, email, accountRef)
	if err != nil {
		return Account{}, err
	}
	if err := s.policy.CheckFor(next, a.Email); err != nil {
		return Account{}, err
	}
	redeem := func(ctx context.Context, fn func(ctx context.Context) error) error {
		return s.codes.Redeem(ctx, verification.PurposeRecoveryReset, recoveryFlow(email), code, func(ctx context.Context) error {
			if !ok {
				return errs.ErrInvalidCode
			}
			return fn(ctx)
		})
	}
	if !ok {
		s.hasher.VerifyDummy(ctx, next) // the cost of the hash of setPassword
		return Account{}, flatten(redeem(ctx, nil))
	}
	return s.reset(ctx, a, next, client, redeem, "through the recovery email", func(cur Account) bool {
		return cur.PasswordHash != "" && cur.ProfileID == a.ProfileID
	})
}

// recoveryAccount returns the account named by ref (an address or an
// id) and whether a recovery reset through email may reset it.
func (s *Service) recoveryAccount(ctx context.Context, email, ref string) (Account, bool, error) {
	var (
		a   Account
		err error
	)
	if addr, nerr := NormalizeEmail(ref); nerr == nil {
		a, err = s.accounts.AccountByEmail(ctx, addr)
	} else {
		a, err = s.accounts.Account(ctx, strings.TrimSpace(ref))
	}
	if errors.Is(err, storage.ErrNotFound) {
		return Account{}, false, nil
	}
	if err != nil {
		return Account{}, false, fmt.Errorf("account: looking up account: %w", err)
	}
	ids, err := s.recovery.ProfilesByRecoveryEmail(ctx, email)
	if err != nil {
		return Account{}, false, fmt.Errorf("account: looking up recovery email: %w", err)
	}
	ok := slices.Contains(ids, a.ProfileID) && a.Status == StatusActive && a.PasswordHash != "" && !a.SSO()
	return a, ok, nil
}

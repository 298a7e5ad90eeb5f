package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// SignUp starts a sign-up: it checks the address and the password (every
// policy violation at once, as a *password.PolicyError, before any
// hashing), stores a pending request and mails a code to the address. It
// returns the pending id to pass to ConfirmSignUp.
//
// It returns ErrInvalidEmail, a *password.PolicyError, ErrSSORequired for
// an address of a single-sign-on company, or a verification.ErrThrottled
// error. For an address that is already registered it answers exactly as
// for a new one, after the same work (the password is hashed, a pending
// request stored and the address throttled all the same), with a decoy
// pending id that can never be confirmed: its code is void
// (verification.Service.IssueVoid), so a code tried on it costs what a
// wrong code on a real one costs. It sends no code but a notice to the
// address ("someone tried to create an account with your address"), at
// most one an hour (DefaultAttemptNoticeEvery) when Config.Limiter is
// set. So sign-up cannot be used to find out who has an account.
func (s *Service) SignUp(ctx context.Context, email, pw string, marketing bool) (pendingID string, err error) {
	p := Pending{Kind: PendingSignUp, Marketing: marketing}
	return s.start(ctx, p, email, pw, verification.PurposeSignUp)
}

// AddAccount starts adding a new account to the caller's profile
// ("Create Account"). It is a sensitive operation: the caller must have
// signed in within Config.FreshFor (auth.ErrReauthenticationRequired); a
// token or API key, or an account that is not active, gets
// auth.ErrForbidden. It works like SignUp, and is refused with
// ErrSSORequired when the company of the caller's account or of the new
// address enforces single sign-on (such people sign up normally and then
// merge profiles). The pending request is bound to the caller's account.
func (s *Service) AddAccount(ctx context.Context, c auth.Caller, email, pw string, marketing bool) (pendingID string, err error) {
	me, err := s.freshCaller(ctx, c)
	if err != nil {
		return "", err
	}
	if managed, err := s.managed(ctx, me); err != nil {
		return "", err
	} else if managed {
		return "", ErrSSORequired
	}
	p := Pending{Kind: PendingAddAccount, Marketing: marketing, ProfileID: me.ProfileID, RequestedBy: me.ID}
	return s.start(ctx, p, email, pw, verification.PurposeAddAccount)
}

// start validates, stores p and issues its code; shared by SignUp and
// AddAccount.
func (s *Service) start(ctx context.Context, p Pending, email, pw string, purpose verification.Purpose) (string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return "", err
	}
	if err := s.policy.CheckFor(pw, email); err != nil {
		return "", err
	}
	if sso, err := s.sso(ctx, email); err != nil {
		return "", err
	} else if sso {
		return "", ErrSSORequired
	}
	pid, err := id.New(s.rand, "pnd_")
	if err != nil {
		return "", fmt.Errorf("account: %w", err)
	}
	hash, err := s.hasher.Hash(ctx, pw) // also for a taken address: same cost
	if err != nil {
		return "", fmt.Errorf("account: hashing password: %w", err)
	}
	_, err = s.accounts.AccountByEmail(ctx, email)
	taken := err == nil
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return "", fmt.Errorf("account: looking up email: %w", err)
	}
	now := s.now()
	p.ID, p.Email, p.PasswordHash, p.CreatedAt, p.ExpiresAt = pid, email, hash, now, now.Add(s.pendingTTL)
	if taken {
		p.PasswordHash = "" // a decoy keeps no hash of a stranger's guess
	}
	if err := s.accounts.CreatePending(ctx, p); err != nil {
		return "", fmt.Errorf("account: storing pending request: %w", err)
	}
	issue := s.codes.Issue
	if taken {
		issue = s.codes.IssueVoid
	}
	if err := issue(ctx, purpose, pid, email); err != nil {
		_ = s.accounts.DeletePending(ctx, pid)
		return "", err
	}
	if taken {
		return pid, s.attemptNotice(ctx, notify.NoticeSignUpAttempt, email)
	}
	return pid, nil
}

// ConfirmSignUp completes a sign-up with the emailed code: in one
// transaction it consumes the code, creates an empty private profile and
// an active account, records the history and deletes the pending request.
// It returns the new account (without its password hash),
// errs.ErrInvalidCode for a wrong, expired or used code or an unknown pending
// id, and ErrEmailTaken when the address was registered meanwhile. Call
// it with a context that carries no transaction.
func (s *Service) ConfirmSignUp(ctx context.Context, pendingID, code string) (Account, error) {
	p, err := s.pending(ctx, pendingID, PendingSignUp)
	if err != nil {
		return Account{}, err
	}
	var out Account
	err = s.codes.Redeem(ctx, verification.PurposeSignUp, pendingID, code, func(ctx context.Context) error {
		now := s.now()
		prf, err := id.New(s.rand, "prf_")
		if err != nil {
			return err
		}
		pr := profile.Profile{ID: prf, CreatedAt: now, UpdatedAt: now}
		if err := s.profiles.CreateProfile(ctx, pr); err != nil {
			return fmt.Errorf("account: creating profile: %w", err)
		}
		out, err = s.create(ctx, p, prf, "")
		return err
	})
	return public(out), flatten(err)
}

// ConfirmAddAccount completes an add-account request with the emailed
// code: in one transaction the new account joins the caller's current
// profile, and the addition is recorded in the history and the security
// log. It is a sensitive operation, like AddAccount. The request must
// have been made by the caller's account; otherwise, and for a wrong
// code, it returns errs.ErrInvalidCode. The profile's other accounts get a
// notice, and every Revoker is told (ChangeAccountAdded, keeping the
// caller's session), which ends the caller's account's other sessions.
// Call it with a context that carries no transaction.
func (s *Service) ConfirmAddAccount(ctx context.Context, c auth.Caller, pendingID, code string) (Account, error) {
	if _, err := s.freshCaller(ctx, c); err != nil {
		return Account{}, err
	}
	p, err := s.pending(ctx, pendingID, PendingAddAccount)
	if err != nil {
		return Account{}, err
	}
	if p.RequestedBy != c.AccountID {
		return Account{}, errs.ErrInvalidCode
	}
	var out Account
	var others []Account
	err = s.codes.Redeem(ctx, verification.PurposeAddAccount, pendingID, code, func(ctx context.Context) error {
		me, err := s.caller(ctx, c)
		if err != nil {
			return err
		}
		if others, err = s.accounts.AccountsOfProfile(ctx, me.ProfileID); err != nil {
			return fmt.Errorf("account: listing accounts: %w", err)
		}
		if out, err = s.create(ctx, p, me.ProfileID, me.ID); err != nil {
			return err
		}
		e := securitylog.FromCaller(securitylog.AccountAdded, me.ProfileID, c)
		e.AccountID, e.Detail = out.ID, out.Email
		if err := s.logEvents(ctx, e); err != nil {
			return err
		}
		return s.revokeKeeping(ctx, c.AccountID, ChangeAccountAdded, c.SessionID)
	})
	if err != nil {
		return Account{}, flatten(err)
	}
	s.notices.Send(ctx, notify.Notice{Kind: notify.NoticeAccountAdded, Detail: out.Email, At: s.now()}, emails(others)...)
	return public(out), nil
}

// pending loads a live pending request of the kind; anything else is
// errs.ErrInvalidCode, so a caller learns nothing from a made-up id.
func (s *Service) pending(ctx context.Context, pendingID string, kind PendingKind) (Pending, error) {
	p, err := s.accounts.Pending(ctx, pendingID)
	if errors.Is(err, storage.ErrNotFound) {
		return Pending{}, errs.ErrInvalidCode
	}
	if err != nil {
		return Pending{}, fmt.Errorf("account: loading pending request: %w", err)
	}
	if p.Kind != kind || !s.now().Before(p.ExpiresAt) {
		return Pending{}, errs.ErrInvalidCode
	}
	return p, nil
}

// create turns p into an active account of the profile, records it in
// the history as done by actor (the new account itself when empty) and
// deletes p, in ctx's transaction.
func (s *Service) create(ctx context.Context, p Pending, profileID, actor string) (Account, error) {
	aid, err := id.New(s.rand, "acc_")
	if err != nil {
		return Account{}, err
	}
	now := s.now()
	a := Account{
		ID: aid, ProfileID: profileID, Email: p.Email, PasswordHash: p.PasswordHash,
		PasswordChangedAt: now, Status: StatusActive, Marketing: p.Marketing, CreatedAt: now,
	}
	if err := s.accounts.CreateAccount(ctx, a); errors.Is(err, storage.ErrConflict) {
		return Account{}, ErrEmailTaken
	} else if err != nil {
		return Account{}, fmt.Errorf("account: creating account: %w", err)
	}
	if actor == "" {
		actor = aid
	}
	if err := s.record(ctx, profileID, actor, "account", history.ActionAdded, aid, now); err != nil {
		return Account{}, err
	}
	if err := s.accounts.DeletePending(ctx, p.ID); err != nil {
		return Account{}, fmt.Errorf("account: deleting pending request: %w", err)
	}
	return a, nil
}

// flatten reduces every dead-code error to errs.ErrInvalidCode: the caller of
// a confirmation learns no more than "invalid".
func flatten(err error) error {
	if errors.Is(err, errs.ErrInvalidCode) {
		return errs.ErrInvalidCode
	}
	return err
}

// DeleteExpiredPending deletes the sign-up and add-account requests that
// have expired and returns how many it deleted. Run it periodically.
func (s *Service) DeleteExpiredPending(ctx context.Context) (int, error) {
	n, err := s.accounts.DeletePendingBefore(ctx, s.now())
	if err != nil {
		return n, fmt.Errorf("account: deleting expired requests: %w", err)
	}
	return n, nil
}

// emails returns the addresses of the accounts.
func emails(as []Account) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.Email)
	}
	return out
}

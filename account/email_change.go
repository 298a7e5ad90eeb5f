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
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// PendingEmailChange is a change of an account's login email waiting
// for the code sent to the new address: Pending.Email is the new
// address, ProfileID the account's profile and RequestedBy the account
// whose address changes.
const PendingEmailChange PendingKind = "email_change"

// ChangeEmailChanged: the login email of the account changed. Cached API
// key validations (which hold the address) go, and every session but
// Revocation.KeepSession ends: a session opened under the old address
// should not outlive it, except the one that made the change.
const ChangeEmailChanged Change = "email_changed"

// ErrEmailUnchanged means the new login email is the account's current
// one.
var ErrEmailUnchanged = errs.New(errs.Invalid, "email_unchanged", "account: new email equals the current one")

// RequestEmailChange starts changing the login email of an account of
// the caller's profile (usually the caller's own) to newEmail: it mails
// a code to the new address, to confirm with ConfirmEmailChange, and
// returns the id of the pending change. It is a sensitive operation: the
// caller must have signed in within Config.FreshFor
// (auth.ErrReauthenticationRequired); a token or API key, or an account
// that is not active, gets auth.ErrForbidden. An account of another
// profile, or one that is not active, answers ErrNotFound.
//
// It returns ErrInvalidEmail, ErrEmailUnchanged, ErrSSOManaged for an
// account whose credentials belong to an identity provider (linked, or of
// a single-sign-on company), ErrSSORequired when the new address's
// company enforces single sign-on (told by its domain alone), and a
// verification.ErrThrottled error when the new address got codes too
// often.
//
// Addresses stay unique, and nothing is enumerated: for an address that
// already has an account it answers exactly as for a free one, with a
// pending id, the same throttle and about the same work, but the code it
// stores matches nothing (verification.Service.IssueVoid), so
// ConfirmEmailChange fails with errs.ErrInvalidCode as for a wrong code, and
// the address's owner gets a notice (notify.NoticeEmailChangeAttempt, at
// most one an hour with Config.Limiter) instead of a code. Mail goes
// through the verification service's mailer (the courier's outbox), never
// inside the request.
func (s *Service) RequestEmailChange(ctx context.Context, c auth.Caller, accountID, newEmail string) (pendingID string, err error) {
	me, err := s.freshCaller(ctx, c)
	if err != nil {
		return "", err
	}
	email, err := NormalizeEmail(newEmail)
	if err != nil {
		return "", err
	}
	a, err := s.changeable(ctx, me, accountID, email)
	if err != nil {
		return "", err
	}
	pid, err := id.New(s.rand, "pnd_")
	if err != nil {
		return "", fmt.Errorf("account: %w", err)
	}
	_, err = s.accounts.AccountByEmail(ctx, email)
	taken := err == nil
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return "", fmt.Errorf("account: looking up email: %w", err)
	}
	now := s.now()
	p := Pending{
		ID: pid, Kind: PendingEmailChange, Email: email, ProfileID: a.ProfileID, RequestedBy: a.ID,
		CreatedAt: now, ExpiresAt: now.Add(s.pendingTTL),
	}
	if err := s.accounts.CreatePending(ctx, p); err != nil {
		return "", fmt.Errorf("account: storing pending request: %w", err)
	}
	if taken {
		err = s.codes.IssueVoid(ctx, verification.PurposeEmailChange, pid, email)
	} else {
		err = s.codes.Issue(ctx, verification.PurposeEmailChange, pid, email)
	}
	if err != nil {
		_ = s.accounts.DeletePending(ctx, pid)
		return "", err
	}
	if taken {
		if err := s.attemptNotice(ctx, notify.NoticeEmailChangeAttempt, email); err != nil {
			return "", err
		}
	}
	return pid, nil
}

// changeable returns the account accountID of me's profile when its
// login email may change to email, the normalised new address.
func (s *Service) changeable(ctx context.Context, me Account, accountID, email string) (Account, error) {
	a := me
	if accountID != me.ID {
		var err error
		if a, err = s.get(ctx, accountID); err != nil {
			return Account{}, err
		}
		if a.ProfileID != me.ProfileID || a.Status != StatusActive {
			return Account{}, ErrNotFound
		}
	}
	if managed, err := s.managed(ctx, a); err != nil {
		return Account{}, err
	} else if managed {
		return Account{}, ErrSSOManaged
	}
	if email == a.Email {
		return Account{}, ErrEmailUnchanged
	}
	if sso, err := s.sso(ctx, email); err != nil {
		return Account{}, err
	} else if sso {
		return Account{}, ErrSSORequired
	}
	return a, nil
}

// ConfirmEmailChange completes a change started with RequestEmailChange
// with the code mailed to the new address. It is a sensitive operation,
// like RequestEmailChange, and the caller must belong to the profile of
// the account that changes. A wrong, expired or used code, an unknown
// pending id, a change of another profile, and a change to an address
// that already had an account all answer errs.ErrInvalidCode.
//
// In one transaction the code is consumed, the account takes the new
// address, the change is recorded in the history and the security log
// (securitylog.EmailChanged), the codes and send log of the old address
// are forgotten, a notice to the old address is queued
// (notify.NoticeEmailChanged), and every Revoker is told
// (ChangeEmailChanged): cached API key validations go, and every session
// of the account ends but the caller's own. It returns the account
// (without its password hash), or ErrEmailTaken when the address was
// registered meanwhile. Call it with a context that carries no
// transaction.
func (s *Service) ConfirmEmailChange(ctx context.Context, c auth.Caller, pendingID, code string) (Account, error) {
	me, err := s.freshCaller(ctx, c)
	if err != nil {
		return Account{}, err
	}
	p, err := s.pending(ctx, pendingID, PendingEmailChange)
	if err != nil {
		return Account{}, err
	}
	if p.ProfileID != me.ProfileID {
		return Account{}, errs.ErrInvalidCode
	}
	var out Account
	err = s.codes.Redeem(ctx, verification.PurposeEmailChange, pendingID, code, func(ctx context.Context) error {
		a, err := s.get(ctx, p.RequestedBy)
		if errors.Is(err, ErrNotFound) {
			return errs.ErrInvalidCode
		}
		if err != nil {
			return err
		}
		if a.ProfileID != me.ProfileID || a.Status != StatusActive || a.SSO() {
			return errs.ErrInvalidCode
		}
		keep := ""
		if a.ID == c.AccountID {
			keep = c.SessionID
		}
		e := securitylog.FromCaller(securitylog.EmailChanged, a.ProfileID, c)
		e.AccountID = a.ID
		out, err = s.setEmail(ctx, a, p.Email, keep, e, func(ctx context.Context, a Account) error {
			return s.record(ctx, a.ProfileID, me.ID, "email", history.ActionSet, a.ID, s.now())
		})
		if err != nil {
			return err
		}
		if err := s.accounts.DeletePending(ctx, p.ID); err != nil {
			return fmt.Errorf("account: deleting pending request: %w", err)
		}
		return nil
	})
	if err != nil {
		return Account{}, flatten(err)
	}
	return public(out), nil
}

// AdminChangeEmail sets the login email of the account to newEmail, an
// address the host (or its support staff) has verified itself: no code
// is sent. It is recorded like the other admin operations, in the
// profile's history and security log with the admin and the reason; the
// old address gets a notice (notify.NoticeEmailChanged), its codes and
// send log are forgotten, and every Revoker is told (ChangeEmailChanged,
// keeping no session): cached API key validations go and every session
// of the account ends. Setting the current address changes nothing.
//
// Unlike the self-service change it tells a taken address apart: it
// returns ErrEmailTaken (a conflict) when another account has newEmail,
// and also ErrInvalidEmail, auth.ErrInvalidCaller for an invalid admin
// and ErrNotFound. It applies to any account, including one linked to
// an identity provider or moving to a single-sign-on company's domain:
// the host decides.
func (s *Service) AdminChangeEmail(ctx context.Context, admin auth.Admin, accountID, newEmail string) (Account, error) {
	if err := admin.Valid(); err != nil {
		return Account{}, err
	}
	email, err := NormalizeEmail(newEmail)
	if err != nil {
		return Account{}, err
	}
	var out Account
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.get(ctx, accountID)
		if err != nil {
			return err
		}
		if a.Email == email {
			out = a
			return nil
		}
		e := securitylog.Event{Kind: securitylog.EmailChanged, ProfileID: a.ProfileID, AccountID: a.ID, Admin: admin.ID}
		out, err = s.setEmail(ctx, a, email, "", e, func(ctx context.Context, a Account) error {
			return s.recordAdmin(ctx, admin, a, "email", history.ActionSet, "changed")
		})
		return err
	})
	if err != nil {
		return Account{}, err
	}
	return public(out), nil
}

// setEmail gives a the address email in ctx's transaction: it stores
// the account (ErrEmailTaken when the address is taken), runs recorded,
// logs e (completed with the time and the new address), forgets the old
// address's codes, queues the notice to the old address and tells every
// Revoker, keeping the session keep.
func (s *Service) setEmail(ctx context.Context, a Account, email, keep string, e securitylog.Event,
	recorded func(context.Context, Account) error) (Account, error) {
	old := a.Email
	a.Email = email
	if err := s.accounts.UpdateAccount(ctx, a); errors.Is(err, storage.ErrConflict) {
		return Account{}, ErrEmailTaken
	} else if err != nil {
		return Account{}, fmt.Errorf("account: storing email: %w", err)
	}
	if err := recorded(ctx, a); err != nil {
		return Account{}, err
	}
	now := s.now()
	e.At, e.Detail = now, email
	if err := s.logEvents(ctx, e); err != nil {
		return Account{}, err
	}
	if err := s.codes.Forget(ctx, old); err != nil {
		return Account{}, err
	}
	if err := s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticeEmailChanged, At: now}, old); err != nil {
		return Account{}, fmt.Errorf("account: queueing notice: %w", err)
	}
	return a, s.revokeKeeping(ctx, a.ID, ChangeEmailChanged, keep)
}

// attemptNotice sends the owner of a registered address a notice that
// someone tried to use it (sign-up, a new login email), at most one per
// address per DefaultAttemptNoticeEvery when Config.Limiter is set.
func (s *Service) attemptNotice(ctx context.Context, kind notify.NoticeKind, email string) error {
	if s.limiter != nil {
		l := ratelimit.Limit{Burst: 1, Every: DefaultAttemptNoticeEvery}
		ok, _, err := s.limiter.TakeRateToken(ctx, ratelimit.KeyOf("account/attempt-notice|"+email), l, s.now())
		if err != nil {
			return fmt.Errorf("account: throttling the attempt notice: %w", err)
		}
		if !ok {
			return nil
		}
	}
	s.notices.Send(ctx, notify.Notice{Kind: kind, At: s.now()}, email)
	return nil
}

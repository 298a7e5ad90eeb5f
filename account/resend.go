package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// ErrPendingExpired means a pending request (a sign-up, an added account
// or a login-email change) is unknown, expired, of another kind or not
// the caller's: there is nothing to send a new code for, and the person
// starts again. Every such case gets this one answer, so an id cannot be
// probed.
var ErrPendingExpired = errs.New(errs.Expired, "pending_expired", "account: pending request unknown or expired")

// SignUpAddress returns the address the codes of the pending sign-up go
// to, for the code page to say where the code went (the person typed it;
// the id is known only to whoever started the sign-up). A decoy pending
// id (an address that already has an account) answers alike.
// ErrPendingExpired otherwise.
func (s *Service) SignUpAddress(ctx context.Context, pendingID string) (string, error) {
	p, err := s.live(ctx, pendingID, PendingSignUp)
	return p.Email, err
}

// ResendSignUp sends a new code for the pending sign-up, voiding the
// one before. The send throttle of the first code applies (a
// *errs.RetryError matching verification.ErrThrottled), counted on the
// same address, purpose and flow, so resending opens no second budget.
// A decoy pending id does what SignUp did for it: the same throttle and
// work, a code that matches nothing, and no code but an attempt notice
// to the address's owner (at most one an hour with Config.Limiter); the
// answer is the same as for a real one. It returns ErrPendingExpired for
// an unknown or expired id.
func (s *Service) ResendSignUp(ctx context.Context, pendingID string) error {
	p, err := s.live(ctx, pendingID, PendingSignUp)
	if err != nil {
		return err
	}
	return s.resend(ctx, p)
}

// PendingAddress returns the address the codes of a pending add-account
// request or login-email change of the caller go to: the request must be
// the caller's (an added account: made by the caller's account; a
// login-email change: of an account of the caller's profile), else
// ErrPendingExpired. A token or API key, or an account that is not
// active, gets auth.ErrForbidden.
func (s *Service) PendingAddress(ctx context.Context, c auth.Caller, pendingID string) (string, error) {
	me, err := s.caller(ctx, c)
	if err != nil {
		return "", err
	}
	p, err := s.callersPending(ctx, me, pendingID)
	return p.Email, err
}

// ResendPending sends a new code for a pending add-account request or
// login-email change of the caller (as PendingAddress finds it),
// voiding the one before. It is a sensitive operation like the request
// itself: the caller must have signed in within Config.FreshFor
// (auth.ErrReauthenticationRequired). The first code's send throttle
// applies (verification.ErrThrottled in a *errs.RetryError), and a
// decoy request (an address that has an account) is resent exactly as a
// real one, with a void code and an attempt notice to the owner instead
// of a code. It returns ErrPendingExpired for an unknown, expired or
// foreign id.
func (s *Service) ResendPending(ctx context.Context, c auth.Caller, pendingID string) error {
	me, err := s.freshCaller(ctx, c)
	if err != nil {
		return err
	}
	p, err := s.callersPending(ctx, me, pendingID)
	if err != nil {
		return err
	}
	return s.resend(ctx, p)
}

// callersPending returns the live add-account request or login-email
// change pendingID of me, or ErrPendingExpired.
func (s *Service) callersPending(ctx context.Context, me Account, pendingID string) (Pending, error) {
	p, err := s.live(ctx, pendingID, PendingAddAccount, PendingEmailChange)
	if err != nil {
		return Pending{}, err
	}
	mine := p.RequestedBy == me.ID
	if p.Kind == PendingEmailChange {
		mine = p.ProfileID == me.ProfileID
	}
	if !mine {
		return Pending{}, ErrPendingExpired
	}
	return p, nil
}

// live returns the pending request pendingID when it is of one of the
// kinds and has not expired; otherwise ErrPendingExpired.
func (s *Service) live(ctx context.Context, pendingID string, kinds ...PendingKind) (Pending, error) {
	p, err := s.accounts.Pending(ctx, pendingID)
	if errors.Is(err, storage.ErrNotFound) && ctx.Err() == nil {
		return Pending{}, ErrPendingExpired
	}
	if err != nil {
		return Pending{}, fmt.Errorf("account: loading pending request: %w", err)
	}
	for _, k := range kinds {
		if p.Kind == k && s.now().Before(p.ExpiresAt) {
			return p, nil
		}
	}
	return Pending{}, ErrPendingExpired
}

// resendTexts are the code purpose and the notice to a registered
// address of each kind of pending request.
var resendTexts = map[PendingKind]struct {
	purpose verification.Purpose
	notice  notify.NoticeKind
}{
	PendingSignUp:      {verification.PurposeSignUp, notify.NoticeSignUpAttempt},
	PendingAddAccount:  {verification.PurposeAddAccount, notify.NoticeSignUpAttempt},
	PendingEmailChange: {verification.PurposeEmailChange, notify.NoticeEmailChangeAttempt},
}

// resend issues a new code for p, as the request that made p did: a
// real one, or for a decoy a void one and an attempt notice. A sign-up
// or added account is a decoy when it keeps no password hash (start
// stores none for a registered address); a login-email change when its
// address has an account now, as RequestEmailChange decides.
func (s *Service) resend(ctx context.Context, p Pending) error {
	t := resendTexts[p.Kind]
	decoy := p.PasswordHash == ""
	if p.Kind == PendingEmailChange {
		_, err := s.accounts.AccountByEmail(ctx, p.Email)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("account: looking up email: %w", err)
		}
		decoy = err == nil
	}
	if !decoy {
		return s.codes.Issue(ctx, t.purpose, p.ID, p.Email)
	}
	if err := s.codes.IssueVoid(ctx, t.purpose, p.ID, p.Email); err != nil {
		return err
	}
	return s.attemptNotice(ctx, t.notice, p.Email)
}

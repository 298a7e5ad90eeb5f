package account

import (
	"cmp"
	"context"
	"errors"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// The emailed unlock. Failures from clients an account does not know are
// counted on its address, so a stranger who keeps guessing keeps every
// new browser and API client of the owner waiting too. The owner proves
// the mailbox instead: RequestUnlock mails a one-time code, and Unlock
// trades it for a device token. With that token the owner's attempts are
// counted on the device's own counter, which the stranger's failures do
// not touch, so the right password gets through at once. The code is
// throttled and bounded like every code (verification's send limits per
// purpose and attempts per code), so the guesses on an address stay
// bounded.

// RequestUnlock mails a one-time unlock code (verification.PurposeUnlock)
// to the address when it belongs to an active account that signs in
// with a password. Like RequestPasswordReset it returns nil for every
// well-formed address, whether or not it has an account, and also when
// the address got too many codes (the code mailed last stays good); only
// a malformed address (ErrInvalidEmail) or a failure of the store or
// mailer gives an error. Hosts offer it when Authenticate answers
// ErrThrottled.
func (s *Service) RequestUnlock(ctx context.Context, email string) error {
	email, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	a, found, err := s.byEmail(ctx, email)
	if err != nil || !found {
		return err
	}
	if ok, err := s.unlockable(ctx, a); err != nil || !ok {
		return err
	}
	err = s.codes.Issue(ctx, verification.PurposeUnlock, a.ID, email)
	if errors.Is(err, verification.ErrThrottled) {
		return nil
	}
	return err
}

// Unlock redeems a code from RequestUnlock and returns a new device token
// of the account (as AuthResult.Device): the client passes it in
// Login.Device, and its attempts are then counted on that device alone,
// not on the address that strangers keep throttled. The token is not a
// credential: the password is still needed. An unknown address, an
// inactive or single-sign-on account and a wrong, expired or used code
// all give errs.ErrInvalidCode. Call it with a context that carries no
// transaction.
func (s *Service) Unlock(ctx context.Context, email, code string) (string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return "", errs.ErrInvalidCode
	}
	a, found, err := s.byEmail(ctx, email)
	if err != nil {
		return "", err
	}
	if !found {
		return "", errs.ErrInvalidCode
	}
	err = s.codes.Redeem(ctx, verification.PurposeUnlock, a.ID, code, func(ctx context.Context) error {
		cur, err := s.get(ctx, a.ID)
		if err != nil {
			return err
		}
		if ok, err := s.unlockable(ctx, cur); err != nil || !ok {
			return cmp.Or(err, error(errs.ErrInvalidCode))
		}
		return nil
	})
	if err := flatten(err); err != nil {
		return "", err
	}
	return s.devices.issue(a.ID, s.now())
}

// unlockable reports whether a signs in with a password: active, with a
// password, and neither linked to an identity provider nor of a
// single-sign-on company.
func (s *Service) unlockable(ctx context.Context, a Account) (bool, error) {
	if a.Status != StatusActive || a.SSO() || a.PasswordHash == "" {
		return false, nil
	}
	managed, err := s.managed(ctx, a)
	return !managed, err
}

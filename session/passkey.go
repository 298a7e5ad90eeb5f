package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
)

// Passkeys checks the passkey response of ReauthenticatePasskey.
// *passkey.Service implements it.
type Passkeys interface {
	// VerifyReauthentication checks the browser's response to the
	// re-authentication ceremony the caller began
	// (passkey.Service.BeginReauthentication) from its session, with a
	// passkey of the caller's account, and consumes the ceremony. It
	// reports whether the authenticator verified the person (a PIN or a
	// biometric). A refused response is an error matching
	// account.ErrInvalidCredentials.
	VerifyReauthentication(ctx context.Context, c auth.Caller, ceremonyID string, response []byte) (userVerified bool, err error)
}

// ReauthenticatePasskey is Reauthenticate with a passkey instead of the
// password: response is the browser's answer (the JSON of the
// PublicKeyCredential) to the ceremony ceremonyID the caller began with
// passkey.Service.BeginReauthentication from the same session. On
// success the session's AuthenticatedAt is now, its Method
// auth.MethodPasskey, and the security log records
// securitylog.Reauthenticated with Detail "passkey", in one transaction.
//
// A refused response is an error matching account.ErrInvalidCredentials,
// an unknown, used or expired ceremony passkey.ErrCeremonyExpired, and a
// response without user verification on an account with a second factor
// ErrSecondFactorRequired (re-authenticate with the password and a code
// instead). The caller's checks are Reauthenticate's; a Service without
// Config.Passkeys answers ErrNotConfigured.
func (s *Service) ReauthenticatePasskey(ctx context.Context, c auth.Caller, ceremonyID string, response []byte) (Session, error) {
	if err := c.AllowExpired().Person(); err != nil {
		return Session{}, err
	}
	if c.SessionID == "" {
		return Session{}, fmt.Errorf("session: no session to re-authenticate: %w", auth.ErrInvalidCaller)
	}
	if s.passkeys == nil {
		return Session{}, ErrNotConfigured
	}
	ses, err := s.own(ctx, c)
	if err != nil {
		return Session{}, err
	}
	uv, err := s.passkeys.VerifyReauthentication(ctx, c, ceremonyID, response)
	if err != nil {
		if errors.Is(err, account.ErrInvalidCredentials) {
			return Session{}, fmt.Errorf("session: reauthenticate: %w", err)
		}
		return Session{}, fmt.Errorf("session: reauthenticate with a passkey: %w", err)
	}
	if !uv && s.second != nil {
		required, err := s.second.Required(ctx, c.AccountID)
		if err != nil {
			return Session{}, fmt.Errorf("session: reauthenticate: %w", err)
		}
		if required {
			return Session{}, ErrSecondFactorRequired
		}
	}
	return s.refresh(ctx, c, ses, auth.MethodPasskey, "passkey")
}

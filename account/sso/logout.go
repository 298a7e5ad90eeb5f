package sso

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/seed-a97ca23f/usersettings/storage"
)

// BackChannelLogout handles an OpenID Connect Back-Channel Logout 1.0
// request of the connection's provider: it verifies the logout token with
// go-oidc against the connection's issuer, client ID and the provider's
// JWKS (signature, iss, aud, exp, the logout event, a jti, no nonce) and
// ends every session of the account bound to the token's subject. It
// returns how many sessions it ended; an unknown subject ends none and is
// no error.
//
// A token that names the provider's session ("sid", alone or with the
// subject) ends only the sessions started in that provider session
// (session.Begin.ProviderSession, from SignIn.ProviderSession), as the
// specification asks. A token that fails verification, or names neither
// a subject nor a session, is ErrInvalidLogoutToken. Each token is used once: its jti
// is remembered until the token expires, and a replay (which would end
// sessions started since the first logout) is ErrInvalidLogoutToken and
// ends nothing.
func (s *Service) BackChannelLogout(ctx context.Context, connectionID, rawToken string) (int, error) {
	r, err := s.load(ctx, connectionID)
	if err != nil {
		return 0, err
	}
	p, err := s.providers.get(ctx, r.Issuer)
	if err != nil {
		return 0, err
	}
	lt, err := p.Verifier(&oidc.Config{ClientID: r.ClientID, Now: s.now}).VerifyLogout(s.providers.httpContext(ctx), rawToken)
	if err != nil {
		return 0, fmt.Errorf("sso: %v: %w", err, ErrInvalidLogoutToken)
	}
	if lt.Subject == "" && lt.SessionID == "" {
		return 0, fmt.Errorf("sso: neither a subject nor a session: %w", ErrInvalidLogoutToken)
	}
	if err := s.useLogoutToken(ctx, r.ID, lt); err != nil {
		return 0, err
	}
	if lt.Subject == "" {
		n, err := s.sessions.LogOutProviderSession(ctx, providerSessionKey(r.ID, lt.SessionID), "")
		if err != nil {
			return 0, fmt.Errorf("sso: ending sessions: %w", err)
		}
		return n, nil
	}
	a, err := s.st.AccountBySubject(ctx, r.ID, lt.Subject)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sso: looking up identity: %w", err)
	}
	var n int
	if lt.SessionID != "" {
		n, err = s.sessions.LogOutProviderSession(ctx, providerSessionKey(r.ID, lt.SessionID), a.ID)
	} else {
		n, err = s.sessions.LogOut(ctx, a.ID)
	}
	if err != nil {
		return 0, fmt.Errorf("sso: ending sessions: %w", err)
	}
	return n, nil
}

// maxLogoutTokenLife bounds how long a logout token's jti is remembered,
// whatever expiry the provider gave it.
const maxLogoutTokenLife = 24 * time.Hour

// useLogoutToken uses the token up: its jti is kept until the token
// expires, as a used-up flow of the connection (one row keyed by a digest,
// deleted by DeleteFlowsBefore like every flow, and never found by a
// callback, whose keys digest a state and a binding). A token without a
// jti, or whose jti is already kept, is ErrInvalidLogoutToken.
func (s *Service) useLogoutToken(ctx context.Context, connectionID string, lt *oidc.LogoutToken) error {
	if lt.TokenID == "" || len(lt.TokenID) > 256 {
		return fmt.Errorf("%w: no jti", ErrInvalidLogoutToken)
	}
	now := s.now()
	until := lt.Expiry
	if until.IsZero() || until.After(now.Add(maxLogoutTokenLife)) {
		until = now.Add(maxLogoutTokenLife)
	}
	f := Flow{State: DigestOf("logout jti|" + connectionID + "|" + lt.TokenID), ConnectionID: connectionID,
		Verifier: []byte{}, CreatedAt: now, ExpiresAt: until}
	err := s.st.CreateFlow(ctx, f)
	if errors.Is(err, storage.ErrConflict) {
		return fmt.Errorf("%w: replayed (jti already used)", ErrInvalidLogoutToken)
	}
	if err != nil {
		return fmt.Errorf("sso: remembering logout token: %w", err)
	}
	return nil
}

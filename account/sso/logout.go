package sso

import (
	"context"
	"errors"
	"fmt"

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
// A token that fails verification, or names only a provider session
// ("sid") without a subject, is ErrInvalidLogoutToken: sessions are bound
// to accounts, not to provider sessions. Ending sessions twice is
// harmless, so a replayed token within its lifetime only ends sessions
// started since; the token's jti is not recorded.
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
	if lt.Subject == "" {
		return 0, fmt.Errorf("sso: no subject (sid-only logout is not supported): %w", ErrInvalidLogoutToken)
	}
	a, err := s.st.AccountBySubject(ctx, r.ID, lt.Subject)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sso: looking up identity: %w", err)
	}
	n, err := s.sessions.EndAccount(ctx, a.ID, "")
	if err != nil {
		return 0, fmt.Errorf("sso: ending sessions: %w", err)
	}
	return n, nil
}

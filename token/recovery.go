package token

import (
	"context"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// RevokeCredentials deletes every token and API key of the account, in
// the transaction ctx carries: an account recovery (a password reset)
// must not leave behind credentials an intruder may have made. Each one
// gets a history entry and a security-log event (TokenDeleted or
// APIKeyDeleted, with r.Client), the shared revocation sequence advances
// so that every replica refuses the keys within Config.RevocationCheck,
// and this process's cached validations of the account go once the
// transaction commits. It returns what it revoked, tokens then keys,
// oldest first, for the reset's notice (account.CredentialRevoker). An
// account without credentials changes nothing but the cache.
func (s *Service) RevokeCredentials(ctx context.Context, r account.Revocation) ([]account.RevokedCredential, error) {
	ts, err := s.store.TokensOfAccount(ctx, r.AccountID)
	if err != nil {
		return nil, wrap("revoking tokens", err)
	}
	ks, err := s.store.APIKeysOfAccount(ctx, r.AccountID)
	if err != nil {
		return nil, wrap("revoking api keys", err)
	}
	s.purgeAfterCommit(ctx, r.AccountID)
	if len(ts) == 0 && len(ks) == 0 {
		return nil, nil
	}
	a, err := s.accounts.Account(ctx, r.AccountID)
	if err != nil {
		return nil, wrap("revoking credentials", err)
	}
	if err := s.deleteCredentials(ctx, r.AccountID, len(ts) > 0, len(ks) > 0); err != nil {
		return nil, err
	}
	revoked := make([]account.RevokedCredential, 0, len(ts)+len(ks))
	for _, t := range ts {
		revoked = append(revoked, account.RevokedCredential{Kind: KindToken.String(), Name: t.Name})
		s.touches.forget(t.ID)
	}
	for _, k := range ks {
		revoked = append(revoked, account.RevokedCredential{Kind: KindAPIKey.String(), Name: k.Description})
	}
	if err := s.recordRevoked(ctx, a, r, revoked); err != nil {
		return nil, err
	}
	return revoked, nil
}

// deleteCredentials deletes the account's tokens and keys (those it
// has) and advances the revocation sequence.
func (s *Service) deleteCredentials(ctx context.Context, accountID string, tokens, keys bool) error {
	if tokens {
		if _, err := s.store.DeleteTokensOfAccount(ctx, accountID); err != nil {
			return wrap("revoking tokens", err)
		}
	}
	if keys {
		if _, err := s.store.DeleteAPIKeysOfAccount(ctx, accountID); err != nil {
			return wrap("revoking api keys", err)
		}
	}
	return wrap("revoking api keys", s.bumpRevocations(ctx))
}

// recordRevoked writes the history entries and security events of the
// revoked credentials of a.
func (s *Service) recordRevoked(ctx context.Context, a account.Account, r account.Revocation, revoked []account.RevokedCredential) error {
	now := s.now()
	events := make([]securitylog.Event, len(revoked))
	for i, c := range revoked {
		item, kind := "token", securitylog.TokenDeleted
		if c.Kind == KindAPIKey.String() {
			item, kind = "api_key", securitylog.APIKeyDeleted
		}
		if err := s.record(ctx, a, item, history.ActionRemoved, c.Name, now); err != nil {
			return wrap("revoking credentials", err)
		}
		events[i] = securitylog.Event{Kind: kind, ProfileID: a.ProfileID, AccountID: a.ID, At: now,
			Detail: c.Name, IP: r.Client.IP, Device: r.Client.Device()}
	}
	if err := s.seclog.Record(ctx, events...); err != nil {
		return wrap("revoking credentials", err)
	}
	return nil
}

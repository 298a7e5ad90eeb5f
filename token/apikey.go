package token

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// CreateAPIKey makes an API key for the caller's account and returns its
// details and the key, shown once: only its SHA-256 digest and last four
// characters are stored. It is a sensitive operation, like Create. An API
// key acts with every privilege of its account in the host's API, never
// in the settings. The description (trimmed, 1–100 characters) is
// required. The creation is recorded in the history and the security
// log, and a security notice is queued in the same transaction
// (Config.Notices).
func (s *Service) CreateAPIKey(ctx context.Context, c auth.Caller, description string) (APIKey, Secret, error) {
	if err := c.Fresh(s.now(), s.freshFor); err != nil {
		return APIKey{}, Secret{}, err
	}
	desc, err := checkText(description, ErrInvalidDescription)
	if err != nil {
		return APIKey{}, Secret{}, err
	}
	secret, err := generate(s.rand, KindAPIKey, s.format.key)
	if err != nil {
		return APIKey{}, Secret{}, err
	}
	kid, err := id.New(s.rand, "key_")
	if err != nil {
		return APIKey{}, Secret{}, err
	}
	now := s.now()
	k := APIKey{ID: kid, AccountID: c.AccountID, Description: desc, Last4: last4(secret.Reveal()), CreatedAt: now}
	var a account.Account
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if a, err = s.caller(ctx, c); err != nil {
			return err
		}
		if err := s.store.CreateAPIKey(ctx, k, DigestOf(secret.Reveal())); err != nil {
			return err
		}
		if err := s.record(ctx, a, "api_key", history.ActionAdded, desc, now); err != nil {
			return err
		}
		if err := s.logEvent(ctx, securitylog.APIKeyCreated, a, c, desc); err != nil {
			return err
		}
		return s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticeAPIKeyCreated, Detail: desc, At: now}, a.Email)
	})
	if err != nil {
		return APIKey{}, Secret{}, wrap("creating api key", err)
	}
	return k, secret, nil
}

// ListAPIKeys returns the API keys of the caller's account, oldest
// first. A token or API key caller gets auth.ErrForbidden.
func (s *Service) ListAPIKeys(ctx context.Context, c auth.Caller) ([]APIKey, error) {
	if _, err := s.caller(ctx, c); err != nil {
		return nil, err
	}
	ks, err := s.store.APIKeysOfAccount(ctx, c.AccountID)
	return ks, wrap("listing api keys", err)
}

// RevokeAPIKey deletes an API key of the caller's account. This process
// stops accepting it at once (its cache entry is purged); other
// processes that cached it stop within Config.RevocationCheck when the
// store keeps a revocation sequence (Config.Revocations, advanced in the
// same transaction), and within their cache TTL otherwise. The deletion is
// recorded in the history and the security log. It returns an error
// wrapping storage.ErrNotFound for an unknown key and for a key of
// another account, and auth.ErrForbidden for a token or API key caller.
func (s *Service) RevokeAPIKey(ctx context.Context, c auth.Caller, keyID string) error {
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.caller(ctx, c)
		if err != nil {
			return err
		}
		ks, err := s.store.APIKeysOfAccount(ctx, a.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ks, func(k APIKey) bool { return k.ID == keyID })
		if i < 0 {
			return storage.ErrNotFound
		}
		if err := s.store.DeleteAPIKey(ctx, a.ID, keyID); err != nil {
			return err
		}
		if err := s.bumpRevocations(ctx); err != nil {
			return err
		}
		if err := s.record(ctx, a, "api_key", history.ActionRemoved, ks[i].Description, s.now()); err != nil {
			return err
		}
		return s.logEvent(ctx, securitylog.APIKeyDeleted, a, c, ks[i].Description)
	})
	if err == nil && s.cache != nil {
		s.cache.purgeKey(keyID)
	}
	return wrap("revoking api key", err)
}

// ValidateAPIKey checks an API key presented with the login email of its
// account (the Mendix-Username header, or the scheme's UsernameHeader)
// and returns the principal it acts
// for. Every key that must not be accepted — malformed, a personal access
// token, unknown, revoked, presented with another username, or whose
// account is deactivated or deleted — gets the same ErrInvalidToken.
//
// Successful validations are cached for Config.APIKeyCacheTTL (default
// 60 s) in a bounded least-recently-used cache of this process. Revoking
// a key through this Service purges it from this process's cache at once.
// Other processes sharing the store see the revocation through the shared
// revocation sequence (Config.Revocations): a validation reads it when
// the last read is older than Config.RevocationCheck (250 ms) and
// empties the cache when it moved, so every replica refuses a revoked key
// (by its owner, or by a password reset: RevokeCredentials), or a key of
// a deactivated or deleted account, within about that interval; a
// password change keeps keys. Without a sequence, or while
// reading it fails, they converge within the TTL. A negative TTL disables
// the cache: every call then reads the store.
func (s *Service) ValidateAPIKey(ctx context.Context, username, key string) (Principal, error) {
	if k, ok := s.format.parse(key); !ok || k != KindAPIKey {
		return Principal{}, ErrInvalidToken
	}
	d := DigestOf(key)
	now := s.now()
	if s.revs != nil {
		s.revs.sync(ctx, s.cache, now)
	}
	if s.cache != nil {
		if e, ok := s.cache.get(d, now); ok {
			if !sameEmail(username, e.email) {
				return Principal{}, ErrInvalidToken
			}
			return e.p, nil
		}
	}
	var epoch uint64
	if s.cache != nil {
		epoch = s.cache.currentEpoch()
	}
	kw, err := s.store.APIKeyByDigest(ctx, d)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return Principal{}, ErrInvalidToken
		}
		return Principal{}, fmt.Errorf("token: validating api key: %w", err)
	}
	if kw.AccountStatus != account.StatusActive {
		return Principal{}, ErrInvalidToken
	}
	p := Principal{AccountID: kw.Key.AccountID, ProfileID: kw.ProfileID, TokenID: kw.Key.ID, Kind: KindAPIKey}
	if s.cache != nil {
		s.cache.put(cacheEntry{d: d, p: p, email: kw.AccountEmail, expires: now.Add(s.cache.ttl)}, epoch)
	}
	if !sameEmail(username, kw.AccountEmail) {
		return Principal{}, ErrInvalidToken
	}
	return p, nil
}

// sameEmail compares a username header with a stored, normalised email:
// surrounding white space is ignored and ASCII letters compare without
// case. It does not allocate.
func sameEmail(username, email string) bool {
	username = strings.TrimSpace(username)
	if len(username) != len(email) || email == "" {
		return false
	}
	for i := 0; i < len(email); i++ {
		a, b := username[i], email[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

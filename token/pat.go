package token

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// CreateOption changes how Create makes a token.
type CreateOption func(*createOptions)

type createOptions struct{ expiresAt time.Time }

// WithExpiry makes the token stop working at t, which must be in the
// future. Tokens do not expire without it.
func WithExpiry(t time.Time) CreateOption {
	return func(o *createOptions) { o.expiresAt = t }
}

// Create makes a personal access token for the caller's account and
// returns its details and its secret. It is a sensitive operation: the
// caller must be a person who signed in within Config.FreshFor
// (auth.ErrReauthenticationRequired); a token or API key gets
// auth.ErrForbidden, and so does an account that is not active. The
// secret is shown once: only its SHA-256 digest and last four characters
// are stored. The name (trimmed, 1–100 characters) must be unique for
// the account; the scopes must be registered and at least one. The
// creation is recorded in the history and the security log, and a
// security notice is queued in the same transaction (Config.Notices).
func (s *Service) Create(ctx context.Context, c auth.Caller, name string, scopes []string, opts ...CreateOption) (Token, Secret, error) {
	if err := c.Fresh(s.now(), s.freshFor); err != nil {
		return Token{}, Secret{}, err
	}
	name, err := checkText(name, ErrInvalidName)
	if err != nil {
		return Token{}, Secret{}, err
	}
	sc, err := s.scopes.Normalize(scopes)
	if err != nil {
		return Token{}, Secret{}, err
	}
	var o createOptions
	for _, opt := range opts {
		opt(&o)
	}
	now := s.now()
	if !o.expiresAt.IsZero() && !o.expiresAt.After(now) {
		return Token{}, Secret{}, ErrInvalidExpiry
	}
	accountID := c.AccountID
	t := Token{AccountID: accountID, Name: name, Scopes: sc, CreatedAt: now, ExpiresAt: o.expiresAt}
	var (
		a       account.Account
		created Token
		secret  Secret
	)
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if a, err = s.caller(ctx, c); err != nil {
			return err
		}
		existing, err := s.store.TokensOfAccount(ctx, accountID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(existing, func(e Token) bool { return e.Name == name }) {
			return ErrNameTaken
		}
		if created, secret, err = s.insertToken(ctx, t); err != nil {
			return err
		}
		if err := s.record(ctx, a, "token", history.ActionAdded, name, now); err != nil {
			return err
		}
		if err := s.logEvent(ctx, securitylog.TokenCreated, a, c, name); err != nil {
			return err
		}
		return s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticeTokenCreated, Detail: name, At: now}, a.Email)
	})
	if err != nil {
		return Token{}, Secret{}, wrap("creating token", err)
	}
	return created, secret, nil
}

// insertToken stores t with a new id and secret. A conflict after the
// name was checked means the id or digest (or the 8-byte digest prefix an
// adapter may key on) is taken: astronomically rare, so the token is
// issued again with fresh randomness, up to three times.
func (s *Service) insertToken(ctx context.Context, t Token) (Token, Secret, error) {
	for attempt := 1; ; attempt++ {
		secret, err := generate(s.rand, KindToken, s.format.token)
		if err != nil {
			return Token{}, Secret{}, err
		}
		if t.ID, err = id.New(s.rand, "tok_"); err != nil {
			return Token{}, Secret{}, err
		}
		t.Last4 = last4(secret.Reveal())
		err = s.store.CreateToken(ctx, t, DigestOf(secret.Reveal()))
		if err == nil {
			return t, secret, nil
		}
		if !errors.Is(err, storage.ErrConflict) || attempt == 3 {
			return Token{}, Secret{}, err
		}
	}
}

// List returns the tokens of the caller's account, oldest first. A
// token or API key caller gets auth.ErrForbidden: no scope reaches the
// list of credentials.
func (s *Service) List(ctx context.Context, c auth.Caller) ([]Token, error) {
	if _, err := s.caller(ctx, c); err != nil {
		return nil, err
	}
	ts, err := s.store.TokensOfAccount(ctx, c.AccountID)
	return ts, wrap("listing tokens", err)
}

// Get returns one token of the caller's account, or an error wrapping
// storage.ErrNotFound, also for a token of another account. A token or
// API key caller gets auth.ErrForbidden.
func (s *Service) Get(ctx context.Context, c auth.Caller, tokenID string) (Token, error) {
	if _, err := s.caller(ctx, c); err != nil {
		return Token{}, err
	}
	t, err := s.store.Token(ctx, c.AccountID, tokenID)
	return t, wrap("reading token", err)
}

// Delete deletes a token of the caller's account; it stops working at
// once. The deletion is recorded in the history and the security log. It
// returns an error wrapping storage.ErrNotFound for an unknown token and
// for a token of another account, and auth.ErrForbidden for a token or
// API key caller.
func (s *Service) Delete(ctx context.Context, c auth.Caller, tokenID string) error {
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.caller(ctx, c)
		if err != nil {
			return err
		}
		t, err := s.store.Token(ctx, a.ID, tokenID)
		if err != nil {
			return err
		}
		if err := s.store.DeleteToken(ctx, a.ID, tokenID); err != nil {
			return err
		}
		if err := s.record(ctx, a, "token", history.ActionRemoved, t.Name, s.now()); err != nil {
			return err
		}
		return s.logEvent(ctx, securitylog.TokenDeleted, a, c, t.Name)
	})
	if err != nil {
		return wrap("deleting token", err)
	}
	s.touches.forget(tokenID)
	return nil
}

// Validate checks a personal access token and returns the principal it
// acts for. Every token that must not be accepted — malformed, unknown,
// deleted, expired, or whose account is deactivated or deleted — gets the
// same ErrInvalidToken; the account is checked on every call. Other
// errors (a cancelled context, a storage failure) are wrapped.
//
// A malformed token is rejected without touching the store. A good one
// costs one store lookup by digest; LastUsedAt is written at most once
// per LastUsedInterval per token.
//
// The first use of a token is recorded in the security log
// (securitylog.TokenFirstUsed) without a client: an HTTP layer calls
// ValidateFrom instead, as Middleware does.
func (s *Service) Validate(ctx context.Context, secret string) (Principal, error) {
	return s.ValidateFrom(ctx, secret, auth.Client{})
}

// ValidateFrom is Validate for a request from client, whose IP address
// and device the security event of the token's first use records. The
// client costs nothing on later uses.
func (s *Service) ValidateFrom(ctx context.Context, secret string, client auth.Client) (Principal, error) {
	if k, ok := s.format.parse(secret); !ok || k != KindToken {
		return Principal{}, ErrInvalidToken
	}
	tw, err := s.store.TokenByDigest(ctx, DigestOf(secret))
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return Principal{}, ErrInvalidToken
		}
		return Principal{}, fmt.Errorf("token: validating: %w", err)
	}
	now := s.now()
	if tw.AccountStatus != account.StatusActive || (!tw.ExpiresAt.IsZero() && !now.Before(tw.ExpiresAt)) {
		return Principal{}, ErrInvalidToken
	}
	switch {
	case tw.LastUsedAt.IsZero():
		if err := s.firstUse(ctx, tw, now, client); err != nil {
			return Principal{}, err
		}
	case now.UnixNano()-tw.LastUsedAt.UnixNano() >= int64(s.lastUsed):
		s.touch(ctx, tw.TokenID, now)
	}
	return Principal{AccountID: tw.AccountID, ProfileID: tw.ProfileID, TokenID: tw.TokenID,
		Kind: KindToken, Scopes: tw.Scopes}, nil
}

// firstUse writes LastUsedAt of a token never used before and, when this
// call is the one that wrote it, records securitylog.TokenFirstUsed in
// the same transaction, with the client and the token's name (read only
// then: Validate's lookup leaves the name out), so the event appears once
// however many requests race. Unlike a later touch, a failure here is
// returned: the event must not be lost.
func (s *Service) firstUse(ctx context.Context, tw TokenWithAccount, now time.Time, client auth.Client) error {
	s.touches.claim(tw.TokenID, now, s.lastUsed)
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		changed, err := s.store.TouchToken(ctx, tw.TokenID, now, now.Add(-s.lastUsed))
		if err != nil || !changed {
			return err
		}
		t, err := s.store.Token(ctx, tw.AccountID, tw.TokenID)
		if err != nil {
			return err
		}
		return s.seclog.Record(ctx, securitylog.Event{
			Kind: securitylog.TokenFirstUsed, ProfileID: tw.ProfileID, AccountID: tw.AccountID, At: now, Detail: t.Name,
			IP: client.IP, Device: client.Device(),
		})
	})
	if err != nil {
		return fmt.Errorf("token: recording first use: %w", err)
	}
	return nil
}

// touch writes LastUsedAt unless this process did so for the token within
// the interval. A failed write is ignored: the token was valid.
func (s *Service) touch(ctx context.Context, tokenID string, now time.Time) {
	if !s.touches.claim(tokenID, now, s.lastUsed) {
		return
	}
	_, _ = s.store.TouchToken(ctx, tokenID, now, now.Add(-s.lastUsed))
}

// touchThrottle remembers when this process last wrote each token's
// LastUsedAt, so concurrent requests do not all write.
type touchThrottle struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// claim reports whether the caller should write now, and records it.
func (t *touchThrottle) claim(id string, now time.Time, every time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if last, ok := t.m[id]; ok && now.Sub(last) < every {
		return false
	}
	if len(t.m) >= 4096 {
		for k, v := range t.m {
			if now.Sub(v) >= every {
				delete(t.m, k)
			}
		}
	}
	t.m[id] = now
	return true
}

func (t *touchThrottle) forget(id string) {
	t.mu.Lock()
	delete(t.m, id)
	t.mu.Unlock()
}

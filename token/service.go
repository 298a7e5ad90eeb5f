package token

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Defaults of Config.
const (
	DefaultLastUsedInterval = time.Minute
	DefaultAPIKeyCacheTTL   = 60 * time.Second
	DefaultAPIKeyCacheSize  = 10000
	// MaxNameLen is the longest token name or API key description, in
	// characters.
	MaxNameLen = 100
)

// Config configures a Service. Store, Accounts, Tx, History and Scopes are
// required; every other zero field takes the documented default.
type Config struct {
	Store Store
	// Accounts finds the account of a token and the accounts of a
	// profile.
	Accounts account.Reader
	// Tx runs each change with its history entry in one transaction; it is
	// usually the same adapter as Store.
	Tx      storage.Transactor
	History history.Appender
	// Notices queues the security notice of a new token or key in the
	// transaction that creates it (notify.Notifier.Queue); nil sends none.
	// A notice that cannot be built does not undo the creation.
	Notices *notify.Notifier
	Scopes  *Registry
	Now     func() time.Time // default time.Now
	Rand    io.Reader        // default crypto/rand.Reader
	// LastUsedInterval is how stale a token's LastUsedAt may get before
	// Validate writes it again (default one minute).
	LastUsedInterval time.Duration
	// APIKeyCacheTTL is how long a successful API key validation is
	// cached (default 60 s). A negative value disables the cache.
	APIKeyCacheTTL time.Duration
	// APIKeyCacheSize is the most cached API key validations (default
	// 10,000); the least recently used one is evicted first.
	APIKeyCacheSize int
	// Revocations is the revocation sequence shared by the replicas on
	// the store; nil means none, and other replicas then see a revoked
	// key only when their cached validation expires (APIKeyCacheTTL).
	// With it, every revocation (RevokeAPIKey, RevokeAccount,
	// RevokeCredentials, EraseAccount) advances the sequence, and every replica empties its
	// cache within RevocationCheck of the change.
	Revocations Revocations
	// RevocationCheck is how often, at most, a validation reads the
	// sequence (default DefaultRevocationCheck, 250 ms).
	RevocationCheck time.Duration
	// FreshFor is how recent a caller's sign-in must be to create a
	// token or an API key; 0 means auth.DefaultFreshFor (one hour).
	FreshFor time.Duration
	// SecurityLog records tokens and API keys created and deleted and a
	// token's first use, in the transaction of each; nil records
	// nothing.
	SecurityLog *securitylog.Log
	// Scheme sets the prefixes of the secrets the service issues and
	// accepts, and the Authorization scheme and API-key headers that
	// Middleware, APIKeyMiddleware and AnyMiddleware read for it; each
	// empty field means its default ("mxp_", "mxk_", "mxtoken",
	// "Mendix-Username", "Mendix-ApiKey"). Changing a prefix invalidates
	// the secrets issued under the old one.
	Scheme Scheme
}

var (
	_ account.Eraser            = (*Service)(nil)
	_ account.Revoker           = (*Service)(nil)
	_ account.CredentialRevoker = (*Service)(nil)
)

// Service manages personal access tokens and API keys and validates them.
// It is safe for concurrent use.
type Service struct {
	store    Store
	accounts account.Reader
	tx       storage.Transactor
	history  history.Appender
	notices  *notify.Notifier
	scopes   *Registry
	now      clock.Clock
	rand     io.Reader
	lastUsed time.Duration
	touches  touchThrottle
	cache    *keyCache       // nil when disabled
	revs     *revocationSync // nil without Config.Revocations or a cache
	bumps    Revocations     // Config.Revocations
	freshFor time.Duration
	seclog   *securitylog.Log
	scheme   Scheme // with its defaults
	format   format // scheme's prefixes, for Parse
}

// NewService returns a service. It panics if a required field of c is nil
// or c.Scheme is invalid (Scheme.Check).
func NewService(c Config) *Service {
	if c.Store == nil || c.Accounts == nil || c.Tx == nil || c.History == nil || c.Scopes == nil {
		panic("token: NewService needs Store, Accounts, Tx, History and Scopes")
	}
	s := &Service{
		store: c.Store, accounts: c.Accounts, tx: c.Tx, history: c.History,
		notices: c.Notices, scopes: c.Scopes,
		now: clock.New(c.Now), lastUsed: c.LastUsedInterval,
		freshFor: c.FreshFor, seclog: c.SecurityLog, scheme: c.Scheme.normalized(),
	}
	s.format = s.scheme.format()
	s.rand = &lockedReader{r: c.Rand}
	if c.Rand == nil {
		s.rand = rand.Reader
	}
	if s.lastUsed <= 0 {
		s.lastUsed = DefaultLastUsedInterval
	}
	s.touches.m = map[string]time.Time{}
	ttl, size := c.APIKeyCacheTTL, c.APIKeyCacheSize
	if ttl == 0 {
		ttl = DefaultAPIKeyCacheTTL
	}
	if size <= 0 {
		size = DefaultAPIKeyCacheSize
	}
	if ttl > 0 {
		s.cache = newKeyCache(ttl, size)
	}
	s.bumps = c.Revocations
	if s.cache != nil && c.Revocations != nil {
		every := c.RevocationCheck
		if every <= 0 {
			every = DefaultRevocationCheck
		}
		s.revs = newRevocationSync(c.Revocations, every)
	}
	return s
}

// Scheme returns the service's credential scheme, its defaults filled in:
// the middleware of the service reads it.
func (s *Service) Scheme() Scheme { return s.scheme }

// lockedReader serialises reads from a reader that may not be safe for
// concurrent use (a test's deterministic source).
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// checkText trims s and checks it is 1–MaxNameLen characters without
// control characters.
func checkText(s string, err error) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n == 0 || n > MaxNameLen || !utf8.ValidString(s) {
		return "", err
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", err
		}
	}
	return s, nil
}

// caller returns the caller's account: the caller must be a person
// (auth.Caller.Person; a token or API key never manages credentials)
// whose account exists and is active, else an error matching
// auth.ErrForbidden (and ErrAccountInactive for an inactive account).
func (s *Service) caller(ctx context.Context, c auth.Caller) (account.Account, error) {
	if err := c.Person(); err != nil {
		return account.Account{}, err
	}
	a, err := s.accounts.Account(ctx, c.AccountID)
	if errors.Is(err, storage.ErrNotFound) {
		return account.Account{}, fmt.Errorf("token: unknown account: %w", auth.ErrForbidden)
	}
	if err != nil {
		return account.Account{}, fmt.Errorf("token: reading account: %w", err)
	}
	if a.Status != account.StatusActive {
		return account.Account{}, fmt.Errorf("token: checking the account: %w, %w", auth.ErrForbidden, ErrAccountInactive)
	}
	return a, nil
}

// logEvent records a security-log event about the caller's credential
// in ctx's transaction.
func (s *Service) logEvent(ctx context.Context, kind securitylog.Kind, a account.Account, c auth.Caller, detail string) error {
	e := securitylog.FromCaller(kind, a.ProfileID, c)
	e.Detail = detail
	if err := s.seclog.Record(ctx, e); err != nil {
		return fmt.Errorf("token: %w", err)
	}
	return nil
}

// record appends one history entry in ctx's transaction.
func (s *Service) record(ctx context.Context, a account.Account, item string, action history.Action, detail string, at time.Time) error {
	return history.Append(ctx, s.history, s.rand, history.Entry{
		ProfileID: a.ProfileID, AccountID: a.ID, Item: item, Action: action, Detail: detail, At: at,
	})
}

// notFound maps storage.ErrNotFound to itself (wrapped) and passes other
// errors through with the operation named.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrAccountInactive) || errors.Is(err, ErrNameTaken) || errors.Is(err, auth.ErrForbidden) ||
		errors.Is(err, auth.ErrReauthenticationRequired) || errors.Is(err, auth.ErrInvalidCaller) {
		return err
	}
	return fmt.Errorf("token: %s: %w", op, err)
}

// Collected is the personal data of the package for a set of accounts:
// metadata only, never a secret or digest.
type Collected struct {
	Tokens  []Token
	APIKeys []APIKey
}

// Collect returns the tokens and API keys of the accounts, account by
// account, oldest first, for a personal data view or export.
func (s *Service) Collect(ctx context.Context, accountIDs ...string) (Collected, error) {
	var c Collected
	for _, a := range accountIDs {
		ts, err := s.store.TokensOfAccount(ctx, a)
		if err != nil {
			return Collected{}, wrap("collecting tokens", err)
		}
		ks, err := s.store.APIKeysOfAccount(ctx, a)
		if err != nil {
			return Collected{}, wrap("collecting api keys", err)
		}
		c.Tokens = append(c.Tokens, ts...)
		c.APIKeys = append(c.APIKeys, ks...)
	}
	return c, nil
}

// EraseAccount deletes every token and API key of the account, in ctx's
// transaction when it carries one; the account service calls it when an
// account is deleted. Cached API key validations of the account are
// dropped from this process's cache once that transaction commits.
func (s *Service) EraseAccount(ctx context.Context, accountID string) error {
	if _, err := s.store.DeleteTokensOfAccount(ctx, accountID); err != nil {
		return wrap("erasing tokens", err)
	}
	if _, err := s.store.DeleteAPIKeysOfAccount(ctx, accountID); err != nil {
		return wrap("erasing api keys", err)
	}
	if err := s.bumpRevocations(ctx); err != nil {
		return wrap("erasing api keys", err)
	}
	s.purgeAfterCommit(ctx, accountID)
	return nil
}

// RevokeAccount drops the account's cached API key validations from this
// process's cache, whatever the change (account.Revoker): a deactivated
// account's key is refused at once, and a key validated before a password
// change is checked again. A password reset (account.ChangePasswordReset),
// an account recovery, also revokes every token and API key of the
// account, as RevokeCredentials does. It advances the shared revocation
// sequence (Config.Revocations) in the transaction ctx carries, so that
// every other replica empties its cache when the change commits; the
// error is that of the sequence or the store. The local purge runs after
// the commit.
func (s *Service) RevokeAccount(ctx context.Context, r account.Revocation) error {
	if r.Change == account.ChangePasswordReset {
		_, err := s.RevokeCredentials(ctx, r)
		return err
	}
	if err := s.bumpRevocations(ctx); err != nil {
		return wrap("revoking account keys", err)
	}
	s.purgeAfterCommit(ctx, r.AccountID)
	return nil
}

// purgeAfterCommit drops the account's cached API key validations once
// the transaction ctx carries commits (at once without one): a purge
// before the commit would let a validation in between cache the account
// as it was.
func (s *Service) purgeAfterCommit(ctx context.Context, accountID string) {
	if s.cache != nil {
		storage.AfterCommit(ctx, func(context.Context) { s.cache.purgeAccount(accountID) })
	}
}

// EraseProfile erases the tokens and API keys of every account of the
// profile.
func (s *Service) EraseProfile(ctx context.Context, profileID string) error {
	accts, err := s.accounts.AccountsOfProfile(ctx, profileID)
	if err != nil {
		return wrap("erasing profile", err)
	}
	for _, a := range accts {
		if err := s.EraseAccount(ctx, a.ID); err != nil {
			return err
		}
	}
	return nil
}

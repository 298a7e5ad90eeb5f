package token

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
)

// Sentinel errors of the package. Check them with errors.Is.
var (
	// ErrInvalidToken is the one error Validate and ValidateAPIKey return
	// for every credential that must not be accepted: malformed, unknown,
	// deleted, revoked, expired, or owned by a deactivated or deleted
	// account. Callers cannot tell these cases apart, by design.
	ErrInvalidToken = errs.New(errs.Unauthenticated, "unauthenticated", "token: invalid token")
	// ErrInvalidName means a token name is empty, longer than 100
	// characters or holds a control character.
	ErrInvalidName = errs.New(errs.Invalid, "invalid_name", "token: invalid name")
	// ErrNameTaken means the account already has a token with that name.
	ErrNameTaken = errs.New(errs.Conflict, "name_taken", "token: name already used")
	// ErrInvalidDescription means an API key description is empty, longer
	// than 100 characters or holds a control character.
	ErrInvalidDescription = errs.New(errs.Invalid, "invalid_description", "token: invalid description")
	// ErrNoScope means a token was requested without any scope.
	ErrNoScope = errs.New(errs.Invalid, "no_scope", "token: no scope")
	// ErrInvalidScope means a scope name given to Registry.Register is not
	// a valid scope name.
	ErrInvalidScope = errs.New(errs.Invalid, "invalid_scope", "token: invalid scope name")
	// ErrScopeExists means Registry.Register was called twice for a name.
	ErrScopeExists = errs.New(errs.Conflict, "scope_exists", "token: scope already registered")
	// ErrAccountInactive means a token or key was requested for an account
	// that is deactivated.
	ErrAccountInactive = errs.New(errs.Forbidden, "forbidden", "token: account is not active")
	// ErrInvalidExpiry means an expiry time was not in the future.
	ErrInvalidExpiry = errs.New(errs.Invalid, "invalid_expiry", "token: expiry is not in the future")
)

// ErrUnknownScope is wrapped by every *UnknownScopeError.
var ErrUnknownScope = errs.New(errs.Invalid, "unknown_scopes", "token: unknown scopes")

// UnknownScopeError is returned when a token is requested with scopes the
// Registry does not know. It wraps ErrUnknownScope.
type UnknownScopeError struct {
	Scopes []string // the unknown scopes, normalised and sorted
}

// Error implements error.
func (e *UnknownScopeError) Error() string {
	return fmt.Sprintf("token: unknown scopes %q", e.Scopes)
}

// Unwrap returns ErrUnknownScope.
func (e *UnknownScopeError) Unwrap() error { return ErrUnknownScope }

// Details returns the unknown scopes as "scopes".
func (e *UnknownScopeError) Details() map[string]any {
	return map[string]any{"scopes": e.Scopes}
}

// Kind says which credential a Principal was authenticated with.
type Kind uint8

// Credential kinds.
const (
	// KindToken is a personal access token (prefix "mxp_").
	KindToken Kind = iota + 1
	// KindAPIKey is an API key (prefix "mxk_").
	KindAPIKey
)

// MarshalText returns String, so a Principal marshals its kind as
// "token" or "api_key".
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads "token" or "api_key".
func (k *Kind) UnmarshalText(b []byte) error {
	switch string(b) {
	case "token":
		*k = KindToken
	case "api_key":
		*k = KindAPIKey
	default:
		return fmt.Errorf("token: unknown kind %q", b)
	}
	return nil
}

// String returns "token" or "api_key".
func (k Kind) String() string {
	switch k {
	case KindToken:
		return "token"
	case KindAPIKey:
		return "api_key"
	}
	return "invalid"
}

// Token is the stored description of a personal access token. It never
// holds the secret, nor its digest, so a host may return it as JSON: the
// names are those of settingsd's answers.
type Token struct {
	ID        string   `json:"id"`
	AccountID string   `json:"account_id"`
	Name      string   `json:"name"`   // 1–100 characters, unique per account
	Scopes    []string `json:"scopes"` // normalised and sorted
	// Last4 is the last four characters of the secret, for display.
	Last4      string    `json:"last4"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"` // zero if never used; updated at most once per LastUsedInterval
	ExpiresAt  time.Time `json:"expires_at,omitzero"`   // zero means the token does not expire
}

// TokenWithAccount is what Validate needs of a token, joined with the
// status and profile of its account: the one record the validation
// lookup returns. It leaves out the name and display fields so the hot
// path copies (and an SQL adapter scans) as little as possible.
type TokenWithAccount struct {
	TokenID       string
	AccountID     string
	Scopes        []string
	LastUsedAt    time.Time // zero if never used
	ExpiresAt     time.Time // zero if the token does not expire
	AccountStatus account.Status
	ProfileID     string
}

// APIKey is the stored description of an API key, without the key; it
// marshals to JSON like Token.
type APIKey struct {
	ID          string    `json:"id"`
	AccountID   string    `json:"account_id"`
	Description string    `json:"description"`
	Last4       string    `json:"last4"` // the last four characters of the key, for display
	CreatedAt   time.Time `json:"created_at"`
}

// APIKeyWithAccount is an API key joined with the email, status and
// profile of its account, the one record ValidateAPIKey needs.
type APIKeyWithAccount struct {
	Key           APIKey
	AccountEmail  string // normalised login email
	AccountStatus account.Status
	ProfileID     string
}

// Principal is who a request acts for, once a token or API key was
// validated.
type Principal struct {
	AccountID string `json:"account_id"`
	ProfileID string `json:"profile_id"`
	// TokenID is the id of the token or API key that was presented.
	TokenID string `json:"token_id"`
	Kind    Kind   `json:"kind"`
	// Scopes are the token's scopes, sorted; nil for an API key, which
	// acts with every privilege of its account.
	Scopes []string `json:"scopes"`
}

// Caller returns the principal as an auth.Caller (method auth.MethodToken
// or auth.MethodAPIKey, with the token's scopes), for a host that passes
// it to the SDK's services. The services refuse such a caller every
// settings operation and every sensitive one with auth.ErrForbidden, and
// no scope changes that: a token or API key acts in the host's own API,
// never on the person's settings, credentials or personal data.
func (p Principal) Caller() auth.Caller {
	m := auth.MethodToken
	if p.Kind == KindAPIKey {
		m = auth.MethodAPIKey
	}
	return auth.Caller{AccountID: p.AccountID, Method: m, Scopes: slices.Clone(p.Scopes)}
}

// HasScopes reports whether the principal may act within every one of the
// scopes. An API key principal has every scope; scope names are compared
// after normalisation.
func (p Principal) HasScopes(scopes ...string) bool {
	if p.Kind == KindAPIKey {
		return true
	}
	if p.Kind != KindToken {
		return false
	}
	for _, s := range scopes {
		if _, ok := slices.BinarySearch(p.Scopes, normalizeScope(s)); !ok {
			return false
		}
	}
	return true
}

// Store persists tokens and API keys. It is implemented by storage/memory,
// storage/sqlstore and any host adapter that passes
// storagetest.TestTokenStore. Digests are inputs only: no method returns
// one.
type Store interface {
	// CreateToken stores a new token with the digest of its secret. It
	// returns storage.ErrConflict when the ID or digest exists or the
	// account has a token with the same name.
	CreateToken(ctx context.Context, t Token, d Digest) error
	// Token returns the token of the account, or storage.ErrNotFound.
	Token(ctx context.Context, accountID, id string) (Token, error)
	// TokensOfAccount returns the tokens of the account, oldest first
	// (ties broken by ID).
	TokensOfAccount(ctx context.Context, accountID string) ([]Token, error)
	// DeleteToken deletes the token of the account. It returns
	// storage.ErrNotFound.
	DeleteToken(ctx context.Context, accountID, id string) error
	// TokenByDigest returns the token with the digest joined with its
	// account, or storage.ErrNotFound when there is no such token or its
	// account no longer exists. It is the validation hot path: one
	// indexed lookup.
	TokenByDigest(ctx context.Context, d Digest) (TokenWithAccount, error)
	// TouchToken sets the token's LastUsedAt to at if it is zero or not
	// after ifBefore, and reports whether it changed it. An unknown token is not
	// an error (it reports false).
	TouchToken(ctx context.Context, id string, at, ifBefore time.Time) (bool, error)
	// DeleteTokensOfAccount deletes every token of the account and returns
	// how many it deleted.
	DeleteTokensOfAccount(ctx context.Context, accountID string) (int, error)

	// CreateAPIKey stores a new API key with the digest of the key. It
	// returns storage.ErrConflict when the ID or digest exists.
	CreateAPIKey(ctx context.Context, k APIKey, d Digest) error
	// APIKeysOfAccount returns the API keys of the account, oldest first
	// (ties broken by ID).
	APIKeysOfAccount(ctx context.Context, accountID string) ([]APIKey, error)
	// DeleteAPIKey deletes the API key of the account. It returns
	// storage.ErrNotFound.
	DeleteAPIKey(ctx context.Context, accountID, id string) error
	// APIKeyByDigest returns the API key with the digest joined with its
	// account, or storage.ErrNotFound when there is no such key or its
	// account no longer exists.
	APIKeyByDigest(ctx context.Context, d Digest) (APIKeyWithAccount, error)
	// DeleteAPIKeysOfAccount deletes every API key of the account and
	// returns how many it deleted.
	DeleteAPIKeysOfAccount(ctx context.Context, accountID string) (int, error)
}

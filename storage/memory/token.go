package memory

import (
	"context"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/token"
)

var _ token.Store = (*Store)(nil)

// tokenTables hold tokens and API keys. Tokens are keyed by the first 8
// bytes of their digest (a fast 64-bit map key), so validation is one map
// access plus a comparison of the full digest; the rare token whose prefix
// is taken lives in overflow. Rows are immutable: writes replace them.
// byID and names are indexes.
type tokenTables struct {
	byPrefix map[uint64]*tokenRow
	overflow map[token.Digest]*tokenRow
	byID     map[string]token.Digest
	names    map[tokenName]string // (account, name) → token id
	keys     map[token.Digest]token.APIKey
	keyIDs   map[string]token.Digest
	// scopeSets interns scope lists: stored rows are immutable, so tokens
	// with the same scopes share one slice (and reads touch less memory).
	scopeSets map[string][]string
}

type tokenName struct{ account, name string }

type tokenRow struct {
	d   token.Digest
	tok token.Token
}

// intern returns a stored copy of scopes shared by every token with the
// same list. It is only called with the write lock held.
func (tt *tokenTables) intern(scopes []string) []string {
	var b strings.Builder
	for _, sc := range scopes {
		b.WriteString(strconv.Itoa(len(sc)))
		b.WriteByte(':')
		b.WriteString(sc)
	}
	k := b.String()
	if got, ok := tt.scopeSets[k]; ok {
		return got
	}
	c := slices.Clone(scopes)
	tt.scopeSets[k] = c
	return c
}

func prefixOf(d token.Digest) uint64 {
	return binary.LittleEndian.Uint64(d[:8])
}

// row returns the token with the digest, or nil.
func (tt *tokenTables) row(d token.Digest) *tokenRow {
	if r := tt.byPrefix[prefixOf(d)]; r != nil && r.d == d {
		return r
	}
	if len(tt.overflow) > 0 {
		return tt.overflow[d]
	}
	return nil
}

// setRow stores or replaces the row of r.d.
func (tt *tokenTables) setRow(t *tx, r *tokenRow) {
	p := prefixOf(r.d)
	if old := tt.byPrefix[p]; old == nil || old.d == r.d {
		put(t, tt.byPrefix, p, r)
		return
	}
	put(t, tt.overflow, r.d, r)
}

func (tt *tokenTables) delRow(t *tx, d token.Digest) {
	if r := tt.byPrefix[prefixOf(d)]; r != nil && r.d == d {
		del(t, tt.byPrefix, prefixOf(d))
		return
	}
	del(t, tt.overflow, d)
}

func (tt *tokenTables) init() {
	tt.byPrefix = map[uint64]*tokenRow{}
	tt.overflow = map[token.Digest]*tokenRow{}
	tt.byID = map[string]token.Digest{}
	tt.names = map[tokenName]string{}
	tt.keys = map[token.Digest]token.APIKey{}
	tt.keyIDs = map[string]token.Digest{}
	tt.scopeSets = map[string][]string{}
}

func copyToken(t token.Token) token.Token {
	t.Scopes = slices.Clone(t.Scopes)
	return t
}

func compareTokens(a, b token.Token) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// CreateToken implements token.Store.
func (s *Store) CreateToken(ctx context.Context, tok token.Token, d token.Digest) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.tokens.byID[tok.ID]; ok {
			return conflict("token id taken")
		}
		if s.tokens.row(d) != nil {
			return conflict("token digest taken")
		}
		n := tokenName{tok.AccountID, tok.Name}
		if _, ok := s.tokens.names[n]; ok {
			return conflict("token name taken")
		}
		tok.Scopes = s.tokens.intern(tok.Scopes)
		s.tokens.setRow(t, &tokenRow{d: d, tok: tok})
		put(t, s.tokens.byID, tok.ID, d)
		put(t, s.tokens.names, n, tok.ID)
		return nil
	})
}

// Token implements token.Store.
func (s *Store) Token(ctx context.Context, accountID, id string) (token.Token, error) {
	var out token.Token
	err := s.read(ctx, func() error {
		d, ok := s.tokens.byID[id]
		if !ok || s.tokens.row(d).tok.AccountID != accountID {
			return notFound("token", id)
		}
		out = copyToken(s.tokens.row(d).tok)
		return nil
	})
	return out, err
}

// TokensOfAccount implements token.Store.
func (s *Store) TokensOfAccount(ctx context.Context, accountID string) ([]token.Token, error) {
	var out []token.Token
	err := s.read(ctx, func() error {
		for n, id := range s.tokens.names {
			if n.account == accountID {
				out = append(out, copyToken(s.tokens.row(s.tokens.byID[id]).tok))
			}
		}
		return nil
	})
	slices.SortFunc(out, compareTokens)
	return out, err
}

// DeleteToken implements token.Store.
func (s *Store) DeleteToken(ctx context.Context, accountID, id string) error {
	return s.write(ctx, func(t *tx) error {
		d, ok := s.tokens.byID[id]
		if !ok || s.tokens.row(d).tok.AccountID != accountID {
			return notFound("token", id)
		}
		s.deleteToken(t, d)
		return nil
	})
}

func (s *Store) deleteToken(t *tx, d token.Digest) {
	tok := s.tokens.row(d).tok
	s.tokens.delRow(t, d)
	del(t, s.tokens.byID, tok.ID)
	del(t, s.tokens.names, tokenName{tok.AccountID, tok.Name})
}

// TokenByDigest implements token.Store. A token whose account no longer
// exists is not found, as with the SQL adapter's cascading delete. It is
// the validation hot path, so it takes the read lock itself instead of
// going through a closure.
func (s *Store) TokenByDigest(ctx context.Context, d token.Digest) (token.TokenWithAccount, error) {
	if s.txFrom(ctx) == nil {
		if err := ctx.Err(); err != nil {
			return token.TokenWithAccount{}, err
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	r := s.tokens.row(d)
	if r == nil {
		return token.TokenWithAccount{}, notFound("token", "")
	}
	a, ok := s.accounts.byID[r.tok.AccountID]
	if !ok {
		return token.TokenWithAccount{}, notFound("token", "")
	}
	scopes := make([]string, len(r.tok.Scopes))
	copy(scopes, r.tok.Scopes)
	return token.TokenWithAccount{
		TokenID: r.tok.ID, AccountID: r.tok.AccountID, Scopes: scopes,
		LastUsedAt: r.tok.LastUsedAt, ExpiresAt: r.tok.ExpiresAt,
		AccountStatus: a.Status, ProfileID: a.ProfileID,
	}, nil
}

// TouchToken implements token.Store.
func (s *Store) TouchToken(ctx context.Context, id string, at, ifBefore time.Time) (bool, error) {
	changed := false
	err := s.write(ctx, func(t *tx) error {
		d, ok := s.tokens.byID[id]
		if !ok {
			return nil
		}
		r := *s.tokens.row(d)
		if !r.tok.LastUsedAt.IsZero() && r.tok.LastUsedAt.After(ifBefore) {
			return nil
		}
		r.tok.LastUsedAt = at
		s.tokens.setRow(t, &r)
		changed = true
		return nil
	})
	return changed, err
}

// DeleteTokensOfAccount implements token.Store.
func (s *Store) DeleteTokensOfAccount(ctx context.Context, accountID string) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for k, id := range s.tokens.names {
			if k.account == accountID {
				s.deleteToken(t, s.tokens.byID[id])
				n++
			}
		}
		return nil
	})
	return n, err
}

// CreateAPIKey implements token.Store.
func (s *Store) CreateAPIKey(ctx context.Context, k token.APIKey, d token.Digest) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.tokens.keyIDs[k.ID]; ok {
			return conflict("api key id taken")
		}
		if _, ok := s.tokens.keys[d]; ok {
			return conflict("api key digest taken")
		}
		put(t, s.tokens.keys, d, k)
		put(t, s.tokens.keyIDs, k.ID, d)
		return nil
	})
}

// APIKeysOfAccount implements token.Store.
func (s *Store) APIKeysOfAccount(ctx context.Context, accountID string) ([]token.APIKey, error) {
	var out []token.APIKey
	err := s.read(ctx, func() error {
		for _, k := range s.tokens.keys {
			if k.AccountID == accountID {
				out = append(out, k)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b token.APIKey) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// DeleteAPIKey implements token.Store.
func (s *Store) DeleteAPIKey(ctx context.Context, accountID, id string) error {
	return s.write(ctx, func(t *tx) error {
		d, ok := s.tokens.keyIDs[id]
		if !ok || s.tokens.keys[d].AccountID != accountID {
			return notFound("api key", id)
		}
		del(t, s.tokens.keys, d)
		del(t, s.tokens.keyIDs, id)
		return nil
	})
}

// APIKeyByDigest implements token.Store.
func (s *Store) APIKeyByDigest(ctx context.Context, d token.Digest) (token.APIKeyWithAccount, error) {
	var out token.APIKeyWithAccount
	err := s.read(ctx, func() error {
		k, ok := s.tokens.keys[d]
		if !ok {
			return notFound("api key", "")
		}
		a, ok := s.accounts.byID[k.AccountID]
		if !ok {
			return notFound("api key", "")
		}
		out = token.APIKeyWithAccount{Key: k, AccountEmail: a.Email, AccountStatus: a.Status, ProfileID: a.ProfileID}
		return nil
	})
	return out, err
}

// DeleteAPIKeysOfAccount implements token.Store.
func (s *Store) DeleteAPIKeysOfAccount(ctx context.Context, accountID string) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for d, k := range s.tokens.keys {
			if k.AccountID == accountID {
				del(t, s.tokens.keys, d)
				del(t, s.tokens.keyIDs, k.ID)
				n++
			}
		}
		return nil
	})
	return n, err
}

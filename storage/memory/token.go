package memory

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/token"
)

var _ token.Store = (*Store)(nil)

// tokenTables hold tokens and API keys.
//
// A token lives twice: its whole row in byID, and what validation reads in
// a hot record, kept by value in hot, a flat table by digest. A hot
// record is 72 bytes and points nowhere the validation has to follow, so
// with a million tokens, when the tables no longer fit the CPU caches, a
// validation reads one slot and no other memory of the token or its
// account. It therefore copies the account's state too: putAccount and
// delAccount rewrite the hot records of the account's tokens (ofAccount)
// when that state changes. Rows are immutable: writes replace them, and
// setRow keeps both copies in step. hot is not a map, so the personal
// data coverage check does not see it; it holds nothing that byID does
// not, and is written and deleted with it.
type tokenTables struct {
	hot       digestTable
	byID      map[string]*tokenRow
	ofAccount map[string]map[string]string // account id → token name → token id
	keys      map[token.Digest]token.APIKey
	keyIDs    map[string]token.Digest
	// scopeSets interns scope lists: stored rows are immutable, so tokens
	// with the same scopes share one slice, scopeList[scopeSets[key]].
	scopeSets map[string]uint32
	scopeList [][]string
}

type tokenRow struct {
	d      token.Digest
	tok    token.Token // tok.Scopes is interned
	scopes uint32      // index of tok.Scopes in scopeList
}

// hotToken is what validation reads of a token. On the fast path, for a
// token of an active account whose id and account id are at most 255
// bytes, ids holds the token id, the account id and the profile id end to
// end, cut by the two lengths. Otherwise slow is set, ids holds the token
// id alone, and TokenByDigest reads the row and the account. Times are
// microseconds since the Unix epoch (the precision every store keeps),
// noTime when unset.
type hotToken struct {
	d        token.Digest
	ids      string
	lastUsed int64
	expires  int64
	scopes   uint32 // index in scopeList
	tokLen   uint8
	accLen   uint8
	slow     bool
	used     bool // the slot holds a record
}

const noTime = math.MinInt64

func microsOf(t time.Time) int64 {
	if t.IsZero() {
		return noTime
	}
	return t.UnixMicro()
}

func timeOf(us int64) time.Time {
	if us == noTime {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// intern returns a stored copy of scopes shared by every token with the
// same list, and its index. It is only called with the write lock held;
// an interned list is never removed.
func (tt *tokenTables) intern(scopes []string) ([]string, uint32) {
	var b strings.Builder
	for _, sc := range scopes {
		b.WriteString(strconv.Itoa(len(sc)))
		b.WriteByte(':')
		b.WriteString(sc)
	}
	k := b.String()
	if i, ok := tt.scopeSets[k]; ok {
		return tt.scopeList[i], i
	}
	i := uint32(len(tt.scopeList))
	tt.scopeList = append(tt.scopeList, slices.Clone(scopes))
	tt.scopeSets[k] = i
	return tt.scopeList[i], i
}

// setRow stores or replaces the token of r, in both copies, with the
// current state of its account.
func (s *Store) setRow(t *tx, r *tokenRow) {
	h := hotToken{d: r.d, ids: r.tok.ID, scopes: r.scopes, slow: true,
		lastUsed: microsOf(r.tok.LastUsedAt), expires: microsOf(r.tok.ExpiresAt)}
	a, ok := s.accounts.byID[r.tok.AccountID]
	if ok && a.Status == account.StatusActive && len(r.tok.ID) <= math.MaxUint8 && len(a.ID) <= math.MaxUint8 {
		h.ids = r.tok.ID + a.ID + a.ProfileID
		h.tokLen, h.accLen, h.slow = uint8(len(r.tok.ID)), uint8(len(a.ID)), false
	}
	put(t, s.tokens.byID, r.tok.ID, r)
	s.tokens.hot.putHot(t, h)
}

// delRow deletes both copies of the token of r.
func (tt *tokenTables) delRow(t *tx, r *tokenRow) {
	del(t, tt.byID, r.tok.ID)
	tt.hot.delHot(t, r.d)
}

// refreshTokens rewrites the hot records of the tokens of account id,
// after a change of the account.
func (s *Store) refreshTokens(t *tx, id string) {
	for _, tokID := range s.tokens.ofAccount[id] {
		s.setRow(t, s.tokens.byID[tokID])
	}
}

// named returns the id of the token of account with the name.
func (tt *tokenTables) named(accountID, name string) (string, bool) {
	id, ok := tt.ofAccount[accountID][name]
	return id, ok
}

// setName records the name of a token of account; delName forgets it,
// and the account's entry with its last token.
func (tt *tokenTables) setName(t *tx, accountID, name, id string) {
	names := tt.ofAccount[accountID]
	if names == nil {
		names = map[string]string{}
		put(t, tt.ofAccount, accountID, names)
	}
	put(t, names, name, id)
}

func (tt *tokenTables) delName(t *tx, accountID, name string) {
	names := tt.ofAccount[accountID]
	del(t, names, name)
	if len(names) == 0 {
		del(t, tt.ofAccount, accountID)
	}
}

func (tt *tokenTables) init() {
	tt.hot = digestTable{}
	tt.byID = map[string]*tokenRow{}
	tt.ofAccount = map[string]map[string]string{}
	tt.keys = map[token.Digest]token.APIKey{}
	tt.keyIDs = map[string]token.Digest{}
	tt.scopeSets = map[string]uint32{}
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
		if _, ok := s.tokens.hot.get(d); ok {
			return conflict("token digest taken")
		}
		if _, ok := s.tokens.named(tok.AccountID, tok.Name); ok {
			return conflict("token name taken")
		}
		r := &tokenRow{d: d, tok: tok}
		r.tok.Scopes, r.scopes = s.tokens.intern(tok.Scopes)
		s.setRow(t, r)
		s.tokens.setName(t, tok.AccountID, tok.Name, tok.ID)
		return nil
	})
}

// Token implements token.Store.
func (s *Store) Token(ctx context.Context, accountID, id string) (token.Token, error) {
	var out token.Token
	err := s.read(ctx, func() error {
		r, ok := s.tokens.byID[id]
		if !ok || r.tok.AccountID != accountID {
			return notFound("token", id)
		}
		out = copyToken(r.tok)
		return nil
	})
	return out, err
}

// TokensOfAccount implements token.Store.
func (s *Store) TokensOfAccount(ctx context.Context, accountID string) ([]token.Token, error) {
	var out []token.Token
	err := s.read(ctx, func() error {
		for _, id := range s.tokens.ofAccount[accountID] {
			out = append(out, copyToken(s.tokens.byID[id].tok))
		}
		return nil
	})
	slices.SortFunc(out, compareTokens)
	return out, err
}

// DeleteToken implements token.Store.
func (s *Store) DeleteToken(ctx context.Context, accountID, id string) error {
	return s.write(ctx, func(t *tx) error {
		r, ok := s.tokens.byID[id]
		if !ok || r.tok.AccountID != accountID {
			return notFound("token", id)
		}
		s.deleteToken(t, r)
		return nil
	})
}

func (s *Store) deleteToken(t *tx, r *tokenRow) {
	s.tokens.delRow(t, r)
	s.tokens.delName(t, r.tok.AccountID, r.tok.Name)
}

// TokenByDigest implements token.Store. A token whose account no longer
// exists is not found, as with the SQL adapter's cascading delete. It is
// the validation hot path, so it takes the read lock itself instead of
// going through a closure, and reads the hot record alone unless the
// record is marked slow (see hotToken).
func (s *Store) TokenByDigest(ctx context.Context, d token.Digest) (token.TokenWithAccount, error) {
	if s.txFrom(ctx) == nil {
		if err := ctx.Err(); err != nil {
			return token.TokenWithAccount{}, err
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	h, ok := s.tokens.hot.get(d)
	if !ok {
		return token.TokenWithAccount{}, notFound("token", "")
	}
	interned := s.tokens.scopeList[h.scopes]
	scopes := make([]string, len(interned))
	copy(scopes, interned)
	tw := token.TokenWithAccount{Scopes: scopes, LastUsedAt: timeOf(h.lastUsed), ExpiresAt: timeOf(h.expires)}
	if !h.slow {
		acc := int(h.tokLen) + int(h.accLen)
		tw.TokenID, tw.AccountID, tw.ProfileID = h.ids[:h.tokLen], h.ids[h.tokLen:acc], h.ids[acc:]
		tw.AccountStatus = account.StatusActive
		return tw, nil
	}
	r := s.tokens.byID[h.ids]
	a, ok := s.accounts.byID[r.tok.AccountID]
	if !ok {
		return token.TokenWithAccount{}, notFound("token", "")
	}
	tw.TokenID, tw.AccountID, tw.ProfileID, tw.AccountStatus = r.tok.ID, a.ID, a.ProfileID, a.Status
	return tw, nil
}

// TouchToken implements token.Store.
func (s *Store) TouchToken(ctx context.Context, id string, at, ifBefore time.Time) (bool, error) {
	changed := false
	err := s.write(ctx, func(t *tx) error {
		old, ok := s.tokens.byID[id]
		if !ok {
			return nil
		}
		r := *old
		if !r.tok.LastUsedAt.IsZero() && r.tok.LastUsedAt.After(ifBefore) {
			return nil
		}
		r.tok.LastUsedAt = at
		s.setRow(t, &r)
		changed = true
		return nil
	})
	return changed, err
}

// DeleteTokensOfAccount implements token.Store.
func (s *Store) DeleteTokensOfAccount(ctx context.Context, accountID string) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for _, id := range s.tokens.ofAccount[accountID] {
			s.deleteToken(t, s.tokens.byID[id])
			n++
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

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/token"
)

var _ token.Store = (*Store)(nil)

const tokenColumns = `id, account_id, name, scopes, last4, created_at, last_used_at, expires_at`

// Hot lookups. queryTokenByDigest is the validation lookup: on SQLite one
// probe of the tokens table by its integer key (the digest's first 8
// bytes) with the whole digest compared, on PostgreSQL one probe of the
// unique digest index; both join the account by its primary key.
const (
	queryTokenByDigestSQLite = `SELECT t.id, t.account_id, t.scopes, t.last_used_at, t.expires_at,
	a.status, a.profile_id
	FROM us_tokens t JOIN us_accounts a ON a.id = t.account_id WHERE t.lookup = ? AND t.digest = ?`
	queryTokenByDigestPostgres = `SELECT t.id, t.account_id, t.scopes, t.last_used_at, t.expires_at,
	a.status, a.profile_id
	FROM us_tokens t JOIN us_accounts a ON a.id = t.account_id WHERE t.digest = ?`
	queryAPIKeyByDigest = `SELECT k.id, k.account_id, k.description, k.last4, k.created_at,
	a.email, a.status, a.profile_id
	FROM us_api_keys k JOIN us_accounts a ON a.id = k.account_id WHERE k.digest = ?`
)

// tokenLookup is the SQLite key of a token: the first 8 bytes of its
// digest as a big-endian signed integer.
func tokenLookup(d token.Digest) int64 { return int64(binary.BigEndian.Uint64(d[:8])) }

func scanToken(row interface{ Scan(...any) error }, t *token.Token) error {
	return row.Scan(&t.ID, &t.AccountID, &t.Name, scopeList{&t.Scopes}, &t.Last4,
		dbTime{&t.CreatedAt}, dbTime{&t.LastUsedAt}, dbTime{&t.ExpiresAt})
}

// CreateToken implements token.Store. A token whose account does not
// exist is refused with storage.ErrConflict (foreign key).
func (s *Store) CreateToken(ctx context.Context, t token.Token, d token.Digest) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		args := []any{t.ID, t.AccountID, t.Name, listArg(t.Scopes), t.Last4, s.d.timeArg(t.CreatedAt),
			s.d.nullTimeArg(t.LastUsedAt), s.d.nullTimeArg(t.ExpiresAt), d[:]}
		query := `INSERT INTO us_tokens (` + tokenColumns + `, digest)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
		if s.d == SQLite {
			args = append(args, tokenLookup(d))
			query = `INSERT INTO us_tokens (` + tokenColumns + `, digest, lookup)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
		}
		n, err := s.exec(ctx, "create token", query, args...)
		if err == nil && n == 0 {
			err = conflict("create token: id, digest or name taken")
		}
		return err
	})
}

// Token implements token.Store.
func (s *Store) Token(ctx context.Context, accountID, id string) (token.Token, error) {
	var t token.Token
	st, err := s.prepared(ctx, `SELECT `+tokenColumns+` FROM us_tokens WHERE id = ? AND account_id = ?`)
	if err != nil {
		return t, translate(ctx, "token", err)
	}
	return t, translate(ctx, "token", scanToken(st.QueryRowContext(ctx, id, accountID), &t))
}

// TokensOfAccount implements token.Store.
func (s *Store) TokensOfAccount(ctx context.Context, accountID string) ([]token.Token, error) {
	var out []token.Token
	err := s.query(ctx, "tokens of account", `SELECT `+tokenColumns+` FROM us_tokens
		WHERE account_id = ? ORDER BY created_at, id`, []any{accountID}, func(r *sql.Rows) error {
		var t token.Token
		err := scanToken(r, &t)
		out = append(out, t)
		return err
	})
	return out, err
}

// DeleteToken implements token.Store.
func (s *Store) DeleteToken(ctx context.Context, accountID, id string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "delete token", `DELETE FROM us_tokens WHERE id = ? AND account_id = ?`, id, accountID)
		if err == nil && n == 0 {
			err = notFound("delete token")
		}
		return err
	})
}

// TokenByDigest implements token.Store with one indexed join.
func (s *Store) TokenByDigest(ctx context.Context, d token.Digest) (token.TokenWithAccount, error) {
	var (
		t      token.TokenWithAccount
		status string
	)
	query, args := queryTokenByDigestPostgres, []any{d[:]}
	if s.d == SQLite {
		query, args = queryTokenByDigestSQLite, []any{tokenLookup(d), d[:]}
	}
	st, err := s.prepared(ctx, query)
	if err != nil {
		return t, translate(ctx, "token by digest", err)
	}
	err = st.QueryRowContext(ctx, args...).Scan(&t.TokenID, &t.AccountID, scopeList{&t.Scopes},
		dbTime{&t.LastUsedAt}, dbTime{&t.ExpiresAt}, &status, &t.ProfileID)
	t.AccountStatus = account.Status(status)
	return t, translate(ctx, "token by digest", err)
}

// TouchToken implements token.Store with one conditional UPDATE, so of
// concurrent callers exactly one changes the row.
func (s *Store) TouchToken(ctx context.Context, id string, at, ifBefore time.Time) (bool, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, "touch token", `UPDATE us_tokens SET last_used_at = ?
			WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`,
			s.d.timeArg(at), id, s.d.timeArg(ifBefore))
		return err
	})
	return n > 0, err
}

// DeleteTokensOfAccount implements token.Store.
func (s *Store) DeleteTokensOfAccount(ctx context.Context, accountID string) (int, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, "delete tokens of account", `DELETE FROM us_tokens WHERE account_id = ?`, accountID)
		return err
	})
	return int(n), err
}

const apiKeyColumns = `id, account_id, description, last4, created_at`

// CreateAPIKey implements token.Store. A key whose account does not exist
// is refused with storage.ErrConflict (foreign key).
func (s *Store) CreateAPIKey(ctx context.Context, k token.APIKey, d token.Digest) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "create api key", `INSERT INTO us_api_keys (`+apiKeyColumns+`, digest)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			k.ID, k.AccountID, k.Description, k.Last4, s.d.timeArg(k.CreatedAt), d[:])
		if err == nil && n == 0 {
			err = conflict("create api key: id or digest taken")
		}
		return err
	})
}

// APIKeysOfAccount implements token.Store.
func (s *Store) APIKeysOfAccount(ctx context.Context, accountID string) ([]token.APIKey, error) {
	var out []token.APIKey
	err := s.query(ctx, "api keys of account", `SELECT `+apiKeyColumns+` FROM us_api_keys
		WHERE account_id = ? ORDER BY created_at, id`, []any{accountID}, func(r *sql.Rows) error {
		var k token.APIKey
		err := r.Scan(&k.ID, &k.AccountID, &k.Description, &k.Last4, dbTime{&k.CreatedAt})
		out = append(out, k)
		return err
	})
	return out, err
}

// DeleteAPIKey implements token.Store.
func (s *Store) DeleteAPIKey(ctx context.Context, accountID, id string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "delete api key", `DELETE FROM us_api_keys WHERE id = ? AND account_id = ?`, id, accountID)
		if err == nil && n == 0 {
			err = notFound("delete api key")
		}
		return err
	})
}

// APIKeyByDigest implements token.Store with one indexed join.
func (s *Store) APIKeyByDigest(ctx context.Context, d token.Digest) (token.APIKeyWithAccount, error) {
	var (
		k      token.APIKeyWithAccount
		status string
	)
	st, err := s.prepared(ctx, queryAPIKeyByDigest)
	if err != nil {
		return k, translate(ctx, "api key by digest", err)
	}
	err = st.QueryRowContext(ctx, d[:]).Scan(&k.Key.ID, &k.Key.AccountID, &k.Key.Description,
		&k.Key.Last4, dbTime{&k.Key.CreatedAt}, &k.AccountEmail, &status, &k.ProfileID)
	k.AccountStatus = account.Status(status)
	return k, translate(ctx, "api key by digest", err)
}

// DeleteAPIKeysOfAccount implements token.Store.
func (s *Store) DeleteAPIKeysOfAccount(ctx context.Context, accountID string) (int, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, "delete api keys of account", `DELETE FROM us_api_keys WHERE account_id = ?`, accountID)
		return err
	})
	return int(n), err
}

// scopeList scans the JSON array of a token's scopes. Scope names written
// by package token need no escaping, so the common case is split by hand;
// anything else goes through encoding/json.
type scopeList struct{ l *[]string }

// Scan implements sql.Scanner.
func (s scopeList) Scan(src any) error {
	var text string
	switch v := src.(type) {
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return strList(s).Scan(src)
	}
	inner, ok := strings.CutPrefix(text, `["`)
	if inner, ok2 := strings.CutSuffix(inner, `"]`); ok && ok2 && !strings.ContainsAny(inner, `\`) {
		parts := strings.Split(inner, `","`)
		for _, p := range parts {
			if strings.Contains(p, `"`) {
				return strList(s).Scan(src)
			}
		}
		*s.l = parts
		return nil
	}
	return strList(s).Scan(src)
}

package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/internal/benchcmp"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/token"
)

var benchNow = time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)

// tokenDB is a migrated SQLite database holding n tokens over up to 1,000
// accounts, and a token.Service on it.
type tokenDB struct {
	db      *sql.DB
	path    string
	svc     *token.Service
	secrets []string       // secrets of sample stored tokens
	digests []token.Digest // their digests
}

// validate returns the benchmarks' subject: Validate of the i-th sample
// token, visited in a stride that spreads the lookups.
func (tdb *tokenDB) validate(b *testing.B) func(int) {
	ctx := context.Background()
	return func(i int) {
		if _, err := tdb.svc.Validate(ctx, tdb.secrets[(i*7919)%len(tdb.secrets)]); err != nil {
			b.Fatal(err)
		}
	}
}

// newTokenDB builds the database with SQL alone: accounts and the bulk of
// the tokens (random digests) come from recursive CTEs in one
// transaction; sample tokens with real secrets are inserted with a
// prepared statement.
func newTokenDB(b *testing.B, dir string, n, sample int) *tokenDB {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, fmt.Sprintf("tokens-%d.db", n))
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	st := sqlstore.New(db, sqlstore.SQLite)
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	accounts := min(n, 1000)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	exec(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?)
		INSERT INTO us_profiles (id, name, job_title, department, country, about_you, skills, industries,
		twitter_url, linkedin_url, recovery_email, public, created_at, updated_at)
		SELECT printf('prf_%04d', i), '', '', '', '', '', '[]', '[]', '', '', '', 0, 0, 0 FROM c`, accounts)
	exec(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?)
		INSERT INTO us_accounts (id, profile_id, email, password_hash, password_changed_at, status, marketing, credits, created_at)
		SELECT printf('acc_%04d', i), printf('prf_%04d', i), printf('a%04d@example.com', i),
		'', 0, 'active', 0, 0, 0 FROM c`, accounts)
	exec(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?)
		INSERT INTO us_tokens (lookup, id, account_id, name, scopes, digest, last4, created_at)
		SELECT random(), printf('tok_%07d', i), printf('acc_%04d', i % ?), 'bulk ' || i, '["catalog"]',
		randomblob(32), 'abcd', 0 FROM c`,
		n-sample, accounts)
	ins, err := tx.PrepareContext(ctx, `INSERT INTO us_tokens (lookup, id, account_id, name, scopes, digest, last4, created_at)
		VALUES (?, ?, ?, ?, '["catalog","projects:read"]', ?, 'abcd', 0)`)
	if err != nil {
		b.Fatal(err)
	}
	tdb := &tokenDB{db: db, path: path}
	r := rand.NewChaCha8([32]byte{5})
	for i := range sample {
		s, err := token.Generate(r, token.KindToken)
		if err != nil {
			b.Fatal(err)
		}
		d := token.DigestOf(s.Reveal())
		if _, err := ins.ExecContext(ctx, int64(binary.BigEndian.Uint64(d[:8])), fmt.Sprintf("tok_s%06d", i), fmt.Sprintf("acc_%04d", i%accounts),
			fmt.Sprint("sample ", i), d[:]); err != nil {
			b.Fatal(err)
		}
		tdb.secrets = append(tdb.secrets, s.Reveal())
		tdb.digests = append(tdb.digests, d)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	// No ANALYZE: with SQLite's STAT4 statistics, a statement whose WHERE
	// binds an indexed column is re-prepared for every new bound value,
	// which would dominate a lookup by digest.
	tdb.svc = token.NewService(token.Config{Store: st, Accounts: st, Tx: st, History: st,
		Scopes: token.NewRegistry(token.Scope{Name: "catalog"}), Now: func() time.Time { return benchNow }})
	for _, s := range tdb.secrets { // set LastUsedAt, so the timed loops only read
		if _, err := tdb.svc.Validate(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	return tdb
}

// compareBench reports subject/floor under unit, interleaved in chunks
// of 256 calls (benchcmp.Interleaved).
func compareBench(b *testing.B, unit string, subject, floor func(i int)) {
	b.Helper()
	benchcmp.Interleaved(b, unit, 256, subject, floor)
}

// BenchmarkValidateSQLite measures token.Service.Validate on SQLite. The
// databases are built once, in the parent benchmark:
//
//   - vs=raw compares Validate (1,000 tokens stored) with a raw prepared
//     SELECT by digest joined to the account status, using the same key
//     (the digest's first 8 bytes and the digest). Target: x-raw ≤ 1.5.
//   - size=1M compares Validate with 1,000,000 tokens stored against
//     1,000, with a page cache that holds the working set. Target: x-1k ≤
//     1.25. size=1M,cache=default is the same with SQLite's default 2 MB
//     page cache, for comparison.
func BenchmarkValidateSQLite(b *testing.B) {
	dir := b.TempDir()
	small := newTokenDB(b, dir, 1000, 1000)
	ctx := context.Background()
	validate := func(tdb *tokenDB) func(int) { return tdb.validate(b) }
	b.Run("vs=raw", func(b *testing.B) {
		raw, err := small.db.PrepareContext(ctx, `SELECT a.status FROM us_tokens t
			JOIN us_accounts a ON a.id = t.account_id WHERE t.lookup = ? AND t.digest = ?`)
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		var status string
		compareBench(b, "x-raw", validate(small), func(i int) {
			d := small.digests[(i*7919)%len(small.digests)]
			lookup := int64(binary.BigEndian.Uint64(d[:8]))
			if err := raw.QueryRowContext(ctx, lookup, d[:]).Scan(&status); err != nil || status != "active" {
				b.Fatal(status, err)
			}
		})
	})
	if testing.Short() {
		b.Log("size=1M skipped: building 1,000,000 tokens takes a while; run without -short")
		return
	}
	start := time.Now()
	big := newTokenDB(b, dir, 1_000_000, 1000)
	b.Logf("built a 1,000,000-token SQLite database in %v", time.Since(start).Round(time.Millisecond))
	// A host serving a million tokens sizes SQLite's page cache to its
	// working set; the default 2 MB cannot hold the ~4 MB of pages that
	// 1,000 tokens spread over a million rows touch, so every lookup
	// also pays for reading pages back from the operating system.
	bigCached := reopen(b, big, 64<<10)
	smallCached := reopen(b, small, 64<<10)
	b.Run("size=1M", func(b *testing.B) {
		compareBench(b, "x-1k", validate(bigCached), validate(smallCached))
	})
	b.Run("size=1M,cache=default", func(b *testing.B) {
		compareBench(b, "x-1k", validate(big), validate(small))
	})
}

// reopen opens a second pool on the database of tdb whose connections have
// a page cache of cacheKiB, with its own token.Service.
func reopen(b *testing.B, tdb *tokenDB, cacheKiB int) *tokenDB {
	b.Helper()
	ctx := context.Background()
	dsn, err := sqlite.DSN(tdb.path)
	if err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn+"&_pragma="+url.QueryEscape(fmt.Sprintf("cache_size(-%d)", cacheKiB)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	st := sqlstore.New(db, sqlstore.SQLite)
	out := &tokenDB{db: db, path: tdb.path, secrets: tdb.secrets, digests: tdb.digests}
	out.svc = token.NewService(token.Config{Store: st, Accounts: st, Tx: st, History: st,
		Scopes: token.NewRegistry(token.Scope{Name: "catalog"}), Now: func() time.Time { return benchNow }})
	for _, s := range out.secrets { // warm the page cache
		if _, err := out.svc.Validate(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

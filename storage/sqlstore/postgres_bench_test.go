package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/token"
)

// newPostgresTokenDB builds a PostgreSQL schema holding n tokens over
// 1,000 accounts: the accounts through the Store, the bulk of the tokens
// with one INSERT … SELECT over generate_series (digests are two MD5s of
// the row number, distinct and uniformly spread), then sample tokens with
// real secrets; it ANALYZEs the tables and validates every sample once,
// so LastUsedAt is fresh and the timed loops only read.
func newPostgresTokenDB(b *testing.B, n, sample int) *tokenDB {
	b.Helper()
	ctx := context.Background()
	db := openPostgresSchema(b, newSchema(b))
	st := sqlstore.New(db, sqlstore.Postgres)
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	const accounts = 1000
	err := st.InTx(ctx, func(ctx context.Context) error {
		for i := range accounts {
			p := profile.Profile{ID: fmt.Sprintf("prf_%04d", i), CreatedAt: benchNow, UpdatedAt: benchNow}
			a := account.Account{ID: fmt.Sprintf("acc_%04d", i), ProfileID: p.ID, Email: fmt.Sprintf("a%04d@example.com", i),
				Status: account.StatusActive, CreatedAt: benchNow}
			if err := st.CreateProfile(ctx, p); err != nil {
				return err
			}
			if err := st.CreateAccount(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO us_tokens (id, account_id, name, scopes, digest, last4, created_at)
		SELECT 'tok_' || i, 'acc_' || lpad((i % $2)::text, 4, '0'), 'bulk ' || i, '["catalog"]',
			decode(md5(i::text) || md5('x' || i::text), 'hex'), 'abcd', $3
		FROM generate_series(0, $1::int - 1) AS i`, n-sample, accounts, benchNow); err != nil {
		b.Fatal(err)
	}
	tdb := &tokenDB{db: db}
	r := rand.NewChaCha8([32]byte{5})
	for i := range sample {
		s, err := token.Generate(r, token.KindToken)
		if err != nil {
			b.Fatal(err)
		}
		d := token.DigestOf(s.Reveal())
		if _, err := db.ExecContext(ctx, `INSERT INTO us_tokens (id, account_id, name, scopes, digest, last4, created_at)
			VALUES ($1, $2, $3, '["catalog","projects:read"]', $4, 'abcd', $5)`,
			fmt.Sprintf("tok_s%06d", i), fmt.Sprintf("acc_%04d", i%accounts), fmt.Sprint("sample ", i), d[:], benchNow); err != nil {
			b.Fatal(err)
		}
		tdb.secrets = append(tdb.secrets, s.Reveal())
		tdb.digests = append(tdb.digests, d)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE us_tokens; ANALYZE us_accounts`); err != nil {
		b.Fatal(err)
	}
	tdb.svc = token.NewService(token.Config{Store: st, Accounts: st, Tx: st, History: st,
		Scopes: token.NewRegistry(token.Scope{Name: "catalog"}), Now: func() time.Time { return benchNow }})
	for _, s := range tdb.secrets {
		if _, err := tdb.svc.Validate(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	return tdb
}

// BenchmarkValidatePostgres is BenchmarkValidateSQLite on PostgreSQL:
// vs=raw compares token.Service.Validate (1,000 tokens stored) with a raw
// prepared SELECT by digest joined to the account status (target: x-raw
// ≤ 1.5); size=1M compares Validate with 1,000,000 tokens stored against
// 1,000 (target: x-1k ≤ 1.25). Building the million rows takes about half
// a minute; -short skips it.
//
//	go test -run '^$' -bench BenchmarkValidatePostgres ./storage/sqlstore/
func BenchmarkValidatePostgres(b *testing.B) {
	small := newPostgresTokenDB(b, 1000, 1000)
	ctx := context.Background()
	validate := func(tdb *tokenDB) func(int) { return tdb.validate(b) }
	b.Run("vs=raw", func(b *testing.B) {
		raw, err := small.db.PrepareContext(ctx, `SELECT a.status FROM us_tokens t
			JOIN us_accounts a ON a.id = t.account_id WHERE t.digest = $1`)
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		var status string
		compareBench(b, "x-raw", validate(small), func(i int) {
			d := small.digests[(i*7919)%len(small.digests)]
			if err := raw.QueryRowContext(ctx, d[:]).Scan(&status); err != nil || status != "active" {
				b.Fatal(status, err)
			}
		})
	})
	if testing.Short() {
		b.Log("size=1M skipped: building 1,000,000 tokens takes a while; run without -short")
		return
	}
	start := time.Now()
	big := newPostgresTokenDB(b, 1_000_000, 1000)
	b.Logf("built a 1,000,000-token PostgreSQL schema in %v", time.Since(start).Round(time.Millisecond))
	b.Run("size=1M", func(b *testing.B) {
		compareBench(b, "x-1k", validate(big), validate(small))
	})
}

// BenchmarkMergeCommitPostgres is BenchmarkMergeCommit on PostgreSQL:
// merge.Service.Commit of two profiles of 10,000 achievements and 10,000
// history entries each against one transaction of plain UPDATEs moving
// the same rows. It reports floor-ns/op and ratio = commit / floor;
// target ≤ 3.
//
//	go test -run '^$' -bench BenchmarkMergeCommitPostgres -benchtime 5x ./storage/sqlstore/
func BenchmarkMergeCommitPostgres(b *testing.B) {
	db := openPostgresSchema(b, newSchema(b))
	st := sqlstore.New(db, sqlstore.Postgres)
	benchMergeCommit(b, st, db, sqlstore.Postgres)
}

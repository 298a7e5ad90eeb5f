package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// benchRows is how many accounts and codes the benchmark database holds.
const benchRows = 2000

// benchStore returns a migrated SQLite Store on a file with benchRows
// accounts (one profile each) and codes.
func benchStore(b *testing.B) (*sqlstore.Store, *sql.DB) {
	b.Helper()
	ctx := context.Background()
	db := openSQLiteFile(b, filepath.Join(b.TempDir(), "bench.db"))
	st := sqlstore.New(db, sqlstore.SQLite)
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	err := st.InTx(ctx, func(ctx context.Context) error {
		for i := range benchRows {
			p := profile.Profile{ID: fmt.Sprintf("prf_%d", i), CreatedAt: now, UpdatedAt: now}
			a := account.Account{
				ID: fmt.Sprintf("acc_%d", i), ProfileID: p.ID, Email: fmt.Sprintf("user%d@example.com", i),
				PasswordHash: "$argon2id$hash", PasswordChangedAt: now, Status: account.StatusActive, CreatedAt: now,
			}
			c := verification.Code{
				ID: fmt.Sprintf("vc_%d", i), Purpose: verification.PurposeSignUp, FlowID: fmt.Sprintf("flow_%d", i),
				Address: a.Email, Digest: []byte(fmt.Sprintf("digest-%d", i)), CreatedAt: now, ExpiresAt: now.Add(time.Hour),
			}
			if err := st.CreateProfile(ctx, p); err != nil {
				return err
			}
			if err := st.CreateAccount(ctx, a); err != nil {
				return err
			}
			if err := st.PutCode(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return st, db
}

// compareRaw runs the Store lookup b.N times (the ns/op figure), then the
// raw prepared statement b.N times on the same database, and reports
// raw-ns/op and ratio = store / raw (the target is at most 1.5).
func compareRaw(b *testing.B, store func(i int) error, raw func(i int) error) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := store(i); err != nil {
			b.Fatal(err)
		}
	}
	storeTime := b.Elapsed()
	b.StopTimer()
	start := time.Now()
	for i := range b.N {
		if err := raw(i); err != nil {
			b.Fatal(err)
		}
	}
	rawTime := time.Since(start)
	b.ReportMetric(float64(rawTime.Nanoseconds())/float64(b.N), "raw-ns/op")
	b.ReportMetric(float64(storeTime)/float64(rawTime), "ratio")
}

// BenchmarkSQLiteAccountByEmail compares Store.AccountByEmail with the
// same SELECT prepared once and scanned into plain values.
func BenchmarkSQLiteAccountByEmail(b *testing.B) {
	st, db := benchStore(b)
	ctx := context.Background()
	raw, err := db.PrepareContext(ctx, sqlstore.QueryAccountByEmail)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	email := func(i int) string { return fmt.Sprintf("user%d@example.com", i%benchRows) }
	compareRaw(b, func(i int) error {
		_, err := st.AccountByEmail(ctx, email(i))
		return err
	}, func(i int) error {
		var (
			id, profileID, addr, hash, status string
			changed, created, credits         int64
			marketing                         bool
			ssoConnection, ssoSubject         sql.NullString
		)
		return raw.QueryRowContext(ctx, email(i)).Scan(&id, &profileID, &addr, &hash, &changed,
			&status, &marketing, &credits, &created, &ssoConnection, &ssoSubject)
	})
}

// BenchmarkSQLiteCodeOfFlow compares Store.CodeOfFlow with the same
// SELECT prepared once and scanned into plain values.
func BenchmarkSQLiteCodeOfFlow(b *testing.B) {
	st, db := benchStore(b)
	ctx := context.Background()
	raw, err := db.PrepareContext(ctx, sqlstore.QueryCodeOfFlow)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	flow := func(i int) string { return fmt.Sprintf("flow_%d", i%benchRows) }
	compareRaw(b, func(i int) error {
		_, err := st.CodeOfFlow(ctx, verification.PurposeSignUp, flow(i))
		return err
	}, func(i int) error {
		var (
			id, purpose, flowID, addr string
			digest                    []byte
			attempts                  int
			created, expires          int64
			used                      sql.NullInt64
		)
		return raw.QueryRowContext(ctx, string(verification.PurposeSignUp), flow(i)).Scan(&id, &purpose,
			&flowID, &addr, &digest, &attempts, &created, &expires, &used)
	})
}

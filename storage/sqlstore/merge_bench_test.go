package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// benchMergeRows is how many achievements and history entries each
// profile of BenchmarkMergeCommit holds.
const benchMergeRows = 10_000

var benchMergeNow = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// BenchmarkMergeCommit commits merges of two profiles of benchMergeRows
// achievements and benchMergeRows history entries each (distinct
// achievement ids, so that plain UPDATEs can move them) on SQLite, timing
// merge.Service.Commit (ns/op). On a second pair of the same shape it
// times the raw SQL floor: one transaction of plain UPDATEs moving the
// same rows (the account, the achievements, the history). It reports
// floor-ns/op and ratio = commit / floor; the target is at most 3. Run
// it with a fixed count, as seeding a pair takes longer than a commit:
//
//	go test -run '^$' -bench BenchmarkMergeCommit -benchtime 5x ./storage/sqlstore/
func BenchmarkMergeCommit(b *testing.B) {
	db := openSQLiteFile(b, filepath.Join(b.TempDir(), "merge.db"))
	st := sqlstore.New(db, sqlstore.SQLite)
	benchMergeCommit(b, st, db, sqlstore.SQLite)
}

// benchMergeCommit is the body of BenchmarkMergeCommit and
// BenchmarkMergeCommitPostgres on st (of dialect d, on db, not yet
// migrated).
func benchMergeCommit(b *testing.B, st *sqlstore.Store, db *sql.DB, d sqlstore.Dialect) {
	ctx := context.Background()
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	outbox := notify.NewOutbox()
	now := func() time.Time { return benchMergeNow }
	codes := verification.NewService(verification.Config{
		Store: st, Tx: st, Mailer: outbox, Burst: -1, MaxPerHour: -1, Now: now,
	})
	svc := merge.NewService(merge.Config{
		Accounts: st, Profiles: st, ProfileData: st, History: st, Notify: st, Flows: st, Expired: st,
		Tx: st, Codes: codes, Now: now,
	})
	var floor time.Duration
	b.StopTimer()
	b.ResetTimer()
	for i := range b.N {
		tag := fmt.Sprintf("m%d", i)
		benchSeedPair(b, st, db, d, tag)
		flowID := benchFlow(b, svc, outbox, tag)
		b.StartTimer()
		if _, err := svc.Commit(ctx, auth.New("acc_"+tag+"a", auth.MethodPassword, benchMergeNow, ""), flowID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		benchCheckMoved(b, db, d, "prf_"+tag+"a")
		tag = fmt.Sprintf("f%d", i)
		benchSeedPair(b, st, db, d, tag)
		start := time.Now()
		if err := benchFloor(ctx, db, d, "prf_"+tag+"b", "prf_"+tag+"a"); err != nil {
			b.Fatal(err)
		}
		floor += time.Since(start)
		benchCheckMoved(b, db, d, "prf_"+tag+"a")
	}
	perOp := float64(floor.Nanoseconds()) / float64(b.N)
	b.ReportMetric(perOp, "floor-ns/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/perOp, "ratio")
}

// benchCheckMoved checks that the profile holds both profiles' rows.
func benchCheckMoved(b *testing.B, db *sql.DB, d sqlstore.Dialect, profileID string) {
	b.Helper()
	for _, table := range []string{"us_achievements", "us_history"} {
		var n int
		err := db.QueryRow(sqlstore.Rebind(d, `SELECT count(*) FROM `+table+` WHERE profile_id = ?`), profileID).Scan(&n)
		if err != nil || n < 2*benchMergeRows {
			b.Fatalf("%s of %s: %d rows, %v; want at least %d", table, profileID, n, err, 2*benchMergeRows)
		}
	}
}

// benchFloor moves the rows of profile from to profile to with plain
// UPDATEs in one transaction.
func benchFloor(ctx context.Context, db *sql.DB, d sqlstore.Dialect, from, to string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, table := range []string{"us_accounts", "us_achievements", "us_history"} {
		q := sqlstore.Rebind(d, `UPDATE `+table+` SET profile_id = ? WHERE profile_id = ?`)
		if _, err := tx.ExecContext(ctx, q, to, from); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// benchSeedPair creates the profiles prf_<tag>a and prf_<tag>b, one account
// each (acc_<tag>a, acc_<tag>b) and benchMergeRows achievements and
// history entries each, generated in SQL: a recursive CTE on SQLite,
// generate_series on PostgreSQL.
func benchSeedPair(b *testing.B, st *sqlstore.Store, db *sql.DB, d sqlstore.Dialect, tag string) {
	b.Helper()
	ctx := context.Background()
	bulk, at := benchBulkSQLite, any(benchMergeNow.UnixMicro())
	if d == sqlstore.Postgres {
		bulk, at = benchBulkPostgres, benchMergeNow
	}
	for _, side := range []string{"a", "b"} {
		pid := "prf_" + tag + side
		p := profile.Profile{ID: pid, Name: "Name " + side, CreatedAt: benchMergeNow, UpdatedAt: benchMergeNow}
		a := account.Account{
			ID: "acc_" + tag + side, ProfileID: pid, Email: tag + side + "@example.com",
			Status: account.StatusActive, CreatedAt: benchMergeNow,
		}
		if err := st.CreateProfile(ctx, p); err != nil {
			b.Fatal(err)
		}
		if err := st.CreateAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
		if err := st.SaveProgress(ctx, pid, profile.Progress{Points: 10}); err != nil {
			b.Fatal(err)
		}
		for _, q := range bulk {
			if _, err := db.ExecContext(ctx, q, benchMergeRows, pid, at); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// The bulk inserts of benchSeedPair, taking the number of rows, the
// profile id and the time of the first row.
var (
	benchBulkSQLite = []string{
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
		INSERT INTO us_achievements (profile_id, id, name, awarded_at)
		SELECT ?2, 'ach_' || ?2 || '_' || i, 'Achievement ' || i, ?3 + i FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
		INSERT INTO us_history (id, profile_id, account_id, item, action, detail, at)
		SELECT 'his_' || ?2 || '_' || i, ?2, '', 'job_title', 'set', '', ?3 + i FROM n`,
	}
	benchBulkPostgres = []string{
		`INSERT INTO us_achievements (profile_id, id, name, awarded_at)
		SELECT $2, 'ach_' || $2 || '_' || i, 'Achievement ' || i, $3::timestamptz + i * interval '1 microsecond'
		FROM generate_series(0, $1::int - 1) AS i`,
		`INSERT INTO us_history (id, profile_id, account_id, item, action, detail, at)
		SELECT 'his_' || $2 || '_' || i, $2, '', 'job_title', 'set', '', $3::timestamptz + i * interval '1 microsecond'
		FROM generate_series(0, $1::int - 1) AS i`,
	}
)

// benchFlow runs a merge flow of the pair up to the verified state.
func benchFlow(b *testing.B, svc *merge.Service, outbox *notify.Outbox, tag string) string {
	b.Helper()
	ctx := context.Background()
	me := auth.New("acc_"+tag+"a", auth.MethodPassword, benchMergeNow, "")
	f, err := svc.Start(ctx, me, tag+"b@example.com")
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.SendCode(ctx, me, f.ID, 0); err != nil {
		b.Fatal(err)
	}
	m, _ := outbox.Last(tag + "b@example.com")
	if _, err := svc.Verify(ctx, me, f.ID, usersettingstest.MailCode(b, "the merge code mail", m.Body)); err != nil {
		b.Fatal(err)
	}
	return f.ID
}

package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/verification"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
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
	ctx := context.Background()
	db := openSQLiteFile(b, filepath.Join(b.TempDir(), "merge.db"))
	st := sqlstore.New(db, sqlstore.SQLite)
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	outbox := notify.NewOutbox()
	now := func() time.Time { return benchMergeNow }
	codes := verification.NewService(verification.Config{
		Store: st, Tx: st, Mailer: outbox, MinInterval: -1, MaxPerHour: -1, Now: now,
	})
	svc := merge.NewService(merge.Config{
		Accounts: st, Profiles: st, ProfileData: st, History: st, Notify: st, Flows: st, Expired: st,
		Tx: st, Codes: codes, Now: now,
	})
	var floor time.Duration
	b.StopTimer()
	b.ResetTimer()
	for i := range b.N {
		flowID := benchVerifiedFlow(b, st, db, svc, outbox, fmt.Sprintf("m%d", i))
		b.StartTimer()
		if _, err := svc.Commit(ctx, auth.New("acc_m"+fmt.Sprint(i)+"a", auth.MethodPassword, benchMergeNow), flowID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		benchCheckMoved(b, db, fmt.Sprintf("prf_m%da", i))
		tag := fmt.Sprintf("f%d", i)
		benchSeedPair(b, st, db, tag)
		start := time.Now()
		if err := benchFloor(ctx, db, "prf_"+tag+"b", "prf_"+tag+"a"); err != nil {
			b.Fatal(err)
		}
		floor += time.Since(start)
		benchCheckMoved(b, db, "prf_"+tag+"a")
	}
	perOp := float64(floor.Nanoseconds()) / float64(b.N)
	b.ReportMetric(perOp, "floor-ns/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/perOp, "ratio")
}

// benchCheckMoved checks that the profile holds both profiles' rows.
func benchCheckMoved(b *testing.B, db *sql.DB, profileID string) {
	b.Helper()
	for _, table := range []string{"us_achievements", "us_history"} {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM `+table+` WHERE profile_id = ?`, profileID).Scan(&n)
		if err != nil || n < 2*benchMergeRows {
			b.Fatalf("%s of %s: %d rows, %v; want at least %d", table, profileID, n, err, 2*benchMergeRows)
		}
	}
}

// benchFloor moves the rows of profile from to profile to with plain
// UPDATEs in one transaction.
func benchFloor(ctx context.Context, db *sql.DB, from, to string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, table := range []string{"us_accounts", "us_achievements", "us_history"} {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET profile_id = ? WHERE profile_id = ?`, to, from); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// benchSeedPair creates the profiles prf_<tag>a and prf_<tag>b, one account
// each (acc_<tag>a, acc_<tag>b) and benchMergeRows achievements and
// history entries each, generated in SQL.
func benchSeedPair(b *testing.B, st *sqlstore.Store, db *sql.DB, tag string) {
	b.Helper()
	ctx := context.Background()
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
		at := benchMergeNow.UnixMicro()
		for _, q := range []string{
			`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
			INSERT INTO us_achievements (profile_id, id, name, awarded_at)
			SELECT ?2, 'ach_' || ?2 || '_' || i, 'Achievement ' || i, ?3 + i FROM n`,
			`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
			INSERT INTO us_history (id, profile_id, account_id, item, action, detail, at)
			SELECT 'his_' || ?2 || '_' || i, ?2, '', 'job_title', 'set', '', ?3 + i FROM n`,
		} {
			if _, err := db.ExecContext(ctx, q, benchMergeRows, pid, at); err != nil {
				b.Fatal(err)
			}
		}
	}
}

var benchCodeRE = regexp.MustCompile(`\b[0-9]{6}\b`)

// benchVerifiedFlow seeds a pair and runs a merge flow of it up to the
// verified state.
func benchVerifiedFlow(b *testing.B, st *sqlstore.Store, db *sql.DB, svc *merge.Service, outbox *notify.Outbox, tag string) string {
	b.Helper()
	ctx := context.Background()
	benchSeedPair(b, st, db, tag)
	me := auth.New("acc_"+tag+"a", auth.MethodPassword, benchMergeNow)
	f, err := svc.Start(ctx, me, tag+"b@example.com")
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.SendCode(ctx, me, f.ID, 0); err != nil {
		b.Fatal(err)
	}
	m, _ := outbox.Last(tag + "b@example.com")
	if _, err := svc.Verify(ctx, me, f.ID, benchCodeRE.FindString(m.Body)); err != nil {
		b.Fatal(err)
	}
	return f.ID
}

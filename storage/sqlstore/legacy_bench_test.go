package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// Rows of the v0.1.0 database BenchmarkLegacyUpgrade upgrades.
const (
	legacyBenchAccounts = 10_000  // profiles, one account each
	legacyBenchHistory  = 100_000 // history entries
)

// BenchmarkLegacyUpgrade measures Migrate on an SQLite database of v0.1.0
// (legacyBenchAccounts profiles and accounts, legacyBenchHistory history
// entries). SQLite cannot rename an index, so the upgrade builds every
// index anew under its prefixed name; ratio is the upgrade's time over a
// REINDEX of the same database, the cost of building every index once.
// On PostgreSQL the renames touch only the catalogue.
func BenchmarkLegacyUpgrade(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	template := filepath.Join(dir, "legacy.db")
	db := openSQLiteFile(b, template)
	applyLegacy(b, db, sqlstore.SQLite, 6)
	n := func(rows int) string {
		return fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d) `, rows-1)
	}
	mustExec(b, db, n(legacyBenchAccounts)+`INSERT INTO profiles
		SELECT 'prf_' || i, 'Name ' || i, '', '', '', '', '[]', '[]', '', '', '', 0, i, i FROM n`)
	mustExec(b, db, n(legacyBenchAccounts)+`INSERT INTO accounts
		SELECT 'acc_' || i, 'prf_' || i, 'user' || i || '@example.com', 'hash', i, 'active', 0, 0, i FROM n`)
	mustExec(b, db, n(legacyBenchHistory)+`INSERT INTO history
		SELECT 'his_' || i, 'prf_' || (i % `+fmt.Sprint(legacyBenchAccounts)+`), '', 'job_title', 'set', '', i FROM n`)
	mustExec(b, db, `PRAGMA wal_checkpoint(TRUNCATE)`)
	_ = db.Close()
	data, err := os.ReadFile(template)
	if err != nil {
		b.Fatal(err)
	}
	copyOf := func(name string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		return path
	}
	var upgrade, reindex time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		up := openSQLiteFile(b, copyOf(fmt.Sprintf("up%d.db", i)))
		re := openSQLiteFile(b, copyOf(fmt.Sprintf("re%d.db", i)))
		b.StartTimer()
		start := time.Now()
		if err := sqlstore.New(up, sqlstore.SQLite).Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		upgrade += time.Since(start)
		b.StopTimer()
		start = time.Now()
		mustExec(b, re, `REINDEX`)
		reindex += time.Since(start)
		_ = up.Close()
		_ = re.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(upgrade)/float64(reindex), "ratio")
}

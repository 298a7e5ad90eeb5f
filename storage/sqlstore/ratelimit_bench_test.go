package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// BenchmarkRateLimitTake measures one rate-limit take (the read and the
// compare-and-set of TakeRateToken, on 1,000 buckets in turn) against the cheapest write
// that returns a row, a bare UPDATE … RETURNING of a one-row table, on
// the same database in the same run, and reports both and their ratio.
// The PostgreSQL half runs when USERSETTINGS_POSTGRES_DSN is set.
func BenchmarkRateLimitTake(b *testing.B) {
	b.Run("db=sqlite", func(b *testing.B) {
		db := openSQLiteFile(b, filepath.Join(b.TempDir(), "bench.db"))
		benchTake(b, db, sqlstore.SQLite, "INTEGER")
	})
	b.Run("db=postgres", func(b *testing.B) {
		db := openPostgresSchema(b, newSchema(b))
		benchTake(b, db, sqlstore.Postgres, "bigint")
	})
}

func benchTake(b *testing.B, db *sql.DB, d sqlstore.Dialect, intType string) {
	ctx := context.Background()
	st := sqlstore.New(db, d)
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE bench_one (id `+intType+` PRIMARY KEY, n `+intType+` NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO bench_one VALUES (1, 0)`); err != nil {
		b.Fatal(err)
	}
	update, err := db.PrepareContext(ctx, `UPDATE bench_one SET n = n + 1 WHERE id = 1 RETURNING n`)
	if err != nil {
		b.Fatal(err)
	}
	defer update.Close()
	lim := ratelimit.Limit{Burst: 1 << 30, Every: time.Second}
	keys := make([]ratelimit.Key, 1000)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range keys {
		keys[i] = ratelimit.KeyOf("bench|" + strconv.Itoa(i))
		if _, _, err := st.TakeRateToken(ctx, keys[i], lim, now); err != nil {
			b.Fatal(err)
		}
	}
	const batch = 50
	var dTake, dUpdate time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		for range batch {
			if ok, _, err := st.TakeRateToken(ctx, keys[i%len(keys)], lim, now); err != nil || !ok {
				b.Fatalf("TakeRateToken = %v, %v", ok, err)
			}
			i++
		}
		dTake += time.Since(start)
		start = time.Now()
		for range batch {
			var n int64
			if err := update.QueryRowContext(ctx).Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
		dUpdate += time.Since(start)
	}
	perTake := float64(dTake.Microseconds()) / float64(b.N*batch)
	perUpdate := float64(dUpdate.Microseconds()) / float64(b.N*batch)
	b.ReportMetric(perTake, "µs/take")
	b.ReportMetric(perUpdate, "µs/update")
	b.ReportMetric(perTake/perUpdate, "take/update")
	b.ReportMetric(0, "ns/op")
}

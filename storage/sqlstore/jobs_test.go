package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// TestCleanupRunsOnce seeds 1,050 rate-limit buckets full again and 250
// old sent messages on one database, then runs Settings.Cleanup on two
// replicas (two Stores on two pools) at once, twice: the counts of the
// two add up to what was seeded, no run fails (no serialization
// failure), and every statement deleted at most a batch (100 rows here).
// A run while the other replica holds the lock does nothing.
func TestCleanupRunsOnce(t *testing.T) {
	t.Run("db=sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "test.db")
		testCleanupRunsOnce(t, twoStores(t, sqlstore.SQLite, func() *sql.DB { return openSQLiteFile(t, path) })...)
	})
	t.Run("db=postgres", func(t *testing.T) {
		schema := newSchema(t)
		testCleanupRunsOnce(t, twoStores(t, sqlstore.Postgres, func() *sql.DB { return openPostgresSchema(t, schema) })...)
	})
}

// twoStores returns two Stores on two pools of one migrated database, as
// two replicas have, each deleting in batches of 100 rows.
func twoStores(t *testing.T, d sqlstore.Dialect, open func() *sql.DB) []*sqlstore.Store {
	t.Helper()
	migrated(t, open(), d)
	var out []*sqlstore.Store
	for range 2 {
		st := sqlstore.New(open(), d, sqlstore.WithDeleteBatch(100))
		t.Cleanup(func() { _ = st.Close() })
		out = append(out, st)
	}
	return out
}

func testCleanupRunsOnce(t *testing.T, stores ...*sqlstore.Store) {
	ctx := context.Background()
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	const buckets, mails, batch = 1050, 250, 100
	st := stores[0]
	limit := ratelimit.Limit{Burst: 5, Every: time.Second}
	for i := range buckets {
		if _, _, err := st.TakeRateToken(ctx, ratelimit.KeyOf(fmt.Sprint("k", i)), limit, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	old := now.Add(-notify.DefaultCourierKeep - time.Hour)
	for i := range mails {
		m := notify.QueuedMail{ID: fmt.Sprintf("mail_%04d", i), To: "ada@example.com", Subject: "s",
			SealedBody: []byte{1}, State: notify.MailSent, CreatedAt: old, NextAttemptAt: old, UpdatedAt: old, SentAt: old}
		if err := st.QueueMail(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var batches []int64
	replicas := make([]*usersettings.Settings, len(stores))
	for i, s := range stores {
		sqlstore.SetBatchHook(s, func(n int64) {
			mu.Lock()
			batches = append(batches, n)
			mu.Unlock()
		})
		var err error
		replicas[i], err = usersettings.New(s, usersettings.Options{Dev: true, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
	}

	held, ok, err := stores[1].TryJobLock(ctx, "cleanup")
	if err != nil || !ok {
		t.Fatalf("TryJobLock = %v, %v", ok, err)
	}
	if r, err := replicas[0].Cleanup(ctx); err != nil || r.Ran {
		t.Errorf("Cleanup while the other replica holds the lock = %+v, %v; want nothing done", r, err)
	}
	held()

	var total usersettings.CleanupReport
	for range 2 {
		reports := make([]usersettings.CleanupReport, len(replicas))
		errs := make([]error, len(replicas))
		var wg sync.WaitGroup
		for i, s := range replicas {
			wg.Go(func() { reports[i], errs[i] = s.Cleanup(ctx) })
		}
		wg.Wait()
		for i, r := range reports {
			if errs[i] != nil {
				t.Errorf("replica %d: Cleanup: %v", i, errs[i])
			}
			total.RateBuckets += r.RateBuckets
			total.Mail += r.Mail
		}
	}
	if total.RateBuckets != buckets || total.Mail != mails {
		t.Errorf("deleted %d buckets and %d messages in all, want %d and %d, each once", total.RateBuckets, total.Mail, buckets, mails)
	}
	mu.Lock()
	defer mu.Unlock()
	full := 0
	for _, n := range batches {
		if n > batch {
			t.Errorf("a batch deleted %d rows, more than %d", n, batch)
		}
		if n == batch {
			full++
		}
	}
	if want := buckets/batch + mails/batch; full != want {
		t.Errorf("%d full batches, want %d (%v)", full, want, batches)
	}
}

// TestApplyMigrationsOnce runs ApplyMigrations from two pools on one
// empty PostgreSQL schema at once, as two replicas starting together do:
// one applies every migration and the other none.
func TestApplyMigrationsOnce(t *testing.T) {
	schema := newSchema(t)
	ctx := context.Background()
	var applied [2]int
	var errs [2]error
	var wg sync.WaitGroup
	for i := range applied {
		st := sqlstore.New(openPostgresSchema(t, schema), sqlstore.Postgres)
		wg.Go(func() { applied[i], errs[i] = st.ApplyMigrations(ctx) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("ApplyMigrations: %v, %v", errs[0], errs[1])
	}
	if min(applied[0], applied[1]) != 0 || max(applied[0], applied[1]) < 1 {
		t.Errorf("applied %d and %d migrations; want all by one and none by the other", applied[0], applied[1])
	}
}

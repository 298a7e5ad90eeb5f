package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// BenchmarkSQLiteSecurityLogPage reads pages of 50 events of one profile
// among 100 profiles with 1,000 events each: the newest page, and the
// page 900 events deep through a Position. Keyset paging makes the deep
// page cost what the first costs; "ratio" is deep over first (about 1;
// an OFFSET query would grow with the depth).
func BenchmarkSQLiteSecurityLogPage(b *testing.B) {
	ctx := context.Background()
	db := openSQLiteFile(b, filepath.Join(b.TempDir(), "bench.db"))
	st := sqlstore.New(db, sqlstore.SQLite)
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	const profiles, perProfile = 100, 1000
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	err := st.InTx(ctx, func(ctx context.Context) error {
		for p := range profiles {
			pid := fmt.Sprintf("prf_%03d", p)
			if err := st.CreateProfile(ctx, profile.Profile{ID: pid, CreatedAt: t0, UpdatedAt: t0}); err != nil {
				return err
			}
			events := make([]securitylog.Event, perProfile)
			for i := range events {
				events[i] = securitylog.Event{
					ID: fmt.Sprintf("sev_%03d_%04d", p, i), ProfileID: pid, AccountID: "acc_" + pid, Kind: securitylog.SignedIn,
					At: t0.Add(time.Duration(i*profiles+p) * time.Minute), IP: "192.0.2.1", Device: "Firefox on Linux",
				}
			}
			if err := st.AppendSecurityEvents(ctx, events...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	first, err := st.SecurityEvents(ctx, "prf_042", securitylog.Position{}, 900)
	if err != nil || len(first) != 900 {
		b.Fatalf("SecurityEvents: %d events, %v", len(first), err)
	}
	deep := securitylog.Position{At: first[899].At, ID: first[899].ID}
	read := func(pos securitylog.Position) time.Duration {
		start := time.Now()
		page, err := st.SecurityEvents(ctx, "prf_042", pos, 51)
		if err != nil || len(page) != 51 {
			b.Fatalf("SecurityEvents: %d events, %v", len(page), err)
		}
		return time.Since(start)
	}
	var firstTime, deepTime time.Duration
	for b.Loop() {
		firstTime += read(securitylog.Position{})
		deepTime += read(deep)
	}
	b.ReportMetric(float64(firstTime.Nanoseconds())/float64(b.N), "first-ns/op")
	b.ReportMetric(float64(deepTime.Nanoseconds())/float64(b.N), "deep-ns/op")
	b.ReportMetric(float64(deepTime)/float64(firstTime), "ratio")
}

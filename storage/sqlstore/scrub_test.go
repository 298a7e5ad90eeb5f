package sqlstore_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

var _ personaldata.Scrubber = (*sqlstore.Store)(nil)

// TestScrubSQLite checks that an erased value is in neither the database
// file nor its write-ahead log after Scrub.
func TestScrubSQLite(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "scrub.db")
	st := migrated(t, openSQLiteFile(t, file), sqlstore.SQLite)
	marker := []byte("erase-me-7f3a9c")
	p := profile.Profile{ID: "prf_1", AboutYou: string(marker), CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := st.CreateProfile(ctx, p); err != nil {
		t.Fatalf("CreateProfile: %v", err)
	}
	if err := st.DeleteProfile(ctx, "prf_1"); err != nil {
		t.Fatalf("DeleteProfile: %v", err)
	}
	if !bytes.Contains(readFiles(t, file), marker) {
		t.Fatalf("the marker is in no file before Scrub; the test proves nothing")
	}
	if err := st.Scrub(ctx); err != nil {
		t.Fatalf("Scrub: %v", err)
	}
	if bytes.Contains(readFiles(t, file), marker) {
		t.Errorf("the erased value is still in the database files after Scrub")
	}
	err := st.InTx(ctx, func(ctx context.Context) error { return st.Scrub(ctx) })
	if err == nil {
		t.Errorf("Scrub inside a transaction: got nil, want an error")
	}
}

// readFiles returns the bytes of the database file and its -wal file.
func readFiles(t *testing.T, file string) []byte {
	t.Helper()
	var all []byte
	for _, f := range []string{file, file + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatalf("reading %s: %v", filepath.Base(f), err)
		}
		all = append(all, b...)
	}
	return all
}

func TestScrubPostgres(t *testing.T) {
	db, d := openPostgres(t)
	st := migrated(t, db, d)
	if err := st.Scrub(context.Background()); err != nil {
		t.Errorf("Scrub on PostgreSQL: %v, want nil", err)
	}
}

package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

// A host opens the database with its driver (here through the sqlite
// opener), hands it to New and migrates once at start-up.
func ExampleNew() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	db, err := sqlite.Open(ctx, filepath.Join(dir, "settings.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	st := sqlstore.New(db, sqlstore.SQLite)
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	err = st.CreateProfile(ctx, profile.Profile{ID: "prf_1", Name: "Ada", CreatedAt: now, UpdatedAt: now})
	if err != nil {
		log.Fatal(err)
	}
	p, err := st.Profile(ctx, "prf_1")
	fmt.Println(p.Name, p.CreatedAt, err)
	// Output: Ada 2024-01-02 03:04:05 +0000 UTC <nil>
}

// Writes made with the context InTx hands over commit together, or not at
// all when the function fails.
func ExampleStore_InTx() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	st, db, err := sqlite.OpenStore(ctx, filepath.Join(dir, "settings.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	now := time.Now()
	err = st.InTx(ctx, func(ctx context.Context) error {
		if err := st.CreateProfile(ctx, profile.Profile{ID: "prf_1", CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		return st.SaveProgress(ctx, "prf_missing", profile.Progress{Points: 5}) // fails: no such profile
	})
	fmt.Println("InTx:", err)
	_, err = st.Profile(ctx, "prf_1")
	fmt.Println("Profile after rollback:", err)
	// Output:
	// InTx: sqlstore: save progress: profile: storage: not found
	// Profile after rollback: sqlstore: profile: storage: not found
}

// Migrate brings the schema to SchemaVersion and is a no-op afterwards.
func ExampleStore_Migrate() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "settings.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	st := sqlstore.New(db, sqlstore.SQLite)

	before, _ := st.Version(ctx)
	for range 2 {
		if err := st.Migrate(ctx); err != nil {
			log.Fatal(err)
		}
	}
	after, _ := st.Version(ctx)
	fmt.Println(before, after == sqlstore.SchemaVersion(sqlstore.SQLite))
	// Output: 0 true
}

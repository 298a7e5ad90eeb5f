package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

// Open returns a *sql.DB configured for the Store: WAL, foreign keys,
// secure_delete, busy_timeout.
func ExampleOpen() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	db, err := sqlite.Open(ctx, filepath.Join(dir, "settings.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	var mode string
	var fk, secure int
	_ = db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	_ = db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
	_ = db.QueryRowContext(ctx, "PRAGMA secure_delete").Scan(&secure)
	fmt.Println(mode, fk, secure)
	// Output: wal 1 1
}

// OpenStore opens and migrates in one call.
func ExampleOpenStore() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	st, db, err := sqlite.OpenStore(ctx, filepath.Join(dir, "settings.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	v, err := st.Version(ctx)
	fmt.Println(v == sqlstore.SchemaVersion(sqlstore.SQLite), err)
	// Output: true <nil>
}

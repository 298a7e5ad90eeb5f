package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// hostMigrations are the host's own schema, applied in order and
// recorded in the host's own schema_migrations table, the one
// golang-migrate uses by default: the SDK records its versions in a
// table of its own (usersettings_schema_migrations), so the two never
// collide. The SQL is the same on SQLite and PostgreSQL.
var hostMigrations = []string{
	`CREATE TABLE users (
		id            TEXT PRIMARY KEY,
		email         TEXT NOT NULL UNIQUE,
		password_hash TEXT NOT NULL,
		created_at    TEXT NOT NULL
	)`,
	`CREATE TABLE sessions (
		id         TEXT PRIMARY KEY,
		token_hash TEXT NOT NULL UNIQUE,
		user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		created_at TEXT NOT NULL
	)`,
	// The day the host embedded usersettings: each user gets the
	// account of the SDK that ImportUsers provisions.
	`ALTER TABLE users ADD COLUMN account_id TEXT`,
	`CREATE UNIQUE INDEX users_account_id ON users (account_id)`,
}

// migrate applies the host's migrations that schema_migrations does not
// list yet, each in its own transaction.
func migrate(ctx context.Context, db *sql.DB, d sqlstore.Dialect) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("hostapp: creating schema_migrations: %w", err)
	}
	var done int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&done); err != nil {
		return fmt.Errorf("hostapp: reading schema_migrations: %w", err)
	}
	for v := done + 1; v <= len(hostMigrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, hostMigrations[v-1]); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("hostapp: migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, rebind(d, `INSERT INTO schema_migrations (version) VALUES (?)`), v); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("hostapp: recording migration %d: %w", v, err)
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// rebind turns the ? placeholders of query into $1, $2, … on PostgreSQL.
func rebind(d sqlstore.Dialect, query string) string { return d.Rebind(query) }

// Package postgres opens a PostgreSQL database for storage/sqlstore with
// the pgx driver (github.com/jackc/pgx/v5/stdlib).
//
//	db, err := postgres.Open(ctx, "postgres://app@db.internal/settings")
//	st := sqlstore.New(db, sqlstore.Postgres)
//	err = st.Migrate(ctx)
//
// The Store uses the schema first on the connection's search_path, which
// may be the host's own: the SDK's tables and indexes carry the us_
// prefix (sqlstore.WithTablePrefix sets another) and its version is
// recorded in usersettings_schema_migrations, so they sit next to the
// host's tables and migrations without a collision. A host that wants
// them in a schema of their own puts search_path in the DSN (for example
// "…/settings?search_path=usersettings").
package postgres

import (
	"context"
	"database/sql"
	"fmt"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// Open connects to the PostgreSQL database named by dsn (a URL or a
// key=value string as pgx reads it) and checks the connection. The caller
// closes the returned *sql.DB. Errors never repeat the DSN, which may hold
// a password.
func Open(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: opening the database: invalid DSN")
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: connecting: %w", err)
	}
	return db, nil
}

// OpenStore connects to the database, migrates it and returns a Store on
// it, configured by opts (sqlstore.WithTablePrefix, …). Closing the Store does not close the database; call Close on the
// returned *sql.DB when done.
func OpenStore(ctx context.Context, dsn string, opts ...sqlstore.Option) (*sqlstore.Store, *sql.DB, error) {
	db, err := Open(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	st := sqlstore.New(db, sqlstore.Postgres, opts...)
	if err := st.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return st, db, nil
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// ErrLegacySchema means the database holds the unprefixed tables of
// v0.1.0 (accounts, pending_accounts, …) but Migrate cannot tell which
// of them v0.1.0 created: schema_migrations, where v0.1.0 recorded its
// version, is missing, records none or records one v0.1.0 did not have
// (1 to 6), or a table of that version is missing. Migrate changes nothing. To go
// on, record in schema_migrations the version v0.1.0 reached (6 when it
// ran to the end), run Migrate, and set schema_migrations back.
var ErrLegacySchema = errs.New(errs.Internal, "legacy_schema", "sqlstore: cannot upgrade the unprefixed tables of an earlier version")

// legacyMigrationsTable is where v0.1.0 recorded its schema version:
// golang-migrate's default table, which a host's own migrations may use
// as well.
const legacyMigrationsTable = "schema_migrations"

// legacyTables lists, by version, the tables v0.1.0's migrations
// created, without a prefix.
var legacyTables = [...][]string{
	1: {"profiles", "avatars", "progress", "achievements", "certifications", "academy_progress",
		"accounts", "pending_accounts", "verification_codes", "code_sends", "history"},
	2: {"tokens", "api_keys"},
	3: {"notification_settings", "watched_apps"},
	4: {"two_factor", "two_factor_recovery_codes"},
	5: {"merge_flows", "merge_flow_addresses"},
	6: {"sessions"},
}

// upgradeLegacy renames the tables of v0.1.0, if the database holds
// them, to the Store's prefixed names, and returns the version v0.1.0
// recorded (0 when there are none). Only the tables of that version are
// renamed: a host's own sessions table next to a database of version 5
// stays as it is. It runs in the migration transaction, holding the lock.
func (s *Store) upgradeLegacy(ctx context.Context, tx *sql.Tx) (int64, error) {
	found, err := s.legacyFound(ctx, tx)
	if err != nil || !found {
		return 0, err
	}
	v, err := s.legacyVersion(ctx, tx)
	if err != nil {
		return 0, err
	}
	for version := 1; version <= int(v); version++ {
		for _, table := range legacyTables[version] {
			if err := s.renameLegacy(ctx, tx, table, version); err != nil {
				return 0, err
			}
		}
	}
	return v, nil
}

// legacyFound reports whether the database holds tables that only
// v0.1.0 creates: pending_accounts, and accounts with the column
// password_changed_at.
func (s *Store) legacyFound(ctx context.Context, tx *sql.Tx) (bool, error) {
	found, err := s.tableExists(ctx, tx, "pending_accounts")
	if err == nil && found {
		found, err = s.columnExists(ctx, tx, "accounts", "password_changed_at")
	}
	return found, translate(ctx, "migrate: looking for the tables of an earlier version", err)
}

// legacyVersion returns the version v0.1.0 recorded in
// schema_migrations.
func (s *Store) legacyVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	exists, err := s.tableExists(ctx, tx, legacyMigrationsTable)
	if err != nil {
		return 0, translate(ctx, "migrate: looking for "+legacyMigrationsTable, err)
	}
	if !exists {
		return 0, fmt.Errorf("sqlstore: %s does not exist: %w", legacyMigrationsTable, ErrLegacySchema)
	}
	var (
		v     int64
		dirty bool
	)
	err = tx.QueryRowContext(ctx, `SELECT version, dirty FROM `+legacyMigrationsTable+` ORDER BY version DESC LIMIT 1`).Scan(&v, &dirty)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("sqlstore: %s records no version: %w", legacyMigrationsTable, ErrLegacySchema)
	case err != nil:
		return 0, translate(ctx, "migrate: reading "+legacyMigrationsTable, err)
	case v < 1 || v >= int64(len(legacyTables)):
		return 0, fmt.Errorf("sqlstore: %s records version %d, not one of 1 to %d: %w", legacyMigrationsTable, v, len(legacyTables)-1, ErrLegacySchema)
	case dirty:
		return 0, fmt.Errorf("sqlstore: %s: version %d: %w", legacyMigrationsTable, v, ErrDirtySchema)
	}
	return v, nil
}

// renameLegacy renames the table of v0.1.0, created by the given
// version, and the indexes, constraints and sequences named after it.
func (s *Store) renameLegacy(ctx context.Context, tx *sql.Tx, table string, version int) error {
	exists, err := s.tableExists(ctx, tx, table)
	if err != nil {
		return translate(ctx, "migrate: looking for "+table, err)
	}
	if !exists {
		return fmt.Errorf("sqlstore: table %s of version %d is missing: %w", table, version, ErrLegacySchema)
	}
	to := s.prefix + table
	if _, err := tx.ExecContext(ctx, `ALTER TABLE `+table+` RENAME TO `+to); err != nil {
		return translate(ctx, "migrate: renaming "+table, err)
	}
	if s.d == Postgres {
		err = s.renamePostgresObjects(ctx, tx, table, to)
	} else {
		err = s.renameSQLiteIndexes(ctx, tx, table, to)
	}
	return translate(ctx, "migrate: renaming the indexes of "+table, err)
}

// renameSQLiteIndexes gives the indexes of the renamed table the
// prefixed name. SQLite cannot rename an index, so each is dropped and
// created again from its definition under the new name.
func (s *Store) renameSQLiteIndexes(ctx context.Context, tx *sql.Tx, table, to string) error {
	defs, err := namesOf(ctx, tx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, to)
	if err != nil {
		return err
	}
	for i := 0; i < len(defs); i += 2 {
		name, def := defs[i], defs[i+1]
		if !strings.HasPrefix(name, table+"_") {
			continue
		}
		at := strings.Index(def, " "+name+" ")
		if at < 0 {
			return fmt.Errorf("index %s: name not found in its definition", name)
		}
		create := def[:at+1] + s.prefix + name + def[at+1+len(name):]
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+quoteIdent(name)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, create); err != nil {
			return err
		}
	}
	return nil
}

// renamePostgresObjects gives the indexes (primary keys included),
// foreign key and check constraints and owned sequences of the renamed
// table the prefixed name, as a fresh migration names them.
func (s *Store) renamePostgresObjects(ctx context.Context, tx *sql.Tx, table, to string) error {
	kinds := []struct{ query, rename string }{
		{`SELECT c.relname FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class c ON c.oid = x.indexrelid
			WHERE x.indrelid = $1::text::regclass ORDER BY 1`, `ALTER INDEX %s RENAME TO %s`},
		{`SELECT conname FROM pg_catalog.pg_constraint
			WHERE conrelid = $1::text::regclass AND contype IN ('f', 'c') ORDER BY 1`,
			`ALTER TABLE ` + to + ` RENAME CONSTRAINT %s TO %s`},
		{`SELECT c.relname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class c ON c.oid = d.objid
			WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refobjid = $1::text::regclass
			AND c.relkind = 'S' ORDER BY 1`, `ALTER SEQUENCE %s RENAME TO %s`},
	}
	for _, k := range kinds {
		names, err := namesOf(ctx, tx, k.query, to)
		if err != nil {
			return err
		}
		for _, name := range names {
			if !strings.HasPrefix(name, table+"_") {
				continue
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(k.rename, quoteIdent(name), quoteIdent(s.prefix+name))); err != nil {
				return err
			}
		}
	}
	return nil
}

// namesOf runs a catalogue query and returns every column of every row
// as text, row after row.
func namesOf(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals...)
	}
	return out, rows.Err()
}

// quoteIdent quotes a name read from the catalogue for use in SQL.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

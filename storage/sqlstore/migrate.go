package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Migrations holds the schema of every dialect as versioned SQL files,
// migrations/sqlite/NNNN_name.up.sql and .down.sql and the same under
// migrations/postgres, in the layout golang-migrate reads. Their tables
// and indexes carry DefaultTablePrefix (us_accounts, …). Hosts that run
// migrations with their own tool use it (or GooseMigrations for goose);
// others call Migrate, which also applies another prefix.
//
//go:embed migrations
var Migrations embed.FS

// migrateLockKey is the PostgreSQL advisory lock key Migrate holds while
// it checks and applies one migration ("usrsttng" in ASCII).
const migrateLockKey int64 = 0x7573727374746e67

// migrateRunLock waits for the run lock of the migrations on a
// connection of its own and returns the function that releases it (and
// discards the connection when the unlock fails, ending its session).
func (s *Store) migrateRunLock(ctx context.Context) (func(), error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, translate(ctx, "migrate: connect", err)
	}
	var schema string
	if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		_ = conn.Close()
		return nil, translate(ctx, "migrate: schema", err)
	}
	key := s.jobLockKey(schema, "migrate")
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		_ = conn.Close()
		return nil, translate(ctx, "migrate: run lock", err)
	}
	return func() {
		uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}, nil
}

// migration is one versioned step of the schema.
type migration struct {
	version int64
	name    string // file name of the up migration
	up      string
	down    string
}

// MigrationsDir returns the directory of Migrations that holds the files
// of the dialect: "migrations/sqlite" or "migrations/postgres".
func MigrationsDir(d Dialect) string { return "migrations/" + d.String() }

// loadMigrations reads the migrations of the dialect, ordered by version.
func loadMigrations(d Dialect) ([]migration, error) {
	dir := MigrationsDir(d)
	entries, err := fs.ReadDir(Migrations, dir)
	if err != nil {
		return nil, errf("reading migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		base, ok := strings.CutSuffix(name, ".up.sql")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil || v <= 0 {
			return nil, errf("migration file %s: bad version", name)
		}
		up, err := fs.ReadFile(Migrations, path.Join(dir, name))
		if err != nil {
			return nil, errf("reading migration %s: %w", name, err)
		}
		down, _ := fs.ReadFile(Migrations, path.Join(dir, base+".down.sql"))
		ms = append(ms, migration{version: v, name: name, up: string(up), down: string(down)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return int(a.version - b.version) })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, errf("migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// SchemaVersion returns the highest migration version this package knows
// for the dialect.
func SchemaVersion(d Dialect) int64 {
	ms, err := loadMigrations(d)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Migrate brings the database schema up to date. It applies the missing
// migrations in version order, with the Store's table prefix, each in its
// own transaction together with the new version in the Store's migrations
// table (DefaultMigrationsTable unless WithMigrationsTable names
// another), so a failure leaves the database at the last good version.
// It never reads or writes a host's schema_migrations table, except once
// to upgrade the tables of v0.1.0 (see below). It is safe to run from
// several processes at once: on PostgreSQL each step holds a
// transaction-scoped advisory lock, on SQLite each step is a write
// transaction, which SQLite runs one at a time. Running it on an
// up-to-date database changes nothing. It returns ErrSchemaTooNew,
// changing nothing, when the migrations table records a version newer
// than this package knows, and ErrDirtySchema when another tool left a
// failed migration behind.
//
// v0.1.0 created unprefixed tables (accounts, sessions, …) and recorded
// its version in schema_migrations, golang-migrate's default table. When
// the Store's migrations table does not exist yet and the database holds
// those tables, Migrate first upgrades them in place, in one transaction
// under the migration lock: it renames each table of the recorded version
// (and its indexes, constraints and sequences) to the prefixed name and
// records that version in its own table; schema_migrations stays as it
// is, as a host's tool may use it (a host that uses it for nothing else
// may drop it). When it cannot tell the version of those tables, Migrate
// returns ErrLegacySchema and changes nothing.
func (s *Store) Migrate(ctx context.Context) error {
	_, err := s.ApplyMigrations(ctx)
	return err
}

// ApplyMigrations is Migrate, and also returns how many migrations this
// call applied: 0 when the database was up to date, or when another
// process migrated it meanwhile. On PostgreSQL it holds a session-level
// advisory lock of the schema for the whole run (on a connection of its
// own, unless the pool allows only one), so that of several processes
// started at once on an empty database one applies every migration and
// the others wait for it and apply none.
func (s *Store) ApplyMigrations(ctx context.Context) (int, error) {
	if err := s.Check(ctx); err != nil {
		return 0, err
	}
	ms, err := loadMigrations(s.d)
	if err != nil {
		return 0, err
	}
	// The run lock takes a connection of its own for the whole run: not
	// with a pool of one, which it would starve.
	if s.d == Postgres && s.db.Stats().MaxOpenConnections != 1 {
		unlock, err := s.migrateRunLock(ctx)
		if err != nil {
			return 0, err
		}
		defer unlock()
	}
	applied := 0
	for attempt := 0; ; {
		done, err := s.migrateStep(ctx, ms)
		var re *retryError
		switch {
		case err == nil && done:
			return applied, nil
		case err == nil:
			applied++
			continue
		case errors.As(err, &re) && attempt < s.retries:
			if err := pause(ctx, attempt); err != nil {
				return applied, err
			}
			attempt++
		default:
			return applied, err
		}
	}
}

// migrateStep applies the first missing migration in one transaction and
// reports whether the schema was already up to date. The transaction
// commits in both cases, keeping a migrations table it created.
func (s *Store) migrateStep(ctx context.Context, ms []migration) (done bool, err error) {
	if s.d == SQLite {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	}
	// READ COMMITTED on PostgreSQL: after waiting for the advisory lock,
	// the next statement sees what the lock holder committed.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, translate(ctx, "migrate: begin", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	cur, err := s.lockedVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	latest := int64(0)
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	if cur > latest {
		return false, fmt.Errorf("sqlstore: database at version %d, this package knows up to %d: %w", cur, latest, ErrSchemaTooNew)
	}
	i := slices.IndexFunc(ms, func(m migration) bool { return m.version > cur })
	what := "migrate: commit"
	if i >= 0 {
		m := ms[i]
		if _, err := tx.ExecContext(ctx, s.prefixed(m.up)); err != nil {
			return false, translate(ctx, "migrate: applying "+m.name, err)
		}
		if err := s.setVersion(ctx, tx, m.version); err != nil {
			return false, err
		}
		what += " " + m.name
	}
	if err := tx.Commit(); err != nil {
		return false, translate(ctx, what, err)
	}
	return i < 0, nil
}

// lockedVersion takes the migration lock in tx and returns the version
// recorded in the migrations table (0 for none). When the table does not
// exist it creates it, upgrading the tables of v0.1.0 if there are any.
func (s *Store) lockedVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	if s.d == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
			return 0, translate(ctx, "migrate: lock", err)
		}
	}
	exists, err := s.tableExists(ctx, tx, s.migrations)
	if err != nil {
		return 0, translate(ctx, "migrate: looking for "+s.migrations, err)
	}
	if !exists {
		return s.createMigrationsTable(ctx, tx)
	}
	var (
		v     int64
		dirty bool
	)
	err = tx.QueryRowContext(ctx, `SELECT version, dirty FROM `+s.migrations+` ORDER BY version DESC LIMIT 1`).Scan(&v, &dirty)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, translate(ctx, "migrate: reading the version", err)
	case dirty:
		return 0, fmt.Errorf("sqlstore: version %d: %w", v, ErrDirtySchema)
	}
	return v, nil
}

// createMigrationsTable creates the migrations table in golang-migrate's
// shape, so golang-migrate can be pointed at it (x-migrations-table).
// When the database holds the tables of v0.1.0 it upgrades them and
// records their version, which it returns; otherwise it returns 0.
func (s *Store) createMigrationsTable(ctx context.Context, tx *sql.Tx) (int64, error) {
	create := []string{`CREATE TABLE ` + s.migrations + ` (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`}
	if s.d == SQLite {
		// golang-migrate's sqlite layout, but with an index name of
		// its own: golang-migrate names the index version_unique in
		// every database, and skips it when a host's table has it.
		create = []string{
			`CREATE TABLE ` + s.migrations + ` (version uint64, dirty bool)`,
			`CREATE UNIQUE INDEX ` + s.migrations + `_version_unique ON ` + s.migrations + ` (version)`,
		}
	}
	for _, q := range create {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, translate(ctx, "migrate: creating "+s.migrations, err)
		}
	}
	v, err := s.upgradeLegacy(ctx, tx)
	if err != nil || v == 0 {
		return 0, err
	}
	return v, s.setVersion(ctx, tx, v)
}

// setVersion records v as the only row of the migrations table, as
// golang-migrate does.
func (s *Store) setVersion(ctx context.Context, tx *sql.Tx, v int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.migrations); err != nil {
		return translate(ctx, "migrate: recording the version", err)
	}
	q := s.d.rebind(`INSERT INTO ` + s.migrations + ` (version, dirty) VALUES (?, ?)`)
	if _, err := tx.ExecContext(ctx, q, v, false); err != nil {
		return translate(ctx, "migrate: recording the version", err)
	}
	return nil
}

// Version returns the schema version recorded in the Store's migrations
// table (0 when the database was never migrated).
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT version FROM `+s.migrations+` ORDER BY version DESC LIMIT 1`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		// A database without the table was never migrated.
		if exists, xerr := s.tableExists(ctx, s.db, s.migrations); xerr == nil && !exists {
			return 0, nil
		}
		return 0, translate(ctx, "reading the schema version", err)
	}
	return v, nil
}

// rowQuerier is a *sql.DB or a *sql.Tx.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tableExists reports whether the table exists in the schema the Store
// uses: on PostgreSQL the current schema, the first of the search_path.
func (s *Store) tableExists(ctx context.Context, q rowQuerier, name string) (bool, error) {
	query := `SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?`
	if s.d == Postgres {
		query = `SELECT count(*) > 0 FROM pg_catalog.pg_class
			WHERE relname = $1 AND relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')`
	}
	var exists bool
	err := q.QueryRowContext(ctx, query, name).Scan(&exists)
	return exists, err
}

// columnExists reports whether the table of the Store's schema has the
// column.
func (s *Store) columnExists(ctx context.Context, q rowQuerier, table, column string) (bool, error) {
	query := `SELECT count(*) > 0 FROM pragma_table_info(?) WHERE name = ?`
	if s.d == Postgres {
		query = `SELECT count(*) > 0 FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`
	}
	var exists bool
	err := q.QueryRowContext(ctx, query, table, column).Scan(&exists)
	return exists, err
}

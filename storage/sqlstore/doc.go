// Package sqlstore is the database/sql adapter for every Store of the SDK
// (profile.Store, account.Store, verification.Store, history.Store and the
// rest), with two dialects: SQLite and PostgreSQL.
//
// The package imports no driver. The host opens the *sql.DB (and owns its
// pool) and hands it to New with the dialect; the opener packages
// storage/sqlstore/sqlite (modernc.org/sqlite, pure Go) and
// storage/sqlstore/postgres (github.com/jackc/pgx/v5/stdlib) do that in
// one line with the right settings:
//
//	db, err := sqlite.Open(ctx, "settings.db") // WAL, busy_timeout, foreign keys, secure_delete
//	st := sqlstore.New(db, sqlstore.SQLite)
//	err = st.Migrate(ctx)
//
// One *Store implements every Store interface plus storage.Transactor, and
// passes the conformance suites of storage/storagetest on both dialects.
//
// # Transactions
//
// InTx carries the transaction in the context; Store calls made with that
// context take part, and a nested InTx joins. On PostgreSQL a transaction
// runs at SERIALIZABLE isolation and is run again, a bounded number of
// times, after a serialization failure or deadlock (SQLSTATE 40001,
// 40P01); when the retries run out the caller gets storage.ErrConflict. On
// SQLite a transaction takes the write lock when it begins (the opener's
// _txlock=immediate) and a Go mutex in the Store queues the process's
// writers, so "database is locked" never reaches a caller; busy_timeout
// covers writers in other processes. Store calls outside InTx are each
// atomic: a single statement runs on its own, several run in their own
// transaction. Single-row races are settled in SQL, not in Go: a code is
// consumed with UPDATE … WHERE used_at IS NULL, attempts are counted with
// UPDATE … RETURNING, inserts use ON CONFLICT DO NOTHING and report
// storage.ErrConflict when nothing was inserted.
//
// # Errors
//
// Driver errors are translated without importing a driver: sql.ErrNoRows
// becomes storage.ErrNotFound; a unique violation (PostgreSQL SQLSTATE
// 23505, SQLite SQLITE_CONSTRAINT_UNIQUE or _PRIMARYKEY) becomes
// storage.ErrConflict, and so does a foreign key violation (23503,
// SQLITE_CONSTRAINT_FOREIGNKEY): a child whose parent does not exist, or a
// profile deleted while accounts still belong to it. Context cancellation
// passes through as ctx.Err(). The error types are recognised by their
// methods (SQLState() string on pgx errors, Code() int on modernc.org/sqlite
// errors).
//
// # Schema and migrations
//
// The SDK's tables live next to the host's, so every name it uses is its
// own. Every table and index name starts with a prefix, DefaultTablePrefix
// ("us_": us_accounts, us_sessions_digest_key, …) unless WithTablePrefix
// sets another; a prefix rather than a PostgreSQL schema, because it
// works the same on both dialects. The schema version is recorded in
// DefaultMigrationsTable ("usersettings_schema_migrations") unless
// WithMigrationsTable names another, never in schema_migrations, which
// golang-migrate uses by default and a host's own migrations may use.
//
// The schema lives in Migrations, an embedded file system with one
// directory per dialect (migrations/sqlite, migrations/postgres) of
// zero-padded, versioned files in golang-migrate's layout:
// NNNN_name.up.sql and NNNN_name.down.sql, written with the default
// prefix. The statements of the Store are written with it too; a Store
// with another prefix rewrites it (a word that starts with "us_") in each
// statement when it prepares it and in each migration before it runs, so
// no column or literal of the SQL starts with "us_". A host can apply
// them with
//
//   - (*Store).Migrate: applies the missing versions in order, with the
//     Store's prefix, each in its own transaction together with the new
//     version, recorded in the migrations table in golang-migrate's shape
//     (one row: version, dirty). Concurrent migrators are safe: on
//     PostgreSQL each step holds a transaction-scoped advisory lock, on
//     SQLite each step is a write transaction. It refuses a database whose
//     recorded version is newer than it knows (ErrSchemaTooNew) or marked
//     dirty (ErrDirtySchema). It upgrades a database of v0.1.0, whose
//     tables had no prefix, in place (see Migrate).
//   - golang-migrate: iofs.New(sqlstore.Migrations, sqlstore.MigrationsDir(d))
//     as the source and x-migrations-table=usersettings_schema_migrations
//     in the database URL (Config.MigrationsTable with WithInstance); it
//     then shares the table with Migrate, so a host can move between the
//     two. Without that option it would record our versions in the host's
//     own schema_migrations.
//   - goose: goose keeps both directions in one annotated file and cannot
//     read the .up.sql/.down.sql pair (both halves would claim the same
//     version), so GooseMigrations(d) presents the same statements as
//     NNNN_name.sql files with "-- +goose Up" and "-- +goose Down"
//     sections. goose records versions in a table of its own layout: give
//     it one of ours (goose.WithTableName("usersettings_goose_db_version"))
//     and use one tool for the SDK's schema.
//
// The exported files carry the default prefix; a Store with another
// prefix is migrated with Migrate.
//
// Versions are applied strictly in order and a database records only its
// highest version, so a new migration always takes the next number.
// Numbers are reserved per concern: 0001 profiles, progress, accounts,
// pending accounts, verification codes, send log and history; 0002 tokens
// and API keys; 0003 notification settings; 0004 two-factor; 0005 merge;
// 0006 sessions; 0007 single sign-on; 0008 rate-limit buckets.
//
// The schema holds the rules, not only the Go code: a unique index on
// lower(email) for accounts, unique digests for codes, tokens and keys,
// one live code per purpose and flow, and foreign keys. Avatars, progress,
// history and notification settings are deleted with their profile (ON
// DELETE CASCADE); accounts are not (ON DELETE RESTRICT): a profile is
// deleted only after its accounts were deleted or moved, so no login is
// ever lost by accident. Tokens, API keys and two-factor records are
// deleted with their account. Every lookup the services make has an
// index; a test checks the query plans of the hot lookups with EXPLAIN.
//
// # Stored values
//
// Times are stored in UTC with microsecond precision (SQLite: INTEGER
// microseconds since the Unix epoch; PostgreSQL: timestamptz) and come back
// in UTC, truncated to the microsecond; the zero time round-trips. Lists of
// strings (skills, scopes) are JSON arrays in a text column. On PostgreSQL
// ids and emails use the "C" collation, so they sort byte by byte as on
// SQLite and as the memory adapter sorts them.
//
// # Adding a Store
//
// A package that adds a Store adds, in this package: a file named after the
// concept (token.go, notify.go) that starts with var _ pkg.Store =
// (*Store)(nil) and implements the methods with the helpers of store.go
// (writeOne for a write of one statement and writeTx for several, exec,
// queryRow and query for statements written with the us_ prefix and ?
// placeholders, prepared for cached statements, translate, notFound and
// conflict for errors, timeArg/dbTime for times); the next reserved
// migration number in both migrations/sqlite and migrations/postgres, as
// .up.sql and .down.sql files naming every table and index with the us_
// prefix (TestMigrationFiles checks the pair and the names; TestMigrate
// runs the down files too; TestTablePrefix runs the suites with another
// prefix); and a test file that runs its storagetest suite under
// forEachDB, so it runs as db=sqlite and db=postgres, and appends its hot
// lookups to HotQueries (export_test.go) in an init function, so
// TestExplain checks their plans.
package sqlstore

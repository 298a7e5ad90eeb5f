package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// pgError looks like pgx's *pgconn.PgError to the Store.
type pgError struct{ code string }

func (e *pgError) Error() string    { return "ERROR: test (SQLSTATE " + e.code + ")" }
func (e *pgError) SQLState() string { return e.code }

// liteError looks like modernc.org/sqlite's *sqlite.Error to the Store.
type liteError struct {
	code int
	msg  string
}

func (e *liteError) Error() string { return fmt.Sprintf("sqlite error %d %s", e.code, e.msg) }
func (e *liteError) Code() int     { return e.code }

func TestTranslate(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("driver: %w", err) }
	for _, tc := range []struct {
		name string
		err  error
		want error  // matched with errors.Is; nil means the input itself
		kind string // Classify of the input
	}{
		{"nil", nil, nil, "other"},
		{"no rows", sql.ErrNoRows, storage.ErrNotFound, "other"},
		{"pg unique", &pgError{"23505"}, storage.ErrConflict, "unique"},
		{"pg unique wrapped", wrap(&pgError{"23505"}), storage.ErrConflict, "unique"},
		{"pg foreign key", &pgError{"23503"}, storage.ErrConflict, "foreign_key"},
		{"pg serialization failure", &pgError{"40001"}, storage.ErrConflict, "retry"},
		{"pg deadlock", &pgError{"40P01"}, storage.ErrConflict, "retry"},
		{"pg statement in an aborted transaction", &pgError{"25P02"}, storage.ErrConflict, "retry"},
		{"pg undefined table", &pgError{"42P01"}, sqlstore.ErrNotMigrated, "no_table"},
		{"sqlite no such table", &liteError{code: 1, msg: "no such table: us_accounts"}, sqlstore.ErrNotMigrated, "no_table"},
		{"sqlite other error", &liteError{code: 1, msg: "near \"x\": syntax error"}, nil, "other"},
		{"sqlite unique", &liteError{code: 2067}, storage.ErrConflict, "unique"},
		{"sqlite primary key", wrap(&liteError{code: 1555}), storage.ErrConflict, "unique"},
		{"sqlite foreign key", &liteError{code: 787}, storage.ErrConflict, "foreign_key"},
		{"sqlite busy", &liteError{code: 5}, storage.ErrConflict, "retry"},
		{"sqlite busy snapshot", &liteError{code: 517}, storage.ErrConflict, "retry"},
		{"sqlite locked", &liteError{code: 6}, storage.ErrConflict, "retry"},
		{"sqlite check", &liteError{code: 275}, nil, "other"},
		{"pg admin shutdown", &pgError{"57P01"}, errs.ErrUnavailable, "down"},
		{"pg cannot connect now", wrap(&pgError{"57P03"}), errs.ErrUnavailable, "down"},
		{"pg connection failure", &pgError{"08006"}, errs.ErrUnavailable, "down"},
		{"pg too many connections", &pgError{"53300"}, errs.ErrUnavailable, "down"},
		{"connection refused", wrap(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), errs.ErrUnavailable, "down"},
		{"connection reset", wrap(syscall.ECONNRESET), errs.ErrUnavailable, "down"},
		{"bad connection", wrap(driver.ErrBadConn), errs.ErrUnavailable, "down"},
		{"unexpected EOF", wrap(io.ErrUnexpectedEOF), errs.ErrUnavailable, "down"},
		{"pgx conn closed", errors.New("conn closed"), errs.ErrUnavailable, "down"},
		{"sqlite full", &liteError{code: 13, msg: "database or disk is full"}, errs.ErrUnavailable, "down"},
		{"sqlite ioerr write", &liteError{code: 778, msg: "disk I/O error"}, errs.ErrUnavailable, "down"},
		{"canceled", wrap(context.Canceled), context.Canceled, "other"},
		{"deadline", context.DeadlineExceeded, context.DeadlineExceeded, "other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sqlstore.Translate(context.Background(), "test", tc.err)
			want := tc.want
			if want == nil {
				want = tc.err
			}
			if (got == nil) != (tc.err == nil) || !errors.Is(got, want) {
				t.Errorf("Translate = %v, want an error matching %v", got, want)
			}
			if kind := sqlstore.Classify(tc.err); kind != tc.kind {
				t.Errorf("Classify = %q, want %q", kind, tc.kind)
			}
			if tc.kind != "down" && errors.Is(got, errs.ErrUnavailable) {
				t.Errorf("Translate = %v: an unrelated error became ErrUnavailable", got)
			}
			if tc.kind == "down" && errs.KindOf(got) != errs.Unavailable {
				t.Errorf("KindOf(Translate) = %v, want Unavailable", errs.KindOf(got))
			}
			if tc.kind == "other" && errors.Is(got, storage.ErrConflict) {
				t.Errorf("Translate = %v: an unrelated error became ErrConflict", got)
			}
		})
	}
}

// TestTranslateCanceled checks that a cancelled context wins over any
// driver error, so a lookup never reports ErrNotFound for it.
func TestTranslateCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range []error{sql.ErrNoRows, &pgError{"57014"}, errors.New("interrupted")} {
		got := sqlstore.Translate(ctx, "test", err)
		if !errors.Is(got, context.Canceled) || errors.Is(got, storage.ErrNotFound) {
			t.Errorf("Translate(canceled ctx, %v) = %v, want context.Canceled", err, got)
		}
	}
}

// TestDriverErrors provokes real errors from both drivers and checks that
// the Store recognises their types without importing them.
func TestDriverErrors(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			db, d := c.open(t)
			migrated(t, db, d)
			q := func(s string) string { return sqlstore.Rebind(d, s) }
			insert := q(`INSERT INTO us_profiles (id, name, job_title, department, country, about_you,
				skills, industries, twitter_url, linkedin_url, recovery_email, public, created_at, updated_at)
				VALUES (?, '', '', '', '', '', '[]', '[]', '', '', '', ?, ?, ?)`)
			now := any(int64(0))
			if d == sqlstore.Postgres {
				now = "2024-01-01T00:00:00Z"
			}
			if _, err := db.Exec(insert, "prf_1", false, now, now); err != nil {
				t.Fatalf("insert: %v", err)
			}
			_, err := db.Exec(insert, "prf_1", false, now, now)
			if got := sqlstore.Classify(err); got != "unique" {
				t.Errorf("duplicate primary key: Classify(%v) = %q, want unique", err, got)
			}
			_, err = db.Exec(q(`INSERT INTO us_progress (profile_id, points) VALUES (?, 1)`), "prf_missing")
			if got := sqlstore.Classify(err); got != "foreign_key" {
				t.Errorf("missing parent: Classify(%v) = %q, want foreign_key", err, got)
			}
			_, err = db.Exec(`SELECT * FROM no_such_table`)
			if got := sqlstore.Classify(err); err == nil || got != "no_table" {
				t.Errorf("missing table: Classify(%v) = %q, want no_table", err, got)
			}
		})
	}
}

// TestInTxRetries checks that InTx runs the function again after an error
// that allows a retry, and gives up with storage.ErrConflict.
func TestInTxRetries(t *testing.T) {
	db, d := openSQLite(t)
	ctx := context.Background()
	retryable := sqlstore.Translate(ctx, "test", &pgError{"40001"})

	st := migrated(t, db, d)
	calls := 0
	err := st.InTx(ctx, func(context.Context) error {
		calls++
		if calls < 3 {
			return fmt.Errorf("step: %w", retryable)
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("InTx = %v after %d calls, want nil after 3", err, calls)
	}

	st = sqlstore.New(db, d, sqlstore.WithRetries(1))
	calls = 0
	err = st.InTx(ctx, func(context.Context) error { calls++; return retryable })
	if !errors.Is(err, storage.ErrConflict) || calls != 2 {
		t.Errorf("InTx = %v after %d calls, want ErrConflict after 2", err, calls)
	}

	// A statement's lost race dooms the transaction even when fn reads
	// it as a conflict of its own and returns that, or nothing: a
	// service that maps storage.ErrConflict to "address taken" must not
	// answer that for a serialization failure.
	st = migrated(t, db, d)
	taken := errors.New("address taken")
	for _, hide := range []error{taken, nil} {
		calls = 0
		err = st.InTx(ctx, func(ctx context.Context) error {
			calls++
			if calls == 1 {
				if err := sqlstore.Translate(ctx, "insert", &pgError{"40001"}); errors.Is(err, storage.ErrConflict) {
					return hide
				}
				t.Fatal("a serialization failure does not match storage.ErrConflict")
			}
			return nil
		})
		if err != nil || calls != 2 {
			t.Errorf("InTx with the lost race hidden as %v = %v after %d calls, want nil after 2", hide, err, calls)
		}
	}

	st = sqlstore.New(db, d, sqlstore.WithRetries(1))
	calls = 0
	boom := errors.New("boom")
	err = st.InTx(ctx, func(context.Context) error { calls++; return boom })
	if !errors.Is(err, boom) || calls != 1 {
		t.Errorf("InTx = %v after %d calls, want boom after 1 (no retry)", err, calls)
	}
}

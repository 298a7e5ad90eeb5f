package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// hostDB is a database shared by the Store and a host that opened its
// own handle to it, with the host's own users table.
type hostDB struct {
	st   *sqlstore.Store
	host *sql.DB
	d    sqlstore.Dialect
}

// forEachHostDB runs f on SQLite and PostgreSQL with a migrated Store and
// a second handle, the host's, on the same database.
func forEachHostDB(t *testing.T, f func(t *testing.T, h hostDB)) {
	t.Run("db=sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "test.db")
		f(t, newHostDB(t, migrated(t, openSQLiteFile(t, path), sqlstore.SQLite), openSQLiteFile(t, path), sqlstore.SQLite))
	})
	t.Run("db=postgres", func(t *testing.T) {
		schema := newSchema(t)
		f(t, newHostDB(t, migrated(t, openPostgresSchema(t, schema), sqlstore.Postgres), openPostgresSchema(t, schema), sqlstore.Postgres))
	})
}

func newHostDB(t *testing.T, st *sqlstore.Store, host *sql.DB, d sqlstore.Dialect) hostDB {
	t.Helper()
	if _, err := host.Exec(`CREATE TABLE users (id text PRIMARY KEY, email text NOT NULL UNIQUE)`); err != nil {
		t.Fatalf("creating the host's table: %v", err)
	}
	return hostDB{st: st, host: host, d: d}
}

// insertUser is the host's own insert, in its transaction.
func (h hostDB) insertUser(ctx context.Context, tx *sql.Tx, id, email string) error {
	q := `INSERT INTO users (id, email) VALUES (?, ?)`
	if h.d == sqlstore.Postgres {
		q = `INSERT INTO users (id, email) VALUES ($1, $2)`
	}
	_, err := tx.ExecContext(ctx, q, id, email)
	return err
}

// users counts the host's rows.
func (h hostDB) users(t *testing.T) int {
	t.Helper()
	var n int
	if err := h.host.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatalf("counting users: %v", err)
	}
	return n
}

// accounts returns an account service on the Store.
func (h hostDB) accounts() *account.Service {
	svc, _ := h.accountsMailing()
	return svc
}

// accountsMailing returns an account service on the Store and the
// outbox of its codes and notices.
func (h hostDB) accountsMailing() (*account.Service, *notify.Outbox) {
	out := notify.NewOutbox()
	return account.NewService(account.Config{
		Accounts: h.st, Profiles: h.st, History: h.st, Tx: h.st, Notices: &notify.Notifier{Mailer: out},
		Codes:       verification.NewService(verification.Config{Store: h.st, Tx: h.st, Mailer: out}),
		Hasher:      password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 64, Time: 1, Threads: 1}}),
		SecurityLog: securitylog.New(h.st, rand.Reader, nil, nil),
	}), out
}

var errHostFailed = errors.New("the host's next step failed")

// TestWithTxProvision provisions an account inside the host's own
// transaction: committed, both rows are there; rolled back after the
// SDK's insert, neither is, and nothing registered for after the commit
// runs.
func TestWithTxProvision(t *testing.T) {
	forEachHostDB(t, func(t *testing.T, h hostDB) {
		ctx := context.Background()
		svc := h.accounts()
		hash, err := bcrypt.GenerateFromPassword([]byte("Correct-Horse-9"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}

		// Rolled back after our insert: neither row survives.
		hooked := 0
		err = func() error {
			tx, err := h.host.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }()
			if err := h.insertUser(ctx, tx, "u1", "ada@example.com"); err != nil {
				return err
			}
			txctx, _ := h.st.WithTx(ctx, tx)
			res, err := svc.Provision(txctx, account.ProvisionInput{Email: "Ada@Example.com", PasswordHash: string(hash)})
			if err != nil {
				return err
			}
			if !res.Created || res.Account.Email != "ada@example.com" || res.Account.PasswordHash != "" {
				t.Errorf("Provision = %+v, want a new account without its hash", res)
			}
			// Inside the transaction, the SDK sees its own row.
			if _, err := h.st.AccountByEmail(txctx, "ada@example.com"); err != nil {
				t.Errorf("AccountByEmail inside the host's transaction: %v", err)
			}
			storage.AfterCommit(txctx, func(context.Context) { hooked++ })
			return errHostFailed
		}()
		if !errors.Is(err, errHostFailed) {
			t.Fatalf("host transaction: %v, want %v", err, errHostFailed)
		}
		if n := h.users(t); n != 0 {
			t.Errorf("host rows after rollback = %d, want 0", n)
		}
		if _, err := h.st.AccountByEmail(ctx, "ada@example.com"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("AccountByEmail after rollback: %v, want ErrNotFound", err)
		}
		if hooked != 0 {
			t.Errorf("after-commit work ran %d times for a rolled-back transaction", hooked)
		}

		// Committed: both rows, the history and the security log.
		tx, err := h.host.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.insertUser(ctx, tx, "u1", "ada@example.com"); err != nil {
			t.Fatal(err)
		}
		txctx, committed := h.st.WithTx(ctx, tx)
		res, err := svc.Provision(txctx, account.ProvisionInput{Email: "ada@example.com", PasswordHash: string(hash)})
		if err != nil || !res.Created {
			t.Fatalf("Provision = %+v, %v; want created", res, err)
		}
		storage.AfterCommit(txctx, func(context.Context) { hooked++ })
		if hooked != 0 {
			t.Errorf("after-commit work ran before the commit")
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		committed()
		if hooked != 1 {
			t.Errorf("after-commit work ran %d times after committed(), want 1", hooked)
		}
		if n := h.users(t); n != 1 {
			t.Errorf("host rows after commit = %d, want 1", n)
		}
		a, err := h.st.AccountByEmail(ctx, "ada@example.com")
		if err != nil || a.ID != res.Account.ID || a.PasswordHash != string(hash) {
			t.Errorf("AccountByEmail after commit = %v, %v", a, err)
		}
		if hist, err := h.st.History(ctx, a.ProfileID, 0, 10); err != nil || len(hist) != 1 {
			t.Errorf("History = %v, %v; want the added account", hist, err)
		}
		ev, err := h.st.SecurityEvents(ctx, a.ProfileID, securitylog.Position{}, 10)
		if err != nil || len(ev) != 1 || ev[0].Kind != securitylog.AccountProvisioned {
			t.Errorf("SecurityEvents = %v, %v; want one %s", ev, err, securitylog.AccountProvisioned)
		}

		// The imported hash signs in and is rehashed to argon2id.
		if _, err := svc.Authenticate(ctx, account.Login{Email: "ada@example.com", Password: "Correct-Horse-9"}); err != nil {
			t.Fatalf("Authenticate with the imported password: %v", err)
		}
		if a, _ := h.st.AccountByEmail(ctx, "ada@example.com"); a.PasswordHash == string(hash) {
			t.Errorf("the imported bcrypt hash was not replaced after a successful sign-in")
		}

		// Again, in a new host transaction: found, not created.
		tx, err = h.host.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback() }()
		txctx, _ = h.st.WithTx(ctx, tx)
		again, err := svc.Provision(txctx, account.ProvisionInput{Email: "ada@example.com"})
		if err != nil || again.Created || again.Account.ID != a.ID {
			t.Errorf("Provision(existing) = %+v, %v; want the same account, not created", again, err)
		}
	})
}

// TestEmailChangeSQL runs the login-email changes on SQLite and
// PostgreSQL: by code, to a taken address (refused like a wrong code),
// and by the host.
func TestEmailChangeSQL(t *testing.T) {
	forEachHostDB(t, func(t *testing.T, h hostDB) {
		ctx := context.Background()
		svc, out := h.accountsMailing()
		ada, err := svc.Provision(ctx, account.ProvisionInput{Email: "ada@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Provision(ctx, account.ProvisionInput{Email: "bob@example.com"}); err != nil {
			t.Fatal(err)
		}
		c := auth.Caller{AccountID: ada.Account.ID, Method: auth.MethodPassword, AuthenticatedAt: time.Now(), SessionID: "s1"}

		pid, err := svc.RequestEmailChange(ctx, c, ada.Account.ID, "bob@example.com")
		if err != nil {
			t.Fatalf("RequestEmailChange(taken): %v", err)
		}
		if _, err := svc.ConfirmEmailChange(ctx, c, pid, "123456"); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("ConfirmEmailChange(taken) = %v, want ErrInvalidCode", err)
		}

		pid, err = svc.RequestEmailChange(ctx, c, ada.Account.ID, "ada@new.example")
		if err != nil {
			t.Fatalf("RequestEmailChange: %v", err)
		}
		m, ok := out.Last("ada@new.example")
		code := usersettingstest.MailCode(t, "the code mail", m.Body)
		if !ok || code == "" {
			t.Fatalf("no code mailed to the new address")
		}
		a, err := svc.ConfirmEmailChange(ctx, c, pid, code)
		if err != nil || a.Email != "ada@new.example" {
			t.Fatalf("ConfirmEmailChange = %v, %v", a, err)
		}
		if _, err := h.st.Pending(ctx, pid); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("pending change after confirmation: %v, want ErrNotFound", err)
		}

		admin := auth.Admin{ID: "support", Reason: "ticket 7"}
		if _, err := svc.AdminChangeEmail(ctx, admin, a.ID, "bob@example.com"); !errors.Is(err, account.ErrEmailTaken) {
			t.Errorf("AdminChangeEmail(taken) = %v, want ErrEmailTaken", err)
		}
		if a, err = svc.AdminChangeEmail(ctx, admin, a.ID, "ada@example.com"); err != nil || a.Email != "ada@example.com" {
			t.Errorf("AdminChangeEmail = %v, %v", a, err)
		}
		if got, err := h.st.AccountByEmail(ctx, "ada@example.com"); err != nil || got.ID != ada.Account.ID {
			t.Errorf("AccountByEmail after the admin change = %v, %v", got, err)
		}
	})
}

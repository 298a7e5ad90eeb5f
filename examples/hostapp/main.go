// Command hostapp is a host that already has users: its own users and
// sessions tables and migrations, its own cookie and its own password
// sign-in. It embeds usersettings through service methods only, never a
// Store method: profiles, personal access tokens with its own API behind
// token.Middleware, an authenticator app as second factor, the personal
// data ZIP, the sessions list, the security log and the login-email
// change. docs/embedding.md walks through it.
//
//	go run ./examples/hostapp -dev              # SQLite file hostapp.db, 127.0.0.1:8081
//	HOSTAPP_POSTGRES_DSN=postgres://… go run ./examples/hostapp -dev
//
// Without -dev it reads the SDK's keys from HOSTAPP_CODE_KEYS and
// HOSTAPP_TWOFACTOR_KEYS (32 bytes in hex or base64, "new,old" rotates),
// and mail goes nowhere but the SDK's outbox table: a real host sets
// usersettings.Options.Mailer to its SMTP relay.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	dbPath := flag.String("db", "hostapp.db", "SQLite database file (unless HOSTAPP_POSTGRES_DSN is set)")
	dev := flag.Bool("dev", false, "throwaway keys and mail in memory, for trying it out")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *dbPath, *dev, log); err != nil {
		log.Error("hostapp stopped", "err", err.Error())
		os.Exit(1)
	}
}

func run(addr, dbPath string, dev bool, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, d, err := openDB(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	o := usersettings.Options{Dev: dev}
	if !dev {
		if o.CodeKeys, err = usersettings.KeyRingFromEnv("HOSTAPP_CODE_KEYS"); err != nil {
			return err
		}
		if o.TwoFactorKeys, err = usersettings.KeyRingFromEnv("HOSTAPP_TWOFACTOR_KEYS"); err != nil {
			return err
		}
	}
	app, err := New(ctx, db, d, o)
	if err != nil {
		return err
	}
	go func() { _ = app.Settings.Courier.Run(ctx) }()
	go func() { _ = app.Settings.RunCleanup(ctx, 0) }()
	srv := &http.Server{Addr: addr, Handler: app, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("hostapp listening", "addr", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openDB opens the host's database: PostgreSQL when HOSTAPP_POSTGRES_DSN
// is set, else the SQLite file. The SDK's tables live in it next to the
// host's own.
func openDB(ctx context.Context, path string) (*sql.DB, sqlstore.Dialect, error) {
	if dsn := os.Getenv("HOSTAPP_POSTGRES_DSN"); dsn != "" {
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, sqlstore.Postgres, fmt.Errorf("opening PostgreSQL: %w", err)
		}
		return db, sqlstore.Postgres, nil
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, sqlstore.SQLite, err
	}
	return db, sqlstore.SQLite, nil
}

// Command settingsd serves the usersettings SDK: the settings pages at /
// (package examples/settingsd/web) and the HTTP JSON API under /v1/
// (package examples/settingsd/handler).
//
//	go run ./examples/settingsd -dev
//
// listens on 127.0.0.1:8080 (open http://127.0.0.1:8080/), stores
// everything in the SQLite file settingsd.db and, with -dev, keeps mail in
// memory, readable at /dev/outbox (pages) and GET /v1/dev/outbox (JSON).
// See the README for a walk-through.
//
// Flags:
//
//	-addr host:port      listen address (default 127.0.0.1:8080)
//	-db path             SQLite database file (default settingsd.db)
//	-postgres DSN        use PostgreSQL instead of SQLite
//	-smtp host:port      send mail through this SMTP server
//	-smtp-from address   sender of the mail (default no-reply@localhost)
//	-dev                 keep mail in an in-memory outbox served at /dev/outbox and /v1/dev/outbox
//
// Keys come from the environment: SETTINGSD_CODE_KEY,
// SETTINGSD_TWOFACTOR_KEY and SETTINGSD_WEB_KEY (which signs a sign-in
// waiting for its second factor), 32 bytes each in hex. Without them the
// server makes random ones for the life of the process (authenticator
// enrolments then do not survive a restart).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/web"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

type config struct {
	addr, db, postgres, smtp, smtpFrom string
	dev                                bool
}

func main() {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen address")
	flag.StringVar(&c.db, "db", "settingsd.db", "SQLite database file")
	flag.StringVar(&c.postgres, "postgres", "", "PostgreSQL DSN (instead of -db)")
	flag.StringVar(&c.smtp, "smtp", "", "SMTP server host:port")
	flag.StringVar(&c.smtpFrom, "smtp-from", "no-reply@localhost", "sender address of the mail")
	flag.BoolVar(&c.dev, "dev", false, "keep mail in memory and serve it at /dev/outbox and GET /v1/dev/outbox")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(c, log); err != nil {
		log.Error("settingsd stopped", "err", err.Error())
		os.Exit(1)
	}
}

// run serves until SIGINT or SIGTERM, then shuts down gracefully.
func run(c config, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, closeDB, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer closeDB()
	opts, outbox, err := options(c)
	if err != nil {
		return err
	}
	settings, err := usersettings.New(st, opts)
	if err != nil {
		return err
	}
	webKey, err := key("SETTINGSD_WEB_KEY")
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              c.addr,
		Handler:           newMux(settings, outbox, webKey, log),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go cleanup(ctx, settings, log)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("settingsd listening", "addr", c.addr, "dev", c.dev, "postgres", c.postgres != "")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newMux serves the JSON API under /v1/ and the pages at /, sharing one
// rate limiter so that both draw on the same budget.
func newMux(settings *usersettings.Settings, outbox *notify.Outbox, webKey []byte, log *slog.Logger) *http.ServeMux {
	limiter := handler.NewLimiter(settings.Now)
	hopts := []handler.Option{handler.WithLogger(log), handler.WithLimiter(limiter)}
	wopts := []web.Option{web.WithLogger(log), web.WithLimiter(limiter), web.WithKey(webKey)}
	if outbox != nil {
		hopts = append(hopts, handler.WithDevOutbox(outbox))
		wopts = append(wopts, web.WithDevOutbox(outbox))
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", handler.New(settings, hopts...))
	mux.Handle("/", web.New(settings, wopts...))
	return mux
}

// openStore opens and migrates the database.
func openStore(ctx context.Context, c config) (*sqlstore.Store, func(), error) {
	if c.postgres != "" {
		st, db, err := postgres.OpenStore(ctx, c.postgres)
		if err != nil {
			return nil, nil, fmt.Errorf("opening PostgreSQL: %w", err)
		}
		return st, func() { _ = st.Close(); _ = db.Close() }, nil
	}
	st, db, err := sqlite.OpenStore(ctx, c.db)
	if err != nil {
		return nil, nil, fmt.Errorf("opening %s: %w", c.db, err)
	}
	return st, func() { _ = st.Close(); _ = db.Close() }, nil
}

// options builds the SDK options: the mailer, the keys and the sample
// scopes. It returns the outbox in -dev mode.
func options(c config) (usersettings.Options, *notify.Outbox, error) {
	o := usersettings.Options{Scopes: handler.SampleScopes, Issuer: "settingsd"}
	var outbox *notify.Outbox
	switch {
	case c.dev:
		outbox = notify.NewOutbox()
		o.Mailer = outbox
	case c.smtp != "":
		o.Mailer = notify.NewSMTP(notify.SMTPConfig{Addr: c.smtp, From: c.smtpFrom})
	default:
		return o, nil, errors.New("no mailer: pass -smtp host:port, or -dev for an in-memory outbox")
	}
	var err error
	if o.CodeKey, err = key("SETTINGSD_CODE_KEY"); err != nil {
		return o, nil, err
	}
	if o.TwoFactorKey, err = key("SETTINGSD_TWOFACTOR_KEY"); err != nil {
		return o, nil, err
	}
	return o, outbox, nil
}

// key reads a 32-byte hex key from the environment, or makes a random one.
func key(env string) ([]byte, error) {
	v := os.Getenv(env)
	if v == "" {
		k := make([]byte, 32)
		_, err := rand.Read(k)
		return k, err
	}
	k, err := hex.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("%s must be 32 bytes in hex", env)
	}
	return k, nil
}

// cleanup deletes expired sessions, codes, pending sign-ups and merge
// flows every quarter of an hour.
func cleanup(ctx context.Context, s *usersettings.Settings, log *slog.Logger) {
	t := time.NewTicker(15 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_, err1 := s.Sessions.DeleteExpired(ctx)
		_, err2 := s.Codes.DeleteExpired(ctx)
		_, err3 := s.Accounts.DeleteExpiredPending(ctx)
		_, err4 := s.Merges.DeleteExpired(ctx)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			log.Warn("cleanup failed", "err", err.Error())
		}
	}
}

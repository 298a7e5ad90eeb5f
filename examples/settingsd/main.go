// Command settingsd serves the usersettings SDK as an HTTP JSON API.
//
//	go run ./examples/settingsd -dev
//
// listens on 127.0.0.1:8080, stores everything in the SQLite file
// settingsd.db and, with -dev, keeps mail in memory, readable at
// GET /v1/dev/outbox. See the README for a curl walk-through and package
// examples/settingsd/handler for the routes.
//
// Flags:
//
//	-addr host:port      listen address (default 127.0.0.1:8080)
//	-db path             SQLite database file (default settingsd.db)
//	-postgres DSN        use PostgreSQL instead of SQLite
//	-smtp host:port      send mail through this SMTP server
//	-smtp-from address   sender of the mail (default no-reply@localhost)
//	-dev                 keep mail in an in-memory outbox served at /v1/dev/outbox
//	-sso FILE            single-sign-on connections (JSON; see the README)
//	-public-url URL      the server's URL as browsers reach it (default http://<addr>),
//	                     for the single-sign-on callback <URL>/v1/sso/callback
//
// Keys come from the environment: SETTINGSD_CODE_KEY and
// SETTINGSD_TWOFACTOR_KEY, 32 bytes each in hex or base64. Several keys
// separated by commas rotate them: the first seals, all open. Without
// them the server refuses to start, except with -dev, which makes random
// ones for the life of the process (authenticator enrolments then do not
// survive a restart).
package main

import (
	"context"
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
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

type config struct {
	addr, db, postgres, smtp, smtpFrom string
	sso, publicURL                     string
	dev                                bool
}

func main() {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen address")
	flag.StringVar(&c.db, "db", "settingsd.db", "SQLite database file")
	flag.StringVar(&c.postgres, "postgres", "", "PostgreSQL DSN (instead of -db)")
	flag.StringVar(&c.smtp, "smtp", "", "SMTP server host:port")
	flag.StringVar(&c.smtpFrom, "smtp-from", "no-reply@localhost", "sender address of the mail")
	flag.BoolVar(&c.dev, "dev", false, "keep mail in memory and serve it at GET /v1/dev/outbox")
	flag.StringVar(&c.sso, "sso", "", "JSON file of single-sign-on connections")
	flag.StringVar(&c.publicURL, "public-url", "", "the server's URL as browsers reach it (default http://<addr>)")
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
	if c.sso != "" {
		conns, err := readSSO(c.sso)
		if err != nil {
			return err
		}
		if err := applySSO(ctx, settings.SSO, conns); err != nil {
			return err
		}
	}
	hopts := []handler.Option{handler.WithLogger(log)}
	if outbox != nil {
		hopts = append(hopts, handler.WithDevOutbox(outbox))
	}
	srv := &http.Server{
		Addr:              c.addr,
		Handler:           handler.New(settings, hopts...),
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
	o := usersettings.Options{Scopes: handler.SampleScopes, Issuer: "settingsd", SSORedirectURL: redirectURL(c)}
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
	if o.CodeKeys, o.TwoFactorKeys, err = keys(c.dev); err != nil {
		return o, nil, err
	}
	o.Dev = c.dev
	return o, outbox, nil
}

// keys reads the key rings from the environment. Without them only -dev
// starts, with random keys made by usersettings.New.
func keys(dev bool) (code, totp usersettings.KeyRing, err error) {
	if dev && os.Getenv("SETTINGSD_CODE_KEY") == "" && os.Getenv("SETTINGSD_TWOFACTOR_KEY") == "" {
		return nil, nil, nil
	}
	if code, err = usersettings.KeyRingFromEnv("SETTINGSD_CODE_KEY"); err != nil {
		return nil, nil, fmt.Errorf("%w (or pass -dev for throwaway keys)", err)
	}
	if totp, err = usersettings.KeyRingFromEnv("SETTINGSD_TWOFACTOR_KEY"); err != nil {
		return nil, nil, fmt.Errorf("%w (or pass -dev for throwaway keys)", err)
	}
	return code, totp, nil
}

// cleanup deletes expired sessions, codes, pending sign-ups, merge flows
// and single-sign-on flows every quarter of an hour.
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
		_, err5 := s.SSO.DeleteExpiredFlows(ctx)
		if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
			log.Warn("cleanup failed", "err", err.Error())
		}
	}
}

// Command settingsd serves the usersettings SDK as an HTTP JSON API.
//
//	go run ./examples/settingsd -dev
//
// listens on 127.0.0.1:8080 (open http://127.0.0.1:8080/ for the settings
// pages of package examples/settingsd/web), stores everything in the
// SQLite file settingsd.db and, with -dev, keeps mail and text messages in
// memory, readable at /dev/outbox (pages), GET /v1/dev/outbox and
// GET /v1/dev/sms. Mail is written to the durable outbox table with the
// action that causes it and delivered by the courier running in the
// background (the dev pages list that table). See docs/http-api.md for a walk-through, package
// examples/settingsd/handler for the JSON routes and GET /v1/openapi.json
// for their OpenAPI document.
//
// Flags (settingsd -h lists them with their defaults; each may also come
// from the environment variable SETTINGSD_ and
// its name in capitals with "_" for "-", such as SETTINGSD_SMTP_FROM; a
// flag wins over the environment):
//
//	-addr host:port            listen address (default 127.0.0.1:8080)
//	-db path                   SQLite database file (default settingsd.db)
//	-smtp host:port            send mail through this SMTP server
//	-smtp-from address         sender of the mail (default no-reply@localhost)
//	-smtp-username name        authenticate to the SMTP server (AUTH PLAIN)
//	-smtp-tls mode             opportunistic (STARTTLS when offered, the default),
//	                           starttls (refuse a server without it) or implicit (TLS from the first byte, port 465)
//	-secure-cookies            mark the session cookie Secure even on plain HTTP (behind a TLS proxy)
//	-trusted-proxies CIDRs     comma-separated proxies whose X-Forwarded-For names the client
//	-pg-max-open-conns n       PostgreSQL pool: open connections at most (default 20)
//	-pg-max-idle-conns n       PostgreSQL pool: idle connections kept (default 10)
//	-pg-conn-max-lifetime d    PostgreSQL pool: a connection's longest life (default 30m)
//	-dev                       keep mail and text messages in memory, served at /v1/dev/outbox and /v1/dev/sms
//	-fresh-for d               how recent a sign-in must be for a sensitive operation (default 1h)
//	-cleanup-every d           how often the cleanup and retention jobs run, in one replica at a time (default 15m)
//	-courier-poll d            how long the mail courier waits when no mail is due (default 1s)
//	-courier-lease d           how long a courier holds the mail it claimed before another replica may send it (default 2m)
//	-memory-limit MiB          soft memory limit of the Go runtime; 0 (the default) sets 64 MiB, which
//	                           keeps the heap under password hashing slots × argon2 memory + 64 MiB,
//	                           unless GOMEMLIMIT is set; -1 sets none
//	-read-header-timeout d     how long a client may take to send the request's headers (default 5s)
//	-read-timeout d            how long a client may take to send a whole request (default 30s)
//	-write-timeout d           how long an answer may take to write, from the end of the headers (default 60s)
//	-idle-timeout d            how long a kept-alive connection may wait for its next request (default 2m)
//	-shutdown-timeout d        how long SIGTERM waits for requests in flight (default 15s)
//	-sso FILE                  single-sign-on connections (JSON; see docs/operations.md)
//	-public-url URL            the server's URL as browsers reach it (default http://<addr>),
//	                           for the single-sign-on callback <URL>/v1/sso/callback and
//	                           passkeys: its host is the WebAuthn relying-party ID and its
//	                           origin the one allowed origin. An IP address host (as in the
//	                           default http://127.0.0.1:8080) leaves passkeys off, since
//	                           browsers refuse one: use http://localhost:8080 or an https:// name
//	-support-url URL           where people reach support (http, https or mailto), linked as
//	                           "Create Support Request" in the merge and in every "Didn't get a code?" help
//
// Secrets come only from the environment, so that they never show in the
// process list: SETTINGSD_POSTGRES_DSN (use PostgreSQL instead of SQLite),
// SETTINGSD_SMTP_PASSWORD, and the keys SETTINGSD_CODE_KEY and
// SETTINGSD_TWOFACTOR_KEY, 32 bytes each in hex or base64. Several keys
// separated by commas rotate them: the first seals, all open. Without
// keys the server refuses to start, except with -dev, which makes random
// ones for the life of the process (authenticator enrolments then do not
// survive a restart). SETTINGSD_WEB_KEY (32 bytes, hex or base64) signs
// or seals the pages' short-lived cookies (a sign-in waiting for its
// second factor, a new token shown once, a form waiting for
// re-authentication); set the same on every replica (random per process
// when unset).
//
// GET /healthz answers while the process serves; GET /readyz checks that
// the database answers and its schema is at the version this build
// expects.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/web"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

// Environment variables that only the environment sets.
const (
	envPostgresDSN  = "SETTINGSD_POSTGRES_DSN"
	envSMTPPassword = "SETTINGSD_SMTP_PASSWORD"
)

// SMTP TLS modes of -smtp-tls.
const (
	tlsOpportunistic = "opportunistic"
	tlsSTARTTLS      = "starttls"
	tlsImplicit      = "implicit"
)

// config is the server's configuration. The DSN and the SMTP password
// hold secrets and are never logged.
type config struct {
	addr, db              string
	smtp, smtpFrom        string
	smtpUsername, smtpTLS string
	smtpPassword          string // from the environment only
	postgresDSN           string // from the environment only
	dev, secureCookies    bool
	trustedProxies        []netip.Prefix
	pgMaxOpen, pgMaxIdle  int
	pgConnMaxLifetime     time.Duration
	freshFor              time.Duration
	cleanupEvery          time.Duration
	courierPoll           time.Duration
	courierLease          time.Duration
	timeouts              serverTimeouts
	webKey                []byte // from the environment only; nil: random per process
	sso, publicURL        string
	supportURL            string
	memoryLimitMiB        int  // -1: none; 0: 64 MiB unless GOMEMLIMIT is set
	goMemLimitSet         bool // GOMEMLIMIT is in the environment
}

// flagSet returns settingsd's flags, bound to c (and the raw
// -trusted-proxies to proxies). A backquoted word in a usage string names
// the flag's value in the -h output (flag.UnquoteUsage).
func flagSet(c *config, proxies *string) *flag.FlagSet {
	fs := flag.NewFlagSet("settingsd", flag.ContinueOnError)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen address, `host:port`")
	fs.StringVar(&c.db, "db", "settingsd.db", "SQLite database `file` (unused when "+envPostgresDSN+" is set)")
	fs.StringVar(&c.smtp, "smtp", "", "send mail through this SMTP server, `host:port`")
	fs.StringVar(&c.smtpFrom, "smtp-from", "no-reply@localhost", "sender `address` of the mail")
	fs.StringVar(&c.smtpUsername, "smtp-username", "", "authenticate to the SMTP server as `name` (AUTH PLAIN; the password comes from "+envSMTPPassword+")")
	fs.StringVar(&c.smtpTLS, "smtp-tls", tlsOpportunistic, "SMTP TLS `mode`: opportunistic (STARTTLS when offered), starttls (refuse a server without it) or implicit (TLS from the first byte, port 465)")
	fs.BoolVar(&c.secureCookies, "secure-cookies", false, "mark the cookies Secure even on plain HTTP (behind a TLS-terminating proxy)")
	fs.StringVar(proxies, "trusted-proxies", "", "comma-separated `CIDRs` of proxies whose X-Forwarded-For names the client")
	fs.IntVar(&c.pgMaxOpen, "pg-max-open-conns", 20, "PostgreSQL pool: open connections at most")
	fs.IntVar(&c.pgMaxIdle, "pg-max-idle-conns", 10, "PostgreSQL pool: idle connections kept")
	fs.DurationVar(&c.pgConnMaxLifetime, "pg-conn-max-lifetime", 30*time.Minute, "PostgreSQL pool: a connection's longest life")
	fs.DurationVar(&c.freshFor, "fresh-for", auth.DefaultFreshFor, "how recent a sign-in must be for a sensitive operation")
	fs.DurationVar(&c.cleanupEvery, "cleanup-every", usersettings.DefaultCleanupEvery, "how often the cleanup and retention jobs run, in one replica at a time")
	fs.DurationVar(&c.courierPoll, "courier-poll", notify.DefaultCourierPoll, "how long the mail courier waits when no mail is due")
	fs.DurationVar(&c.courierLease, "courier-lease", notify.DefaultCourierLease, "how long a courier holds the mail it claimed before another replica may send it")
	fs.DurationVar(&c.timeouts.readHeader, "read-header-timeout", 5*time.Second, "how long a client may take to send the request's headers")
	fs.DurationVar(&c.timeouts.read, "read-timeout", 30*time.Second, "how long a client may take to send a whole request")
	fs.DurationVar(&c.timeouts.write, "write-timeout", 60*time.Second, "how long an answer may take to write, from the end of the headers")
	fs.DurationVar(&c.timeouts.idle, "idle-timeout", 2*time.Minute, "how long a kept-alive connection may wait for its next request")
	fs.DurationVar(&c.timeouts.shutdown, "shutdown-timeout", 15*time.Second, "how long SIGTERM waits for requests in flight")
	fs.BoolVar(&c.dev, "dev", false, "development: keep mail and text messages in memory, shown at /dev/outbox and served at /v1/dev/outbox and /v1/dev/sms; random keys; loopback addresses only")
	fs.StringVar(&c.sso, "sso", "", "JSON `file` of single-sign-on connections (see docs/operations.md)")
	fs.StringVar(&c.publicURL, "public-url", "", "the server's `URL` as browsers reach it, for the single-sign-on callback <URL>/v1/sso/callback (default http://<addr>)")
	fs.StringVar(&c.supportURL, "support-url", "", "where people reach support (an http, https or mailto `URL`), linked from the code pages and the merge; empty: no link")
	fs.IntVar(&c.memoryLimitMiB, "memory-limit", 0, "soft memory limit of the Go runtime in `MiB`; 0 sets 64 MiB, which keeps the heap under password hashing slots × argon2 memory + 64 MiB, unless GOMEMLIMIT is set; -1 sets none")
	return fs
}

// usage writes what settingsd -h prints: every flag with its meaning,
// its default and its environment variable, then the variables that only
// the environment sets.
func usage(out io.Writer) {
	var c config
	fs := flagSet(&c, new(string))
	fmt.Fprint(out, `Usage: settingsd [flags]

settingsd serves the usersettings SDK: the JSON API at /v1/ and the
settings pages at /. Try: settingsd -dev, then open http://127.0.0.1:8080/.

Flags (each may also come from its environment variable; a flag wins):
`)
	fs.VisitAll(func(f *flag.Flag) {
		name, meaning := flag.UnquoteUsage(f)
		fmt.Fprintf(out, "  -%s", f.Name)
		if name != "" {
			fmt.Fprintf(out, " %s", name)
		}
		fmt.Fprintf(out, "\n    \t%s", meaning)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(out, " (default %s)", f.DefValue)
		}
		fmt.Fprintf(out, "\n    \tenvironment: %s\n", envName(f.Name))
	})
	fmt.Fprint(out, `
Only the environment sets the secrets, so that they never show in the
process list:
  `+envPostgresDSN+`   use PostgreSQL at this DSN instead of SQLite
  `+envSMTPPassword+`  the password of -smtp-username
  SETTINGSD_CODE_KEY, SETTINGSD_TWOFACTOR_KEY
                           32 bytes each, hex or base64; several separated by
                           commas rotate them (the first seals, all open)
  SETTINGSD_WEB_KEY        32 bytes, hex or base64, the same on every replica:
                           signs the pages' short-lived cookies

See go doc ./examples/settingsd and docs/operations.md.
`)
}

// envName is the environment variable of a flag: SETTINGSD_ and its name
// in capitals with "_" for "-".
func envName(flagName string) string {
	return "SETTINGSD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseConfig reads the flags of args, the environment variables of the
// flags not given, and the secrets of the environment. It returns
// flag.ErrHelp for -h or -help, for the caller to print usage.
func parseConfig(args []string, getenv func(string) string) (config, error) {
	var c config
	var proxies string
	fs := flagSet(&c, &proxies)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := fromEnvironment(fs, getenv); err != nil {
		return c, err
	}
	c.smtpPassword, c.postgresDSN = getenv(envSMTPPassword), getenv(envPostgresDSN)
	c.goMemLimitSet = getenv("GOMEMLIMIT") != ""
	var err error
	if c.trustedProxies, err = parsePrefixes(proxies); err != nil {
		return c, err
	}
	if v := getenv("SETTINGSD_WEB_KEY"); v != "" {
		ring, err := usersettings.ParseKeyRing(v)
		if err != nil {
			return c, fmt.Errorf("SETTINGSD_WEB_KEY: %w", err)
		}
		c.webKey = ring[0]
	}
	switch {
	case c.smtpTLS != tlsOpportunistic && c.smtpTLS != tlsSTARTTLS && c.smtpTLS != tlsImplicit:
		return c, fmt.Errorf("-smtp-tls %q: want opportunistic, starttls or implicit", c.smtpTLS)
	case c.smtpPassword != "" && c.smtpUsername == "":
		return c, errors.New(envSMTPPassword + " is set without -smtp-username")
	case c.pgMaxOpen < 0 || c.pgMaxIdle < 0 || c.pgConnMaxLifetime < 0:
		return c, errors.New("PostgreSQL pool limits must not be negative")
	case c.freshFor <= 0:
		return c, errors.New("-fresh-for must be positive")
	case c.cleanupEvery <= 0:
		return c, errors.New("-cleanup-every must be positive")
	case c.courierPoll <= 0 || c.courierLease <= 0:
		return c, errors.New("-courier-poll and -courier-lease must be positive")
	case !c.timeouts.valid():
		return c, errors.New("-read-header-timeout, -read-timeout, -write-timeout, -idle-timeout and -shutdown-timeout must be positive")
	case c.memoryLimitMiB < -1:
		return c, errors.New("-memory-limit must be a size in MiB, 0 or -1")
	case checkPublicURL(c.publicURL) != nil:
		return c, checkPublicURL(c.publicURL)
	case c.dev && !loopback(c.addr):
		return c, fmt.Errorf("-dev serves every mailed code at /v1/dev/outbox, so it listens on a loopback address only, not %q", c.addr)
	}
	return c, nil
}

// loopback reports whether the listen address addr is on a loopback
// interface only: localhost or a loopback IP, never all interfaces.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// fromEnvironment sets each flag not given on the command line from its
// environment variable, when that is set.
func fromEnvironment(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		if v := getenv(name); v != "" && !given[f.Name] && err == nil {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s: %w", name, serr)
			}
		}
	})
	return err
}

// parsePrefixes reads comma-separated CIDRs; a bare address is a prefix
// of its own.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		if a, err := netip.ParseAddr(part); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("-trusted-proxies: %q is not an address or CIDR", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	c, err := parseConfig(os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		usage(os.Stdout)
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "settingsd: %v\nsettingsd -h lists the flags.\n", err)
		os.Exit(2)
	}
	err = run(c, log)
	if err != nil {
		log.Error("settingsd stopped", "err", err.Error())
		os.Exit(1)
	}
}

// run serves until SIGINT or SIGTERM, then shuts down gracefully: it
// stops accepting connections, waits up to -shutdown-timeout for the
// requests in flight, and lets the courier give back the mail it claimed
// and not sent before the database closes.
func run(c config, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, closeDB, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer closeDB()
	opts, dev, err := options(c)
	if err != nil {
		return err
	}
	opts.OnEvent = logEvents(log)
	hasher := password.DefaultHasher()
	opts.Hasher = hasher
	if limit := memoryLimit(c); limit > 0 {
		debug.SetMemoryLimit(limit)
		log.Info("memory limit set", "mib", limit>>20, "hashing_mib", hasher.MaxMemory()>>20)
	}
	settings, err := usersettings.New(st, opts)
	if err != nil {
		return err
	}
	if _, origins, why := passkeyParty(c); why != "" {
		log.Info("passkeys off", "reason", why)
	} else {
		log.Info("passkeys on", "rp_id", opts.PasskeyRPID, "origins", strings.Join(origins, ","))
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
	// After a key rotation, the client secrets of the connections the
	// database already holds go under the new key.
	if n, err := settings.SSO.ResealSecrets(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("single-sign-on client secrets resealed under the new key", "connections", n)
	}
	srv := newServer(c, newMux(c, settings, st, dev, readiness(st), log), log)
	// The courier and the cleanup stop with ctx; the database closes
	// only once they did, so that the courier can release the mail it
	// claimed.
	var background sync.WaitGroup
	defer func() { stop(); background.Wait() }()
	background.Go(func() { runCleanup(ctx, settings, c.cleanupEvery, log) })
	background.Go(func() { runCourier(ctx, settings, log) })
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("settingsd listening", "addr", c.addr, "dev", c.dev, "postgres", c.postgresDSN != "",
		"smtp", c.smtp != "", "trusted_proxies", len(c.trustedProxies))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), c.timeouts.shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// runCourier delivers the queued mail until ctx ends. Every replica runs
// one: their claims never overlap.
func runCourier(ctx context.Context, settings *usersettings.Settings, log *slog.Logger) {
	if err := settings.Courier.Run(ctx); err != nil && ctx.Err() == nil {
		log.Error("mail courier stopped", "err", err.Error())
	}
}

// devBoxes are the in-memory mail and SMS outboxes of -dev; both nil
// otherwise. The courier delivers to mail; the dev pages list the
// durable outbox table.
type devBoxes struct {
	mail *notify.Outbox
	sms  *handler.SMSOutbox
}

// newMux serves the API (/v1/ and the health routes) and the settings
// pages (everything else), sharing one rate limiter on the buckets of
// the database, so that every replica on it draws on the same budget.
func newMux(c config, settings *usersettings.Settings, buckets ratelimit.Limiter, dev devBoxes, ready func(context.Context) error, log *slog.Logger) *http.ServeMux {
	limiter := handler.NewStoreLimiter(buckets, settings.Now)
	// How recent a sign-in must be for a sensitive operation is the
	// SDK's alone (Options.FreshFor, from -fresh-for).
	hopts := []handler.Option{handler.WithLogger(log), handler.WithReadiness(ready), handler.WithLimiter(limiter)}
	wopts := []web.Option{web.WithLogger(log), web.WithLimiter(limiter)}
	if c.webKey != nil {
		wopts = append(wopts, web.WithKey(c.webKey))
	}
	if dev.mail != nil {
		// The dev pages read the outbox table, as every replica sees it.
		hopts = append(hopts, handler.WithDevOutbox(settings.Courier))
		wopts = append(wopts, web.WithDevOutbox(settings.Courier))
	}
	if dev.sms != nil {
		hopts = append(hopts, handler.WithDevSMS(dev.sms))
		wopts = append(wopts, web.WithDevSMS(dev.sms))
	}
	if c.secureCookies {
		hopts = append(hopts, handler.WithSecureCookies())
		wopts = append(wopts, web.WithSecureCookies())
	}
	if len(c.trustedProxies) > 0 {
		clientIP := handler.ClientIPBehind(c.trustedProxies)
		hopts = append(hopts, handler.WithClientIP(clientIP))
		wopts = append(wopts, web.WithClientIP(clientIP))
	}
	api := handler.New(settings, hopts...)
	mux := http.NewServeMux()
	mux.Handle("/v1/", api)
	mux.Handle("/healthz", api)
	mux.Handle("/readyz", api)
	mux.Handle("/", web.New(settings, wopts...))
	return mux
}

// readiness checks that the database answers and that its schema is at
// the version this build expects.
func readiness(st *sqlstore.Store) func(context.Context) error {
	want := sqlstore.SchemaVersion(st.Dialect())
	return func(ctx context.Context) error {
		v, err := st.Version(ctx)
		if err != nil {
			return err
		}
		if v != want {
			return fmt.Errorf("schema at version %d, want %d", v, want)
		}
		return nil
	}
}

// serverTimeouts bound how long a client may hold a connection, so that
// slow or stalled clients (slowloris) cannot tie the server up.
type serverTimeouts struct {
	readHeader, read, write, idle, shutdown time.Duration
}

// valid reports whether every timeout is positive.
func (t serverTimeouts) valid() bool {
	return t.readHeader > 0 && t.read > 0 && t.write > 0 && t.idle > 0 && t.shutdown > 0
}

// MaxRequestBytes caps every request body, whatever the route: the JSON
// routes and the pages cap theirs lower (1 MB, an avatar 5 MB).
const MaxRequestBytes = 6 << 20

// MaxHeaderBytes caps a request's headers.
const MaxHeaderBytes = 32 << 10

// newServer returns the HTTP server of h with the timeouts of c, a cap on
// every request body and on the headers, and the server's own errors
// logged as warnings.
func newServer(c config, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              c.addr,
		Handler:           http.MaxBytesHandler(h, MaxRequestBytes),
		ReadHeaderTimeout: c.timeouts.readHeader,
		ReadTimeout:       c.timeouts.read,
		WriteTimeout:      c.timeouts.write,
		IdleTimeout:       c.timeouts.idle,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// openStore opens and migrates the database, and logs how many
// migrations this process applied (of replicas started at once on an
// empty database, one applies them all and the others none).
func openStore(ctx context.Context, c config, log *slog.Logger) (*sqlstore.Store, func(), error) {
	var db *sql.DB
	var d sqlstore.Dialect
	var err error
	if c.postgresDSN != "" {
		if db, err = postgres.Open(ctx, c.postgresDSN); err != nil {
			return nil, nil, fmt.Errorf("opening PostgreSQL: %w", err)
		}
		pool(db, c)
		d = sqlstore.Postgres
	} else {
		if db, err = sqlite.Open(ctx, c.db); err != nil {
			return nil, nil, fmt.Errorf("opening %s: %w", c.db, err)
		}
		d = sqlstore.SQLite
	}
	st := sqlstore.New(db, d)
	applied, err := st.ApplyMigrations(ctx)
	if err != nil {
		_ = db.Close()
		return nil, nil, fmt.Errorf("migrating the database: %w", err)
	}
	log.Info("database migrated", "applied", applied, "version", sqlstore.SchemaVersion(d))
	return st, func() { _ = st.Close(); _ = db.Close() }, nil
}

// pool applies the PostgreSQL pool limits.
func pool(db *sql.DB, c config) {
	db.SetMaxOpenConns(c.pgMaxOpen)
	db.SetMaxIdleConns(c.pgMaxIdle)
	db.SetConnMaxLifetime(c.pgConnMaxLifetime)
}

// smtpConfig is the SMTP mailer's configuration.
func smtpConfig(c config) notify.SMTPConfig {
	return notify.SMTPConfig{
		Addr: c.smtp, From: c.smtpFrom, Username: c.smtpUsername, Password: c.smtpPassword,
		RequireTLS: c.smtpTLS == tlsSTARTTLS, ImplicitTLS: c.smtpTLS == tlsImplicit,
	}
}

// options builds the SDK options: the mailer, the SMS sender, the keys
// and the sample scopes. In -dev mode it returns the outboxes.
func options(c config) (usersettings.Options, devBoxes, error) {
	o := usersettings.Options{Scopes: handler.SampleScopes, Issuer: "settingsd", SSORedirectURL: redirectURL(c), FreshFor: c.freshFor,
		CodeLink: web.CodeLink(publicBase(c)), SupportURL: c.supportURL}
	o.PasskeyRPID, o.PasskeyOrigins, _ = passkeyParty(c)
	o.Courier.Poll, o.Courier.Lease = c.courierPoll, c.courierLease
	var dev devBoxes
	switch {
	case c.dev:
		dev = devBoxes{mail: notify.NewOutbox(), sms: &handler.SMSOutbox{}}
		o.Mailer, o.SMS = dev.mail, dev.sms
	case c.smtp != "":
		o.Mailer = notify.NewSMTP(smtpConfig(c))
	default:
		return o, dev, errors.New("no mailer: pass -smtp host:port, or -dev for an in-memory outbox")
	}
	var err error
	if o.CodeKeys, o.TwoFactorKeys, err = keys(c.dev); err != nil {
		return o, dev, err
	}
	o.Dev = c.dev
	return o, dev, nil
}

// memoryLimit returns the soft memory limit settingsd sets, in bytes, or
// 0 for none. By default it is everything but password hashing, 64 MiB:
// each argon2id hash allocates its memory afresh and drops it, and
// without a limit the collector's default pacing lets a burst of sign-ins
// double the heap (see password.Hasher). With the limit the collector
// starts a cycle before the heap passes 64 MiB, and the hashes that start
// during that cycle, at most the hashing slots, keep the peak under the
// hashing bound, Hasher.MaxMemory + 64 MiB. A limit at the bound itself
// would not: the hashes that start during a cycle come on top of it. A
// GOMEMLIMIT set by the operator is left alone. Avatar checks hold up to
// their own budget while they run (profile.AvatarLimits); over the limit
// the collector works harder for that while, never more than half the
// CPU.
func memoryLimit(c config) int64 {
	switch {
	case c.memoryLimitMiB > 0:
		return int64(c.memoryLimitMiB) << 20
	case c.memoryLimitMiB < 0 || c.goMemLimitSet:
		return 0
	}
	return heapBesidesHashing
}

// heapBesidesHashing is the memory settingsd allows besides password
// hashing by default, and its soft memory limit.
const heapBesidesHashing = 64 << 20

// logEvents returns the SDK's one security-log hook: it logs each event
// once its transaction committed at info level, and a security notice
// that could not be sent (kind notice_failed) as a warning. A line
// carries the event's kind and ids, never a personal value: not the
// detail (an address, a token's name, an API key's description), the IP
// address or the device, which stay in the security log, where erasure
// reaches them.
func logEvents(log *slog.Logger) func(context.Context, securitylog.Event) {
	return func(ctx context.Context, e securitylog.Event) {
		level := slog.LevelInfo
		if e.Kind == securitylog.NoticeFailed {
			level = slog.LevelWarn
		}
		attrs := []any{"kind", string(e.Kind), "id", e.ID, "profile_id", e.ProfileID, "account_id", e.AccountID, "admin", e.Admin}
		if e.Kind == securitylog.NoticeFailed {
			attrs = append(attrs, "notice", e.Detail) // the kind of the notice, one of a fixed set
		}
		log.Log(ctx, level, "security event", attrs...)
	}
}

// keys reads the key rings from the environment. Without them only -dev
// starts, with random keys made by usersettings.New.
func keys(dev bool) (code, totp usersettings.KeyRing, err error) {
	if dev && os.Getenv("SETTINGSD_CODE_KEY") == "" && os.Getenv("SETTINGSD_TWOFACTOR_KEY") == "" {
		return nil, nil, nil
	}
	if code, err = usersettings.KeyRingFromEnv("SETTINGSD_CODE_KEY"); err != nil {
		return nil, nil, fmt.Errorf("settingsd: reading the keys: %w (or pass -dev for throwaway keys)", err)
	}
	if totp, err = usersettings.KeyRingFromEnv("SETTINGSD_TWOFACTOR_KEY"); err != nil {
		return nil, nil, fmt.Errorf("settingsd: reading the keys: %w (or pass -dev for throwaway keys)", err)
	}
	return code, totp, nil
}

// runCleanup runs the SDK's cleanup and retention jobs until ctx ends.
// Every replica runs it; the job lock in the database lets one of them
// do each round's work.
func runCleanup(ctx context.Context, settings *usersettings.Settings, every time.Duration, log *slog.Logger) {
	if err := settings.RunCleanup(ctx, every); err != nil && ctx.Err() == nil {
		log.Error("cleanup stopped", "err", err.Error())
	}
}

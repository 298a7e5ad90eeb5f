package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

const (
	hexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	b64Key = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
)

// TestKeysRequired checks that settingsd refuses to start without keys
// unless -dev is given, and reads keys in hex or base64.
func TestKeysRequired(t *testing.T) {
	c := config{smtp: "127.0.0.1:25", smtpFrom: "no-reply@localhost", smtpTLS: tlsOpportunistic}
	t.Setenv("SETTINGSD_CODE_KEY", "")
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "")
	if _, _, err := options(c); !errors.Is(err, usersettings.ErrWeakKey) || !strings.Contains(err.Error(), "-dev") {
		t.Fatalf("options without keys = %v, want ErrWeakKey pointing at -dev", err)
	}
	t.Setenv("SETTINGSD_CODE_KEY", hexKey)
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "c2hvcnQ=") // "short"
	if _, _, err := options(c); !errors.Is(err, usersettings.ErrWeakKey) {
		t.Fatalf("options with a short two-factor key = %v, want ErrWeakKey", err)
	}
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", b64Key)
	o, dev, err := options(c)
	if err != nil || len(o.CodeKeys) != 1 || len(o.TwoFactorKeys) != 1 || o.Dev || o.SMS != nil || dev.mail != nil {
		t.Fatalf("options with hex and base64 keys = %+v, %+v, %v", o, dev, err)
	}
	if _, err := usersettings.New(nil, o); err == nil {
		t.Fatal("New(nil) succeeded")
	}
}

func TestDevWithoutKeys(t *testing.T) {
	t.Setenv("SETTINGSD_CODE_KEY", "")
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "")
	o, dev, err := options(config{dev: true})
	if err != nil || !o.Dev || dev.mail == nil || dev.sms == nil || o.SMS == nil {
		t.Fatalf("options(-dev) = %+v, %+v, %v; want Dev with the mail and SMS outboxes", o, dev, err)
	}
}

// env returns a getenv over the pairs.
func env(pairs ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestParseConfig(t *testing.T) {
	c, err := parseConfig(nil, env())
	if err != nil || c.addr != "127.0.0.1:8080" || c.smtpTLS != tlsOpportunistic || c.pgMaxOpen != 20 ||
		c.pgMaxIdle != 10 || c.pgConnMaxLifetime != 30*time.Minute || c.secureCookies || c.postgresDSN != "" {
		t.Fatalf("defaults = %+v, %v", c, err)
	}
	c, err = parseConfig([]string{"-smtp", "mail.example.com:465", "-smtp-username", "bot", "-smtp-tls", "implicit",
		"-secure-cookies", "-trusted-proxies", "10.0.0.0/8, 192.0.2.7,2001:db8::/32", "-pg-max-open-conns", "5",
		"-pg-conn-max-lifetime", "5m", "-addr", ":9000"},
		env("SETTINGSD_SMTP_PASSWORD", "s3cret", "SETTINGSD_POSTGRES_DSN", "postgres://u:p@db/settings",
			"SETTINGSD_ADDR", ":7000", "SETTINGSD_PG_MAX_IDLE_CONNS", "3"))
	if err != nil {
		t.Fatal(err)
	}
	wantProxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("2001:db8::/32")}
	if c.smtpPassword != "s3cret" || c.postgresDSN != "postgres://u:p@db/settings" || !c.secureCookies ||
		!slices.Equal(c.trustedProxies, wantProxies) || c.pgMaxOpen != 5 || c.pgMaxIdle != 3 ||
		c.pgConnMaxLifetime != 5*time.Minute || c.addr != ":9000" {
		t.Errorf("config = %+v", c)
	}
	sc := smtpConfig(c)
	if sc.Username != "bot" || sc.Password != "s3cret" || !sc.ImplicitTLS || sc.RequireTLS {
		t.Errorf("SMTP config = %+v", sc)
	}
	c, _ = parseConfig([]string{"-smtp-tls", "starttls"}, env())
	if sc := smtpConfig(c); !sc.RequireTLS || sc.ImplicitTLS {
		t.Errorf("SMTP config with starttls = %+v", sc)
	}

	for name, args := range map[string][]string{
		"password flag":  {"-smtp-password", "s3cret"},
		"DSN flag":       {"-postgres", "postgres://db"},
		"TLS mode":       {"-smtp-tls", "sometimes"},
		"proxy":          {"-trusted-proxies", "10.0.0.0/33"},
		"negative pool":  {"-pg-max-open-conns", "-1"},
		"memory limit":   {"-memory-limit", "-2"},
		"stray argument": {"serve"},
		"dev on all":     {"-dev", "-addr", ":8080"},
		"dev on a LAN":   {"-dev", "-addr", "192.0.2.10:8080"},
		"dev on any v6":  {"-dev", "-addr", "[::]:8080"},
	} {
		if _, err := parseConfig(args, env()); err == nil {
			t.Errorf("%s: parseConfig(%q) accepted", name, args)
		}
	}
	for _, addr := range []string{"127.0.0.1:8080", "[::1]:0", "localhost:9000", "127.0.0.2:80"} {
		if _, err := parseConfig([]string{"-dev", "-addr", addr}, env()); err != nil {
			t.Errorf("-dev on loopback %s: %v", addr, err)
		}
	}
	if _, err := parseConfig(nil, env("SETTINGSD_SMTP_PASSWORD", "s3cret")); err == nil {
		t.Error("a password without user name accepted")
	}
	if _, err := parseConfig(nil, env("SETTINGSD_PG_MAX_OPEN_CONNS", "many")); err == nil || !strings.Contains(err.Error(), "SETTINGSD_PG_MAX_OPEN_CONNS") {
		t.Errorf("a bad environment value: %v, want an error naming the variable", err)
	}
}

// TestMemoryLimit checks the soft memory limit settingsd sets: 64 MiB
// by default, a size given, none on request or when the operator set
// GOMEMLIMIT.
func TestMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  []string
		want int64
	}{
		{nil, nil, 64 << 20},
		{[]string{"-memory-limit", "300"}, nil, 300 << 20},
		{nil, []string{"SETTINGSD_MEMORY_LIMIT", "200"}, 200 << 20},
		{[]string{"-memory-limit", "-1"}, nil, 0},
		{nil, []string{"GOMEMLIMIT", "1GiB"}, 0},
		{[]string{"-memory-limit", "300"}, []string{"GOMEMLIMIT", "1GiB"}, 300 << 20},
	} {
		c, err := parseConfig(tc.args, env(tc.env...))
		if err != nil {
			t.Fatal(err)
		}
		if got := memoryLimit(c); got != tc.want {
			t.Errorf("memoryLimit(%q, %q) = %d, want %d", tc.args, tc.env, got, tc.want)
		}
	}
}

// TestReadiness checks the readiness check on a migrated database, one
// that was never migrated, and a closed one, and that newMux serves it.
func TestReadiness(t *testing.T) {
	ctx := context.Background()
	st, db, err := sqlite.OpenStore(ctx, filepath.Join(t.TempDir(), "ready.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := readiness(st)(ctx); err != nil {
		t.Errorf("migrated database: %v", err)
	}
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := readiness(sqlstore.New(raw, sqlstore.SQLite))(ctx); err == nil || !strings.Contains(err.Error(), "version 0") {
		t.Errorf("database never migrated: %v, want a version mismatch", err)
	}
	_ = raw.Close()
	if err := readiness(sqlstore.New(raw, sqlstore.SQLite))(ctx); err == nil {
		t.Error("closed database: ready")
	}

	down := errors.New("down")
	srv := devServer(t, st, func(context.Context) error { return down })
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 503, "/v1/dev/sms": 200, "/v1/dev/outbox": 200, "/nope": 404} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
}

func TestReadSSO(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "sso.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("ACME_CLIENT_SECRET", "from the environment")
	conns, err := readSSO(write(`{"connections":[{"id":"acme","name":"Acme","domains":["acme.example"],
		"issuer":"https://login.acme.example","client_id":"settingsd","client_secret_env":"ACME_CLIENT_SECRET",
		"scopes":["openid","email"],"link":"domain"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) != 1 || conns[0].ClientSecret.Reveal() != "from the environment" || conns[0].Link != "domain" {
		t.Errorf("readSSO = %+v", conns)
	}
	for name, body := range map[string]string{
		"unknown field": `{"connections":[{"id":"a","name":"A","domains":["a.example"],"issuer":"https://i.example","client_id":"c","secret":"x"}]}`,
		"empty env":     `{"connections":[{"id":"a","name":"A","domains":["a.example"],"issuer":"https://i.example","client_id":"c","client_secret_env":"NOPE_UNSET"}]}`,
		"both secrets":  `{"connections":[{"id":"a","name":"A","domains":["a.example"],"issuer":"https://i.example","client_id":"c","client_secret":"x","client_secret_env":"ACME_CLIENT_SECRET"}]}`,
		"http issuer":   `{"connections":[{"id":"a","name":"A","domains":["a.example"],"issuer":"http://i.example","client_id":"c"}]}`,
		"no id":         `{"connections":[{"name":"A","domains":["a.example"],"issuer":"https://i.example","client_id":"c"}]}`,
		"bad link":      `{"connections":[{"id":"a","name":"A","domains":["a.example"],"issuer":"https://i.example","client_id":"c","link":"always"}]}`,
		"not json":      `connections: []`,
	} {
		if _, err := readSSO(write(body)); err == nil {
			t.Errorf("readSSO(%s): got nil error", name)
		} else if strings.Contains(err.Error(), "from the environment") {
			t.Errorf("readSSO(%s): the error holds a secret: %v", name, err)
		}
	}
	if got := redirectURL(config{addr: "127.0.0.1:8080"}); got != "http://127.0.0.1:8080/v1/sso/callback" {
		t.Errorf("redirectURL = %s", got)
	}
	if got := redirectURL(config{publicURL: "https://settings.example/"}); got != "https://settings.example/v1/sso/callback" {
		t.Errorf("redirectURL = %s", got)
	}
}

func TestApplySSO(t *testing.T) {
	s, err := usersettings.New(memory.New(), usersettings.Options{Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	c := sso.Connection{ID: "acme", Name: "Acme", Domains: []string{"acme.example"}, Issuer: "https://login.acme.example", ClientID: "c"}
	ctx := context.Background()
	if err := applySSO(ctx, s.SSO, []sso.Connection{c}); err != nil {
		t.Fatal(err)
	}
	c.Name = "Acme Corp"
	if err := applySSO(ctx, s.SSO, []sso.Connection{c}); err != nil {
		t.Fatalf("applying again (update): %v", err)
	}
	if got, err := s.SSO.Connection(ctx, "acme"); err != nil || got.Name != "Acme Corp" {
		t.Errorf("Connection = %v, %v; want the updated name", got, err)
	}
	rival := sso.Connection{ID: "rival", Name: "Rival", Domains: []string{"acme.example"}, Issuer: "https://r.example", ClientID: "r"}
	if err := applySSO(ctx, s.SSO, []sso.Connection{rival}); !errors.Is(err, sso.ErrDomainTaken) {
		t.Errorf("applySSO(taken domain) = %v, want ErrDomainTaken", err)
	}
}

// TestFreshFor checks -fresh-for: one hour by default, a duration from
// the flag or SETTINGSD_FRESH_FOR reaches the SDK's Options.FreshFor, and
// a zero or negative one is refused.
func TestFreshFor(t *testing.T) {
	c, err := parseConfig([]string{"-dev"}, env())
	if err != nil || c.freshFor != time.Hour {
		t.Fatalf("default -fresh-for = %v, %v; want 1h", c.freshFor, err)
	}
	c, err = parseConfig([]string{"-dev", "-fresh-for", "2s"}, env())
	if err != nil || c.freshFor != 2*time.Second {
		t.Fatalf("-fresh-for 2s = %v, %v", c.freshFor, err)
	}
	t.Setenv("SETTINGSD_CODE_KEY", "")
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "")
	if o, _, err := options(c); err != nil || o.FreshFor != 2*time.Second {
		t.Fatalf("options FreshFor = %v, %v; want 2s", o.FreshFor, err)
	}
	if c, err := parseConfig(nil, env("SETTINGSD_FRESH_FOR", "90s")); err != nil || c.freshFor != 90*time.Second {
		t.Errorf("SETTINGSD_FRESH_FOR=90s = %v, %v", c.freshFor, err)
	}
	for _, bad := range []string{"0s", "-1m"} {
		if _, err := parseConfig([]string{"-fresh-for", bad}, env()); err == nil {
			t.Errorf("-fresh-for %s accepted", bad)
		}
	}
}

// TestUsageListsEveryFlag checks that settingsd -h explains every flag
// registered, with its meaning and environment variable, and that the
// package documentation (go doc) names each one too.
func TestUsageListsEveryFlag(t *testing.T) {
	if _, err := parseConfig([]string{"-h"}, env()); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("parseConfig(-h) = %v, want flag.ErrHelp", err)
	}
	var out strings.Builder
	usage(&out)
	help := out.String()
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src[:strings.Index(string(src), "\npackage main")])
	var c config
	n := 0
	flagSet(&c, new(string)).VisitAll(func(f *flag.Flag) {
		n++
		_, meaning := flag.UnquoteUsage(f)
		if !strings.Contains(help, "\n  -"+f.Name+" ") && !strings.Contains(help, "\n  -"+f.Name+"\n") {
			t.Errorf("settingsd -h does not list -%s", f.Name)
		}
		if !strings.Contains(help, meaning) {
			t.Errorf("settingsd -h does not say what -%s means (%q)", f.Name, meaning)
		}
		if !strings.Contains(help, "environment: "+envName(f.Name)+"\n") {
			t.Errorf("settingsd -h does not name the environment variable of -%s", f.Name)
		}
		if !strings.Contains(doc, "//\t-"+f.Name+" ") {
			t.Errorf("the package documentation of settingsd does not list -%s", f.Name)
		}
	})
	if n < 20 {
		t.Fatalf("only %d flags registered", n)
	}
	for _, secret := range []string{envPostgresDSN, envSMTPPassword, "SETTINGSD_CODE_KEY", "SETTINGSD_TWOFACTOR_KEY", "SETTINGSD_WEB_KEY"} {
		if !strings.Contains(help, secret) {
			t.Errorf("settingsd -h does not mention %s", secret)
		}
	}
}

// TestPasskeyParty checks that -public-url makes the WebAuthn relying
// party: its host is the RP ID and its origin the one allowed origin, an
// IP address host (the default http://<addr>) leaves passkeys off, and a
// URL that is no http(s) URL is refused at start.
func TestPasskeyParty(t *testing.T) {
	for _, tc := range []struct {
		c      config
		rpID   string
		origin string
	}{
		{config{addr: "localhost:8080"}, "localhost", "http://localhost:8080"},
		{config{addr: "127.0.0.1:8080", publicURL: "http://localhost:8080/"}, "localhost", "http://localhost:8080"},
		{config{addr: "0.0.0.0:8080", publicURL: "https://Settings.Example/base"}, "settings.example", "https://settings.example"},
		{config{addr: "127.0.0.1:8080"}, "", ""},
		{config{addr: "127.0.0.1:8080", publicURL: "http://[::1]:8080"}, "", ""},
	} {
		rpID, origins, why := passkeyParty(tc.c)
		if rpID != tc.rpID || (tc.origin != "" && !slices.Equal(origins, []string{tc.origin})) || (rpID == "") != (why != "") {
			t.Errorf("passkeyParty(%+v) = %q, %q, %q; want %q, %q", tc.c, rpID, origins, why, tc.rpID, tc.origin)
		}
	}
	if _, _, why := passkeyParty(config{addr: "127.0.0.1:9090"}); !strings.Contains(why, "http://localhost:9090") {
		t.Errorf("the reason passkeys are off (%q) does not say what to pass", why)
	}
	t.Setenv("SETTINGSD_CODE_KEY", "")
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "")
	o, _, err := options(config{dev: true, addr: "127.0.0.1:8080", publicURL: "http://localhost:8080"})
	if err != nil || o.PasskeyRPID != "localhost" || !slices.Equal(o.PasskeyOrigins, []string{"http://localhost:8080"}) {
		t.Fatalf("options = %q, %q, %v; want the relying party of the public URL", o.PasskeyRPID, o.PasskeyOrigins, err)
	}
	s, err := usersettings.New(memory.New(), o)
	if err != nil || !s.Passkeys.Enabled() {
		t.Fatalf("New with the derived relying party: %v; want passkeys on", err)
	}
	for _, bad := range []string{"localhost:8080", "ftp://example.com", "https://", "http://a:b"} {
		if _, err := parseConfig([]string{"-dev", "-public-url", bad}, env()); err == nil {
			t.Errorf("-public-url %q accepted", bad)
		}
	}
}

package web_test

// The browser harness: one headless Chromium for the whole test binary,
// one tab per flow, the real handlers (JSON API + pages) over SQLite on a
// loopback httptest server with a fake clock and an in-memory outbox.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/web"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

const pw = "Correct-Horse-9-Battery"

// supportURL is the support link of the test servers
// (usersettings.Options.SupportURL).
const supportURL = "https://support.example.com/new"

// Environment of the browser suite.
const (
	// envRequire makes a missing browser or axe-core fail the suite
	// instead of skipping it (scripts/test sets it under CI).
	envRequire = "USERSETTINGS_REQUIRE_BROWSER"
	// envChromium names the browser binary; by default chromium,
	// chromium-browser, google-chrome or headless-shell on PATH.
	envChromium = "USERSETTINGS_CHROMIUM"
	// envAxe is the path of axe.min.js (the axe-core npm package), which
	// scripts/test installs into its cache.
	envAxe = "USERSETTINGS_AXE_JS"
	// envScreenshots, when set, is where the screenshots go and stay (for
	// example docs/screenshots); by default a temporary directory that is
	// removed at the end.
	envScreenshots = "USERSETTINGS_SCREENSHOTS"
)

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel = func() {}
	axeSource     string
	shotsDir      string
)

func TestMain(m *testing.M) {
	code := m.Run()
	browserCancel()
	if shotsDir != "" {
		_ = os.RemoveAll(shotsDir) // kept only in the directory envScreenshots names
	}
	os.Exit(code)
}

// startBrowser starts the shared browser, once.
func startBrowser() {
	path := os.Getenv(envChromium)
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		browserErr = errors.New("no Chromium found (install Debian's chromium package, or set " + envChromium + ")")
		return
	}
	dir, err := os.MkdirTemp("", "usersettings-chromium-")
	if err != nil {
		browserErr = err
		return
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.UserDataDir(dir),
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("no-pings", true), chromedp.Flag("password-store", "basic"),
		chromedp.Flag("force-color-profile", "srgb"), chromedp.WindowSize(1100, 900),
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int]("1")); err != nil {
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(dir)
		browserErr = fmt.Errorf("starting %s: %w", path, err)
		return
	}
	browserCtx = ctx
	browserCancel = func() {
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(dir)
	}
	if p := os.Getenv(envAxe); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			browserErr = fmt.Errorf("reading axe-core: %w", err)
			return
		}
		axeSource = string(b)
	}
}

// needBrowser returns the shared browser's context, or skips the test
// (fails it when envRequire is 1).
func needBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	browserOnce.Do(startBrowser)
	if browserErr == nil && axeSource == "" && os.Getenv(envRequire) == "1" {
		browserErr = errors.New(envAxe + " is not set: run ./scripts/test, which installs axe-core")
	}
	if browserErr != nil {
		if os.Getenv(envRequire) == "1" {
			t.Fatalf("browser suite required: %v", browserErr)
		}
		t.Skipf("browser suite skipped: %v", browserErr)
	}
	return browserCtx
}

// env is one server: the JSON API at /v1/ and the pages at /, over a
// migrated SQLite file, with a fake clock and an outbox.
type env struct {
	t   *testing.T
	srv *httptest.Server
	// base is the server's URL as the browser reaches it: srv.URL, or
	// http://localhost:<port> with passkeys, whose relying party must be
	// a name.
	base     string
	clock    *fakeclock.Clock
	settings *usersettings.Settings
	outbox   *notify.Outbox
	sms      *handler.SMSOutbox
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return startEnv(t, false)
}

// newPasskeyEnv is newEnv with passkeys on: the browser reaches the
// server as http://localhost:<port>, the relying party localhost.
func newPasskeyEnv(t *testing.T) *env {
	t.Helper()
	return startEnv(t, true)
}

func startEnv(t *testing.T, passkeys bool) *env {
	t.Helper()
	ctx := context.Background()
	st, db, err := sqlite.OpenStore(ctx, filepath.Join(t.TempDir(), "settingsd.db"))
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	base := srv.URL
	c := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	outbox := &notify.Outbox{Now: c.Now}
	sms := &handler.SMSOutbox{Now: c.Now}
	o := usersettings.Options{Mailer: outbox, SMS: sms, Now: c.Now, Issuer: "settingsd-test", SupportURL: supportURL}
	if passkeys {
		base = "http://localhost:" + srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
		o.PasskeyRPID, o.PasskeyOrigins = "localhost", []string{base}
	}
	s := testSettings(t, st, o)
	limiter := handler.NewLimiter(c.Now)
	mux.Handle("/v1/", handler.New(s, handler.WithDevOutbox(outbox), handler.WithDevSMS(sms), handler.WithLimiter(limiter)))
	mux.Handle("/", web.New(s, web.WithDevOutbox(outbox), web.WithDevSMS(sms), web.WithLimiter(limiter)))
	e := &env{t: t, srv: srv, base: base, clock: c, settings: s, outbox: outbox, sms: sms}
	t.Cleanup(func() {
		e.srv.Close()
		_ = st.Close()
		_ = db.Close()
	})
	return e
}

// testSettings wires the SDK of a test server over st: o with the sample
// scopes and a fast password hasher. Every test server is made here.
func testSettings(t testing.TB, st usersettings.Store, o usersettings.Options) *usersettings.Settings {
	t.Helper()
	o.Scopes, o.Dev = handler.SampleScopes, true
	o.Hasher = password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 1024, Time: 1, Threads: 1}})
	s, err := usersettings.New(st, o)
	if err != nil {
		t.Fatalf("usersettings.New: %v", err)
	}
	return s
}

// code returns the one-time code last mailed to the address.
func (e *env) code(to string) string {
	e.t.Helper()
	m, ok := e.outbox.Last(to)
	if !ok {
		e.t.Fatalf("no mail to %s", to)
	}
	return usersettingstest.MailCode(e.t, fmt.Sprintf("the last mail to %s (%q)", to, m.Subject), m.Body)
}

// textedCode returns the code of the last text message, to the number
// given.
func (e *env) textedCode(to string) string {
	e.t.Helper()
	msgs := e.sms.Messages()
	if len(msgs) == 0 || msgs[len(msgs)-1].To != to {
		e.t.Fatalf("no text message to %s last (%d sent)", to, len(msgs))
	}
	code := smsCodeRE.FindString(msgs[len(msgs)-1].Text)
	if code == "" {
		e.t.Fatalf("no code in the text message %q", msgs[len(msgs)-1].Text)
	}
	return code
}

// signUp makes a confirmed account through the SDK, for flows that do
// not test sign-up itself.
func (e *env) signUp(email string) {
	e.t.Helper()
	ctx := context.Background()
	id, err := e.settings.Accounts.SignUp(ctx, email, pw, false)
	if err != nil {
		e.t.Fatalf("SignUp(%s): %v", email, err)
	}
	if _, err := e.settings.Accounts.ConfirmSignUp(ctx, id, e.code(email)); err != nil {
		e.t.Fatalf("ConfirmSignUp(%s): %v", email, err)
	}
}

// account returns the account of the address (signed up with pw).
// signedIn returns the caller of the account, signed in with its
// password at the settings' current time.
func signedIn(s *usersettings.Settings, accountID string) auth.Caller {
	return auth.New(accountID, auth.MethodPassword, s.Now(), "")
}

// inBrowser returns the caller of the account acting through its one
// session, the test's browser: a change that ends the account's other
// sessions (a second factor, an added account) keeps that one, as it
// would for the person at the browser. A caller without a session
// (signedIn) ends them all.
func inBrowser(t testing.TB, s *usersettings.Settings, accountID string) auth.Caller {
	t.Helper()
	list, err := s.Sessions.OfAccount(context.Background(), accountID)
	if err != nil || len(list) != 1 {
		t.Fatalf("sessions of %s = %d, %v; want the browser's one", accountID, len(list), err)
	}
	return list[0].Caller()
}

func (e *env) account(email string) account.Account {
	e.t.Helper()
	res, err := e.settings.Accounts.Authenticate(context.Background(), account.Login{Email: email, Password: pw})
	if err != nil {
		e.t.Fatalf("Authenticate(%s): %v", email, err)
	}
	return res.Account
}

// tab is one browser tab on an env's server.
type tab struct {
	t   *testing.T
	e   *env
	ctx context.Context
	// origins records every URL the tab requested, to check that no page
	// reaches another origin.
	mu      sync.Mutex
	origins map[string]bool
}

// newTab opens a tab in a fresh browser context. The page scripts (static/app.js, static/passkey.js) are blocked unless
// withScript: every flow must work with JavaScript off.
func newTab(t *testing.T, e *env, withScript bool) *tab {
	t.Helper()
	bctx := needBrowser(t)
	// A browser context of its own: cookies are per host, not per port,
	// so flows on parallel servers must not share a cookie jar.
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{t: t, e: e, ctx: ctx, origins: map[string]bool{}}
	if err := chromedp.Listen(ctx, func(ev any) {
		if req, ok := ev.(*network.EventRequestWillBeSent); ok {
			u, err := url.Parse(req.Request.URL)
			tb.mu.Lock()
			if err == nil && u.Scheme != "data" {
				tb.origins[u.Scheme+"://"+u.Host] = true
			}
			tb.mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("listening to the tab: %v", err)
	}
	if !withScript {
		var patterns []*network.BlockPattern
		for _, script := range []string{"app.js", "passkey.js"} {
			patterns = append(patterns, &network.BlockPattern{URLPattern: e.base + "/static/" + script, Block: true})
		}
		if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns}); err != nil {
			t.Fatalf("blocking the script: %v", err)
		}
	}
	t.Cleanup(tb.checkOrigins)
	return tb
}

// checkOrigins fails the test when the tab requested another origin.
func (b *tab) checkOrigins() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for o := range b.origins {
		if o != b.e.base {
			b.t.Errorf("a page requested %s, another origin than %s", o, b.e.base)
		}
	}
}

// run runs actions, failing the test on error; each call gets a timeout.
func (b *tab) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// load runs actions that navigate (a link, a form) and returns the
// response of the page they lead to.
func (b *tab) load(what string, actions ...chromedp.Action[chromedp.Void]) *network.Response {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return res
}

// visit opens a path of the server.
func (b *tab) visit(path string) *network.Response {
	b.t.Helper()
	return b.load("visit "+path, chromedp.Navigate(b.e.base+path))
}

// submit fills the fields (CSS selector → value) and clicks the button.
func (b *tab) submit(button string, fields ...string) *network.Response {
	b.t.Helper()
	for i := 0; i+1 < len(fields); i += 2 {
		sel, _ := json.Marshal(fields[i])
		val, _ := json.Marshal(fields[i+1])
		if !eval[bool](b, fmt.Sprintf(`(() => { const el = document.querySelector(%s); if (!el) return false; el.value = %s; return true; })()`, sel, val)) {
			b.t.Fatalf("no field %s", fields[i])
		}
	}
	return b.load("click "+button, chromedp.Click(chromedp.CSS(button)))
}

// splitWords returns the words of the page's table cells that are broken
// over two lines, separated by " | "; "" when every word is whole.
func (b *tab) splitWords() string {
	b.t.Helper()
	return eval[string](b, `(() => {
		const split = [];
		for (const cell of document.querySelectorAll("td, th")) {
			const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
			for (let n = walk.nextNode(); n; n = walk.nextNode()) {
				for (const m of n.data.matchAll(/\S+/g)) {
					const r = document.createRange();
					r.setStart(n, m.index);
					r.setEnd(n, m.index + m[0].length);
					const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
					if (tops.size > 1) split.push(m[0]);
				}
			}
		}
		return split.join(" | ");
	})()`)
}

// text returns the text of the first element the selector matches.
func (b *tab) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluating %.60q: %v", expr, err)
	}
	return v
}

// has reports whether an element matches the selector now.
func (b *tab) has(sel string) bool {
	b.t.Helper()
	return eval[bool](b, fmt.Sprintf("document.querySelector(%q) !== null", sel))
}

// wantPage checks the status and the h1 of the page a load led to.
func (b *tab) wantPage(res *network.Response, status int64, title string) {
	b.t.Helper()
	if res.Status != status {
		b.t.Fatalf("%s: status %d, want %d", res.URL, res.Status, status)
	}
	if got := b.text("h1"); got != title {
		b.t.Fatalf("%s: h1 %q, want %q", res.URL, got, title)
	}
}

// wantText checks that the element's text contains every want.
func (b *tab) wantText(sel string, wants ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			b.t.Fatalf("text of %s is %q, want it to contain %q", sel, got, w)
		}
	}
}

// wantFieldError checks that the field is marked invalid and described by
// its error, which contains want.
func (b *tab) wantFieldError(id, want string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.getElementById(%q); if (!el) return "missing";
		const err = document.getElementById(%q); if (!err) return "no error element";
		if (el.getAttribute("aria-invalid") !== "true") return "not aria-invalid";
		if (!(el.getAttribute("aria-describedby") || "").split(" ").includes(err.id)) return "not described by its error";
		return err.textContent.trim(); })()`, id, id+"-error")
	got := eval[string](b, js)
	if !strings.Contains(got, want) {
		b.t.Fatalf("field %s: %q, want an error containing %q", id, got, want)
	}
}

// page checks the current page: an axe-core scan with no serious or
// critical violation in the light and in the dark colour scheme
// (prefers-color-scheme), no inline script or style, and a screenshot
// (in both schemes when USERSETTINGS_SCREENSHOTS names a directory).
func (b *tab) page(name string) {
	b.t.Helper()
	b.axe(name)
	inline := eval[int](b, `document.querySelectorAll("script:not([src]), style, [style]").length`)
	if inline != 0 {
		b.t.Errorf("%s: %d inline scripts or styles", name, inline)
	}
	b.screenshot(name)
	b.scheme("dark")
	defer b.scheme("")
	if eval[string](b, `getComputedStyle(document.body).backgroundColor`) == "rgb(244, 246, 249)" {
		b.t.Errorf("%s: the dark scheme kept the light background", name)
	}
	b.axe(name + " (dark)")
	if os.Getenv(envScreenshots) != "" {
		b.screenshot(name + "-dark")
	}
}

// scheme emulates the colour scheme the system asks for: "dark",
// "light", or "" for none.
func (b *tab) scheme(value string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: value}},
	})
	if err != nil {
		b.t.Fatalf("emulating prefers-color-scheme %q: %v", value, err)
	}
}

// axe runs axe-core on the page and fails on serious or critical
// violations. Without axe-core (outside scripts/test) it logs and skips.
func (b *tab) axe(name string) {
	b.t.Helper()
	if axeSource == "" {
		b.t.Logf("%s: axe-core scan skipped (%s not set)", name, envAxe)
		return
	}
	if !eval[bool](b, "typeof window.axe !== 'undefined'") {
		eval[bool](b, axeSource+"\n;true")
	}
	type result struct {
		Passes     int
		Violations []struct {
			ID, Impact, Help string
			Nodes            []struct{ Target []string }
		}
	}
	got := eval[result](b, `axe.run(document).then(r => ({passes: r.passes.length, violations: r.violations.map(v =>
		({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target.map(String)}))}))}))`)
	if got.Passes == 0 {
		b.t.Errorf("%s: axe-core checked nothing", name)
	}
	for _, v := range got.Violations {
		if v.Impact != "serious" && v.Impact != "critical" {
			b.t.Logf("%s: axe %s finding %s (%s)", name, v.Impact, v.ID, v.Help)
			continue
		}
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		b.t.Errorf("%s: axe %s violation %s (%s) at %s", name, v.Impact, v.ID, v.Help, strings.Join(where, ", "))
	}
}

// screenshot saves a full-page PNG of the page.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	b.shoot(name, chromedp.FullScreenshot(100))
}

// screenshotOf saves a PNG of the element the selector matches: a section
// of a page, for the README.
func (b *tab) screenshotOf(name, sel string) {
	b.t.Helper()
	b.shoot(name, chromedp.Screenshot(chromedp.CSS(sel)))
}

// shoot takes the screenshot and saves it as name.png in the directory
// envScreenshots names, or a temporary one.
func (b *tab) shoot(name string, take chromedp.Action[[]byte]) {
	b.t.Helper()
	dir := os.Getenv(envScreenshots)
	if dir == "" {
		browserOnceDir.Do(func() { shotsDir, _ = os.MkdirTemp("", "usersettings-screens-") })
		dir = shotsDir
	}
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, take)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

var browserOnceDir sync.Once

// signIn signs in through the sign-in page.
func (b *tab) signIn(email, password string) *network.Response {
	b.t.Helper()
	b.visit("/signin")
	return b.submit("form[action='/signin'] button[type=submit]", "#f-email", email, "#f-password", password)
}

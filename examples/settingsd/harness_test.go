package main

// The load and fault harness: a settingsd process built with go build
// and run with exec (so that a test can SIGKILL or SIGTERM it and read
// its RSS), users signed up through its API with the codes a test SMTP
// server catches, a write mix whose acknowledged writes are remembered,
// merges of profiles (harness_merge_test.go), and the invariant checker
// that reads the database after every fault. load_test.go and
// faults_test.go use it.

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/pgtest"
)

// envLoad selects the long forms of the load and fault tests:
// USERSETTINGS_LOAD=full runs them at the sizes docs/performance.md
// reports; anything else runs the short forms (seconds, in
// ./scripts/test).
const envLoad = "USERSETTINGS_LOAD"

// fullLoad reports whether the long forms run.
func fullLoad() bool { return os.Getenv(envLoad) == "full" }

// pick returns full under USERSETTINGS_LOAD=full, else short.
func pick[T any](short, full T) T {
	if fullLoad() {
		return full
	}
	return short
}

// needPostgres returns the test server's DSN, or skips the test (fails
// it under USERSETTINGS_REQUIRE_POSTGRES=1) when there is none.
func needPostgres(t *testing.T) string {
	t.Helper()
	return pgtest.DSN(t)
}

// hexKey32 returns 32 random bytes in hex.
func hexKey32() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// target is where a harness runs settingsd: a SQLite file or a
// PostgreSQL DSN, the same keys for every start, and the test SMTP
// server its courier sends to.
type target struct {
	bin   string
	db    string // SQLite file; "" on PostgreSQL
	dsn   string // PostgreSQL; "" on SQLite
	env   []string
	mail  *smtpRecorder
	smtp  string
	extra []string // more flags for every start
}

// newTarget builds settingsd and prepares its database: the SQLite file
// path, or dsn (a fresh schema of it) when dsn is not empty.
func newTarget(t *testing.T, dsn string, extra ...string) *target {
	t.Helper()
	return newTargetOf(t, buildSettingsd(t), dsn, extra...)
}

// newTargetOf is newTarget with a settingsd already built.
func newTargetOf(t *testing.T, bin, dsn string, extra ...string) *target {
	t.Helper()
	tg := &target{bin: bin, mail: &smtpRecorder{}, extra: extra}
	tg.smtp = tg.mail.listen(t)
	tg.env = append(os.Environ(), "SETTINGSD_CODE_KEY="+hexKey32(), "SETTINGSD_TWOFACTOR_KEY="+hexKey32(),
		"SETTINGSD_WEB_KEY="+hexKey32(), "GOMAXPROCS=2")
	if dsn != "" {
		tg.dsn, _ = pgtest.SchemaOn(t, dsn, "settingsd")
		tg.env = append(tg.env, "SETTINGSD_POSTGRES_DSN="+tg.dsn)
	} else {
		tg.db = filepath.Join(t.TempDir(), "settingsd.db")
	}
	return tg
}

// daemon is one running settingsd process.
type daemon struct {
	url  string
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
	err  error // the process's exit, once done is closed
}

// start runs settingsd on the target with its flags and more, and waits
// until /readyz answers 200.
func (tg *target) start(t *testing.T, more ...string) *daemon {
	t.Helper()
	d := tg.spawn(t, more...)
	d.waitReady(t, 30*time.Second)
	return d
}

// spawn runs settingsd without waiting for it.
func (tg *target) spawn(t *testing.T, more ...string) *daemon {
	t.Helper()
	addr := freeAddr(t)
	args := []string{"-addr", addr, "-smtp", tg.smtp, "-courier-poll", "100ms", "-courier-lease", "3s",
		"-trusted-proxies", "127.0.0.1", "-cleanup-every", "1h"}
	if tg.db != "" {
		args = append(args, "-db", tg.db)
	}
	args = append(append(args, tg.extra...), more...)
	d := &daemon{url: "http://" + addr, logs: &lockedBuffer{}, done: make(chan struct{})}
	d.cmd = exec.Command(tg.bin, args...)
	d.cmd.Env = tg.env
	d.cmd.Stderr = d.logs
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.err = d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		d.stop(10 * time.Second)
		if t.Failed() {
			t.Logf("settingsd warnings and errors (last 4 KiB):\n%s", tail(problems(d.logs.String()), 4096))
		}
	})
	return d
}

// problems returns the log lines of level WARN or ERROR.
func problems(logs string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(logs, "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// waitReady waits until GET /readyz answers 200.
func (d *daemon) waitReady(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if d.ready() == http.StatusOK {
			return
		}
		select {
		case <-d.done:
			t.Fatalf("settingsd exited (%v):\n%s", d.err, tail(d.logs.String(), 4096))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("settingsd not ready after %v:\n%s", within, tail(d.logs.String(), 4096))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ready returns the status of GET /readyz, or 0 when there is no answer.
func (d *daemon) ready() int {
	c := http.Client{Timeout: 3 * time.Second}
	res, err := c.Get(d.url + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// stop sends SIGTERM and waits up to grace, then SIGKILL.
func (d *daemon) stop(grace time.Duration) {
	select {
	case <-d.done:
		return
	default:
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(grace):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// kill ends the process with SIGKILL and waits for it.
func (d *daemon) kill() {
	_ = d.cmd.Process.Kill()
	<-d.done
}

// rssKiB reads the process's resident set size (VmRSS) in KiB.
func (d *daemon) rssKiB() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", d.cmd.Process.Pid)
}

// user is a signed-up person of the harness, with a session for the
// session routes and a personal access token for token validation.
type user struct {
	email, password string
	ip              string // X-Forwarded-For: each user its own client for the rate limits
	session         string // "Session …"
	token           string // "mxtoken …"
}

// client is the HTTP client of the harness's own calls.
var client = &http.Client{Timeout: 15 * time.Second}

// do sends one request as u (nil: anonymous) and returns the status and
// body; a transport error gives status 0.
func do(base, method, path string, u *user, auth string, body any) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, nil
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if u != nil {
		req.Header.Set("X-Forwarded-For", u.ip)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

// must sends a request and fails the test unless it answers want; it
// decodes the answer into out when out is not nil.
func must(t *testing.T, base, method, path string, u *user, auth string, body any, want int, out any) {
	t.Helper()
	status, raw := do(base, method, path, u, auth, body)
	if status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, status, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

// seedParallel is how many users seedUsers signs up at once. (On
// PostgreSQL this harness found concurrent token writes answering 500,
// SQLSTATE 25P02; sqlstore now reruns such a transaction whole.)
func (tg *target) seedParallel() int { return 8 }

// seedUsers signs up n users through the API (sign-up, the mailed code,
// sign-in, a personal access token), tg.seedParallel at a time.
func (tg *target) seedUsers(t *testing.T, d *daemon, n int) []*user {
	t.Helper()
	users := make([]*user, n)
	for i := range users {
		users[i] = &user{email: fmt.Sprintf("user%03d@example.com", i), password: "Correct-Horse-9-Battery",
			ip: fmt.Sprintf("198.51.100.%d", i%250+1)}
	}
	tg.seed(t, users, func(u *user) error { return u.signUp(t, d, tg.mail) })
	return users
}

// seed runs step for every user, tg.seedParallel at a time, and fails
// the test on the first error.
func (tg *target) seed(t *testing.T, users []*user, step func(u *user) error) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, tg.seedParallel())
	errc := make(chan error, len(users))
	for _, u := range users {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errc <- step(u)
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// signUp runs the sign-up flow of u: the account, a session and a
// personal access token.
func (u *user) signUp(t *testing.T, d *daemon, mail *smtpRecorder) error {
	if err := u.register(t, d, mail); err != nil {
		return err
	}
	if err := u.signIn(d); err != nil {
		return err
	}
	var tok struct {
		Token string `json:"token"`
	}
	s, raw := do(d.url, "POST", "/v1/me/tokens", u, u.session, map[string]any{"name": "load", "scopes": []string{"mx:app:read"}})
	if s != 201 || json.Unmarshal(raw, &tok) != nil {
		return fmt.Errorf("token of %s: %d %s", u.email, s, raw)
	}
	u.token = "mxtoken " + tok.Token
	return nil
}

// register signs u up: the sign-up and its mailed code.
func (u *user) register(t *testing.T, d *daemon, mail *smtpRecorder) error {
	var started struct {
		SignupID string `json:"signup_id"`
	}
	if s, raw := do(d.url, "POST", "/v1/signup", u, "", map[string]any{"email": u.email, "password": u.password}); s != 202 {
		return fmt.Errorf("sign-up %s: %d %s", u.email, s, raw)
	} else if err := json.Unmarshal(raw, &started); err != nil {
		return err
	}
	code := mail.code(t, u.email)
	if s, raw := do(d.url, "POST", "/v1/signup/"+url.PathEscape(started.SignupID)+"/verify", u, "", map[string]any{"code": code}); s != 201 {
		return fmt.Errorf("sign-up code %s: %d %s", u.email, s, raw)
	}
	return nil
}

// signIn makes a new session for u.
func (u *user) signIn(d *daemon) error {
	var login struct {
		Session string `json:"session"`
	}
	s, raw := do(d.url, "POST", "/v1/sessions", u, "", map[string]any{"email": u.email, "password": u.password, "session_in_body": true})
	if s != 201 || json.Unmarshal(raw, &login) != nil {
		return fmt.Errorf("sign-in %s: %d %s", u.email, s, raw)
	}
	u.session = "Session " + login.Session
	return nil
}

// ledger remembers the writes of a fault mix: every one attempted, and
// those acknowledged with 2xx, per user. A write is a skill set on the
// profile ("w<seq>", recorded as an "added" history entry) or a personal
// access token ("t<seq>", with its token_created notice in the outbox).
//
// A ledger also holds the merges of the mix (mergePair): the ledger's
// users never take part in one, so that each side of a merge can be
// checked against what it held before.
type ledger struct {
	seq    atomic.Int64
	mu     sync.Mutex
	tried  map[string]map[string]bool // email → values
	acked  map[string]map[string]bool
	codes  map[int]int // status → count
	odd503 []string    // answers of 503 other than {"error":"unavailable"}
	merges []*mergePair
}

func newLedger() *ledger {
	return &ledger{tried: map[string]map[string]bool{}, acked: map[string]map[string]bool{}, codes: map[int]int{}}
}

// write sends one write of the mix as u and records it; it returns the
// status (0: no answer).
func (l *ledger) write(base string, u *user) int {
	n := l.seq.Add(1)
	var status int
	var raw []byte
	var v string
	if n%4 == 0 {
		v = fmt.Sprintf("t%d", n)
		l.note(u, v, false)
		status, raw = do(base, "POST", "/v1/me/tokens", u, u.session, map[string]any{"name": v, "scopes": []string{"mx:app:read"}})
	} else {
		v = fmt.Sprintf("w%d", n)
		l.note(u, v, false)
		status, raw = do(base, "PATCH", "/v1/me/profile", u, u.session, map[string]any{"skills": []string{v}})
	}
	l.answered(status, raw)
	if status >= 200 && status < 300 {
		l.note(u, v, true)
	}
	return status
}

// answered counts an answer by its status and keeps a 503 whose body is
// not the error code "unavailable".
func (l *ledger) answered(status int, raw []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.codes[status]++
	if status == http.StatusServiceUnavailable && !strings.Contains(string(raw), `"error":"unavailable"`) && len(l.odd503) < 10 {
		l.odd503 = append(l.odd503, string(raw))
	}
}

func (l *ledger) note(u *user, v string, acked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.tried
	if acked {
		m = l.acked
	}
	if m[u.email] == nil {
		m[u.email] = map[string]bool{}
	}
	m[u.email][v] = true
}

// counts returns the statuses seen, as "200×12 503×3".
func (l *ledger) counts() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for s, n := range l.codes {
		fmt.Fprintf(&b, "%d×%d ", s, n)
	}
	return strings.TrimSpace(b.String())
}

// ackedCount returns how many writes were acknowledged.
func (l *ledger) ackedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.acked {
		n += len(m)
	}
	return n
}

// openDB opens the target's database for the checker.
func (tg *target) openDB(t *testing.T) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if tg.dsn != "" {
		db, err = postgres.Open(context.Background(), tg.dsn)
	} else {
		db, err = sqlite.Open(context.Background(), tg.db)
	}
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// q rewrites the ? placeholders of query for the target's database.
func (tg *target) q(query string) string {
	if tg.dsn == "" {
		return query
	}
	return sqlstore.Postgres.Rebind(query)
}

// checkInvariants runs the invariant checker (invariants) and fails the
// test with every violation it reports.
func (tg *target) checkInvariants(t *testing.T, l *ledger, users []*user) {
	t.Helper()
	for _, v := range tg.invariants(t, l, users) {
		t.Error(v)
	}
}

// invariants reads the database and returns every broken invariant:
// each profile has an account and each account a profile; progress is
// not negative; no merge flow is in an unknown state; for each user of
// the ledger, every acknowledged write is present (an "added" history
// entry for a skill, a token row for a token) and nothing is present
// that was never tried, the history holds one "added" entry per skill
// write present, the profile's skills are one written value, and every
// token has its notice in the outbox; no merge of the ledger is left
// half done (checkMerges). On SQLite it also runs PRAGMA
// integrity_check. It fails the test only when it cannot read.
func (tg *target) invariants(t *testing.T, l *ledger, users []*user) []string {
	t.Helper()
	db := tg.openDB(t)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := &checker{t: t, ctx: ctx, db: db, tg: tg}
	if tg.dsn == "" {
		var res string
		if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
			c.fail("PRAGMA integrity_check = %q, %v; want ok", res, err)
		}
	}
	if n := c.count(`SELECT count(*) FROM us_profiles p WHERE NOT EXISTS (SELECT 1 FROM us_accounts a WHERE a.profile_id = p.id)`); n != 0 {
		c.fail("%d profiles without an account", n)
	}
	if n := c.count(`SELECT count(*) FROM us_accounts a WHERE NOT EXISTS (SELECT 1 FROM us_profiles p WHERE p.id = a.profile_id)`); n != 0 {
		c.fail("%d accounts without a profile", n)
	}
	if n := c.count(`SELECT count(*) FROM us_progress WHERE points < 0`); n != 0 {
		c.fail("%d profiles with negative progress", n)
	}
	if n := c.count(`SELECT count(*) FROM us_merge_flows WHERE state NOT IN ('started', 'code_sent', 'verified', 'done', 'cancelled', 'obsolete')`); n != 0 {
		c.fail("%d merges in an unknown state", n)
	}
	for _, u := range users {
		c.user(l, u)
	}
	c.merges(l)
	return c.found
}

// checker is one run of the invariant checker: the database it reads and
// the violations it found.
type checker struct {
	t     *testing.T
	ctx   context.Context
	db    *sql.DB
	tg    *target
	found []string
}

// fail records a violation.
func (c *checker) fail(format string, args ...any) {
	c.found = append(c.found, fmt.Sprintf(format, args...))
}

// row reads one row of query into dest, failing the test when it cannot.
func (c *checker) row(query string, args []any, dest ...any) {
	c.t.Helper()
	if err := c.db.QueryRowContext(c.ctx, c.tg.q(query), args...).Scan(dest...); err != nil {
		c.t.Fatalf("%s %v: %v", query, args, err)
	}
}

// count reads one number.
func (c *checker) count(query string, args ...any) int {
	c.t.Helper()
	var n int
	c.row(query, args, &n)
	return n
}

// strings reads one column of text.
func (c *checker) texts(query string, args ...any) []string {
	c.t.Helper()
	rows, err := c.db.QueryContext(c.ctx, c.tg.q(query), args...)
	if err != nil {
		c.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			c.t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		c.t.Fatal(err)
	}
	return out
}

// user checks the writes of one user of the ledger.
func (c *checker) user(l *ledger, u *user) {
	c.t.Helper()
	var profileID, accountID string
	c.row(`SELECT profile_id, id FROM us_accounts WHERE email = ?`, []any{u.email}, &profileID, &accountID)
	present := map[string]bool{}
	for _, v := range c.texts(`SELECT detail FROM us_history WHERE profile_id = ? AND item = 'skills' AND action = 'added'`, profileID) {
		if present[v] {
			c.fail("%s: skill %s recorded twice in the history", u.email, v)
		}
		present[v] = true
	}
	tokens := c.texts(`SELECT name FROM us_tokens WHERE account_id = ? AND name <> 'load'`, accountID)
	for _, v := range tokens {
		present[v] = true
	}
	l.mu.Lock()
	acked, tried := l.acked[u.email], l.tried[u.email]
	for v := range acked {
		if !present[v] {
			c.fail("%s: write %s was acknowledged but is missing", u.email, v)
		}
	}
	for v := range present {
		if !tried[v] {
			c.fail("%s: %s is present but was never written", u.email, v)
		}
	}
	l.mu.Unlock()
	var skills string
	c.row(`SELECT skills FROM us_profiles WHERE id = ?`, []any{profileID}, &skills)
	var list []string
	if err := json.Unmarshal([]byte(skills), &list); err != nil || len(list) > 1 || (len(list) == 1 && !present[list[0]]) {
		c.fail("%s: the profile's skills %s are not one written value with its history entry", u.email, skills)
	}
	// Every token (the seeded one too) has its notice in the outbox, in
	// the token's transaction.
	if n := c.count(`SELECT count(*) FROM us_mail_outbox WHERE lower(recipient) = ? AND subject LIKE '%token%'`, u.email); n != len(tokens)+1 {
		c.fail("%s: %d token notices in the outbox for %d tokens", u.email, n, len(tokens)+1)
	}
}

// checkMail waits until the outbox holds no mail to send, then checks
// that the test SMTP server got each message exactly once: as many
// deliveries to each user as the outbox has sent messages to them. A
// SIGKILL between a send and its mark may repeat that one message (the
// outbox delivers at least once); dups is how many repeats in all the
// test allows for that.
func (tg *target) checkMail(t *testing.T, users []*user, within time.Duration, dups int) {
	t.Helper()
	db := tg.openDB(t)
	defer db.Close()
	ctx := context.Background()
	deadline := time.Now().Add(within)
	for {
		var pending int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM us_mail_outbox WHERE state IN ('queued', 'sending')`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still unsent %v after the fault", pending, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, u := range users {
		var sent int
		if err := db.QueryRowContext(ctx, tg.q(`SELECT count(*) FROM us_mail_outbox WHERE lower(recipient) = ? AND state = 'sent'`), u.email).Scan(&sent); err != nil {
			t.Fatal(err)
		}
		got := tg.mail.count(u.email)
		if got < sent {
			t.Errorf("%s: the mail server got %d messages, the outbox sent %d: lost", u.email, got, sent)
		}
		if dups -= got - sent; dups < 0 {
			t.Errorf("%s: the mail server got %d messages, the outbox sent %d: sent twice", u.email, got, sent)
		}
	}
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/pgtest"
)

// writers runs n goroutines sending the ledger's write mix as the users
// until stop is closed; each status is passed to seen (when not nil).
func writers(base func() string, l *ledger, users []*user, n int, seen func(int)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			for k := 0; ; k++ {
				select {
				case <-done:
					return
				default:
				}
				s := l.write(base(), users[(i+k*n)%len(users)])
				if seen != nil {
					seen(s)
				}
				if s == 0 || s >= 500 {
					time.Sleep(20 * time.Millisecond) // nobody to talk to: do not spin
				}
			}
		})
	}
	return func() { close(done); wg.Wait() }
}

// pgCluster is a throwaway PostgreSQL server of the test's own, which it
// may stop and start (the shared test server is never restarted).
type pgCluster struct {
	bin, dir, data, port string
	owner                string // run the server as this user (root may not); "" as the test
}

// newPGCluster makes and starts a cluster, or skips the test (fails it
// under USERSETTINGS_REQUIRE_POSTGRES=1) when initdb is not installed.
func newPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	bin := ""
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		bin = filepath.Dir(p)
	} else if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl"); len(m) > 0 {
		sort.Strings(m)
		bin = filepath.Dir(m[len(m)-1])
	}
	if bin == "" {
		if os.Getenv(pgtest.EnvRequire) == "1" {
			t.Fatalf("pg_ctl not found and %s=1", pgtest.EnvRequire)
		}
		t.Skip("pg_ctl not found: the PostgreSQL restart test needs PostgreSQL's server binaries")
	}
	c := &pgCluster{bin: bin}
	// Under /tmp, not the test's temporary directory: the cluster's
	// owner must reach it.
	dir, err := os.MkdirTemp("/tmp", "usersettings-pgrestart-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir, c.data = dir, filepath.Join(dir, "data")
	t.Cleanup(func() {
		_ = c.ctl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := osuser.Lookup("postgres")
		if err != nil {
			t.Skip("running as root without a postgres user to own the throwaway cluster")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.owner = "postgres"
	}
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	_, c.port, _ = net.SplitHostPort(freeAddr(t))
	if err := c.ctl("start"); err != nil {
		t.Fatalf("pg_ctl start: %v", err)
	}
	return c
}

// run runs a command as the cluster's owner.
func (c *pgCluster) run(name string, args ...string) ([]byte, error) {
	if c.owner != "" {
		args = append([]string{"-u", c.owner, "--", name}, args...)
		name = "runuser"
	}
	return exec.Command(name, args...).CombinedOutput()
}

// ctl runs pg_ctl with the action (start, stop, restart) and waits.
func (c *pgCluster) ctl(action string, more ...string) error {
	args := append([]string{"-D", c.data, "-w", "-t", "60", "-l", filepath.Join(c.dir, "server.log")}, more...)
	if action != "stop" {
		args = append(args, "-o", "-c listen_addresses=127.0.0.1 -p "+c.port+" -k "+c.dir+
			" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
	}
	out, err := c.run(filepath.Join(c.bin, "pg_ctl"), append(args, action)...)
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}

// waitHeldTx waits until a transaction of the cluster has been idle for
// 300 ms (a commit held by SETTINGSD_FAULT_PAUSE), failing the test
// after within.
func (c *pgCluster) waitHeldTx(t *testing.T, within time.Duration) {
	t.Helper()
	db, err := postgres.Open(context.Background(), c.dsn())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(within)
	for {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE state = 'idle in transaction' AND now() - state_change > interval '300 milliseconds'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no transaction held for 300 ms within %v", within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *pgCluster) dsn() string {
	return "postgres://postgres@127.0.0.1:" + c.port + "/postgres?sslmode=disable"
}

// TestPostgresRestartUnderLoad restarts the database with pg_ctl restart
// -m fast (on a throwaway cluster of its own) under a mix of 4 writers
// and 3 people merging profiles through the API (start, the mailed code,
// verify, commit). While the database is away every write answers 2xx or
// 503 {"error":"unavailable"}, no answer at all is a 5xx other than 503
// {"error":"unavailable"}, and /readyz answers 503 and then 200 again;
// within 5 s of the database being back a write and /readyz succeed.
// Then the invariant checker finds every acknowledged write present and
// no merge half done, and every mail is sent exactly once.
//
//	USERSETTINGS_POSTGRES_DSN=… go test -run TestPostgresRestartUnderLoad -v ./examples/settingsd/
func TestPostgresRestartUnderLoad(t *testing.T) {
	needPostgres(t) // the rule of the PostgreSQL tests, though this one brings its own server
	pg := newPGCluster(t)
	tg := newTarget(t, pg.dsn(), "-pg-max-open-conns", "8")
	d := tg.start(t)
	users := tg.seedUsers(t, d, 4)
	l := newLedger()
	l.merges = tg.seedMerges(t, d, pick(12, 60))
	var down atomic.Bool
	var mu sync.Mutex
	outage := map[string]map[int]int{"write": {}, "merge step": {}}
	during := func(kind string) func(int) {
		return func(s int) {
			if down.Load() {
				mu.Lock()
				outage[kind][s]++
				mu.Unlock()
			}
		}
	}
	base := func() string { return d.url }
	stopW := writers(base, l, users, 4, during("write"))
	stopM := mergers(base, l, tg.mail, 3, 200*time.Millisecond, during("merge step"))
	watch := watchReady(d)
	time.Sleep(pick(time.Second, 5*time.Second))
	restartAt := time.Now()
	down.Store(true)
	if err := pg.ctl("restart", "-m", "fast"); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	down.Store(false)
	// Service is back when a write and /readyz succeed.
	for {
		if s := l.write(d.url, users[0]); s >= 200 && s < 300 && d.ready() == http.StatusOK {
			break
		}
		if time.Since(back) > 5*time.Second {
			t.Fatalf("service not back 5 s after the database (statuses %s)", l.counts())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("pg_ctl restart -m fast took %v; service back %v after the database",
		back.Sub(restartAt).Round(time.Millisecond), time.Since(back).Round(time.Millisecond))
	time.Sleep(pick(time.Second, 5*time.Second))
	stopW()
	stopM()
	readies := watch()
	t.Logf("statuses: %s; during the restart: %v; %d writes acknowledged; %s", l.counts(), outage, l.ackedCount(), l.mergeSummary())
	for s, n := range outage["write"] {
		if s != http.StatusServiceUnavailable && (s < 200 || s >= 300) {
			t.Errorf("%d writes during the restart answered %d, want 2xx or 503 unavailable", n, s)
		}
	}
	if outage["write"][http.StatusServiceUnavailable] == 0 {
		t.Error("no write answered 503 while the database restarted")
	}
	for s, n := range l.codes {
		if s >= 500 && s != http.StatusServiceUnavailable {
			t.Errorf("%d answers of %d, want none", n, s)
		}
	}
	if len(l.odd503) > 0 {
		t.Errorf("answers of 503 other than unavailable: %q", l.odd503)
	}
	// /readyz: 503 once the restart began, then 200 again.
	down503 := slices.IndexFunc(readies, func(r readySample) bool {
		return !r.at.Before(restartAt) && r.status == http.StatusServiceUnavailable
	})
	switch {
	case down503 < 0:
		t.Errorf("/readyz never answered 503 while the database restarted: %v", readies)
	case !slices.ContainsFunc(readies[down503:], func(r readySample) bool { return r.status == http.StatusOK }):
		t.Errorf("/readyz did not answer 200 again after its 503: %v", readies[down503:])
	}
	if l.mergesAcked() == 0 {
		t.Errorf("no merge acknowledged: %s", l.mergeSummary())
	}
	if status, raw := do(d.url, "GET", "/v1/me/profile", users[0], users[0].session, nil); status != http.StatusOK {
		t.Errorf("GET /v1/me/profile after the restart: %d %s", status, raw)
	}
	tg.checkInvariants(t, l, users)
	tg.checkMail(t, append(users, l.mergeUsers()...), 15*time.Second, 0)
}

// readySample is one answer of /readyz.
type readySample struct {
	at     time.Time
	status int // 0: no answer
}

// watchReady asks d's /readyz every 50 ms until the returned function is
// called, which returns the answers, a change of status at a time.
func watchReady(d *daemon) (stop func() []readySample) {
	done := make(chan struct{})
	var out []readySample
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			s := d.ready()
			if len(out) == 0 || out[len(out)-1].status != s {
				out = append(out, readySample{time.Now(), s})
			}
		}
	})
	return func() []readySample { close(done); wg.Wait(); return out }
}

// faultBugOverlay returns the go build flag that builds settingsd with a
// deliberate bug, for TestRestartCatchesMergeOutsideTransaction to show
// that the checker catches a write that escapes its transaction. The
// repository's merge package is left as it is: -overlay replaces its
// commit.go, in this build only, with a copy whose account move goes
// through faultBugMoveAccounts, in a file the overlay adds. With
// SETTINGSD_FAULT_BUG=move-outside-tx that function moves the accounts
// with a context that carries no transaction, so the move commits on its
// own (the bug); SETTINGSD_FAULT_PAUSE holds the merge that long after
// the move, in both builds, so that the test's fault lands between the
// move and the rest of the commit every time rather than by chance.
func faultBugOverlay(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command(goTool(), "list", "-f", "{{.Dir}}", "github.com/seed-a97ca23f/usersettings/merge").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	src, err := os.ReadFile(filepath.Join(dir, "commit.go"))
	if err != nil {
		t.Fatal(err)
	}
	const move = `{"moving accounts", func() error { return s.accounts.MoveAccounts(ctx, b.ID, a.ID) }},`
	if strings.Count(string(src), move) != 1 {
		t.Fatalf("merge/commit.go has no single step %s to break; update faultBugOverlay", move)
	}
	buggy := strings.Replace(string(src), move,
		`{"moving accounts", func() error { return faultBugMoveAccounts(ctx, s.accounts, b.ID, a.ID) }},`, 1)
	const bug = `package merge

import (
	"context"
	"os"
	"time"
)

func faultBugMoveAccounts(ctx context.Context, accounts Accounts, from, to string) error {
	if os.Getenv("SETTINGSD_FAULT_BUG") == "move-outside-tx" {
		ctx = context.Background()
	}
	err := accounts.MoveAccounts(ctx, from, to)
	if d, perr := time.ParseDuration(os.Getenv("SETTINGSD_FAULT_PAUSE")); perr == nil {
		time.Sleep(d)
	}
	return err
}
`
	tmp := t.TempDir()
	files := map[string]string{"commit.go": buggy, "zz_faultbug.go": bug}
	replace := map[string]string{}
	for name, text := range files {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		replace[filepath.Join(dir, name)] = p
	}
	js, _ := json.Marshal(map[string]any{"Replace": replace})
	overlay := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlay, js, 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"-overlay", overlay}
}

// TestRestartCatchesMergeOutsideTransaction shows that the restart test's
// invariant checker catches a store write that escapes its transaction.
// On settingsd built with faultBugOverlay, one merge is verified and
// committed, and once the commit is held after moving the accounts (its
// transaction idle in pg_stat_activity) the database restarts (pg_ctl
// restart -m fast), which aborts the commit's transaction. With the move in the transaction (the code as it is)
// nothing of the merge stays and the checker finds nothing wrong (the
// client's retry then merges whole); with the move outside it
// (SETTINGSD_FAULT_BUG=move-outside-tx) the accounts stay moved while
// the rest is rolled back, and the checker reports a profile without an
// account and the merge half done.
func TestRestartCatchesMergeOutsideTransaction(t *testing.T) {
	needPostgres(t)
	pg := newPGCluster(t)
	bin := buildSettingsd(t, faultBugOverlay(t)...)
	for _, bug := range []bool{false, true} {
		name := "in-transaction"
		if bug {
			name = "move-outside-tx"
		}
		t.Run(name, func(t *testing.T) {
			tg := newTargetOf(t, bin, pg.dsn(), "-pg-max-open-conns", "8")
			tg.env = append(tg.env, "SETTINGSD_FAULT_PAUSE=2s")
			if bug {
				tg.env = append(tg.env, "SETTINGSD_FAULT_BUG=move-outside-tx")
			}
			d := tg.start(t)
			l := newLedger()
			l.merges = tg.seedMerges(t, d, 1)
			p := l.merges[0]
			base := func() string { return d.url }
			until := time.Now().Add(30 * time.Second)
			path := l.prepareMerge(base, tg.mail, p, until, nil)
			if path == "" {
				_, _, end := p.state()
				t.Fatalf("the merge could not be prepared: %s", end)
			}
			committed := make(chan int, 1)
			go func() { committed <- l.commitMerge(base, p, path, until, nil) }()
			pg.waitHeldTx(t, 10*time.Second) // the commit is held after its account move
			if err := pg.ctl("restart", "-m", "fast"); err != nil {
				t.Fatal(err)
			}
			status := <-committed
			d.waitReady(t, 10*time.Second)
			found := tg.invariants(t, l, nil)
			t.Logf("the commit answered %d (%s); the checker found %d violations: %q", status, l.counts(), len(found), found)
			if !bug {
				for _, v := range found {
					t.Error(v)
				}
				return
			}
			for _, want := range []string{"profiles without an account", "half done"} {
				if !slices.ContainsFunc(found, func(v string) bool { return strings.Contains(v, want) }) {
					t.Errorf("the checker did not report %q for a merge whose account move escaped its transaction", want)
				}
			}
		})
	}
}

// TestSQLiteCrashes SIGKILLs settingsd at random points of a write-heavy
// mix with merges under way (3 kills and 4 merges; 20 and 20 with
// USERSETTINGS_LOAD=full), every other kill right after a merge's code
// step, and restarts it on the same file. After each
// restart PRAGMA integrity_check is ok, the invariants hold (no merge
// half done) and no acknowledged write is missing; the merges go on
// across the kills, and at the end every mail is sent exactly once.
//
//	USERSETTINGS_LOAD=full go test -run TestSQLiteCrashes -v ./examples/settingsd/
func TestSQLiteCrashes(t *testing.T) {
	tg := newTarget(t, "")
	d := tg.start(t)
	users := tg.seedUsers(t, d, 4)
	l := newLedger()
	l.merges = tg.seedMerges(t, d, pick(4, 20))
	kills := pick(3, 20)
	var cur atomic.Pointer[daemon]
	cur.Store(d)
	base := func() string { return cur.Load().url }
	// The merges run across the kills, spread over about as long as the
	// kills take: a step that finds no server tries again until the next
	// one is up.
	// Every other kill falls right after a merge's code step answered, so
	// that its verification and commit meet the next process.
	coded := make(chan struct{}, 1)
	stopM := mergers(base, l, tg.mail, 1, 2*time.Second, func(s int) {
		if s == http.StatusAccepted {
			select {
			case coded <- struct{}{}:
			default:
			}
		}
	})
	for i := range kills {
		stopW := writers(base, l, users, 6, nil)
		if i%2 == 0 {
			select {
			case <-coded: // a stale signal of the last process
			default:
			}
			select {
			case <-coded:
			case <-time.After(3 * time.Second):
			}
		} else {
			time.Sleep(time.Duration(200+rand.IntN(1300)) * time.Millisecond)
		}
		cur.Load().kill()
		stopW()
		tg.checkInvariants(t, l, users)
		if t.Failed() {
			t.Fatalf("after kill %d", i+1)
		}
		cur.Store(tg.start(t))
	}
	// Every pair gets its turn; stopM waits for the last merge.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if !slices.ContainsFunc(l.merges, func(p *mergePair) bool { _, _, story := p.state(); return story == "" }) {
			break
		}
	}
	stopM()
	tg.checkInvariants(t, l, users)
	t.Logf("%d kills; statuses %s; %d writes acknowledged; %s", kills, l.counts(), l.ackedCount(), l.mergeSummary())
	if l.ackedCount() == 0 {
		t.Fatal("no write acknowledged")
	}
	if l.mergesAcked() == 0 {
		t.Errorf("no merge acknowledged: %s", l.mergeSummary())
	}
	tg.checkMail(t, append(users, l.mergeUsers()...), 20*time.Second, kills)
}

// TestGracefulShutdown sends SIGTERM while a request is in flight (its
// body half sent) and while the courier is sending a mail (the SMTP
// server stalls it). The server stops accepting connections at once,
// finishes the request in flight (its write is present), exits within
// -shutdown-timeout, and the courier gives the mail back to the outbox,
// which the next start sends once.
func TestGracefulShutdown(t *testing.T) {
	tg := newTarget(t, "", "-shutdown-timeout", "10s")
	d := tg.start(t)
	users := tg.seedUsers(t, d, 1)
	u := users[0]
	// The courier starts sending a notice and stalls in RCPT.
	sending := tg.mail.hold(u.email)
	must(t, d.url, "POST", "/v1/me/tokens", u, u.session, map[string]any{"name": "shutdown", "scopes": []string{"mx:app:read"}}, 201, nil)
	select {
	case <-sending:
	case <-time.After(10 * time.Second):
		t.Fatal("the courier did not start sending within 10 s")
	}
	// A request in flight: headers and half the body.
	addr := strings.TrimPrefix(d.url, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"about_you":"written during the shutdown"}`
	fmt.Fprintf(conn, "PATCH /v1/me/profile HTTP/1.1\r\nHost: settingsd\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		u.session, len(body), body[:10])
	time.Sleep(300 * time.Millisecond) // the server has read the headers: the connection is active
	termAt := time.Now()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// New connections are refused once the listener closed.
	deadline := time.Now().Add(2 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("new connections still accepted 2 s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatalf("the request in flight was cut: %v", err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("the request in flight answered %d, want 200", res.StatusCode)
	}
	select {
	case <-d.done:
	case <-time.After(12 * time.Second):
		t.Fatal("settingsd still running 12 s after SIGTERM with -shutdown-timeout 10s")
	}
	t.Logf("exited %v after SIGTERM: %v", time.Since(termAt).Round(time.Millisecond), d.err)
	if d.err != nil {
		t.Errorf("settingsd exited with %v after SIGTERM, want 0", d.err)
	}
	db := tg.openDB(t)
	var state, lastErr, about string
	if err := db.QueryRow(`SELECT state, last_error FROM us_mail_outbox WHERE recipient = ? AND subject LIKE '%token%' ORDER BY created_at DESC LIMIT 1`, u.email).Scan(&state, &lastErr); err != nil {
		t.Fatal(err)
	}
	if state != "queued" {
		t.Errorf("the mail being sent at SIGTERM is %s (%q), want queued again (released)", state, lastErr)
	}
	if err := db.QueryRow(`SELECT about_you FROM us_profiles p JOIN us_accounts a ON a.profile_id = p.id WHERE a.email = ?`, u.email).Scan(&about); err != nil || about != "written during the shutdown" {
		t.Errorf("the write in flight: about_you = %q, %v", about, err)
	}
	db.Close()
	// The next start sends it, once (the stalled session gave up).
	tg.start(t)
	tg.checkMail(t, users, 15*time.Second, 0)
}

// TestFullDisk runs settingsd on a SQLite file in a small tmpfs it
// mounts (root only; skipped, saying why, where mounting is not allowed)
// and fills the disk: writes answer 503 unavailable, reads keep working,
// the database stays intact, and writes work again once space returns.
func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	mnt := filepath.Join(dir, "disk")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root and mount rights): %v %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", mnt).Run() })
	tg := newTarget(t, "")
	tg.db = filepath.Join(mnt, "settingsd.db")
	d := tg.start(t)
	users := tg.seedUsers(t, d, 2)
	u := users[0]
	// Fill the disk.
	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()
	l := newLedger()
	full := map[int]int{}
	for range 20 {
		full[l.write(d.url, u)]++
	}
	t.Logf("writes on a full disk: %v", full)
	for s, n := range full {
		if s != 503 {
			t.Errorf("%d writes on a full disk answered %d, want 503", n, s)
		}
	}
	if s, raw := do(d.url, "GET", "/v1/me/profile", u, u.session, nil); s != 200 {
		t.Errorf("a read on a full disk: %d %s, want 200", s, raw)
	}
	if !strings.Contains(d.logs.String(), "full") {
		t.Logf("no log line names the full disk (the handler logs 5xx other than 503 only)")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	ok := 0
	for range 5 {
		if s := l.write(d.url, u); s >= 200 && s < 300 {
			ok++
		}
	}
	if ok != 5 {
		t.Errorf("%d of 5 writes succeeded once space returned (statuses %s)", ok, l.counts())
	}
	tg.checkInvariants(t, l, users[:1])
}

package main

import (
	"bufio"
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
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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

func (c *pgCluster) dsn() string {
	return "postgres://postgres@127.0.0.1:" + c.port + "/postgres?sslmode=disable"
}

// TestPostgresRestartUnderLoad stops the database under a write mix
// (pg_ctl stop -m fast, two seconds down, pg_ctl start: a restart with
// an outage long enough to be seen) on a throwaway cluster. While it is
// down every write fails with 503 {"error":"unavailable"}, never 500, and
// /readyz answers 503; within 5 s of the database being back, writes and
// /readyz succeed again. Then the invariants hold, every acknowledged
// write is present, and every mail is sent exactly once.
//
//	go test -run TestPostgresRestartUnderLoad -v ./examples/settingsd/
func TestPostgresRestartUnderLoad(t *testing.T) {
	needPostgres(t) // the rule of the PostgreSQL tests, though this one brings its own server
	pg := newPGCluster(t)
	tg := newTarget(t, pg.dsn(), "-pg-max-open-conns", "8")
	d := tg.start(t)
	users := tg.seedUsers(t, d, 4)
	l := newLedger()
	var down atomic.Bool
	var mu sync.Mutex
	outage := map[int]int{}
	stopW := writers(func() string { return d.url }, l, users, 4, func(s int) {
		if down.Load() {
			mu.Lock()
			outage[s]++
			mu.Unlock()
		}
	})
	// /readyz, watched every 50 ms.
	var readySeen sync.Map
	watch := make(chan struct{})
	var ww sync.WaitGroup
	ww.Go(func() {
		for {
			select {
			case <-watch:
				return
			case <-time.After(50 * time.Millisecond):
			}
			readySeen.Store(d.ready(), true)
		}
	})
	time.Sleep(pick(time.Second, 5*time.Second))
	if err := pg.ctl("stop", "-m", "fast"); err != nil {
		t.Fatal(err)
	}
	down.Store(true)
	// The answer itself: 503 {"error":"unavailable"}.
	if status, raw := do(d.url, "PATCH", "/v1/me/profile", users[1], users[1].session, map[string]any{"about_you": "x"}); status != 503 || !strings.Contains(string(raw), `"error":"unavailable"`) {
		t.Errorf("PATCH /v1/me/profile with the database down: %d %s, want 503 unavailable", status, raw)
	}
	time.Sleep(2 * time.Second)
	if err := pg.ctl("start"); err != nil {
		t.Fatal(err)
	}
	down.Store(false)
	back := time.Now()
	// Service is back when a write and /readyz succeed.
	for {
		if s := l.write(d.url, users[0]); s >= 200 && s < 300 && d.ready() == 200 {
			break
		}
		if time.Since(back) > 5*time.Second {
			t.Fatalf("service not back 5 s after the database (statuses %s)", l.counts())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("service back %v after the database", time.Since(back).Round(time.Millisecond))
	time.Sleep(pick(time.Second, 5*time.Second))
	stopW()
	close(watch)
	ww.Wait()
	t.Logf("statuses: %s; during the outage: %v; %d writes acknowledged", l.counts(), outage, l.ackedCount())
	for s, n := range outage {
		if s != 503 && (s < 200 || s >= 300) {
			t.Errorf("%d writes during the outage answered %d, want 503 unavailable", n, s)
		}
	}
	if outage[503] == 0 {
		t.Error("no write answered 503 while the database was down")
	}
	if _, ok := readySeen.Load(http.StatusServiceUnavailable); !ok {
		t.Error("/readyz never answered 503 while the database was down")
	}
	if l.codes[500] > 0 {
		t.Errorf("%d answers of 500", l.codes[500])
	}
	status, raw := do(d.url, "GET", "/v1/me/profile", users[0], users[0].session, nil)
	if status != 200 {
		t.Errorf("GET /v1/me/profile after the restart: %d %s", status, raw)
	}
	tg.checkInvariants(t, l, users)
	tg.checkMail(t, users, 15*time.Second, 0)
}

// TestSQLiteCrashes SIGKILLs settingsd at random points of a write-heavy
// mix (3 times; 20 with USERSETTINGS_LOAD=full) and restarts it on the
// same file. After each restart PRAGMA integrity_check is ok, the
// invariants hold and no acknowledged write is missing; at the end every
// mail is sent exactly once.
//
//	USERSETTINGS_LOAD=full go test -run TestSQLiteCrashes -v ./examples/settingsd/
func TestSQLiteCrashes(t *testing.T) {
	tg := newTarget(t, "")
	d := tg.start(t)
	users := tg.seedUsers(t, d, 4)
	l := newLedger()
	kills := pick(3, 20)
	var cur atomic.Pointer[daemon]
	cur.Store(d)
	for i := range kills {
		stopW := writers(func() string { return cur.Load().url }, l, users, 6, nil)
		time.Sleep(time.Duration(200+rand.IntN(1300)) * time.Millisecond)
		cur.Load().kill()
		stopW()
		tg.checkInvariants(t, l, users)
		if t.Failed() {
			t.Fatalf("after kill %d", i+1)
		}
		cur.Store(tg.start(t))
	}
	t.Logf("%d kills; statuses %s; %d writes acknowledged", kills, l.counts(), l.ackedCount())
	if l.ackedCount() == 0 {
		t.Fatal("no write acknowledged")
	}
	tg.checkMail(t, users, 20*time.Second, kills)
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

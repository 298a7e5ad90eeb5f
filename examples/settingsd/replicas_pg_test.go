package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/pgtest"
)

// courierLease is the lease of the replicas' couriers in
// TestTwoReplicasOnPostgres: how long a message claimed by a killed
// replica waits before the other sends it.
const courierLease = 3 * time.Second

// TestTwoReplicasOnPostgres builds settingsd and runs it twice on one
// empty PostgreSQL schema, started at once with the same keys, each
// sending mail through its own port of one test SMTP server. Over HTTP it
// proves that exactly one replica migrated the schema; that a session
// made on one works on the other; that the sign-in rate limit is shared;
// that an API key revoked on one is refused by the other within a second;
// that a sign-up started on one is confirmed on the other; and that
// killing (SIGKILL) the replica that is sending a message loses nothing:
// the other replica's courier sends it, once.
func TestTwoReplicasOnPostgres(t *testing.T) {
	dsn, _ := pgtest.Schema(t, "settingsd")
	bin := buildSettingsd(t)
	mail := &smtpRecorder{}
	smtpA, smtpB := mail.listen(t), mail.listen(t)
	a, b := startReplicas(t, bin, dsn, smtpA, smtpB)

	t.Run("ExactlyOneMigrates", func(t *testing.T) {
		applied := []int{a.migrated(t), b.migrated(t)}
		if min(applied[0], applied[1]) != 0 || max(applied[0], applied[1]) < 1 {
			t.Errorf("migrations applied by A and B: %v; want all by one and none by the other", applied)
		}
	})

	const email, password = "ada@example.com", "Correct-Horse-9-Battery"
	t.Run("SignUpAcrossReplicas", func(t *testing.T) {
		var started struct {
			SignupID string `json:"signup_id"`
		}
		a.call(t, "POST", "/v1/signup", "", map[string]any{"email": email, "password": password}, 202, &started)
		code := mail.code(t, email)
		b.call(t, "POST", "/v1/signup/"+url.PathEscape(started.SignupID)+"/verify", "", map[string]any{"code": code}, 201, nil)
	})

	var session string
	t.Run("SessionAcrossReplicas", func(t *testing.T) {
		var login struct {
			Session string `json:"session"`
		}
		a.call(t, "POST", "/v1/sessions", "", map[string]any{"email": email, "password": password, "session_in_body": true}, 201, &login)
		session = login.Session
		b.call(t, "GET", "/v1/me/profile", "Session "+session, nil, 200, nil)
	})

	t.Run("RevocationWithinASecond", func(t *testing.T) {
		if session == "" {
			t.Skip("no session")
		}
		var key struct {
			ID  string `json:"id"`
			Key string `json:"key"`
		}
		a.call(t, "POST", "/v1/me/api-keys", "Session "+session, map[string]any{"description": "ci"}, 201, &key)
		whoami := func(r *replica) int {
			req, _ := http.NewRequest("GET", r.url+"/v1/api/whoami", nil)
			req.Header.Set("Mendix-Username", email)
			req.Header.Set("Mendix-ApiKey", key.Key)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if got := whoami(b); got != 200 {
			t.Fatalf("the key on B before the revocation: %d, want 200 (now cached on B)", got)
		}
		a.call(t, "DELETE", "/v1/me/api-keys/"+url.PathEscape(key.ID), "Session "+session, nil, 204, nil)
		revoked := time.Now()
		for whoami(b) != 403 {
			if time.Since(revoked) > 3*time.Second {
				t.Fatal("B still accepts the key 3 s after its revocation on A")
			}
			time.Sleep(20 * time.Millisecond)
		}
		took := time.Since(revoked)
		if took > time.Second {
			t.Errorf("B refused the revoked key after %v, want within 1 s", took)
		}
		t.Logf("B refused the key revoked on A after %v", took.Round(time.Millisecond))
	})

	t.Run("SharedRateLimit", func(t *testing.T) {
		wrong := map[string]any{"email": "grace@example.com", "password": "Wrong-password-1"}
		// The SDK counts failures per address in the database: after the
		// free ones on A, the next is refused on B.
		for i := range account.DefaultAddressBackoff.Free {
			if got := a.call(t, "POST", "/v1/sessions", "", wrong, 0, nil); got == 429 {
				t.Fatalf("wrong password %d on A refused as rate limited", i+1)
			}
		}
		if got := b.call(t, "POST", "/v1/sessions", "", wrong, 0, nil); got != 429 {
			t.Errorf("next wrong password, on B: %d, want 429", got)
		}
	})

	t.Run("KillWhileSending", func(t *testing.T) {
		const slow = "slow@example.com"
		sending := mail.hold(slow)
		a.call(t, "POST", "/v1/signup", "", map[string]any{"email": slow, "password": password}, 202, nil)
		var port string
		select {
		case port = <-sending:
		case <-time.After(10 * time.Second):
			t.Fatal("no replica started to send the mail within 10 s")
		}
		victim, survivor := a, b
		if port == smtpB {
			victim, survivor = b, a
		}
		victim.kill(t)
		deadline := time.Now().Add(courierLease + 10*time.Second)
		for mail.count(slow) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the mail the killed replica %s was sending was not sent by %s", victim.name, survivor.name)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// Another lease and poll later, it has still been sent once.
		time.Sleep(courierLease + time.Second)
		if n := mail.count(slow); n != 1 {
			t.Errorf("the mail was sent %d times, want once", n)
		}
		if got := mail.port(slow); got == port {
			t.Errorf("the mail was sent through the killed replica's port %s", port)
		}
	})
}

// buildSettingsd builds the command into the test's temporary directory,
// with more flags of go build (such as -overlay).
func buildSettingsd(t *testing.T, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "settingsd")
	out, err := exec.Command(goTool(), append(append([]string{"build"}, flags...), "-o", bin, ".")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// goTool returns the path of the go command.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// replica is one running settingsd process.
type replica struct {
	name string
	url  string
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
}

// startReplicas starts two processes at once on dsn, A sending mail
// through smtpA and B through smtpB, and waits until both are ready.
func startReplicas(t *testing.T, bin, dsn, smtpA, smtpB string) (*replica, *replica) {
	t.Helper()
	key := func() string {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	env := append(os.Environ(), "SETTINGSD_POSTGRES_DSN="+dsn, "SETTINGSD_CODE_KEY="+key(),
		"SETTINGSD_TWOFACTOR_KEY="+key(), "SETTINGSD_WEB_KEY="+key())
	start := func(name, smtp string) *replica {
		addr := freeAddr(t)
		r := &replica{name: name, url: "http://" + addr, logs: &lockedBuffer{}, done: make(chan struct{})}
		r.cmd = exec.Command(bin, "-addr", addr, "-smtp", smtp, "-courier-lease", courierLease.String(),
			"-courier-poll", "100ms", "-pg-max-open-conns", "8")
		r.cmd.Env = env
		r.cmd.Stderr = r.logs
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { _ = r.cmd.Wait(); close(r.done) }()
		t.Cleanup(func() {
			_ = r.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-r.done:
			case <-time.After(10 * time.Second):
				_ = r.cmd.Process.Kill()
				<-r.done
			}
			if t.Failed() {
				t.Logf("replica %s logs:\n%s", r.name, r.logs.String())
			}
		})
		return r
	}
	a, b := start("A", smtpA), start("B", smtpB)
	for _, r := range []*replica{a, b} {
		r.waitReady(t)
	}
	return a, b
}

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (r *replica) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(r.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		select {
		case <-r.done:
			t.Fatalf("replica %s exited:\n%s", r.name, r.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %s not ready after 30 s:\n%s", r.name, r.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// migrated returns how many migrations the replica logged it applied.
func (r *replica) migrated(t *testing.T) int {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(r.logs.String()))
	for sc.Scan() {
		var line struct {
			Msg     string `json:"msg"`
			Applied *int   `json:"applied"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "database migrated" && line.Applied != nil {
			return *line.Applied
		}
	}
	t.Fatalf("replica %s logged no \"database migrated\" line:\n%s", r.name, r.logs.String())
	return 0
}

// kill ends the process with SIGKILL and waits for it.
func (r *replica) kill(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-r.done
}

// call sends a JSON request and decodes the answer into out when it is
// not nil. With want non-zero, another status fails the test; it returns
// the status.
func (r *replica) call(t *testing.T, method, path, auth string, body any, want int, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, r.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if want != 0 && res.StatusCode != want {
		t.Fatalf("%s %s on %s: %d %s, want %d", method, path, r.name, res.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s on %s: %v in %s", method, path, r.name, err, raw)
		}
	}
	return res.StatusCode
}

// lockedBuffer is a bytes.Buffer safe for a process's writes and the
// test's reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// smtpRecorder is a test SMTP server listening on several ports (one
// per replica) that records every message it accepts and the port it
// came through. A recipient given to hold makes the first port that gets
// it stall in RCPT until the client goes away.
type smtpRecorder struct {
	mu   sync.Mutex
	got  []delivered
	held map[string]chan string // recipient → told the port, once
}

type delivered struct {
	port, to string
	data     []byte
}

// listen starts a port and returns its address.
func (m *smtpRecorder) listen(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &recSession{m: m, port: addr}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return addr
}

// hold makes the next delivery to the address stall, and returns a
// channel told the port it came through.
func (m *smtpRecorder) hold(to string) <-chan string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.held == nil {
		m.held = map[string]chan string{}
	}
	c := make(chan string, 1)
	m.held[to] = c
	return c
}

// code waits up to 10 s for a message to the address and returns the
// one-time code in it.
func (m *smtpRecorder) code(t *testing.T, to string) string {
	t.Helper()
	c, err := m.codeAfter(to, 0, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// codeAfter waits up to within for a message to the address holding a
// one-time code, other than the first seen messages to it (count), and
// returns the code of the latest.
func (m *smtpRecorder) codeAfter(to string, seen int, within time.Duration) (string, error) {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		m.mu.Lock()
		var mine []delivered
		for _, d := range m.got {
			if d.to == to {
				mine = append(mine, d)
			}
		}
		m.mu.Unlock()
		for i := len(mine) - 1; i >= seen; i-- {
			if c, ok := usersettingstest.FindMailCode(string(mine[i].data)); ok {
				return c, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("no code mailed to %s within %v", to, within)
}

// count returns how many messages to the address were accepted.
func (m *smtpRecorder) count(to string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, d := range m.got {
		if d.to == to {
			n++
		}
	}
	return n
}

// port returns the port the first message to the address came through.
func (m *smtpRecorder) port(to string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.got {
		if d.to == to {
			return d.port
		}
	}
	return ""
}

type recSession struct {
	m    *smtpRecorder
	port string
	to   string
}

func (s *recSession) Mail(string, *gosmtp.MailOptions) error { return nil }

// Rcpt stalls a held recipient until the client disconnects (the server
// closes the session then), which the test causes by killing the
// replica.
func (s *recSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.m.mu.Lock()
	c, held := s.m.held[to]
	delete(s.m.held, to)
	s.m.mu.Unlock()
	if held {
		c <- s.port
		time.Sleep(2 * courierLease) // longer than the killed replica lives
		return errors.New("held")
	}
	s.to = to
	return nil
}

func (s *recSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.to == "" {
		return fmt.Errorf("no recipient")
	}
	s.m.mu.Lock()
	s.m.got = append(s.m.got, delivered{port: s.port, to: s.to, data: b})
	s.m.mu.Unlock()
	return nil
}

func (s *recSession) Reset()        { s.to = "" }
func (s *recSession) Logout() error { return nil }

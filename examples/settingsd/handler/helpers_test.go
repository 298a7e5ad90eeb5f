package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

const pw = "Correct-Horse-9-Battery"

// The relying party of the test servers' passkeys: the software
// authenticator of passkeytest answers as a browser on passkeyOrigin.
const (
	passkeyRPID   = "localhost"
	passkeyOrigin = "http://localhost"
)

// clock is the shared fake clock of the tests.
type clock = fakeclock.Clock

// env is the real handler served on loopback over a migrated SQLite file,
// with the dev outbox and a fake clock.
type env struct {
	t        *testing.T
	srv      *httptest.Server
	clock    *clock
	settings *usersettings.Settings
	sms      *handler.SMSOutbox
}

// newEnv starts a server with a dev SMS outbox; opts are added to the
// handler's options.
func newEnv(t *testing.T, opts ...handler.Option) *env {
	t.Helper()
	return startEnv(t, &handler.SMSOutbox{}, opts...)
}

// newEnvWithoutSMS starts a server whose SDK cannot send SMS.
func newEnvWithoutSMS(t *testing.T, opts ...handler.Option) *env {
	t.Helper()
	return startEnv(t, nil, opts...)
}

// newEnvFreshFor starts a server run as settingsd -fresh-for d: the SDK's
// Options.FreshFor is d.
func newEnvFreshFor(t *testing.T, d time.Duration) *env {
	t.Helper()
	return startEnvWith(t, &handler.SMSOutbox{}, d)
}

// startEnv starts a server; sms, when not nil, sends the SDK's texts and
// is served at /v1/dev/sms.
func startEnv(t *testing.T, sms *handler.SMSOutbox, opts ...handler.Option) *env {
	t.Helper()
	return startEnvWith(t, sms, 0, opts...)
}

// startEnvWith is startEnv with the SDK's Options.FreshFor (0: the
// default).
func startEnvWith(t *testing.T, sms *handler.SMSOutbox, freshFor time.Duration, opts ...handler.Option) *env {
	t.Helper()
	ctx := context.Background()
	st, db, err := sqlite.OpenStore(ctx, filepath.Join(t.TempDir(), "settingsd.db"))
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	c := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	outbox := &notify.Outbox{Now: c.Now}
	o := usersettings.Options{
		Mailer: outbox, Now: c.Now, Dev: true, Scopes: handler.SampleScopes, Issuer: "settingsd-test", FreshFor: freshFor,
		Hasher:      password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 1024, Time: 1, Threads: 1}}),
		PasskeyRPID: passkeyRPID, PasskeyOrigins: []string{passkeyOrigin},
	}
	hopts := []handler.Option{handler.WithDevOutbox(outbox)}
	if sms != nil {
		sms.Now, o.SMS = c.Now, sms
		hopts = append(hopts, handler.WithDevSMS(sms))
	}
	s, err := usersettings.New(st, o)
	if err != nil {
		t.Fatalf("usersettings.New: %v", err)
	}
	h := handler.New(s, append(hopts, opts...)...)
	e := &env{t: t, srv: httptest.NewServer(contract(t, h)), clock: c, settings: s, sms: sms}
	t.Cleanup(func() {
		e.srv.Close()
		_ = st.Close()
		_ = db.Close()
	})
	return e
}

// resp is an answer of the server.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// obj decodes the body as a JSON object.
func (r resp) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

// into decodes the body into v.
func (r resp) into(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

// do sends a request. body is sent as is when it is []byte, as JSON
// otherwise (nil sends none), with Content-Type application/json unless
// headers name another; headers are name, value pairs.
func (e *env) do(method, path string, body any, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json") // headers may replace it
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Del(headers[i])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: data}
}

// items decodes the body, a list answer {"items":[…],"next":null}, into
// the slice that v points to.
func (r resp) items(t *testing.T, v any) {
	t.Helper()
	var l struct {
		Items json.RawMessage `json:"items"`
		Next  *string         `json:"next"`
	}
	r.into(t, &l)
	if l.Items == nil || l.Next != nil {
		t.Fatalf("body %s is not a list answer with items and a null next", r.body)
	}
	if err := json.Unmarshal(l.Items, v); err != nil {
		t.Fatalf("items %s: %v", l.Items, err)
	}
}

// want checks the status and, when code is not empty, the error code.
func want(t *testing.T, what string, r resp, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d (body %s)", what, r.status, status, r.body)
	}
	if code != "" {
		if got := r.obj(t)["error"]; got != code {
			t.Fatalf("%s: error %v, want %q (body %s)", what, got, code, r.body)
		}
	}
}

// code reads the last one-time code mailed to the address from
// GET /v1/dev/outbox.
func (e *env) code(to string) string {
	e.t.Helper()
	var outbox struct {
		Items []struct{ To, Subject, Body string }
	}
	r := e.do("GET", "/v1/dev/outbox", nil)
	want(e.t, "outbox", r, 200, "")
	r.into(e.t, &outbox)
	mails := outbox.Items
	for i := len(mails) - 1; i >= 0; i-- {
		if mails[i].To == to {
			if c, ok := usersettingstest.FindMailCode(mails[i].Body); ok {
				return c
			}
		}
	}
	e.t.Fatalf("no code mailed to %s", to)
	return ""
}

// user is a signed-in person.
type user struct {
	email, session, sessionID, csrf, accountID, profileID string
}

// auth returns the Authorization header of the user's session.
func (u user) auth() []string { return []string{"Authorization", "Session " + u.session} }

// signUp signs up the address through the API and signs in.
func (e *env) signUp(email string) user {
	e.t.Helper()
	r := e.do("POST", "/v1/signup", map[string]any{"email": email, "password": pw, "marketing": false})
	want(e.t, "signup", r, 202, "")
	id := r.obj(e.t)["signup_id"].(string)
	r = e.do("POST", "/v1/signup/"+id+"/verify", map[string]string{"code": e.code(email)})
	want(e.t, "signup verify", r, 201, "")
	return e.login(email, pw)
}

// login signs in as an API client (a header-style session, its secret
// in the body) and returns the session.
func (e *env) login(email, password string) user {
	e.t.Helper()
	r := e.do("POST", "/v1/sessions", map[string]any{"email": email, "password": password, "session_in_body": true})
	want(e.t, "login "+email, r, 201, "")
	m := r.obj(e.t)
	return user{email: email, session: m["session"].(string), sessionID: m["session_id"].(string), csrf: m["csrf_token"].(string),
		accountID: m["account_id"].(string), profileID: m["profile_id"].(string)}
}

// listen opens a loopback listener.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// syncWriter serialises writes to a buffer shared with the server.
type syncWriter struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// String returns what was written.
func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/bcrypt"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/pgtest"
)

const pw = "Correct-Horse-9-Battery"

// host is the host app on one database, served on loopback.
type host struct {
	t   *testing.T
	app *App
	db  *sql.DB
	srv *httptest.Server
	box *notify.Outbox
}

// eachDB runs f on a host over SQLite and over PostgreSQL (skipped
// without a server, failed under USERSETTINGS_REQUIRE_POSTGRES=1).
func eachDB(t *testing.T, f func(t *testing.T, h *host)) {
	t.Run("db=sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hostapp.db"))
		if err != nil {
			t.Fatal(err)
		}
		f(t, newHost(t, db, sqlstore.SQLite))
	})
	t.Run("db=postgres", func(t *testing.T) {
		dsn, _ := pgtest.Schema(t, "hostapp")
		db, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		f(t, newHost(t, db, sqlstore.Postgres))
	})
}

func newHost(t *testing.T, db *sql.DB, d sqlstore.Dialect) *host {
	t.Helper()
	box := &notify.Outbox{}
	app, err := New(context.Background(), db, d, usersettings.Options{Dev: true, Mailer: box,
		Hasher: password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 1024, Time: 1, Threads: 1}})})
	if err != nil {
		t.Fatal(err)
	}
	app.bcryptCost = bcrypt.MinCost
	h := &host{t: t, app: app, db: db, srv: httptest.NewServer(app), box: box}
	t.Cleanup(func() {
		h.srv.Close()
		_ = db.Close()
	})
	return h
}

// browser is a client of the host with its own cookie jar.
func (h *host) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// call sends a JSON request and returns the status and the body.
func (h *host) call(c *http.Client, method, path string, body any) (int, []byte, http.Header) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, data, res.Header
}

// want fails the test unless the answer has the status (and the code).
func (h *host) want(what string, status int, body []byte, wantStatus int, wantCode string) {
	h.t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	if status != wantStatus || e.Error != wantCode {
		h.t.Fatalf("%s: %d %s, want %d %q", what, status, body, wantStatus, wantCode)
	}
}

// signUpAndIn signs a user up and in from a new browser.
func (h *host) signUpAndIn(email string) *http.Client {
	h.t.Helper()
	c := h.browser()
	st, body, _ := h.call(c, "POST", "/signup", map[string]string{"email": email, "password": pw})
	h.want("sign-up", st, body, 201, "")
	return h.logIn(email)
}

// logIn signs the user in from a new browser.
func (h *host) logIn(email string) *http.Client {
	h.t.Helper()
	c := h.browser()
	st, body, _ := h.call(c, "POST", "/login", map[string]string{"email": email, "password": pw})
	h.want("log-in", st, body, 200, "")
	return c
}

// An imported bcrypt hash signs in through the SDK and is replaced by
// argon2id.
func TestImportedBcryptHashIsRehashed(t *testing.T) {
	eachDB(t, func(t *testing.T, h *host) {
		ctx := context.Background()
		hash, _ := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if _, err := h.db.ExecContext(ctx, rebind(h.app.d, `INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)`),
			"usr_legacy", "legacy@host.example", string(hash), time.Now().UTC().Format(time.RFC3339)); err != nil {
			t.Fatal(err)
		}
		if n, err := h.app.ImportUsers(ctx); err != nil || n != 1 {
			t.Fatalf("ImportUsers = %d, %v; want 1", n, err)
		}
		for range 2 {
			if _, err := h.app.Settings.Accounts.Authenticate(ctx, account.Login{Email: "legacy@host.example", Password: pw}); err != nil {
				t.Fatalf("Authenticate with the imported password: %v", err)
			}
		}
		var stored string
		if err := h.db.QueryRowContext(ctx, `SELECT password_hash FROM us_accounts`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, "$argon2id$") {
			t.Errorf("the stored hash after the sign-in is %.10s…, want argon2id", stored)
		}
		if _, err := h.app.Settings.Accounts.Authenticate(ctx, account.Login{Email: "legacy@host.example", Password: "Wrong-Horse-9-Battery"}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Errorf("a wrong password = %v, want ErrInvalidCredentials", err)
		}
	})
}

// An authenticator enrolled from one browser ends the host's other
// sessions (through the revocation hook) and keeps the current one.
func TestTwoFactorEndsTheHostsOtherSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, h *host) {
		laptop := h.signUpAndIn("ada@host.example")
		phone := h.logIn("ada@host.example")
		st, body, _ := h.call(laptop, "POST", "/me/2fa/authenticator", nil)
		h.want("begin authenticator", st, body, 200, "")
		var e struct{ Secret string }
		_ = json.Unmarshal(body, &e)
		code, _ := totp.GenerateCode(e.Secret, time.Now())
		st, body, _ = h.call(laptop, "POST", "/me/2fa/authenticator/confirm", map[string]string{"code": code})
		h.want("confirm authenticator", st, body, 200, "")
		st, body, _ = h.call(phone, "GET", "/me/profile", nil)
		h.want("the other browser after the enrolment", st, body, 401, "unauthenticated")
		st, body, _ = h.call(laptop, "GET", "/me/profile", nil)
		h.want("the enrolling browser", st, body, 200, "")
		var n int
		if err := h.db.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil || n != 1 {
			t.Errorf("the host's sessions table holds %d rows, %v; want the laptop's one", n, err)
		}
	})
}

// The host's sign-in is in the sessions list and the security log, and
// a token of the SDK opens the host's own API.
func TestHostSignInIsListedAndLogged(t *testing.T) {
	eachDB(t, func(t *testing.T, h *host) {
		c := h.signUpAndIn("ada@host.example")
		st, body, _ := h.call(c, "GET", "/me/sessions", nil)
		h.want("sessions", st, body, 200, "")
		var list []struct {
			ID      string `json:"id"`
			Current bool   `json:"current"`
		}
		_ = json.Unmarshal(body, &list)
		if len(list) != 1 || !list[0].Current || !strings.HasPrefix(list[0].ID, "hs_") {
			t.Fatalf("sessions = %s, want the host's own session, current", body)
		}
		st, body, _ = h.call(c, "GET", "/me/security-log", nil)
		h.want("security log", st, body, 200, "")
		var log struct {
			Events []struct {
				Kind      string `json:"kind"`
				SessionID string `json:"session_id"`
			} `json:"events"`
		}
		_ = json.Unmarshal(body, &log)
		found := false
		for _, ev := range log.Events {
			found = found || ev.Kind == "signed_in" && ev.SessionID == list[0].ID
		}
		if !found {
			t.Errorf("security log = %s, want the sign-in of %s", body, list[0].ID)
		}
		st, body, _ = h.call(c, "POST", "/me/tokens", map[string]any{"name": "ci", "scopes": []string{ScopeNotesRead}})
		h.want("create token", st, body, 201, "")
		var tok struct{ Token string }
		_ = json.Unmarshal(body, &tok)
		req, _ := http.NewRequest("GET", h.srv.URL+"/api/notes", nil)
		req.Header.Set("Authorization", "mxtoken "+tok.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Errorf("the host's API with the token: %v %v", res.Status, err)
		}
		st, _, _ = h.call(c, "GET", "/me/personal-data.zip", nil)
		if st != 200 {
			t.Errorf("personal data ZIP: %d", st)
		}
	})
}

// Six wrong passwords that the host checks itself are throttled like the
// SDK's own sign-in.
func TestHostPasswordsAreThrottled(t *testing.T) {
	eachDB(t, func(t *testing.T, h *host) {
		h.signUpAndIn("ada@host.example")
		for i := range account.DefaultAddressBackoff.Free {
			st, body, _ := h.call(h.browser(), "POST", "/login", map[string]string{"email": "ada@host.example", "password": "Wrong-Horse-9-Battery"})
			h.want("wrong password "+string(rune('1'+i)), st, body, 401, "invalid_credentials")
		}
		st, body, hdr := h.call(h.browser(), "POST", "/login", map[string]string{"email": "ada@host.example", "password": "Wrong-Horse-9-Battery"})
		h.want("the sixth wrong password", st, body, 429, "rate_limited")
		if hdr.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	})
}

// The login email changes by a code sent to the new address, and the
// host's copy of the address follows in the same transaction.
func TestEmailChangesByCode(t *testing.T) {
	eachDB(t, func(t *testing.T, h *host) {
		c := h.signUpAndIn("ada@host.example")
		st, body, _ := h.call(c, "POST", "/me/email", map[string]string{"email": "ada@new.example"})
		h.want("request", st, body, 202, "")
		var p struct {
			PendingID string `json:"pending_id"`
		}
		_ = json.Unmarshal(body, &p)
		st, body, _ = h.call(c, "POST", "/me/email/verify", map[string]string{"pending_id": p.PendingID, "code": "000000"})
		h.want("a wrong code", st, body, 422, "invalid_code")
		m, ok := h.box.Last("ada@new.example")
		if !ok {
			t.Fatal("no code mailed to the new address")
		}
		code := usersettingstest.MailCode(t, "the code mail", m.Body)
		st, body, _ = h.call(c, "POST", "/me/email/verify", map[string]string{"pending_id": p.PendingID, "code": code})
		h.want("confirm", st, body, 204, "")
		var email string
		if err := h.db.QueryRow(`SELECT email FROM users`).Scan(&email); err != nil || email != "ada@new.example" {
			t.Errorf("the host's users row has %q, %v; want the new address", email, err)
		}
		h.logIn("ada@new.example")
		if _, ok := h.box.Last("ada@host.example"); !ok {
			t.Error("no notice to the old address")
		}
	})
}

// A failure after the SDK's insert inside the host's sign-up transaction
// leaves neither the host's row nor the SDK's.
func TestSignUpRollsBackTogether(t *testing.T) {
	eachDB(t, func(t *testing.T, h *host) {
		h.app.afterProvision = func() error { return errors.New("the host failed after our insert") }
		st, body, _ := h.call(h.browser(), "POST", "/signup", map[string]string{"email": "ada@host.example", "password": pw})
		h.want("sign-up that fails", st, body, 500, "internal")
		for _, table := range []string{"users", "us_accounts", "us_profiles", "us_history"} {
			var n int
			if err := h.db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s holds %d rows, %v; want none", table, n, err)
			}
		}
		h.app.afterProvision = nil
		st, body, _ = h.call(h.browser(), "POST", "/signup", map[string]string{"email": "ada@host.example", "password": pw})
		h.want("the same sign-up again", st, body, 201, "")
	})
}
